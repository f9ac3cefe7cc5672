package dev.fieldseal.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fieldseal.config.FieldsealConfig;
import dev.fieldseal.metrics.DecryptAudit;
import dev.fieldseal.metrics.FieldsealMetrics;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A decrypting host's audit trail: counts what the envelope and the failure policy report
 * ({@link DecryptAudit}) per key id and version, topic and partition, and every
 * {@code audit.interval.ms} writes one JSON event per key version and topic to the
 * {@value FieldsealConfig#AUDIT_LOGGER} logger (and {@code audit.topic}): who read (the host's
 * identity: connector and task, client and group id, application id, the Azure object id), what
 * (key id and version, topic, partitions with their offset ranges) and how it went (values
 * decrypted, refused, masked, left sealed, re-keyed; failures by class). Never a value, a field
 * path or key material: only names and counts reach it. Counting is per thread (the host's record
 * position is per thread too, {@link #at}); what is left is written by {@link #close()}.
 */
public final class AuditLog implements DecryptAudit, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** One daemon thread for every audit log of the process: flushing is a few map merges. */
    private static final ScheduledThreadPoolExecutor FLUSHER = flusher();

    /** Names of the identity fields, as events carry them. */
    public static final String HOST = "host";
    public static final String CONNECTOR = "connector";
    public static final String TASK = "task";
    public static final String TRANSFORM = "transform";
    public static final String CLIENT_ID = "clientId";
    public static final String GROUP_ID = "groupId";
    public static final String APPLICATION_ID = "applicationId";
    public static final String AZURE_OBJECT_ID = "azureObjectId";

    private final Map<String, String> who = new LinkedHashMap<>();
    private final List<AuditSink> sinks;
    private final ThreadLocal<Tally> tally;
    private final ConcurrentLinkedQueue<Tally> tallies = new ConcurrentLinkedQueue<>();
    private final ScheduledFuture<?> schedule;
    private long intervalStart = System.currentTimeMillis();
    private boolean closed;

    AuditLog(String host, long intervalMs, List<AuditSink> sinks) {
        this.sinks = sinks;
        who.put(HOST, host);
        this.tally = ThreadLocal.withInitial(() -> {
            Tally t = new Tally();
            tallies.add(t);
            return t;
        });
        this.schedule = FLUSHER.scheduleAtFixedRate(this::flushQuietly, intervalMs, intervalMs, TimeUnit.MILLISECONDS);
    }

    /**
     * The host's audit log per {@code audit.*}, attached to {@code metrics} (so the envelope reports
     * to it), or null when {@code audit.enabled=false}.
     *
     * @param host what decrypts: {@code connect}, {@code deserializer}, {@code streams}
     * @param client the host's own client settings the audit producer may borrow (empty for Connect)
     * @param who what the host knows of itself at start ({@link #CLIENT_ID}, ...; null values skipped)
     */
    public static AuditLog start(String host, FieldsealConfig config, FieldsealMetrics metrics, Map<String, ?> client,
            Map<String, String> who) {
        AuditSettings s = AuditSettings.of(config);
        if (!s.enabled()) {
            return null;
        }
        List<AuditSink> sinks = new ArrayList<>(2);
        sinks.add(new LogSink());
        if (s.topic() != null) {
            sinks.add(new TopicSink(s.topic(), s.producerProps(client)));
        }
        AuditLog log = new AuditLog(host, s.intervalMs(), sinks);
        who.forEach(log::who);
        metrics.audit(log);
        return log;
    }

    /** Adds what the host learns of itself after start (Connect: its connector and task). */
    public void who(String field, String value) {
        if (value != null && !value.isBlank()) {
            synchronized (who) {
                who.put(field, value);
            }
        }
    }

    /**
     * The record this thread decrypts next: its topic, partition and offset ({@code -1} where the
     * host does not know them, e.g. a deserializer is told neither).
     */
    @Override
    public void at(String topic, int partition, long offset) {
        tally.get().at(topic, partition, offset);
    }

    @Override
    public void attempt(String keyId, String version) {
        tally.get().attempt(keyId, version);
    }

    @Override
    public void opened() {
        tally.get().count(Outcome.DECRYPTED, null);
    }

    @Override
    public void notOpened(String cause, Outcome outcome) {
        tally.get().count(outcome, cause);
    }

    @Override
    public void rekeyed() {
        tally.get().count(Outcome.REKEYED, null);
    }

    @Override
    public void identity(String objectId) {
        who(AZURE_OBJECT_ID, objectId);
    }

    /** Writes the events of the interval so far (also what the schedule and {@link #close()} do). */
    public synchronized void flush() {
        long end = System.currentTimeMillis();
        Map<List<String>, Tally.Counts> totals = new TreeMap<>(AuditLog::compare);
        Map<List<String>, Map<Integer, Tally.Counts>> partitions = new TreeMap<>(AuditLog::compare);
        for (Iterator<Tally> it = tallies.iterator(); it.hasNext(); ) {
            Tally t = it.next();
            t.drain().forEach((slot, c) -> {
                List<String> key = List.of(slot.keyId(), slot.version(), slot.topic() == null ? "" : slot.topic());
                totals.computeIfAbsent(key, k -> new Tally.Counts()).add(c);
                partitions.computeIfAbsent(key, k -> new TreeMap<>())
                        .computeIfAbsent(slot.partition(), p -> new Tally.Counts()).add(c);
            });
            if (!t.owner.isAlive()) {
                it.remove(); // drained; a thread that ended counts nothing more
            }
        }
        Map<String, String> identity;
        synchronized (who) {
            identity = new LinkedHashMap<>(who);
        }
        long start = intervalStart;
        intervalStart = end;
        totals.forEach((key, c) -> {
            String json = event(identity, start, end, key, c, partitions.get(key));
            for (AuditSink s : sinks) {
                s.write(key.get(0), json);
            }
        });
    }

    private static String event(Map<String, String> who, long start, long end, List<String> key, Tally.Counts c,
            Map<Integer, Tally.Counts> parts) {
        ObjectNode e = JSON.createObjectNode();
        e.put("event", "fieldseal.decrypt");
        e.put("time", Instant.ofEpochMilli(end).toString());
        e.put("intervalStart", Instant.ofEpochMilli(start).toString());
        e.put("intervalEnd", Instant.ofEpochMilli(end).toString());
        who.forEach(e::put);
        e.put("keyId", key.get(0));
        e.put("keyVersion", key.get(1));
        if (!key.get(2).isEmpty()) {
            e.put("topic", key.get(2));
        }
        ArrayNode ps = e.putArray("partitions");
        parts.forEach((p, pc) -> {
            if (p < 0 && pc.firstOffset == Long.MAX_VALUE) {
                return; // the host knows neither (a deserializer)
            }
            ObjectNode o = ps.addObject();
            o.put("partition", p);
            if (pc.firstOffset != Long.MAX_VALUE) {
                o.put("firstOffset", pc.firstOffset);
                o.put("lastOffset", pc.lastOffset);
            }
        });
        e.put("decrypted", c.outcomes[Outcome.DECRYPTED.ordinal()]);
        e.put("refused", c.outcomes[Outcome.REFUSED.ordinal()]);
        e.put("masked", c.outcomes[Outcome.MASKED.ordinal()]);
        e.put("leftSealed", c.outcomes[Outcome.LEFT_SEALED.ordinal()]);
        e.put("rekeyed", c.outcomes[Outcome.REKEYED.ordinal()]);
        ObjectNode f = e.putObject("failures");
        c.failures.forEach(f::put);
        return e.toString();
    }

    private static int compare(List<String> a, List<String> b) {
        for (int i = 0; i < a.size(); i++) {
            int c = a.get(i).compareTo(b.get(i));
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    private void flushQuietly() {
        try {
            flush();
        } catch (RuntimeException e) {
            LOG.warn("Writing audit events failed ({}); the counts of this interval are lost.",
                    e.getClass().getSimpleName());
        }
    }

    /** Writes what is left, stops the schedule and closes the sinks. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        schedule.cancel(false);
        flushQuietly();
        for (AuditSink s : sinks) {
            s.close();
        }
    }

    private static ScheduledThreadPoolExecutor flusher() {
        ScheduledThreadPoolExecutor e = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "fieldseal-audit");
            t.setDaemon(true);
            return t;
        });
        e.setRemoveOnCancelPolicy(true);
        return e;
    }
}
