package dev.fieldseal.streams;

import static dev.fieldseal.testkit.Await.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fieldseal.codec.JsonValueCodec;
import dev.fieldseal.config.FieldsealConfig;
import dev.fieldseal.envelope.Sealer;
import dev.fieldseal.field.FieldPath;
import dev.fieldseal.field.FieldSelection;
import dev.fieldseal.metrics.FieldsealMetrics;
import dev.fieldseal.model.json.JsonBytesEncryptor;
import dev.fieldseal.testkit.AuditLines;
import dev.fieldseal.testkit.KafkaBroker;
import dev.fieldseal.testkit.KeyVaultDouble;
import dev.fieldseal.testkit.leak.LeakSecrets;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Streams app on a real broker with the Key Vault double: in decrypt and rekey mode it writes
 * decrypt audit events naming its application id, the key version, the input topic's partitions
 * and offset ranges and the counts, with no plaintext or key material; its /metrics carries Kafka
 * Streams' own metrics, fieldseal's counters and the Key Vault latency histogram.
 */
class StreamsAuditAndMetricsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY = "audited";
    private static final int RECORDS = 12;
    static KafkaBroker broker;
    static KeyVaultDouble vault;
    static String v1;

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() throws Exception {
        broker = KafkaBroker.start();
        vault = new KeyVaultDouble();
        v1 = vault.createRsaKey(KEY);
        broker.createTopic("au-in", 2);
        broker.createTopic("au-plain");
        broker.createTopic("au-rekeyed");
        FieldsealConfig pinned = new FieldsealConfig(Map.of("kek.id", vault.keyId(KEY, v1),
                "azure.credential", "emulator", "azure.tls.ca.file", vault.caPemFile().toString()));
        try (Sealer sealer = Sealer.create(pinned, new FieldsealMetrics());
                KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers",
                        broker.bootstrapServers(), "acks", "all"), new ByteArraySerializer(), new ByteArraySerializer())) {
            JsonBytesEncryptor enc = new JsonBytesEncryptor(sealer, FieldSelection.of(
                    FieldPath.parseAll(List.of("ssn", "email")), List.of()), new JsonValueCodec(), JSON);
            for (int i = 0; i < RECORDS; i++) {
                JsonBytesEncryptor.Result r = enc.encrypt(Fixtures.customerJson(i).getBytes(StandardCharsets.UTF_8));
                ProducerRecord<byte[], byte[]> rec = new ProducerRecord<>("au-in", i % 2, null, r.value());
                r.sealed().headers().forEach((n, v) -> rec.headers().add(n, v));
                producer.send(rec).get();
            }
        }
    }

    @AfterAll
    static void stop() {
        if (vault != null) {
            vault.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    private static Path config(String appId, String mode, String out) throws Exception {
        Properties p = new Properties();
        p.put("application.id", appId);
        p.put("bootstrap.servers", broker.bootstrapServers());
        p.put("commit.interval.ms", "100");
        p.put("num.stream.threads", "1");
        p.put("state.dir", dir.resolve("state-" + appId).toString());
        p.put("fieldseal.mode", mode);
        p.put("fieldseal.kek.id", vault.keyId(KEY));
        p.put("fieldseal.azure.credential", "emulator");
        p.put("fieldseal.azure.tls.ca.file", vault.caPemFile().toString());
        p.put("fieldseal.routes", "c");
        p.put("fieldseal.route.c.input", "au-in");
        p.put("fieldseal.route.c.output", out);
        p.put("fieldseal.audit.interval.ms", "500");
        p.put("fieldseal.http.port", "0");
        p.put("fieldseal.http.bind.address", "127.0.0.1");
        p.put("fieldseal.shutdown.timeout.ms", "10000");
        Path f = dir.resolve(appId + ".properties");
        try (var w = Files.newBufferedWriter(f)) {
            p.store(w, null);
        }
        return f;
    }

    private static String scrape(StreamsService svc) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + svc.httpPort() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        return r.body();
    }

    /** Offset ranges by partition over the events, and what the input topic holds. */
    private static void assertOffsetsOfTheInput(List<JsonNode> events) {
        Map<Integer, List<Long>> seen = new TreeMap<>();
        for (JsonNode e : events) {
            for (JsonNode p : e.path("partitions")) {
                seen.merge(p.path("partition").asInt(), List.of(p.path("firstOffset").asLong(),
                        p.path("lastOffset").asLong()), (a, b) -> List.of(Math.min(a.get(0), b.get(0)),
                        Math.max(a.get(1), b.get(1))));
            }
        }
        long perPartition = RECORDS / 2;
        assertEquals(Map.of(0, List.of(0L, perPartition - 1), 1, List.of(0L, perPartition - 1)), seen);
    }

    private static void assertNoSecrets(List<String> lines) {
        Map<String, String> secrets = LeakSecrets.all();
        assertTrue(secrets.size() > 10, "the double registered its keys and DEKs");
        for (String line : lines) {
            assertFalse(line.contains(Fixtures.SSN) || line.contains("@example.com"), "a plaintext in " + line);
            assertFalse(line.contains("\"ssn\"") || line.contains("email"), "a field name in " + line);
            secrets.forEach((secret, label) -> assertFalse(line.contains(secret), label + " in an audit line"));
        }
    }

    @Test
    void decryptWritesAuditEventsAndMetricsCarryKafkaStreamsFieldsealAndKeyVaultLatency() throws Exception {
        try (AuditLines audit = AuditLines.capture();
                StreamsService svc = FieldsealStreamsApp.launch(config("au-decrypt", "decrypt", "au-plain"))) {
            Fixtures.awaitRunning(svc);
            List<ConsumerRecord<byte[], byte[]>> out = KafkaIo.read(broker.bootstrapServers(), "au-plain", RECORDS,
                    Duration.ofSeconds(60));
            assertTrue(Fixtures.containsBytes(out.get(0).value(), Fixtures.SSN), "decrypted");
            Predicate<JsonNode> ours = e -> "au-decrypt".equals(e.path("applicationId").asText());
            until(Duration.ofSeconds(30), "audit events for " + 2 * RECORDS + " values",
                    () -> audit.sum("decrypted", ours) >= 2 * RECORDS);
            assertEquals(2 * RECORDS, audit.sum("decrypted", ours));
            List<JsonNode> events = audit.events(ours);
            for (JsonNode e : events) {
                assertEquals("streams-decrypt", e.path("host").asText());
                assertEquals(vault.keyId(KEY), e.path("keyId").asText());
                assertEquals(v1, e.path("keyVersion").asText());
                assertEquals("au-in", e.path("topic").asText());
            }
            assertOffsetsOfTheInput(events);
            assertNoSecrets(audit.lines());

            String metrics = scrape(svc);
            assertTrue(metrics.contains("kafka_stream_thread_process_rate{"), "a Kafka Streams metric:\n" + metrics);
            assertTrue(metrics.contains("kafka_consumer_"), "the embedded consumer's metrics");
            assertTrue(metrics.contains("fieldseal_records_decrypted_total " + (double) RECORDS), metrics);
            assertTrue(metrics.contains("fieldseal_kms_calls_total{operation=\"unwrap\",outcome=\"success\"}"), metrics);
            assertTrue(metrics.contains("fieldseal_kms_latency_seconds_bucket{operation=\"unwrap\",outcome=\"success\","),
                    "the latency histogram:\n" + metrics);
            // one latency sample per counted call (the KEK health check unwraps too)
            java.util.regex.Matcher calls = java.util.regex.Pattern.compile(
                    "fieldseal_kms_calls_total\\{operation=\"unwrap\",outcome=\"success\"} ([0-9.]+)").matcher(metrics);
            java.util.regex.Matcher samples = java.util.regex.Pattern.compile(
                    "fieldseal_kms_latency_seconds_count\\{operation=\"unwrap\",outcome=\"success\"} ([0-9.]+)")
                    .matcher(metrics);
            assertTrue(calls.find() && samples.find(), metrics);
            assertTrue(Double.parseDouble(calls.group(1)) >= 1, metrics);
            assertEquals(Double.parseDouble(calls.group(1)), Double.parseDouble(samples.group(1)), metrics);
            assertTrue(metrics.contains("fieldseal_new_deks_total "), "deks-created under its Prometheus name");
            assertTrue(metrics.contains("fieldseal_streams_running 1.0"), metrics);
        }
    }

    @Test
    void rekeyWritesAuditEventsForTheVersionItMovedValuesFrom() throws Exception {
        vault.rotate(KEY);
        try (AuditLines audit = AuditLines.capture();
                StreamsService svc = FieldsealStreamsApp.launch(config("au-rekey", "rekey", "au-rekeyed"))) {
            Fixtures.awaitRunning(svc);
            KafkaIo.read(broker.bootstrapServers(), "au-rekeyed", RECORDS, Duration.ofSeconds(60));
            Predicate<JsonNode> ours = e -> "au-rekey".equals(e.path("applicationId").asText());
            until(Duration.ofSeconds(30), "audit events for " + 2 * RECORDS + " values",
                    () -> audit.sum("rekeyed", ours) >= 2 * RECORDS);
            List<JsonNode> events = audit.events(ours);
            assertEquals(2 * RECORDS, audit.sum("rekeyed", ours));
            for (JsonNode e : events) {
                assertEquals("streams-rekey", e.path("host").asText());
                assertEquals(v1, e.path("keyVersion").asText(), "the version the values were read under");
                assertEquals(0, e.path("decrypted").asLong() + e.path("refused").asLong());
            }
            assertOffsetsOfTheInput(events);
            assertNoSecrets(audit.lines());
        }
    }
}
