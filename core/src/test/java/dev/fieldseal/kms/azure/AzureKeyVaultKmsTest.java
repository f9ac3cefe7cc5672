package dev.fieldseal.kms.azure;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.EncryptionMethod;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.JWEObject;
import com.nimbusds.jose.crypto.RSADecrypter;
import com.nimbusds.jose.util.Base64URL;
import dev.fieldseal.config.FieldsealConfig;
import dev.fieldseal.kms.Edek;
import dev.fieldseal.kms.KekRef;
import dev.fieldseal.kms.KmsException;
import dev.fieldseal.kms.KmsException.Reason;
import dev.fieldseal.kms.WrapAlgorithm;
import dev.fieldseal.metrics.FieldsealMetrics;
import dev.fieldseal.testkit.KeyVaultDouble;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Azure provider with the real SDK, over real HTTPS, against the Key Vault double. */
class AzureKeyVaultKmsTest {

    static KeyVaultDouble vault;
    static AzureKeyVaultKms kms;
    static FieldsealMetrics metrics;

    @BeforeAll
    static void start() {
        vault = new KeyVaultDouble();
        vault.createRsaKey("rsa");
        vault.createOctHsmKey("oct");
        metrics = new FieldsealMetrics();
        kms = kms(Map.of(), metrics);
    }

    @AfterAll
    static void stop() {
        kms.close();
        vault.close();
    }

    @BeforeEach
    void reset() {
        vault.up();
        vault.reset();
    }

    static AzureKeyVaultKms kms(Map<String, String> extra, FieldsealMetrics m) {
        Map<String, String> p = new HashMap<>(Map.of(
                FieldsealConfig.AZURE_CREDENTIAL, "emulator",
                FieldsealConfig.AZURE_TLS_CA_FILE, vault.caPemFile().toString(),
                FieldsealConfig.KMS_TIMEOUT_MS, "2000",
                FieldsealConfig.KMS_RETRY_MAX, "3",
                FieldsealConfig.KMS_RETRY_BACKOFF_MS, "50"));
        p.putAll(extra);
        return new AzureKeyVaultKms(new FieldsealConfig(p), m);
    }

