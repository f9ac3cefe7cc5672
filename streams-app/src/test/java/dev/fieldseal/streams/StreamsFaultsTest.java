package dev.fieldseal.streams;

import static dev.fieldseal.testkit.Await.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fieldseal.testkit.KafkaBroker;
import dev.fieldseal.testkit.KeyVaultDouble;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.utils.MockTime;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The app in encrypt mode, exactly-once, with an oct-HSM key and one DEK per value, so every record
 * needs a remote wrap. Key Vault goes down mid-run: no output is committed past the failure and
 * nothing goes to the DLQ (an outage is not a bad record); when it is back, processing resumes and
 * every input record is in the output exactly once (read_committed, counted by id). A second
 * instance joining mid-run (a rebalance) changes nothing of that.
 */
class StreamsFaultsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    static KafkaBroker broker;
    static KeyVaultDouble kv;

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() {
        broker = KafkaBroker.start();
        kv = new KeyVaultDouble();
        kv.createOctHsmKey("hsm");
        for (String t : List.of("f-plain", "f-sealed", "f-dlq", "f-events")) {
            broker.createTopic(t, 2);
        }
    }

    @AfterAll
    static void stop() {
        if (kv != null) {
            kv.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    static Path config(String name) throws Exception {
        Properties p = new Properties();
        p.put("application.id", "faults");
        p.put("bootstrap.servers", broker.bootstrapServers());
        p.put("processing.guarantee", "exactly_once_v2");
        p.put("commit.interval.ms", "100");
        p.put("num.stream.threads", "1");
        p.put("fieldseal.mode", "encrypt");
        p.put("fieldseal.kek.id", kv.keyId("hsm"));
        p.put("fieldseal.azure.credential", "emulator");
        p.put("fieldseal.azure.tls.ca.file", kv.caPemFile().toString());
        p.put("fieldseal.dek.max.encryptions", "1");
        p.put("fieldseal.kms.retry.max", "1");
        p.put("fieldseal.kms.retry.backoff.ms", "50");
        p.put("fieldseal.kms.timeout.ms", "1500");
        p.put("fieldseal.failure.backoff.ms", "500");
        p.put("fieldseal.routes", "c");
        p.put("fieldseal.route.c.input", "f-plain");
        p.put("fieldseal.route.c.output", "f-sealed");
        p.put("fieldseal.route.c.fields", "ssn,email");
        p.put("fieldseal.dlq.topic", "f-dlq");
        p.put("fieldseal.rotation.events.topic", "f-events");
        p.put("fieldseal.http.port", "-1");
        p.put("fieldseal.shutdown.timeout.ms", "10000");
        p.put("state.dir", dir.resolve("state-" + name).toString());
        Path f = dir.resolve(name + ".properties");
        try (var w = Files.newBufferedWriter(f)) {
            p.store(w, null);
        }
        return f;
    }

    static List<byte[]> customers(int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> Fixtures.customerJson(i).getBytes(StandardCharsets.UTF_8))
                .collect(Collectors.toList());
    }

    /** Every committed record of a topic now (read_committed, from the start). */
    static List<ConsumerRecord<byte[], byte[]>> committed(String topic) {
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(
                "bootstrap.servers", broker.bootstrapServers(),
                "group.id", "reader-" + UUID.randomUUID(),
                "auto.offset.reset", "earliest",
                "isolation.level", "read_committed"), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of(topic));
            List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
            long end = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            int empty = 0;
            while (System.nanoTime() < end && empty < 5) {
                var batch = c.poll(Duration.ofMillis(200));
                batch.forEach(out::add);
                empty = batch.isEmpty() && !c.assignment().isEmpty() ? empty + 1 : 0;
            }
            return out;
        }
    }

    static List<Long> ids(List<ConsumerRecord<byte[], byte[]>> records) throws Exception {
        List<Long> ids = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            String raw = new String(r.value(), StandardCharsets.UTF_8);
            assertFalse(raw.contains(Fixtures.SSN) || raw.contains("@example.com"), "plaintext in the output");
            ids.add(JSON.readTree(r.value()).get("id").longValue());
        }
        return ids;
    }

    static void awaitOutput(int n) throws Exception {
        until(Duration.ofSeconds(90), n + " committed output records", () -> committed("f-sealed").size() >= n);
    }

    @Test
    void anOutageStopsCommitsAndEveryRecordArrivesExactlyOnceAfterwardsAcrossARebalance() throws Exception {
        String bootstrap = broker.bootstrapServers();
        MockTime time = new MockTime(); // the failure backoff passes at once, and can be read back
        try (StreamsService one = StreamsService.start(AppSettings.load(config("one")), time)) {
            Fixtures.awaitRunning(one);
            KafkaIo.produce(bootstrap, "f-plain", customers(0, 10));
            awaitOutput(10);
            assertEquals(10, ids(committed("f-sealed")).size());

            long start = time.milliseconds();
            kv.down();
            try {
                KafkaIo.produce(bootstrap, "f-plain", customers(10, 30));
                until(Duration.ofSeconds(30), "the stream thread to meet the outage",
                        () -> one.appMetrics().retriableFailures() > 0);
                assertEquals(10, ids(committed("f-sealed")).size(), "output committed while Key Vault was down");
                assertEquals(0, committed("f-dlq").size(), "an outage must not dead-letter records");
                assertTrue(one.appMetrics().retriableFailures() > 0, "the stream thread saw the outage");
            } finally {
                kv.up();
            }
            // a second instance joins as the vault comes back: partitions move while the backlog drains
            StreamsService two = FieldsealStreamsApp.launch(config("two"));
            try (StreamsService joined = two) {
                KafkaIo.produce(bootstrap, "f-plain", customers(30, 40));
                awaitOutput(40);
                List<Long> ids = ids(committed("f-sealed"));
                Set<Long> distinct = new TreeSet<>(ids);
                assertEquals(40, distinct.size(), "every input record: " + distinct);
                assertEquals(40, ids.size(), "each exactly once (read_committed)");
                assertEquals(0, committed("f-dlq").size());
                assertFalse(one.failed());
                assertFalse(joined.failed());
                assertTrue(time.milliseconds() - start >= 500, "the replaced thread waited failure.backoff.ms");
            }
        }
    }
}
