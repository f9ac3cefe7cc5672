package dev.fieldseal.streams;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fieldseal.audit.AuditLog;
import dev.fieldseal.config.FieldsealConfig;
import dev.fieldseal.kms.KmsException;
import dev.fieldseal.metrics.FieldsealMetrics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.LogAndFailProcessingExceptionHandler;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running instance of the app: Kafka Streams over the topology, the key manager client, the
 * KEK health check and the HTTP endpoint. Scale by starting more instances with the same
 * {@code application.id}; Kafka Streams spreads the partitions.
 *
 * <p>Failure handling: a retriable key manager failure (Key Vault outage) is thrown out of the
 * processor, so the task stops without committing past the record; the uncaught exception
 * handler pauses {@code failure.backoff.ms} and answers {@code REPLACE_THREAD}, so a new thread
 * resumes from the last committed offsets (with exactly-once, the open transaction is aborted).
 * Any other uncaught failure shuts the client down and the process exits non-zero.
 */
public final class StreamsService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StreamsService.class);

    private final AppSettings settings;
    private final FieldsealMetrics metrics = new FieldsealMetrics();
    private final AppMetrics appMetrics = new AppMetrics();
    /** /metrics: Kafka Streams' metrics and ours; listens to Key Vault call durations from the start. */
    private final AppMeters meters = new AppMeters(metrics, appMetrics);
    private final Crypto crypto;
    private final KafkaStreams streams;
    private final KekHealth kekHealth;
    private final HttpEndpoint http;
    /** decrypt and rekey: who read which key version (null in encrypt mode, or with audit.enabled=false). */
    private final AuditLog audit;
    private final CountDownLatch stopped = new CountDownLatch(1);
    /** Paces the backoff before a failed stream thread is replaced. */
    private final Time time;
    private volatile boolean failed;
    private volatile boolean closing;
    /** Set by the first {@link #stop()}: whether Kafka Streams closed in time. */
    private Boolean closedCleanly;

    private StreamsService(AppSettings settings, Time time) {
        this.settings = settings;
        this.time = time;
        AuditLog a = StreamsAppConfig.MODE_ENCRYPT.equals(settings.mode()) ? null : audit(settings, metrics);
        Crypto c;
        try {
            c = Crypto.create(settings.mode(), settings.fieldseal(), metrics);
        } catch (RuntimeException ex) {
            if (a != null) {
                a.close();
            }
            throw ex;
        }
        KafkaStreams s = null;
        KekHealth h = null;
        HttpEndpoint e = null;
        try {
            h = settings.httpPort() >= 0 ? kekHealth(settings, c) : null;
            c.warmUp();
            Topology topology = TopologyFactory.build(settings, c, appMetrics);
            LOG.info("fieldseal streams ({} mode):\n{}", settings.mode(), topology.describe());
            s = new KafkaStreams(topology, streamsProperties(settings));
            if (settings.httpPort() >= 0) {
                KafkaStreams streams = s;
                meters.bind(streams);
                meters.gauge("fieldseal.streams.running", () -> streams.state() == KafkaStreams.State.RUNNING);
                if (h != null) {
                    meters.gauge("fieldseal.kek.healthy", h::healthy);
                }
                e = new HttpEndpoint(settings.httpBindAddress(), settings.httpPort(), this::health, meters::scrape);
            }
        } catch (RuntimeException | IOException ex) {
            if (s != null) {
                s.close(Duration.ZERO);
            }
            if (h != null) {
                h.close();
            }
            c.close();
            meters.close();
            if (a != null) {
                a.close();
            }
            if (ex instanceof IOException io) {
                throw new UncheckedIOException("Cannot listen on " + settings.httpBindAddress() + ":"
                        + settings.httpPort() + " (" + FieldsealConfig.PREFIX + StreamsAppConfig.HTTP_BIND_ADDRESS
                        + ", " + FieldsealConfig.PREFIX + StreamsAppConfig.HTTP_PORT + "): " + io.getMessage(), io);
            }
            throw (RuntimeException) ex;
        }
        this.crypto = c;
        this.streams = s;
        this.kekHealth = h;
        this.http = e;
        this.audit = a;
    }

    /** The audit log of a decrypting or re-keying instance; its producer borrows the Streams client settings. */
    private static AuditLog audit(AppSettings settings, FieldsealMetrics metrics) {
        Map<String, String> who = new LinkedHashMap<>();
        Object app = settings.streamsProps().get(StreamsConfig.APPLICATION_ID_CONFIG);
        Object client = settings.streamsProps().get(StreamsConfig.CLIENT_ID_CONFIG);
        if (app != null) {
            who.put(AuditLog.APPLICATION_ID, app.toString());
        }
        if (client != null) {
            who.put(AuditLog.CLIENT_ID, client.toString());
        }
        return AuditLog.start("streams-" + settings.mode(), settings.fieldseal(), metrics, settings.streamsProps(), who);
    }

    /** Starts an instance; returns once Kafka Streams and the HTTP endpoint are started (not yet RUNNING). */
    public static StreamsService start(AppSettings settings) {
        return start(settings, Time.SYSTEM);
    }

    /** {@link #start(AppSettings)} with the clock that paces the failure backoff. */
    static StreamsService start(AppSettings settings, Time time) {
        StreamsService svc = new StreamsService(settings, time);
        svc.begin();
        return svc;
    }

    private void begin() {
        long backoff = settings.failureBackoffMs();
        streams.setUncaughtExceptionHandler(e -> {
            KmsException k = retriableKms(e);
            if (k != null && !closing) {
                appMetrics.retriableFailures.increment();
                LOG.warn("Key manager unavailable ({}); the stream thread stops without committing past the "
                        + "record and is replaced in {} ms.", k.getMessage(), backoff);
                time.sleep(backoff); // on the dying thread, before Kafka Streams replaces it
                return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
            }
            LOG.error("Unrecoverable failure; shutting down.", e);
            failed = true;
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        streams.setStateListener((now, before) -> {
            LOG.info("Kafka Streams state {} -> {}", before, now);
            if (now == KafkaStreams.State.ERROR) {
                failed = true;
            }
            if (now == KafkaStreams.State.NOT_RUNNING || now == KafkaStreams.State.ERROR) {
                stopped.countDown();
            }
        });
        if (kekHealth != null) {
            kekHealth.start();
        }
        if (http != null) {
            http.start();
            LOG.info("HTTP endpoint on {}:{}: /health, /metrics (KEK check: {})", http.address().getHostString(),
                    http.port(), kekHealth == null ? StreamsAppConfig.KEK_CHECK_OFF : kekHealth.check().label);
        }
        streams.start();
    }

    /**
     * The KEK check of {@code health.kek.check}, or null for none. {@code auto} asks no more of the
     * identity than the mode does: encrypting needs only to resolve the key (RSA wraps are local),
     * decrypting and re-keying must unwrap anyway, so there the check is a round trip.
     */
    private static KekHealth kekHealth(AppSettings settings, Crypto c) {
        String configured = settings.kekCheck();
        KekHealth.Check check = switch (configured) {
            case StreamsAppConfig.KEK_CHECK_OFF -> null;
            case StreamsAppConfig.KEK_CHECK_RESOLVE -> KekHealth.Check.RESOLVE;
            case StreamsAppConfig.KEK_CHECK_ROUND_TRIP -> KekHealth.Check.ROUND_TRIP;
            default -> StreamsAppConfig.MODE_ENCRYPT.equals(settings.mode())
                    ? KekHealth.Check.RESOLVE : KekHealth.Check.ROUND_TRIP;
        };
        if (check == null) {
            return null;
        }
        String id = healthKekId(settings, c);
        if (id == null) {
            if (!StreamsAppConfig.KEK_CHECK_AUTO.equals(configured)) {
                throw new ConfigException(FieldsealConfig.PREFIX + StreamsAppConfig.HEALTH_KEK_CHECK, configured,
                        "There is no single key to check: set " + FieldsealConfig.PREFIX + FieldsealConfig.KEK_ID
                                + ", list a key id (not only a vault URL) in " + FieldsealConfig.PREFIX
                                + FieldsealConfig.KEK_ALLOWED + ", or set this to 'off'.");
            }
            LOG.warn("{} lists vaults only, so there is no single key to check: /health follows Kafka Streams only.",
                    FieldsealConfig.PREFIX + FieldsealConfig.KEK_ALLOWED);
            return null;
        }
        return new KekHealth(c.kms(), id, check, settings.kekCheckIntervalMs());
    }

    private static String healthKekId(AppSettings settings, Crypto c) {
        if (c.kekId() != null && !c.perRecordKeys()) {
            return c.kekId();
        }
        String fallback = settings.fieldseal().getString(FieldsealConfig.KEK_TEMPLATE_FALLBACK_ID);
        if (c.perRecordKeys() && fallback != null && !fallback.isBlank()) {
            return fallback; // a template: the one key known before records arrive
        }
        List<String> allowed = settings.fieldseal().getList(FieldsealConfig.KEK_ALLOWED);
        for (String a : allowed) {
            if (!a.endsWith("/") && !dev.fieldseal.dek.KekAllowlist.isPattern(a)) {
                return a;
            }
        }
        return null;
    }

    /** The producer compression the app writes with unless {@code compression.type} is set (plain or producer-prefixed). */
    public static final String DEFAULT_COMPRESSION = "zstd";

    /**
     * The Kafka Streams properties the app runs with: the file's settings over the app's defaults
     * (byte-array serdes; producer compression {@value #DEFAULT_COMPRESSION}, since a batch of sealed
     * records repeats the same EDEK, key id and version, and compression removes the repeats).
     */
    public static Properties streamsProperties(AppSettings settings) {
        Properties p = new Properties();
        p.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class.getName());
        p.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class.getName());
        String compression = ProducerConfig.COMPRESSION_TYPE_CONFIG;
        // Only when unset in both forms: a producer-prefixed default would override a plain setting.
        if (!settings.streamsProps().containsKey(compression)
                && !settings.streamsProps().containsKey(StreamsConfig.producerPrefix(compression))) {
            p.put(StreamsConfig.producerPrefix(compression), DEFAULT_COMPRESSION);
        }
        p.putAll(settings.streamsProps());
        // A processing exception handler that continues would skip records during a Key Vault outage
        // (and commit past them); permanent failures already go to the dead-letter topic.
        Object handler = p.get(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG);
        String fail = LogAndFailProcessingExceptionHandler.class.getName();
        if (handler != null && !fail.equals(handler.toString().trim())) {
            throw new org.apache.kafka.common.config.ConfigException(
                    StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, handler, "fieldseal handles processing "
                    + "failures itself (dead-letter topic, or stop without committing); leave this unset.");
        }
        p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, fail);
        return p;
    }

    private static KmsException retriableKms(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof KmsException k) {
                return k.retriable() ? k : null;
            }
        }
        return null;
    }

    HttpEndpoint.Health health() {
        KafkaStreams.State state = streams.state();
        boolean streamsOk = state == KafkaStreams.State.RUNNING || state == KafkaStreams.State.REBALANCING;
        ObjectNode body = RecordTransformer.JSON.createObjectNode();
        body.put("streams", state.name());
        boolean kekOk = true;
        ObjectNode k = body.putObject("kek");
        if (kekHealth == null) {
            k.put("check", StreamsAppConfig.KEK_CHECK_OFF);
        } else {
            KekHealth.Status s = kekHealth.status();
            kekOk = kekHealth.healthy();
            k.put("check", kekHealth.check().label);
            k.put("id", kekHealth.kekId());
            k.put("ok", kekOk);
            if (s.version() != null) {
                k.put("version", s.version());
            }
            if (s.lastSuccessMs() > 0) {
                k.put("lastSuccessMs", s.lastSuccessMs());
            }
            if (s.error() != null) {
                k.put("error", s.error());
            }
        }
        boolean up = streamsOk && kekOk;
        body.put("status", up ? "UP" : "DOWN");
        return new HttpEndpoint.Health(up, body);
    }

    /** The text GET /metrics serves. */
    String metricsText() {
        return meters.scrape();
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    /** The HTTP endpoint's port, or -1 when it is off. */
    public int httpPort() {
        return http == null ? -1 : http.port();
    }

    /** The address the HTTP endpoint listens on, or null when it is off. */
    public InetSocketAddress httpAddress() {
        return http == null ? null : http.address();
    }

    public FieldsealMetrics metrics() {
        return metrics;
    }

    public AppMetrics appMetrics() {
        return appMetrics;
    }

    /** True once an unrecoverable failure stopped the instance. */
    public boolean failed() {
        return failed;
    }

    /** Waits until Kafka Streams stopped by itself (a fatal error) or was closed. */
    public boolean awaitStopped(long timeout, TimeUnit unit) throws InterruptedException {
        return stopped.await(timeout, unit);
    }

    public void awaitStopped() throws InterruptedException {
        stopped.await();
    }

    /** Closes Kafka Streams (commit, leave the group) within shutdown.timeout.ms, then the rest. */
    @Override
    public void close() {
        stop();
    }

    /**
     * {@link #close()}, telling how it went. Safe to call more than once and from several threads
     * (the shutdown hook and the main thread): the first call closes, later ones wait for it and
     * return its result.
     *
     * @return true if Kafka Streams closed within {@code shutdown.timeout.ms}
     */
    public synchronized boolean stop() {
        if (closedCleanly != null) {
            return closedCleanly;
        }
        closing = true;
        boolean clean = false;
        try {
            clean = streams.close(Duration.ofMillis(settings.shutdownTimeoutMs()));
            if (!clean) {
                LOG.warn("Kafka Streams did not close within {} ms.", settings.shutdownTimeoutMs());
            }
        } finally {
            closedCleanly = clean;
            if (kekHealth != null) {
                kekHealth.close();
            }
            if (http != null) {
                http.close();
            }
            meters.close();
            crypto.close();
            if (audit != null) {
                audit.close(); // writes what is left
            }
            stopped.countDown();
        }
        return clean;
    }
}
