package dev.fieldseal.interop;

import dev.fieldseal.interop.InteropCell.KeyType;
import dev.fieldseal.interop.InteropCell.Mode;
import dev.fieldseal.interop.InteropCell.Placement;
import dev.fieldseal.interop.InteropCell.Reader;
import dev.fieldseal.interop.InteropCell.Writer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The cells {@link InteropMatrixTest} runs, and {@code docs/interop.md} generated from them
 * ({@link InteropTableTest} keeps the file equal). One list, so the table cannot claim a cell the
 * suite does not run.
 */
final class InteropCells {

    static final String CONNECT_RAW_EDEK_HEADER = "under header placement the serializer and the Streams app (encrypt "
            + "and rekey) write fieldseal.edek as raw bytes, which the worker's default SimpleHeaderConverter does not "
            + "carry: DecryptFields fails at runtime ('Malformed encrypted value'); such a sink needs "
            + "header.converter=org.apache.kafka.connect.converters.ByteArrayConverter";

    /** Re-keying is shown on the key that is rotated in the suite. */
    static final KeyType REKEY_KEY = KeyType.RSA;

    /**
     * Cells that do not round-trip today, by writer and reader: the reason is what the disabled
     * defect test in {@link InteropMatrixTest} checks. Empty when every cell round-trips.
     */
    static final Map<String, String> DEFECTS = Map.ofEntries(
            Map.entry("SERDE_JSON_VALUE/DECRYPT_FIELDS/HEADER", CONNECT_RAW_EDEK_HEADER),
            Map.entry("SERDE_JSON_KEY/DECRYPT_FIELDS/HEADER", CONNECT_RAW_EDEK_HEADER),
            Map.entry("STREAMS_JSON_VALUE/DECRYPT_FIELDS/HEADER", CONNECT_RAW_EDEK_HEADER),
            Map.entry("STREAMS_JSON_KEY/DECRYPT_FIELDS/HEADER", CONNECT_RAW_EDEK_HEADER),
            Map.entry("REKEY_SERDE_JSON_VALUE/DECRYPT_FIELDS/HEADER", CONNECT_RAW_EDEK_HEADER),
            Map.entry("REKEY_SERDE_JSON_KEY/DECRYPT_FIELDS/HEADER", CONNECT_RAW_EDEK_HEADER),
            Map.entry("SERDE_STRING_VALUE/DECRYPT_FIELDS/HEADER", CONNECT_RAW_EDEK_HEADER),
            Map.entry("SERDE_STRING_KEY/DECRYPT_FIELDS/HEADER", CONNECT_RAW_EDEK_HEADER),
            Map.entry("STREAMS_STRING_VALUE/DECRYPT_FIELDS/HEADER", CONNECT_RAW_EDEK_HEADER),
            Map.entry("STREAMS_STRING_KEY/DECRYPT_FIELDS/HEADER", CONNECT_RAW_EDEK_HEADER),
            Map.entry("REKEY_SMT_STRUCT_VALUE/DECRYPT_FIELDS/HEADER", CONNECT_RAW_EDEK_HEADER));

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
                        if (w.family.rekeyed() && k != REKEY_KEY) {
                            continue;
                        }
                        for (Mode m : w.modes) {
                            String defect = DEFECTS.getOrDefault(w.name() + "/" + r.name() + "/" + p.name(),
                                    DEFECTS.get(w.name() + "/" + r.name()));
                            out.add(new InteropCell(w, r, p, k, m,
                                    defect == null ? InteropCell.ROUND_TRIP : "defect: " + defect));
                        }
                    }
                }
            }
        }
        return out;
    }

    static List<InteropCell> roundTrips() {
        return all().stream().filter(InteropCell::roundTrip).toList();
    }

    static List<InteropCell> defects() {
        return all().stream().filter(c -> !c.roundTrip()).toList();
    }

    /** Whether Streams decrypt is expected to open every record of the family (a route for it does not stop the app). */
    static boolean streamsDecrypts(InteropCell.Family f) {
        return all().stream().noneMatch(c -> c.writer().family == f && c.reader() == Reader.STREAMS_DECRYPT
                && !c.roundTrip());
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
