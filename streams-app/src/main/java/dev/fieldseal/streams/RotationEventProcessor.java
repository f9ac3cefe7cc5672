package dev.fieldseal.streams;

import dev.fieldseal.kms.KmsException;
import dev.fieldseal.kms.azure.RotationEvents;
import java.util.List;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads Key Vault rotation events ({@code Microsoft.KeyVault.KeyNewVersionCreated}, Event Grid
 * or CloudEvents JSON) and re-resolves the configured KEK when one names it, so new values use
 * the new version at once. Anything else on the topic is ignored; a failed refresh is logged and
 * left to the periodic {@code kek.refresh.ms}.
 */
final class RotationEventProcessor implements Processor<byte[], byte[], Void, Void> {

    private static final Logger LOG = LoggerFactory.getLogger(RotationEventProcessor.class);

    private final Crypto crypto;
    private final AppMetrics appMetrics;

    RotationEventProcessor(Crypto crypto, AppMetrics appMetrics) {
        this.crypto = crypto;
        this.appMetrics = appMetrics;
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        appMetrics.rotationEvents.increment();
        List<String> keys;
        try {
            keys = RotationEvents.keysToRefresh(record.value());
        } catch (IllegalArgumentException e) {
            LOG.warn("Ignoring a record on the rotation events topic: {}", e.getMessage());
            return;
        }
        for (String key : keys) {
            try {
                if (crypto.refreshIfOurs(key)) {
                    appMetrics.rotationRefreshes.increment();
                    LOG.info("KEK {} rotated: new values use the new version from now on.", key);
                }
            } catch (KmsException e) {
                LOG.warn("Could not re-resolve KEK {} after a rotation event ({}); the periodic refresh will retry.",
                        key, e.getMessage());
            }
        }
    }
}
