package dev.fieldseal.connect;

import static dev.fieldseal.connect.PipelineSupport.all;
import static dev.fieldseal.connect.PipelineSupport.assertSealed;
import static dev.fieldseal.connect.PipelineSupport.sink;
import static dev.fieldseal.connect.PipelineSupport.source;
import static dev.fieldseal.testkit.Await.holds;
import static dev.fieldseal.testkit.Await.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fieldseal.testkit.ConnectWorker;
import dev.fieldseal.testkit.KeyVaultDouble;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Key Vault faults under a real Connect worker, with Key Vault on the path of every record on both
 * sides: the source encrypts with an oct-HSM key (remote A256KW wrap) and one DEK per value
 * ({@code dek.max.encryptions=1}); the sink decrypts every value with a remote unwrap of its own DEK.
 * Each fault (429 with Retry-After, a 503 burst, latency beyond {@code kms.timeout.ms}, dropped
 * connections) stalls the pipeline with nothing written in plaintext and the tasks RUNNING, and
 * after it heals every record arrives at the topic and at the sink (counted by distinct id). Task
 * restarts in the middle lose nothing; a disabled version or a deleted key sends the record to the
 * sink's dead-letter queue, still sealed, with an error naming the key and version.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConnectFaultsTest {

    static final String RUN = "faults";
    static final String TOPIC = "faults";
    static final String SRC = "faults-src";
    static final String SINK = "faults-sink";
    static final String FIELDS = Samples.PERSON_FIELDS;

    static KeyVaultDouble kv;
    static ConnectWorker worker;
    static int released;

    /** Bounded Key Vault retries and short timeouts; Connect retries the record for up to 2 minutes. */
    static final String[] FAST = {
        "transforms.%s.kms.retry.max", "1",
        "transforms.%s.kms.retry.backoff.ms", "50",
        "transforms.%s.kms.timeout.ms", "1500",
        "errors.retry.timeout", "120000",
        "errors.retry.delay.max.ms", "300"};

    static String[] fast(String alias, String... more) {
        String[] out = new String[FAST.length + more.length];
        for (int i = 0; i < FAST.length; i++) {
            out[i] = String.format(FAST[i], alias);
        }
        System.arraycopy(more, 0, out, FAST.length, more.length);
        return out;
    }

    @BeforeAll
    static void start() throws Exception {
        kv = new KeyVaultDouble();
        kv.createOctHsmKey("hsm");
        kv.createRsaKey("pii");
        worker = ConnectWorker.start();
        worker.kafka().createTopic(TOPIC, 1);
        worker.kafka().createTopic("faults-dlq", 1);
        Map<String, String> src = source(RUN, TOPIC, false, FIELDS, kv, "hsm",
                fast("seal", "transforms.seal.dek.max.encryptions", "1"));
        src.put("connector.class", ResumableSource.class.getName());
        worker.cluster().configureConnector(SRC, src);
        worker.cluster().configureConnector(SINK, sink(RUN, TOPIC, false, kv, "hsm",
                fast("open", "errors.tolerance", "all",
                        "errors.deadletterqueue.topic.name", "faults-dlq",
                        "errors.deadletterqueue.topic.replication.factor", "1")));
        assertRunning();
        released = 5;
        ResumableSource.release(RUN, 5);
        awaitAll("warm-up");
    }

    @AfterAll
    static void stop() throws Exception {
        PipelineSupport.closeAll(worker, kv);
    }

    static void assertRunning() throws InterruptedException {
        worker.cluster().assertions().assertConnectorAndExactlyNumTasksAreRunning(SRC, 1, "source not running");
        worker.cluster().assertions().assertConnectorAndExactlyNumTasksAreRunning(SINK, 1, "sink not running");
    }

    static Set<Long> topicIds() {
        Set<Long> ids = new TreeSet<>();
        for (ConsumerRecord<byte[], byte[]> r : all(worker, TOPIC)) {
            ids.add(Long.parseLong(new String(r.key(), StandardCharsets.UTF_8).substring(1)));
        }
        return ids;
    }

    static Set<Long> sinkIds() {
        Set<Long> ids = new TreeSet<>();
        for (SinkRecord r : RecordingSink.received(RUN)) {
            Struct v = (Struct) r.value();
            long id = v.getInt64("id");
            assertEquals(Samples.person((int) id).getString("ssn"), v.getString("ssn"), "decrypted record " + id);
            ids.add(id);
        }
        return ids;
    }

    static Set<Long> upTo(int n) {
        Set<Long> ids = new TreeSet<>();
        for (long i = 0; i < n; i++) {
            ids.add(i);
        }
        return ids;
    }

    static void awaitAll(String what) throws InterruptedException {
        int n = released;
        until(Duration.ofSeconds(90), what + ": " + n + " records in the topic", () -> topicIds().size() >= n);
        until(Duration.ofSeconds(90), what + ": " + n + " records at the sink", () -> sinkIds().size() >= n);
        assertEquals(upTo(n), topicIds(), what);
        assertEquals(upTo(n), sinkIds(), what);
        assertSealed(all(worker, TOPIC), n);
        assertEquals(0, all(worker, "faults-dlq").size(), what + ": records in the dead-letter queue");
    }

    /** One fault while 5 more records are released: the pipeline stalls, then delivers everything. */
    void stallsThenDelivers(String what, Runnable inject) throws Exception {
        int before = released;
        long failedBefore = (long) ConnectPipelineTest.transformMetrics(SRC, "seal").get("kms-calls-failed");
        inject.run();
        try {
            ResumableSource.release(RUN, 5);
            released += 5;
            holds(Duration.ofSeconds(3), what + ": nothing written while Key Vault fails",
                    () -> topicIds().equals(upTo(before)));
            assertEquals(upTo(before), topicIds(), what + ": records written while Key Vault failed");
            assertSealed(all(worker, TOPIC), released);
            assertRunning();
            assertTrue((long) ConnectPipelineTest.transformMetrics(SRC, "seal").get("kms-calls-failed") > failedBefore,
                    what + ": the fault did not reach the transform");
        } finally {
            kv.reset();
        }
        awaitAll(what);
        assertRunning();
    }

    @Test
    @Order(1)
    void throttlingStallsThePipelineAndLosesNothing() throws Exception {
        stallsThenDelivers("429 Retry-After", () -> kv.throttleNext(100_000, 1));
    }

    @Test
    @Order(2)
    void aServiceUnavailableBurstStallsThePipelineAndLosesNothing() throws Exception {
        stallsThenDelivers("503 burst", () -> kv.failNext(100_000, 503));
    }

    @Test
    @Order(3)
    void latencyBeyondTheTimeoutStallsThePipelineAndLosesNothing() throws Exception {
        stallsThenDelivers("latency", () -> kv.delay(Duration.ofMillis(3000)));
    }

    @Test
    @Order(4)
    void droppedConnectionsStallThePipelineAndLoseNothing() throws Exception {
        stallsThenDelivers("dropped connections", () -> kv.dropConnections(true));
    }

    /**
     * Both tasks restarted (REST) while records are in flight through a slow vault. A batch takes
     * longer than Connect's graceful stop, so the old source task is abandoned mid-call and the new
     * one starts beside it: the restart must still succeed and the new task resume from the
     * committed offset.
     */
    @Test
    @Order(5)
    void taskRestartsInTheMiddleLoseNothing() throws Exception {
        int before = released;
        kv.delay(Duration.ofMillis(60));
        try {
            ResumableSource.release(RUN, 10);
            released += 10;
            until(Duration.ofSeconds(30), "some records past the restart point",
                    () -> topicIds().size() > before + 1);
            worker.cluster().restartTask(SRC, 0);
            worker.cluster().restartTask(SINK, 0);
            assertTrue(topicIds().size() < released, "restart came too late to be in the middle");
        } finally {
            kv.reset();
        }
        awaitAll("task restarts");
        assertRunning();
    }

    /** Records whose key version was disabled, or whose key was deleted, go to the DLQ sealed. */
    @Test
    @Order(6)
    void aDisabledVersionOrADeletedKeySendsTheRecordToTheDeadLetterQueue() throws Exception {
        String topic = "faults-dead";
        worker.kafka().createTopic(topic, 1);
        worker.kafka().createTopic("faults-dead-dlq", 1);
        String disabled = kv.createRsaKey("disabled");
        String deleted = kv.createRsaKey("deleted");
        for (String key : List.of("disabled", "deleted")) {
            Map<String, String> src = source("dead-" + key, topic, false, FIELDS, kv, key);
            src.put("connector.class", ResumableSource.class.getName());
            worker.cluster().configureConnector("dead-src-" + key, src);
            ResumableSource.release("dead-" + key, 2);
        }
        until(Duration.ofSeconds(30), "4 records", () -> all(worker, topic).size() >= 4);
        worker.cluster().deleteConnector("dead-src-disabled");
        worker.cluster().deleteConnector("dead-src-deleted");
        kv.setEnabled("disabled", disabled, false);
        kv.deleteKey("deleted");

        worker.cluster().configureConnector("dead-sink", sink("dead", topic, false, kv, "pii",
                fast("open", "transforms.open.kek.allowed", kv.vaultUrl() + "/",
                        "errors.tolerance", "all",
                        "errors.deadletterqueue.topic.name", "faults-dead-dlq",
                        "errors.deadletterqueue.topic.replication.factor", "1",
                        "errors.deadletterqueue.context.headers.enable", "true")));
        until(Duration.ofSeconds(30), "4 dead letters", () -> all(worker, "faults-dead-dlq").size() >= 4);
        worker.cluster().assertions().assertConnectorAndExactlyNumTasksAreRunning("dead-sink", 1,
                "the sink keeps running");
        List<ConsumerRecord<byte[], byte[]>> dead = all(worker, "faults-dead-dlq");
        assertEquals(4, dead.size());
        assertSealed(dead, 10);
        int disabledSeen = 0;
        int deletedSeen = 0;
        for (ConsumerRecord<byte[], byte[]> r : dead) {
            Header h = r.headers().lastHeader("__connect.errors.exception.message");
            String m = new String(h.value(), StandardCharsets.UTF_8);
            assertFalse(m.contains("SECRET"), m);
            if (m.contains(kv.keyId("disabled")) && m.contains(disabled)) {
                disabledSeen++;
            } else if (m.contains(kv.keyId("deleted")) && m.contains(deleted)) {
                deletedSeen++;
            } else {
                throw new AssertionError("dead letter without key and version: " + m);
            }
        }
        assertEquals(2, disabledSeen);
        assertEquals(2, deletedSeen);
        assertEquals(0, RecordingSink.received("dead").size(), "nothing undecryptable reached the sink");
        worker.cluster().deleteConnector("dead-sink");
    }
}
