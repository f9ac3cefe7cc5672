package dev.fieldseal.interop;

import dev.fieldseal.interop.InteropCell.Family;
import dev.fieldseal.interop.InteropCell.KeyType;
import dev.fieldseal.interop.InteropCell.Mode;
import dev.fieldseal.interop.InteropCell.Placement;
import dev.fieldseal.interop.InteropCell.Reader;
import dev.fieldseal.interop.InteropCell.Writer;
import java.util.ArrayList;
import java.util.List;

/**
 * The cells {@link InteropMatrixTest} runs, and {@code docs/interop.md} generated from them
 * ({@link InteropTableTest} keeps the file equal). One list, so the table cannot claim a cell the
 * suite does not run.
 */
final class InteropCells {

    /** Re-keying is shown on the key that is rotated in the suite. */
    static final KeyType REKEY_KEY = KeyType.RSA;
    /** The registry framings are shown on one key type and placement: the framing is their point. */
    static final KeyType REGISTRY_KEY = KeyType.RSA;
    static final Placement REGISTRY_PLACEMENT = Placement.FIELD;

    private InteropCells() {
    }

    static List<InteropCell> all() {
        List<InteropCell> out = new ArrayList<>();
        for (Writer w : Writer.values()) {
            for (Reader r : Reader.values()) {
                if (!r.takes(w.format)) {
                    continue;
                }
                for (Placement p : Placement.values()) {
                    for (KeyType k : KeyType.values()) {
                        if (!runs(w.family, k, p)) {
                            continue;
                        }
                        for (Mode m : w.modes) {
                            out.add(new InteropCell(w, r, p, k, m, InteropCell.ROUND_TRIP));
                        }
                    }
                }
            }
        }
        return out;
    }

    /** Whether a family writes under this key type and placement. */
    static boolean runs(Family f, KeyType k, Placement p) {
        return (!f.rekeyed() || k == REKEY_KEY) && (!f.registry() || k == REGISTRY_KEY && p == REGISTRY_PLACEMENT);
    }

    static List<InteropCell> roundTrips() {
        return all().stream().filter(InteropCell::roundTrip).toList();
    }

    /** The generated part of docs/interop.md. */
    static String table() {
        StringBuilder b = new StringBuilder();
        b.append("| # | writer | format | reader | placement | key type | mode | result |\n");
        b.append("|---|---|---|---|---|---|---|---|\n");
        int n = 0;
        for (InteropCell c : all()) {
            b.append("| ").append(++n).append(" | `").append(c.writer().label.replace("|", "\\|")).append("` | ")
                    .append(c.writer().format.label).append(" | `").append(c.reader().label(c.writer().part))
                    .append("` | ").append(c.placement().id).append(" | ").append(c.keyType().label).append(" | ")
                    .append(c.mode().label).append(" | ").append(c.expected()).append(" |\n");
        }
        b.append('\n').append(n).append(" cells.\n");
        return b.toString();
    }
}
