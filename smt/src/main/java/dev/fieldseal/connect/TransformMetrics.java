package dev.fieldseal.connect;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import dev.fieldseal.failure.FailureClass;
import dev.fieldseal.metrics.FieldsealMetrics;
import dev.fieldseal.metrics.KmsLatencySensors;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.ToLongFunction;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Gauge;
import org.apache.kafka.common.metrics.PluginMetrics;

/**
 * Publishes a transform's {@link FieldsealMetrics} through the worker's plugin metrics (KIP-877):
 * Connect registers them under its JMX domain as
 * {@code kafka.connect:type=plugins,connector=<name>,task=<n>,transformation=<alias>}, next to
 * the worker's own metrics, and removes them when the task stops.
 */
final class TransformMetrics {

    private static final Logger LOG = LoggerFactory.getLogger(TransformMetrics.class);

    private TransformMetrics() {
    }

    static void register(PluginMetrics pluginMetrics, FieldsealMetrics m, boolean encrypting) {
        KmsLatencySensors.register(pluginMetrics, m);
        Map<String, ToLongFunction<FieldsealMetrics>> gauges = new LinkedHashMap<>();
        if (encrypting) {
            gauges.put(FieldsealMetrics.RECORDS_ENCRYPTED, x -> x.get(FieldsealMetrics.RECORDS_ENCRYPTED));
            gauges.put(FieldsealMetrics.FIELDS_ENCRYPTED, x -> x.get(FieldsealMetrics.FIELDS_ENCRYPTED));
            gauges.put(FieldsealMetrics.DEKS_CREATED, x -> x.get(FieldsealMetrics.DEKS_CREATED));
            gauges.put(FieldsealMetrics.DEKS_RETIRED, x -> x.get(FieldsealMetrics.DEKS_RETIRED));
        } else {
            gauges.put(FieldsealMetrics.RECORDS_DECRYPTED, x -> x.get(FieldsealMetrics.RECORDS_DECRYPTED));
            gauges.put(FieldsealMetrics.FIELDS_DECRYPTED, x -> x.get(FieldsealMetrics.FIELDS_DECRYPTED));
            gauges.put(FieldsealMetrics.FIELDS_MASKED, x -> x.get(FieldsealMetrics.FIELDS_MASKED));
            gauges.put(FieldsealMetrics.FIELDS_LEFT_SEALED, x -> x.get(FieldsealMetrics.FIELDS_LEFT_SEALED));
        }
        gauges.put(FieldsealMetrics.DEK_CACHE_HITS, x -> x.get(FieldsealMetrics.DEK_CACHE_HITS));
        gauges.put(FieldsealMetrics.DEK_CACHE_MISSES, x -> x.get(FieldsealMetrics.DEK_CACHE_MISSES));
        for (String op : new String[] {"resolve", "wrap", "unwrap"}) {
            gauges.put(FieldsealMetrics.KMS_CALLS + "-" + op, x -> x.kmsCalls(op));
        }
        gauges.put(FieldsealMetrics.KMS_CALLS + "-failed", FieldsealMetrics::kmsCallsFailed);
        gauges.put(FieldsealMetrics.FAILURES, x -> x.total(FieldsealMetrics.FAILURES));
        gauges.put(FieldsealMetrics.ROTATION_EVENTS, x -> x.get(FieldsealMetrics.ROTATION_EVENTS));
        Map<String, Map<String, String>> tags = new LinkedHashMap<>();
        if (!encrypting) {
            for (FailureClass c : FailureClass.values()) {
                String series = FieldsealMetrics.FAILURES + "{cause=" + c.metricCause() + "}";
                gauges.put(series, x -> x.get(series));
                tags.put(series, Map.of("cause", c.metricCause()));
            }
        }
        gauges.forEach((name, f) -> {
            Map<String, String> t = tags.get(name);
            MetricName mn = t == null ? pluginMetrics.metricName(name, description(name), new LinkedHashMap<>())
                    : pluginMetrics.metricName(FieldsealMetrics.FAILURES, "Values that could not be decrypted, by cause",
                            new LinkedHashMap<>(t));
            try {
                pluginMetrics.addMetric(mn, (Gauge<Long>) (config, now) -> f.applyAsLong(m));
            } catch (IllegalArgumentException taken) {
                // A restarted task whose previous instance did not stop in time (Connect abandons it after
                // task.shutdown.graceful.timeout.ms, e.g. while it waits on Key Vault) still holds the names
                // until it ends. Metrics must never keep the task from starting.
                LOG.warn("Metric {} of {} is still registered by a previous instance of this task that has not "
                        + "stopped yet; this instance runs without publishing it.", name, mn.tags());
            }
        });
    }

    private static String description(String name) {
        switch (name) {
            case FieldsealMetrics.RECORDS_ENCRYPTED: return "Records with at least one field encrypted";
            case FieldsealMetrics.FIELDS_ENCRYPTED: return "Field values encrypted";
            case FieldsealMetrics.RECORDS_DECRYPTED: return "Records passed through decryption";
            case FieldsealMetrics.FIELDS_DECRYPTED: return "Field values decrypted";
            case FieldsealMetrics.DEKS_CREATED: return "Data keys created (and wrapped)";
            case FieldsealMetrics.DEKS_RETIRED: return "Data keys retired (limit, age or KEK rotation)";
            case FieldsealMetrics.DEK_CACHE_HITS: return "Unwrapped data keys found in the cache";
            case FieldsealMetrics.DEK_CACHE_MISSES: return "Unwrapped data keys not in the cache (one unwrap each)";
            case FieldsealMetrics.FAILURES: return "Failures by any cause (see logs)";
            case FieldsealMetrics.FIELDS_MASKED: return "Values masked under on.failure=mask";
            case FieldsealMetrics.FIELDS_LEFT_SEALED: return "Values passed on sealed under on.failure=ciphertext";
            case FieldsealMetrics.ROTATION_EVENTS: return "Key Vault rotation events for a key this transform uses";
            default: return name.startsWith(FieldsealMetrics.KMS_CALLS + "-failed")
                    ? "Key manager calls that failed" : "Key manager calls: " + name.substring(10);
        }
    }
}
