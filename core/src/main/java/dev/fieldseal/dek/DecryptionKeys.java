package dev.fieldseal.dek;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.fieldseal.kms.Edek;
import dev.fieldseal.kms.Kms;
import dev.fieldseal.kms.KmsCalls;
import dev.fieldseal.kms.KmsException;
import dev.fieldseal.metrics.FieldsealMetrics;
import java.time.Duration;

/**
 * The decrypting side's unwrapped DEKs, cached by EDEK: bounded in size ({@code dek.cache.size})
 * and idle time ({@code dek.cache.ttl.ms}), and loaded single-flight, so N threads missing the same
 * DEK make one unwrap call (the others wait for it). A failed unwrap is not cached; the next
 * record tries again, unless the {@link UnwrapGuard} knows the version is missing or disabled, and
 * misses are unwrapped only within the guard's budget. Evicted keys are destroyed (zeroed).
 *
 * <p>A synchronous cache on purpose: callers block on the key anyway, and Caffeine's async cache
 * logs every failed load with a stack trace, which during a Key Vault outage floods the logs.
 */
public final class DecryptionKeys implements AutoCloseable {

    private final Kms kms;
    private final KekAllowlist allowlist;
    private final FieldsealMetrics metrics;
    private final Cache<Edek, DataKey> cache;
    private final UnwrapGuard guard;

    public DecryptionKeys(Kms kms, KekAllowlist allowlist, long maxSize, long ttlMs, Ticker ticker,
                          FieldsealMetrics metrics) {
        this(kms, allowlist, maxSize, ttlMs, ticker, metrics, UnwrapGuard.NONE);
    }

    /** @param guard checks each miss before it is unwrapped (known versions, the budget of new DEKs) */
    public DecryptionKeys(Kms kms, KekAllowlist allowlist, long maxSize, long ttlMs, Ticker ticker,
                          FieldsealMetrics metrics, UnwrapGuard guard) {
        this.guard = guard;
        this.kms = kms;
        this.allowlist = allowlist;
        this.metrics = metrics;
        this.cache = Caffeine.newBuilder()
                .maximumSize(maxSize)
                .expireAfterAccess(Duration.ofMillis(ttlMs))
                .ticker(ticker)
                // Maintenance on the calling thread: handing it to the common pool costs a thread
                // wake-up every few reads, more than the lookup itself.
                .executor(Runnable::run)
                .<Edek, DataKey>removalListener((edek, key, cause) -> {
                    if (key != null && cause != RemovalCause.REPLACED) {
                        key.destroy();
                    }
                })
                .build();
    }

    /**
     * The plaintext DEK of an EDEK, from the cache or unwrapped by the key manager.
     *
     * @throws KeyNotAllowedException if the EDEK names a key outside {@code kek.allowed} (nothing is contacted)
     * @throws dev.fieldseal.kms.KmsException if the key manager fails or refuses
     */
    public DataKey get(Edek edek) {
        if (!allowlist.allows(edek.kek())) {
            throw new KeyNotAllowedException(edek.kek(), allowlist);
        }
        DataKey key = cache.getIfPresent(edek);
        if (key != null) {
            metrics.dekCacheHit();
            return key;
        }
        metrics.dekCacheMiss();
        return cache.get(edek, this::unwrap);
    }

    /** Inside the single-flight load: N threads missing one DEK take one token and make one call. */
    private DataKey unwrap(Edek edek) {
        guard.admit(edek);
        try {
            return DataKey.copyOf(KmsCalls.join(kms.unwrap(edek)));
        } catch (KmsException e) {
            guard.unwrapFailed(edek, e);
            throw e;
        }
    }

    /** A rotation event for a key this side may use. */
    public void keyRotated(String versionlessKeyId) {
        guard.keyRotated(versionlessKeyId);
    }

    /** Drops a key whose use failed because it was destroyed by a concurrent eviction. */
    public void invalidate(Edek edek) {
        cache.invalidate(edek);
    }

    public long size() {
        return cache.estimatedSize();
    }

    @Override
    public void close() {
        cache.invalidateAll();
    }
}
