package dev.fieldseal.serde;


import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fieldseal.codec.ConnectValueCodec;
import dev.fieldseal.config.FieldsealConfig;
import dev.fieldseal.envelope.Sealer;
import dev.fieldseal.field.FieldSelection;
import dev.fieldseal.kms.local.LocalKeyFile;
import dev.fieldseal.metrics.FieldsealMetrics;
import dev.fieldseal.model.connect.ConnectEncryptor;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.json.JsonDeserializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The serdes without a broker, on the local key provider. */
class SerdeUnitTest {

    static Path keys;
    static Path otherKeys;

    @BeforeAll
    static void keys() throws IOException {
        keys = Files.createTempDirectory("serde-keys").resolve("keys.json");
        LocalKeyFile.addVersion(keys, "pii");
        otherKeys = Files.createTempDirectory("serde-keys").resolve("keys.json");
        LocalKeyFile.addVersion(otherKeys, "other");
    }

    static Map<String, Object> props(Object... kv) {
        Map<String, Object> p = new HashMap<>();
        p.put("fieldseal.kek.id", "local:pii");
        p.put("fieldseal.local.key.file", keys.toString());
        for (int i = 0; i < kv.length; i += 2) {
            p.put((String) kv[i], kv[i + 1]);
        }
        return p;
    }

    static EncryptingSerializer serializer(Map<String, Object> p) {
        EncryptingSerializer s = new EncryptingSerializer();
        s.configure(p, false);
        return s;
    }

    static DecryptingDeserializer deserializer(Map<String, Object> p) {
        DecryptingDeserializer d = new DecryptingDeserializer();
        d.configure(p, false);
        return d;
    }

    @Test
    void stringFormatEncryptsTheWholeValue() {
        Map<String, Object> p = props("fieldseal.format", "string");
        try (EncryptingSerializer s = serializer(p); DecryptingDeserializer d = deserializer(p)) {
            RecordHeaders h = new RecordHeaders();
            byte[] wire = s.serialize("t", h, "4111-1111-1111-1111");
            assertTrue(new String(wire, StandardCharsets.US_ASCII).startsWith("/kZT"));
            assertNotNull(h.lastHeader("fieldseal.kek.version"));
            assertEquals("4111-1111-1111-1111", d.deserialize("t", h, wire));
            assertEquals("plain", d.deserialize("t", h, "plain".getBytes()), "unencrypted values pass through");
            assertNull(d.deserialize("t", h, (byte[]) null));
            assertEquals(1, d.metrics().get("records-decrypted"));
            assertEquals(1, s.metrics().get("records-encrypted"));
        }
        // raw bytes survive exactly, through an inner byte[] deserializer
        Map<String, Object> bytes = props("fieldseal.format", "string",
                "fieldseal.inner.deserializer", ByteArrayDeserializer.class.getName());
        byte[] raw = {0, (byte) 0xFF, 1, 2};
        try (EncryptingSerializer s = serializer(bytes); DecryptingDeserializer d = deserializer(bytes)) {
            assertArrayEquals(raw, (byte[]) d.deserialize("t", s.serialize("t", raw)));
        }
    }

    @Test
    void stringFormatFailurePolicies() {
        byte[] wire;
        try (EncryptingSerializer s = serializer(props("fieldseal.format", "string", "fieldseal.kek.id", "local:other",
                "fieldseal.local.key.file", otherKeys.toString()))) {
            wire = s.serialize("t", "secret-value");
        }
        try (DecryptingDeserializer d = deserializer(props("fieldseal.format", "string"))) {
            SerializationException e = assertThrows(SerializationException.class, () -> d.deserialize("cards", wire));
            assertTrue(e.getMessage().contains("topic 'cards'") && e.getMessage().contains("local:other"),
                    e.getMessage());
            assertFalse(e.getMessage().contains("secret-value"));
        }
        try (DecryptingDeserializer d = deserializer(props("fieldseal.format", "string", "fieldseal.on.failure",
                "ciphertext"))) {
            assertEquals(new String(wire, StandardCharsets.US_ASCII), d.deserialize("t", wire));
        }
        try (DecryptingDeserializer d = deserializer(props("fieldseal.format", "string", "fieldseal.on.failure", "mask",
                "fieldseal.mask.value", "XXXX"))) {
            assertEquals("XXXX", d.deserialize("t", wire));
        }
    }

