package dev.fieldseal.streams;

import java.util.concurrent.atomic.LongAdder;

/** The app's own counters, next to the envelope's {@link dev.fieldseal.metrics.FieldsealMetrics}. */
public final class AppMetrics {

    final LongAdder deadLettered = new LongAdder();
    final LongAdder rekeyedRecords = new LongAdder();
    final LongAdder copiedRecords = new LongAdder();
    /** Re-keying in place: records read that were already under the newest version, not written again. */
    final LongAdder settledRecords = new LongAdder();
    final LongAdder rotationEvents = new LongAdder();
    final LongAdder rotationRefreshes = new LongAdder();
    final LongAdder retriableFailures = new LongAdder();

    /** Records sent to the dead-letter topic. */
    public long deadLettered() {
        return deadLettered.sum();
    }

    /** Records whose values moved to the newest KEK version (rekey mode). */
    public long rekeyedRecords() {
        return rekeyedRecords.sum();
    }

    /** Records passed through unchanged (rekey: already newest; tombstones). */
    public long settledRecords() {
        return settledRecords.sum();
    }

    public long copiedRecords() {
        return copiedRecords.sum();
    }

    /** Rotation events (KeyNewVersionCreated) naming a key this instance uses. */
    public long rotationEvents() {
        return rotationEvents.sum();
    }

    /** Rotation events that named our KEK and re-resolved it. */
    public long rotationRefreshes() {
        return rotationRefreshes.sum();
    }

    /** Stream threads replaced after a retriable key manager failure. */
    public long retriableFailures() {
        return retriableFailures.sum();
    }
}
