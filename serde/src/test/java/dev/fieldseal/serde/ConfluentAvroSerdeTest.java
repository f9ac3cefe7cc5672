package dev.fieldseal.serde;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fieldseal.kms.local.LocalKeyFile;
import dev.fieldseal.model.avro.AvroEncryptedSchemas;
import dev.fieldseal.registry.ConfluentFraming;
import dev.fieldseal.registry.RegistryConfig;
import dev.fieldseal.registry.SchemaRegistryClient;
import dev.fieldseal.testkit.SchemaRegistryDouble;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Format avro-confluent through the serializer and deserializer against the Schema Registry
 * double: every Avro logical type and nullable or union field, the registered encrypted schema,
 * registry calls per distinct schema, schema evolution, and registry faults.
 */
class ConfluentAvroSerdeTest {

    /** Every logical type of Avro 1.12, a nullable of each kind, a multi-branch union, a nested record. */
    static final Schema ALL = new Schema.Parser().parse("""
            {"type":"record","name":"Everything","namespace":"dev.fieldseal.sample","fields":[
              {"name":"id","type":"long"},
              {"name":"dec","type":{"type":"bytes","logicalType":"decimal","precision":12,"scale":2}},
              {"name":"decfixed","type":{"type":"fixed","name":"Money","size":8,"logicalType":"decimal",
                "precision":10,"scale":3}},
              {"name":"uuid","type":{"type":"string","logicalType":"uuid"}},
              {"name":"date","type":{"type":"int","logicalType":"date"}},
              {"name":"tmillis","type":{"type":"int","logicalType":"time-millis"}},
              {"name":"tmicros","type":{"type":"long","logicalType":"time-micros"}},
              {"name":"tsmillis","type":{"type":"long","logicalType":"timestamp-millis"}},
              {"name":"tsmicros","type":{"type":"long","logicalType":"timestamp-micros"}},
              {"name":"tsnanos","type":{"type":"long","logicalType":"timestamp-nanos"}},
              {"name":"ltsmillis","type":{"type":"long","logicalType":"local-timestamp-millis"}},
              {"name":"ltsmicros","type":{"type":"long","logicalType":"local-timestamp-micros"}},
              {"name":"ltsnanos","type":{"type":"long","logicalType":"local-timestamp-nanos"}},
              {"name":"duration","type":{"type":"fixed","name":"Duration","size":12,"logicalType":"duration"}},
              {"name":"nick","type":["null","string"],"default":null},
              {"name":"seen","type":["null",{"type":"long","logicalType":"timestamp-millis"}],"default":null},
              {"name":"amount","type":["null",{"type":"bytes","logicalType":"decimal","precision":9,"scale":2}],
                "default":null},
              {"name":"either","type":["null","int","string"],"default":null},
              {"name":"address","type":["null",{"type":"record","name":"Address","fields":[
                 {"name":"street","type":"string"},{"name":"zip","type":"string"}]}],"default":null},
              {"name":"plain","type":"string"}
            ]}""");
    static final String ALL_FIELDS = "dec,decfixed,uuid,date,tmillis,tmicros,tsmillis,tsmicros,tsnanos,ltsmillis,"
            + "ltsmicros,ltsnanos,duration,nick,seen,amount,either,address";

    static final Schema V1 = new Schema.Parser().parse("""
            {"type":"record","name":"Customer","namespace":"dev.fieldseal.sample","fields":[
              {"name":"id","type":"long"},{"name":"ssn","type":"string"}]}""");
    /** V1 plus a sealed nullable field and a plain field with a default: a BACKWARD-compatible change. */
    static final String V2_TEXT = """
            {"type":"record","name":"Customer","namespace":"dev.fieldseal.sample","fields":[
              {"name":"id","type":"long"},{"name":"ssn","type":"string"},
              {"name":"email","type":["null","string"],"default":null},
              {"name":"level","type":"int","default":3}]}""";
    static final Schema V2 = new Schema.Parser().parse(V2_TEXT);

