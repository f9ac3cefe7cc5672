package dev.fieldseal.streams;

import dev.fieldseal.kms.KmsException;
import dev.fieldseal.rotation.ReaderNotice;
import dev.fieldseal.rotation.RotationEventsListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The app's answer to a Key Vault rotation event, in every mode: encrypt and rekey re-resolve the
 * configured KEK when the event names it, so new values (and re-keyed ones) use the new version
 * at once; decrypt only counts and logs it ({@link ReaderNotice}). A failed refresh is logged and
 * left to the periodic {@code kek.refresh.ms}.
 */
final class RotationEventHandler implements RotationEventsListener.Handler {

    private static final Logger LOG = LoggerFactory.getLogger(RotationEventHandler.class);

    private final Crypto crypto;
    private final AppMetrics appMetrics;
    /** Decrypt mode: which keys concern this instance. */
    private final ReaderNotice reader;

    RotationEventHandler(Crypto crypto, AppMetrics appMetrics, ReaderNotice reader) {
        this.crypto = crypto;
        this.appMetrics = appMetrics;
        this.reader = reader;
    }

    @Override
    public void keyRotated(String versionlessKeyId) {
        if (reader != null) {
            if (reader.concerns(versionlessKeyId)) {
                appMetrics.rotationEvents.increment();
                reader.keyRotated(versionlessKeyId);
            }
            return;
        }
        if (!crypto.isOurKek(versionlessKeyId)) {
            return;
        }
        appMetrics.rotationEvents.increment();
        crypto.metrics().rotationEvent();
        try {
            if (crypto.refreshIfOurs(versionlessKeyId)) {
                appMetrics.rotationRefreshes.increment();
                LOG.info("KEK {} rotated: new values use the new version from now on.", versionlessKeyId);
            }
        } catch (KmsException e) {
            LOG.warn("Could not re-resolve KEK {} after a rotation event ({}); the periodic refresh will retry.",
                    versionlessKeyId, e.getMessage());
        }
    }
}
