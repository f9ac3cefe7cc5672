package dev.fieldseal.connect;

import static dev.fieldseal.testkit.Await.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fieldseal.format.EnvelopeLayout;
import dev.fieldseal.metrics.FieldsealMetrics;
import dev.fieldseal.testkit.KafkaBroker;
import dev.fieldseal.testkit.KeyVaultDouble;
import dev.fieldseal.testkit.RotationEventsTopic;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The transforms read Key Vault rotation events from a real broker: EncryptFields seals the next
 * record under the new version (kek.refresh.ms is an hour, so only the event can cause it);
 * DecryptFields counts the event; malformed events and events for other keys change nothing.
 */
class RotationEventsTransformTest {

    private static KafkaBroker broker;
    private static KeyVaultDouble kv;

    @BeforeAll
    static void start() {
        broker = KafkaBroker.start();
        kv = new KeyVaultDouble();
    }

    @AfterAll
    static void stop() throws Exception {
        PipelineSupport.closeAll(kv, broker);
    }

    private static Map<String, Object> props(String key, String topic) {
        Map<String, Object> p = new HashMap<>();
        p.put("kek.id", kv.keyId(key));
        p.put("azure.credential", "emulator");
        p.put("azure.tls.ca.file", kv.caPemFile().toString());
        p.put("kek.refresh.ms", "3600000");
        p.put("fields", "ssn");
        p.put("rotation.events.topic", topic);
        p.put("rotation.events.consumer.bootstrap.servers", broker.bootstrapServers());
        return p;
    }

    private static SourceRecord record(int n) {
        return new SourceRecord(Map.of(), Map.of(), "people", 0, null, null, null,
                new HashMap<>(Map.of("ssn", "123-45-" + n, "name", "n" + n)), 42L);
    }

    private static String header(SourceRecord r, String name) {
        Header h = r.headers().lastWithName(name);
        return h == null ? null : h.value().toString();
    }

    /** The key version of the record's header, checked against the one its envelope names. */
    private static String sealedUnder(SourceRecord r) {
        String b64 = (String) ((Map<?, ?>) r.value()).get("ssn");
        String inEnvelope = EnvelopeLayout.parse(Base64.getDecoder().decode(b64)).edek().kek().version();
        assertEquals(inEnvelope, header(r, "fieldseal.kek.version"), "the header names the envelope's version");
        return inEnvelope;
    }

    /** A malformed record and a rotation of another key, before the event under test. */
    private static List<String> noise() {
        return List.of("{\"eventType\": truncated", RotationEventsTopic.eventGrid(kv.keyId("someone-else", "v9"),
                "someone-else", "v9"));
    }

    @Test
    void encryptFieldsSealsTheNextRecordUnderTheVersionAnEventGridEventAnnounces() throws Exception {
        String v1 = kv.createRsaKey("smt-enc");
        String topic = "smt-enc-events";
        broker.createTopic(topic, 1);
        try (EncryptFields.Value<SourceRecord> seal = new EncryptFields.Value<>()) {
            seal.configure(props("smt-enc", topic));
            assertEquals(v1, sealedUnder(seal.apply(record(0))));
            long resolves = seal.metrics().kmsCalls("resolve");

            String v2 = kv.rotate("smt-enc");
            List<String> events = new java.util.ArrayList<>(noise());
            events.add(RotationEventsTopic.eventGrid(kv.keyId("smt-enc", v2), "smt-enc", v2));
            RotationEventsTopic.publish(broker.bootstrapServers(), topic, events);

            AtomicReference<String> last = new AtomicReference<>();
            int[] n = {1};
            until(Duration.ofSeconds(10), "a record sealed under " + v2, () -> {
                last.set(sealedUnder(seal.apply(record(n[0]++))));
                return v2.equals(last.get());
            });
            assertEquals(v2, sealedUnder(seal.apply(record(n[0]))), "and every record after it");
            // In order on one partition: the malformed and foreign events were read first and cost nothing.
            assertEquals(resolves + 1, seal.metrics().kmsCalls("resolve"), "one re-resolve, for our event only");
            assertEquals(1, seal.metrics().get(FieldsealMetrics.ROTATION_EVENTS));
        }
    }

    @Test
    void decryptFieldsCountsACloudEventForItsKeyAndNothingElse() throws Exception {
        String v1 = kv.createRsaKey("smt-dec");
        String topic = "smt-dec-events";
        broker.createTopic(topic, 1);
        try (DecryptFields.Value<SourceRecord> open = new DecryptFields.Value<>()) {
            open.configure(props("smt-dec", topic));
            String v2 = kv.rotate("smt-dec");
            List<String> events = new java.util.ArrayList<>(noise());
            events.add(RotationEventsTopic.cloudEvent(kv.keyId("smt-dec", v2), "smt-dec", v2));
            RotationEventsTopic.publish(broker.bootstrapServers(), topic, events);
            until(Duration.ofSeconds(10), "the rotation event counted",
                    () -> open.metrics().get(FieldsealMetrics.ROTATION_EVENTS) > 0);
            assertEquals(1, open.metrics().get(FieldsealMetrics.ROTATION_EVENTS), "only the event for our key");
            assertEquals(0, open.metrics().kmsCalls("unwrap"), "a reader needs nothing from the new version yet");
            assertTrue(!v1.equals(v2));
        }
    }

    @Test
    void aTopicWithoutBrokersIsAConfigErrorNamingTheKeyToSet() {
        Map<String, Object> p = props("smt-enc", "events");
        p.remove("rotation.events.consumer.bootstrap.servers");
        String key = "rotation.events.consumer.bootstrap.servers";
        for (org.apache.kafka.connect.transforms.Transformation<SourceRecord> t
                : List.<org.apache.kafka.connect.transforms.Transformation<SourceRecord>>of(
                        new EncryptFields.Value<>(), new DecryptFields.Value<>())) {
            Map<String, String> text = new HashMap<>();
            p.forEach((k, v) -> text.put(k, v.toString()));
            ConfigValue v = t.config().validate(text).stream().filter(c -> c.name().equals(key)).findFirst()
                    .orElseThrow();
            assertEquals(1, v.errorMessages().size(), v.toString());
            assertTrue(v.errorMessages().get(0).contains("\"" + key + "\""), v.errorMessages().get(0));
            ConfigException e = assertThrows(ConfigException.class, () -> t.configure(p));
            assertTrue(e.getMessage().contains("\"" + key + "\""), e.getMessage());
            t.close();
        }
        Map<String, String> off = new HashMap<>();
        props("smt-enc", "x").forEach((k, v) -> off.put(k, v.toString()));
        off.remove("rotation.events.topic");
        off.remove(key);
        assertTrue(new EncryptFields.Value<SourceRecord>().config().validate(off).stream()
                .allMatch(c -> c.errorMessages().isEmpty()), "no topic, nothing required");
    }
}
