package dev.fieldseal.streams;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Producing to and reading from the test broker. */
final class KafkaIo {

    private KafkaIo() {
    }

    static void produce(String bootstrap, String topic, List<byte[]> values) {
        produce(bootstrap, topic, java.util.Collections.nCopies(values.size(), null), values);
    }

    /** Records of the given keys and values, in order. */
    static void produce(String bootstrap, String topic, List<byte[]> keys, List<byte[]> values) {
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all"), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < values.size(); i++) {
                p.send(new ProducerRecord<>(topic, keys.get(i), values.get(i)));
            }
            p.flush();
        }
    }

    /** Reads {@code n} committed records from the start of a topic, or fails after {@code timeout}. */
    static List<ConsumerRecord<byte[], byte[]>> read(String bootstrap, String topic, int n, Duration timeout) {
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "reader-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of(topic));
            List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
            long end = System.nanoTime() + timeout.toNanos();
            while (out.size() < n && System.nanoTime() < end) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
            if (out.size() < n) {
                throw new AssertionError("read " + out.size() + " of " + n + " records from " + topic);
            }
            return out;
        }
    }
}
