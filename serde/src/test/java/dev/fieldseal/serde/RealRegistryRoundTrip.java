package dev.fieldseal.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fieldseal.kms.local.LocalKeyFile;
import dev.fieldseal.registry.ConfluentFraming;
import dev.fieldseal.registry.RegistryConfig;
import dev.fieldseal.registry.SchemaRegistryClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * One avro-confluent and one json-confluent round trip, serializer → deserializer, against a real
 * registry that speaks Confluent's REST API at {@code url}: what the containers' tests share.
 */
final class RealRegistryRoundTrip {

    static final Schema CUSTOMER = new Schema.Parser().parse("""
            {"type":"record","name":"Customer","namespace":"dev.fieldseal.sample","fields":[
              {"name":"id","type":"long"},{"name":"ssn","type":"string"},
              {"name":"nick","type":["null","string"],"default":null},
              {"name":"since","type":{"type":"int","logicalType":"date"}}]}""");
    static final String JSON_SCHEMA = """
            {"title":"Customer","type":"object","properties":{"id":{"type":"integer"},"ssn":{"type":"string"}}}""";

    private RealRegistryRoundTrip() {
    }

    static void run(String url, String topicPrefix) throws Exception {
        Path keys = Files.createTempDirectory("real-registry").resolve("keys.json");
        LocalKeyFile.addVersion(keys, "pii");
        Map<String, Object> p = new HashMap<>();
        p.put("fieldseal.kek.id", "local:pii");
        p.put("fieldseal.local.key.file", keys.toString());
        p.put("fieldseal.fields", "ssn,nick");
        p.put(RegistryConfig.URL, url);

        // Avro
        Map<String, Object> avro = new HashMap<>(p);
        avro.put("fieldseal.format", "avro-confluent");
        GenericData.Record r = new GenericData.Record(CUSTOMER);
        r.put("id", 7L);
        r.put("ssn", "078-05-1120");
        r.put("nick", null);
        r.put("since", 19_700);
        String avroTopic = topicPrefix + "-avro";
        RecordHeaders h = new RecordHeaders();
        byte[] wire;
        try (EncryptingSerializer s = new EncryptingSerializer()) {
            s.configure(avro, false);
            wire = s.serialize(avroTopic, h, r);
        }
        assertFalse(new String(wire, StandardCharsets.ISO_8859_1).contains("078-05-1120"));
        SchemaRegistryClient client = SchemaRegistryClient.create(new RegistryConfig(p));
        SchemaRegistryClient.Registered latest = client.latest(avroTopic + "-value");
        assertEquals(ConfluentFraming.schemaId(wire), latest.id(), "the id in the frame is the subject's latest");
        assertTrue(latest.schema().contains("fieldseal.schema"), "the registry stored the encrypted schema");
        try (DecryptingDeserializer d = new DecryptingDeserializer()) {
            d.configure(avro, false);
            GenericRecord back = (GenericRecord) d.deserialize(avroTopic, h, wire);
            assertEquals(CUSTOMER, back.getSchema());
            assertEquals(r, back);
        }

        // JSON Schema
        Path schemaFile = Files.createTempFile("customer", ".schema.json");
        Files.writeString(schemaFile, JSON_SCHEMA);
        Map<String, Object> json = new HashMap<>(p);
        json.put("fieldseal.format", "json-confluent");
        json.put("fieldseal.json.schema.file", schemaFile.toString());
        String doc = "{\"id\":7,\"ssn\":\"078-05-1120\"}";
        String jsonTopic = topicPrefix + "-json";
        RecordHeaders jh = new RecordHeaders();
        byte[] jwire;
        try (EncryptingSerializer s = new EncryptingSerializer()) {
            s.configure(json, false);
            jwire = s.serialize(jsonTopic, jh, doc);
        }
        SchemaRegistryClient.Registered jl = client.latest(jsonTopic + "-value");
        assertEquals(ConfluentFraming.schemaId(jwire), jl.id());
        assertEquals(SchemaRegistryClient.JSON_SCHEMA, jl.type());
        assertTrue(jl.schema().contains("fieldseal.encrypted"), jl.schema());
        try (DecryptingDeserializer d = new DecryptingDeserializer()) {
            d.configure(json, false);
            ObjectMapper m = new ObjectMapper();
            assertEquals(m.readTree(doc), m.readTree((String) d.deserialize(jsonTopic, jh, jwire)));
        }
    }
}
