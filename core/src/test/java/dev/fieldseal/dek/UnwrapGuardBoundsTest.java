package dev.fieldseal.dek;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.fieldseal.kms.Edek;
import dev.fieldseal.kms.KekRef;
import dev.fieldseal.kms.Kms;
import dev.fieldseal.kms.KmsException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.SecretKey;
import org.junit.jupiter.api.Test;

/**
 * The guard's own structures are keyed by what records name (key ids under a vault-wide
 * {@code kek.allowed} entry, versions, EDEKs): each stays within its bound whatever a flood names.
 */
class UnwrapGuardBoundsTest {

    /** A key manager whose every key has versions v0..v(n-1), all enabled; it counts listings. */
    static final class ListingKms implements Kms {
        final int versions;
        final AtomicInteger listings = new AtomicInteger();

        ListingKms(int versions) {
            this.versions = versions;
        }

        @Override
        public boolean listsVersions() {
            return true;
        }

        @Override
        public CompletionStage<Map<String, Boolean>> versions(String keyId) {
            listings.incrementAndGet();
            Map<String, Boolean> m = new HashMap<>();
            for (int i = 0; i < versions; i++) {
                m.put("v" + i, true);
            }
            return CompletableFuture.completedFuture(m);
        }

        @Override
        public CompletionStage<KekRef> resolve(String keyId) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CompletionStage<Edek> wrap(KekRef kek, SecretKey dek) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CompletionStage<SecretKey> unwrap(Edek edek) {
            throw new UnsupportedOperationException();
        }

        @Override
        public String versionlessId(String keyId) {
            return keyId;
        }
    }

    static final Ticker FROZEN = () -> 1L;

    @Test
    void versionListsStayWithinMaxKeysWhateverKeyIdsRecordsName() {
        ListingKms kms = new ListingKms(1);
        KnownVersions known = new KnownVersions(kms, FROZEN, 5_000, 60_000);
        int names = 4 * KnownVersions.MAX_KEYS;
        for (int i = 0; i < names; i++) {
            assertEquals(KnownVersions.Verdict.LISTED, known.check(new KekRef("https://v.vault.azure.net/keys/k" + i, "v0")));
            assertTrue(known.keyCount() <= KnownVersions.MAX_KEYS, known.keyCount() + " lists after " + (i + 1));
        }
        assertEquals(names, kms.listings.get(), "one listing per new key id: they are allowed keys of the vault");
    }

    @Test
    void refusedAndPendingVersionsStayWithinMaxRefused() {
        ListingKms kms = new ListingKms(1);
        KnownVersions known = new KnownVersions(kms, FROZEN, 5_000, 60_000);
        String key = "https://v.vault.azure.net/keys/pii";
        int forged = 3 * KnownVersions.MAX_REFUSED;
        for (int i = 0; i < forged; i++) {
            KekRef k = new KekRef(key, "forged" + i);
            // The first is missing from the list fetched for it; the rest are left to the (budgeted) unwrap.
            if (i == 0) {
                KmsException e = assertThrows(KmsException.class, () -> known.check(k));
                assertEquals(KmsException.Reason.NOT_FOUND, e.reason());
            } else {
                assertEquals(KnownVersions.Verdict.UNCHECKED, known.check(k));
            }
            known.unwrapFailed(k, new KmsException(KmsException.Reason.NOT_FOUND, "missing"));
        }
        assertTrue(known.refusedCount() <= KnownVersions.MAX_REFUSED, known.refusedCount() + " refused");
        assertTrue(known.pendingCount() <= KnownVersions.MAX_REFUSED, known.pendingCount() + " pending");
        assertEquals(1, kms.listings.get(), "the clock stood still: one listing");
    }

    @Test
    void unwrapBucketsStayWithinMaxBuckets() {
        UnwrapBudget budget = new UnwrapBudget(1, 1, FROZEN);
        int versions = 3 * UnwrapBudget.MAX_BUCKETS;
        for (int i = 0; i < versions; i++) {
            budget.take(new KekRef("https://v.vault.azure.net/keys/pii", "v" + i), true);
            assertTrue(budget.bucketCount() <= UnwrapBudget.MAX_BUCKETS, budget.bucketCount() + " buckets");
        }
        // Unconfirmed versions share one bucket per key: the second is refused.
        budget.take(new KekRef("https://v.vault.azure.net/keys/other", "x1"), false);
        KmsException e = assertThrows(KmsException.class,
                () -> budget.take(new KekRef("https://v.vault.azure.net/keys/other", "x2"), false));
        assertEquals(KmsException.Reason.RATE_LIMITED, e.reason());
    }
}
