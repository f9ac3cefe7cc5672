package dev.fieldseal.connect;

import static dev.fieldseal.connect.PipelineSupport.all;
import static dev.fieldseal.connect.PipelineSupport.assertSealed;
import static dev.fieldseal.connect.PipelineSupport.header;
import static dev.fieldseal.connect.PipelineSupport.sink;
import static dev.fieldseal.connect.PipelineSupport.source;
import static dev.fieldseal.testkit.Await.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fieldseal.testkit.ConnectWorker;
import dev.fieldseal.testkit.KeyVaultDouble;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The packaged plugin ({@code smt/target/plugin/fieldseal-smt}, built by {@code package}) loaded by a
 * worker from {@code plugin.path}, with Connect's class-loader isolation: neither the transforms nor
 * fieldseal-core are on this test's classpath (failsafe excludes them), so Jackson, the Azure SDK,
 * Tink and Caffeine come from the plugin's own lib/ next to the worker's copies.
 */
class PluginPathIT {

    private static KeyVaultDouble kv;
    private static ConnectWorker worker;

    @BeforeAll
    static void start() {
        Path pluginDir = Path.of(System.getProperty("fieldseal.plugin.dir", "target/plugin"));
        assertTrue(Files.isDirectory(pluginDir.resolve("fieldseal-smt/lib")), "run 'mvn verify': no " + pluginDir);
        kv = new KeyVaultDouble();
        kv.createRsaKey("pii");
        worker = ConnectWorker.start(Map.of("plugin.path", pluginDir.toAbsolutePath().toString()));
    }

    @AfterAll
    static void stop() throws Exception {
        PipelineSupport.closeAll(worker, kv);
    }

    @Test
    void theTransformsAreNotOnTheTestClasspath() {
        assertThrows(ClassNotFoundException.class, () -> Class.forName("dev.fieldseal.connect.EncryptFields"));
        assertThrows(ClassNotFoundException.class, () -> Class.forName("dev.fieldseal.envelope.Sealer"));
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            assertTrue(!entry.contains("fieldseal-core") && !entry.endsWith("smt" + File.separator + "target"
                    + File.separator + "classes"), entry);
        }
    }

    @Test
    void theWorkerListsThePluginsWithTheirVersion() throws Exception {
        String url = worker.cluster().endpointForResource("connector-plugins?connectorsOnly=false");
        String body = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).GET().build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        JsonNode plugins = new ObjectMapper().readTree(body);
        int found = 0;
        for (JsonNode p : plugins) {
            if (p.get("class").asText().matches("dev\\.fieldseal\\.connect\\.(En|De)cryptFields\\$(Key|Value)")) {
                found++;
                assertEquals("transformation", p.get("type").asText());
                assertTrue(p.get("version").asText().startsWith("0."), p.toString());
            }
        }
        assertEquals(4, found, body);
    }

    @Test
    void encryptThenDecryptWithThePackagedPlugin() throws Exception {
        String run = "plugin-path";
        String topic = "people-pp";
        worker.kafka().createTopic(topic, 1);
        worker.cluster().configureConnector("pp-src", source(run, topic, false, Samples.PERSON_FIELDS, kv, "pii"));
        worker.cluster().configureConnector("pp-sink", sink(run, topic, false, kv, "pii"));
        PeopleSource.release(run, 20);
        List<SinkRecord> received = RecordingSink.received(run);
        until(Duration.ofSeconds(60), "20 records at the sink", () -> received.size() >= 20);
        List<ConsumerRecord<byte[], byte[]>> raw = all(worker, topic);
        assertEquals(20, raw.size());
        assertSealed(raw, 20);
        raw.forEach(r -> assertEquals(kv.keyId("pii"), header(r, "fieldseal.kek.id")));
        assertEquals(20, received.size());
        for (SinkRecord r : received) {
            Struct v = (Struct) r.value();
            assertEquals(Samples.PERSON, r.valueSchema());
            assertEquals(Samples.person((int) (long) v.getInt64("id")), v);
        }
    }
}
