package dev.fieldseal.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fieldseal.kms.local.LocalKeyFile;
import dev.fieldseal.registry.ConfluentFraming;
import dev.fieldseal.testkit.SchemaRegistryDouble;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

/** The avro-confluent example of docs/serde.md works as written, with only addresses and secrets replaced. */
class SerdeDocsExampleTest {

    static Properties example(String name) throws Exception {
        String doc = Files.readString(Path.of("..", "docs", "serde.md"));
        Matcher m = Pattern.compile("<!-- example:" + name + " -->\\n```properties\\n(.*?)```\\n<!-- end:" + name
                + " -->", Pattern.DOTALL).matcher(doc);
        assertTrue(m.find(), "docs/serde.md lacks the example " + name);
        Properties p = new Properties();
        p.load(new StringReader(m.group(1)));
        return p;
    }

    @Test
    void theAvroConfluentExampleRoundTripsOverHttpsWithBasicCredentials() throws Exception {
        Properties doc = example("avro-confluent");
        Path keys = Files.createTempDirectory("doc-keys").resolve("keys.json");
        LocalKeyFile.addVersion(keys, "pii");
        Schema schema = new Schema.Parser().parse("""
                {"type":"record","name":"Customer","fields":[{"name":"ssn","type":"string"},
                  {"name":"email","type":["null","string"],"default":null},
                  {"name":"address","type":{"type":"record","name":"Address","fields":[
                    {"name":"street","type":"string"}]}}]}""");
        try (SchemaRegistryDouble registry = SchemaRegistryDouble.https()) {
            registry.requireBasicAuth("fieldseal", "doc-secret");
            Map<String, Object> p = new HashMap<>();
            doc.stringPropertyNames().forEach(k -> p.put(k, doc.getProperty(k)));
            assertEquals(EncryptingSerializer.class.getName(), p.get("value.serializer"));
            p.put("fieldseal.kek.id", "local:pii"); // the documented Key Vault id stands for any key
            p.put("fieldseal.local.key.file", keys.toString());
            p.put("schema.registry.url", registry.url());
            p.put("basic.auth.user.info", doc.getProperty("basic.auth.user.info").replace("<password>", "doc-secret"));
            p.put("schema.registry.ssl.truststore.location", registry.truststoreFile().toString());
            p.put("schema.registry.ssl.truststore.password", registry.truststorePassword());
            GenericData.Record a = new GenericData.Record(schema.getField("address").schema());
            a.put("street", "1 Main St");
            GenericData.Record r = new GenericData.Record(schema);
            r.put("ssn", "078-05-1120");
            r.put("email", null);
            r.put("address", a);
            RecordHeaders h = new RecordHeaders();
            byte[] wire;
            try (EncryptingSerializer s = new EncryptingSerializer()) {
                s.configure(p, false);
                wire = s.serialize("customers", h, r);
            }
            assertTrue(ConfluentFraming.framed(wire));
            assertEquals(1, registry.versions("customers-value").size());
            try (DecryptingDeserializer d = new DecryptingDeserializer()) {
                d.configure(p, false);
                GenericRecord back = (GenericRecord) d.deserialize("customers", h, wire);
                assertEquals(r, back);
            }
        }
    }
}
