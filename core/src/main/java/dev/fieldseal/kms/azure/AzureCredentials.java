package dev.fieldseal.kms.azure;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import com.azure.identity.ClientSecretCredentialBuilder;
import com.azure.identity.DefaultAzureCredentialBuilder;
import com.azure.identity.ManagedIdentityCredentialBuilder;
import com.azure.identity.WorkloadIdentityCredentialBuilder;
import dev.fieldseal.config.FieldsealConfig;
import java.time.OffsetDateTime;
import org.apache.kafka.common.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/** Builds the Entra ID credential for each {@code azure.credential} mode. */
final class AzureCredentials {

    public static final String DEFAULT = "default";
    public static final String CLIENT_SECRET = "client-secret";
    public static final String MANAGED_IDENTITY = "managed-identity";
    public static final String WORKLOAD_IDENTITY = "workload-identity";
    public static final String EMULATOR = "emulator";

    private static final Logger LOG = LoggerFactory.getLogger(AzureCredentials.class);

    private AzureCredentials() {
    }

    /** True for the emulator mode, where the bearer challenge's resource is not checked either. */
    public static boolean emulator(FieldsealConfig config) {
        return EMULATOR.equals(config.getString(FieldsealConfig.AZURE_CREDENTIAL));
    }

    /**
     * The credential of the configured mode. Nothing is contacted here; tokens are fetched at the
     * first Key Vault call.
     *
     * @throws ConfigException naming the missing setting
     */
    public static TokenCredential create(FieldsealConfig config) {
        String mode = config.getString(FieldsealConfig.AZURE_CREDENTIAL);
        String tenant = blankToNull(config.getString(FieldsealConfig.AZURE_TENANT_ID));
        String client = blankToNull(config.getString(FieldsealConfig.AZURE_CLIENT_ID));
        switch (mode) {
            case DEFAULT: {
                DefaultAzureCredentialBuilder b = new DefaultAzureCredentialBuilder();
                if (tenant != null) {
                    b.tenantId(tenant);
                }
                if (client != null) {
                    b.managedIdentityClientId(client).workloadIdentityClientId(client);
                }
                return b.build();
            }
            case CLIENT_SECRET: {
                String secret = blankToNull(config.clientSecret());
                require(tenant, FieldsealConfig.AZURE_TENANT_ID, mode);
                require(client, FieldsealConfig.AZURE_CLIENT_ID, mode);
                if (secret == null) {
                    throw new ConfigException(FieldsealConfig.AZURE_CLIENT_SECRET, "[hidden]",
                            "azure.credential=client-secret needs " + FieldsealConfig.AZURE_CLIENT_SECRET
                                    + " (the app registration's client secret).");
                }
                return new ClientSecretCredentialBuilder().tenantId(tenant).clientId(client).clientSecret(secret)
                        .build();
            }
            case MANAGED_IDENTITY: {
                ManagedIdentityCredentialBuilder b = new ManagedIdentityCredentialBuilder();
                if (client != null) {
                    b.clientId(client); // a user-assigned identity; none means the system-assigned one
                }
                return b.build();
            }
            case WORKLOAD_IDENTITY: {
                // AKS's workload identity webhook sets AZURE_TENANT_ID, AZURE_CLIENT_ID and
                // AZURE_FEDERATED_TOKEN_FILE; the config keys override the first two.
                WorkloadIdentityCredentialBuilder b = new WorkloadIdentityCredentialBuilder();
                if (tenant != null) {
                    b.tenantId(tenant);
                }
                if (client != null) {
                    b.clientId(client);
                }
                try {
                    return b.build();
                } catch (IllegalArgumentException | NullPointerException e) {
                    throw new ConfigException(FieldsealConfig.AZURE_CREDENTIAL, mode, "azure.credential="
                            + "workload-identity needs a tenant id, a client id and a federated token file: run in a "
                            + "pod with Azure workload identity enabled (it sets AZURE_TENANT_ID, AZURE_CLIENT_ID and "
                            + "AZURE_FEDERATED_TOKEN_FILE), or set " + FieldsealConfig.AZURE_TENANT_ID + " and "
                            + FieldsealConfig.AZURE_CLIENT_ID + ".");
                }
            }
            case EMULATOR:
                LOG.warn("azure.credential=emulator: sending a dummy token and not verifying the vault's bearer "
                        + "challenge. For local Key Vault emulators only, never for a real vault.");
                return new EmulatorCredential();
            default:
                throw new ConfigException(FieldsealConfig.AZURE_CREDENTIAL, mode,
                        "Unknown credential mode; use default, client-secret, managed-identity, workload-identity or "
                                + "emulator.");
        }
    }

    private static void require(String value, String key, String mode) {
        if (value == null) {
            throw new ConfigException(key, null, "azure.credential=" + mode + " needs " + key + ".");
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    /** A static, meaningless token that emulators accept. */
    public static final class EmulatorCredential implements TokenCredential {
        @Override
        public Mono<AccessToken> getToken(TokenRequestContext request) {
            return Mono.just(new AccessToken("emulator", OffsetDateTime.now().plusHours(1)));
        }
    }
}
