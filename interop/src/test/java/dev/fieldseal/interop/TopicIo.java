package dev.fieldseal.interop;

import dev.fieldseal.testkit.KafkaBroker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Raw bytes in and out of a test broker's topics, as a record's writer and reader see them. */
final class TopicIo {

    private final KafkaBroker broker;

    TopicIo(KafkaBroker broker) {
        this.broker = broker;
    }

    String bootstrapServers() {
        return broker.bootstrapServers();
    }

    /** Creates the topics (one partition each: record order is what the tests compare by) in one request. */
    void create(List<String> topics) {
        List<NewTopic> nt = topics.stream().map(t -> new NewTopic(t, 1, (short) 1)).toList();
        try (var admin = broker.admin()) {
            admin.createTopics(nt).all().get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot create topics", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    KafkaProducer<byte[], byte[]> producer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new ByteArraySerializer(), new ByteArraySerializer());
    }

    void produce(String topic, byte[] key, byte[] value, Iterable<Header> headers) {
        try (KafkaProducer<byte[], byte[]> p = producer()) {
            p.send(new ProducerRecord<>(topic, null, key, value, headers));
            p.flush();
        }
    }

    /** Every record of a topic, from the start, in partition and offset order; waits until there are at least {@code n}. */
    List<ConsumerRecord<byte[], byte[]>> read(String topic, int n) {
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            // assigned, not subscribed: no group to join
            List<TopicPartition> parts = c.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
            long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (out.size() < n && System.nanoTime() < end) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
            // what else is already there (a topic may hold more than the caller waits for)
            c.poll(Duration.ofMillis(300)).forEach(out::add);
            if (out.size() < n) {
                throw new AssertionError("read " + out.size() + " of " + n + " records from " + topic);
            }
            out.sort(Comparator.comparingInt((ConsumerRecord<byte[], byte[]> r) -> r.partition())
                    .thenComparingLong(ConsumerRecord::offset));
            return out;
        }
    }
}
