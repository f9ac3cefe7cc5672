package dev.fieldseal.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fieldseal.kms.local.LocalKeyFile;
import dev.fieldseal.model.json.EncryptedJsonSchema;
import dev.fieldseal.registry.ConfluentFraming;
import dev.fieldseal.registry.RegistryConfig;
import dev.fieldseal.registry.RegistryJson;
import dev.fieldseal.testkit.SchemaRegistryDouble;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Format json-confluent through the serializer and deserializer against the Schema Registry
 * double: framed and plain JSON input, the registered encrypted JSON Schema and its keywords,
 * registry calls per distinct schema, subjects, and refusals.
 */
class ConfluentJsonSerdeTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String SCHEMA = """
            {"$schema":"http://json-schema.org/draft-07/schema#","title":"Customer","type":"object",
             "properties":{
               "id":{"type":"integer"},
               "ssn":{"type":"string","pattern":"^[0-9-]+$"},
               "score":{"type":"number"},
               "nick":{"type":["string","null"]},
               "address":{"type":"object","properties":{"street":{"type":"string"},"zip":{"type":"string"}}},
               "phones":{"type":"array","items":{"type":"object","properties":{"number":{"type":"string"}}}}
             },
             "required":["id","ssn"]}""";
    static final String FIELDS = "ssn,score,nick,address.street,phones[*].number";
    static final String DOC = "{\"id\":7,\"ssn\":\"078-05-1120\",\"score\":12.5,\"nick\":null,"
            + "\"address\":{\"street\":\"1 Main St\",\"zip\":\"12345\"},\"phones\":[{\"number\":\"555-0100\"}]}";

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
        p.put("fieldseal.format", "json-confluent");
        p.put("fieldseal.fields", fields);
        p.put(RegistryConfig.URL, registry.url());
        p.put(RegistryConfig.RETRIES_WAIT_MS, "1");
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
    void framedJsonIsSealedUnderTheEncryptedSchemaAndReadBackAsThePlaintextJson() throws IOException {
        int plainId = registry.register("customers-value", "JSON", SCHEMA);
        byte[] framed = RegistryJson.frame(plainId, DOC.getBytes(StandardCharsets.UTF_8));
        RecordHeaders h = new RecordHeaders();
        byte[] wire;
        try (EncryptingSerializer s = serializer(props(FIELDS))) {
            wire = s.serialize("customers", h, framed);
        }
        assertTrue(ConfluentFraming.framed(wire));
        int sealedId = ConfluentFraming.schemaId(wire);
        assertEquals(List.of(plainId, sealedId), registry.versions("customers-value"),
                "the encrypted schema is the subject's next version");
        JsonNode registered = JSON.readTree(registry.schema(sealedId));
        JsonNode props = registered.get("properties");
        for (JsonNode sealed : List.of(props.get("ssn"), props.get("score"), props.at("/address/properties/street"),
                props.at("/phones/items/properties/number"))) {
            assertEquals("string", sealed.get("type").asText(), sealed.toString());
            assertTrue(sealed.get(EncryptedJsonSchema.ENCRYPTED).asBoolean(), sealed.toString());
        }
        assertEquals(JSON.readTree("{\"type\":\"number\"}"), props.get("score").get(EncryptedJsonSchema.ORIGINAL));
        assertEquals(JSON.readTree("[\"string\",\"null\"]"), props.get("nick").get("type"),
                "a nullable property stays nullable: null values are never sealed");
        assertEquals(JSON.readTree("{\"type\":\"integer\"}"), props.get("id"), "an unselected property is kept");
        assertEquals(JSON.readTree(SCHEMA), EncryptedJsonSchema.plaintext(registered));

        String text = new String(wire, StandardCharsets.UTF_8);
        assertFalse(text.contains("078-05-1120") || text.contains("Main St") || text.contains("555-0100")
                || text.contains("12.5"), "no selected plaintext on the wire");
        assertTrue(text.contains("\"zip\":\"12345\"") && text.contains("\"nick\":null"));

        try (DecryptingDeserializer d = deserializer(props(""))) {
            assertEquals(JSON.readTree(DOC), JSON.readTree((String) d.deserialize("customers", h, wire)));
        }
    }

    @Test
    void plainJsonUsesTheSchemaFileAndRegistersOncePerTopic() throws IOException {
        Path file = Files.createTempFile("customer", ".json");
        Files.writeString(file, SCHEMA);
        try (EncryptingSerializer s = serializer(props(FIELDS, "fieldseal.json.schema.file", file.toString()));
             DecryptingDeserializer d = deserializer(props(""))) {
            for (int i = 0; i < 20; i++) {
                RecordHeaders h = new RecordHeaders();
                String doc = DOC.replace("\"id\":7", "\"id\":" + i);
                byte[] wire = i % 2 == 0 ? s.serialize("plain", h, doc) : s.serialize("plain", h, JSON.readTree(doc));
                assertEquals(registry.versions("plain-value"), List.of(ConfluentFraming.schemaId(wire)));
                assertEquals(JSON.readTree(doc), JSON.readTree((String) d.deserialize("plain", h, wire)));
            }
        }
        assertEquals(1, registry.count(SchemaRegistryDouble.REGISTER), "one schema, one registration");
        assertEquals(1, registry.count(SchemaRegistryDouble.SCHEMA_BY_ID), "one schema, one fetch by id");
    }

    @Test
    void recordStrategiesNameTheSubjectAfterTheSchemaTitle() {
        int plainId = registry.register("c-value", "JSON", SCHEMA);
        try (EncryptingSerializer s = serializer(props("ssn", RegistryConfig.VALUE_SUBJECT_STRATEGY,
                "TopicRecordNameStrategy"))) {
            byte[] wire = s.serialize("c", new RecordHeaders(), RegistryJson.frame(plainId,
                    DOC.getBytes(StandardCharsets.UTF_8)));
            assertEquals(List.of(ConfluentFraming.schemaId(wire)), registry.versions("c-Customer"));
        }
    }

    @Test
    void unframedJsonWithoutASchemaAndIdsOfOtherSchemaTypesAreRefused() {
        try (EncryptingSerializer s = serializer(props("ssn"))) {
            SerializationException e = assertThrows(SerializationException.class,
                    () -> s.serialize("t", new RecordHeaders(), DOC));
            assertTrue(e.getMessage().contains("fieldseal.json.schema.file"), e.getMessage());
        }
        int avroId = registry.register("t-value", "AVRO", "\"string\"");
        try (DecryptingDeserializer d = deserializer(props(""))) {
            SerializationException avro = assertThrows(SerializationException.class, () -> d.deserialize("t",
                    new RecordHeaders(), RegistryJson.frame(avroId, "{}".getBytes(StandardCharsets.UTF_8))));
            assertTrue(avro.getMessage().contains("not a JSON Schema"), avro.getMessage());
            SerializationException unknown = assertThrows(SerializationException.class,
                    () -> d.deserialize("t", new RecordHeaders(), new byte[] {0, 0, 0, 0x7F, 0x7F, '{', '}'}));
            assertTrue(unknown.getMessage().contains("schema id 32639"), unknown.getMessage());
            SerializationException unframed = assertThrows(SerializationException.class,
                    () -> d.deserialize("t", new RecordHeaders(), DOC.getBytes(StandardCharsets.UTF_8)));
            assertTrue(unframed.getMessage().contains("Confluent wire format"), unframed.getMessage());
        }
    }

    /** What the Docker-only tests run against real registries, here against the double: the check itself works. */
    @Test
    void theRealRegistryRoundTripPassesAgainstTheDouble() throws Exception {
        RealRegistryRoundTrip.run(registry.url(), "double");
    }
}
