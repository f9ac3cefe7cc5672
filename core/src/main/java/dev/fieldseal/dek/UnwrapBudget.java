package dev.fieldseal.dek;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.fieldseal.kms.KekRef;
import dev.fieldseal.kms.KmsException;
import dev.fieldseal.kms.KmsException.Reason;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.TimeMeter;
import java.time.Duration;

/**
 * How many DEKs never seen before may be unwrapped: a token bucket ({@code dek.unwrap.burst} at
 * once, {@code dek.unwrap.rate} a second) per key version that the key's version list confirmed,
 * and one per key shared by every version not confirmed. A flood of forged EDEKs under a genuine
 * version (random wrapped bytes) then costs at most the budget in Key Vault calls and leaves the
 * other versions' budgets whole, so a rotation in the middle of it is unwrapped at once. Over the
 * budget an unwrap is refused as RATE_LIMITED (retriable): a genuine burst waits, it is not lost.
 */
public final class UnwrapBudget {

    /** Buckets kept: confirmed versions are Key Vault's own; unconfirmed ones share one per key. */
    static final int MAX_BUCKETS = 1_024;
    /** The shared bucket's version; never a Key Vault version (those are alphanumeric). */
    private static final String UNCONFIRMED = "(unconfirmed)";

    private final Cache<KekRef, Bucket> buckets;
    private final Bandwidth bandwidth;
    private final TimeMeter clock;

    public UnwrapBudget(int perSecond, int burst, Ticker ticker) {
        this.bandwidth = Bandwidth.builder().capacity(burst).refillGreedy(perSecond, Duration.ofSeconds(1))
                .initialTokens(burst).build();
        this.clock = new TimeMeter() {
            @Override
            public long currentTimeNanos() {
                return ticker.read();
            }

            @Override
            public boolean isWallClockBased() {
                return false;
            }
        };
        this.buckets = Caffeine.newBuilder().maximumSize(MAX_BUCKETS).expireAfterAccess(Duration.ofHours(1))
                .ticker(ticker).executor(Runnable::run).build();
    }

    /**
     * Takes one unwrap from the budget of the EDEK's version.
     *
     * @param confirmed true if the key's version list shows the version
     * @throws KmsException RATE_LIMITED if the budget is spent
     */
    public void take(KekRef kek, boolean confirmed) {
        KekRef slot = confirmed ? kek : new KekRef(kek.keyId(), UNCONFIRMED);
        Bucket bucket = buckets.get(slot, s -> Bucket.builder().addLimit(bandwidth).withCustomTimePrecision(clock)
                .build());
        if (!bucket.tryConsume(1)) {
            throw new KmsException(Reason.RATE_LIMITED, "Unwraps of new DEKs under key " + kek.keyId() + " version "
                    + kek.version() + " are over dek.unwrap.rate / dek.unwrap.burst: not sent to Key Vault now; "
                    + "the value can be retried.");
        }
    }

    long bucketCount() {
        buckets.cleanUp();
        return buckets.estimatedSize();
    }
}
