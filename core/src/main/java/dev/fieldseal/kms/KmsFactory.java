package dev.fieldseal.kms;

import dev.fieldseal.config.FieldsealConfig;
import dev.fieldseal.kms.local.LocalKms;
import dev.fieldseal.metrics.FieldsealMetrics;
import org.apache.kafka.common.config.ConfigException;

/** Chooses the provider from the form of the key id: {@code local:} or {@code https://}. */
public final class KmsFactory {

    private KmsFactory() {
    }

    /**
     * Creates the provider for a key id.
     *
     * @param keyId the configured {@code kek.id}, or on a decrypting side without one, the first allowed key
     */
    public static Kms create(String keyId, FieldsealConfig config, FieldsealMetrics metrics) {
        if (keyId.startsWith(LocalKms.SCHEME)) {
            return new LocalKms(config, metrics);
        }
        if (keyId.startsWith("https://")) {
            return new dev.fieldseal.kms.azure.AzureKeyVaultKms(config, metrics);
        }
        throw new ConfigException(FieldsealConfig.KEK_ID, keyId,
                "Unknown key provider: use https://<vault>.vault.azure.net/keys/<name> or local:<name>.");
    }
}
