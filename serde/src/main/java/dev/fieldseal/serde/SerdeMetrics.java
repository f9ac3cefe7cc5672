package dev.fieldseal.serde;

import dev.fieldseal.failure.FailureClass;
import dev.fieldseal.metrics.FieldsealMetrics;
import dev.fieldseal.metrics.KmsLatencySensors;
import java.util.LinkedHashMap;
import java.util.List;
import org.apache.kafka.common.metrics.Gauge;
import org.apache.kafka.common.metrics.PluginMetrics;

/**
 * Publishes the envelope's counters through the client's own metrics (KIP-877: the producer or
 * consumer hands serializers and deserializers a {@link PluginMetrics}; they then appear in
 * {@code metrics()} and JMX next to the client's, tagged with the plugin's config and class).
 */
final class SerdeMetrics {

    private static final List<String> COUNTERS = List.of(FieldsealMetrics.RECORDS_ENCRYPTED,
            FieldsealMetrics.RECORDS_DECRYPTED, FieldsealMetrics.FIELDS_ENCRYPTED, FieldsealMetrics.FIELDS_DECRYPTED,
            FieldsealMetrics.DEKS_CREATED, FieldsealMetrics.DEKS_RETIRED, FieldsealMetrics.DEK_CACHE_HITS,
            FieldsealMetrics.DEK_CACHE_MISSES, FieldsealMetrics.ROTATION_EVENTS, FieldsealMetrics.FIELDS_MASKED,
            FieldsealMetrics.FIELDS_LEFT_SEALED);

    private SerdeMetrics() {
    }

    static void register(PluginMetrics plugin, FieldsealMetrics metrics) {
        KmsLatencySensors.register(plugin, metrics);
        for (String name : COUNTERS) {
            plugin.addMetric(plugin.metricName(name, "fieldseal " + name.replace('-', ' '), new LinkedHashMap<>()),
                    (Gauge<Long>) (config, now) -> metrics.get(name));
        }
        for (String op : List.of("resolve", "wrap", "unwrap")) {
            LinkedHashMap<String, String> tags = new LinkedHashMap<>();
            tags.put("operation", op);
            plugin.addMetric(plugin.metricName(FieldsealMetrics.KMS_CALLS, "Key Vault calls by operation", tags),
                    (Gauge<Long>) (config, now) -> metrics.kmsCalls(op));
        }
        plugin.addMetric(plugin.metricName(FieldsealMetrics.FAILURES, "fieldseal failures, every cause",
                new LinkedHashMap<>()), (Gauge<Long>) (config, now) -> metrics.total(FieldsealMetrics.FAILURES));
        for (FailureClass c : FailureClass.values()) {
            LinkedHashMap<String, String> tags = new LinkedHashMap<>();
            tags.put("cause", c.metricCause());
            String series = FieldsealMetrics.FAILURES + "{cause=" + c.metricCause() + "}";
            plugin.addMetric(plugin.metricName(FieldsealMetrics.FAILURES, "values that could not be decrypted, by cause",
                    tags), (Gauge<Long>) (config, now) -> metrics.get(series));
        }
    }
}