    static Path keys;
    static SchemaRegistryDouble registry;

    @BeforeAll
    static void setUp() throws IOException {
        keys = Files.createTempDirectory("serde-keys").resolve("keys.json");
        LocalKeyFile.addVersion(keys, "pii");
        registry = SchemaRegistryDouble.http();
    }

    @AfterAll
    static void tearDown() {
        registry.close();
    }

    @BeforeEach
    void reset() {
        registry.reset();
    }

    static Map<String, Object> props(String fields, Object... kv) {
        Map<String, Object> p = new HashMap<>();
        p.put("fieldseal.kek.id", "local:pii");
        p.put("fieldseal.local.key.file", keys.toString());
        p.put("fieldseal.format", "avro-confluent");
        p.put("fieldseal.fields", fields);
        p.put(RegistryConfig.URL, registry.url());
        p.put(RegistryConfig.RETRIES_WAIT_MS, "1");
        for (int i = 0; i < kv.length; i += 2) {
            p.put((String) kv[i], kv[i + 1]);
        }
        return p;
    }

    static GenericRecord everything(long id, boolean nulls) {
        GenericData.Record r = new GenericData.Record(ALL);
        r.put("id", id);
        r.put("dec", ByteBuffer.wrap(new BigDecimal("1234.56").unscaledValue().toByteArray()));
        r.put("decfixed", new GenericData.Fixed(ALL.getField("decfixed").schema(),
                new byte[] {0, 0, 0, 0, 0, 1, (byte) 0xE2, 0x40}));
        r.put("uuid", "0b6f1d2e-9a55-4c1e-8a55-1d2e9a554c1e");
        r.put("date", 19_700);
        r.put("tmillis", 45_296_789);
        r.put("tmicros", 45_296_789_012L);
        r.put("tsmillis", 1_700_000_000_123L);
        r.put("tsmicros", 1_700_000_000_123_456L);
        r.put("tsnanos", 1_700_000_000_123_456_789L);
        r.put("ltsmillis", 1_700_000_000_321L);
        r.put("ltsmicros", 1_700_000_000_321_654L);
        r.put("ltsnanos", 1_700_000_000_321_654_987L);
        r.put("duration", new GenericData.Fixed(ALL.getField("duration").schema(),
                new byte[] {1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0}));
        GenericData.Record a = new GenericData.Record(ALL.getField("address").schema().getTypes().get(1));
        a.put("street", "1 Main St");
        a.put("zip", "12345");
        r.put("nick", nulls ? null : "Ace");
        r.put("seen", nulls ? null : 1_700_000_000_999L);
        r.put("amount", nulls ? null : ByteBuffer.wrap(new BigDecimal("9.99").unscaledValue().toByteArray()));
        r.put("either", nulls ? null : id % 2 == 0 ? (Object) 42 : "forty-two");
        r.put("address", nulls ? null : a);
        r.put("plain", "kept");
        return r;
    }

    static EncryptingSerializer serializer(Map<String, Object> p, boolean isKey) {
        EncryptingSerializer s = new EncryptingSerializer();
        s.configure(p, isKey);
        return s;
    }

    static DecryptingDeserializer deserializer(Map<String, Object> p, boolean isKey) {
        DecryptingDeserializer d = new DecryptingDeserializer();
        d.configure(p, isKey);
        return d;
    }

