package dev.fieldseal.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fieldseal.format.DecryptionException;
import dev.fieldseal.dek.KeyNotAllowedException;
import dev.fieldseal.format.EdekHeader;
import dev.fieldseal.format.Envelope;
import dev.fieldseal.format.EnvelopeLayout;
import dev.fieldseal.kms.Edek;
import dev.fieldseal.kms.KekRef;
import dev.fieldseal.kms.KmsException;
import dev.fieldseal.testkit.KeyVaultDouble;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Records written by an attacker with topic write access: a value EDEK or a {@code fieldseal.edek}
 * header naming a foreign vault, another key of the allowed vault, a plain-http URL, a 10 KB URL,
 * a URL with userinfo or another port, or a version that tries to walk the URL path. Every one is
 * refused before any request: the foreign vault counts zero requests and the allowed one sees
 * none it should not.
 */
class InjectionTest {

    static final ObjectMapper MAPPER = new ObjectMapper();
    static final String SECRET = "4111-INJECT-SECRET-1111";

    static KeyVaultDouble vault;
    static KeyVaultDouble foreign;
    static String piiVersion;

    @BeforeAll
    static void start() {
        vault = new KeyVaultDouble();
        foreign = new KeyVaultDouble();
        piiVersion = vault.createRsaKey("pii");
        vault.createRsaKey("other");
        foreign.createRsaKey("pii");
    }

    @AfterAll
    static void stop() {
        vault.close();
        foreign.close();
    }

    @BeforeEach
    void clearLogs() {
        vault.reset();
        foreign.reset();
    }

    static Map<String, Object> props(Object... extra) {
        Map<String, Object> p = new HashMap<>();
        p.put("fieldseal.kek.id", vault.keyId("pii"));
        p.put("fieldseal.azure.credential", "emulator");
        p.put("fieldseal.azure.tls.ca.file", vault.caPemFile().toString());
        p.put("fieldseal.kms.retry.max", "0");
        p.put("fieldseal.kms.timeout.ms", "2000");
        for (int i = 0; i < extra.length; i += 2) {
            p.put((String) extra[i], extra[i + 1]);
        }
        return p;
    }

    /** A genuine whole-value envelope from the allowed key. */
    static byte[] genuine() {
        try (EncryptingSerializer s = new EncryptingSerializer()) {
            s.configure(props("fieldseal.format", "string"), false);
            return Base64.getDecoder().decode(new String(s.serialize("t", SECRET), StandardCharsets.US_ASCII));
        }
    }

    /** The genuine envelope with its inline EDEK re-pointed at {@code keyId}/{@code version}. */
    static byte[] forgedValue(byte[] genuine, String keyId, String version) {
        Envelope env = EnvelopeLayout.parse(genuine);
        Edek e = env.edek();
        Edek forged = new Edek(new KekRef(keyId, version), e.algorithm(), e.wrappedKey());
        return Base64.getEncoder().encode(env.withKeyBlock(EnvelopeLayout.KEY_INLINE, EnvelopeLayout.edekBlock(forged)));
    }

    /** Every attacker-chosen key reference, with the version that goes with it. */
    static List<String[]> forgedRefs() {
        String host = vault.vaultUrl().substring("https://".length());
        String foreignHost = foreign.vaultUrl().substring("https://".length());
        int foreignPort = Integer.parseInt(foreignHost.substring(foreignHost.indexOf(':') + 1));
        List<String[]> refs = new ArrayList<>();
        refs.add(new String[] {"foreign vault", foreign.keyId("pii"), foreign.currentVersion("pii")});
        refs.add(new String[] {"other key, same vault", vault.keyId("other"), vault.currentVersion("other")});
        refs.add(new String[] {"plain http", "http://" + host + "/keys/pii", piiVersion});
        refs.add(new String[] {"userinfo", "https://user:pw@" + host + "/keys/pii", piiVersion});
        refs.add(new String[] {"@ to another host", "https://" + host + "@" + foreignHost + "/keys/pii", piiVersion});
        refs.add(new String[] {"other port", "https://127.0.0.1:" + foreignPort + "/keys/pii", piiVersion});
        refs.add(new String[] {"localhost alias", "https://localhost:" + host.substring(host.indexOf(':') + 1)
                + "/keys/pii", piiVersion});
        refs.add(new String[] {"query", vault.keyId("pii") + "?x=1", piiVersion});
        refs.add(new String[] {"path walk in the key id", vault.keyId("pii") + "/../other", piiVersion});
        return refs;
    }

