package dev.fieldseal.streams.inspect;

import dev.fieldseal.kms.KekRef;
import dev.fieldseal.scan.RecordScan;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The counters of one partition, one topic or the whole scan. Only counters: the per-version
 * maps hold at most {@value #MAX_VERSIONS} entries each (versions beyond are counted in
 * {@link #otherVersionRecords}), the DEK set is capped, so memory does not grow with the topic.
 */
final class ScanStats {
    static final int MAX_VERSIONS = 1000;

    long records;
    long sealedValueRecords;
    long sealedKeyRecords;
    long plaintextValues;
    long malformed;
    long mismatches;
    long unreadable;
    /** Records that still need a {@code --fail-if-version} version. */
    long gatedRecords;
    long otherVersionRecords;
    final Map<KekRef, VersionStats> valueVersions = new LinkedHashMap<>();
    final Map<KekRef, VersionStats> keyVersions = new LinkedHashMap<>();
    final DekCounter deks;
    /** Offsets of one partition only; a topic or the total has none. */
    Long startOffset;
    Long endOffset;

    ScanStats(int dekLimit) {
        this.deks = new DekCounter(dekLimit);
    }

    void add(long offset, long timestamp, RecordScan scan, Decoded key, Decoded value, VersionGate gate) {
        records++;
        if (scan.valueEnvelopes() > 0) {
            sealedValueRecords++;
        }
        if (scan.keyEnvelopes() > 0) {
            sealedKeyRecords++;
        }
        plaintextValues += value.plaintext();
        malformed += scan.malformed();
        if (!scan.consistent()) {
            mismatches++;
        }
        if (key.unreadable() || value.unreadable()) {
            unreadable++;
        }
        for (KekRef k : scan.valueKeks()) {
            version(valueVersions, k, offset, timestamp);
        }
        for (KekRef k : scan.keyKeks()) {
            version(keyVersions, k, offset, timestamp);
        }
        for (long d : scan.deks()) {
            deks.add(d);
        }
        if (!gate.isEmpty()) {
            for (KekRef k : scan.keks()) {
                if (gate.matches(k)) {
                    gatedRecords++;
                    break;
                }
            }
        }
    }

    private void version(Map<KekRef, VersionStats> m, KekRef k, long offset, long timestamp) {
        VersionStats v = m.get(k);
        if (v == null) {
            if (m.size() >= MAX_VERSIONS) {
                otherVersionRecords++;
                return;
            }
            v = new VersionStats();
            m.put(k, v);
        }
        v.add(offset, timestamp);
    }

    /** Whether something was found that keeps the scan from proving what the data needs. */
    boolean unproven() {
        return plaintextValues > 0 || malformed > 0 || mismatches > 0 || unreadable > 0 || otherVersionRecords > 0;
    }

    static List<Map.Entry<KekRef, VersionStats>> sorted(Map<KekRef, VersionStats> m) {
        return m.entrySet().stream()
                .sorted(Comparator.comparing((Map.Entry<KekRef, VersionStats> e) -> e.getKey().keyId())
                        .thenComparing(e -> e.getKey().version()))
                .toList();
    }
}
