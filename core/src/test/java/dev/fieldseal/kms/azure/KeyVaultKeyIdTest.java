package dev.fieldseal.kms.azure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fieldseal.config.FieldsealConfig;
import dev.fieldseal.metrics.FieldsealMetrics;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class KeyVaultKeyIdTest {

    @Test
    void parsesVaultHsmAndEmulatorIds() {
        KeyVaultKeyId v = KeyVaultKeyId.parse("https://myvault.vault.azure.net/keys/pii");
        assertEquals("https://myvault.vault.azure.net", v.vaultUrl());
        assertEquals("pii", v.name());
        assertNull(v.version());
        assertEquals("https://myvault.vault.azure.net/keys/pii", v.versionless());

        KeyVaultKeyId pinned = KeyVaultKeyId.parse("https://MyVault.vault.azure.net:443/keys/pii/0123abcd/");
        assertEquals("0123abcd", pinned.version());
        assertEquals("https://myvault.vault.azure.net/keys/pii", pinned.versionless());
        assertEquals("https://myvault.vault.azure.net/keys/pii/0123abcd", pinned.toString());

        assertEquals("https://hsm1.managedhsm.azure.net/keys/k-1",
                KeyVaultKeyId.parse("https://hsm1.managedhsm.azure.net/keys/k-1").versionless());
        assertEquals("https://localhost:8443", KeyVaultKeyId.parse("https://localhost:8443/keys/x/").vaultUrl());
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://myvault.vault.azure.net/keys/pii", "https://myvault.vault.azure.net/secrets/pii",
            "https://myvault.vault.azure.net/keys/", "https://myvault.vault.azure.net/keys/pii/v1/extra",
            "https://myvault.vault.azure.net/keys/pii?x=1", "https://myvault.vault.azure.net/keys/p_i",
            "myvault/keys/pii", ""})
    void refusesOtherForms(String id) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KeyVaultKeyId.parse(id));
        assertTrue(e.getMessage().contains("https") || e.getMessage().contains("invalid"), e.getMessage());
    }

    @Test
    void plainHttpIsExplained() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> KeyVaultKeyId.parseConfig("http://localhost:8080/keys/pii"));
        assertTrue(e.getMessage().contains("kek.id") && e.getMessage().contains("plain http"), e.getMessage());
    }

    @Test
    void configRefusesHttpAndIdsWithoutKeys() {
        for (String bad : new String[] {"http://myvault.vault.azure.net/keys/pii", "https://myvault.vault.azure.net/pii"}) {
            ConfigException e = assertThrows(ConfigException.class,
                    () -> new FieldsealConfig(Map.of(FieldsealConfig.KEK_ID, bad)));
            assertTrue(e.getMessage().contains("kek.id"), e.getMessage());
        }
    }

    @Test
    void providerRefusesMalformedKekIdAtConstruction() {
        ConfigException e = assertThrows(ConfigException.class, () -> new AzureKeyVaultKms(new FieldsealConfig(Map.of(
                FieldsealConfig.KEK_ID, "https://myvault.vault.azure.net/keys/pii/v1/extra",
                FieldsealConfig.AZURE_CREDENTIAL, "emulator")), new FieldsealMetrics()));
        assertTrue(e.getMessage().contains("kek.id"), e.getMessage());
    }
}
