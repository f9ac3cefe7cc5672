package dev.fieldseal.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The "Key retirement" section of {@code BENCHMARKS.md} from {@link KeyRetirement}'s JSON, and its
 * rows of the targets table. It can be rendered into a full report or spliced alone into an
 * existing {@code BENCHMARKS.md} ({@link #splice}), since it is measured on its own
 * ({@code ONLY=retirement bench/run.sh}) while the rest needs the 15-minute run.
 */
final class KeyRetirementSection {

    static final String JSON_NAME = "keyRetirement";
    static final String HEADING = "## Key retirement: re-key economy and inspect";
    /** Every target row of this section starts with it, so that a splice can replace them. */
    static final String ROW_PREFIX = "| Key retirement: ";
    private static final String TARGETS_HEADING = "## Targets";

    private final JsonNode k;
    private final List<String> verdicts;
    private final StringBuilder md = new StringBuilder();

    KeyRetirementSection(JsonNode k, List<String> verdicts) {
        this.k = k;
        this.verdicts = verdicts;
    }

    /** The section; {@code alone}: measured apart from the rest of the report, so it says when and under what load. */
    String render(boolean alone) {
        JsonNode seal = k.get("seal");
        long records = k.get("records").asLong();
        md.append(HEADING).append("\n\n");
        if (alone) {
            md.append("Measured on its own (`ONLY=retirement bench/run.sh`), not in the run that wrote the other ")
                    .append("sections: ").append(ZonedDateTime.now().format(DateTimeFormatter.RFC_1123_DATE_TIME))
                    .append(", load average at report time ").append(Report.loadAverage()).append(".\n\n");
        }
        int fields = k.get("fieldsPerRecord").asInt();
        long valueDeks = seal.get("metrics").path("deks-created").asLong();
        md.append(String.format(Locale.ROOT, "%,d S1 records sealed by the Streams app (`StreamsService`, mode "
                + "`encrypt`, one JSON route): %d value fields (`%s`) and the record key (the e-mail address, "
                + "`key.format=string`, deterministic AES-SIV under `deterministic.dek`), `%s` placement, "
                + "RSA-2048 KEK in the Key Vault double, `dek.max.encryptions=%,d`, so **%d value DEKs** and the "
                + "deterministic DEK: %d distinct DEKs in the topic. ", records, fields,
                String.join("`, `", Shapes.fields("S1")), k.get("placement").asText(),
                k.get("dekMaxEncryptions").asLong(), valueDeks, seal.get("distinctDeks").asInt()));
        md.append("Then the key is rotated and the app in mode `rekey` (a new instance, as the CLI starts it) ")
                .append("re-keys that topic into a second one; the key is rotated again and a third instance ")
                .append("re-keys the second topic into a third. In-JVM KRaft broker (same JVM), 1 partition, 1 ")
                .append("stream thread, at-least-once, `http.port=-1` (no health check requests).\n\n");
        md.append("*Key Vault requests*: counted by the double by operation, from the instance's start to its ")
                .append("close. *Distinct old DEKs*: counted independently from the input topic's bytes (core ")
                .append("`RecordScan` on the envelopes `EnvelopeLocator` finds in key and value). *Bodies*: a ")
                .append("SHA-256 over nonce and body of every envelope, in offset order (key, then the value's ")
                .append("fields), of input and output (`EnvelopeLayout.parse`); equal digests and envelope counts = ")
                .append("every ciphertext byte-identical. *Invariant*: records whose `fieldseal.kek.id`/")
                .append("`fieldseal.kek.version` headers do not name exactly the versions their envelopes name. ")
                .append("*seconds*: from the instance's start to the last output record; *steady*: from the first ")
                .append("output record to the last.\n\n");
        md.append("| pass | records | seconds | records/s | steady records/s | get | unwrapkey | wrapkey | other "
                + "requests | distinct old DEKs | output versions (key / value) | invariant violations | bodies |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---|\n");
        row("seal (`encrypt`)", seal, seal, null);
        boolean unwrapsOk = true;
        boolean wrapsOk = true;
        boolean bodiesOk = true;
        boolean invariantOk = seal.get("invariantViolations").asLong() == 0;
        List<String> unwrapText = new ArrayList<>();
        List<String> bodyText = new ArrayList<>();
        for (JsonNode p : k.get("passes")) {
            JsonNode out = p.get("output");
            row("re-key " + p.get("pass").asInt() + " (`rekey`)", p, out, p);
            int unwraps = p.get("calls").get("unwrapkey").asInt();
            int old = p.get("distinctOldDeks").asInt();
            unwrapsOk &= unwraps == old;
            wrapsOk &= p.get("calls").get("wrapkey").asInt() == 0;
            bodiesOk &= p.get("bodiesIdentical").asBoolean();
            invariantOk &= out.get("invariantViolations").asLong() == 0 && out.get("valueVersions").size() == 1
                    && out.get("keyVersions").size() == 1;
            unwrapText.add(String.format(Locale.ROOT, "pass %d: %d unwrapkey, %d old DEKs", p.get("pass").asInt(),
                    unwraps, old));
            bodyText.add(String.format(Locale.ROOT, "pass %d: %,d envelopes, %s", p.get("pass").asInt(),
                    out.get("envelopes").asLong(), p.get("bodiesIdentical").asBoolean() ? "identical" : "DIFFERENT"));
        }
        md.append('\n');
        md.append("The sealing pass unwraps the deterministic DEK once (the app loads `deterministic.dek`); RSA ")
                .append("wraps are local (public key from one `get`), so no pass sends `wrapkey`. Each re-key ")
                .append("unwraps every distinct old DEK once and wraps it locally under the new version, cached per ")
                .append("(old EDEK, target version); the deterministic DEK is re-wrapped by the re-keying instance ")
                .append("itself (no re-wrapped `deterministic.dek` is configured; with the output of `fieldseal ")
                .append("deterministic-dek --rewrap` configured, one more unwrap checks that it holds the same DEK).\n\n");
        long n = k.get("passes").size();
        verdicts.add(ROW_PREFIX + "re-key unwraps = distinct old DEKs (" + n + " passes) | " + String.join("; ", unwrapText)
                + " | " + verdict(unwrapsOk) + " |");
        verdicts.add(ROW_PREFIX + "re-key wraps = 0 (RSA KEK) | " + wrapCounts() + " | " + verdict(wrapsOk) + " |");
        verdicts.add(ROW_PREFIX + "ciphertext bodies byte-identical after each re-key | " + String.join("; ", bodyText)
                + " | " + verdict(bodiesOk) + " |");
        verdicts.add(ROW_PREFIX + "headers name exactly the envelopes' versions; each re-key output on one version | "
                + "checked on every record of the 3 topics | " + verdict(invariantOk) + " |");
        if (k.has("inspect")) {
            inspect(k.get("inspect"));
        }
        return md.toString();
    }

    private void row(String name, JsonNode run, JsonNode topic, JsonNode pass) {
        JsonNode c = run.get("calls");
        int other = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = c.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!List.of("get", "unwrapkey", "wrapkey").contains(e.getKey())) {
                other += e.getValue().asInt();
            }
        }
        long records = topic.get("records").asLong();
        double seconds = run.get("seconds").asDouble();
        md.append(String.format(Locale.ROOT, "| %s | %,d | %.1f | %,.0f | %,.0f | %d | %d | %d | %d | %s | %s / %s | %d "
                        + "| %s |%n", name, records, seconds, records / seconds,
                run.get("steadyRecordsPerSecond").asDouble(), c.get("get").asInt(), c.get("unwrapkey").asInt(),
                c.get("wrapkey").asInt(), other, pass == null ? "—" : String.valueOf(pass.get("distinctOldDeks").asInt()),
                versions(topic.get("keyVersions")), versions(topic.get("valueVersions")),
                topic.get("invariantViolations").asLong(), pass == null ? "—"
                        : pass.get("bodiesIdentical").asBoolean() ? "identical" : "**different**"));
    }

    /** "v1…" shortened version ids with their record counts. */
    private static String versions(JsonNode counts) {
        List<String> out = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = counts.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String v = e.getKey();
            out.add(String.format(Locale.ROOT, "`%s…` × %,d", v.substring(0, Math.min(8, v.length())),
                    e.getValue().asLong()));
        }
        return out.isEmpty() ? "none" : String.join(", ", out);
    }

    private String wrapCounts() {
        List<String> out = new ArrayList<>();
        for (JsonNode p : k.get("passes")) {
            out.add("pass " + p.get("pass").asInt() + ": " + p.get("calls").get("wrapkey").asInt() + " wrapkey");
        }
        return String.join("; ", out);
    }

    private void inspect(JsonNode i) {
        md.append("### `fieldseal inspect` over the last re-keyed topic\n\n");
        md.append(i.get("method").asText()).append("\n\n");
        md.append("| records | topic size | seconds | records/s | scan seconds | scan records/s | peak used heap | old "
                + "gen peak | -Xmx | exit code | records needing a retired version | distinct DEKs | plaintext / "
                + "malformed / mismatches | Key Vault requests before → after |\n");
        md.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|\n");
        long before = i.get("keyVaultRequestsBefore").asLong();
        long after = i.get("keyVaultRequestsAfter").asLong();
        double mib = 1 << 20;
        md.append(String.format(Locale.ROOT, "| %,d | %,.0f MiB | %.1f | %,.0f | %.1f | %,.0f | %.0f MiB | %.0f MiB | %s | "
                        + "%d | %,d | %d | %d / %d / %d | %d → %d |%n%n", i.get("records").asLong(),
                i.get("topicBytes").asDouble() / mib, i.get("seconds").asDouble(), i.get("recordsPerSecond").asDouble(),
                i.get("scanSeconds").asDouble(), i.get("scanRecordsPerSecond").asDouble(),
                i.get("peakHeapBytes").asDouble() / mib, i.get("peakOldGenBytes").asDouble() / mib,
                i.get("xmx").asText(), i.get("exitCode").asInt(), i.get("recordsNeedingFailVersions").asLong(),
                i.get("distinctDeks").asLong(), i.get("plaintextValues").asLong(), i.get("malformed").asLong(),
                i.get("mismatches").asLong(), before, after));
        verdicts.add(ROW_PREFIX + "`inspect` makes no Key Vault request | " + before + " → " + after + " requests "
                + "seen by the double | " + verdict(before == after) + " |");
        boolean gate = i.get("exitCode").asInt() == 0 && i.get("recordsNeedingFailVersions").asLong() == 0
                && i.get("records").asLong() == i.get("expectedRecords").asLong();
        verdicts.add(String.format(Locale.ROOT, "%s`inspect --fail-if-version` for both retired versions passes on "
                + "the last re-keyed topic | exit code %d, %,d of %,d records need them | %s |", ROW_PREFIX,
                i.get("exitCode").asInt(), i.get("recordsNeedingFailVersions").asLong(), i.get("records").asLong(),
                verdict(gate)));
        verdicts.add(String.format(Locale.ROOT, "%s`inspect` on %,d records: records/s and peak heap (a figure, "
                + "no target) | %,.0f records/s (scan %,.0f), peak used heap %.0f MiB (old gen %.0f MiB) under "
                + "-Xmx%s | — |", ROW_PREFIX, i.get("records").asLong(), i.get("recordsPerSecond").asDouble(),
                i.get("scanRecordsPerSecond").asDouble(), i.get("peakHeapBytes").asDouble() / mib,
                i.get("peakOldGenBytes").asDouble() / mib, i.get("xmx").asText()));
    }

    private static String verdict(boolean ok) {
        return ok ? "PASS" : "MISS";
    }

    /**
     * {@code md} with this section in place of its old one (or, if it had none, before the
     * cross-check or targets section), and the targets table's rows of this section replaced by
     * {@code rows}. Every other line is kept as it was.
     */
    static String splice(String md, String section, List<String> rows) {
        String out;
        int start = md.indexOf(HEADING);
        if (start >= 0) {
            int end = md.indexOf("\n## ", start + HEADING.length());
            out = md.substring(0, start) + section + (end < 0 ? "" : md.substring(end + 1));
        } else {
            int at = md.indexOf("## Cross-check");
            if (at < 0) {
                at = md.indexOf(TARGETS_HEADING);
            }
            out = at < 0 ? md + (md.isEmpty() || md.endsWith("\n\n") ? "" : "\n") + section
                    : md.substring(0, at) + section + md.substring(at);
        }
        List<String> lines = new ArrayList<>(List.of(out.split("\n", -1)));
        int targets = lines.indexOf(TARGETS_HEADING);
        if (targets < 0) {
            lines.add(TARGETS_HEADING);
            lines.add("");
            lines.add("| target | result | verdict |");
            lines.add("|---|---|---|");
            lines.addAll(rows);
            lines.add("");
            return String.join("\n", lines);
        }
        lines.removeIf(l -> l.startsWith(ROW_PREFIX));
        int last = targets + 1;
        while (last < lines.size() && !lines.get(last).startsWith("|")) {
            last++; // the blank line before the table
        }
        while (last < lines.size() && lines.get(last).startsWith("|")) {
            last++;
        }
        lines.addAll(last, rows);
        return String.join("\n", lines);
    }
}
