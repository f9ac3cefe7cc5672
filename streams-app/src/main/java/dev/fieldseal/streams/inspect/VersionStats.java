package dev.fieldseal.streams.inspect;

/** Records whose envelopes name one KEK version, with their offset and timestamp range. */
final class VersionStats {
    long records;
    long firstOffset = -1;
    long lastOffset = -1;
    long oldestTimestamp = Long.MAX_VALUE;
    long newestTimestamp = Long.MIN_VALUE;

    void add(long offset, long timestamp) {
        records++;
        if (firstOffset < 0 || offset < firstOffset) {
            firstOffset = offset;
        }
        lastOffset = Math.max(lastOffset, offset);
        if (timestamp >= 0) {
            oldestTimestamp = Math.min(oldestTimestamp, timestamp);
            newestTimestamp = Math.max(newestTimestamp, timestamp);
        }
    }

    boolean hasTimestamps() {
        return oldestTimestamp != Long.MAX_VALUE;
    }
}
