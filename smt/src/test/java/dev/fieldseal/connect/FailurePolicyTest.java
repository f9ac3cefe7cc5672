package dev.fieldseal.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fieldseal.metrics.FieldsealMetrics;
import dev.fieldseal.testkit.KeyVaultDouble;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code on.failure} in DecryptFields, key and value: a tampered value, a key outside kek.allowed
 * and a disabled key version (Key Vault double) under fail, ciphertext and mask give the same
 * failure class and counters as in the other hosts; a Key Vault outage is never masked.
 */
class FailurePolicyTest {

    private static KeyVaultDouble kv;
    private static String disabledVersion;

    @BeforeAll
    static void start() {
        kv = new KeyVaultDouble();
        kv.createRsaKey("pii");
        kv.createRsaKey("stranger");
        disabledVersion = kv.createRsaKey("short-lived");
    }

    @AfterAll
    static void stop() {
        kv.close();
    }

    private static Map<String, Object> props(String key, Object... more) {
        Map<String, Object> p = new HashMap<>();
        p.put("kek.id", kv.keyId(key));
        p.put("azure.credential", "emulator");
        p.put("azure.tls.ca.file", kv.caPemFile().toString());
        p.put("kms.retry.max", 0);
        p.put("kms.timeout.ms", 2000L);
        for (int i = 0; i < more.length; i += 2) {
            p.put((String) more[i], more[i + 1]);
        }
        return p;
    }

    private static SourceRecord plain(boolean key, int n) {
        return key ? new SourceRecord(Map.of(), Map.of(), "people", 0, Samples.PERSON, Samples.person(n), null, null)
                : new SourceRecord(Map.of(), Map.of(), "people", 0, null, null, Samples.PERSON, Samples.person(n));
    }

    private static SourceRecord seal(boolean key, String kek, int n) {
        try (EncryptFields<SourceRecord> enc = key ? new EncryptFields.Key<>() : new EncryptFields.Value<>()) {
            enc.configure(props(kek, "fields", "ssn,i32"));
            return enc.apply(plain(key, n));
        }
    }

    private static Struct side(SourceRecord r, boolean key) {
        return (Struct) (key ? r.key() : r.value());
    }

    private static Schema sideSchema(SourceRecord r, boolean key) {
        return key ? r.keySchema() : r.valueSchema();
    }

    /** The record with the last bytes of its ssn ciphertext (the GCM tag) altered. */
    static SourceRecord tampered(SourceRecord sealed, boolean key) {
        Struct s = side(sealed, key);
        Struct copy = new Struct(s.schema());
        s.schema().fields().forEach(f -> copy.put(f, s.get(f)));
        String ct = s.getString("ssn");
        int i = ct.length() - 6;
        copy.put("ssn", ct.substring(0, i) + (ct.charAt(i) == 'A' ? 'B' : 'A') + ct.substring(i + 1));
        return key ? sealed.newRecord("people", 0, s.schema(), copy, null, null, null)
                : sealed.newRecord("people", 0, null, null, s.schema(), copy, null);
    }

    /** The sealed record for a fault, and the decrypting config that meets it. */
    private static Object[] fault(String fault, boolean key) {
        return switch (fault) {
            case "tampered" -> new Object[] {tampered(seal(key, "pii", 1), key), props("pii")};
            case "not-allowed" -> new Object[] {seal(key, "stranger", 2), props("pii")};
            case "permanent-kms" -> {
                SourceRecord r = seal(key, "short-lived", 3);
                kv.setEnabled("short-lived", disabledVersion, false);
                yield new Object[] {r, props("pii", "kek.allowed", kv.vaultUrl() + "/")};
            }
            default -> throw new IllegalArgumentException(fault);
        };
    }

