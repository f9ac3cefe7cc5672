package dev.fieldseal.dek;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.fieldseal.config.FieldsealConfig;
import dev.fieldseal.kms.Edek;
import dev.fieldseal.kms.Kms;
import dev.fieldseal.kms.KmsException;

/**
 * What stands between a DEK-cache miss and an unwrap call: the version check ({@link KnownVersions})
 * and the budget of new DEKs ({@link UnwrapBudget}). A provider that unwraps locally gets neither.
 */
public final class UnwrapGuard {

    /** Lets every unwrap through: local providers, and one-off checks of a configured key. */
    public static final UnwrapGuard NONE = new UnwrapGuard(null, null, null);

    private final KnownVersions versions;
    private final UnwrapBudget budget;

    private final Kms kms;

    public UnwrapGuard(Kms kms, KnownVersions versions, UnwrapBudget budget) {
        this.kms = kms;
        this.versions = versions;
        this.budget = budget;
    }

    /** The guard the decrypting side's settings ask for, or {@link #NONE} if the provider makes no calls. */
    public static UnwrapGuard of(FieldsealConfig config, Kms kms, Ticker ticker) {
        if (kms.unwrapsLocally()) {
            return NONE;
        }
        return new UnwrapGuard(kms,
                new KnownVersions(kms, ticker, config.getLong(FieldsealConfig.KEK_VERSIONS_REFRESH_MS),
                        config.getLong(FieldsealConfig.KEK_VERSIONS_REFUSED_TTL_MS)),
                new UnwrapBudget(config.getInt(FieldsealConfig.DEK_UNWRAP_RATE),
                        config.getInt(FieldsealConfig.DEK_UNWRAP_BURST), ticker));
    }

    /**
     * Before unwrapping a DEK the cache does not hold.
     *
     * @throws KmsException INVALID_KEY, NOT_FOUND, DISABLED (permanent) or RATE_LIMITED (retriable);
     *         nothing was sent
     */
    void admit(Edek edek) {
        if (versions == null) {
            return;
        }
        kms.checkVersion(edek.kek());
        boolean listed = versions.check(edek.kek()) == KnownVersions.Verdict.LISTED;
        budget.take(edek.kek(), listed);
    }

    void unwrapFailed(Edek edek, KmsException e) {
        if (versions != null) {
            versions.unwrapFailed(edek.kek(), e);
        }
    }

    /** A rotation event: the key's next unknown version is looked up at once. */
    public void keyRotated(String versionlessKeyId) {
        if (versions != null) {
            versions.keyRotated(versionlessKeyId);
        }
    }

    KnownVersions versions() {
        return versions;
    }

    UnwrapBudget budget() {
        return budget;
    }
}
