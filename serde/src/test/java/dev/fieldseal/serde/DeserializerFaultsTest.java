package dev.fieldseal.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.fieldseal.kms.KmsException;
import dev.fieldseal.testkit.KafkaBroker;
import dev.fieldseal.testkit.KeyVaultDouble;
import dev.fieldseal.testkit.leak.LeakGuard;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link DecryptingDeserializer} in a real {@link KafkaConsumer} while the Key Vault double
 * misbehaves. Every record has its own DEK ({@code dek.max.encryptions=1} on the producer), so
 * every record needs an unwrap. What a fault does: the deserializer retries inside
 * {@code kms.retry.max}/{@code kms.timeout.ms}; if the fault outlasts them, {@code poll} throws a
 * {@link RecordDeserializationException} at the record's offset, caused by a
 * {@link SerializationException} whose cause is a retriable {@link KmsException} (never masked,
 * whatever {@code on.failure} says). After recovery, seeking back returns every record in plaintext.
 */
class DeserializerFaultsTest {

    static final int N = 12;
    static final String TOPIC = "faults";

    static KafkaBroker broker;
    static KeyVaultDouble kv;

    @BeforeAll
    static void start() {
        kv = new KeyVaultDouble();
        kv.createRsaKey("pii");
        broker = KafkaBroker.start();
        broker.createTopic(TOPIC);
        for (int i = 0; i < N; i++) {
            LeakGuard.secret("plaintext of record " + i, value(i));
        }
        try (KafkaProducer<String, Object> p = producer("pii")) {
            for (int i = 0; i < N; i++) {
                p.send(new ProducerRecord<>(TOPIC, "k" + i, value(i)));
            }
        }
    }

    @AfterAll
    static void stop() {
        broker.close();
        kv.close();
    }

    @AfterEach
    void heal() {
        kv.reset();
        kv.up();
    }

    static String value(int i) {
        return "{\"id\":" + i + ",\"ssn\":\"ssn-FAULT-" + (1000 + i) + "\"}";
    }

    static Map<String, Object> props(String key, Object... extra) {
        Map<String, Object> p = new HashMap<>();
        p.put("fieldseal.kek.id", kv.keyId(key));
        p.put("fieldseal.azure.credential", "emulator");
        p.put("fieldseal.azure.tls.ca.file", kv.caPemFile().toString());
        p.put("fieldseal.fields", "ssn");
        p.put("fieldseal.kms.retry.max", "1");
        p.put("fieldseal.kms.retry.backoff.ms", "50");
        p.put("fieldseal.kms.timeout.ms", "1000");
        for (int i = 0; i < extra.length; i += 2) {
            p.put((String) extra[i], extra[i + 1]);
        }
        return p;
    }

    static KafkaProducer<String, Object> producer(String key) {
        EncryptingSerializer s = new EncryptingSerializer();
        s.configure(props(key, "fieldseal.dek.max.encryptions", "1"), false);
        return new KafkaProducer<>(Map.of("bootstrap.servers", broker.bootstrapServers(), "acks", "all"),
                new StringSerializer(), s);
    }

    static KafkaConsumer<String, Object> consumer(Map<String, Object> fieldseal) {
        Map<String, Object> p = new HashMap<>(fieldseal);
        p.put("bootstrap.servers", broker.bootstrapServers());
        p.put("key.deserializer", StringDeserializer.class.getName());
        p.put("value.deserializer", DecryptingDeserializer.class.getName());
        p.put("enable.auto.commit", "false");
        p.put("max.poll.records", "5");
        return new KafkaConsumer<>(p);
    }

    /** Polls from the current position until {@code n} records or a deserialization failure. */
    static RecordDeserializationException pollUntil(KafkaConsumer<String, Object> c, Map<Long, Object> out, int n) {
        long deadline = System.currentTimeMillis() + 30_000;
        while (out.size() < n && System.currentTimeMillis() < deadline) {
            try {
                for (ConsumerRecord<String, Object> r : c.poll(Duration.ofMillis(200))) {
                    out.put(r.offset(), r.value());
                }
            } catch (RecordDeserializationException e) {
                return e;
            }
        }
        return null;
    }

    static void assertAllPlaintext(Map<Long, Object> got) {
        assertEquals(N, got.size(), "records: " + got.keySet());
        for (int i = 0; i < N; i++) {
            assertEquals(value(i), got.get((long) i), "record " + i);
        }
    }

