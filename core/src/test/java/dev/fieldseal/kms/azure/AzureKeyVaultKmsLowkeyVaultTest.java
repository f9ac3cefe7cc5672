package dev.fieldseal.kms.azure;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.azure.security.keyvault.keys.KeyClient;
import com.azure.security.keyvault.keys.KeyClientBuilder;
import com.azure.security.keyvault.keys.models.CreateRsaKeyOptions;
import com.azure.security.keyvault.keys.models.KeyOperation;
import dev.fieldseal.config.FieldsealConfig;
import dev.fieldseal.kms.Edek;
import dev.fieldseal.kms.KekRef;
import dev.fieldseal.kms.WrapAlgorithm;
import dev.fieldseal.metrics.FieldsealMetrics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.Map;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * The provider against lowkey-vault, a third-party Key Vault emulator, where Docker exists
 * (skipped cleanly elsewhere). A second opinion on the API besides our own double.
 */
@Testcontainers(disabledWithoutDocker = true)
class AzureKeyVaultKmsLowkeyVaultTest {

    @Container
    static final GenericContainer<?> LOWKEY = new GenericContainer<>(
            System.getProperty("fieldseal.test.lowkey.image", "nagyesta/lowkey-vault:7.1.13"))
            .withExposedPorts(8443)
            .withEnv("LOWKEY_VAULT_RELAXED_PORTS", "true");

    @Test
    void wrapsLocallyAndUnwrapsInLowkeyVault() throws Exception {
        String vaultUrl = "https://localhost:" + LOWKEY.getMappedPort(8443);
        Path ca = serverCertificateAsPem("localhost", LOWKEY.getMappedPort(8443));
        FieldsealConfig config = new FieldsealConfig(Map.of(
                FieldsealConfig.AZURE_CREDENTIAL, "emulator",
                FieldsealConfig.AZURE_TLS_CA_FILE, ca.toString()));
        VaultHttp http = new VaultHttp(config);
        KeyClient keys = new KeyClientBuilder().vaultUrl(vaultUrl).credential(AzureCredentials.create(config))
                .httpClient(http.client()).disableChallengeResourceVerification().buildClient();
        keys.createRsaKey(new CreateRsaKeyOptions("fieldseal-it").setKeySize(2048)
                .setKeyOperations(KeyOperation.WRAP_KEY, KeyOperation.UNWRAP_KEY));

        try (AzureKeyVaultKms kms = new AzureKeyVaultKms(config, new FieldsealMetrics())) {
            KekRef ref = kms.resolve(vaultUrl + "/keys/fieldseal-it").toCompletableFuture().get();
            KeyGenerator g = KeyGenerator.getInstance("AES");
            g.init(256);
            SecretKey dek = g.generateKey();
            Edek edek = kms.wrap(ref, dek).toCompletableFuture().get();
            assertEquals(WrapAlgorithm.RSA_OAEP_256, edek.algorithm());
            assertArrayEquals(dek.getEncoded(), kms.unwrap(edek).toCompletableFuture().get().getEncoded());
        }
    }

    /** lowkey-vault serves a self-signed certificate; trust exactly that one (hostname checks stay on). */
    private static Path serverCertificateAsPem(String host, int port) throws Exception {
        SSLContext trustAll = SSLContext.getInstance("TLS");
        trustAll.init(null, new TrustManager[] {new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, null);
        try (SSLSocket s = (SSLSocket) trustAll.getSocketFactory().createSocket(host, port)) {
            s.startHandshake();
            Certificate[] chain = s.getSession().getPeerCertificates();
            Certificate root = chain[chain.length - 1];
            Path pem = Files.createTempFile("lowkey-ca", ".pem");
            Files.writeString(pem, "-----BEGIN CERTIFICATE-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(root.getEncoded())
                    + "\n-----END CERTIFICATE-----\n");
            return pem;
        }
    }
}
