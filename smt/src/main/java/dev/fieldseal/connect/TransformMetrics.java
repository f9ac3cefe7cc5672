package dev.fieldseal.connect;

import dev.fieldseal.metrics.FieldsealMetrics;
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

    private TransformMetrics() {
    }

    static void register(PluginMetrics pluginMetrics, FieldsealMetrics m, boolean encrypting) {
        Map<String, ToLongFunction<FieldsealMetrics>> gauges = new LinkedHashMap<>();
        if (encrypting) {
            gauges.put(FieldsealMetrics.RECORDS_ENCRYPTED, x -> x.get(FieldsealMetrics.RECORDS_ENCRYPTED));
            gauges.put(FieldsealMetrics.FIELDS_ENCRYPTED, x -> x.get(FieldsealMetrics.FIELDS_ENCRYPTED));
            gauges.put(FieldsealMetrics.DEKS_CREATED, x -> x.get(FieldsealMetrics.DEKS_CREATED));
            gauges.put(FieldsealMetrics.DEKS_RETIRED, x -> x.get(FieldsealMetrics.DEKS_RETIRED));
        } else {
            gauges.put(FieldsealMetrics.RECORDS_DECRYPTED, x -> x.get(FieldsealMetrics.RECORDS_DECRYPTED));
            gauges.put(FieldsealMetrics.FIELDS_DECRYPTED, x -> x.get(FieldsealMetrics.FIELDS_DECRYPTED));
        }
        gauges.put(FieldsealMetrics.DEK_CACHE_HITS, x -> x.get(FieldsealMetrics.DEK_CACHE_HITS));
        gauges.put(FieldsealMetrics.DEK_CACHE_MISSES, x -> x.get(FieldsealMetrics.DEK_CACHE_MISSES));
        for (String op : new String[] {"resolve", "wrap", "unwrap"}) {
            gauges.put(FieldsealMetrics.KMS_CALLS + "-" + op, x -> x.kmsCalls(op));
        }
        gauges.put(FieldsealMetrics.KMS_CALLS + "-failed", TransformMetrics::failedKmsCalls);
        gauges.put(FieldsealMetrics.FAILURES, TransformMetrics::failures);
        gauges.forEach((name, f) -> {
            MetricName mn = pluginMetrics.metricName(name, description(name), new LinkedHashMap<>());
            pluginMetrics.addMetric(mn, (Gauge<Long>) (config, now) -> f.applyAsLong(m));
        });
    }

    private static long failedKmsCalls(FieldsealMetrics m) {
        return sum(m, FieldsealMetrics.KMS_CALLS + "{", true);
    }

    private static long failures(FieldsealMetrics m) {
        return sum(m, FieldsealMetrics.FAILURES + "{", false);
    }

    private static long sum(FieldsealMetrics m, String prefix, boolean failedOnly) {
        long n = 0;
        for (Map.Entry<String, Long> e : m.snapshot().entrySet()) {
            if (e.getKey().startsWith(prefix) && !(failedOnly && e.getKey().endsWith("outcome=success}"))) {
                n += e.getValue();
            }
        }
        return n;
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
            default: return name.startsWith(FieldsealMetrics.KMS_CALLS + "-failed")
                    ? "Key manager calls that failed" : "Key manager calls: " + name.substring(10);
        }
    }
}
