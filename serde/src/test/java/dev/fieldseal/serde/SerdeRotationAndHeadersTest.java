package dev.fieldseal.serde;

import static dev.fieldseal.testkit.Await.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fieldseal.envelope.Unsealer;
import dev.fieldseal.format.EdekHeader;
import dev.fieldseal.format.Envelope;
import dev.fieldseal.format.EnvelopeLayout;
import dev.fieldseal.kms.Edek;
import dev.fieldseal.metrics.FieldsealMetrics;
import dev.fieldseal.testkit.KafkaBroker;
import dev.fieldseal.testkit.KeyVaultDouble;
import dev.fieldseal.testkit.RotationEventsTopic;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The serdes on a real broker: the serializer inside a producer follows a rotation event (its
 * consumer borrows the producer's brokers), the deserializer counts one, and a key and a value
 * serializer on the same record leave headers that both deserializers read and that name exactly
 * the versions the envelopes name.
 */
class SerdeRotationAndHeadersTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static KafkaBroker broker;
    private static KeyVaultDouble vault;

    @BeforeAll
    static void start() {
        vault = new KeyVaultDouble();
        broker = KafkaBroker.start();
    }

    @AfterAll
    static void stop() {
        broker.close();
        vault.close();
    }

    /** Client properties as an application writes them: its own brokers plus fieldseal settings. */
    private static Map<String, Object> client(String kekId, Object... kv) {
        Map<String, Object> p = new HashMap<>();
        p.put("bootstrap.servers", broker.bootstrapServers());
        p.put("fieldseal.kek.id", kekId);
        p.put("fieldseal.azure.credential", "emulator");
        p.put("fieldseal.azure.tls.ca.file", vault.caPemFile().toString());
        p.put("fieldseal.kek.refresh.ms", "3600000");
        p.put("fieldseal.kms.retry.backoff.ms", "50");
        for (int i = 0; i < kv.length; i += 2) {
            p.put((String) kv[i], kv[i + 1]);
        }
        return p;
    }

    private static String header(Headers h, String name) {
        Header x = h.lastHeader(name);
        return x == null ? null : new String(x.value(), StandardCharsets.UTF_8);
    }

    private static List<String> noise() {
        return List.of("[{\"eventType\":", RotationEventsTopic.cloudEvent(vault.keyId("someone-else", "v9"),
                "someone-else", "v9"));
    }

    @Test
    void theSerializerInAProducerSealsTheNextRecordUnderTheVersionACloudEventAnnounces() throws Exception {
        String v1 = vault.createRsaKey("serde-rot");
        String topic = "serde-rot-events";
        broker.createTopic(topic, 1);
        broker.createTopic("serde-rot-out", 1);
        // The rotation events consumer gets no brokers of its own: it borrows the producer's.
        Map<String, Object> props = client(vault.keyId("serde-rot"), "fieldseal.fields", "ssn",
                "fieldseal.rotation.events.topic", topic, "acks", "all");
        EncryptingSerializer value = new EncryptingSerializer();
        value.configure(props, false);
        try (KafkaProducer<byte[], Object> producer = new KafkaProducer<>(props, new ByteArraySerializer(), value)) {
            ProducerRecord<byte[], Object> first = new ProducerRecord<>("serde-rot-out", "{\"ssn\":\"1\"}");
            producer.send(first).get();
            assertEquals(v1, header(first.headers(), "fieldseal.kek.version"));
            long resolves = value.metrics().kmsCalls("resolve");

            String v2 = vault.rotate("serde-rot");
            List<String> events = new ArrayList<>(noise());
            events.add(RotationEventsTopic.cloudEvent(vault.keyId("serde-rot", v2), "serde-rot", v2));
            RotationEventsTopic.publish(broker.bootstrapServers(), topic, events);
            until(Duration.ofSeconds(10), "a record sealed under " + v2, () -> {
                ProducerRecord<byte[], Object> r = new ProducerRecord<>("serde-rot-out", "{\"ssn\":\"2\"}");
                try {
                    producer.send(r).get();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                return v2.equals(header(r.headers(), "fieldseal.kek.version"));
            });
            assertEquals(resolves + 1, value.metrics().kmsCalls("resolve"), "one re-resolve, for our event only");
            assertEquals(1, value.metrics().get(FieldsealMetrics.ROTATION_EVENTS));
        }
        // As stored: the last record's envelope names the new version, as its header does.
        List<ConsumerRecord<byte[], byte[]>> stored = readAll("serde-rot-out");
        ConsumerRecord<byte[], byte[]> last = stored.get(stored.size() - 1);
        String v2 = vault.currentVersion("serde-rot");
        assertEquals(v2, header(last.headers(), "fieldseal.kek.version"));
        assertEquals(v2, envelope(JSON.readTree(last.value()).get("ssn").textValue()).edek().kek().version());
    }

    @Test
    void theDeserializerCountsAnEventForItsKeyAndNothingElse() throws Exception {
        vault.createRsaKey("serde-read");
        String topic = "serde-read-events";
        broker.createTopic(topic, 1);
        try (DecryptingDeserializer d = new DecryptingDeserializer()) {
            d.configure(client(vault.keyId("serde-read"), "fieldseal.rotation.events.topic", topic,
                    "group.id", "app"), false);
            String v2 = vault.rotate("serde-read");
            List<String> events = new ArrayList<>(noise());
            events.add(RotationEventsTopic.eventGrid(vault.keyId("serde-read", v2), "serde-read", v2));
            RotationEventsTopic.publish(broker.bootstrapServers(), topic, events);
            until(Duration.ofSeconds(10), "the event counted", () -> d.metrics().get(FieldsealMetrics.ROTATION_EVENTS) > 0);
            assertEquals(1, d.metrics().get(FieldsealMetrics.ROTATION_EVENTS), "only the event for our key");
        }
    }

    // ---- key and value on one record -------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"field", "header"})
    void keyAndValueSerializersShareOneSetOfHeadersThatBothDeserializersRead(String placement) throws Exception {
        String name = "serde-kv-" + placement;
        String v1 = vault.createRsaKey(name);
        // The key's serializer is pinned to v1, the value's follows the key to v2: two versions, one record.
        EncryptingSerializer key = new EncryptingSerializer();
        key.configure(client(vault.keyId(name, v1), "fieldseal.fields", "email",
                "fieldseal.envelope.placement", placement), true);
        String v2 = vault.rotate(name);
        EncryptingSerializer value = new EncryptingSerializer();
        value.configure(client(vault.keyId(name), "fieldseal.fields", "ssn",
                "fieldseal.envelope.placement", placement), false);
        String topic = "serde-kv-out-" + placement;
        broker.createTopic(topic, 1);
        String keyJson = "{\"id\":7,\"email\":\"ann@example.com\"}";
        String valueJson = "{\"id\":7,\"ssn\":\"123-45-6789\",\"city\":\"Oslo\"}";
        try (KafkaProducer<Object, Object> p = new KafkaProducer<>(Map.of("bootstrap.servers",
                broker.bootstrapServers(), "acks", "all"), key, value)) {
            p.send(new ProducerRecord<>(topic, keyJson, valueJson)).get();
        }
        ConsumerRecord<byte[], byte[]> r = readAll(topic).get(0);

        List<String> ids = new ArrayList<>();
        List<String> versions = new ArrayList<>();
        int edekHeaders = 0;
        for (Header h : r.headers()) {
            String text = new String(h.value(), StandardCharsets.UTF_8);
            switch (h.key()) {
                case "fieldseal.kek.id" -> ids.add(text);
                case "fieldseal.kek.version" -> versions.add(text);
                case EdekHeader.NAME -> edekHeaders++;
                default -> { }
            }
        }
        assertEquals(List.of(vault.keyId(name)), ids, "one key id header");
        assertEquals(List.of(String.join(",", new TreeSet<>(List.of(v1, v2)))), versions,
                "one version header naming both, sorted");
        assertEquals("header".equals(placement) ? 2 : 0, edekHeaders, "each serializer adds its own EDEK header");

        // The invariant: the headers name exactly the versions the envelopes name.
        Map<ByteBuffer, Edek> headerEdeks = new HashMap<>();
        r.headers().headers(EdekHeader.NAME).forEach(h -> headerEdeks.putAll(Unsealer.headerEdeks(h.value())));
        String keyVersion = version(JSON.readTree(r.key()).get("email").textValue(), headerEdeks);
        String valueVersion = version(JSON.readTree(r.value()).get("ssn").textValue(), headerEdeks);
        assertEquals(v1, keyVersion);
        assertEquals(v2, valueVersion);
        assertNotEquals(v1, v2);

        Map<String, Object> reader = client(vault.keyId(name));
        try (DecryptingDeserializer dk = new DecryptingDeserializer();
                DecryptingDeserializer dv = new DecryptingDeserializer()) {
            dk.configure(reader, true);
            dv.configure(reader, false);
            assertEquals(JSON.readTree(keyJson), JSON.readTree((String) dk.deserialize(topic, r.headers(), r.key())));
            assertEquals(JSON.readTree(valueJson),
                    JSON.readTree((String) dv.deserialize(topic, r.headers(), r.value())));
        } finally {
            key.close();
            value.close();
        }
    }

    private static Envelope envelope(String b64) {
        return EnvelopeLayout.parse(Base64.getDecoder().decode(b64));
    }

    /** The KEK version of a value: its inline EDEK, or the one its DEK reference names in the record's headers. */
    private static String version(String b64, Map<ByteBuffer, Edek> headerEdeks) {
        Envelope e = envelope(b64);
        Edek edek = e.edek() != null ? e.edek() : headerEdeks.get(ByteBuffer.wrap(e.dekRef()));
        return edek.kek().version();
    }

    private static List<ConsumerRecord<byte[], byte[]>> readAll(String topic) {
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of("bootstrap.servers",
                broker.bootstrapServers()), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            c.assign(List.of(tp));
            long end = c.endOffsets(List.of(tp)).get(tp);
            c.seekToBeginning(List.of(tp));
            List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (c.position(tp) < end && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
            assertEquals(end, out.size(), "records of " + topic);
            return out;
        }
    }
}
