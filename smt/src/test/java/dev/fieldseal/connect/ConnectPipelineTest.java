package dev.fieldseal.connect;

import static dev.fieldseal.connect.PipelineSupport.all;
import static dev.fieldseal.connect.PipelineSupport.assertSealed;
import static dev.fieldseal.connect.PipelineSupport.header;
import static dev.fieldseal.connect.PipelineSupport.sink;
import static dev.fieldseal.connect.PipelineSupport.source;
import static dev.fieldseal.testkit.Await.holds;
import static dev.fieldseal.testkit.Await.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fieldseal.testkit.ConnectWorker;
import dev.fieldseal.testkit.KeyVaultDouble;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A real Connect worker and broker, the transforms from this module's classes, and the Key Vault
 * double over HTTPS (Azure provider): source → EncryptFields → topic → DecryptFields → sink, a key
 * rotation in the middle of a run, and a Key Vault outage.
 */
class ConnectPipelineTest {

    private static KeyVaultDouble kv;
    private static ConnectWorker worker;

    @BeforeAll
    static void start() {
        kv = new KeyVaultDouble();
        kv.createRsaKey("pii");
        kv.createOctHsmKey("hsm");
        worker = ConnectWorker.start();
    }

    @AfterAll
    static void stop() throws Exception {
        PipelineSupport.closeAll(worker, kv);
    }

    @Test
    void structsAreEncryptedInTheTopicAndRestoredWithTheirSchemasAcrossARotation() throws Exception {
        String run = "structs";
        String topic = "people";
        worker.kafka().createTopic(topic, 1);
        String v1 = kv.currentVersion("pii");
        worker.cluster().configureConnector("people-src", source(run, topic, false, Samples.PERSON_FIELDS, kv, "pii",
                "transforms.seal.kek.refresh.ms", "1000"));
        worker.cluster().configureConnector("people-sink", sink(run, topic, false, kv, "pii"));
        worker.cluster().assertions().assertConnectorAndExactlyNumTasksAreRunning("people-src", 1, "source not running");
        worker.cluster().assertions().assertConnectorAndExactlyNumTasksAreRunning("people-sink", 1, "sink not running");

        PeopleSource.release(run, 10);
        until(Duration.ofSeconds(30), "10 records in the topic", () -> all(worker, topic).size() >= 10);
        List<ConsumerRecord<byte[], byte[]>> before = all(worker, topic);
        assertSealed(before, 10);
        for (ConsumerRecord<byte[], byte[]> r : before) {
            assertEquals(kv.keyId("pii"), header(r, "fieldseal.kek.id"));
            assertEquals(v1, header(r, "fieldseal.kek.version"));
        }

        String v2 = kv.rotate("pii");
        int released = 10;
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (all(worker, topic).stream().noneMatch(r -> v2.equals(header(r, "fieldseal.kek.version")))) {
            assertTrue(System.nanoTime() < end, "no record encrypted with the new key version");
            PeopleSource.release(run, 5);
            released += 5;
            int want = released;
            until(Duration.ofSeconds(30), want + " records", () -> all(worker, topic).size() >= want);
        }
        PeopleSource.release(run, 5);
        int total = released + 5;
        until(Duration.ofSeconds(30), total + " records", () -> all(worker, topic).size() >= total);
        List<ConsumerRecord<byte[], byte[]>> records = all(worker, topic);
        assertEquals(total, records.size());
        assertSealed(records, total);
        Set<String> versions = new HashSet<>();
        records.forEach(r -> versions.add(header(r, "fieldseal.kek.version")));
        assertEquals(Set.of(v1, v2), versions);

        List<SinkRecord> received = RecordingSink.received(run);
        until(Duration.ofSeconds(30), total + " records at the sink", () -> received.size() >= total);
        assertEquals(total, received.size());
        for (SinkRecord r : received) {
            Struct value = (Struct) r.value();
            int n = (int) (long) value.getInt64("id");
            assertEquals(Samples.PERSON, r.valueSchema(), "schema of record " + n);
            assertEquals(Samples.person(n), value, "value of record " + n);
        }

        Map<String, Object> enc = transformMetrics("people-src", "seal");
        assertEquals((long) total, enc.get("records-encrypted"), enc.toString());
        assertTrue((long) enc.get("deks-created") >= 2, enc.toString());
        Map<String, Object> dec = transformMetrics("people-sink", "open");
        assertEquals((long) total, dec.get("records-decrypted"), dec.toString());
        assertTrue((long) dec.get("dek-cache-hits") > 0, dec.toString());
        assertTrue((long) dec.get("kms-calls-unwrap") >= 2, dec.toString());

        worker.cluster().deleteConnector("people-src");
        worker.cluster().deleteConnector("people-sink");
    }

