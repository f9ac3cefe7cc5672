package dev.fieldseal.testkit;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;

/**
 * A single-node KRaft broker for one test class: start it in {@code @BeforeAll}, close it in
 * {@code @AfterAll}.
 *
 * <p>In-JVM ({@link KafkaClusterTestKit}) by default. With {@code -Dfieldseal.test.broker=container}
 * and a reachable Docker engine it is a Testcontainers {@code apache/kafka} container instead
 * ({@code -Dfieldseal.test.kafka.image} overrides the image).
 *
 * <p>The in-JVM broker sets what a one-node cluster needs and the defaults get wrong: internal
 * topics with replication factor 1 (with the default 3, consumer groups and Streams hang without
 * an error), min ISR 1, and no initial rebalance delay.
 */
public final class KafkaBroker implements AutoCloseable {

    public static final String MODE_PROPERTY = "fieldseal.test.broker";
    public static final String IMAGE_PROPERTY = "fieldseal.test.kafka.image";
    private static final String DEFAULT_IMAGE = "apache/kafka:4.3.1";

    private final KafkaClusterTestKit cluster;
    private final KafkaContainer container;
    private final String bootstrapServers;

    private KafkaBroker(KafkaClusterTestKit cluster, KafkaContainer container, String bootstrapServers) {
        this.cluster = cluster;
        this.container = container;
        this.bootstrapServers = bootstrapServers;
    }

    /** Starts a broker with the default settings. */
    public static KafkaBroker start() {
        return start(Map.of());
    }

    /** Starts a broker; {@code brokerProps} are added to (or override) the one-node defaults. */
    public static KafkaBroker start(Map<String, String> brokerProps) {
        if ("container".equals(System.getProperty(MODE_PROPERTY)) && DockerClientFactory.instance().isDockerAvailable()) {
            KafkaContainer c = new KafkaContainer(System.getProperty(IMAGE_PROPERTY, DEFAULT_IMAGE));
            brokerProps.forEach((k, v) -> c.withEnv("KAFKA_" + k.toUpperCase().replace('.', '_'), v));
            c.start();
            return new KafkaBroker(null, c, c.getBootstrapServers());
        }
        try {
            KafkaClusterTestKit.Builder b = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                    .setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).build());
            oneNodeDefaults().forEach(b::setConfigProp);
            brokerProps.forEach(b::setConfigProp);
            KafkaClusterTestKit kit = b.build();
            kit.format();
            kit.startup();
            kit.waitForReadyBrokers();
            return new KafkaBroker(kit, null, kit.bootstrapServers());
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the in-JVM Kafka broker", e);
        }
    }

    static Map<String, String> oneNodeDefaults() {
        return Map.of(
                "offsets.topic.replication.factor", "1",
                "offsets.topic.num.partitions", "1",
                "transaction.state.log.replication.factor", "1",
                "transaction.state.log.min.isr", "1",
                "min.insync.replicas", "1",
                "share.coordinator.state.topic.replication.factor", "1",
                "share.coordinator.state.topic.min.isr", "1",
                "group.initial.rebalance.delay.ms", "0");
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** True when backed by a container rather than the in-JVM broker. */
    public boolean containerised() {
        return container != null;
    }

    /** A new admin client; the caller closes it. */
    public Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
    }

    /** Creates a topic (replication factor 1) unless it exists. */
    public void createTopic(String name, int partitions) {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get();
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("cannot create topic " + name, e.getCause());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public void createTopic(String name) {
        createTopic(name, 1);
    }

    @Override
    public void close() {
        if (container != null) {
            container.stop();
        }
        if (cluster != null) {
            try {
                cluster.close();
            } catch (Exception e) {
                throw new IllegalStateException("cannot stop the in-JVM Kafka broker", e);
            }
        }
    }
}
