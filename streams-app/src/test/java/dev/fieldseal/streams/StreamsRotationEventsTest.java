package dev.fieldseal.streams;

import static dev.fieldseal.streams.Fixtures.header;
import static dev.fieldseal.testkit.Await.until;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fieldseal.codec.JsonValueCodec;
import dev.fieldseal.config.FieldsealConfig;
import dev.fieldseal.envelope.SealedRecord;
import dev.fieldseal.envelope.Sealer;
import dev.fieldseal.field.FieldPath;
import dev.fieldseal.field.FieldSelection;
import dev.fieldseal.metrics.FieldsealMetrics;
import dev.fieldseal.model.json.JsonBytesEncryptor;
import dev.fieldseal.testkit.KafkaBroker;
import dev.fieldseal.testkit.KeyVaultDouble;
import dev.fieldseal.testkit.RotationEventsTopic;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rotation events in the app's rekey and decrypt modes, through the shared listener (the encrypt
 * mode's pickup is in {@link StreamsAppBrokerTest}): with kek.refresh.ms an hour, only the event
 * can move a running rekey to the new version; decrypt counts it. Malformed events and events for
 * other keys, read first on the same partition, change nothing.
 */
class StreamsRotationEventsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    static KafkaBroker broker;
    static KeyVaultDouble vault;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        broker = KafkaBroker.start();
        vault = new KeyVaultDouble();
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

    private Path config(String appId, String mode, String key, String in, String out, String events)
            throws Exception {
        for (String t : List.of(in, out, events)) {
            broker.createTopic(t, 1);
        }
        Properties p = new Properties();
        p.put("application.id", appId);
        p.put("bootstrap.servers", broker.bootstrapServers()); // the events consumer borrows it
        p.put("commit.interval.ms", "100");
        p.put("num.stream.threads", "1");
        p.put("state.dir", dir.resolve("state-" + appId).toString());
        p.put("fieldseal.mode", mode);
        p.put("fieldseal.kek.id", vault.keyId(key));
        p.put("fieldseal.azure.credential", "emulator");
        p.put("fieldseal.azure.tls.ca.file", vault.caPemFile().toString());
        p.put("fieldseal.kek.refresh.ms", "3600000");
        p.put("fieldseal.kms.retry.backoff.ms", "50");
        p.put("fieldseal.routes", "c");
        p.put("fieldseal.route.c.input", in);
        p.put("fieldseal.route.c.output", out);
        p.put("fieldseal.rotation.events.topic", events);
        p.put("fieldseal.rotation.events.consumer.client.id", appId + "-rotation-events");
        p.put("fieldseal.http.port", "-1");
        p.put("fieldseal.shutdown.timeout.ms", "10000");
        Path f = dir.resolve(appId + ".properties");
        try (var w = Files.newBufferedWriter(f)) {
            p.store(w, null);
        }
        return f;
    }

    private static List<String> noise(String topicKey) {
        return List.of("{\"type\":\"Microsoft.KeyVault.KeyNewVersionCreated\",", RotationEventsTopic.eventGrid(
                vault.keyId(topicKey + "-other", "v9"), topicKey + "-other", "v9"));
    }

    @Test
    void aRunningRekeyMovesToTheVersionACloudEventAnnounces() throws Exception {
        String key = "st-rekey";
        String v1 = vault.createRsaKey(key);
        Path cfg = config("st-rekey", "rekey", key, "st-rk-in", "st-rk-out", "st-rk-events");
        FieldsealConfig pinned = new FieldsealConfig(Map.of("kek.id", vault.keyId(key, v1),
                "azure.credential", "emulator", "azure.tls.ca.file", vault.caPemFile().toString()));
        List<ConsumerRecord<byte[], byte[]>> out = new CopyOnWriteArrayList<>();
        try (Sealer sealer = Sealer.create(pinned, new FieldsealMetrics());
                KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers",
                        broker.bootstrapServers(), "acks", "all"), new ByteArraySerializer(), new ByteArraySerializer());
                KafkaConsumer<byte[], byte[]> reader = new KafkaConsumer<>(Map.of("bootstrap.servers",
                        broker.bootstrapServers()), new ByteArrayDeserializer(), new ByteArrayDeserializer());
                StreamsService rk = FieldsealStreamsApp.launch(cfg)) {
            JsonBytesEncryptor enc = new JsonBytesEncryptor(sealer, FieldSelection.of(
                    FieldPath.parseAll(List.of("ssn", "email")), List.of()), new JsonValueCodec(), JSON);
            int[] id = {0};
            Runnable sendOne = () -> {
                try {
                    JsonBytesEncryptor.Result r = enc.encrypt(
                            Fixtures.customerJson(id[0]++).getBytes(StandardCharsets.UTF_8));
                    ProducerRecord<byte[], byte[]> rec = new ProducerRecord<>("st-rk-in", null, r.value());
                    r.sealed().headers().forEach((n, v) -> rec.headers().add(n, v));
                    producer.send(rec).get();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            };
            TopicPartition tp = new TopicPartition("st-rk-out", 0);
            reader.assign(List.of(tp));
            reader.seekToBeginning(List.of(tp));
            Fixtures.awaitRunning(rk);

            // Before the rotation the rekey's target is v1: a v1 record passes unchanged.
            sendOne.run();
            until(Duration.ofSeconds(60), "the first record", () -> {
                reader.poll(Duration.ofMillis(100)).forEach(out::add);
                return !out.isEmpty();
            });
            assertEquals(v1, header(out.get(0).headers(), SealedRecord.KEK_VERSION_HEADER));

            String v2 = vault.rotate(key);
            List<String> events = new ArrayList<>(noise(key));
            events.add(RotationEventsTopic.cloudEvent(vault.keyId(key, v2), key, v2));
            RotationEventsTopic.publish(broker.bootstrapServers(), "st-rk-events", events);
            until(Duration.ofSeconds(20), "a record re-keyed to " + v2, () -> {
                sendOne.run();
                reader.poll(Duration.ofMillis(200)).forEach(out::add);
                return v2.equals(header(out.get(out.size() - 1).headers(), SealedRecord.KEK_VERSION_HEADER));
            });
            ConsumerRecord<byte[], byte[]> last = out.get(out.size() - 1);
            for (String f : List.of("ssn", "email")) {
                assertEquals(v2, Fixtures.envelope(JSON.readTree(last.value()).get(f).textValue()).edek().kek()
                        .version(), "the envelope names what the header names");
            }
            out.forEach(r -> KeyRetirementTopologyTest.assertInvariant(r.key(), r.value(), r.headers()));
            assertEquals(1, rk.appMetrics().rotationEvents(), "only the event for our key");
            assertEquals(1, rk.appMetrics().rotationRefreshes());
            assertEquals(1, rk.metrics().get(FieldsealMetrics.ROTATION_EVENTS));
        }
    }

    @Test
    void decryptModeCountsAnEventGridEventForItsKeyAndNothingElse() throws Exception {
        String key = "st-dec";
        vault.createRsaKey(key);
        Path cfg = config("st-dec", "decrypt", key, "st-dec-in", "st-dec-out", "st-dec-events");
        try (StreamsService dec = FieldsealStreamsApp.launch(cfg)) {
            String v2 = vault.rotate(key);
            List<String> events = new ArrayList<>(noise(key));
            events.add(RotationEventsTopic.eventGrid(vault.keyId(key, v2), key, v2));
            RotationEventsTopic.publish(broker.bootstrapServers(), "st-dec-events", events);
            until(Duration.ofSeconds(20), "the event counted", () -> dec.appMetrics().rotationEvents() > 0);
            assertEquals(1, dec.appMetrics().rotationEvents(), "only the event for our key");
            assertEquals(1, dec.metrics().get(FieldsealMetrics.ROTATION_EVENTS));
            assertEquals(0, dec.appMetrics().rotationRefreshes(), "decrypting needs no refresh");
        }
    }
}