    static void assertNoRequests(String what) {
        assertEquals(List.of(), foreign.requestLog(), what + ": the foreign vault received a request");
        for (String line : vault.requestLog()) {
            assertFalse(line.contains("/keys/other") || line.contains("unwrapkey"), what + ": unexpected " + line);
        }
    }

    static void assertRefused(String what, SerializationException e, Class<? extends RuntimeException> cause) {
        Throwable c = e.getCause();
        assertInstanceOf(cause, c, what + ": " + e.getMessage());
        assertFalse(e.getMessage().contains(SECRET), what);
        assertTrue(e.getMessage().length() < 2000, what + ": message of " + e.getMessage().length() + " chars");
    }

    @Test
    void forgedValueEdeksAreRefusedWithoutContactingAnything() {
        byte[] genuine = genuine();
        try (DecryptingDeserializer d = new DecryptingDeserializer()) {
            d.configure(props("fieldseal.format", "string"), false);
            assertEquals(SECRET, d.deserialize("t", new RecordHeaders(), Base64.getEncoder().encode(genuine)));
            vault.reset();
            for (String[] ref : forgedRefs()) {
                byte[] wire = forgedValue(genuine, ref[1], ref[2]);
                SerializationException e = assertThrows(SerializationException.class,
                        () -> d.deserialize("t", new RecordHeaders(), wire), ref[0]);
                assertRefused(ref[0], e, KeyNotAllowedException.class);
                assertTrue(e.getMessage().contains("KEY_NOT_ALLOWED"), e.getMessage());
            }
            // a 10 KB key id does not even parse (bounded length field), and the message stays short
            String huge = vault.vaultUrl() + "/keys/" + "a".repeat(10_240);
            SerializationException e = assertThrows(SerializationException.class,
                    () -> d.deserialize("t", new RecordHeaders(), forgedValue(genuine, huge, piiVersion)));
            assertRefused("10 KB URL", e, DecryptionException.class);
            assertTrue(e.getMessage().contains("MALFORMED"), e.getMessage());
        }
        assertNoRequests("value EDEK");
    }

    @Test
    void forgedValueEdeksAreRefusedThroughATemplateOrPrefixAllowlist() {
        byte[] genuine = genuine();
        // both allow pii (p + "ii") and every other p... key of this vault, and nothing else
        for (String allowed : List.of(vault.vaultUrl() + "/keys/p${value.tenant}", vault.vaultUrl() + "/keys/p*")) {
            try (DecryptingDeserializer d = new DecryptingDeserializer()) {
                d.configure(props("fieldseal.format", "string", "fieldseal.kek.allowed", allowed), false);
                assertEquals(SECRET, d.deserialize("t", new RecordHeaders(), Base64.getEncoder().encode(genuine)));
                vault.reset();
                for (String[] ref : forgedRefs()) {
                    byte[] wire = forgedValue(genuine, ref[1], ref[2]);
                    SerializationException e = assertThrows(SerializationException.class,
                            () -> d.deserialize("t", new RecordHeaders(), wire), allowed + ": " + ref[0]);
                    assertRefused(ref[0], e, KeyNotAllowedException.class);
                }
                for (String keyId : List.of(vault.keyId("pii") + "#x", vault.keyId("p%2Fii"), vault.keyId("pii@evil"),
                        vault.keyId("p" + "i".repeat(127)), vault.keyId("pii.x"), vault.keyId("p_ii"))) {
                    SerializationException e = assertThrows(SerializationException.class,
                            () -> d.deserialize("t", new RecordHeaders(), forgedValue(genuine, keyId, piiVersion)),
                            allowed + ": " + keyId);
                    assertFalse(e.getMessage().contains(SECRET));
                }
            }
            assertNoRequests("template allowlist " + allowed);
        }
    }