    @Test
    void everyLogicalTypeAndNullableOrUnionFieldRoundTripsThroughTheRegistryFraming() {
        List<GenericRecord> originals = List.of(everything(1, false), everything(2, false), everything(3, true));
        try (EncryptingSerializer s = serializer(props(ALL_FIELDS), false);
             DecryptingDeserializer d = deserializer(props(""), false)) {
            for (GenericRecord original : originals) {
                RecordHeaders h = new RecordHeaders();
                byte[] wire = s.serialize("everything", h, original);
                assertTrue(ConfluentFraming.framed(wire));
                int id = ConfluentFraming.schemaId(wire);
                assertEquals(List.of(id), registry.versions("everything-value"));
                Schema registered = new Schema.Parser().parse(registry.schema(id));
                assertTrue(AvroEncryptedSchemas.isEncrypted(registered.getField("duration")));
                assertEquals(ALL.getField("decfixed").schema(), new Schema.Parser().parse(
                        registered.getField("decfixed").getProp(AvroEncryptedSchemas.ORIGINAL_SCHEMA)));
                String text = new String(wire, StandardCharsets.ISO_8859_1);
                assertFalse(text.contains("Main St") || text.contains("0b6f1d2e") || text.contains("forty-two"));
                assertTrue(text.contains("kept"), "an unselected field stays as it was");

                GenericRecord back = (GenericRecord) d.deserialize("everything", h, wire);
                assertEquals(ALL, back.getSchema(), "the original schema, restored from the registered one");
                assertEquals(original, back);
            }
        }
        assertEquals(1, registry.count(SchemaRegistryDouble.REGISTER), "one schema, one registration");
        assertEquals(1, registry.count(SchemaRegistryDouble.SCHEMA_BY_ID), "one schema, one fetch by id");
    }

    @Test
    void keysRegisterUnderTheKeySubjectAndRecordStrategiesNameTheRecord() {
        GenericData.Record k = new GenericData.Record(V1);
        k.put("id", 1L);
        k.put("ssn", "078-05-1120");
        try (EncryptingSerializer keys = serializer(props("ssn"), true);
             EncryptingSerializer byRecord = serializer(props("ssn", RegistryConfig.VALUE_SUBJECT_STRATEGY,
                     "io.confluent.kafka.serializers.subject.TopicRecordNameStrategy"), false);
             DecryptingDeserializer d = deserializer(props(""), true)) {
            RecordHeaders h = new RecordHeaders();
            byte[] wire = keys.serialize("accounts", h, k);
            assertEquals(List.of(ConfluentFraming.schemaId(wire)), registry.versions("accounts-key"));
            assertEquals(k, d.deserialize("accounts", h, wire));
            byte[] v = byRecord.serialize("accounts", new RecordHeaders(), k);
            assertEquals(List.of(ConfluentFraming.schemaId(v)),
                    registry.versions("accounts-dev.fieldseal.sample.Customer"));
        }
    }

    @Test
    void addingASealedFieldRegistersACompatibleEncryptedSchemaAndANewerReaderReadsOldRecords() throws IOException {
        GenericData.Record old = new GenericData.Record(V1);
        old.put("id", 7L);
        old.put("ssn", "078-05-1120");
        RecordHeaders oldHeaders = new RecordHeaders();
        byte[] oldWire;
        try (EncryptingSerializer s = serializer(props("ssn"), false)) {
            oldWire = s.serialize("evolving", oldHeaders, old);
        }
        GenericData.Record next = new GenericData.Record(V2);
        next.put("id", 8L);
        next.put("ssn", "219-09-9999");
        next.put("email", "ada@example.com");
        next.put("level", 5);
        RecordHeaders nextHeaders = new RecordHeaders();
        byte[] nextWire;
        try (EncryptingSerializer s = serializer(props("ssn,email"), false)) {
            SchemaRegistryClient c = SchemaRegistryClient.create(new RegistryConfig(props("")));
            Schema encryptedV2 = new dev.fieldseal.model.avro.AvroEncryptor(null,
                    dev.fieldseal.field.FieldSelection.of(dev.fieldseal.field.FieldPath.parseAll(
                            List.of("ssn", "email")), List.of()), null).outputSchema(V2);
            assertTrue(c.compatibleWithLatest("evolving-value", "AVRO", encryptedV2.toString()),
                    "the registry finds the encrypted v2 BACKWARD compatible with the encrypted v1");
            nextWire = s.serialize("evolving", nextHeaders, next);
        }
        assertEquals(2, registry.versions("evolving-value").size(), "v2 registered as a second version");

        Path readerFile = Files.createTempFile("customer-v2", ".avsc");
        Files.writeString(readerFile, V2_TEXT);
        try (DecryptingDeserializer d = deserializer(props("", "fieldseal.avro.reader.schema",
                readerFile.toString()), false)) {
            GenericRecord a = (GenericRecord) d.deserialize("evolving", oldHeaders, oldWire);
            assertEquals(V2, a.getSchema());
            assertEquals("078-05-1120", a.get("ssn").toString());
            assertNull(a.get("email"), "the default of a field the old writer lacked");
            assertEquals(3, a.get("level"));
            assertEquals(next, d.deserialize("evolving", nextHeaders, nextWire));
        }
    }

