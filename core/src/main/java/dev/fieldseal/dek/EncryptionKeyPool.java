package dev.fieldseal.dek;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.fieldseal.kms.KekRef;
import dev.fieldseal.kms.Kms;
import dev.fieldseal.metrics.FieldsealMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * One {@link EncryptionKeys} per key a template resolved to (a key per tenant or topic), bounded:
 * the least recently used key is closed and dropped once more than {@code maxKeys} are held.
 *
 * <p>A burst of records for a new key makes one entry (Caffeine computes a key once while other
 * threads wait for it), and that entry resolves its key and wraps its first DEK once
 * ({@link EncryptionKeys} does both under its own lock): Key Vault sees one request per new key,
 * not one per record. Thread-safe.
 */
public final class EncryptionKeyPool implements AutoCloseable {

    private final Kms kms;
    private final long maxEncryptions;
    private final long maxAgeMs;
    private final long refreshMs;
    private final Ticker ticker;
    private final FieldsealMetrics metrics;
    private final Cache<String, EncryptionKeys> keys;

    public EncryptionKeyPool(Kms kms, long maxKeys, long maxEncryptions, long maxAgeMs, long refreshMs, Ticker ticker,
                             FieldsealMetrics metrics) {
        this.kms = kms;
        this.maxEncryptions = maxEncryptions;
        this.maxAgeMs = maxAgeMs;
        this.refreshMs = refreshMs;
        this.ticker = ticker;
        this.metrics = metrics;
        // Run removal on the calling thread: closing cancels a timer and retires a DEK, nothing slow.
        this.keys = Caffeine.newBuilder().maximumSize(maxKeys).executor(Runnable::run)
                .removalListener((String id, EncryptionKeys k, RemovalCause cause) -> {
                    if (k != null) {
                        k.close();
                    }
                })
                .build();
    }

    /** The DEK lifecycle of {@code keyId}, made on first use. */
    public EncryptionKeys get(String keyId) {
        return keys.get(keyId, id -> new EncryptionKeys(kms, id, maxEncryptions, maxAgeMs, refreshMs, ticker, metrics));
    }

    /** How many keys are held now. */
    public long size() {
        keys.cleanUp();
        return keys.estimatedSize();
    }

    /**
     * Re-resolves a held key now (a rotation event for it); keys not held are resolved when next used.
     *
     * @param versionlessKeyId compared ignoring case, as Key Vault names are
     * @return the refreshes started (none if the key is not held)
     */
    public List<CompletionStage<KekRef>> refreshNow(String versionlessKeyId) {
        List<CompletionStage<KekRef>> started = new ArrayList<>(1);
        keys.asMap().forEach((id, k) -> {
            if (id.equalsIgnoreCase(versionlessKeyId)) {
                started.add(k.refreshNow());
            }
        });
        return started;
    }

    @Override
    public void close() {
        keys.invalidateAll();
        keys.cleanUp();
    }
}
