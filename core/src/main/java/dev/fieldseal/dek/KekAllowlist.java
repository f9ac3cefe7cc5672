package dev.fieldseal.dek;

import dev.fieldseal.keyselect.KekTemplate;
import dev.fieldseal.kms.KekRef;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Which KEKs a decrypting process may contact ({@code kek.allowed}). Checked before any call to the
 * key manager, so a record written by an attacker cannot make a consumer send its Azure token to
 * another vault, or ask an allowed vault to unwrap with a key it was not meant to use.
 *
 * <p>Entries are versionless key ids ({@code https://v.vault.azure.net/keys/pii}, {@code local:pii}),
 * or a vault URL ending in {@code /} that allows every key of that vault, or a pattern: a key
 * template ({@code https://v.vault.azure.net/keys/tenant-${value.tenant_id}}) or a name with
 * {@code *} ({@code https://v.vault.azure.net/keys/tenant-*}), which allows exactly the key names of
 * letters, digits and dashes (at most 127) that it can produce in that vault, and nothing with a
 * {@code /}, {@code ?}, {@code @}, {@code %} or another host. Key Vault names are case-insensitive,
 * so comparison is too.
 */
public final class KekAllowlist {

    private final List<String> keys = new ArrayList<>();
    private final List<String> vaults = new ArrayList<>();
    /** Template and prefix entries: the ids they match, and where the key name starts in them. */
    private final List<NamePattern> patterns = new ArrayList<>();

    private record NamePattern(java.util.regex.Pattern ids, int nameStart, String entry) {
    }
    /** Decisions by key id as the record spells it, remembered: comparing costs more than a lookup. */
    private final java.util.Map<String, Boolean> decided = new java.util.concurrent.ConcurrentHashMap<>();
    static final int MAX_REMEMBERED = 1024;
    /** Honest key ids are under 100 chars; a record may carry one of 2,048 bytes. */
    static final int MAX_REMEMBERED_LENGTH = 256;

    public KekAllowlist(List<String> entries) {
        for (String e : entries) {
            String s = e.trim().toLowerCase(Locale.ROOT);
            if (s.isEmpty()) {
                continue;
            }
            if (isPattern(s)) {
                KekTemplate t;
                try {
                    t = KekTemplate.parse(e.trim(), true);
                } catch (IllegalArgumentException bad) {
                    throw new IllegalArgumentException("kek.allowed entry '" + e.trim() + "': " + bad.getMessage());
                }
                patterns.add(new NamePattern(t.idPattern(), t.nameStart(), e.trim()));
            } else if (s.endsWith("/")) {
                vaults.add(s + "keys/");
            } else {
                keys.add(s);
            }
        }
        if (keys.isEmpty() && vaults.isEmpty() && patterns.isEmpty()) {
            throw new IllegalArgumentException("kek.allowed is empty: name at least one key");
        }
    }

    public boolean allows(KekRef kek) {
        Boolean known = decided.get(kek.keyId());
        if (known != null) {
            return known;
        }
        boolean allowed = decide(kek);
        // key ids come from the data: remember a bounded number of short ones (at most about 0.5 MiB)
        if (decided.size() < MAX_REMEMBERED && kek.keyId().length() <= MAX_REMEMBERED_LENGTH) {
            decided.put(kek.keyId(), allowed);
        }
        return allowed;
    }

    private boolean decide(KekRef kek) {
        String id = kek.keyId().toLowerCase(Locale.ROOT);
        if (keys.contains(id)) {
            return true;
        }
        for (String v : vaults) {
            if (id.startsWith(v) && id.indexOf('/', v.length()) < 0) {
                return true;
            }
        }
        for (NamePattern p : patterns) {
            // the pattern admits only name characters after the vault's /keys/; the name length is checked here
            if (id.length() <= MAX_REMEMBERED_LENGTH && p.ids().matcher(id).matches()
                    && id.length() - id.lastIndexOf('/') - 1 <= MAX_KEY_NAME) {
                return true;
            }
        }
        return false;
    }

    /** Key Vault key names are at most this long. */
    static final int MAX_KEY_NAME = 127;

    /** Whether an entry is a template ({@code ${...}}) or a name prefix ({@code *}), kept as it is. */
    public static boolean isPattern(String entry) {
        return entry.contains("${") || entry.contains("*");
    }

    @Override
    public String toString() {
        List<String> all = new ArrayList<>(keys);
        patterns.forEach(p -> all.add(p.entry()));
        vaults.forEach(v -> all.add(v.substring(0, v.length() - "keys/".length())));
        return String.join(",", all);
    }
}
