package dev.fieldseal.dek;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.fieldseal.kms.KekRef;
import dev.fieldseal.kms.Kms;
import dev.fieldseal.kms.KmsCalls;
import dev.fieldseal.kms.KmsException;
import dev.fieldseal.kms.KmsException.Reason;
import java.time.Duration;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The versions each key really has, so that an EDEK naming a version the key does not have, or a
 * disabled one, is refused without an unwrap call. Records name any version they like of an
 * allowed key; without this check each forged version would cost one failed unwrap.
 *
 * <p>Per key, the version list ({@link Kms#versions}) is fetched when a version is asked for that
 * the cached list does not show enabled, at most once per {@code kek.versions.refresh.ms}: a
 * version created by a rotation a second ago is found by that fetch, a flood of forged versions
 * costs one fetch per interval. A version missing from a fetch made for it is refused as
 * NOT_FOUND; one missing from a fetch made before (the interval has not passed) may be younger than
 * the list, so the unwrap decides, within the key's shared budget for unconfirmed versions
 * ({@link UnwrapBudget}): a genuine new version opens at once, forged ones cost at most that budget,
 * and the next fetch settles every such version asked for before it (at most {@value #MAX_REFUSED}
 * remembered). A rotation event ({@link #keyRotated}) makes the next fetch immediate.
 *
 * <p>Versions that the list or an unwrap showed missing or disabled are remembered (at most
 * {@value #MAX_REFUSED}, for {@code kek.versions.refused.ttl.ms}) and refused without any call.
 * If listing fails (no {@code list} permission, an outage), versions are not checked until the
 * next fetch is due: the unwrap decides, as before, and the unwrap budget still applies.
 */
public final class KnownVersions {

    private static final Logger LOG = LoggerFactory.getLogger(KnownVersions.class);

    /** Key ids with a version list: allowed key ids as records spell them (a vault-wide entry allows any name). */
    static final int MAX_KEYS = 256;
    /** Versions remembered as missing or disabled; each entry is a key id and version from a record. */
    static final int MAX_REFUSED = 4_096;

    /** What a listed version can look like (Key Vault and Managed HSM: 32 hex digits). */
    private static final java.util.regex.Pattern VERSION_TOKEN = java.util.regex.Pattern.compile("[A-Za-z0-9_-]{1,256}");

    /** What a check found. */
    public enum Verdict {
        /** The key's version list shows the version enabled. */
        LISTED,
        /** No list to check against (the provider lists no versions, or listing failed): the unwrap decides. */
        UNCHECKED
    }

    private final Kms kms;
    private final Ticker ticker;
    private final long refreshNanos;
    private final Cache<String, VersionList> lists;
    private final Cache<KekRef, Reason> refused;
    /** When a version missing from the list was first asked for: a list fetched after that settles it. */
    private final Cache<KekRef, Long> pending;

    public KnownVersions(Kms kms, Ticker ticker, long refreshMs, long refusedTtlMs) {
        this.kms = kms;
        this.ticker = ticker;
        this.refreshNanos = Duration.ofMillis(refreshMs).toNanos();
        this.lists = Caffeine.newBuilder().maximumSize(MAX_KEYS).ticker(ticker).executor(Runnable::run).build();
        this.refused = Caffeine.newBuilder().maximumSize(MAX_REFUSED)
                .expireAfterWrite(Duration.ofMillis(refusedTtlMs)).ticker(ticker).executor(Runnable::run).build();
        this.pending = Caffeine.newBuilder().maximumSize(MAX_REFUSED)
                .expireAfterWrite(Duration.ofMillis(refusedTtlMs)).ticker(ticker).executor(Runnable::run).build();
    }

    /**
     * Checks that the EDEK's version may be sent to unwrap.
     *
     * @throws KmsException NOT_FOUND or DISABLED (permanent) if the key does not have the version or
     *         it is disabled
     */
    public Verdict check(KekRef kek) {
        Reason known = refused.getIfPresent(kek);
        if (known != null) {
            throw refusal(kek, known);
        }
        if (!kms.listsVersions()) {
            return Verdict.UNCHECKED;
        }
        if (!VERSION_TOKEN.matcher(kek.version()).matches()) {
            // No key manager lists such a version (path, query or escape characters): refused for
            // good, before any list or wait, so it can never be retried into a request.
            throw refusal(kek, Reason.NOT_FOUND);
        }
        return lists.get(kek.keyId(), VersionList::new).check(kek);
    }

    /** What Key Vault answered to an unwrap: a missing or disabled version is refused without a call for a while. */
    public void unwrapFailed(KekRef kek, KmsException e) {
        if (e.reason() == Reason.NOT_FOUND || e.reason() == Reason.DISABLED) {
            refused.put(kek, e.reason());
        }
    }

    /** A rotation event for the key: its next unlisted version fetches the list at once. */
    public void keyRotated(String versionlessKeyId) {
        lists.asMap().forEach((id, list) -> {
            if (id.equalsIgnoreCase(versionlessKeyId)) {
                list.markStale();
            }
        });
    }

    /** Versions remembered as refused (tests: the bound). */
    long refusedCount() {
        refused.cleanUp();
        return refused.estimatedSize();
    }

    /** Versions waiting for the next listing (tests: the bound). */
    long pendingCount() {
        pending.cleanUp();
        return pending.estimatedSize();
    }

    /** Keys with a version list (tests: the bound). */
    long keyCount() {
        lists.cleanUp();
        return lists.estimatedSize();
    }

    private static KmsException refusal(KekRef kek, Reason reason) {
        return switch (reason) {
            case DISABLED -> new KmsException(Reason.DISABLED, "Key " + kek.keyId() + " version " + kek.version()
                    + " is disabled (known from Key Vault; not asked again for a while): data it protects cannot be "
                    + "read until it is enabled again.");
            default -> new KmsException(Reason.NOT_FOUND, "Key " + kek.keyId() + " has no version " + kek.version()
                    + " (known from Key Vault; not asked again for a while): the value was not written with this key.");
        };
    }

    /** The cached version list of one key. Reads are lock-free; a fetch is single-flight per key. */
    private final class VersionList {
        private final String keyId;
        private volatile Map<String, Boolean> versions;
        private boolean fetched;
        private boolean lastFetchFailed;
        private long fetchedAt;
        private boolean stale;

        VersionList(String keyId) {
            this.keyId = keyId;
        }

        synchronized void markStale() {
            stale = true;
        }

        Verdict check(KekRef kek) {
            Map<String, Boolean> v = versions;
            if (v != null && Boolean.TRUE.equals(v.get(kek.version()))) {
                return Verdict.LISTED;
            }
            return slow(kek);
        }

        private synchronized Verdict slow(KekRef kek) {
            Boolean enabled = versions == null ? null : versions.get(kek.version());
            if (Boolean.TRUE.equals(enabled)) {
                return Verdict.LISTED; // another thread's fetch found it
            }
            long now = ticker.read();
            boolean due = !fetched || stale || now - fetchedAt >= refreshNanos;
            if (due) {
                fetch(now);
                if (lastFetchFailed) {
                    return Verdict.UNCHECKED;
                }
                enabled = versions.get(kek.version());
                pending.invalidate(kek);
                if (enabled == null) {
                    refused.put(kek, Reason.NOT_FOUND);
                    throw refusal(kek, Reason.NOT_FOUND);
                }
            } else if (lastFetchFailed) {
                return Verdict.UNCHECKED;
            } else if (enabled == null) {
                Long firstAsked = pending.getIfPresent(kek);
                if (firstAsked != null && firstAsked < fetchedAt) {
                    pending.invalidate(kek);
                    refused.put(kek, Reason.NOT_FOUND); // missing from a list fetched after it was first asked for
                    throw refusal(kek, Reason.NOT_FOUND);
                }
                if (firstAsked == null) {
                    pending.put(kek, now);
                }
                // Perhaps younger than the list (a rotation since it was fetched): the unwrap decides,
                // within the key's budget for unconfirmed versions, so a genuine new version opens at
                // once and forged ones cost at most that budget until the next listing settles them.
                return Verdict.UNCHECKED;            }
            if (!enabled) {
                refused.put(kek, Reason.DISABLED);
                throw refusal(kek, Reason.DISABLED);
            }
            return Verdict.LISTED;
        }

        private void fetch(long now) {
            fetched = true;
            stale = false;
            fetchedAt = now;
            try {
                versions = KmsCalls.join(kms.versions(keyId));
                lastFetchFailed = false;
            } catch (KmsException e) {
                if (!lastFetchFailed) {
                    LOG.warn("Cannot list the versions of key {} ({}): values naming versions it does not have cost "
                            + "an unwrap each (within dek.unwrap.rate) until listing works; grant the 'list' key "
                            + "permission to avoid that.", keyId, e.reason());
                }
                lastFetchFailed = true;
            } catch (RuntimeException e) {
                lastFetchFailed = true;
            }
        }
    }
}
