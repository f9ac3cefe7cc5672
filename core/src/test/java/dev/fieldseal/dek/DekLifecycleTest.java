package dev.fieldseal.dek;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.fieldseal.config.FieldsealConfig;
import dev.fieldseal.envelope.LocalFixture;
import dev.fieldseal.envelope.Sealer;
import dev.fieldseal.envelope.Unsealer;
import dev.fieldseal.kms.Kms;
import dev.fieldseal.metrics.FieldsealMetrics;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class DekLifecycleTest {

    /** A clock the test moves by hand. */
    static final class FakeTicker implements Ticker {
        final AtomicLong nanos = new AtomicLong(1);

        @Override
        public long read() {
            return nanos.get();
        }

        void advance(long ms) {
            nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(ms));
        }
    }

    private final LocalFixture fx = new LocalFixture();
    private final FakeTicker ticker = new FakeTicker();

    private EncryptionKeys keys(Kms kms, long maxEncryptions, long maxAgeMs, long refreshMs) {
        return new EncryptionKeys(kms, fx.kekId, maxEncryptions, maxAgeMs, refreshMs, ticker, fx.metrics);
    }

    @Test
    void retiredExactlyAtTheEncryptionLimit() {
        try (Kms kms = fx.kms(); EncryptionKeys keys = keys(kms, 5, 3_600_000, 3_600_000)) {
            byte[] nonce = new byte[12];
            EncryptionDek first = keys.next(nonce, 0);
            for (int i = 1; i < 5; i++) {
                assertSame(first, keys.next(nonce, 0), "encryption " + (i + 1));
            }
            EncryptionDek second = keys.next(nonce, 0);
            assertNotSame(first, second);
            assertEquals(2, fx.metrics.get(FieldsealMetrics.DEKS_CREATED));
            assertEquals(1, fx.metrics.get(FieldsealMetrics.DEKS_RETIRED));
            assertTrue(first.key().isDestroyed(), "a retired DEK is destroyed");
        }
    }

    @Test
    void retiredExactlyAtTheAgeLimit() {
        try (Kms kms = fx.kms(); EncryptionKeys keys = keys(kms, 1_000_000, 60_000, 3_600_000)) {
            byte[] nonce = new byte[12];
            EncryptionDek first = keys.next(nonce, 0);
            ticker.advance(59_999);
            assertSame(first, keys.next(nonce, 0));
            ticker.advance(1);
            assertNotSame(first, keys.next(nonce, 0));
        }
    }

    @Test
    void retirementUnderConcurrencyGivesEachDekExactlyItsLimit() throws Exception {
        int limit = 1000;
        int threads = 8;
        int perThread = 5000;
        try (Kms kms = fx.kms(); EncryptionKeys keys = keys(kms, limit, 3_600_000, 3_600_000)) {
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            List<Future<List<EncryptionDek>>> futures = new ArrayList<>();
            Set<String> nonces = java.util.concurrent.ConcurrentHashMap.newKeySet();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    List<EncryptionDek> used = new ArrayList<>();
                    byte[] nonce = new byte[12];
                    for (int i = 0; i < perThread; i++) {
                        EncryptionDek d = keys.next(nonce, 0);
                        used.add(d);
                        nonces.add(System.identityHashCode(d) + ":" + java.util.HexFormat.of().formatHex(nonce));
                    }
                    return used;
                }));
            }
            Map<EncryptionDek, Integer> counts = new java.util.IdentityHashMap<>();
            for (Future<List<EncryptionDek>> f : futures) {
                for (EncryptionDek d : f.get()) {
                    counts.merge(d, 1, Integer::sum);
                }
            }
            pool.shutdown();
            assertEquals(threads * perThread, nonces.size(), "a nonce repeated under one DEK");
            assertEquals(threads * perThread / limit, counts.size());
            counts.values().forEach(c -> assertEquals(limit, c));
        }
    }

    @Test
    void aNewerKekVersionRetiresTheCurrentDekAtTheNextRefresh() {
        try (Kms kms = fx.kms(); EncryptionKeys keys = keys(kms, 1_000_000, 3_600_000, 60_000)) {
            byte[] nonce = new byte[12];
            EncryptionDek first = keys.next(nonce, 0);
            assertEquals("1", first.edek().kek().version());
            fx.rotate();
            ticker.advance(59_000);
            assertSame(first, keys.next(nonce, 0), "not yet due for a refresh");
            ticker.advance(1_000);
            keys.next(nonce, 0); // starts the refresh; the local provider completes it at once
            EncryptionDek after = keys.next(nonce, 0);
            assertEquals("2", after.edek().kek().version());
        }
    }

    @Test
    void refreshNowSwitchesToTheNewVersionAtOnce() {
        try (Kms kms = fx.kms(); EncryptionKeys keys = keys(kms, 1_000_000, 3_600_000, 3_600_000)) {
            byte[] nonce = new byte[12];
            assertEquals("1", keys.next(nonce, 0).edek().kek().version());
            fx.rotate();
            keys.refreshNow().toCompletableFuture().join();
            assertEquals("2", keys.next(nonce, 0).edek().kek().version());
        }
    }

    @Test
    void threadsMissingTheSameDekCauseOneUnwrap() throws Exception {
        FieldsealConfig c = fx.config();
        byte[] secret = "123-45-6789".getBytes(StandardCharsets.UTF_8);
        List<byte[]> values = new ArrayList<>();
        try (Kms kms = fx.kms(); Sealer s = new Sealer(c, kms, Ticker.systemTicker(), fx.metrics)) {
            for (int i = 0; i < 320; i++) {
                values.add(s.seal(secret, "ssn", false, s.newRecord()));
            }
        }
        // A key manager that is slow to unwrap, so that all 32 threads miss at the same time.
        try (Kms slow = new SlowUnwrapKms(fx.kms(), 300);
             Unsealer u = new Unsealer(c, slow, Ticker.systemTicker(), fx.metrics)) {
            long before = fx.metrics.kmsCalls("unwrap");
            ExecutorService pool = Executors.newFixedThreadPool(32);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < 32; t++) {
                int from = t * 10;
                fs.add(pool.submit(() -> {
                    start.await();
                    for (int i = from; i < from + 10; i++) {
                        assertArrayEquals(secret, u.unseal(values.get(i), "ssn", Map.of()));
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : fs) {
                f.get();
            }
            pool.shutdown();
            assertEquals(1, fx.metrics.kmsCalls("unwrap") - before);
        }
    }

    @Test
    void aDekInUseStaysCachedAndAnIdleOneIsUnwrappedAgain() {
        FieldsealConfig c = fx.config(FieldsealConfig.DEK_CACHE_TTL_MS, "60000");
        byte[] secret = "123-45-6789".getBytes(StandardCharsets.UTF_8);
        try (Kms kms = fx.kms(); Sealer s = new Sealer(c, kms, Ticker.systemTicker(), fx.metrics);
             Unsealer u = new Unsealer(c, kms, ticker, fx.metrics)) {
            byte[] value = s.seal(secret, "ssn", false, s.newRecord());
            long before = fx.metrics.kmsCalls("unwrap");
            // 300 values 500 ms apart: 150 s in all, more than the idle TTL, but never idle.
            for (int i = 0; i < 300; i++) {
                assertArrayEquals(secret, u.unseal(value, "ssn", Map.of()));
                ticker.advance(500);
            }
            assertEquals(1, fx.metrics.kmsCalls("unwrap") - before);
            ticker.advance(61_000);
            assertArrayEquals(secret, u.unseal(value, "ssn", Map.of()));
            assertEquals(2, fx.metrics.kmsCalls("unwrap") - before, "idle past dek.cache.ttl.ms: unwrapped again");
        }
    }

    /** Delays unwraps by a fixed time. */
    static final class SlowUnwrapKms implements Kms {
        private final Kms inner;
        private final long delayMs;

        SlowUnwrapKms(Kms inner, long delayMs) {
            this.inner = inner;
            this.delayMs = delayMs;
        }

        @Override
        public java.util.concurrent.CompletionStage<dev.fieldseal.kms.KekRef> resolve(String keyId) {
            return inner.resolve(keyId);
        }

        @Override
        public java.util.concurrent.CompletionStage<dev.fieldseal.kms.Edek> wrap(dev.fieldseal.kms.KekRef kek,
                                                                                 javax.crypto.SecretKey dek) {
            return inner.wrap(kek, dek);
        }

        @Override
        public java.util.concurrent.CompletionStage<javax.crypto.SecretKey> unwrap(dev.fieldseal.kms.Edek edek) {
            try {
                new CountDownLatch(1).await(delayMs, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return inner.unwrap(edek);
        }

        @Override
        public String versionlessId(String keyId) {
            return inner.versionlessId(keyId);
        }
    }

    @Test
    void nonceIsFixedFieldThenCounter() {
        try (Kms kms = fx.kms(); EncryptionKeys keys = keys(kms, 10, 3_600_000, 3_600_000)) {
            byte[] a = new byte[12];
            byte[] b = new byte[12];
            keys.next(a, 0);
            keys.next(b, 0);
            assertArrayEquals(java.util.Arrays.copyOf(a, 4), java.util.Arrays.copyOf(b, 4));
            assertEquals(0, a[11]);
            assertEquals(1, b[11]);
        }
    }
}
