package dev.fieldseal.security;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.fieldseal.config.FieldsealConfig;
import dev.fieldseal.dek.DeterministicKey;
import dev.fieldseal.format.DecryptionException;
import dev.fieldseal.envelope.LocalFixture;
import dev.fieldseal.envelope.SealedRecord;
import dev.fieldseal.envelope.Sealer;
import dev.fieldseal.envelope.Unsealer;
import dev.fieldseal.format.EdekHeader;
import dev.fieldseal.kms.Kms;
import dev.fieldseal.kms.KmsException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Mutates valid envelopes (bit flips, byte changes, truncations, extensions, forged lengths,
 * swapped EDEKs, other key versions) and feeds random bytes behind a valid magic prefix: every
 * input must be rejected with the documented exceptions, never accepted, without hanging or
 * allocating from a forged length. {@code -Dfieldseal.fuzz.iterations=N} runs longer (default 100,000).
 */
class EnvelopeFuzzTest {

    private static final String SECRET = "fuzz-secret-4111-1111";
    private static final int ITERATIONS = Integer.getInteger("fieldseal.fuzz.iterations", 100_000);

    enum Mutation { BIT_FLIP, BYTE_SET, TRUNCATE, EXTEND, LENGTH, SWAP_EDEK, VERSION, RANDOM_BODY }

    @Test
    void everyMutationIsRejected() {
        LocalFixture fx = new LocalFixture();
        String det;
        try (Kms kms = fx.kms()) {
            det = DeterministicKey.create(kms, fx.kekId);
        }
        FieldsealConfig field = fx.config(FieldsealConfig.DETERMINISTIC_DEK, det,
                FieldsealConfig.DETERMINISTIC_FIELDS, "card", FieldsealConfig.DEK_MAX_ENCRYPTIONS, 1);
        FieldsealConfig header = fx.config(FieldsealConfig.ENVELOPE_PLACEMENT, "header",
                FieldsealConfig.DEK_MAX_ENCRYPTIONS, 1);
        byte[] secret = SECRET.getBytes(StandardCharsets.UTF_8);
        Map<Mutation, Integer> counts = new EnumMap<>(Mutation.class);
        try (Kms kms = fx.kms(); Sealer fieldSealer = new Sealer(field, kms, Ticker.systemTicker(), fx.metrics);
             Sealer headerSealer = new Sealer(header, kms, Ticker.systemTicker(), fx.metrics);
             Unsealer u = new Unsealer(field, kms, Ticker.systemTicker(), fx.metrics)) {
            // Several valid envelopes, each under its own DEK (max one encryption per DEK).
            List<byte[]> valid = new ArrayList<>();
            List<Map<ByteBuffer, dev.fieldseal.kms.Edek>> headers = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                valid.add(fieldSealer.seal(secret, "card", false, fieldSealer.newRecord()));
                headers.add(Map.of());
            }
            valid.add(fieldSealer.seal(secret, "card", true, fieldSealer.newRecord()));
            headers.add(Map.of());
            for (int i = 0; i < 2; i++) {
                SealedRecord rec = headerSealer.newRecord();
                valid.add(headerSealer.seal(secret, "card", false, rec));
                headers.add(Unsealer.headerEdeks(rec.headers().get(EdekHeader.NAME)));
            }
            for (int i = 0; i < valid.size(); i++) {
                assertTrue(Arrays.equals(secret, u.unseal(valid.get(i), "card", headers.get(i))), "valid input " + i);
            }

            SplittableRandom rnd = new SplittableRandom(20261128L);
            Mutation[] kinds = Mutation.values();
            for (int n = 0; n < ITERATIONS; n++) {
                int which = rnd.nextInt(valid.size());
                byte[] orig = valid.get(which);
                Mutation m = kinds[n % kinds.length];
                byte[] bad = mutate(m, orig, valid.get((which + 1) % valid.size()), rnd);
                if (Arrays.equals(bad, orig)) {
                    continue;
                }
                counts.merge(m, 1, Integer::sum);
                try {
                    u.unseal(bad, "card", headers.get(which));
                    fail(m + " accepted at iteration " + n + ": " + java.util.HexFormat.of().formatHex(bad));
                } catch (DecryptionException | KmsException e) {
                    assertFalse(e.getMessage().contains(SECRET), e.getMessage());
                }
            }
        }
        for (Mutation m : Mutation.values()) {
            assertTrue(counts.getOrDefault(m, 0) > ITERATIONS / Mutation.values().length / 2, m + ": " + counts);
        }
    }

    private static byte[] mutate(Mutation m, byte[] orig, byte[] other, SplittableRandom rnd) {
        byte[] b = orig.clone();
        switch (m) {
            case BIT_FLIP -> b[rnd.nextInt(b.length)] ^= (byte) (1 << rnd.nextInt(8));
            case BYTE_SET -> b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
            case TRUNCATE -> b = Arrays.copyOf(orig, rnd.nextInt(orig.length));
            case EXTEND -> {
                b = Arrays.copyOf(orig, orig.length + 1 + rnd.nextInt(64));
                for (int i = orig.length; i < b.length; i++) {
                    b[i] = (byte) rnd.nextInt(256);
                }
            }
            case LENGTH -> {
                // The varint lengths of the key block sit right after the 6-byte prefix.
                int at = 6 + rnd.nextInt(Math.min(24, b.length - 6));
                b[at] = (byte) (0x80 | rnd.nextInt(256));
                if (at + 1 < b.length) {
                    b[at + 1] = (byte) 0xFF;
                }
            }
            case SWAP_EDEK -> {
                // Keep this value's prefix, nonce and body; take the key block region from another value.
                int keyEnd = Math.min(orig.length, other.length) - 28;
                b = orig.clone();
                System.arraycopy(other, 6, b, 6, Math.max(0, Math.min(keyEnd, 40) - 6));
            }
            case VERSION -> {
                // The version string of an inline EDEK follows the key id ("local:pii": 1 + 9 bytes).
                if (b[5] == 0 && b.length > 17) {
                    b[17] = (byte) ('2' + rnd.nextInt(8));
                } else {
                    b[6 + rnd.nextInt(8)] ^= 1;
                }
            }
            case RANDOM_BODY -> {
                b = new byte[3 + rnd.nextInt(200)];
                for (int i = 3; i < b.length; i++) {
                    b[i] = (byte) rnd.nextInt(256);
                }
                b[0] = (byte) 0xFE;
                b[1] = 0x46;
                b[2] = 0x53;
                if (b.length > 3 && rnd.nextBoolean()) {
                    b[3] = 1;
                }
            }
            default -> throw new IllegalStateException();
        }
        return b;
    }
}
