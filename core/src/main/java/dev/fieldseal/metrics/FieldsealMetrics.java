package dev.fieldseal.metrics;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;

/**
 * The counters every host exposes: Key Vault calls by operation and outcome, DEK cache hits and
 * misses, DEKs created and retired, records and fields encrypted and decrypted, failures by cause.
 *
 * <p>Counting is lock-free ({@link LongAdder}) because it sits on the per-record path. Hosts read
 * {@link #snapshot()} or individual counters and publish them their own way (Kafka metrics/JMX in
 * Connect and clients, Prometheus text in the Streams app). Names are stable and documented in
 * {@code docs/operations.md}.
 */
public final class FieldsealMetrics {

    public static final String RECORDS_ENCRYPTED = "records-encrypted";
    public static final String RECORDS_DECRYPTED = "records-decrypted";
    public static final String FIELDS_ENCRYPTED = "fields-encrypted";
    public static final String FIELDS_DECRYPTED = "fields-decrypted";
    public static final String DEKS_CREATED = "deks-created";
    public static final String DEKS_RETIRED = "deks-retired";
    public static final String DEK_CACHE_HITS = "dek-cache-hits";
    public static final String DEK_CACHE_MISSES = "dek-cache-misses";
    public static final String DEKS_REWRAPPED = "deks-rewrapped";
    public static final String KMS_CALLS = "kms-calls";
    public static final String FAILURES = "failures";
    public static final String ROTATION_EVENTS = "rotation-events";
    /** Values replaced by a mask under {@code on.failure=mask}. */
    public static final String FIELDS_MASKED = "fields-masked";
    /** Values passed on sealed under {@code on.failure=ciphertext}. */
    public static final String FIELDS_LEFT_SEALED = "fields-left-sealed";

    private final Map<String, LongAdder> counters = new ConcurrentHashMap<>();
    private final LongAdder recordsEncrypted = counter(RECORDS_ENCRYPTED);
    private final LongAdder recordsDecrypted = counter(RECORDS_DECRYPTED);
    private final LongAdder fieldsEncrypted = counter(FIELDS_ENCRYPTED);
    private final LongAdder fieldsDecrypted = counter(FIELDS_DECRYPTED);
    private final LongAdder deksCreated = counter(DEKS_CREATED);
    private final LongAdder deksRetired = counter(DEKS_RETIRED);
    private final LongAdder deksRewrapped = counter(DEKS_REWRAPPED);
    private final LongAdder cacheHits = counter(DEK_CACHE_HITS);
    private final LongAdder cacheMisses = counter(DEK_CACHE_MISSES);
    private final LongAdder rotationEvents = counter(ROTATION_EVENTS);
    private final LongAdder fieldsMasked = counter(FIELDS_MASKED);
    private final LongAdder fieldsLeftSealed = counter(FIELDS_LEFT_SEALED);

    /** Where decrypting observations go besides the counters (a host's audit log); none by default. */
    private volatile DecryptAudit audit = DecryptAudit.NONE;
    /** Who wants each Key Vault call's duration (the hosts' latency histograms). */
    private final List<KmsLatencyListener> kmsLatency = new CopyOnWriteArrayList<>();

    /** Receives the duration of every key manager call, by operation and outcome (as {@link #kmsCall}). */
    @FunctionalInterface
    public interface KmsLatencyListener {
        void kmsCall(String operation, String outcome, long nanos);
    }

    private LongAdder counter(String name) {
        return counters.computeIfAbsent(name, n -> new LongAdder());
    }

    public void recordEncrypted(int fields) {
        recordsEncrypted.increment();
        fieldsEncrypted.add(fields);
    }

    public void recordDecrypted(int fields) {
        recordsDecrypted.increment();
        fieldsDecrypted.add(fields);
    }

    public void dekCreated() {
        deksCreated.increment();
    }

    public void dekRetired() {
        deksRetired.increment();
    }

    /** One DEK moved to a newer KEK version by a re-key. */
    public void dekRewrapped() {
        deksRewrapped.increment();
    }

    public void dekCacheHit() {
        cacheHits.increment();
    }

    public void dekCacheMiss() {
        cacheMisses.increment();
    }

    /** One Key Vault rotation event ({@code KeyNewVersionCreated}) for a key this instance uses. */
    public void rotationEvent() {
        rotationEvents.increment();
    }

    /**
     * Counts one call to the key manager.
     *
     * @param operation {@code resolve}, {@code wrap} or {@code unwrap}
     * @param outcome {@code success} or a {@link dev.fieldseal.kms.KmsException.Reason} name in lower case
     */
    public void kmsCall(String operation, String outcome) {
        counter(KMS_CALLS + "{operation=" + operation + ",outcome=" + outcome + "}").increment();
    }

    /** {@link #kmsCall(String, String)} with the call's duration, handed to the latency listeners. */
    public void kmsCall(String operation, String outcome, long nanos) {
        kmsCall(operation, outcome);
        for (KmsLatencyListener l : kmsLatency) {
            l.kmsCall(operation, outcome, nanos);
        }
    }

    /** Adds a receiver of Key Vault call durations (a host's histogram). */
    public void onKmsLatency(KmsLatencyListener listener) {
        kmsLatency.add(listener);
    }

    /** Sends decrypting observations to {@code audit} (the host's audit log) from now on. */
    public void audit(DecryptAudit audit) {
        this.audit = audit == null ? DecryptAudit.NONE : audit;
    }

    /** Where the envelope and the failure policy report each value they open or refuse. */
    public DecryptAudit audit() {
        return audit;
    }

    /** One value replaced by a mask ({@code on.failure=mask}). */
    public void fieldMasked() {
        fieldsMasked.increment();
    }

    /** One value passed on sealed ({@code on.failure=ciphertext}). */
    public void fieldLeftSealed() {
        fieldsLeftSealed.increment();
    }

    /**
     * Counts one failure; {@code cause} is a short, fixed word (never a message or a value): for a
     * value that could not be decrypted, its {@code FailureClass.metricCause()} ({@code tampered}, ...).
     */
    public void failure(String cause) {
        counter(FAILURES + "{cause=" + cause + "}").increment();
    }

    /** The value of one counter by its full name, e.g. {@code kms-calls{operation=unwrap,outcome=success}}. */
    public long get(String name) {
        LongAdder a = counters.get(name);
        return a == null ? 0 : a.sum();
    }

    /** Sum of all Key Vault calls of one operation, whatever their outcome. */
    public long kmsCalls(String operation) {
        String prefix = KMS_CALLS + "{operation=" + operation + ",";
        return counters.entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
                .mapToLong(e -> e.getValue().sum()).sum();
    }

    /** The sum of every labelled series of one counter, e.g. all {@code failures{cause=...}}. */
    public long total(String counter) {
        return sum(counter + "{", false);
    }

    /** Key Vault calls of any operation whose outcome was not {@code success}. */
    public long kmsCallsFailed() {
        return sum(KMS_CALLS + "{", true);
    }

    private long sum(String prefix, boolean failedOnly) {
        long n = 0;
        for (Map.Entry<String, LongAdder> e : counters.entrySet()) {
            String k = e.getKey();
            if (k.startsWith(prefix) && !(failedOnly && k.endsWith("outcome=success}"))) {
                n += e.getValue().sum();
            }
        }
        return n;
    }

    /** Every counter by full name, sorted. */
    public Map<String, Long> snapshot() {
        Map<String, Long> out = new TreeMap<>();
        counters.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }
}
