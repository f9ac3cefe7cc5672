package dev.fieldseal.envelope;

import dev.fieldseal.dek.KeyNotAllowedException;
import dev.fieldseal.format.DecryptionException;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.fieldseal.config.FieldsealConfig;
import dev.fieldseal.dek.DeterministicKey;
import dev.fieldseal.format.EdekHeader;
import dev.fieldseal.format.EnvelopeLayout;
import dev.fieldseal.kms.Kms;
import dev.fieldseal.kms.KmsException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SealerUnsealerTest {

    private static final byte[] SECRET = "4111-1111-1111-1111".getBytes(StandardCharsets.UTF_8);
    private final LocalFixture fx = new LocalFixture();

    @Test
    void roundTripBindsThePath() {
        FieldsealConfig c = fx.config();
        try (Kms kms = fx.kms(); Sealer s = new Sealer(c, kms, Ticker.systemTicker(), fx.metrics);
             Unsealer u = new Unsealer(c, kms, Ticker.systemTicker(), fx.metrics)) {
            SealedRecord rec = s.newRecord();
            byte[] env = s.seal(SECRET, "card", false, rec);
            assertTrue(EnvelopeLayout.hasMagic(env));
            assertFalse(new String(env, StandardCharsets.ISO_8859_1).contains("4111"));
            assertArrayEquals(SECRET, u.unseal(env, "card", Map.of()));
            assertEquals("local:pii", new String(rec.headers().get(SealedRecord.KEK_ID_HEADER), StandardCharsets.UTF_8));
            assertEquals("1", new String(rec.headers().get(SealedRecord.KEK_VERSION_HEADER), StandardCharsets.UTF_8));

            DecryptionException moved = assertThrows(DecryptionException.class, () -> u.unseal(env, "email", Map.of()));
            assertEquals(DecryptionException.Reason.AUTHENTICATION_FAILED, moved.reason());
            assertTrue(moved.getMessage().contains("email") && moved.getMessage().contains("local:pii"));
        }
    }

    @Test
    void randomizedValuesDifferAndDeterministicValuesRepeat() {
        FieldsealConfig c0 = fx.config();
        String detDek;
        try (Kms kms = fx.kms()) {
            detDek = DeterministicKey.create(kms, fx.kekId);
        }
        FieldsealConfig c = fx.config(FieldsealConfig.DETERMINISTIC_FIELDS, "id",
                FieldsealConfig.DETERMINISTIC_DEK, detDek);
        try (Kms kms = fx.kms(); Sealer s = new Sealer(c, kms, Ticker.systemTicker(), fx.metrics);
             Unsealer u = new Unsealer(c0, kms, Ticker.systemTicker(), fx.metrics)) {
            byte[] a = s.seal(SECRET, "id", false, s.newRecord());
            byte[] b = s.seal(SECRET, "id", false, s.newRecord());
            assertFalse(Arrays.equals(a, b));
            byte[] d1 = s.seal(SECRET, "id", true, s.newRecord());
            byte[] d2 = s.seal(SECRET, "id", true, s.newRecord());
            assertArrayEquals(d1, d2);
            assertNotEquals(Arrays.toString(d1), Arrays.toString(s.seal(SECRET, "other", true, s.newRecord())));
            assertArrayEquals(SECRET, u.unseal(d1, "id", Map.of()));
            assertThrows(DecryptionException.class, () -> u.unseal(d1, "other", Map.of()));
        }
    }

    @Test
    void everySingleFlippedByteIsRejected() {
        FieldsealConfig c = fx.config();
        try (Kms kms = fx.kms(); Sealer s = new Sealer(c, kms, Ticker.systemTicker(), fx.metrics);
             Unsealer u = new Unsealer(c, kms, Ticker.systemTicker(), fx.metrics)) {
            byte[] env = s.seal(SECRET, "card", false, s.newRecord());
            for (int i = 0; i < env.length; i++) {
                for (int bit : new int[] {0x01, 0x80}) {
                    byte[] bad = env.clone();
                    bad[i] ^= (byte) bit;
                    RuntimeException e = assertThrows(RuntimeException.class, () -> u.unseal(bad, "card", Map.of()),
                            "flip at byte " + i);
                    assertTrue(e instanceof DecryptionException || e instanceof KmsException,
                            "byte " + i + ": " + e);
                    assertFalse(e.getMessage().contains("4111"), e.getMessage());
                }
            }
            for (int len = 0; len < env.length; len++) {
                byte[] cut = Arrays.copyOf(env, len);
                assertThrows(RuntimeException.class, () -> u.unseal(cut, "card", Map.of()));
            }
        }
    }

    @Test
    void aRecordKeepsOneKekVersionAcrossARotation() {
        FieldsealConfig c = fx.config();
        try (Kms kms = fx.kms(); Sealer s = new Sealer(c, kms, Ticker.systemTicker(), fx.metrics)) {
            SealedRecord rec = s.newRecord();
            s.seal(SECRET, "a", false, rec);
            fx.rotate();
            s.refreshNow().toCompletableFuture().join();
            s.seal(SECRET, "b", false, rec);
            assertEquals("1", new String(rec.headers().get(SealedRecord.KEK_VERSION_HEADER), StandardCharsets.UTF_8));
            SealedRecord next = s.newRecord();
            s.seal(SECRET, "a", false, next);
            assertEquals("2", new String(next.headers().get(SealedRecord.KEK_VERSION_HEADER), StandardCharsets.UTF_8));
        }
    }

    @Test
    void headerPlacementCarriesTheEdekOncePerRecord() {
        FieldsealConfig c = fx.config(FieldsealConfig.ENVELOPE_PLACEMENT, "header");
        try (Kms kms = fx.kms(); Sealer s = new Sealer(c, kms, Ticker.systemTicker(), fx.metrics);
             Unsealer u = new Unsealer(c, kms, Ticker.systemTicker(), fx.metrics)) {
            SealedRecord rec = s.newRecord();
            byte[] a = s.seal(SECRET, "a", false, rec);
            byte[] b = s.seal(SECRET, "b", false, rec);
            byte[] header = rec.headers(true).get(EdekHeader.NAME); // raw, as a Connect transform adds it
            assertEquals(1, EdekHeader.read(header).size());
            assertEquals(EdekHeader.read(header), EdekHeader.read(rec.headers().get(EdekHeader.NAME))); // Kafka hosts' text
            // 6 prefix + 8 reference + 12 nonce + 16 tag
            assertEquals(42 + SECRET.length, a.length);
            assertArrayEquals(SECRET, u.unseal(a, "a", Unsealer.headerEdeks(header)));
            assertArrayEquals(SECRET, u.unseal(b, "b", Unsealer.headerEdeks(header)));
            byte[] asText = java.util.Base64.getEncoder().encode(header); // as Connect's SimpleHeaderConverter writes it
            assertArrayEquals(SECRET, u.unseal(a, "a", Unsealer.headerEdeks(asText)));
            DecryptionException missing = assertThrows(DecryptionException.class, () -> u.unseal(a, "a", Map.of()));
            assertEquals(DecryptionException.Reason.MISSING_EDEK, missing.reason());
        }
    }

    @Test
    void theLastEdekHeaderIsRememberedByItsBytesAndAnotherHeaderIsParsed() {
        FieldsealConfig c = fx.config(FieldsealConfig.ENVELOPE_PLACEMENT, "header");
        try (Kms kms = fx.kms(); Sealer s1 = new Sealer(c, kms, Ticker.systemTicker(), fx.metrics);
             Sealer s2 = new Sealer(c, kms, Ticker.systemTicker(), fx.metrics);
             Unsealer u = new Unsealer(c, kms, Ticker.systemTicker(), fx.metrics)) {
            SealedRecord r1 = s1.newRecord();
            byte[] a = s1.seal(SECRET, "a", false, r1);
            SealedRecord r2 = s2.newRecord(); // another sealer: another DEK, another header
            byte[] b = s2.seal(SECRET, "b", false, r2);
            byte[] h1 = r1.headers().get(EdekHeader.NAME);
            byte[] h2 = r2.headers().get(EdekHeader.NAME);
            assertFalse(Arrays.equals(h1, h2));

            byte[] h1Copy = h1.clone();
            Map<java.nio.ByteBuffer, dev.fieldseal.kms.Edek> first = u.edeks(java.util.List.of(h1Copy));
            assertEquals(EdekHeader.read(h1), first);
            org.junit.jupiter.api.Assertions.assertSame(first, u.edeks(java.util.List.of(h1.clone())),
                    "equal bytes: the header is not parsed again");
            h1Copy[h1Copy.length / 2] ^= 1; // the caller's array changes after the read: the memo holds its own copy
            org.junit.jupiter.api.Assertions.assertSame(first, u.edeks(java.util.List.of(h1)));
            try {
                assertNotEquals(first, u.edeks(java.util.List.of(h1Copy)), "other bytes are parsed, not taken from the memo");
            } catch (DecryptionException malformed) {
                // parsed, and refused: not taken from the memo either
            }

            Map<java.nio.ByteBuffer, dev.fieldseal.kms.Edek> second = u.edeks(java.util.List.of(h2));
            assertEquals(EdekHeader.read(h2), second);
            assertArrayEquals(SECRET, u.unseal(b, "b", second));
            DecryptionException stale = assertThrows(DecryptionException.class, () -> u.unseal(a, "a", second));
            assertEquals(DecryptionException.Reason.MISSING_EDEK, stale.reason());
            assertArrayEquals(SECRET, u.unseal(a, "a", u.edeks(java.util.List.of(h1))));
            assertEquals(EdekHeader.read(h1), u.edeks(java.util.List.of(h1, h1.clone())), "two headers: merged");
        }
    }

    @Test
    void keysOutsideTheAllowlistAreNotContacted() {
        LocalFixture other = new LocalFixture();
        try (Kms kms = fx.kms(); Sealer s = new Sealer(fx.config(FieldsealConfig.KEK_ID, "local:other"), otherKms(other),
                Ticker.systemTicker(), other.metrics);
             Unsealer u = new Unsealer(fx.config(), kms, Ticker.systemTicker(), fx.metrics)) {
            byte[] env = s.seal(SECRET, "card", false, s.newRecord());
            long before = fx.metrics.kmsCalls("unwrap");
            KeyNotAllowedException e = assertThrows(KeyNotAllowedException.class, () -> u.unseal(env, "card", Map.of()));
            assertTrue(e.getMessage().contains("local:other") && e.getMessage().contains("kek.allowed"), e.getMessage());
            assertEquals(before, fx.metrics.kmsCalls("unwrap"));
        }
    }

    private static Kms otherKms(LocalFixture other) {
        dev.fieldseal.kms.local.LocalKeyFile.addVersion(other.keyFile, "other");
        return other.kms();
    }
}
