package dev.fieldseal.dek;

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
 * or a vault URL ending in {@code /} that allows every key of that vault. Key Vault names are
 * case-insensitive, so comparison is too.
 */
public final class KekAllowlist {

    private final List<String> keys = new ArrayList<>();
    private final List<String> vaults = new ArrayList<>();
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
            if (s.endsWith("/")) {
                vaults.add(s + "keys/");
            } else {
                keys.add(s);
            }
        }
        if (keys.isEmpty() && vaults.isEmpty()) {
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
        return false;
    }

    @Override
    public String toString() {
        List<String> all = new ArrayList<>(keys);
        vaults.forEach(v -> all.add(v.substring(0, v.length() - "keys/".length())));
        return String.join(",", all);
    }
}