    @Test
    void anIncompatibleEncryptedSchemaIsRefusedAndNothingIsWritten() {
        GenericData.Record r = new GenericData.Record(V1);
        r.put("id", 1L);
        r.put("ssn", "078-05-1120");
        try (EncryptingSerializer s = serializer(props("ssn"), false)) {
            s.serialize("strict", new RecordHeaders(), r);
        }
        // the same record with ssn left in plaintext is a new schema of another shape under the subject
        registry.setCompatibility("strict-value", "FULL");
        Schema widened = new Schema.Parser().parse(V1.toString().replace("\"ssn\",\"type\":\"string\"",
                "\"ssn\",\"type\":\"long\""));
        GenericData.Record w = new GenericData.Record(widened);
        w.put("id", 1L);
        w.put("ssn", 78051120L);
        try (EncryptingSerializer s = serializer(props("id"), false)) {
            SerializationException e = assertThrows(SerializationException.class,
                    () -> s.serialize("strict", new RecordHeaders(), w));
            assertTrue(e.getMessage().contains("subject 'strict-value'") && e.getMessage().contains("409"),
                    e.getMessage());
            assertFalse(e.getMessage().contains("78051120"), e.getMessage());
        }
    }

    @Test
    void aRegistryOutageFailsTheSendNamingTheRegistryAndSubject() {
        GenericData.Record r = new GenericData.Record(V1);
        r.put("id", 1L);
        r.put("ssn", "078-05-1120");
        try (EncryptingSerializer s = serializer(props("ssn", RegistryConfig.MAX_RETRIES, "1"), false)) {
            registry.down();
            try {
                SerializationException e = assertThrows(SerializationException.class,
                        () -> s.serialize("outage", new RecordHeaders(), r));
                assertTrue(e.getMessage().contains(registry.url()) && e.getMessage().contains("subject 'outage-value'"),
                        e.getMessage());
                assertFalse(e.getMessage().contains("078-05-1120"));
            } finally {
                registry.up();
            }
            byte[] wire = s.serialize("outage", new RecordHeaders(), r);
            assertTrue(ConfluentFraming.framed(wire), "the registry is back: the same serializer writes again");
        }
    }

    @Test
    void unknownIdsAndUnframedValuesAreRefused() {
        try (DecryptingDeserializer d = deserializer(props(""), false)) {
            SerializationException unknown = assertThrows(SerializationException.class,
                    () -> d.deserialize("t", new RecordHeaders(), new byte[] {0, 0, 0, 0x7F, 0x7F, 2}));
            assertTrue(unknown.getMessage().contains("schema id 32639"), unknown.getMessage());
            SerializationException unframed = assertThrows(SerializationException.class,
                    () -> d.deserialize("t", new RecordHeaders(), new byte[] {(byte) 0xC3, 1, 2, 3, 4, 5}));
            assertTrue(unframed.getMessage().contains("Confluent wire format"), unframed.getMessage());
            byte[] tooShort = {0, 0};
            assertThrows(SerializationException.class, () -> d.deserialize("t", new RecordHeaders(), tooShort));
        }
        assertArrayEquals(new byte[] {0, 0, 0, 0, 9}, ConfluentFraming.withId(new byte[5], 9));
    }
}
