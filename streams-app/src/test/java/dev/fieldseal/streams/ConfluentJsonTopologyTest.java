package dev.fieldseal.streams;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
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
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Routes of format json-confluent on TopologyTestDriver with the Schema Registry double: the ids
 * each mode writes, what is dead-lettered, and a registry outage.
 */
class ConfluentJsonTopologyTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String SSN = "078-05-1120";
    static final String SCHEMA = """
            {"title":"Customer","type":"object","properties":{"id":{"type":"integer"},"ssn":{"type":"string"},
             "name":{"type":"string"}}}""";
    static final String DOC = "{\"id\":7, \"ssn\":\"" + SSN + "\", \"name\":\"Bob\"}";

    static SchemaRegistryDouble registry;
    @TempDir
    Path dir;
    Path keyFile;

    @BeforeAll
    static void startRegistry() {
        registry = SchemaRegistryDouble.http();
    }

    @AfterAll
    static void stopRegistry() {
        registry.close();
    }

    @BeforeEach
    void keys() {
        registry.reset();
        keyFile = dir.resolve("keys.json");
        LocalKeyFile.addVersion(keyFile, "test");
    }

    Map<String, String> props(String mode, String output) {
        Map<String, String> p = new HashMap<>();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "json-confluent-topology");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        p.put("fieldseal.kek.id", "local:test");
        p.put("fieldseal.local.key.file", keyFile.toString());
        p.put("fieldseal.mode", mode);
        p.put("fieldseal.routes", "customers");
        p.put("fieldseal.route.customers.input", "in");
        p.put("fieldseal.route.customers.output", output);
        p.put("fieldseal.route.customers.format", "json-confluent");
        p.put("fieldseal.route.customers.fields", "ssn");
        p.put("fieldseal.dlq.topic", "dlq");
        p.put(RegistryConfig.URL, registry.url());
        p.put(RegistryConfig.MAX_RETRIES, "1");
        p.put(RegistryConfig.RETRIES_WAIT_MS, "1");
        return p;
    }

    static Headers copy(Headers h) {
        RecordHeaders out = new RecordHeaders();
        h.forEach(out::add);
        return out;
    }

    @Test
    void encryptRegistersTheEncryptedSchemaDecryptWritesThePlaintextIdRekeyKeepsTheId() throws Exception {
        int plainId = registry.register("in-value", "JSON", SCHEMA);
        byte[] plain = RegistryJson.frame(plainId, DOC.getBytes(StandardCharsets.UTF_8));
        TestRecord<byte[], byte[]> sealed;
        try (TopologyApp a = new TopologyApp(props("encrypt", "sealed"))) {
            sealed = a.pipe(plain, new RecordHeaders());
        }
        int sealedId = ConfluentFraming.schemaId(sealed.value());
        assertEquals(List.of(sealedId), registry.versions("sealed-value"));
        JsonNode registered = JSON.readTree(registry.schema(sealedId));
        assertTrue(registered.at("/properties/ssn/" + EncryptedJsonSchema.ENCRYPTED).asBoolean(), registered.toString());
        assertFalse(new String(sealed.value(), StandardCharsets.UTF_8).contains(SSN));

        LocalKeyFile.addVersion(keyFile, "test"); // a rotation: rekey moves the DEKs to the new version
        TestRecord<byte[], byte[]> moved;
        try (TopologyApp a = new TopologyApp(props("rekey", "sealed"))) {
            moved = a.pipe(sealed.value(), copy(sealed.headers()));
        }
        assertEquals(sealedId, ConfluentFraming.schemaId(moved.value()), "rekey keeps the id");
        assertFalse(java.util.Arrays.equals(sealed.value(), moved.value()), "the wrapped DEKs moved");

        try (TopologyApp a = new TopologyApp(props("decrypt", "opened"))) {
            TestRecord<byte[], byte[]> opened = a.pipe(moved.value(), copy(moved.headers()));
            assertArrayEquals(plain, opened.value(), "the plaintext bytes, framed with the plaintext schema's id");
            assertEquals(List.of(plainId), registry.versions("opened-value"));
        }
    }

    @Test
    void unknownIdsAndUnframedValuesAreDeadLetteredWithTheFieldsRemoved() throws Exception {
        try (TopologyApp a = new TopologyApp(props("encrypt", "sealed"))) {
            assertNull(a.pipe(RegistryJson.frame(4242, DOC.getBytes(StandardCharsets.UTF_8)), new RecordHeaders()));
            TestRecord<byte[], byte[]> d = a.dlq.readRecord();
            assertEquals(BadRecordException.class.getName(), lastHeader(d.headers(), DeadLetters.ERROR_CLASS));
            assertTrue(lastHeader(d.headers(), DeadLetters.ERROR_MESSAGE).contains("4242"));
            JsonNode v = JSON.readTree(d.value());
            assertEquals("Bob", v.get("name").asText());
            assertFalse(v.has("ssn"), "the route's fields are removed");
            assertEquals("json", lastHeader(d.headers(), DeadLetters.VALUE_FORMAT));

            assertNull(a.pipe(DOC.getBytes(StandardCharsets.UTF_8), new RecordHeaders()));
            TestRecord<byte[], byte[]> unframed = a.dlq.readRecord();
            assertTrue(lastHeader(unframed.headers(), DeadLetters.ERROR_MESSAGE).contains("Confluent wire format"));
            assertNull(unframed.value(), "not framed: the value is not kept");
        }
    }

    @Test
    void aRegistryOutageStopsTheTaskInsteadOfDeadLettering() {
        int plainId = registry.register("in-value", "JSON", SCHEMA);
        byte[] plain = RegistryJson.frame(plainId, DOC.getBytes(StandardCharsets.UTF_8));
        try (TopologyApp a = new TopologyApp(props("encrypt", "sealed"))) {
            registry.down();
            try {
                RuntimeException e = assertThrows(RuntimeException.class, () -> a.pipe(plain, new RecordHeaders()));
                assertTrue(chain(e).contains(registry.url()), chain(e));
                assertFalse(chain(e).contains(SSN));
            } finally {
                registry.up();
            }
            assertTrue(a.dlq.isEmpty(), "an outage is not the record's fault");
            assertTrue(a.out.isEmpty());
        }
    }

    private static String lastHeader(Headers h, String name) {
        return new String(h.lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    private static String chain(Throwable t) {
        StringBuilder b = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            b.append(c.getMessage()).append(" | ");
        }
        return b.toString();
    }
}
