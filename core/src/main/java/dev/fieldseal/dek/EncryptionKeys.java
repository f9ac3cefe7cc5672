package dev.fieldseal.dek;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.fieldseal.kms.KekRef;
import dev.fieldseal.kms.Kms;
import dev.fieldseal.kms.KmsCalls;
import dev.fieldseal.kms.KmsException;
import dev.fieldseal.metrics.FieldsealMetrics;
import java.security.SecureRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The encrypting side's DEK lifecycle for one KEK: one current DEK, replaced when it has made
 * {@code dek.max.encryptions} encryptions, when it is {@code dek.max.age.ms} old, or as soon as a
 * newer KEK version is resolved.
 *
 * <p>A versionless KEK id is re-resolved in the background every {@code kek.refresh.ms} (and at
 * once on {@link #refreshNow()}), by a shared timer thread so that even an idle producer's first
 * record after a rotation uses the new version; the current DEK stays in use meanwhile, so producing never waits
 * on the key manager except to wrap a new DEK (local for RSA keys). A failed refresh keeps the
 * known version and is retried at the next interval.
 *
 * <p>A single {@code volatile} reference holds the current DEK: the hot path is one read, one
 * atomic increment, and no lock. (A cache library adds nothing for a single entry.)
 */
public final class EncryptionKeys implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EncryptionKeys.class);

    private final Kms kms;
    private final String kekId;
    private final boolean followsRotation;
    private final long maxEncryptions;
    private final long maxAgeNanos;
    private final long refreshNanos;
    private final Ticker ticker;
    private final FieldsealMetrics metrics;
    private final SecureRandom random = new SecureRandom();

    private volatile EncryptionDek current;
    private volatile KekRef kek;
    private volatile long resolvedAtNanos;
    private volatile CompletableFuture<KekRef> refreshing;
    private final ScheduledFuture<?> timer;

    /** One daemon thread for every instance's refresh timer: the work it starts is asynchronous. */
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "fieldseal-kek-refresh");
        t.setDaemon(true);
        return t;
    });

    public EncryptionKeys(Kms kms, String kekId, long maxEncryptions, long maxAgeMs, long refreshMs,
                          Ticker ticker, FieldsealMetrics metrics) {
        this.kms = kms;
        this.kekId = kekId;
        this.followsRotation = kms.versionlessId(kekId).equals(kekId);
        this.maxEncryptions = maxEncryptions;
        this.maxAgeNanos = TimeUnit.MILLISECONDS.toNanos(maxAgeMs);
        this.refreshNanos = TimeUnit.MILLISECONDS.toNanos(refreshMs);
        this.ticker = ticker;
        this.metrics = metrics;
        this.timer = followsRotation ? TIMER.scheduleWithFixedDelay(this::refreshIfDue, refreshMs, refreshMs,
                TimeUnit.MILLISECONDS) : null;
    }

    private void refreshIfDue() {
        if (kek != null) {
            try {
                maybeRefresh(ticker.read());
            } catch (RuntimeException e) {
                LOG.warn("KEK refresh of {} could not start: {}", kekId, e.getMessage());
            }
        }
    }

    /**
     * A DEK with a fresh nonce written to {@code nonceOut} at {@code offset}.
     *
     * @throws KmsException if no DEK can be made (the KEK cannot be resolved or the wrap fails)
     */
    public EncryptionDek next(byte[] nonceOut, int offset) {
        while (true) {
            EncryptionDek d = current;
            long now = ticker.read();
            if (d != null) {
                maybeRefresh(now);
                if (!d.retired() && now - d.createdNanos() < maxAgeNanos && d.nextNonce(nonceOut, offset)) {
                    return d;
                }
            }
            replace(d);
        }
    }

    /** The DEK in use now, creating one if needed; for callers that only need its EDEK. */
    public EncryptionDek current() {
        EncryptionDek d = current;
        if (d == null || d.retired()) {
            replace(d);
            d = current;
        }
        return d;
    }

    /** The KEK version new DEKs are wrapped with (resolving it first if needed). */
    public KekRef kek() {
        KekRef k = kek;
        if (k == null) {
            synchronized (this) {
                if (kek == null) {
                    kek = KmsCalls.join(kms.resolve(kekId));
                    resolvedAtNanos = ticker.read();
                }
                k = kek;
            }
        }
        return k;
    }

    private synchronized void replace(EncryptionDek seen) {
        if (current != seen) {
            return; // another thread already replaced it
        }
        KekRef k = kek();
        DataKey key = DataKey.generate(random, 32);
        EncryptionDek fresh;
        try {
            fresh = new EncryptionDek(key, KmsCalls.join(kms.wrap(k, key)), maxEncryptions, ticker.read(), random);
        } catch (RuntimeException e) {
            key.destroy();
            throw e;
        }
        current = fresh;
        metrics.dekCreated();
        if (seen != null) {
            seen.retire();
            metrics.dekRetired();
            // A thread that read 'seen' just before the swap fails cleanly on the destroyed key
            // (DataKey never hands out partial bytes) and retries with the new DEK.
            seen.key().destroy();
        }
        LOG.debug("New DEK wrapped by {}", k);
    }

    private void maybeRefresh(long now) {
        if (followsRotation && now - resolvedAtNanos >= refreshNanos && refreshing == null) {
            refreshNow();
        }
    }

    /**
     * Re-resolves the KEK now (rotation event or timer). When a newer version comes back, the
     * current DEK is retired and the next encryption wraps a new DEK with the new version.
     *
     * @return completes with the resolved version (or exceptionally if resolving failed)
     */
    public synchronized CompletionStage<KekRef> refreshNow() {
        if (refreshing != null) {
            return refreshing;
        }
        resolvedAtNanos = ticker.read();
        CompletableFuture<KekRef> f = kms.resolve(kekId).toCompletableFuture();
        refreshing = f;
        return f.whenComplete((resolved, error) -> {
            synchronized (EncryptionKeys.this) {
                refreshing = null;
                resolvedAtNanos = ticker.read();
                if (error != null) {
                    metrics.failure("kek-refresh");
                    LOG.warn("Could not refresh KEK {}; keeping version {}: {}", kekId,
                            kek == null ? "(none yet)" : kek.version(), KmsCalls.cause(error).getMessage());
                    return;
                }
                KekRef old = kek;
                kek = resolved;
                if (old != null && !old.equals(resolved)) {
                    LOG.info("KEK {} rotated from version {} to {}; new DEKs are wrapped by the new version",
                            kekId, old.version(), resolved.version());
                    EncryptionDek d = current;
                    if (d != null) {
                        d.retire();
                    }
                }
            }
        });
    }

    @Override
    public void close() {
        if (timer != null) {
            timer.cancel(false);
        }
        EncryptionDek d = current;
        if (d != null) {
            d.retire();
        }
    }
}
