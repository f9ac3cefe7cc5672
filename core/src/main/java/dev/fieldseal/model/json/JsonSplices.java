package dev.fieldseal.model.json;

import java.util.ArrayList;
import java.util.List;

/**
 * Replacements of values in a JSON text, made in one copy: what lets the JSON walkers encrypt and
 * decrypt without building and writing a tree, keeping every other byte as it was.
 */
final class JsonSplices {

    private record Splice(int start, int end, byte[] replacement) {
    }

    /** The document cannot be spliced safely: the caller takes the tree path, which decides or reports. */
    static final class NeedsTree extends Exception {
        NeedsTree() {
            super(null, null, false, false);
        }
    }

    private final byte[] json;
    private final List<Splice> splices = new ArrayList<>(4);
    private int length;

    JsonSplices(byte[] json) {
        this.json = json;
        this.length = json.length;
    }

    /** Replaces bytes {@code [start, end)}; ranges are added in document order and do not overlap. */
    void replace(int start, int end, byte[] replacement) {
        splices.add(new Splice(start, end, replacement));
        length += replacement.length - (end - start);
    }

    /** The text with every replacement made, or the input itself if there is none. */
    byte[] apply() {
        if (splices.isEmpty()) {
            return json;
        }
        byte[] out = new byte[length];
        int from = 0;
        int to = 0;
        for (Splice s : splices) {
            System.arraycopy(json, from, out, to, s.start - from);
            to += s.start - from;
            System.arraycopy(s.replacement, 0, out, to, s.replacement.length);
            to += s.replacement.length;
            from = s.end;
        }
        System.arraycopy(json, from, out, to, json.length - from);
        return out;
    }

    /**
     * Whether {@code [start, end)} holds exactly one member value or array element: preceded by
     * ':', '[' or ',' and followed by ',', '}' or ']' (whitespace aside). A guard against token
     * offsets that would otherwise cut the document in the wrong place.
     */
    static boolean framesValue(byte[] json, int start, int end) {
        if (start <= 0 || end <= start || end > json.length) {
            return false;
        }
        int before = start - 1;
        while (before > 0 && isSpace(json[before])) {
            before--;
        }
        int after = end;
        while (after < json.length && isSpace(json[after])) {
            after++;
        }
        byte b = json[before];
        return (b == ':' || b == '[' || b == ',') && after < json.length
                && (json[after] == ',' || json[after] == '}' || json[after] == ']');
    }

    private static boolean isSpace(byte b) {
        return b == ' ' || b == '\n' || b == '\r' || b == '\t';
    }
}
