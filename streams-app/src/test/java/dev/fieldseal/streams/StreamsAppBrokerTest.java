package dev.fieldseal.streams;

import static dev.fieldseal.streams.Fixtures.header;
import static dev.fieldseal.testkit.Await.until;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fieldseal.config.FieldsealConfig;
import dev.fieldseal.envelope.SealedRecord;
import dev.fieldseal.envelope.Unsealer;
import dev.fieldseal.field.FieldSelection;
import dev.fieldseal.format.Envelope;
import dev.fieldseal.metrics.FieldsealMetrics;
import dev.fieldseal.model.json.JsonDecryptor;
import dev.fieldseal.testkit.KafkaBroker;
import dev.fieldseal.testkit.KeyVaultDouble;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The app on a real broker (exactly-once) with the Key Vault double: encrypt a topic, rotate the
 * key and publish the Event Grid event, see the new version used at once, re-key the topic, and
 * prove by the double's counts and by bytes that only wrapped DEKs changed.
 */
class StreamsAppBrokerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    static KafkaBroker broker;
    static KeyVaultDouble vault;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        broker = KafkaBroker.start();
        vault = new KeyVaultDouble();
        for (String t : List.of("plain", "sealed", "rekeyed", "events", "dlq")) {
            broker.createTopic(t, 2);
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

    private Path config(String appId, String mode, String in, String out) throws Exception {
        Properties p = new Properties();
        p.put("application.id", appId);
        p.put("bootstrap.servers", broker.bootstrapServers());
        p.put("processing.guarantee", "exactly_once_v2");
        p.put("commit.interval.ms", "100");
        p.put("num.stream.threads", "1");
        p.put("fieldseal.mode", mode);
        p.put("fieldseal.kek.id", vault.keyId("customers"));
        p.put("fieldseal.azure.credential", "emulator");
        p.put("fieldseal.azure.tls.ca.file", vault.caPemFile().toString());
        p.put("fieldseal.kek.refresh.ms", "3600000");
        p.put("fieldseal.kms.retry.backoff.ms", "50");
        p.put("fieldseal.routes", "customers");
        p.put("fieldseal.route.customers.input", in);
        p.put("fieldseal.route.customers.output", out);
        if ("encrypt".equals(mode)) {
            p.put("fieldseal.route.customers.fields", "ssn,email");
        }
        p.put("fieldseal.dlq.topic", "dlq");
        p.put("fieldseal.rotation.events.topic", "events");
        p.put("fieldseal.http.port", "-1");
        p.put("fieldseal.shutdown.timeout.ms", "10000");
        Path f = dir.resolve(appId + ".properties");
        try (var w = Files.newBufferedWriter(f)) {
            p.store(w, null);
        }
        return f;
    }

    private static List<byte[]> customers(int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> Fixtures.customerJson(i).getBytes(StandardCharsets.UTF_8))
                .collect(Collectors.toList());
    }

    private static Map<Long, ConsumerRecord<byte[], byte[]>> byId(List<ConsumerRecord<byte[], byte[]>> rs)
            throws Exception {
        Map<Long, ConsumerRecord<byte[], byte[]>> m = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : rs) {
            m.put(JSON.readTree(r.value()).get("id").longValue(), r);
        }
        return m;
    }

    @Test
    void encryptRotateOnEventRekeyAndDecrypt() throws Exception {
        String v1 = vault.createRsaKey("customers");
        String bootstrap = broker.bootstrapServers();

        // 1. encrypt under v1, then rotate and announce it: new records use v2 at once
        List<ConsumerRecord<byte[], byte[]>> sealed;
        String v2;
        try (StreamsService enc = FieldsealStreamsApp.launch(config("enc", "encrypt", "plain", "sealed"))) {
            Fixtures.awaitRunning(enc);
            KafkaIo.produce(bootstrap, "plain", customers(0, 6));
            List<ConsumerRecord<byte[], byte[]>> first = KafkaIo.read(bootstrap, "sealed", 6, Duration.ofSeconds(60));
            first.forEach(r -> assertEquals(v1, header(r.headers(), SealedRecord.KEK_VERSION_HEADER)));

            v2 = vault.rotate("customers");
            String event = """
                    [{"id":"e1","topic":"/subscriptions/s/resourceGroups/g/providers/Microsoft.KeyVault/vaults/v",
                      "subject":"customers","eventType":"Microsoft.KeyVault.KeyNewVersionCreated",
                      "data":{"Id":"%s","VaultName":"v","ObjectType":"Key","ObjectName":"customers","Version":"%s"},
                      "dataVersion":"1","metadataVersion":"1","eventTime":"2026-01-01T00:00:00Z"}]"""
                    .formatted(vault.keyId("customers", v2), v2);
            KafkaIo.produce(bootstrap, "events", List.of(event.getBytes(StandardCharsets.UTF_8)));
            until(Duration.ofSeconds(30), "the rotation event", () -> enc.appMetrics().rotationRefreshes() >= 1);
            assertEquals(1, enc.appMetrics().rotationRefreshes(), "the event re-resolved the key");
            KafkaIo.produce(bootstrap, "plain", customers(6, 10));
            sealed = KafkaIo.read(bootstrap, "sealed", 10, Duration.ofSeconds(60));
            assertEquals(0, enc.appMetrics().deadLettered());
        }
        Map<Long, ConsumerRecord<byte[], byte[]>> before = byId(sealed);
        for (long id = 0; id < 10; id++) {
            String expected = id < 6 ? v1 : v2;
            ConsumerRecord<byte[], byte[]> r = before.get(id);
            assertEquals(expected, header(r.headers(), SealedRecord.KEK_VERSION_HEADER), "record " + id);
            assertEquals(expected, Fixtures.envelope(JSON.readTree(r.value()).get("ssn").textValue())
                    .edek().kek().version());
            assertFalse(Fixtures.containsBytes(r.value(), Fixtures.SSN));
        }
        Set<String> oldDeks = new HashSet<>();
        for (long id = 0; id < 6; id++) {
            for (String f : List.of("ssn", "email")) {
                oldDeks.add(java.util.HexFormat.of().formatHex(Fixtures.envelope(
                        JSON.readTree(before.get(id).value()).get(f).textValue()).edek().wrappedKey()));
            }
        }

        // 2. re-key the sealed topic: one unwrap per distinct old DEK, no wraps (RSA wraps locally)
        vault.reset();
        List<ConsumerRecord<byte[], byte[]>> rekeyed;
        try (StreamsService rk = FieldsealStreamsApp.launch(config("rekey", "rekey", "sealed", "rekeyed"))) {
            Fixtures.awaitRunning(rk);
            rekeyed = KafkaIo.read(bootstrap, "rekeyed", 10, Duration.ofSeconds(60));
            assertEquals(6, rk.appMetrics().rekeyedRecords());
            assertEquals(4, rk.appMetrics().copiedRecords());
            assertEquals(oldDeks.size(), rk.metrics().get(FieldsealMetrics.DEKS_REWRAPPED));
        }
        assertEquals(oldDeks.size(), vault.count("unwrapkey"), "unwraps = distinct DEKs under v1");
        assertEquals(0, vault.count("wrapkey"));
        Map<Long, ConsumerRecord<byte[], byte[]>> after = byId(rekeyed);
        for (long id = 0; id < 10; id++) {
            ConsumerRecord<byte[], byte[]> b = before.get(id);
            ConsumerRecord<byte[], byte[]> a = after.get(id);
            assertEquals(v2, header(a.headers(), SealedRecord.KEK_VERSION_HEADER));
            KeyRetirementTopologyTest.assertInvariant(a.key(), a.value(), a.headers());
            if (id >= 6) {
                assertArrayEquals(b.value(), a.value(), "already under v2: copied unchanged");
                continue;
            }
            ObjectNode bd = (ObjectNode) JSON.readTree(b.value());
            ObjectNode ad = (ObjectNode) JSON.readTree(a.value());
            for (String f : List.of("ssn", "email")) {
                Envelope eb = Fixtures.envelope(bd.get(f).textValue());
                Envelope ea = Fixtures.envelope(ad.get(f).textValue());
                assertArrayEquals(eb.nonce(), ea.nonce());
                assertArrayEquals(eb.body(), ea.body(), "ciphertext and tag byte-identical");
                assertEquals(v1, eb.edek().kek().version());
                assertEquals(v2, ea.edek().kek().version());
                assertNotEquals(eb.edek(), ea.edek());
            }
            bd.remove(List.of("ssn", "email"));
            ad.remove(List.of("ssn", "email"));
            assertEquals(bd, ad, "only the encrypted values' key blocks changed");
        }

        // 3. everything decrypts with v1 disabled
        vault.setEnabled("customers", v1, false);
        Map<String, Object> c = new HashMap<>();
        c.put(FieldsealConfig.KEK_ID, vault.keyId("customers"));
        c.put(FieldsealConfig.AZURE_CREDENTIAL, "emulator");
        c.put(FieldsealConfig.AZURE_TLS_CA_FILE, vault.caPemFile().toString());
        try (Unsealer u = Unsealer.create(new FieldsealConfig(c), new FieldsealMetrics())) {
            JsonDecryptor d = new JsonDecryptor(u, FieldSelection.of(List.of(), List.of()));
            List<JsonNode> plain = new ArrayList<>();
            for (long id = 0; id < 10; id++) {
                JsonNode out = d.decrypt(JSON.readTree(after.get(id).value()), Map.of()).value();
                assertEquals(JSON.readTree(Fixtures.customerJson((int) id)), out);
                plain.add(out);
            }
            assertEquals(10, plain.size());
        }
        assertTrue(vault.count("unwrapkey") <= oldDeks.size() + 2, "one unwrap per distinct DEK");
    }
}
