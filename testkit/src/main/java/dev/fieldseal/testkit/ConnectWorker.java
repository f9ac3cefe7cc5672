package dev.fieldseal.testkit;

import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.apache.kafka.connect.util.clusters.EmbeddedKafkaCluster;

/**
 * One real Connect worker (distributed mode) with its own one-node broker, for one test class.
 *
 * <p>{@code plugin.discovery=service_load} is the default here: the reflective scan Connect does
 * otherwise takes 7 s and over a gigabyte. Plugins therefore need their
 * {@code META-INF/services} manifests, as they do in production. Any worker property (such as
 * {@code plugin.path}) can be overridden.
 */
public final class ConnectWorker implements AutoCloseable {

    private final EmbeddedConnectCluster connect;

    private ConnectWorker(EmbeddedConnectCluster connect) {
        this.connect = connect;
    }

    public static ConnectWorker start() {
        return start(Map.of());
    }

    /** Starts a worker; {@code workerProps} override the defaults (e.g. {@code plugin.path}). */
    public static ConnectWorker start(Map<String, String> workerProps) {
        Map<String, String> worker = new HashMap<>(Map.of(
                "plugin.discovery", "service_load",
                "offset.storage.partitions", "1",
                "status.storage.partitions", "1",
                "offset.flush.interval.ms", "500"));
        worker.putAll(workerProps);
        Properties broker = new Properties();
        broker.putAll(KafkaBroker.oneNodeDefaults());
        EmbeddedConnectCluster c = new EmbeddedConnectCluster.Builder()
                .name("fieldseal-connect")
                .numWorkers(1)
                .numBrokers(1)
                .workerProps(worker)
                .brokerProps(broker)
                .build();
        c.start();
        return new ConnectWorker(c);
    }

    /** The cluster, for REST calls ({@code configureConnector}, {@code validateConnectorConfig}) and assertions. */
    public EmbeddedConnectCluster cluster() {
        return connect;
    }

    public EmbeddedKafkaCluster kafka() {
        return connect.kafka();
    }

    public String bootstrapServers() {
        return connect.kafka().bootstrapServers();
    }

    @Override
    public void close() {
        connect.stop();
    }
}
