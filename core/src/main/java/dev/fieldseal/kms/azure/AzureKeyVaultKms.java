package dev.fieldseal.kms.azure;

import dev.fieldseal.config.FieldsealConfig;
import dev.fieldseal.kms.Edek;
import dev.fieldseal.kms.KekRef;
import dev.fieldseal.kms.Kms;
import dev.fieldseal.metrics.FieldsealMetrics;
import java.util.concurrent.CompletionStage;
import javax.crypto.SecretKey;

/** Placeholder until the Azure provider lands. */
public final class AzureKeyVaultKms implements Kms {
    public AzureKeyVaultKms(FieldsealConfig config, FieldsealMetrics metrics) {
        throw new UnsupportedOperationException("Azure Key Vault provider not built yet");
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
        throw new UnsupportedOperationException();
    }
}
