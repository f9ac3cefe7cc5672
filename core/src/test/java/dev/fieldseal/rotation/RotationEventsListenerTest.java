package dev.fieldseal.rotation;

import static dev.fieldseal.testkit.Await.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fieldseal.config.FieldsealConfig;
import dev.fieldseal.testkit.KafkaBroker;
import dev.fieldseal.testkit.RotationEventsTopic;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The listener on a real broker: where it starts, what it skips, a topic that appears late, close. */
class RotationEventsListenerTest {

    private static final String VAULT = "https://v.vault.azure.net";
    private static KafkaBroker broker;

    @BeforeAll
    static void start() {
        broker = KafkaBroker.start();
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    private static RotationEventsListener listen(String topic, long sinceMs, List<String> seen) {
        Map<String, Object> props = RotationEventsSettings.of(new FieldsealConfig(Map.of(
                FieldsealConfig.ROTATION_EVENTS_TOPIC, topic,
                FieldsealConfig.ROTATION_EVENTS_BOOTSTRAP_SERVERS, broker.bootstrapServers()))).consumerProps(Map.of());
        return RotationEventsListener.start(topic, props, sinceMs, seen::add);
    }

    private static String event(String name, String version, boolean cloudEvent) {
        String id = VAULT + "/keys/" + name + "/" + version;
        return cloudEvent ? RotationEventsTopic.cloudEvent(id, name, version)
                : RotationEventsTopic.eventGrid(id, name, version);
    }

    @Test
    void eventsOlderThanTheStartAreSkippedAndMalformedOrForeignRecordsIgnored() throws Exception {
        String topic = "events-start";
        broker.createTopic(topic, 2);
        RotationEventsTopic.publish(broker.bootstrapServers(), topic, List.of(event("stale", "1", false)));
        List<String> seen = new CopyOnWriteArrayList<>();
        try (RotationEventsListener l = listen(topic, System.currentTimeMillis(), seen)) {
            RotationEventsTopic.publish(broker.bootstrapServers(), topic, List.of(
                    "not json {",
                    "{\"eventType\":\"Microsoft.Storage.BlobCreated\",\"data\":{\"url\":\"x\"}}",
                    "",
                    event("pii", "2", true)));
            until(Duration.ofSeconds(10), "the rotation event", () -> !seen.isEmpty());
            // Same partition, in order: everything written before the genuine event has been read.
            assertEquals(List.of(VAULT + "/keys/pii"), seen);
        }
    }

    @Test
    void aTopicCreatedLaterIsPickedUpAndCloseEndsTheThread() throws Exception {
        String topic = "events-late";
        List<String> seen = new CopyOnWriteArrayList<>();
        RotationEventsListener l = listen(topic, System.currentTimeMillis(), seen);
        try {
            assertTrue(l.running(), "a missing topic is retried, not fatal");
            broker.createTopic(topic, 1);
            RotationEventsTopic.publish(broker.bootstrapServers(), topic, List.of(event("orders", "7", false)));
            until(Duration.ofSeconds(20), "the event on the late topic", () -> !seen.isEmpty());
            assertEquals(List.of(VAULT + "/keys/orders"), seen);
        } finally {
            l.close();
        }
        assertFalse(l.running(), "close() waits for the thread");
    }
}
