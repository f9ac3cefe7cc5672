package dev.fieldseal.kms.azure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.fieldseal.config.FieldsealConfig;
import dev.fieldseal.dek.KeyNotAllowedException;
import dev.fieldseal.envelope.Sealer;
import dev.fieldseal.envelope.Unsealer;
import dev.fieldseal.kms.Edek;
import dev.fieldseal.kms.KekRef;
import dev.fieldseal.kms.KmsException;
import dev.fieldseal.kms.WrapAlgorithm;
import dev.fieldseal.metrics.FieldsealMetrics;
import dev.fieldseal.testkit.KeyVaultDouble;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Key Vault unwrap clients are made per exact version, and records name the version: the clients
 * held stay within {@link AzureKeyVaultKms#MAX_CRYPTO_CLIENTS}, and an EDEK outside
 * {@code kek.allowed} gets no client and no request.
 */
class UnwrapClientsTest {

    static KeyVaultDouble vault;

    @BeforeAll
    static void start() {
        vault = new KeyVaultDouble();
        vault.createRsaKey("pii");
        vault.createRsaKey("other");
    }

    @AfterAll
    static void stop() {
        vault.close();
    }

    static FieldsealConfig config(String key) {
        Map<String, String> p = new HashMap<>(Map.of(
                FieldsealConfig.KEK_ID, vault.keyId(key),
                FieldsealConfig.AZURE_CREDENTIAL, "emulator",
                FieldsealConfig.AZURE_TLS_CA_FILE, vault.caPemFile().toString(),
                FieldsealConfig.KMS_TIMEOUT_MS, "5000",
                FieldsealConfig.KMS_RETRY_MAX, "0"));
        return new FieldsealConfig(p);
    }

    @Test
    void unwrapClientsStayBoundedWhateverVersionsRecordsName() throws Exception {
        int versions = 3 * AzureKeyVaultKms.MAX_CRYPTO_CLIENTS;
        try (AzureKeyVaultKms kms = new AzureKeyVaultKms(config("pii"), new FieldsealMetrics())) {
            for (int i = 0; i < versions; i++) {
                Edek edek = new Edek(new KekRef(vault.keyId("pii"), "v" + i), WrapAlgorithm.RSA_OAEP_256, new byte[256]);
                try {
                    kms.unwrap(edek).toCompletableFuture().get(30, TimeUnit.SECONDS);
                } catch (java.util.concurrent.ExecutionException e) {
                    assertTrue(e.getCause() instanceof KmsException, String.valueOf(e.getCause()));
                }
                assertTrue(kms.cryptoClientCount() <= AzureKeyVaultKms.MAX_CRYPTO_CLIENTS,
                        kms.cryptoClientCount() + " clients after " + (i + 1) + " versions");
            }
            assertEquals(AzureKeyVaultKms.MAX_CRYPTO_CLIENTS, kms.cryptoClientCount());
        }
    }

    @Test
    void anEdekOutsideTheAllowlistGetsNoClientAndNoRequest() {
        byte[] sealed;
        try (Sealer s = Sealer.create(config("other"), new FieldsealMetrics())) {
            sealed = s.seal("secret".getBytes(StandardCharsets.UTF_8), "ssn", false, s.newRecord());
        }
        vault.reset();
        FieldsealConfig reader = config("pii");
        try (AzureKeyVaultKms kms = new AzureKeyVaultKms(reader, new FieldsealMetrics());
             Unsealer u = new Unsealer(reader, kms, Ticker.systemTicker(), new FieldsealMetrics())) {
            assertThrows(KeyNotAllowedException.class, () -> u.unseal(sealed, "ssn", Map.of()));
            assertEquals(0, kms.cryptoClientCount());
            assertEquals(0, vault.requestLog().size(), vault.requestLog().toString());
        }
    }
}
