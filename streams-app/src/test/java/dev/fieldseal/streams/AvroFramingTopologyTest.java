package dev.fieldseal.streams;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fieldseal.model.avro.SingleObjectEncoding;
import dev.fieldseal.kms.local.LocalKeyFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Avro framing in every mode on TopologyTestDriver: single-object encoding in gives
 * single-object encoding out with the output schema's fingerprint, plain binary in gives plain
 * binary out. Single-object values are made and read with Avro's own message encoder and decoder.
 */
class AvroFramingTopologyTest {

    private static final String FIELDS = "ssn,email,address,balance,birth_date,created";

    @TempDir
    Path dir;
    Path keyFile;

    @BeforeEach
    void keys() {
        keyFile = dir.resolve("keys.json");
        LocalKeyFile.addVersion(keyFile, "test");
    }

    private Map<String, String> props(String mode) {
        Map<String, String> p = new HashMap<>();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "avro-framing-test");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        p.put("fieldseal.kek.id", "local:test");
        p.put("fieldseal.local.key.file", keyFile.toString());
        p.put("fieldseal.mode", mode);
        p.put("fieldseal.routes", "customers");
        p.put("fieldseal.route.customers.input", "in");
        p.put("fieldseal.route.customers.output", "out");
        p.put("fieldseal.route.customers.format", "avro");
        p.put("fieldseal.route.customers.fields", FIELDS);
        p.put("fieldseal.route.customers.avro.schema", Fixtures.CUSTOMER_AVSC.toString());
        p.put("fieldseal.dlq.topic", "dlq");
        return p;
    }

    /** The encrypted schema the encrypt route writes (and the decrypt route reads). */
    private Schema encryptedSchema() {
        return AppSettings.parse(props("decrypt")).routes().get(0).inputSchema();
    }

    static byte[] singleObject(GenericRecord r) throws IOException {
        ByteBuffer bb = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), r.getSchema()).encode(r);
        return Arrays.copyOfRange(bb.array(), bb.arrayOffset() + bb.position(), bb.arrayOffset() + bb.limit());
    }

    static GenericRecord readSingleObject(byte[] b, Schema s) throws IOException {
        BinaryMessageDecoder<GenericRecord> d = new BinaryMessageDecoder<>(GenericData.get(), s);
        return d.decode(b); // MissingSchemaException unless b names s by its fingerprint
    }

    private static GenericRecord withNulls(int id) {
        GenericRecord r = Fixtures.customer(id);
        r.put("email", null);
        r.put("ssn", null);
        r.put("address", null);
        r.put("birth_date", null);
        return r;
    }

    @Test
    void singleObjectInGivesSingleObjectOutWithTheOutputSchemasFingerprintBothWays() throws IOException {
        Schema encrypted = encryptedSchema();
        assertNotEquals(SingleObjectEncoding.fingerprint(Fixtures.CUSTOMER), SingleObjectEncoding.fingerprint(encrypted),
                "encrypting non-string fields changes the canonical form, so the fingerprint tells them apart");
        for (GenericRecord original : new GenericRecord[] {Fixtures.customer(1), withNulls(2)}) {
            byte[] in = singleObject(original);
            TestRecord<byte[], byte[]> enc;
            try (TopologyApp a = new TopologyApp(props("encrypt"))) {
                enc = a.pipe(in, new RecordHeaders());
            }
            assertFalse(Fixtures.containsBytes(enc.value(), Fixtures.SSN));
            assertTrue(SingleObjectEncoding.of(encrypted).frames(enc.value()), "named by the encrypted schema");
            GenericRecord sealed = readSingleObject(enc.value(), encrypted);
            assertTrue(sealed.get("created").toString().startsWith("/kZT"));

            try (TopologyApp a = new TopologyApp(props("decrypt"))) {
                TestRecord<byte[], byte[]> dec = a.pipe(enc.value(), enc.headers());
                assertArrayEquals(in, dec.value(), "the producer's exact single-object bytes");
                assertEquals(original, readSingleObject(dec.value(), Fixtures.CUSTOMER));
            }
        }
    }

    @Test
    void plainInGivesPlainOut() {
        GenericRecord original = Fixtures.customer(3);
        byte[] in = Fixtures.avro(original);
        TestRecord<byte[], byte[]> enc;
        try (TopologyApp a = new TopologyApp(props("encrypt"))) {
            enc = a.pipe(in, new RecordHeaders());
        }
        assertFalse(SingleObjectEncoding.hasMarker(enc.value()) && SingleObjectEncoding.of(encryptedSchema())
                .frames(enc.value()));
        GenericRecord sealed = Fixtures.readAvro(enc.value(), encryptedSchema());
        assertArrayEquals(enc.value(), Fixtures.avro(sealed), "nothing but the datum");
        try (TopologyApp a = new TopologyApp(props("decrypt"))) {
            assertArrayEquals(in, a.pipe(enc.value(), enc.headers()).value());
        }
    }

    @Test
    void rekeyKeepsTheSingleObjectHeaderAndTheCiphertexts() throws IOException {
        byte[] in = singleObject(Fixtures.customer(4));
        TestRecord<byte[], byte[]> enc;
        try (TopologyApp a = new TopologyApp(props("encrypt"))) {
            enc = a.pipe(in, new RecordHeaders());
        }
        LocalKeyFile.addVersion(keyFile, "test");
        TestRecord<byte[], byte[]> moved;
        try (TopologyApp a = new TopologyApp(props("rekey"))) {
            moved = a.pipe(enc.value(), enc.headers());
        }
        assertFalse(Arrays.equals(enc.value(), moved.value()), "moved to the new version");
        assertArrayEquals(Arrays.copyOf(enc.value(), SingleObjectEncoding.HEADER_LENGTH),
                Arrays.copyOf(moved.value(), SingleObjectEncoding.HEADER_LENGTH));
        try (TopologyApp a = new TopologyApp(props("decrypt"))) {
            assertArrayEquals(in, a.pipe(moved.value(), moved.headers()).value());
        }
    }

    @Test
    void aValueNamingAnotherSchemaIsNotReadAsThisOne() throws IOException {
        byte[] enc;
        try (TopologyApp a = new TopologyApp(props("encrypt"))) {
            // framed with the plaintext schema's fingerprint, but the decrypt route reads the encrypted schema
            enc = a.pipe(singleObject(Fixtures.customer(5)), new RecordHeaders()).value();
        }
        byte[] wrongName = enc.clone();
        System.arraycopy(singleObject(Fixtures.customer(5)), 2, wrongName, 2, 8);
        try (TopologyApp a = new TopologyApp(props("decrypt"))) {
            assertEquals(null, a.pipe(wrongName, new RecordHeaders()), "no output");
            assertFalse(a.dlq.isEmpty(), "dead-lettered as unreadable");
        }
    }
}
