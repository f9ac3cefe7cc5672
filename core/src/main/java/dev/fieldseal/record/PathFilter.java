package dev.fieldseal.record;

import dev.fieldseal.field.FieldPath;
import dev.fieldseal.field.FieldSelection;

/**
 * The decrypting side's view of {@code fields}: empty means every fieldseal value found,
 * otherwise only the selected paths (and the containers on the way to them) are visited.
 */
final class PathFilter {

    private final FieldSelection selection;

    PathFilter(FieldSelection selection) {
        this.selection = selection;
    }

    /** Whether a value found at {@code path} is to be decrypted. */
    boolean wanted(String path) {
        if (selection.isEmpty()) {
            return true;
        }
        FieldSelection n = find(path);
        return n != null && n.selected();
    }

    /** Whether anything at or below {@code path} may be decrypted. */
    boolean mayContain(String path) {
        return selection.isEmpty() || path.isEmpty() || find(path) != null;
    }

    private FieldSelection find(String path) {
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
