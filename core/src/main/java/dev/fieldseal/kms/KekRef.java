package dev.fieldseal.kms;

import java.util.Objects;

/**
 * One exact version of a key-encryption key: the versionless key id (what users configure as
 * {@code kek.id}, e.g. {@code https://myvault.vault.azure.net/keys/pii} or {@code local:pii})
 * and the version that wrapped a DEK. Every EDEK carries one, so data stays decryptable after any
 * number of rotations.
 */
public record KekRef(String keyId, String version) {

    public KekRef {
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(version, "version");
        if (keyId.isEmpty() || version.isEmpty()) {
            throw new IllegalArgumentException("key id and version must not be empty");
        }
    }

    @Override
    public String toString() {
        return keyId + "/" + version;
    }
}