    @Test
    void schemalessMapsRoundTrip() throws Exception {
        String run = "maps";
        String topic = "people-json";
        worker.kafka().createTopic(topic, 1);
        // header placement: the EDEK list travels in a header, base64 under the default SimpleHeaderConverter
        worker.cluster().configureConnector("json-src", source(run, topic, true, Samples.JSON_FIELDS, kv, "pii",
                "transforms.seal.envelope.placement", "header"));
        worker.cluster().configureConnector("json-sink", sink(run, topic, true, kv, "pii"));
        PeopleSource.release(run, 20);
        until(Duration.ofSeconds(30), "20 records at the sink", () -> RecordingSink.received(run).size() >= 20);
        List<ConsumerRecord<byte[], byte[]>> records = all(worker, topic);
        assertEquals(20, records.size());
        assertSealed(records, 20);
        records.forEach(r -> assertTrue(header(r, "fieldseal.edek") != null, "fieldseal.edek header"));
        for (SinkRecord r : RecordingSink.received(run)) {
            Map<?, ?> value = (Map<?, ?>) r.value();
            int n = (int) (long) (Long) value.get("id");
            assertEquals(null, r.valueSchema());
            assertEquals(Samples.json(n), value, "record " + n);
        }
        worker.cluster().deleteConnector("json-src");
        worker.cluster().deleteConnector("json-sink");
    }

    /**
     * An oct-HSM key wraps remotely, and one DEK per value makes every record need Key Vault: while it
     * is down, nothing reaches the topic (Connect retries the RetriableException); after it is back,
     * every record arrives, once.
     */
    @Test
    void aKeyVaultOutageHoldsRecordsBackAndLosesNone() throws Exception {
        String run = "outage";
        String topic = "people-outage";
        worker.kafka().createTopic(topic, 1);
        worker.cluster().configureConnector("outage-src", source(run, topic, false, Samples.PERSON_FIELDS, kv, "hsm",
                "transforms.seal.dek.max.encryptions", "1",
                "transforms.seal.kms.retry.max", "0",
                "transforms.seal.kms.timeout.ms", "1000",
                "errors.retry.timeout", "120000",
                "errors.retry.delay.max.ms", "500"));
        worker.cluster().assertions().assertConnectorAndExactlyNumTasksAreRunning("outage-src", 1, "not running");
        PeopleSource.release(run, 5);
        until(Duration.ofSeconds(30), "5 records", () -> all(worker, topic).size() >= 5);

        kv.down();
        try {
            PeopleSource.release(run, 10);
            holds(Duration.ofSeconds(4), "nothing written while Key Vault is down",
                    () -> all(worker, topic).size() == 5);
            List<ConsumerRecord<byte[], byte[]>> during = all(worker, topic);
            assertEquals(5, during.size(), "records written while Key Vault was down");
            assertSealed(during, 15);
            worker.cluster().assertions().assertConnectorAndExactlyNumTasksAreRunning("outage-src", 1,
                    "the task must wait, not fail");
        } finally {
            kv.up();
        }
        until(Duration.ofSeconds(60), "15 records after recovery", () -> all(worker, topic).size() >= 15);
        holds(Duration.ofMillis(500), "no duplicates after recovery", () -> all(worker, topic).size() == 15);
        List<ConsumerRecord<byte[], byte[]>> after = all(worker, topic);
        assertEquals(15, after.size());
        assertSealed(after, 15);
        Set<String> keys = new HashSet<>();
        after.forEach(r -> keys.add(new String(r.key())));
        assertEquals(15, keys.size(), "each record once");
        assertTrue((long) transformMetrics("outage-src", "seal").get("kms-calls-failed") > 0);
        worker.cluster().deleteConnector("outage-src");
    }

    /** The Key Vault latency metrics of one operation and outcome, as the worker publishes them over JMX. */
    static Map<String, Object> latencyMetrics(String connector, String alias, String operation, String outcome)
            throws Exception {
        MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
        Set<ObjectName> names = jmx.queryNames(new ObjectName("kafka.connect:type=plugins,connector=" + connector
                + ",task=0,transformation=" + alias + ",operation=" + operation + ",outcome=" + outcome + ",*"), null);
        assertEquals(1, names.size(), () -> "MBeans: " + names);
        ObjectName name = names.iterator().next();
        Map<String, Object> out = new TreeMap<>();
        for (var a : jmx.getMBeanInfo(name).getAttributes()) {
            out.put(a.getName(), jmx.getAttribute(name, a.getName()));
        }
        return out;
    }

    /** The transform's metrics as the worker publishes them over JMX. */
    static Map<String, Object> transformMetrics(String connector, String alias) throws Exception {
        MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
        Set<ObjectName> names = new HashSet<>(jmx.queryNames(new ObjectName("kafka.connect:type=plugins,connector="
                + connector + ",task=0,transformation=" + alias + ",*"), null));
        names.removeIf(n -> n.getKeyProperty("cause") != null); // failures{cause=…}: one series per failure class
        names.removeIf(n -> n.getKeyProperty("operation") != null); // kms-call-latency-*: one per operation and outcome
        Set<ObjectName> allPlugins = jmx.queryNames(new ObjectName("kafka.connect:type=plugins,*"), null);
        assertEquals(1, names.size(), () -> "MBeans: " + allPlugins);
        ObjectName name = names.iterator().next();
        Map<String, Object> out = new TreeMap<>();
        for (var a : jmx.getMBeanInfo(name).getAttributes()) {
            Object v = jmx.getAttribute(name, a.getName());
            out.put(a.getName(), v instanceof Number num ? (Object) num.longValue() : v);
        }
        return out;
    }
}
