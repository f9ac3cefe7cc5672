package dev.fieldseal.field;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Configured field paths as a tree, so a record is walked once whatever the number of paths.
 * A node is reached by a segment name; {@link #each()} nodes stand for every element of the array
 * (or every value of a map with a schema) found at that name.
 */
public final class FieldSelection {

    /** What to do with a selected value. */
    public enum Mode { NONE, RANDOMIZED, DETERMINISTIC }

    private final Map<String, FieldSelection> byName = new LinkedHashMap<>();
    private final Map<String, FieldSelection> eachByName = new LinkedHashMap<>();
    private final String path;
    private final boolean eachElement;
    private Mode mode = Mode.NONE;

    private FieldSelection(String path, boolean eachElement) {
        this.path = path;
        this.eachElement = eachElement;
    }

    /** The selection of randomized and deterministic paths; a path in both is deterministic. */
    public static FieldSelection of(Collection<FieldPath> randomized, Collection<FieldPath> deterministic) {
        FieldSelection root = new FieldSelection("", false);
        for (FieldPath p : randomized) {
            root.add(p, Mode.RANDOMIZED);
        }
        for (FieldPath p : deterministic) {
            root.add(p, Mode.DETERMINISTIC);
        }
        return root;
    }

    private void add(FieldPath p, Mode m) {
        FieldSelection node = this;
        for (FieldPath.Segment s : p.segments()) {
            node = node.child(s.name(), s.eachElement(), true);
        }
        if (node.mode != Mode.DETERMINISTIC) {
            node.mode = m;
        }
    }

    private FieldSelection child(String name, boolean each, boolean create) {
        Map<String, FieldSelection> m = each ? eachByName : byName;
        FieldSelection c = m.get(name);
        if (c == null && create) {
            c = new FieldSelection(FieldPath.append(path, name, each), each);
            m.put(name, c);
        }
        return c;
    }

    /** The node for {@code name} (not fanned out), or null if nothing below it is selected. */
    public FieldSelection field(String name) {
        return byName.get(name);
    }

    /** The node for every element of {@code name}, or null. */
    public FieldSelection each(String name) {
        return eachByName.get(name);
    }

    /** Selected children by field (or map key) name. */
    public Map<String, FieldSelection> fields() {
        return byName;
    }

    /** Fanned-out children ({@code name[*]}) by field name. */
    public Map<String, FieldSelection> eachFields() {
        return eachByName;
    }

    /** True for a {@code name[*]} node: it stands for every element (or map value) at that name. */
    public boolean eachElement() {
        return eachElement;
    }

    public boolean isEmpty() {
        return byName.isEmpty() && eachByName.isEmpty();
    }

    /** Whether the value at this node itself is encrypted, and how. */
    public Mode mode() {
        return mode;
    }

    public boolean selected() {
        return mode != Mode.NONE;
    }

    /** The canonical path of this node, bound into its ciphertexts. */
    public String path() {
        return path;
    }
}
