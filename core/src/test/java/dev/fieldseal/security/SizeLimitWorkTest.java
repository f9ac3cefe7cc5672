package dev.fieldseal.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.fieldseal.envelope.LocalFixture;
import dev.fieldseal.envelope.Sealer;
import dev.fieldseal.envelope.Unsealer;
import dev.fieldseal.format.DecryptionException;
import dev.fieldseal.format.EdekHeader;
import dev.fieldseal.format.EnvelopeLayout;
import dev.fieldseal.kms.Edek;
import dev.fieldseal.kms.KekRef;
import dev.fieldseal.kms.Kms;
import dev.fieldseal.kms.WrapAlgorithm;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Inputs at and past every size limit of the wire format are refused with work linear in their
 * size. The work is measured as the bytes the refusing thread allocates (what a forged length
 * would blow up), not as time: for every size, at most {@value #BYTES_PER_INPUT_BYTE} bytes per
 * input byte plus a fixed {@value #FIXED_BYTES}.
 */
class SizeLimitWorkTest {

    static final long BYTES_PER_INPUT_BYTE = 16;
    static final long FIXED_BYTES = 1 << 20;

    static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** Bytes allocated by this thread while the action runs (it must throw: it is a refusal). */
    static long allocatedRefusing(Supplier<?> action) {
        long before = THREADS.getCurrentThreadAllocatedBytes();
        assertThrows(DecryptionException.class, action::get);
        return THREADS.getCurrentThreadAllocatedBytes() - before;
    }

    static void assertLinear(String what, int size, long allocated) {
        assertTrue(allocated <= BYTES_PER_INPUT_BYTE * size + FIXED_BYTES,
                what + ": " + allocated + " bytes allocated refusing " + size + " input bytes");
    }

    /** An EDEK block at every field's limit: key id 2,048 bytes, version 256, wrapped key 1,024. */
    static byte[] largestBlock(int i) {
        String keyId = "local:" + "k".repeat(2048 - 6 - 8) + String.format("%08d", i);
        return EnvelopeLayout.edekBlock(new Edek(new KekRef(keyId, "v".repeat(256)), WrapAlgorithm.A256KW,
                new byte[1024]));
    }

    @Test
    void edekHeadersAtAndPastTheirLimitsAreRefusedInLinearWork() {
        List<byte[]> blocks = new ArrayList<>();
        for (int i = 0; i < 17; i++) {
            blocks.add(largestBlock(i));
        }
        assertEquals(16, EdekHeader.read(EdekHeader.write(blocks.subList(0, 16))).size(), "16 entries are read");
        // Each size: n largest entries followed by one broken entry (or a 17th one), raw and base64.
        for (int n = 1; n <= 17; n++) {
            byte[] raw = EdekHeader.write(blocks.subList(0, n));
            byte[] header = n == 17 ? raw : java.util.Arrays.copyOf(raw, raw.length + 3); // a truncated length
            if (n < 17) {
                header[raw.length] = (byte) 0xFF;
                header[raw.length + 1] = (byte) 0xFF;
                header[raw.length + 2] = (byte) 0x7F; // declares ~2 MiB that are not there
            }
            byte[] finalHeader = header;
            allocatedRefusing(() -> EdekHeader.read(finalHeader)); // warm-up
            assertLinear("raw header of " + n, header.length, allocatedRefusing(() -> EdekHeader.read(finalHeader)));
            byte[] text = Base64.getEncoder().encode(header);
            assertLinear("base64 header of " + n, text.length, allocatedRefusing(() -> EdekHeader.read(text)));
        }
        // An entry past the 4,096-byte block limit.
        byte[] huge = EdekHeader.write(List.of(new byte[64 * 1024]));
        assertLinear("oversized block", huge.length, allocatedRefusing(() -> EdekHeader.read(huge)));
        // More headers than a key and a value write, each at its limit.
        byte[] full = EdekHeader.write(blocks.subList(0, 16));
        List<byte[]> nine = Collections.nCopies(9, full);
        assertLinear("nine headers", 9 * full.length, allocatedRefusing(() -> Unsealer.mergedEdeks(nine)));
    }

    @Test
    void tamperedEnvelopesOfGrowingSizeAreRefusedInLinearWork() {
        LocalFixture fx = new LocalFixture();
        try (Kms kms = fx.kms(); Sealer s = new Sealer(fx.config(), kms, Ticker.systemTicker(), fx.metrics);
             Unsealer u = new Unsealer(fx.config(), kms, Ticker.systemTicker(), fx.metrics)) {
            for (int size = 1 << 10; size <= 1 << 22; size <<= 2) {
                byte[] sealed = s.seal(new byte[size], "f", false, s.newRecord());
                sealed[sealed.length - 1] ^= 1;
                allocatedRefusing(() -> u.unseal(sealed, "f", java.util.Map.of())); // warm-up, DEK cached
                assertLinear("tampered envelope", sealed.length,
                        allocatedRefusing(() -> u.unseal(sealed, "f", java.util.Map.of())));
                // A length field forged to claim far more than the envelope holds.
                byte[] cut = java.util.Arrays.copyOf(sealed, sealed.length / 2);
                assertLinear("truncated envelope", cut.length,
                        allocatedRefusing(() -> u.unseal(cut, "f", java.util.Map.of())));
            }
        }
    }
}
