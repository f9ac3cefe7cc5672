package dev.fieldseal.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fieldseal.model.avro.SingleObjectEncoding;
import dev.fieldseal.kms.local.LocalKeyFile;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.Conversions;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The serdes' Avro framings without a broker: what each writes, what the deserializer reads or refuses. */
class AvroFramingSerdeTest {

    static final Path CUSTOMER_AVSC = Path.of("..", "schemas", "customer.avsc");
    static final String FIELDS = "ssn,email,address,balance,birth_date,created";
    static Schema schema;
    static Path keys;

    @BeforeAll
    static void setUp() throws IOException {
        schema = new Schema.Parser().parse(CUSTOMER_AVSC.toFile());
        keys = Files.createTempDirectory("serde-keys").resolve("keys.json");
        LocalKeyFile.addVersion(keys, "pii");
    }

    static Map<String, Object> props(Object... kv) {
        Map<String, Object> p = new HashMap<>();
        p.put("fieldseal.kek.id", "local:pii");
        p.put("fieldseal.local.key.file", keys.toString());
        p.put("fieldseal.format", "avro");
        p.put("fieldseal.fields", FIELDS);
        for (int i = 0; i < kv.length; i += 2) {
            p.put((String) kv[i], kv[i + 1]);
        }
        return p;
    }

    static GenericRecord customer(long id) {
        GenericData.Record r = new GenericData.Record(schema);
        r.put("id", id);
        r.put("name", "Ada");
        r.put("email", "ada@example.com");
        r.put("ssn", "078-05-1120");
        r.put("address", null);
        r.put("balance", new Conversions.DecimalConversion().toBytes(new BigDecimal("12.34"),
                schema.getField("balance").schema(), LogicalTypes.decimal(10, 2)));
        r.put("birth_date", 3000);
        r.put("created", 1_700_000_000_000L);
        return r;
    }

    private static byte[] write(Map<String, Object> p, GenericRecord r, RecordHeaders h) {
        try (EncryptingSerializer s = new EncryptingSerializer()) {
            s.configure(p, false);
            return s.serialize("t", h, r);
        }
    }

    private static DecryptingDeserializer reader(Map<String, Object> p) {
        DecryptingDeserializer d = new DecryptingDeserializer();
        d.configure(p, false);
        return d;
    }

    @Test
    void plainFramingIsReadWithTheConfiguredWriterSchema() {
        RecordHeaders h = new RecordHeaders();
        // id -98 is C3 01 in Avro binary: plain values may start like single-object ones
        GenericRecord original = customer(-98);
        byte[] wire = write(props("fieldseal.avro.framing", "plain"), original, h);
        assertEquals((byte) 0xC3, wire[0]);
        assertEquals(0x01, wire[1]);
        try (DecryptingDeserializer d = reader(props("fieldseal.avro.schema", CUSTOMER_AVSC.toString()))) {
            GenericRecord got = (GenericRecord) d.deserialize("t", h, wire);
            assertEquals(schema, got.getSchema());
            assertEquals(original, got);
        }
    }

    @Test
    void singleObjectFramingIsTheDefaultAndIsReadWithEitherSetting() {
        RecordHeaders h = new RecordHeaders();
        GenericRecord original = customer(7);
        byte[] wire = write(props(), original, h);
        assertTrue(SingleObjectEncoding.hasMarker(wire));
        for (String key : new String[] {"fieldseal.avro.schema", "fieldseal.avro.schema.file"}) {
            try (DecryptingDeserializer d = reader(props(key, CUSTOMER_AVSC.toString()))) {
                assertEquals(original, d.deserialize("t", h, wire), key);
            }
        }
    }

    @Test
    void plainBinaryWithoutAConfiguredWriterSchemaIsRefusedSayingWhatToSet() {
        RecordHeaders h = new RecordHeaders();
        byte[] wire = write(props("fieldseal.avro.framing", "plain"), customer(7), h);
        try (DecryptingDeserializer d = reader(props("fieldseal.avro.schema.file", CUSTOMER_AVSC.toString()))) {
            SerializationException e = assertThrows(SerializationException.class, () -> d.deserialize("t", h, wire));
            assertTrue(e.getMessage().contains("fieldseal.avro.schema "), e.getMessage());
            assertFalse(e.getMessage().contains("078-05-1120"));
        }
    }

    @Test
    void anUnknownFingerprintThatIsNotPlainBinaryEitherIsRefusedNamingBoth() {
        RecordHeaders h = new RecordHeaders();
        byte[] wire = write(props(), customer(7), h);
        // the reader derives nothing (no fields): it knows only the plaintext schema's fingerprint
        Map<String, Object> p = props("fieldseal.avro.schema", CUSTOMER_AVSC.toString());
        p.remove("fieldseal.fields");
        try (DecryptingDeserializer d = reader(p)) {
            SerializationException e = assertThrows(SerializationException.class, () -> d.deserialize("t", h, wire));
            assertTrue(e.getMessage().contains("fingerprint"), e.getMessage());
            assertTrue(e.getMessage().contains("not plain Avro binary of dev.fieldseal.sample.Customer"), e.getMessage());
        }
    }

    @Test
    void formatAvroWithoutAnySchemaIsRefusedAtConfiguration() {
        ConfigException e = assertThrows(ConfigException.class, () -> reader(props()).close());
        assertTrue(e.getMessage().contains("fieldseal.avro.schema"), e.getMessage());
    }

    @Test
    void unknownFramingValueIsRefusedAtConfiguration() {
        assertThrows(ConfigException.class, () -> write(props("fieldseal.avro.framing", "registry"), customer(1),
                new RecordHeaders()));
    }
}
