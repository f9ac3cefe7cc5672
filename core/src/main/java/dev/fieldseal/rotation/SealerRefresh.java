package dev.fieldseal.rotation;

import dev.fieldseal.envelope.Sealer;
import dev.fieldseal.kms.KekRef;
import dev.fieldseal.kms.KmsCalls;
import dev.fieldseal.kms.KmsException;
import dev.fieldseal.metrics.FieldsealMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The encrypting side's answer to a rotation event: if it names the sealer's key, re-resolve it
 * now, so the next value is sealed under the new version. Events for other keys are ignored.
 */
public final class SealerRefresh implements RotationEventsListener.Handler {

    private static final Logger LOG = LoggerFactory.getLogger(SealerRefresh.class);

    private final Sealer sealer;
    private final FieldsealMetrics metrics;

    public SealerRefresh(Sealer sealer, FieldsealMetrics metrics) {
        this.sealer = sealer;
        this.metrics = metrics;
    }

    @Override
    public void keyRotated(String versionlessKeyId) {
        // kek.id's key, or under a template any tenant key this sealer holds
        java.util.List<java.util.concurrent.CompletionStage<KekRef>> started = sealer.refreshNow(versionlessKeyId);
        if (started.isEmpty()) {
            return;
        }
        metrics.rotationEvent();
        for (java.util.concurrent.CompletionStage<KekRef> refresh : started) {
            try {
                KekRef now = KmsCalls.join(refresh);
                LOG.info("KEK {} rotated: new values are sealed under version {}.", versionlessKeyId, now.version());
            } catch (KmsException e) {
                LOG.warn("Could not re-resolve KEK {} after a rotation event ({}); the periodic refresh will retry.",
                        versionlessKeyId, e.getMessage());
            }
        }
    }
}
