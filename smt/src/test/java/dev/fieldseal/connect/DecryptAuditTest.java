package dev.fieldseal.connect;

import static dev.fieldseal.connect.PipelineSupport.all;
import static dev.fieldseal.connect.PipelineSupport.sink;
import static dev.fieldseal.connect.PipelineSupport.source;
import static dev.fieldseal.testkit.Await.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fieldseal.testkit.AuditLines;
import dev.fieldseal.testkit.ConnectWorker;
import dev.fieldseal.testkit.KeyVaultDouble;
import dev.fieldseal.testkit.leak.LeakSecrets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * DecryptFields' audit events in a real Connect worker: the sink task names its connector and task
 * (learnt from the plugin metrics), the topic's partitions with the offset ranges it read, and the
 * values it decrypted, on the audit logger and on audit.topic; no line holds a plaintext or key
 * material. Its Key Vault latency is on the worker's JMX.
 */
class DecryptAuditTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static KeyVaultDouble kv;
    private static ConnectWorker worker;

    @BeforeAll
    static void start() {
        kv = new KeyVaultDouble();
        kv.createRsaKey("pii");
        worker = ConnectWorker.start();
    }

    @AfterAll
    static void stop() throws Exception {
        PipelineSupport.closeAll(worker, kv);
    }

    @Test
    void theSinkTaskWritesEventsNamingConnectorTaskPartitionsOffsetsAndCounts() throws Exception {
        String run = "audit";
        String topic = "people-audited";
        String auditTopic = "audit-events";
        worker.kafka().createTopic(topic, 1);
        worker.kafka().createTopic(auditTopic, 1);
        try (AuditLines audit = AuditLines.capture()) {
            worker.cluster().configureConnector("audit-src", source(run, topic, false, Samples.PERSON_FIELDS, kv, "pii"));
            worker.cluster().configureConnector("audit-sink", sink(run, topic, false, kv, "pii",
                    "transforms.open.audit.interval.ms", "500",
                    "transforms.open.audit.topic", auditTopic,
                    "transforms.open.audit.producer.bootstrap.servers", worker.bootstrapServers()));
            PeopleSource.release(run, 12);
            until(Duration.ofSeconds(30), "12 records at the sink", () -> RecordingSink.received(run).size() >= 12);
            long fields = (long) ConnectPipelineTest.transformMetrics("audit-sink", "open").get("fields-decrypted");
            assertTrue(fields >= 12 * 10, "fields decrypted: " + fields);
            Map<String, Object> latency = ConnectPipelineTest.latencyMetrics("audit-sink", "open", "unwrap", "success");
            assertTrue(((Number) latency.get("kms-call-latency-max")).doubleValue() > 0, latency.toString());
            assertTrue(latency.containsKey("kms-call-latency-p99"), latency.toString());
            Predicate<JsonNode> ours = e -> "audit-sink".equals(e.path("connector").asText());
            until(Duration.ofSeconds(30), fields + " values in the audit events",
                    () -> audit.sum("decrypted", ours) >= fields);
            assertEquals(fields, audit.sum("decrypted", ours), "no value counted twice");

            List<JsonNode> events = audit.events(ours);
            for (JsonNode e : events) {
                assertEquals("connect", e.path("host").asText());
                assertEquals("0", e.path("task").asText());
                assertEquals(DecryptFields.Value.class.getName(), e.path("transform").asText());
                assertEquals(kv.keyId("pii"), e.path("keyId").asText());
                assertEquals(kv.currentVersion("pii"), e.path("keyVersion").asText());
                assertEquals(topic, e.path("topic").asText());
                assertEquals(0, e.path("refused").asLong() + e.path("masked").asLong() + e.path("leftSealed").asLong());
            }
            // the offsets the events name are exactly those of the topic's records
            Map<Integer, long[]> seen = new TreeMap<>();
            for (JsonNode e : events) {
                for (JsonNode p : e.path("partitions")) {
                    seen.merge(p.path("partition").asInt(), new long[] {p.path("firstOffset").asLong(),
                            p.path("lastOffset").asLong()}, (a, b) -> new long[] {Math.min(a[0], b[0]), Math.max(a[1], b[1])});
                }
            }
            Map<Integer, long[]> inTopic = new TreeMap<>();
            for (ConsumerRecord<byte[], byte[]> r : all(worker, topic)) {
                inTopic.merge(r.partition(), new long[] {r.offset(), r.offset()},
                        (a, b) -> new long[] {Math.min(a[0], b[0]), Math.max(a[1], b[1])});
            }
            assertEquals(inTopic.keySet(), seen.keySet());
            inTopic.forEach((p, range) -> assertEquals(List.of(range[0], range[1]),
                    List.of(seen.get(p)[0], seen.get(p)[1]), "offsets of partition " + p));

            // the audit topic carries the same events
            List<String> lines = audit.lines().stream().filter(l -> l.contains("\"audit-sink\"")).toList();
            List<String> published = new ArrayList<>();
            until(Duration.ofSeconds(30), "the events on " + auditTopic, () -> {
                published.clear();
                for (ConsumerRecord<byte[], byte[]> r : all(worker, auditTopic)) {
                    published.add(new String(r.value(), java.nio.charset.StandardCharsets.UTF_8));
                }
                return published.containsAll(lines);
            });
            for (String p : published) {
                assertEquals("fieldseal.decrypt", JSON.readTree(p).path("event").asText());
            }

            Map<String, String> secrets = LeakSecrets.all();
            for (String line : audit.lines()) {
                assertFalse(line.contains("SECRET"), "a plaintext in " + line);
                secrets.forEach((secret, label) -> assertFalse(line.contains(secret), label + " in an audit line"));
            }
        } finally {
            worker.cluster().deleteConnector("audit-src");
            worker.cluster().deleteConnector("audit-sink");
        }
    }

    @Test
    void anAuditTopicWithoutItsOwnBrokersIsRefusedWithTheKeyToSet() {
        Map<String, String> props = new HashMap<>(Map.of("kek.id", kv.keyId("pii"), "azure.credential", "emulator",
                "azure.tls.ca.file", kv.caPemFile().toString(), "audit.topic", "audit-events"));
        try (DecryptFields.Value<org.apache.kafka.connect.sink.SinkRecord> t = new DecryptFields.Value<>()) {
            org.apache.kafka.common.config.ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(
                    org.apache.kafka.common.config.ConfigException.class, () -> t.configure(props));
            assertTrue(e.getMessage().contains("audit.producer.bootstrap.servers"), e.getMessage());
        }
    }
}
