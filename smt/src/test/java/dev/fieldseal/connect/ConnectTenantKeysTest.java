package dev.fieldseal.connect;

import static dev.fieldseal.connect.PipelineSupport.all;
import static dev.fieldseal.connect.PipelineSupport.header;
import static dev.fieldseal.connect.PipelineSupport.sink;
import static dev.fieldseal.connect.PipelineSupport.source;
import static dev.fieldseal.testkit.Await.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fieldseal.testkit.ConnectWorker;
import dev.fieldseal.testkit.KeyVaultDouble;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A key per tenant through a real Connect worker and broker with the Key Vault double:
 * EncryptFields$Value seals 1,000 tenants' records (Struct and schemaless) each under
 * {@code tenant-${value.id}} with one Key Vault request per tenant key; DecryptFields, allowed every
 * {@code tenant-*} key, unwraps once per DEK; with one tenant's key disabled (crypto-shredding) that
 * tenant's values are masked and every other tenant's decrypt.
 */
class ConnectTenantKeysTest {

    static final int TENANTS = 1_000;
    static KeyVaultDouble kv;
    static ConnectWorker worker;
    static final Map<Integer, String> versions = new HashMap<>();

    @BeforeAll
    static void start() {
        kv = new KeyVaultDouble();
        kv.createRsaKeys("tenant-", TENANTS);
        for (int t = 0; t < TENANTS; t++) {
            versions.put(t, kv.currentVersion("tenant-" + t));
        }
        worker = ConnectWorker.start();
    }

    @AfterAll
    static void stop() throws Exception {
        PipelineSupport.closeAll(worker, kv);
    }

    static String[] template(String alias) {
        String p = "transforms." + alias + ".";
        return new String[] {p + "kek.id", kv.vaultUrl() + "/keys/tenant-${value.id}", p + "kms.retry.max", "0"};
    }

    static String[] allowed(String alias, String onFailure) {
        String p = "transforms." + alias + ".";
        return new String[] {p + "kek.id", kv.vaultUrl() + "/keys/tenant-${value.id}", p + "kek.allowed", kv.vaultUrl() + "/keys/tenant-*",
                p + "on.failure", onFailure, p + "kms.retry.max", "0"};
    }

    @Test
    void everyTenantIsSealedUnderItsKeyAndOnlyTheShreddedTenantStopsDecrypting() throws Exception {
        for (boolean json : List.of(false, true)) {
            String run = json ? "tenants-json" : "tenants-struct";
            String topic = run;
            worker.kafka().createTopic(topic, 1);
            kv.reset();
            worker.cluster().configureConnector(run + "-src", source(run, topic, json, "ssn", kv, "tenant-0",
                    template("seal")));
            PeopleSource.release(run, TENANTS);
            until(Duration.ofSeconds(120), TENANTS + " records in " + topic, () -> all(worker, topic).size() >= TENANTS);
            worker.cluster().deleteConnector(run + "-src");
            assertEquals(TENANTS, kv.count("get"), "one resolve per tenant key (" + run + ")");
            assertEquals(0, kv.count("wrapkey") + kv.count("unwrapkey"), "RSA keys wrap locally");
            List<ConsumerRecord<byte[], byte[]>> records = all(worker, topic);
            for (ConsumerRecord<byte[], byte[]> r : records) {
                int t = Integer.parseInt(new String(r.key(), java.nio.charset.StandardCharsets.UTF_8).substring(1));
                assertEquals(kv.keyId("tenant-" + t), header(r, "fieldseal.kek.id"));
                assertEquals(versions.get(t), header(r, "fieldseal.kek.version"));
                assertTrue(!new String(r.value(), java.nio.charset.StandardCharsets.ISO_8859_1).contains(
                        "ssn" + Samples.marker(t)), "the ssn of tenant " + t + " is sealed");
            }

            kv.reset();
            worker.cluster().configureConnector(run + "-sink", sink(run, topic, json, kv, "tenant-0",
                    allowed("open", "fail")));
            List<SinkRecord> received = RecordingSink.received(run);
            until(Duration.ofSeconds(120), TENANTS + " at the sink", () -> received.size() >= TENANTS);
            worker.cluster().deleteConnector(run + "-sink");
            assertEquals(TENANTS, kv.count("unwrapkey"), "one unwrap per DEK, one DEK per tenant (" + run + ")");
            for (SinkRecord r : received) {
                assertEquals("ssn" + Samples.marker(id(r)), ssn(r));
            }

            // shred tenant 3: a new reader (no cached DEK) masks its values and decrypts every other tenant
            kv.setEnabled("tenant-3", versions.get(3), false);
            try {
                String again = run + "-shredded";
                worker.cluster().configureConnector(again + "-sink", sink(again, topic, json, kv, "tenant-0",
                        allowed("open", "mask")));
                List<SinkRecord> masked = RecordingSink.received(again);
                until(Duration.ofSeconds(120), TENANTS + " at the sink", () -> masked.size() >= TENANTS);
                worker.cluster().deleteConnector(again + "-sink");
                for (SinkRecord r : masked) {
                    int t = id(r);
                    if (t == 3) {
                        assertTrue(!ssn(r).contains(Samples.marker(3)), "tenant 3 is masked: " + ssn(r));
                    } else {
                        assertEquals("ssn" + Samples.marker(t), ssn(r), "tenant " + t);
                    }
                }
            } finally {
                kv.setEnabled("tenant-3", versions.get(3), true);
            }
        }
    }

    static int id(SinkRecord r) {
        Object v = r.value();
        return (int) (long) (v instanceof Struct s ? s.getInt64("id") : (Long) ((Map<?, ?>) v).get("id"));
    }

    static String ssn(SinkRecord r) {
        Object v = r.value();
        return String.valueOf(v instanceof Struct s ? s.get("ssn") : ((Map<?, ?>) v).get("ssn"));
    }
}