    /**
     * With Kafka's JsonDeserializer inside, the tree it parses is decrypted in place: the result
     * must equal what it parses from the plaintext document, number node types included.
     */
    @Test
    void aJsonDeserializerInnerReturnsTheTreeOfThePlaintext() {
        String doc = "{\"id\":7,\"ssn\":\"123-45-6789\",\"balance\":1234.50,\"ratio\":0.1,\"ok\":true,"
                + "\"big\":12345678901234567890,\"address\":{\"street\":\"1 Main St\",\"zip\":\"0150\"},"
                + "\"tags\":[\"a\",\"b\"],\"scores\":[1.5,2],\"note\":null}";
        Map<String, Object> tree = props("fieldseal.format", "json",
                "fieldseal.inner.deserializer", JsonDeserializer.class.getName());
        try (EncryptingSerializer s = serializer(props("fieldseal.format", "json",
                "fieldseal.fields", "ssn,balance,ratio,ok,big,address,tags[*],scores,note"));
             DecryptingDeserializer d = deserializer(tree); JsonDeserializer plain = new JsonDeserializer()) {
            RecordHeaders h = new RecordHeaders();
            byte[] wire = s.serialize("t", h, doc);
            assertFalse(new String(wire, StandardCharsets.UTF_8).contains("123-45-6789"));
            assertEquals(plain.deserialize("t", doc.getBytes(StandardCharsets.UTF_8)), d.deserialize("t", h, wire));
            assertEquals(9, d.metrics().get("fields-decrypted"), "every value but the null");
        }

        // JsonConverter's form with an embedded schema, as a Connect worker writes it after EncryptFields
        org.apache.kafka.connect.data.Schema schema = SchemaBuilder.struct().name("Customer")
                .field("id", org.apache.kafka.connect.data.Schema.INT64_SCHEMA)
                .field("ssn", org.apache.kafka.connect.data.Schema.STRING_SCHEMA)
                .field("balance", Decimal.builder(2).build())
                .field("score", org.apache.kafka.connect.data.Schema.FLOAT64_SCHEMA).build();
        Struct customer = new Struct(schema).put("id", 1L).put("ssn", "123-45-6789")
                .put("balance", new BigDecimal("1234.50")).put("score", 0.25);
        JsonConverter converter = new JsonConverter();
        converter.configure(Map.of("schemas.enable", true, "converter.type", "value"));
        FieldsealConfig core = SerdeConfig.fromPrefixed(props("fieldseal.fields", "ssn,balance,score")).core();
        try (Sealer sealer = Sealer.create(core, new FieldsealMetrics()); DecryptingDeserializer d = deserializer(tree);
             JsonDeserializer plain = new JsonDeserializer()) {
            ConnectEncryptor.Result r = new ConnectEncryptor(sealer, FieldSelection.of(core.fields(), List.of()),
                    new ConnectValueCodec(), false).encrypt(schema, customer);
            byte[] wire = converter.fromConnectData("t", r.schema(), r.value());
            assertEquals(plain.deserialize("t", converter.fromConnectData("t", schema, customer)),
                    d.deserialize("t", wire));
        }

        // failure policies apply inside the tree too
        byte[] foreign;
        try (EncryptingSerializer s = serializer(props("fieldseal.format", "json", "fieldseal.fields", "ssn",
                "fieldseal.kek.id", "local:other", "fieldseal.local.key.file", otherKeys.toString()))) {
            foreign = s.serialize("t", "{\"id\":1,\"ssn\":\"123-45-6789\"}");
        }
        Map<String, Object> masking = new HashMap<>(tree);
        masking.put("fieldseal.on.failure", "mask");
        masking.put("fieldseal.mask.value", "XXXX");
        try (DecryptingDeserializer d = deserializer(masking)) {
            assertEquals("{\"id\":1,\"ssn\":\"XXXX\"}", d.deserialize("t", foreign).toString());
        }
        try (DecryptingDeserializer d = deserializer(tree)) {
            SerializationException e = assertThrows(SerializationException.class, () -> d.deserialize("t", foreign));
            assertTrue(e.getMessage().contains("local:other"), e.getMessage());
        }
    }

    @Test
    void headerPlacementTravelsInTheRecordHeaders() {
        Map<String, Object> p = props("fieldseal.fields", "ssn", "fieldseal.envelope.placement", "header");
        try (EncryptingSerializer s = serializer(p); DecryptingDeserializer d = deserializer(props())) {
            RecordHeaders h = new RecordHeaders();
            byte[] wire = s.serialize("t", h, "{\"ssn\":\"123-45-6789\"}");
            assertNotNull(h.lastHeader("fieldseal.edek"));
            assertEquals("{\"ssn\":\"123-45-6789\"}", d.deserialize("t", h, wire));
            SerializationException e = assertThrows(SerializationException.class,
                    () -> d.deserialize("t", new RecordHeaders(), wire));
            assertTrue(e.getMessage().contains("MISSING_EDEK"), e.getMessage());
            assertThrows(SerializationException.class, () -> s.serialize("t", "{\"ssn\":\"1\"}"),
                    "header placement without headers");
        }
    }

