package dev.fieldseal.testkit.leak;

import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The values that must never appear in a log line or an exception message during a test run:
 * plaintext test values and key material. Plain Java, so the Key Vault double (also used outside
 * tests, by the demo) can register what it sees without depending on a logging backend;
 * {@link LeakGuard} checks against it.
 */
public final class LeakSecrets {

    /** Shorter values match by chance; secrets are at least this long. */
    public static final int MIN_LENGTH = 8;

    /** Bounds memory where the double runs long (the demo); far above what a module's tests register. */
    private static final int MAX_FORMS = 200_000;
    private static final Map<String, String> SECRETS = new LinkedHashMap<>();

    private LeakSecrets() {
    }

    /** A plaintext value (or password) that must never be logged. */
    public static void secret(String label, String value) {
        if (value == null || value.length() < MIN_LENGTH) {
            throw new IllegalArgumentException("secret '" + label + "' is shorter than " + MIN_LENGTH + " characters");
        }
        synchronized (SECRETS) {
            if (SECRETS.size() < MAX_FORMS) {
                SECRETS.put(value, label);
            }
        }
    }

    /** Key material: looked for as lower- and upper-case hex, base64 and base64url (each without padding). */
    public static void secretBytes(String label, byte[] key) {
        if (key == null || key.length < MIN_LENGTH) {
            throw new IllegalArgumentException("key material '" + label + "' shorter than " + MIN_LENGTH + " bytes");
        }
        String hex = HexFormat.of().formatHex(key);
        secret(label + " (hex)", hex);
        secret(label + " (HEX)", hex.toUpperCase(Locale.ROOT));
        secret(label + " (base64)", Base64.getEncoder().withoutPadding().encodeToString(key));
        secret(label + " (base64url)", Base64.getUrlEncoder().withoutPadding().encodeToString(key));
    }

    /** Every registered secret form, mapped to its label. */
    public static Map<String, String> all() {
        synchronized (SECRETS) {
            return new LinkedHashMap<>(SECRETS);
        }
    }

    static void clear() {
        synchronized (SECRETS) {
            SECRETS.clear();
        }
    }
}