    @Test
    void aVaultWideAllowlistStillRefusesMalformedKeyIdsAndVersions() {
        byte[] genuine = genuine();
        try (DecryptingDeserializer d = new DecryptingDeserializer()) {
            d.configure(props("fieldseal.format", "string", "fieldseal.kek.allowed", vault.vaultUrl() + "/"), false);
            vault.reset();
            // allowed by the vault-wide entry (no further '/'), but not a valid key id: refused before any call
            for (String keyId : List.of(vault.keyId("pii") + "?api-version=1", vault.keyId("pii") + "#x",
                    vault.keyId("p%2Fii"), vault.keyId("pii@evil"))) {
                SerializationException e = assertThrows(SerializationException.class,
                        () -> d.deserialize("t", new RecordHeaders(), forgedValue(genuine, keyId, piiVersion)), keyId);
                assertFalse(e.getMessage().contains(SECRET));
            }
            // the version is attacker text too: it must not walk the request path to another key
            for (String version : List.of("x/../../other/" + vault.currentVersion("other"),
                    piiVersion + "/../../other", piiVersion + "?x=1", "%2e%2e")) {
                SerializationException e = assertThrows(SerializationException.class,
                        () -> d.deserialize("t", new RecordHeaders(), forgedValue(genuine, vault.keyId("pii"), version)),
                        version);
                assertTrue(e.getCause() instanceof KmsException k && !k.retriable(), version + ": " + e.getMessage());
            }
        }
        assertNoRequests("vault-wide allowlist");
    }

    @Test
    void forgedEdekHeadersAreRefusedWithoutContactingAnything() throws Exception {
        Map<String, Object> p = props("fieldseal.fields", "ssn", "fieldseal.envelope.placement", "header");
        RecordHeaders headers = new RecordHeaders();
        byte[] wire;
        try (EncryptingSerializer s = new EncryptingSerializer()) {
            s.configure(p, false);
            wire = s.serialize("t", headers, "{\"ssn\":\"" + SECRET + "\"}");
        }
        ObjectNode value = (ObjectNode) MAPPER.readTree(wire);
        Envelope env = EnvelopeLayout.parse(Base64.getDecoder().decode(value.get("ssn").asText()));
        Edek genuineEdek = EdekHeader.read(headers.lastHeader(EdekHeader.NAME).value()).values().iterator().next();
        try (DecryptingDeserializer d = new DecryptingDeserializer()) {
            d.configure(props(), false);
            assertEquals("{\"ssn\":\"" + SECRET + "\"}", d.deserialize("t", headers, wire));
            vault.reset();
            for (String[] ref : forgedRefs()) {
                byte[] block = EnvelopeLayout.edekBlock(new Edek(new KekRef(ref[1], ref[2]),
                        genuineEdek.algorithm(), genuineEdek.wrappedKey()));
                ObjectNode forged = value.deepCopy();
                forged.put("ssn", Base64.getEncoder().encodeToString(
                        env.withKeyBlock(EnvelopeLayout.KEY_REFERENCE, EnvelopeLayout.dekRef(block))));
                RecordHeaders h = new RecordHeaders();
                h.add(EdekHeader.NAME, EdekHeader.write(List.of(block)));
                byte[] bytes = MAPPER.writeValueAsBytes(forged);
                SerializationException e = assertThrows(SerializationException.class,
                        () -> d.deserialize("t", h, bytes), ref[0]);
                assertRefused(ref[0], e, KeyNotAllowedException.class);
            }
            // a header carrying a 10 KB key id is malformed
            byte[] huge = EnvelopeLayout.edekBlock(new Edek(new KekRef(vault.vaultUrl() + "/keys/" + "a".repeat(10_240),
                    piiVersion), genuineEdek.algorithm(), genuineEdek.wrappedKey()));
            RecordHeaders h = new RecordHeaders();
            h.add(EdekHeader.NAME, EdekHeader.write(List.of(huge)));
            SerializationException e = assertThrows(SerializationException.class, () -> d.deserialize("t", h, wire));
            assertFalse(e.getMessage().contains(SECRET));
            assertTrue(e.getMessage().length() < 2000, e.getMessage());
        }
        assertNoRequests("fieldseal.edek header");
    }
}