    static <T> T get(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(120, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static KmsException fails(CompletionStage<?> stage) {
        return assertThrows(KmsException.class, () -> get(stage));
    }

    static SecretKey newDek() throws Exception {
        KeyGenerator g = KeyGenerator.getInstance("AES");
        g.init(256);
        return g.generateKey();
    }

    /** No key bytes (raw or base64) and no token in an error message. */
    static void assertClean(KmsException e, SecretKey dek) {
        String m = e.getMessage();
        assertFalse(m.contains(Base64.getEncoder().encodeToString(dek.getEncoded())), m);
        assertFalse(m.contains(Base64.getUrlEncoder().withoutPadding().encodeToString(dek.getEncoded())), m);
        assertFalse(m.contains("Bearer"), m);
    }

    // ---- wrap interoperability -------------------------------------------------------------

    @Test
    void rsaWrapIsLocalAndUnwrapsInKeyVaultAndInAnIndependentImplementation() throws Exception {
        KekRef ref = get(kms.resolve(vault.keyId("rsa")));
        assertEquals(vault.keyId("rsa"), ref.keyId());
        assertEquals(vault.currentVersion("rsa"), ref.version());
        SecretKey dek = newDek();

        Edek edek = get(kms.wrap(ref, dek));
        assertEquals(WrapAlgorithm.RSA_OAEP_256, edek.algorithm());
        assertEquals(256, edek.wrappedKeyLength());
        assertEquals(0, vault.count("wrapkey"), "RSA wraps must be local");

        SecretKey back = get(kms.unwrap(edek));
        assertArrayEquals(dek.getEncoded(), back.getEncoded());
        assertEquals(1, vault.count("unwrapkey"));

        // nimbus-jose-jwt's RSA-OAEP-256 decrypts a JWE whose encrypted key is our local wrap
        JWEHeader header = new JWEHeader(JWEAlgorithm.RSA_OAEP_256, EncryptionMethod.A256GCM);
        Base64URL headerB64 = header.toBase64URL();
        byte[] iv = new byte[12];
        new SecureRandom().nextBytes(iv);
        Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
        gcm.init(Cipher.ENCRYPT_MODE, dek, new GCMParameterSpec(128, iv));
        gcm.updateAAD(headerB64.toString().getBytes(StandardCharsets.US_ASCII));
        byte[] out = gcm.doFinal("interop".getBytes(StandardCharsets.UTF_8));
        JWEObject jwe = new JWEObject(headerB64, Base64URL.encode(edek.wrappedKey()), Base64URL.encode(iv),
                Base64URL.encode(Arrays.copyOf(out, out.length - 16)),
                Base64URL.encode(Arrays.copyOfRange(out, out.length - 16, out.length)));
        jwe.decrypt(new RSADecrypter(vault.rsaPrivateKey("rsa", ref.version())));
        assertEquals("interop", jwe.getPayload().toString());
    }

    @Test
    void octHsmWrapsAndUnwrapsRemotelyWithA256kw() throws Exception {
        KekRef ref = get(kms.resolve(vault.keyId("oct")));
        SecretKey dek = newDek();
        Edek edek = get(kms.wrap(ref, dek));
        assertEquals(WrapAlgorithm.A256KW, edek.algorithm());
        assertEquals(40, edek.wrappedKeyLength());
        assertArrayEquals(dek.getEncoded(), get(kms.unwrap(edek)).getEncoded());
        assertEquals(1, vault.count("wrapkey"));
        assertEquals(1, vault.count("unwrapkey"));
    }

    // ---- economy ---------------------------------------------------------------------------

    @Test
    void tenThousandRsaWrapsMakeNoWrapCalls() throws Exception {
        FieldsealMetrics m = new FieldsealMetrics();
        AzureKeyVaultKms fresh = kms(Map.of(), m);
        KekRef ref = get(fresh.resolve(vault.keyId("rsa")));
        SecretKey dek = newDek();
        for (int i = 0; i < 10_000; i++) {
            get(fresh.wrap(ref, dek));
        }
        assertEquals(0, vault.count("wrapkey"));
        assertEquals(1, vault.count("get"));
        assertEquals(0, m.kmsCalls("wrap"));
        assertEquals(1, m.get("kms-calls{operation=resolve,outcome=success}"));
    }

    @Test
    void octHsmMakesOneRemoteWrapPerCall() throws Exception {
        KekRef ref = get(kms.resolve(vault.keyId("oct")));
        for (int i = 0; i < 25; i++) {
            get(kms.wrap(ref, newDek()));
        }
        assertEquals(25, vault.count("wrapkey"));
    }

    @Test
    void anUnknownVersionsPublicKeyIsFetchedOnce() throws Exception {
        AzureKeyVaultKms fresh = kms(Map.of(), new FieldsealMetrics());
        KekRef ref = new KekRef(vault.keyId("rsa"), vault.currentVersion("rsa"));
        SecretKey dek = newDek();
        List<CompletableFuture<Edek>> all = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            all.add(fresh.wrap(ref, dek).toCompletableFuture());
        }
        for (CompletableFuture<Edek> f : all) {
            assertEquals(ref, get(f).kek());
        }
        assertEquals(1, vault.count("get"));
        assertEquals(0, vault.count("wrapkey"));
    }

    // ---- rotation --------------------------------------------------------------------------

    @Test
    void rotationDisablingAndNewestEnabledVersion() throws Exception {
        String v1 = vault.createRsaKey("rot");
        String id = vault.keyId("rot");
        KekRef r1 = get(kms.resolve(id));
        assertEquals(v1, r1.version());
        SecretKey d1 = newDek();
        Edek e1 = get(kms.wrap(r1, d1));

        String v2 = vault.rotate("rot");
        KekRef r2 = get(kms.resolve(id));
        assertEquals(v2, r2.version());
        assertNotEquals(r1, r2);
        SecretKey d2 = newDek();
        Edek e2 = get(kms.wrap(r2, d2));
        assertArrayEquals(d1.getEncoded(), get(kms.unwrap(e1)).getEncoded(), "old versions keep decrypting");
        assertArrayEquals(d2.getEncoded(), get(kms.unwrap(e2)).getEncoded());

        vault.setEnabled("rot", v1, false);
        KmsException e = fails(kms.unwrap(e1));
        assertEquals(Reason.DISABLED, e.reason());
        assertTrue(e.getMessage().contains(id) && e.getMessage().contains(v1), e.getMessage());
        assertClean(e, d1);
        assertArrayEquals(d2.getEncoded(), get(kms.unwrap(e2)).getEncoded(), "new values still decrypt");
        assertEquals(Reason.DISABLED, fails(kms.resolve(id + "/" + v1)).reason(), "pinned to a disabled version");

        // the current version is disabled: the newest enabled one wins
        String v3 = vault.rotate("rot");
        vault.setEnabled("rot", v3, false);
        assertEquals(v2, get(kms.resolve(id)).version());
        assertEquals(1, vault.count("versions"));

        vault.setEnabled("rot", v2, false);
        KmsException none = fails(kms.resolve(id));
        assertEquals(Reason.DISABLED, none.reason());
        assertTrue(none.getMessage().contains(id), none.getMessage());
    }

    @Test
    void pinnedIdResolvesToItsVersion() {
        String v1 = vault.currentVersion("rsa");
        String v2 = vault.rotate("rsa");
        assertEquals(v1, get(kms.resolve(vault.keyId("rsa", v1))).version());
        assertEquals(v2, get(kms.resolve(vault.keyId("rsa"))).version());
    }

    // ---- faults ----------------------------------------------------------------------------

    @Test
    void twoServiceUnavailableAnswersAreRetried() throws Exception {
        KekRef ref = get(kms.resolve(vault.keyId("rsa")));
        SecretKey dek = newDek();
        Edek edek = get(kms.wrap(ref, dek));
        vault.reset();
        vault.failNext(2, 503);
        assertArrayEquals(dek.getEncoded(), get(kms.unwrap(edek)).getEncoded());
        assertEquals(2, vault.requestLog().stream().filter(l -> l.endsWith("-> 503")).count(), vault.requestLog().toString());
        assertEquals(1, vault.count("unwrapkey"));
    }

    @Test
    void throttlingHonoursRetryAfter() throws Exception {
        KekRef ref = get(kms.resolve(vault.keyId("rsa")));
        SecretKey dek = newDek();
        Edek edek = get(kms.wrap(ref, dek));
        vault.throttleNext(1, 1);
        long start = System.nanoTime();
        assertArrayEquals(dek.getEncoded(), get(kms.unwrap(edek)).getEncoded());
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertTrue(ms >= 900, "waited only " + ms + " ms; Retry-After: 1 asks for a second (backoff is 50 ms)");
    }

    @Test
    void aDeadVaultFailsWithinTheDocumentedBound() throws Exception {
        AzureKeyVaultKms fast = kms(Map.of(FieldsealConfig.KMS_TIMEOUT_MS, "500", FieldsealConfig.KMS_RETRY_MAX, "2"),
                new FieldsealMetrics());
        KekRef ref = get(fast.resolve(vault.keyId("rsa")));
        SecretKey dek = newDek();
        Edek edek = get(fast.wrap(ref, dek));
        vault.down();
        try {
            long start = System.nanoTime();
            KmsException e = fails(fast.unwrap(edek));
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertEquals(Reason.UNAVAILABLE, e.reason(), e.getMessage());
            assertTrue(e.retriable());
            assertTrue(e.getMessage().contains(ref.version()), e.getMessage());
            assertTrue(ms <= fast.deadline().toMillis() + 1000, ms + " ms > " + fast.deadline());
            assertClean(e, dek);
        } finally {
            vault.up();
        }
    }

    @Test
    void aStalledVaultTimesOutWithinTheDocumentedBound() throws Exception {
        AzureKeyVaultKms fast = kms(Map.of(FieldsealConfig.KMS_TIMEOUT_MS, "300", FieldsealConfig.KMS_RETRY_MAX, "1"),
                new FieldsealMetrics());
        vault.delay(Duration.ofSeconds(3));
        long start = System.nanoTime();
        KmsException e = fails(fast.resolve(vault.keyId("rsa")));
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertEquals(Reason.UNAVAILABLE, e.reason(), e.getMessage());
        assertTrue(ms <= fast.deadline().toMillis() + 1000, ms + " ms > " + fast.deadline());
    }

    @Test
    void droppedConnectionsAreUnavailable() {
        AzureKeyVaultKms fast = kms(Map.of(FieldsealConfig.KMS_RETRY_MAX, "1"), new FieldsealMetrics());
        vault.dropConnections(true);
        KmsException e = fails(fast.resolve(vault.keyId("rsa")));
        assertEquals(Reason.UNAVAILABLE, e.reason(), e.getMessage());
    }

    @Test
    void keyOpsWithoutWrapKeyAreRefusedWithAFix() {
        vault.createKey("nowrap", KeyVaultDouble.RSA, List.of("unwrapKey", "encrypt", "decrypt"));
        KmsException e = fails(kms.resolve(vault.keyId("nowrap")));
        assertEquals(Reason.INVALID_KEY, e.reason());
        assertTrue(e.getMessage().contains("lack wrapKey"), e.getMessage());
        assertTrue(e.getMessage().contains("Key Vault Crypto Service Encryption User"), e.getMessage());
        assertTrue(e.getMessage().contains(vault.keyId("nowrap")), e.getMessage());
    }

    @Test
    void missingKeysAndTamperedWrapsHaveTheirOwnReasons() throws Exception {
        assertEquals(Reason.NOT_FOUND, fails(kms.resolve(vault.keyId("nosuchkey"))).reason());
        KekRef ref = get(kms.resolve(vault.keyId("rsa")));
        SecretKey dek = newDek();
        byte[] bad = get(kms.wrap(ref, dek)).wrappedKey();
        bad[7] ^= 1;
        KmsException e = fails(kms.unwrap(new Edek(ref, WrapAlgorithm.RSA_OAEP_256, bad)));
        assertEquals(Reason.UNWRAP_FAILED, e.reason(), e.getMessage());
        assertClean(e, dek);
        assertEquals(Reason.NOT_FOUND,
                fails(kms.unwrap(new Edek(new KekRef(vault.keyId("rsa"), "0123456789abcdef"), WrapAlgorithm.RSA_OAEP_256,
                        bad))).reason());
        assertTrue(metrics.get("kms-calls{operation=unwrap,outcome=unwrap_failed}") >= 1);
    }

    @Test
    void badKeyIdsAreRefused() {
        assertEquals(Reason.INVALID_KEY, fails(kms.resolve("https://vault.example/secrets/x")).reason());
        assertThrows(IllegalArgumentException.class, () -> kms.versionlessId("http://vault.example/keys/x"));
        assertEquals(vault.keyId("rsa"), kms.versionlessId(vault.keyId("rsa", "abc123")));
    }
}