    @ParameterizedTest(name = "{0} {1} under {2}")
    @CsvSource({
        "value, tampered, fail", "value, tampered, ciphertext", "value, tampered, mask",
        "value, not-allowed, fail", "value, not-allowed, ciphertext", "value, not-allowed, mask",
        "value, permanent-kms, fail", "value, permanent-kms, ciphertext", "value, permanent-kms, mask",
        "key, tampered, fail", "key, tampered, ciphertext", "key, tampered, mask",
        "key, not-allowed, fail", "key, not-allowed, ciphertext", "key, not-allowed, mask",
        "key, permanent-kms, fail", "key, permanent-kms, ciphertext", "key, permanent-kms, mask"})
    void eachFaultUnderEachPolicy(String side, String fault, String policy) {
        boolean key = side.equals("key");
        Object[] f = fault(fault, key);
        SourceRecord sealed = (SourceRecord) f[0];
        @SuppressWarnings("unchecked")
        Map<String, Object> config = new HashMap<>((Map<String, Object>) f[1]);
        config.put("on.failure", policy);
        try (DecryptFields<SourceRecord> dec = key ? new DecryptFields.Key<>() : new DecryptFields.Value<>()) {
            dec.configure(config);
            FieldsealMetrics m = dec.metrics();
            switch (policy) {
                case "fail" -> {
                    DataException e = assertThrows(DataException.class, () -> dec.apply(sealed));
                    String cls = fault.toUpperCase().replace('-', '_');
                    assertTrue(e.getMessage().contains("cause " + cls) && e.getMessage().contains("'ssn'"),
                            e.getMessage());
                    assertFalse(e.getMessage().contains(Samples.marker(1)), e.getMessage());
                    if (fault.equals("permanent-kms")) {
                        assertTrue(e.getMessage().contains(disabledVersion), e.getMessage());
                    }
                    assertEquals(0, m.get(FieldsealMetrics.FIELDS_MASKED) + m.get(FieldsealMetrics.FIELDS_LEFT_SEALED));
                }
                case "ciphertext" -> {
                    SourceRecord out = dec.apply(sealed);
                    // a Struct cannot hold a sealed value under its restored schema: it stays as read
                    assertSame(sideSchema(sealed, key), sideSchema(out, key));
                    assertSame(side(sealed, key), side(out, key));
                    assertEquals(1, m.get(FieldsealMetrics.FIELDS_LEFT_SEALED));
                    assertEquals(0, m.get(FieldsealMetrics.FIELDS_MASKED));
                }
                default -> {
                    SourceRecord out = dec.apply(sealed);
                    assertEquals(Samples.PERSON, sideSchema(out, key));
                    Struct s = side(out, key);
                    s.validate();
                    assertEquals("****", s.getString("ssn"));
                    // i32 is sealed with the same key: the same fault masks it as a number (only ssn was altered)
                    boolean both = !fault.equals("tampered");
                    assertEquals(both ? 0 : 43, s.getInt32("i32"));
                    assertEquals(both ? 2 : 1, m.get(FieldsealMetrics.FIELDS_MASKED));
                    assertEquals(0, m.get(FieldsealMetrics.FIELDS_LEFT_SEALED));
                }
            }
            long expected = policy.equals("mask") && !fault.equals("tampered") ? 2 : 1;
            assertEquals(expected, m.get("failures{cause=" + fault + "}"), m.snapshot().toString());
            assertEquals(expected, m.total(FieldsealMetrics.FAILURES), m.snapshot().toString());
        } finally {
            kv.setEnabled("short-lived", disabledVersion, true);
        }
    }

    @Test
    void anOutageIsNeverMaskedOrPassedOn() {
        SourceRecord sealed = seal(false, "pii", 4);
        for (String policy : new String[] {"mask", "ciphertext"}) {
            try (DecryptFields<SourceRecord> dec = new DecryptFields.Value<>()) {
                dec.configure(props("pii", "on.failure", policy));
                kv.down();
                try {
                    RetriableException e = assertThrows(RetriableException.class, () -> dec.apply(sealed));
                    assertTrue(e.getMessage().contains("RETRIABLE_KMS"), e.getMessage());
                } finally {
                    kv.up();
                }
                assertEquals(1, dec.metrics().get("failures{cause=retriable-kms}"));
                assertEquals(0, dec.metrics().get(FieldsealMetrics.FIELDS_MASKED)
                        + dec.metrics().get(FieldsealMetrics.FIELDS_LEFT_SEALED));
                assertEquals(Samples.person(4), dec.apply(sealed).value());
            }
        }
    }

    @Test
    void schemalessValuesMaskToNullAndStayInPlaceSealed() {
        Map<String, Object> value = new HashMap<>(Map.of("id", 5, "ssn", "ssn" + Samples.marker(5)));
        SourceRecord sealed;
        try (EncryptFields<SourceRecord> enc = new EncryptFields.Value<>()) {
            enc.configure(props("stranger", "fields", "ssn"));
            sealed = enc.apply(new SourceRecord(Map.of(), Map.of(), "people", 0, null, value));
        }
        String ct = (String) ((Map<?, ?>) sealed.value()).get("ssn");
        try (DecryptFields<SourceRecord> dec = new DecryptFields.Value<>()) {
            dec.configure(props("pii", "on.failure", "ciphertext"));
            assertEquals(ct, ((Map<?, ?>) dec.apply(sealed).value()).get("ssn"));
        }
        try (DecryptFields<SourceRecord> dec = new DecryptFields.Value<>()) {
            dec.configure(props("pii", "on.failure", "mask"));
            Map<?, ?> out = (Map<?, ?>) dec.apply(sealed).value();
            assertTrue(out.containsKey("ssn"));
            assertNull(out.get("ssn"));
            assertEquals(5, out.get("id"));
        }
    }
}
