package dev.fieldseal.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fieldseal.kms.KmsException;
import dev.fieldseal.metrics.FieldsealMetrics;
import dev.fieldseal.testkit.KeyVaultDouble;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code fieldseal.on.failure} in the deserializer (JSON): a tampered value, a key outside
 * kek.allowed and a disabled key version (Key Vault double) under fail, ciphertext and mask give
 * the same failure class and counters as DecryptFields and the Streams app; an outage is never
 * masked.
 */
class DeserializerFailurePolicyTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PLAIN = "{\"id\":7,\"ssn\":\"ssn-POLICY-7\"}";
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
        p.put("fieldseal.kek.id", kv.keyId(key));
        p.put("fieldseal.azure.credential", "emulator");
        p.put("fieldseal.azure.tls.ca.file", kv.caPemFile().toString());
        p.put("fieldseal.kms.retry.max", 0);
        p.put("fieldseal.kms.timeout.ms", 2000L);
        for (int i = 0; i < more.length; i += 2) {
            p.put((String) more[i], more[i + 1]);
        }
        return p;
    }

    private static byte[] seal(String kek) {
        try (EncryptingSerializer s = new EncryptingSerializer()) {
            s.configure(props(kek, "fieldseal.fields", "ssn"), false);
            return s.serialize("t", new RecordHeaders(), PLAIN);
        }
    }

    private static String ssnOf(byte[] json) throws Exception {
        return JSON.readTree(json).get("ssn").textValue();
    }

    /** The sealed value for a fault, and the deserializer config that meets it. */
    private static Object[] fault(String fault) throws Exception {
        return switch (fault) {
            case "tampered" -> {
                JsonNode doc = JSON.readTree(seal("pii"));
                String ct = doc.get("ssn").textValue();
                int i = ct.length() - 6;
                ((com.fasterxml.jackson.databind.node.ObjectNode) doc).put("ssn",
                        ct.substring(0, i) + (ct.charAt(i) == 'A' ? 'B' : 'A') + ct.substring(i + 1));
                yield new Object[] {JSON.writeValueAsBytes(doc), props("pii")};
            }
            case "not-allowed" -> new Object[] {seal("stranger"), props("pii")};
            case "permanent-kms" -> {
                byte[] b = seal("short-lived");
                kv.setEnabled("short-lived", disabledVersion, false);
                yield new Object[] {b, props("pii", "fieldseal.kek.allowed", kv.vaultUrl() + "/")};
            }
            default -> throw new IllegalArgumentException(fault);
        };
    }

    @ParameterizedTest(name = "{0} under {1}")
    @CsvSource({"tampered, fail", "tampered, ciphertext", "tampered, mask",
        "not-allowed, fail", "not-allowed, ciphertext", "not-allowed, mask",
        "permanent-kms, fail", "permanent-kms, ciphertext", "permanent-kms, mask"})
    void eachFaultUnderEachPolicy(String fault, String policy) throws Exception {
        Object[] f = fault(fault);
        byte[] sealed = (byte[]) f[0];
        @SuppressWarnings("unchecked")
        Map<String, Object> config = new HashMap<>((Map<String, Object>) f[1]);
        config.put("fieldseal.on.failure", policy);
        try (DecryptingDeserializer d = new DecryptingDeserializer()) {
            d.configure(config, false);
            FieldsealMetrics m = d.metrics();
            switch (policy) {
                case "fail" -> {
                    SerializationException e = assertThrows(SerializationException.class,
                            () -> d.deserialize("t", new RecordHeaders(), sealed));
                    String cls = fault.toUpperCase().replace('-', '_');
                    assertTrue(e.getMessage().contains("cause " + cls) && e.getMessage().contains("'ssn'")
                            && e.getMessage().contains("topic 't'"), e.getMessage());
                    assertFalse(e.getMessage().contains("ssn-POLICY"), e.getMessage());
                    if (fault.equals("permanent-kms")) {
                        assertTrue(e.getMessage().contains(disabledVersion), e.getMessage());
                    }
                    assertEquals(0, m.get(FieldsealMetrics.FIELDS_MASKED) + m.get(FieldsealMetrics.FIELDS_LEFT_SEALED));
                }
                case "ciphertext" -> {
                    String out = (String) d.deserialize("t", new RecordHeaders(), sealed);
                    assertEquals(ssnOf(sealed), JSON.readTree(out).get("ssn").textValue());
                    assertEquals(1, m.get(FieldsealMetrics.FIELDS_LEFT_SEALED));
                    assertEquals(0, m.get(FieldsealMetrics.FIELDS_MASKED));
                }
                default -> {
                    String out = (String) d.deserialize("t", new RecordHeaders(), sealed);
                    assertEquals(JSON.readTree("{\"id\":7,\"ssn\":null}"), JSON.readTree(out));
                    assertEquals(1, m.get(FieldsealMetrics.FIELDS_MASKED));
                    assertEquals(0, m.get(FieldsealMetrics.FIELDS_LEFT_SEALED));
                }
            }
            assertEquals(1, m.get("failures{cause=" + fault + "}"), m.snapshot().toString());
            assertEquals(1, m.total(FieldsealMetrics.FAILURES), m.snapshot().toString());
        } finally {
            kv.setEnabled("short-lived", disabledVersion, true);
        }
    }

    @Test
    void anOutageIsNeverMaskedOrPassedOn() {
        byte[] sealed = seal("pii");
        for (String policy : new String[] {"mask", "ciphertext"}) {
            try (DecryptingDeserializer d = new DecryptingDeserializer()) {
                d.configure(props("pii", "fieldseal.on.failure", policy), false);
                kv.down();
                try {
                    SerializationException e = assertThrows(SerializationException.class,
                            () -> d.deserialize("t", new RecordHeaders(), sealed));
                    assertTrue(assertInstanceOf(KmsException.class, e.getCause()).retriable(), e.getMessage());
                    assertTrue(e.getMessage().contains("RETRIABLE_KMS"), e.getMessage());
                } finally {
                    kv.up();
                }
                assertEquals(1, d.metrics().get("failures{cause=retriable-kms}"));
                assertEquals(0, d.metrics().get(FieldsealMetrics.FIELDS_MASKED)
                        + d.metrics().get(FieldsealMetrics.FIELDS_LEFT_SEALED));
                assertEquals(PLAIN, d.deserialize("t", new RecordHeaders(), sealed));
            }
        }
    }
}
