package dev.fieldseal.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;

/**
 * {@link KeyVaultDouble#grantOnly}: an identity (bearer token) narrowed to {@code get} reads keys
 * but is refused an unwrap with Key Vault's 403 {@code ForbiddenByRbac}, and the refused request is
 * still counted; other identities keep every permission; {@link KeyVaultDouble#grantAll} restores it.
 */
class KeyVaultDoubleGrantsTest {

    private static HttpClient client(KeyVaultDouble kv) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(kv.caPemFile())) {
            trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return HttpClient.newBuilder().sslContext(ctx).build();
    }

    private static HttpResponse<String> send(HttpClient http, KeyVaultDouble kv, String token, String method,
            String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(kv.vaultUrl() + path))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json");
        b = body == null ? b.GET() : b.method(method, HttpRequest.BodyPublishers.ofString(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aGetOnlyIdentityReadsKeysButIsRefusedUnwrap() throws Exception {
        try (KeyVaultDouble kv = new KeyVaultDouble()) {
            String v = kv.createRsaKey("k");
            HttpClient http = client(kv);
            String unwrap = "{\"alg\":\"RSA-OAEP-256\",\"value\":\"AAAA\"}";
            String unwrapPath = "/keys/k/" + v + "/unwrapkey";

            kv.grantOnly("reader", "get");
            assertEquals(200, send(http, kv, "reader", "GET", "/keys/k/", null).statusCode());
            HttpResponse<String> refused = send(http, kv, "reader", "POST", unwrapPath, unwrap);
            assertEquals(403, refused.statusCode(), refused.body());
            assertTrue(refused.body().contains("ForbiddenByRbac") && refused.body().contains("unwrapKey"),
                    refused.body());
            assertEquals(1, kv.count("unwrapkey"), "a refused request is counted");

            // another identity keeps every permission: its unwrap reaches the key (and fails on the bogus value)
            HttpResponse<String> other = send(http, kv, "writer", "POST", unwrapPath, unwrap);
            assertEquals(400, other.statusCode(), other.body());

            kv.grantAll("reader");
            assertEquals(400, send(http, kv, "reader", "POST", unwrapPath, unwrap).statusCode());
        }
    }
}
