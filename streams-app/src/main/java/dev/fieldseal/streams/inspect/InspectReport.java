package dev.fieldseal.streams.inspect;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fieldseal.kms.KekRef;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Renders a {@link ScanResult} as a table or as JSON. Names key ids and versions, never record content. */
final class InspectReport {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private InspectReport() {
    }

    // ---- JSON ----------------------------------------------------------------------------------

    static void json(ScanResult r, int exitCode, PrintWriter out) {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode topics = root.putArray("topics");
        for (ScanResult.TopicResult t : r.topics()) {
            ObjectNode tn = topics.addObject();
            tn.put("topic", t.topic());
            ArrayNode parts = tn.putArray("partitions");
            t.partitions().forEach((p, s) -> {
                ObjectNode pn = parts.addObject();
                pn.put("partition", p);
                stats(pn, s, true);
            });
            stats(tn.putObject("total"), t.total(), false);
        }
        stats(root.putObject("total"), r.total(), false);
        ObjectNode gate = root.putObject("failIfVersion");
        ArrayNode given = gate.putArray("versions");
        r.gate().given().forEach(given::add);
        gate.put("records", r.total().gatedRecords);
        root.put("elapsedMs", r.elapsedMs());
        root.put("exitCode", exitCode);
        try {
            out.println(JSON.writeValueAsString(root));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        out.flush();
    }

    private static void stats(ObjectNode n, ScanStats s, boolean offsets) {
        if (offsets) {
            n.put("startOffset", s.startOffset);
            n.put("endOffset", s.endOffset);
        }
        n.put("records", s.records);
        n.put("recordsWithSealedValues", s.sealedValueRecords);
        n.put("recordsWithSealedKeys", s.sealedKeyRecords);
        versions(n.putArray("valueVersions"), s.valueVersions, offsets);
        versions(n.putArray("keyVersions"), s.keyVersions, offsets);
        if (s.otherVersionRecords > 0) {
            n.put("recordsOfUncountedVersions", s.otherVersionRecords);
        }
        n.put("plaintextValues", s.plaintextValues);
        n.put("malformed", s.malformed);
        n.put("mismatches", s.mismatches);
        n.put("unreadable", s.unreadable);
        ObjectNode d = n.putObject("distinctDeks");
        d.put("count", s.deks.count());
        d.put("atLeast", s.deks.saturated());
        n.put("recordsNeedingFailVersions", s.gatedRecords);
    }

    private static void versions(ArrayNode a, Map<KekRef, VersionStats> m, boolean offsets) {
        for (Map.Entry<KekRef, VersionStats> e : ScanStats.sorted(m)) {
            ObjectNode v = a.addObject();
            VersionStats s = e.getValue();
            v.put("keyId", e.getKey().keyId());
            v.put("version", e.getKey().version());
            v.put("records", s.records);
            if (offsets) {
                v.put("firstOffset", s.firstOffset);
                v.put("lastOffset", s.lastOffset);
            }
            if (s.hasTimestamps()) {
                v.put("oldestTimestamp", Instant.ofEpochMilli(s.oldestTimestamp).toString());
                v.put("newestTimestamp", Instant.ofEpochMilli(s.newestTimestamp).toString());
            }
        }
    }

    // ---- table ---------------------------------------------------------------------------------

    static void table(ScanResult r, int exitCode, PrintWriter out) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"TOPIC", "PARTITION", "OFFSETS", "RECORDS", "SEALED-VALUES", "SEALED-KEYS", "PLAINTEXT",
            "MALFORMED", "MISMATCHES", "UNREADABLE", "DISTINCT-DEKS", "NEED-FAIL-VERSION"});
        for (ScanResult.TopicResult t : r.topics()) {
            t.partitions().forEach((p, s) -> rows.add(row(t.topic(), Integer.toString(p), s)));
            rows.add(row(t.topic(), "all", t.total()));
        }
        rows.add(row("(total)", "", r.total()));
        print(rows, out);

        for (boolean keys : new boolean[] {false, true}) {
            List<String[]> vr = new ArrayList<>();
            vr.add(new String[] {"TOPIC", "PARTITION", "KEY-ID", "VERSION", "RECORDS", "FIRST-OFFSET", "LAST-OFFSET",
                "OLDEST-TIMESTAMP", "NEWEST-TIMESTAMP"});
            for (ScanResult.TopicResult t : r.topics()) {
                t.partitions().forEach((p, s) -> versionRows(vr, t.topic(), Integer.toString(p), keys ? s.keyVersions
                        : s.valueVersions, true));
                versionRows(vr, t.topic(), "all", keys ? t.total().keyVersions : t.total().valueVersions, false);
            }
            out.println();
            out.println(keys ? "Key versions named by record keys:" : "Key versions named by record values:");
            if (vr.size() == 1) {
                out.println("  (none)");
            } else {
                print(vr, out);
            }
        }
        out.println();
        if (!r.gate().isEmpty()) {
            out.println("--fail-if-version " + String.join(", ", r.gate().given()) + ": " + r.total().gatedRecords
                    + " record(s) still need " + (r.gate().given().size() == 1 ? "it" : "one of them") + ".");
        }
        out.println("Scanned " + r.total().records + " record(s) in " + r.elapsedMs() + " ms; exit code " + exitCode
                + ".");
        out.flush();
    }

    private static String[] row(String topic, String partition, ScanStats s) {
        String offsets = s.startOffset == null ? "" : s.startOffset + ".." + s.endOffset;
        return new String[] {topic, partition, offsets, Long.toString(s.records), Long.toString(s.sealedValueRecords),
            Long.toString(s.sealedKeyRecords), Long.toString(s.plaintextValues), Long.toString(s.malformed),
            Long.toString(s.mismatches), Long.toString(s.unreadable),
            (s.deks.saturated() ? ">=" : "") + s.deks.count(), Long.toString(s.gatedRecords)};
    }

    private static void versionRows(List<String[]> rows, String topic, String partition, Map<KekRef, VersionStats> m,
            boolean offsets) {
        for (Map.Entry<KekRef, VersionStats> e : ScanStats.sorted(m)) {
            VersionStats s = e.getValue();
            rows.add(new String[] {topic, partition, e.getKey().keyId(), e.getKey().version(), Long.toString(s.records),
                offsets ? Long.toString(s.firstOffset) : "", offsets ? Long.toString(s.lastOffset) : "",
                s.hasTimestamps() ? Instant.ofEpochMilli(s.oldestTimestamp).toString() : "",
                s.hasTimestamps() ? Instant.ofEpochMilli(s.newestTimestamp).toString() : ""});
        }
    }

    private static void print(List<String[]> rows, PrintWriter out) {
        int[] w = new int[rows.get(0).length];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                w[i] = Math.max(w[i], r[i].length());
            }
        }
        for (String[] r : rows) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < r.length; i++) {
                sb.append(String.format("%-" + w[i] + "s", r[i]));
                if (i < r.length - 1) {
                    sb.append("  ");
                }
            }
            out.println(sb.toString().stripTrailing());
        }
    }
}
