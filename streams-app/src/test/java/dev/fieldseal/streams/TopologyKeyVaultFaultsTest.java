package dev.fieldseal.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fieldseal.kms.KmsException;
import dev.fieldseal.metrics.FieldsealMetrics;
import dev.fieldseal.testkit.KeyVaultDouble;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Streams topology against the Key Vault double over HTTPS, fault by fault: what the transport
 * retries absorbs, what stops the task (a retriable Key Vault error: no output, nothing
 * dead-lettered, so nothing is committed past the record), and what is dead-lettered (a disabled
 * or deleted key version on the decrypting side). An oct-HSM key with one encryption per DEK puts
 * Key Vault on the path of every record. The broker-level outage and recovery is StreamsFaultsTest.
 */
class TopologyKeyVaultFaultsTest {

    private static KeyVaultDouble kv;

    @BeforeAll
    static void start() {
        kv = new KeyVaultDouble();
    }

    @AfterAll
    static void stop() {
        kv.close();
    }

    @AfterEach
    void heal() {
        kv.reset();
    }

    /** One topology over the test driver. */
    static final class Driver implements AutoCloseable {
        final Crypto crypto;
        final TopologyTestDriver driver;
        final TestInputTopic<byte[], byte[]> in;
        final TestOutputTopic<byte[], byte[]> out;
        final TestOutputTopic<byte[], byte[]> dlq;

        Driver(String mode, String key) {
            Map<String, String> p = new HashMap<>();
            p.put(StreamsConfig.APPLICATION_ID_CONFIG, "kv-faults");
            p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
            p.put("fieldseal.kek.id", kv.keyId(key));
            p.put("fieldseal.azure.credential", "emulator");
            p.put("fieldseal.azure.tls.ca.file", kv.caPemFile().toString());
            p.put("fieldseal.kms.retry.max", "2");
            p.put("fieldseal.kms.retry.backoff.ms", "50");
            p.put("fieldseal.kms.timeout.ms", "500");
            p.put("fieldseal.dek.max.encryptions", "1");
            p.put("fieldseal.mode", mode);
            p.put("fieldseal.routes", "r");
            p.put("fieldseal.route.r.input", "in");
            p.put("fieldseal.route.r.output", "out");
            p.put("fieldseal.route.r.format", "json");
            p.put("fieldseal.route.r.fields", "ssn");
            p.put("fieldseal.dlq.topic", "dlq");
            AppSettings s = AppSettings.parse(p);
            crypto = Crypto.create(s.mode(), s.fieldseal(), new FieldsealMetrics());
            driver = new TopologyTestDriver(TopologyFactory.build(s, crypto, new AppMetrics()),
                    StreamsService.streamsProperties(s));
            in = driver.createInputTopic("in", new ByteArraySerializer(), new ByteArraySerializer());
            out = driver.createOutputTopic("out", new ByteArrayDeserializer(), new ByteArrayDeserializer());
            dlq = driver.createOutputTopic("dlq", new ByteArrayDeserializer(), new ByteArrayDeserializer());
        }

        TestRecord<byte[], byte[]> pipe(byte[] value, org.apache.kafka.common.header.Headers headers) {
            in.pipeInput(new TestRecord<>("k".getBytes(StandardCharsets.UTF_8), value, headers));
            return out.isEmpty() ? null : out.readRecord();
        }

        TestRecord<byte[], byte[]> pipe(int id) {
            return pipe(Fixtures.customerJson(id).getBytes(StandardCharsets.UTF_8), new RecordHeaders());
        }

        @Override
        public void close() {
            driver.close();
            crypto.close();
        }
    }

    @Test
    void throttlingAndShortBurstsAreAbsorbedByTheRetries() {
        kv.createOctHsmKey("absorbed");
        try (Driver d = new Driver("encrypt", "absorbed")) {
            kv.throttleNext(1, 1);
            assertSealed(d.pipe(1));
            kv.failNext(2, 503);
            assertSealed(d.pipe(2));
            assertTrue(d.dlq.isEmpty());
            assertTrue(kv.requestLog().stream().anyMatch(l -> l.endsWith("-> 429")), kv.requestLog().toString());
            assertTrue(kv.requestLog().stream().anyMatch(l -> l.endsWith("-> 503")), kv.requestLog().toString());
        }
    }

    @Test
    void longerFaultsStopTheTaskWithoutOutputOrDeadLetterThenANewTaskCatchesUp() {
        kv.createOctHsmKey("faulty");
        Runnable[] faults = {
            () -> kv.failNext(50, 503),
            () -> kv.throttleNext(50, 0),
            () -> kv.delay(Duration.ofSeconds(2)),
            () -> kv.dropConnections(true),
        };
        int id = 10;
        for (Runnable fault : faults) {
            try (Driver d = new Driver("encrypt", "faulty")) {
                fault.run();
                int record = id++;
                RuntimeException e = assertThrows(RuntimeException.class, () -> d.pipe(record));
                KmsException k = kmsCause(e);
                assertTrue(k.retriable(), k.getMessage());
                assertFalse(k.getMessage().contains(Fixtures.SSN));
                assertTrue(d.out.isEmpty(), "nothing written while Key Vault fails");
                assertTrue(d.dlq.isEmpty(), "a retriable failure is never dead-lettered");
            }
            kv.reset();
            try (Driver d = new Driver("encrypt", "faulty")) {
                assertSealed(d.pipe(id++)); // the replaced task processes the record again
            }
        }
    }

    @Test
    void aDisabledVersionOrADeletedKeyDeadLettersOnDecryptWithoutPlaintext() {
        String v1 = kv.createOctHsmKey("retiring");
        kv.createOctHsmKey("removed");
        TestRecord<byte[], byte[]> disabled;
        TestRecord<byte[], byte[]> deleted;
        try (Driver d = new Driver("encrypt", "retiring")) {
            disabled = d.pipe(30);
        }
        try (Driver d = new Driver("encrypt", "removed")) {
            deleted = d.pipe(31);
        }
        kv.setEnabled("retiring", v1, false);
        kv.deleteKey("removed");
        for (Object[] c : new Object[][] {{"retiring", disabled}, {"removed", deleted}}) {
            @SuppressWarnings("unchecked")
            TestRecord<byte[], byte[]> sealed = (TestRecord<byte[], byte[]>) c[1];
            try (Driver d = new Driver("decrypt", (String) c[0])) {
                assertEquals(null, d.pipe(sealed.value(), sealed.headers()));
                TestRecord<byte[], byte[]> dead = d.dlq.readRecord();
                assertFalse(Fixtures.containsBytes(dead.value() == null ? new byte[0] : dead.value(), Fixtures.SSN));
                String error = Fixtures.header(dead.headers(), "fieldseal.error.message");
                assertNotNull(error);
                assertTrue(error.contains(kv.keyId((String) c[0])), error);
                assertFalse(error.contains(Fixtures.SSN));
            }
        }
    }

    private static void assertSealed(TestRecord<byte[], byte[]> r) {
        assertNotNull(r, "a sealed record in the output");
        assertFalse(Fixtures.containsBytes(r.value(), Fixtures.SSN));
        assertNotNull(Fixtures.header(r.headers(), "fieldseal.kek.version"));
    }

    private static KmsException kmsCause(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof KmsException k) {
                return k;
            }
        }
        throw new AssertionError("no KmsException behind " + e);
    }
}
