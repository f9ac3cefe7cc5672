package dev.fieldseal.testkit;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Key Vault rotation events as Event Grid delivers them ({@code Microsoft.KeyVault.KeyNewVersionCreated},
 * in the Event Grid schema or as a CloudEvent), and a way to write them to a topic.
 */
public final class RotationEventsTopic {

    private RotationEventsTopic() {
    }

    /** An Event Grid schema event (a one-element array, as Event Grid sends them) for {@code keyIdWithVersion}. */
    public static String eventGrid(String keyIdWithVersion, String name, String version) {
        return """
                [{"id":"%s","topic":"/subscriptions/s/resourceGroups/g/providers/Microsoft.KeyVault/vaults/v",
                  "subject":"%s","eventType":"Microsoft.KeyVault.KeyNewVersionCreated",
                  "data":{"Id":"%s","VaultName":"v","ObjectType":"Key","ObjectName":"%s","Version":"%s"},
                  "dataVersion":"1","metadataVersion":"1","eventTime":"2026-01-01T00:00:00Z"}]"""
                .formatted(java.util.UUID.randomUUID(), name, keyIdWithVersion, name, version);
    }

    /** A CloudEvents 1.0 JSON event for {@code keyIdWithVersion}. */
    public static String cloudEvent(String keyIdWithVersion, String name, String version) {
        return """
                {"specversion":"1.0","id":"%s","source":"/subscriptions/s/resourceGroups/g/providers/Microsoft.KeyVault/vaults/v",
                 "subject":"%s","type":"Microsoft.KeyVault.KeyNewVersionCreated","time":"2026-01-01T00:00:00Z",
                 "data":{"Id":"%s","VaultName":"v","ObjectType":"Key","ObjectName":"%s","Version":"%s"}}"""
                .formatted(java.util.UUID.randomUUID(), name, keyIdWithVersion, name, version);
    }

    /** Writes each text as one record (in order, one partition) and waits until all are acknowledged. */
    public static void publish(String bootstrapServers, String topic, List<String> events) {
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrapServers,
                "acks", "all"), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (String e : events) {
                p.send(new ProducerRecord<>(topic, 0, null, e.getBytes(StandardCharsets.UTF_8))).get();
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot write to " + topic, e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
