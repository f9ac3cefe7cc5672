package dev.fieldseal.kms.azure;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.core.credential.TokenRequestContext;
import com.azure.identity.ClientSecretCredential;
import com.azure.identity.DefaultAzureCredential;
import com.azure.identity.ManagedIdentityCredential;
import com.azure.identity.WorkloadIdentityCredential;
import dev.fieldseal.config.FieldsealConfig;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

/** Each azure.credential mode builds the intended credential, without contacting Azure. */
class AzureCredentialsTest {

    private static FieldsealConfig config(String... kv) {
        Map<String, String> p = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            p.put(kv[i], kv[i + 1]);
        }
        return new FieldsealConfig(p);
    }

    @Test
    void defaultMode() {
        assertInstanceOf(DefaultAzureCredential.class, AzureCredentials.create(config()));
        assertInstanceOf(DefaultAzureCredential.class, AzureCredentials.create(config(
                FieldsealConfig.AZURE_CREDENTIAL, "default", FieldsealConfig.AZURE_TENANT_ID, "t",
                FieldsealConfig.AZURE_CLIENT_ID, "c")));
    }

    @Test
    void clientSecretMode() {
        assertInstanceOf(ClientSecretCredential.class, AzureCredentials.create(config(
                FieldsealConfig.AZURE_CREDENTIAL, "client-secret", FieldsealConfig.AZURE_TENANT_ID, "tenant",
                FieldsealConfig.AZURE_CLIENT_ID, "client", FieldsealConfig.AZURE_CLIENT_SECRET, "s3cr3t-value")));
    }

    @Test
    void clientSecretModeWithoutASecretNamesTheKey() {
        ConfigException e = assertThrows(ConfigException.class, () -> AzureCredentials.create(config(
                FieldsealConfig.AZURE_CREDENTIAL, "client-secret", FieldsealConfig.AZURE_TENANT_ID, "tenant",
                FieldsealConfig.AZURE_CLIENT_ID, "client")));
        assertTrue(e.getMessage().contains(FieldsealConfig.AZURE_CLIENT_SECRET), e.getMessage());
        ConfigException noTenant = assertThrows(ConfigException.class, () -> AzureCredentials.create(config(
                FieldsealConfig.AZURE_CREDENTIAL, "client-secret", FieldsealConfig.AZURE_CLIENT_ID, "client",
                FieldsealConfig.AZURE_CLIENT_SECRET, "s3cr3t-value")));
        assertTrue(noTenant.getMessage().contains(FieldsealConfig.AZURE_TENANT_ID), noTenant.getMessage());
        assertFalse(noTenant.getMessage().contains("s3cr3t-value"));
    }

    @Test
    void managedIdentityMode() {
        assertInstanceOf(ManagedIdentityCredential.class, AzureCredentials.create(config(
                FieldsealConfig.AZURE_CREDENTIAL, "managed-identity")));
        assertInstanceOf(ManagedIdentityCredential.class, AzureCredentials.create(config(
                FieldsealConfig.AZURE_CREDENTIAL, "managed-identity", FieldsealConfig.AZURE_CLIENT_ID, "uami")));
    }

    @Test
    void workloadIdentityMode() {
        FieldsealConfig c = config(FieldsealConfig.AZURE_CREDENTIAL, "workload-identity",
                FieldsealConfig.AZURE_TENANT_ID, "tenant", FieldsealConfig.AZURE_CLIENT_ID, "client");
        if (System.getenv("AZURE_FEDERATED_TOKEN_FILE") != null) {
            assertInstanceOf(WorkloadIdentityCredential.class, AzureCredentials.create(c));
        } else {
            // outside a pod with workload identity there is no token file: a clear config error
            ConfigException e = assertThrows(ConfigException.class, () -> AzureCredentials.create(c));
            assertTrue(e.getMessage().contains("AZURE_FEDERATED_TOKEN_FILE"), e.getMessage());
        }
    }

    @Test
    void emulatorMode() {
        var cred = AzureCredentials.create(config(FieldsealConfig.AZURE_CREDENTIAL, "emulator"));
        assertInstanceOf(AzureCredentials.EmulatorCredential.class, cred);
        assertTrue(cred.getToken(new TokenRequestContext().addScopes("https://vault.azure.net/.default")).block()
                .getToken().length() > 0);
        assertTrue(AzureCredentials.emulator(config(FieldsealConfig.AZURE_CREDENTIAL, "emulator")));
        assertFalse(AzureCredentials.emulator(config()));
    }
}
