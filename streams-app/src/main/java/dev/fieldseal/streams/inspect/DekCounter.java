package dev.fieldseal.streams.inspect;

import java.util.HashSet;
import java.util.Set;

/**
 * Distinct DEKs seen, by their 8-byte reference, up to a limit: memory stays bounded whatever the
 * topic holds, and past the limit the count is reported as "at least".
 */
final class DekCounter {
    private final int limit;
    private final Set<Long> seen = new HashSet<>();
    private boolean saturated;

    DekCounter(int limit) {
        this.limit = limit;
    }

    void add(long dekRef) {
        if (seen.size() < limit) {
            seen.add(dekRef);
        } else if (!seen.contains(dekRef)) {
            saturated = true;
        }
    }

    int count() {
        return seen.size();
    }

    /** Whether DEKs beyond {@link #count()} were seen but not counted. */
    boolean saturated() {
        return saturated;
    }
}
