package dev.fieldseal.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fieldseal.testkit.AuditLines;
import dev.fieldseal.testkit.KafkaBroker;
import dev.fieldseal.testkit.KeyVaultDouble;
import dev.fieldseal.testkit.leak.LeakSecrets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The deserializer's decrypt audit events on a real broker: a consumer reading records of an
 * allowed key and of a key outside kek.allowed (masked) writes one aggregated event per key
 * version to the fieldseal.audit logger and to audit.topic, naming its client and group id, the
 * topic and the counts; no event holds a plaintext, a field name or key material.
 */
class DeserializerAuditTest {

    static final ObjectMapper JSON = new ObjectMapper();
    /** Sealed plaintexts no audit line may contain. */
    static final List<String> SENTINELS = List.of("sentinel-ssn-7f3a9c21", "sentinel-note-c0ffee42");
    static final String FIELD = "hushNoteField";

    static KafkaBroker broker;
    static KeyVaultDouble vault;
    static KeyVaultDouble stranger;

    @BeforeAll
    static void start() {
        vault = new KeyVaultDouble();
        stranger = new KeyVaultDouble();
        vault.createRsaKey("pii");
        stranger.createRsaKey("other");
        broker = KafkaBroker.start();
        SENTINELS.forEach(s -> LeakSecrets.secret("audit sentinel", s));
    }

    @AfterAll
    static void stop() {
        broker.close();
        vault.close();
        stranger.close();
    }

    static void produce(String topic, KeyVaultDouble kv, String key, int n) {
        Map<String, Object> p = SerdeBrokerTest.fieldseal(kv, key, "fieldseal.fields", "ssn," + FIELD);
        p.put("bootstrap.servers", broker.bootstrapServers());
        p.put("key.serializer", StringSerializer.class.getName());
        p.put("value.serializer", EncryptingSerializer.class.getName());
        try (KafkaProducer<String, Object> prod = new KafkaProducer<>(p)) {
            for (int i = 0; i < n; i++) {
                prod.send(new ProducerRecord<>(topic, "k" + i, "{\"id\":" + i + ",\"ssn\":\"" + SENTINELS.get(0)
                        + "\",\"" + FIELD + "\":\"" + SENTINELS.get(1) + "\"}"));
            }
        }
    }

    @Test
    void aConsumerWritesOneEventPerKeyVersionWithItsClientGroupTopicAndCountsAndNoSecrets() throws Exception {
        String topic = "audited-orders";
        String auditTopic = "fieldseal-audit";
        broker.createTopic(topic);
        broker.createTopic(auditTopic);
        produce(topic, vault, "pii", 20);
        produce(topic, stranger, "other", 3);

        Map<String, Object> p = SerdeBrokerTest.fieldseal(vault, "pii", "fieldseal.on.failure", "mask",
                "fieldseal.audit.topic", auditTopic);
        p.put("bootstrap.servers", broker.bootstrapServers());
        p.put("key.deserializer", StringDeserializer.class.getName());
        p.put("value.deserializer", DecryptingDeserializer.class.getName());
        p.put("enable.auto.commit", "false");
        p.put("group.id", "audit-readers");
        p.put("client.id", "audit-reader-1");
        p.put("auto.offset.reset", "earliest");
        List<String> lines;
        try (AuditLines audit = AuditLines.capture()) {
            try (KafkaConsumer<String, Object> c = new KafkaConsumer<>(p)) {
                c.subscribe(List.of(topic));
                List<ConsumerRecord<String, Object>> got = new ArrayList<>();
                long deadline = System.currentTimeMillis() + 30_000;
                while (got.size() < 23 && System.currentTimeMillis() < deadline) {
                    c.poll(Duration.ofMillis(200)).forEach(got::add);
                }
                assertEquals(23, got.size());
                // the Key Vault latency, through the consumer's metrics
                double maxMs = c.metrics().entrySet().stream()
                        .filter(e -> e.getKey().name().equals("kms-call-latency-max")
                                && "unwrap".equals(e.getKey().tags().get("operation"))
                                && "success".equals(e.getKey().tags().get("outcome")))
                        .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue()).max().orElse(-1);
                assertTrue(maxMs > 0, "kms-call-latency-max{operation=unwrap,outcome=success}: " + maxMs);
                assertEquals(List.of(), audit.lines(), "nothing before the interval ends or the consumer closes");
            } // close: the deserializer writes what is left
            lines = audit.lines();
            List<JsonNode> events = audit.events(e -> topic.equals(e.path("topic").asText()));
            assertEquals(2, events.size(), lines.toString());

            JsonNode ours = events.stream().filter(e -> e.path("keyId").asText().equals(vault.keyId("pii")))
                    .findFirst().orElseThrow(() -> new AssertionError(lines.toString()));
            assertEquals("fieldseal.decrypt", ours.path("event").asText());
            assertEquals("deserializer", ours.path("host").asText());
            assertEquals("audit-reader-1", ours.path("clientId").asText());
            assertEquals("audit-readers", ours.path("groupId").asText());
            assertEquals(vault.currentVersion("pii"), ours.path("keyVersion").asText());
            assertEquals(40, ours.path("decrypted").asLong(), "two fields of 20 records");
            assertEquals(0, ours.path("masked").asLong() + ours.path("refused").asLong());
            assertEquals(0, ours.path("partitions").size(), "a deserializer is told no partition or offset");

            JsonNode foreign = events.stream().filter(e -> e.path("keyId").asText().equals(stranger.keyId("other")))
                    .findFirst().orElseThrow();
            assertEquals(stranger.currentVersion("other"), foreign.path("keyVersion").asText());
            assertEquals(0, foreign.path("decrypted").asLong());
            assertEquals(6, foreign.path("masked").asLong());
            assertEquals(6, foreign.path("failures").path("not-allowed").asLong());
        }

        // the same events on the audit topic, keyed by key id
        List<String> published = new ArrayList<>();
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(Map.of("bootstrap.servers",
                broker.bootstrapServers()), new StringDeserializer(), new StringDeserializer())) {
            TopicPartition tp = new TopicPartition(auditTopic, 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long deadline = System.currentTimeMillis() + 30_000;
            while (published.size() < 2 && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
                    assertEquals(JSON.readTree(r.value()).path("keyId").asText(), r.key());
                    published.add(r.value());
                }
            }
        }
        assertEquals(lines.stream().filter(l -> l.contains(topic)).sorted().toList(), published.stream().sorted().toList());

        // no plaintext, field name or key material (every DEK the double unwrapped, every key it made)
        Map<String, String> secrets = LeakSecrets.all();
        assertTrue(secrets.size() > 10, "the double registered its keys and DEKs");
        for (String line : lines) {
            assertFalse(line.contains(FIELD) || line.contains("ssn"), "a field name in " + line);
            secrets.forEach((secret, label) -> assertFalse(line.contains(secret), label + " in an audit line"));
        }
    }
}
