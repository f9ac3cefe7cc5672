package dev.fieldseal.streams;

import dev.fieldseal.metrics.FieldsealMetrics;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Renders counters in the Prometheus text exposition format (version 0.0.4). A FieldsealMetrics
 * counter {@code kms-calls{operation=unwrap,outcome=success}} becomes
 * {@code fieldseal_kms_calls_total{operation="unwrap",outcome="success"}}.
 */
final class PrometheusText {

    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private PrometheusText() {
    }

    static String render(FieldsealMetrics metrics, AppMetrics app, Map<String, Double> gauges) {
        Map<String, List<String>> families = new TreeMap<>();
        metrics.snapshot().forEach((name, value) -> {
            int brace = name.indexOf('{');
            String base = "fieldseal_" + (brace < 0 ? name : name.substring(0, brace)).replace('-', '_').replace('.', '_')
                    + "_total";
            String labels = brace < 0 ? "" : labels(name.substring(brace + 1, name.length() - 1));
            families.computeIfAbsent(base, k -> new java.util.ArrayList<>()).add(base + labels + " " + value);
        });
        Map<String, Long> own = new LinkedHashMap<>();
        own.put("fieldseal_dead_letter_records_total", app.deadLettered());
        own.put("fieldseal_records_rekeyed_total", app.rekeyedRecords());
        own.put("fieldseal_records_copied_total", app.copiedRecords());
        own.put("fieldseal_records_settled_total", app.settledRecords());
        own.put("fieldseal_rotation_events_total", app.rotationEvents());
        own.put("fieldseal_rotation_refreshes_total", app.rotationRefreshes());
        own.put("fieldseal_retriable_failures_total", app.retriableFailures());
        own.forEach((k, v) -> families.put(k, List.of(k + " " + v)));

        StringBuilder sb = new StringBuilder();
        families.forEach((base, lines) -> {
            sb.append("# TYPE ").append(base).append(" counter\n");
            lines.forEach(l -> sb.append(l).append('\n'));
        });
        gauges.forEach((name, v) -> sb.append("# TYPE ").append(name).append(" gauge\n").append(name).append(' ')
                .append(v == Math.rint(v) ? Long.toString(v.longValue()) : Double.toString(v)).append('\n'));
        return sb.toString();
    }

    private static String labels(String inner) {
        StringBuilder sb = new StringBuilder("{");
        String[] parts = inner.split(",");
        for (int i = 0; i < parts.length; i++) {
            int eq = parts[i].indexOf('=');
            if (eq < 0) {
                continue;
            }
            if (sb.length() > 1) {
                sb.append(',');
            }
            String v = parts[i].substring(eq + 1).replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
            sb.append(parts[i], 0, eq).append("=\"").append(v).append('"');
        }
        return sb.append('}').toString();
    }
}