    /**
     * Injects a fault, expects poll to fail at the first record that needs Key Vault with a retriable
     * cause and no plaintext of it returned, heals, seeks back and reads everything.
     */
    void faultThenRecovery(String what, Runnable inject, Map<String, Object> props) {
        TopicPartition tp = new TopicPartition(TOPIC, 0);
        try (KafkaConsumer<String, Object> c = consumer(props)) {
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            inject.run();
            Map<Long, Object> got = new TreeMap<>();
            RecordDeserializationException e = pollUntil(c, got, N);
            assertNotNull(e, what + ": poll did not fail; got " + got.size() + " records");
            LeakGuard.record(what, e);
            assertEquals(0, e.offset(), what + ": the first record needs the first unwrap");
            SerializationException s = assertInstanceOf(SerializationException.class, e.getCause(), what);
            KmsException k = assertInstanceOf(KmsException.class, s.getCause(), what + ": " + s.getMessage());
            assertTrue(k.retriable(), what + ": " + k.getMessage());
            assertTrue(s.getMessage().contains(kv.keyId("pii")) && s.getMessage().contains("KMS_UNAVAILABLE"),
                    s.getMessage());
            assertTrue(got.isEmpty(), what + ": records returned past a failed one: " + got.keySet());
            assertFalse(e.getMessage().contains("ssn-FAULT"), e.getMessage());

            kv.reset();
            kv.up();
            c.seek(tp, e.offset());
            assertEquals(null, pollUntil(c, got, N), what + ": still failing after recovery");
            assertAllPlaintext(got);
        }
    }

    @Test
    void throttlingBeyondTheRetriesFailsThePollAndHealsAfterASeek() {
        faultThenRecovery("429 Retry-After", () -> kv.throttleNext(100, 1), props("pii"));
    }

    @Test
    void aServiceUnavailableBurstFailsThePollAndHealsAfterASeek() {
        faultThenRecovery("503 burst", () -> kv.failNext(100, 503), props("pii"));
    }

    @Test
    void latencyBeyondTheTimeoutFailsThePollAndHealsAfterASeek() {
        faultThenRecovery("latency", () -> kv.delay(Duration.ofMillis(2500)), props("pii"));
    }

    @Test
    void droppedConnectionsAndADeadVaultFailThePollEvenWithTheMaskPolicy() {
        Map<String, Object> mask = props("pii", "fieldseal.on.failure", "mask");
        faultThenRecovery("dropped connections", () -> kv.dropConnections(true), mask);
        faultThenRecovery("vault down", kv::down, mask);
    }

    /** Short faults are absorbed inside kms.retry.max: the consumer never sees them. */
    @Test
    void aFaultShorterThanTheRetriesIsAbsorbed() {
        TopicPartition tp = new TopicPartition(TOPIC, 0);
        try (KafkaConsumer<String, Object> c = consumer(props("pii", "fieldseal.kms.retry.max", "3"))) {
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            kv.throttleNext(1, 0);
            kv.failNext(1, 503);
            Map<Long, Object> got = new TreeMap<>();
            assertEquals(null, pollUntil(c, got, N));
            assertAllPlaintext(got);
            assertTrue(kv.requestLog().stream().anyMatch(l -> l.endsWith("-> 429")), kv.requestLog().toString());
            assertTrue(kv.requestLog().stream().anyMatch(l -> l.endsWith("-> 503")), kv.requestLog().toString());
        }
    }

    /** A disabled version and a deleted key: fail names key and version, mask masks, nothing is retried forever. */
    @Test
    void aDisabledVersionAndADeletedKeyFailNamingTheKeyOrMask() throws Exception {
        String topic = "faults-disabled";
        broker.createTopic(topic);
        String version = kv.createRsaKey("short-lived");
        kv.createRsaKey("doomed");
        try (KafkaProducer<String, Object> p = producer("short-lived"); KafkaProducer<String, Object> q = producer("doomed")) {
            // One after the other: two producers give no order otherwise, and the checks go by offset.
            p.send(new ProducerRecord<>(topic, "a", value(0))).get();
            q.send(new ProducerRecord<>(topic, "b", value(1))).get();
        }
        String doomedVersion = kv.currentVersion("doomed");
        kv.setEnabled("short-lived", version, false);
        kv.deleteKey("doomed");
        String allowed = kv.vaultUrl() + "/";
        TopicPartition tp = new TopicPartition(topic, 0);
        try (KafkaConsumer<String, Object> c = consumer(props("pii", "fieldseal.kek.allowed", allowed))) {
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            check(c, 0, kv.keyId("short-lived"), version, "KMS_DISABLED");
            c.seek(tp, 1);
            check(c, 1, kv.keyId("doomed"), doomedVersion, "KMS_NOT_FOUND");
        }
        try (KafkaConsumer<String, Object> c = consumer(props("pii", "fieldseal.kek.allowed", allowed,
                "fieldseal.on.failure", "mask", "fieldseal.mask.value", "***"))) {
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            Map<Long, Object> got = new TreeMap<>();
            assertEquals(null, pollUntil(c, got, 2));
            assertEquals("{\"id\":0,\"ssn\":\"***\"}", got.get(0L));
            assertEquals("{\"id\":1,\"ssn\":\"***\"}", got.get(1L));
        }
    }

    private static void check(KafkaConsumer<String, Object> c, long offset, String keyId, String version, String cause) {
        RecordDeserializationException e = pollUntil(c, new TreeMap<>(), 1);
        if (e == null) {
            fail("no failure for " + keyId);
        }
        LeakGuard.record("disabled/deleted", e);
        assertEquals(offset, e.offset());
        String m = e.getCause().getMessage();
        assertTrue(m.contains(keyId) && m.contains(version) && m.contains(cause), m);
        KmsException k = assertInstanceOf(KmsException.class, e.getCause().getCause());
        assertFalse(k.retriable(), m);
    }
}
