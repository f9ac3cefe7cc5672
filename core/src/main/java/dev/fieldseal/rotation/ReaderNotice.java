package dev.fieldseal.rotation;

import dev.fieldseal.config.FieldsealConfig;
import dev.fieldseal.dek.KekAllowlist;
import dev.fieldseal.envelope.Unsealer;
import dev.fieldseal.kms.KekRef;
import dev.fieldseal.kms.azure.KeyVaultKeyId;
import dev.fieldseal.metrics.FieldsealMetrics;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The decrypting side's answer to a rotation event for a key it may use ({@code kek.allowed},
 * default the key of {@code kek.id}): count it ({@link FieldsealMetrics#ROTATION_EVENTS}) and log
 * it, and tell the {@link Unsealer} so that the first value naming the new version fetches the
 * key's version list at once (every value names the version that wrapped its DEK; without the
 * event, a version younger than the cached list waits up to {@code kek.versions.refresh.ms}).
 */
public final class ReaderNotice implements RotationEventsListener.Handler {

    private static final Logger LOG = LoggerFactory.getLogger(ReaderNotice.class);
    /** Any version: the allowlist decides by key id alone. */
    private static final String ANY_VERSION = "-";

    private final KekAllowlist allowed;
    private final FieldsealMetrics metrics;
    private final Unsealer unsealer;

    /** @param unsealer the reader's unsealer, or null if this host has none yet */
    public ReaderNotice(FieldsealConfig config, FieldsealMetrics metrics, Unsealer unsealer) {
        this.unsealer = unsealer;
        List<String> entries = new ArrayList<>();
        List<String> configured = config.getList(FieldsealConfig.KEK_ALLOWED);
        if (configured.isEmpty() && config.kekId() != null && !config.kekId().isBlank()) {
            configured = List.of(config.kekId());
        }
        for (String e : configured) {
            entries.add(e.endsWith("/") || KekAllowlist.isPattern(e) ? e : versionless(e.trim()));
        }
        this.allowed = new KekAllowlist(entries);
        this.metrics = metrics;
    }

    private static String versionless(String keyId) {
        try {
            return KeyVaultKeyId.parse(keyId).versionless();
        } catch (IllegalArgumentException notKeyVault) {
            return keyId; // local:<name> and the like: events never name them
        }
    }

    /** True if the key is one this reader may use. */
    public boolean concerns(String versionlessKeyId) {
        return allowed.allows(new KekRef(versionlessKeyId, ANY_VERSION));
    }

    @Override
    public void keyRotated(String versionlessKeyId) {
        if (!concerns(versionlessKeyId)) {
            return;
        }
        metrics.rotationEvent();
        if (unsealer != null) {
            unsealer.keyRotated(versionlessKeyId);
        }
        LOG.info("KEK {} has a new version; values sealed under it name it and are decrypted as they come.",
                versionlessKeyId);
    }
}
