package dev.fieldseal.streams;

import dev.fieldseal.metrics.FieldsealMetrics;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.ToDoubleFunction;
import org.apache.kafka.streams.KafkaStreams;

/**
 * What {@code GET /metrics} serves: one Micrometer Prometheus registry with Kafka Streams' own
 * metrics (and those of its consumers, producers and admin client: {@link KafkaStreamsMetrics}
 * binds every metric of the client, e.g. {@code kafka_stream_thread_process_rate}), fieldseal's
 * counters under the names they always had ({@code kms-calls{operation=unwrap,outcome=success}}
 * is {@code fieldseal_kms_calls_total{operation="unwrap",outcome="success"}}), the app's own
 * counters and gauges, and the Key Vault call latency as a histogram by operation and outcome
 * ({@code fieldseal_kms_latency_seconds_bucket}).
 */
final class AppMeters implements AutoCloseable {

    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    /**
     * Prometheus' client (1.x, under Micrometer) reserves the {@code _created} suffix for counters'
     * creation timestamps and drops it from a name, so {@code deks-created} would collide as
     * {@code fieldseal_deks_total}: it is published as {@code fieldseal_new_deks_total}.
     */
    static final Map<String, String> RENAMED = Map.of(FieldsealMetrics.DEKS_CREATED, "fieldseal.new.deks");

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final FieldsealMetrics metrics;
    /** FieldsealMetrics series already registered (new ones appear with a new outcome or failure cause). */
    private final Set<String> bound = ConcurrentHashMap.newKeySet();
    private final Map<String, Timer> latency = new ConcurrentHashMap<>();
    private KafkaStreamsMetrics streamsMetrics;

    /** Listens to {@code metrics} from now on: create it before the key manager makes its first call. */
    AppMeters(FieldsealMetrics metrics, AppMetrics app) {
        this.metrics = metrics;
        metrics.onKmsLatency(this::kmsCall);
        counter("fieldseal.dead.letter.records", app, AppMetrics::deadLettered);
        counter("fieldseal.records.rekeyed", app, AppMetrics::rekeyedRecords);
        counter("fieldseal.records.copied", app, AppMetrics::copiedRecords);
        counter("fieldseal.records.settled", app, AppMetrics::settledRecords);
        // the app's count wins over the envelope's of the same name, as it always did
        counter("fieldseal.rotation.events", app, AppMetrics::rotationEvents);
        bound.add(FieldsealMetrics.ROTATION_EVENTS);
        counter("fieldseal.rotation.refreshes", app, AppMetrics::rotationRefreshes);
        counter("fieldseal.retriable.failures", app, AppMetrics::retriableFailures);
    }

    /** Binds every metric of the Kafka Streams client (and of its embedded clients). */
    void bind(KafkaStreams streams) {
        streamsMetrics = new KafkaStreamsMetrics(streams);
        streamsMetrics.bindTo(registry);
    }

    /** A 0/1 gauge. */
    void gauge(String name, BooleanSupplier up) {
        Gauge.builder(name, () -> up.getAsBoolean() ? 1.0 : 0.0).register(registry);
    }

    private <T> void counter(String name, T source, ToDoubleFunction<T> f) {
        FunctionCounter.builder(name, source, f).register(registry);
    }

    private void kmsCall(String operation, String outcome, long nanos) {
        latency.computeIfAbsent(operation + "|" + outcome, k -> Timer.builder("fieldseal.kms.latency")
                .description("Key Vault call latency by operation and outcome")
                .tags("operation", operation, "outcome", outcome)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofMinutes(2))
                .register(registry)).record(nanos, TimeUnit.NANOSECONDS);
    }

    /** The Prometheus text of every meter, after registering the fieldseal series that appeared since. */
    String scrape() {
        for (String series : metrics.snapshot().keySet()) {
            if (bound.add(series)) {
                register(series);
            }
        }
        return registry.scrape(CONTENT_TYPE);
    }

    /** {@code kms-calls{operation=unwrap,outcome=success}} → counter {@code fieldseal.kms.calls} with two tags. */
    private void register(String series) {
        int brace = series.indexOf('{');
        String base = brace < 0 ? series : series.substring(0, brace);
        Tags tags = Tags.empty();
        if (brace > 0) {
            for (String kv : series.substring(brace + 1, series.length() - 1).split(",")) {
                int eq = kv.indexOf('=');
                if (eq > 0) {
                    tags = tags.and(kv.substring(0, eq), kv.substring(eq + 1));
                }
            }
        }
        String name = RENAMED.getOrDefault(base, "fieldseal." + base.replace('-', '.'));
        FunctionCounter.builder(name, metrics, m -> m.get(series)).tags(tags)
                .register(registry);
    }

    @Override
    public void close() {
        if (streamsMetrics != null) {
            streamsMetrics.close();
        }
        registry.close();
    }
}
