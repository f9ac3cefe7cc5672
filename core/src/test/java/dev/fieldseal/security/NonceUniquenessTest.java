package dev.fieldseal.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.fieldseal.dek.EncryptionDek;
import dev.fieldseal.dek.EncryptionKeys;
import dev.fieldseal.envelope.LocalFixture;
import dev.fieldseal.kms.Kms;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** 10^6 nonces from one DEK, drawn by 16 threads at once: none repeats. */
class NonceUniquenessTest {

    @Test
    void aMillionConcurrentNoncesUnderOneDekAreDistinct() throws Exception {
        int threads = 16;
        int perThread = 62_500;
        LocalFixture fx = new LocalFixture();
        try (Kms kms = fx.kms(); EncryptionKeys keys = new EncryptionKeys(kms, fx.kekId, 1L << 32, 3_600_000,
                3_600_000, Ticker.systemTicker(), fx.metrics)) {
            EncryptionDek dek = keys.current();
            java.util.Set<Integer> fixedFields = java.util.concurrent.ConcurrentHashMap.newKeySet();
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            List<Future<long[]>> parts = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                parts.add(pool.submit(() -> {
                    long[] counters = new long[perThread];
                    byte[] nonce = new byte[12];
                    for (int i = 0; i < perThread; i++) {
                        assertSame(dek, keys.next(nonce, 0));
                        ByteBuffer b = ByteBuffer.wrap(nonce);
                        // The fixed field (4 bytes) is the DEK's; the counter (8 bytes) must never repeat.
                        fixedFields.add(b.getInt(0));
                        counters[i] = b.getLong(4);
                    }
                    return counters;
                }));
            }
            long[] all = new long[threads * perThread];
            int at = 0;
            for (Future<long[]> f : parts) {
                long[] c = f.get();
                System.arraycopy(c, 0, all, at, c.length);
                at += c.length;
            }
            pool.shutdown();
            Arrays.sort(all);
            for (int i = 1; i < all.length; i++) {
                if (all[i] == all[i - 1]) {
                    throw new AssertionError("nonce counter " + all[i] + " repeated");
                }
            }
            assertEquals(1_000_000, all.length);
            assertEquals(1_000_000, dek.used());
            assertEquals(1, fixedFields.size());
        }
    }
}
