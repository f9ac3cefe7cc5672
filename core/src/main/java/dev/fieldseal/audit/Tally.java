package dev.fieldseal.audit;

import dev.fieldseal.metrics.DecryptAudit.Outcome;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * One thread's counts since the last flush, by key version, topic and partition. Written by its
 * thread on the per-value path (uncontended monitor), drained by the flush. The number of slots is
 * bounded: key ids and versions are record text, so a flood of forged ones lands in one overflow
 * slot instead of growing the heap.
 */
final class Tally {

    /** Slots per thread and interval; beyond it, counts go to the {@link #OVERFLOW_KEY} slot of the topic. */
    static final int MAX_SLOTS = 1_024;
    /** Key ids and versions are cut to this length in events (they are record text, up to 2,048 bytes). */
    static final int MAX_NAME = 256;
    static final String UNKNOWN_KEY = "(unknown: no key was read from the value)";
    static final String OVERFLOW_KEY = "(more key versions than " + MAX_SLOTS + " in one interval)";

    /** One aggregation cell. */
    record Slot(String keyId, String version, String topic, int partition) {
    }

    /** Counts of one slot. */
    static final class Counts {
        final long[] outcomes = new long[Outcome.values().length];
        final Map<String, Long> failures = new TreeMap<>();
        long firstOffset = Long.MAX_VALUE;
        long lastOffset = Long.MIN_VALUE;

        void offset(long offset) {
            if (offset >= 0) {
                firstOffset = Math.min(firstOffset, offset);
                lastOffset = Math.max(lastOffset, offset);
            }
        }

        void add(Counts o) {
            for (int i = 0; i < outcomes.length; i++) {
                outcomes[i] += o.outcomes[i];
            }
            o.failures.forEach((k, v) -> failures.merge(k, v, Long::sum));
            firstOffset = Math.min(firstOffset, o.firstOffset);
            lastOffset = Math.max(lastOffset, o.lastOffset);
        }
    }

    final Thread owner = Thread.currentThread();
    private Map<Slot, Counts> slots = new HashMap<>();

    // Where the thread is: set per record by the host.
    private String topic;
    private int partition = -1;
    private long offset = -1;
    // The key of the value being opened.
    private String keyId;
    private String version;
    // The slot counted last, reused while key and record position stay (the common case).
    private Counts last;
    private String lastKeyId;
    private String lastVersion;

    synchronized void at(String topic, int partition, long offset) {
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
        this.keyId = null;
        this.version = null;
        this.last = null;
    }

    synchronized void attempt(String keyId, String version) {
        this.keyId = keyId;
        this.version = version;
    }

    synchronized void count(Outcome outcome, String cause) {
        Counts c = counts();
        c.outcomes[outcome.ordinal()]++;
        c.offset(offset);
        if (cause != null) {
            c.failures.merge(cause, 1L, Long::sum);
        }
        if (outcome != Outcome.DECRYPTED && outcome != Outcome.REKEYED) {
            keyId = null; // a value that fails before naming its key must not inherit this one
            version = null;
        }
    }

    private Counts counts() {
        String k = keyId == null ? UNKNOWN_KEY : keyId;
        String v = version == null ? "" : version;
        if (last != null && k == lastKeyId && v == lastVersion) { // same instances: the same cached EDEK
            return last;
        }
        Slot s = new Slot(cut(k), cut(v), topic, partition);
        Counts c = slots.get(s);
        if (c == null) {
            if (slots.size() >= MAX_SLOTS) {
                s = new Slot(OVERFLOW_KEY, "", topic, partition);
                c = slots.get(s);
            }
            if (c == null) {
                c = new Counts();
                slots.put(s, c);
            }
        }
        last = c;
        lastKeyId = k;
        lastVersion = v;
        return c;
    }

    /** The counts since the last drain; the tally starts empty. */
    synchronized Map<Slot, Counts> drain() {
        Map<Slot, Counts> out = slots;
        slots = new HashMap<>();
        last = null;
        return out;
    }

    private static String cut(String s) {
        return s.length() <= MAX_NAME ? s : s.substring(0, MAX_NAME) + "...";
    }
}
