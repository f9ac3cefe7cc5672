package dev.fieldseal.field;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Remembers canonical paths built while walking records, so the same field of every record gets
 * the same String instance: no concatenation per value, and its hash (used for the associated-data
 * and selection lookups) is computed once. Bounded, because schemaless map keys come from the data:
 * at most {@value #MAX_ENTRIES} paths of at most {@value #MAX_PATH_LENGTH} chars each (longer paths
 * are built every time), so at most a few MiB whatever the records hold.
 */
public final class PathMemo {

    static final int MAX_ENTRIES = 4096;
    /** Honest paths are a few dozen chars; a record may carry a field name of a megabyte. */
    static final int MAX_PATH_LENGTH = 256;

    private final Map<String, Map<String, String>> fields = new ConcurrentHashMap<>();
    private final Map<String, Map<String, String>> each = new ConcurrentHashMap<>();
    private final AtomicInteger size = new AtomicInteger();

    /** {@link FieldPath#append}, remembered. */
    public String append(String parent, String name, boolean eachElement) {
        if (parent.isEmpty() && !eachElement && !FieldPath.needsQuotes(name)) {
            return name; // a plain top-level field is its own path: no lookup, and the same instance
        }
        Map<String, String> byName = (eachElement ? each : fields).get(parent);
        String p = byName == null ? null : byName.get(name);
        if (p != null) {
            return p;
        }
        p = FieldPath.append(parent, name, eachElement);
        if (p.length() <= MAX_PATH_LENGTH && size.get() < MAX_ENTRIES) {
            size.incrementAndGet();
            (eachElement ? each : fields).computeIfAbsent(parent, k -> new ConcurrentHashMap<>()).putIfAbsent(name, p);
        }
        return p;
    }
}
