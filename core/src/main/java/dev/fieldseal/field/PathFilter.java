package dev.fieldseal.field;

import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The decrypting side's view of {@code fields}: empty means every fieldseal value found,
 * otherwise only the selected paths (and the containers on the way to them) are visited.
 */
public final class PathFilter {

    /** Paths remembered at most: a record's paths repeat, but schemaless keys are open-ended. */
    static final int MAX_REMEMBERED = 4096;
    /** Longest path remembered: with {@link #MAX_REMEMBERED} at most about 2 MiB, whatever the records hold. */
    static final int MAX_REMEMBERED_LENGTH = 256;

    private final FieldSelection selection;
    /** find() by path: parsing a path on every value found costs more than a short decryption. */
    private final ConcurrentHashMap<String, Optional<FieldSelection>> found = new ConcurrentHashMap<>();

    public PathFilter(FieldSelection selection) {
        this.selection = selection;
    }

    /** Whether a value found at {@code path} is to be decrypted. */
    public boolean wanted(String path) {
        if (selection.isEmpty()) {
            return true;
        }
        FieldSelection n = find(path);
        return n != null && n.selected();
    }

    /** Whether anything at or below {@code path} may be decrypted. */
    public boolean mayContain(String path) {
        return selection.isEmpty() || path.isEmpty() || find(path) != null;
    }

    private FieldSelection find(String path) {
        Optional<FieldSelection> known = found.get(path);
        if (known != null) {
            return known.orElse(null);
        }
        FieldSelection n = lookUp(path);
        if (path.length() <= MAX_REMEMBERED_LENGTH && found.size() < MAX_REMEMBERED) {
            found.put(path, Optional.ofNullable(n));
        }
        return n;
    }

    private FieldSelection lookUp(String path) {
        FieldSelection n = selection;
        for (FieldPath.Segment s : FieldPath.parse(path).segments()) {
            n = s.eachElement() ? n.each(s.name()) : n.field(s.name());
            if (n == null) {
                return null;
            }
        }
        return n;
    }
}
