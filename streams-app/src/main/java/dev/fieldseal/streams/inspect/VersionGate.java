package dev.fieldseal.streams.inspect;

import dev.fieldseal.kms.KekRef;
import java.util.List;

/**
 * The versions given with {@code --fail-if-version}: a bare version ({@code 3}, a Key Vault
 * version id) matches it under any key id; {@code <key id>/<version>} (split at the last
 * {@code /}, so a full versioned Key Vault key id works as is) matches that key only.
 */
final class VersionGate {

    private record Entry(String keyId, String version) {
        boolean matches(KekRef k) {
            return version.equals(k.version()) && (keyId == null || keyId.equals(k.keyId()));
        }
    }

    private final List<Entry> entries;
    private final List<String> given;

    VersionGate(List<String> given) {
        this.given = List.copyOf(given);
        this.entries = given.stream().map(VersionGate::parse).toList();
    }

    private static Entry parse(String v) {
        String t = v.trim();
        int slash = t.lastIndexOf('/');
        if (t.isEmpty() || slash == t.length() - 1) {
            throw new IllegalArgumentException("--fail-if-version '" + v + "': give a version, or <key id>/<version>");
        }
        return slash < 0 ? new Entry(null, t) : new Entry(t.substring(0, slash), t.substring(slash + 1));
    }

    boolean isEmpty() {
        return entries.isEmpty();
    }

    List<String> given() {
        return given;
    }

    boolean matches(KekRef k) {
        for (Entry e : entries) {
            if (e.matches(k)) {
                return true;
            }
        }
        return false;
    }
}
