package dev.fieldseal.metrics;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.metrics.stats.Avg;
import org.apache.kafka.common.metrics.stats.Max;
import org.apache.kafka.common.metrics.stats.Percentile;
import org.apache.kafka.common.metrics.stats.Percentiles;

/**
 * Key Vault call latency as Kafka metrics, for the hosts that publish through a client's or a
 * Connect worker's metrics (KIP-877 plugin metrics, hence JMX): one sensor per operation and
 * outcome, with {@code kms-call-latency-avg}, {@code -max}, {@code -p50}, {@code -p95} and
 * {@code -p99} in milliseconds, from Kafka's own histogram stat ({@link Percentiles}) over its
 * sample window. Sensors are made at a call's first occurrence; operations and outcomes are
 * fixed words, so there are at most a few dozen.
 */
public final class KmsLatencySensors implements FieldsealMetrics.KmsLatencyListener {

    public static final String NAME = "kms-call-latency";
    /** The histogram's range: a call slower than the longest timeout with retries lands in the top bucket. */
    private static final double MAX_MS = 120_000;
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final PluginMetrics plugin;
    private final String prefix = "fieldseal-" + NAME + "-" + INSTANCES.incrementAndGet() + "-";
    /** By operation and outcome; {@link Optional#empty()} when the names are still held by a previous instance. */
    private final Map<String, Optional<Sensor>> sensors = new ConcurrentHashMap<>();

    private KmsLatencySensors(PluginMetrics plugin) {
        this.plugin = plugin;
    }

    /** Publishes the Key Vault call latencies of {@code metrics} through {@code plugin}. */
    public static void register(PluginMetrics plugin, FieldsealMetrics metrics) {
        metrics.onKmsLatency(new KmsLatencySensors(plugin));
    }

    @Override
    public void kmsCall(String operation, String outcome, long nanos) {
        // On the completion of a Key Vault call: never throws.
        sensors.computeIfAbsent(operation + "|" + outcome, k -> sensor(operation, outcome))
                .ifPresent(s -> s.record(nanos / 1_000_000.0));
    }

    private Optional<Sensor> sensor(String operation, String outcome) {
        try {
            return Optional.of(newSensor(operation, outcome));
        } catch (IllegalArgumentException taken) {
            // A restarted Connect task whose previous instance has not stopped yet still holds the names.
            return Optional.empty();
        }
    }

    private Sensor newSensor(String operation, String outcome) {
        Sensor s = plugin.addSensor(prefix + operation + "-" + outcome);
        s.add(plugin.metricName(NAME + "-avg", "Average Key Vault call latency (ms)", tags(operation, outcome)),
                new Avg());
        s.add(plugin.metricName(NAME + "-max", "Longest Key Vault call (ms)", tags(operation, outcome)), new Max());
        s.add(new Percentiles(4_000, MAX_MS, Percentiles.BucketSizing.LINEAR,
                new Percentile(plugin.metricName(NAME + "-p50", "Median Key Vault call latency (ms)",
                        tags(operation, outcome)), 50),
                new Percentile(plugin.metricName(NAME + "-p95", "95th percentile of Key Vault call latency (ms)",
                        tags(operation, outcome)), 95),
                new Percentile(plugin.metricName(NAME + "-p99", "99th percentile of Key Vault call latency (ms)",
                        tags(operation, outcome)), 99)));
        return s;
    }

    private static LinkedHashMap<String, String> tags(String operation, String outcome) {
        LinkedHashMap<String, String> t = new LinkedHashMap<>();
        t.put("operation", operation);
        t.put("outcome", outcome);
        return t;
    }
}