    @Test
    void serializerFailsClosedWithoutQuotingTheValue() {
        try (EncryptingSerializer s = serializer(props("fieldseal.fields", "ssn.digits"))) {
            SerializationException e = assertThrows(SerializationException.class,
                    () -> s.serialize("t", new RecordHeaders(), "{\"ssn\":\"123-45-6789\"}"));
            assertTrue(e.getMessage().contains("ssn.digits") || e.getMessage().contains("'ssn"), e.getMessage());
            assertFalse(e.getMessage().contains("123-45-6789"), e.getMessage());
            SerializationException bad = assertThrows(SerializationException.class,
                    () -> s.serialize("t", new RecordHeaders(), "{\"ssn\":\"123-45-6789\""));
            assertFalse(bad.getMessage().contains("123-45-6789"), bad.getMessage());
        }
        assertThrows(ConfigException.class, () -> serializer(props()), "json needs fields");
    }

    @Test
    void fieldsealSerdesRoundTrips() {
        try (FieldsealSerdes serde = FieldsealSerdes.of(props("fieldseal.fields", "a.b"), false)) {
            byte[] wire = serde.serializer().serialize("t", new RecordHeaders(), "{\"a\":{\"b\":[1,2.50]}}");
            assertFalse(new String(wire).contains("2.50"));
            assertEquals("{\"a\":{\"b\":[1,2.50]}}", serde.deserializer().deserialize("t", new RecordHeaders(), wire));
        }
    }

    static final Schema SCHEMA = new Schema.Parser().parse("""
            {"type":"record","name":"R","fields":[{"name":"ssn","type":"string"},
             {"name":"note","type":["null","string"],"default":null},{"name":"n","type":"int"}]}""");

    @Test
    void avroFailurePolicies() throws IOException {
        Path file = Files.createTempFile("r", ".avsc");
        Files.writeString(file, SCHEMA.toString());
        GenericData.Record r = new GenericData.Record(SCHEMA);
        r.put("ssn", "123-45-6789");
        r.put("note", "hello");
        r.put("n", 5);
        Map<String, Object> writer = props("fieldseal.format", "avro", "fieldseal.fields", "ssn,note,n",
                "fieldseal.kek.id", "local:other", "fieldseal.local.key.file", otherKeys.toString());
        byte[] wire;
        try (EncryptingSerializer s = serializer(writer)) {
            wire = s.serialize("t", new RecordHeaders(), r);
        }
        Map<String, Object> reader = props("fieldseal.format", "avro", "fieldseal.fields", "ssn,note,n",
                "fieldseal.avro.schema.file", file.toString());
        try (DecryptingDeserializer d = deserializer(reader)) {
            assertThrows(SerializationException.class, () -> d.deserialize("t", wire));
        }
        reader.put("fieldseal.on.failure", "ciphertext");
        try (DecryptingDeserializer d = deserializer(reader)) {
            GenericRecord kept = (GenericRecord) d.deserialize("t", wire);
            assertTrue(kept.get("ssn").toString().startsWith("/kZT"));
            assertTrue(AvroWireAccess.encrypted(kept.getSchema()));
        }
        reader.put("fieldseal.on.failure", "mask");
        try (DecryptingDeserializer d = deserializer(reader)) {
            // each field masked by its original type: string -> the mask text, nullable -> null, int -> 0
            GenericRecord masked = (GenericRecord) d.deserialize("t", wire);
            assertEquals(SCHEMA, masked.getSchema());
            assertEquals("****", masked.get("ssn").toString());
            assertNull(masked.get("note"));
            assertEquals(0, masked.get("n"));
            assertEquals(3, d.metrics().get("fields-masked"));
        }
        reader.put("fieldseal.mask.value", "XXXX");
        try (DecryptingDeserializer d = deserializer(reader)) {
            assertEquals("XXXX", ((GenericRecord) d.deserialize("t", wire)).get("ssn").toString());
        }
        reader.remove("fieldseal.mask.value");
        // with only nullable/string fields encrypted, masking works
        Map<String, Object> w2 = new HashMap<>(writer);
        w2.put("fieldseal.fields", "note");
        try (EncryptingSerializer s = serializer(w2)) {
            byte[] wire2 = s.serialize("t", new RecordHeaders(), r);
            reader.put("fieldseal.fields", "note");
            try (DecryptingDeserializer d = deserializer(reader)) {
                GenericRecord masked = (GenericRecord) d.deserialize("t", wire2);
                assertEquals(SCHEMA, masked.getSchema());
                assertNull(masked.get("note"));
                assertEquals(5, masked.get("n"));
            }
        }
    }

    /** Keeps the test independent of the record package's helpers. */
    static final class AvroWireAccess {
        static boolean encrypted(Schema s) {
            return dev.fieldseal.model.avro.AvroDecryptor.hasEncryptedFields(s);
        }
    }

}
