package dev.fieldseal.kms.azure;

import com.azure.core.http.HttpClient;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.core.http.policy.ExponentialBackoffOptions;
import com.azure.core.http.policy.RetryOptions;
import dev.fieldseal.config.FieldsealConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.apache.kafka.common.config.ConfigException;

/**
 * The transport to Key Vault: one HTTP client, its timeouts, the retry policy and the deadline
 * of a whole operation.
 *
 * <p><b>Why the JDK's HttpClient</b> ({@code azure-core-http-jdk-httpclient}) instead of the SDK's
 * default Netty transport: Netty with reactor-netty, epoll/kqueue and netty-tcnative for five
 * platforms adds about 12 MB and native code to every Connect plugin and client that embeds us,
 * and may clash with a host's own Netty. The JDK client needs nothing beyond Java 17, keeps TLS
 * verification (hostname included) in the JDK, and is verified end-to-end against the project's
 * Key Vault double (challenge, get, wrap/unwrap, 429/5xx retries, timeouts).
 *
 * <p><b>Bounds.</b> Each attempt has a connect timeout and a response timeout of
 * {@code kms.timeout.ms}. 408, 429, 5xx (except 501/505) and I/O errors are retried up to
 * {@code kms.retry.max} times, waiting {@code kms.retry.backoff.ms} × 2^attempt (±5 % jitter) or the
 * server's {@code Retry-After}. Every operation is additionally cut at {@link #deadline()} =
 * (retries + 1) × timeout + the sum of the backoffs + 1 s, so a dead or stalled vault fails a call
 * within that time (with the defaults 10 s, 3 retries, 200 ms: about 42.5 s), even if a
 * {@code Retry-After} asks for longer.
 */
final class VaultHttp {

    private final HttpClient client;
    private final RetryOptions retryOptions;
    private final Duration deadline;
    private final int retries;

    public VaultHttp(FieldsealConfig config) {
        Duration timeout = Duration.ofMillis(config.getLong(FieldsealConfig.KMS_TIMEOUT_MS));
        retries = config.getInt(FieldsealConfig.KMS_RETRY_MAX);
        Duration backoff = Duration.ofMillis(config.getLong(FieldsealConfig.KMS_RETRY_BACKOFF_MS));
        Duration maxBackoff = backoff.multipliedBy(1L << Math.min(retries, 16));
        java.net.http.HttpClient.Builder jdk = java.net.http.HttpClient.newBuilder();
        String caFile = config.getString(FieldsealConfig.AZURE_TLS_CA_FILE);
        if (caFile != null && !caFile.isBlank()) {
            jdk.sslContext(sslContextTrusting(Path.of(caFile.trim())));
        }
        client = new JdkHttpClientBuilder(jdk)
                .connectionTimeout(timeout)
                .responseTimeout(timeout)
                .readTimeout(timeout)
                .writeTimeout(timeout)
                .build();
        retryOptions = new RetryOptions(new ExponentialBackoffOptions()
                .setMaxRetries(retries).setBaseDelay(backoff).setMaxDelay(maxBackoff));
        long backoffSum = 0;
        for (int i = 0; i < retries; i++) {
            backoffSum += Math.min(backoff.toMillis() << Math.min(i, 16), maxBackoff.toMillis());
        }
        deadline = timeout.multipliedBy(retries + 1L).plusMillis(backoffSum * 105 / 100).plusSeconds(1);
    }

    public HttpClient client() {
        return client;
    }

    public RetryOptions retryOptions() {
        return retryOptions;
    }

    /** The longest any one provider operation may take before it fails as UNAVAILABLE. */
    public Duration deadline() {
        return deadline;
    }

    public int retries() {
        return retries;
    }

    /** The JVM's default trust plus every certificate in a PEM file. */
    static SSLContext sslContextTrusting(Path pem) {
        try {
            Collection<? extends Certificate> extra;
            try (InputStream in = Files.newInputStream(pem)) {
                extra = CertificateFactory.getInstance("X.509").generateCertificates(in);
            }
            if (extra.isEmpty()) {
                throw new ConfigException(FieldsealConfig.AZURE_TLS_CA_FILE, pem.toString(),
                        "No certificate found; expected a PEM file with -----BEGIN CERTIFICATE----- blocks.");
            }
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            int i = 0;
            for (X509Certificate c : defaultTrustManager().getAcceptedIssuers()) {
                trust.setCertificateEntry("jvm-" + i++, c);
            }
            for (Certificate c : extra) {
                trust.setCertificateEntry("extra-" + i++, c);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (IOException e) {
            throw new ConfigException(FieldsealConfig.AZURE_TLS_CA_FILE, pem.toString(),
                    "Cannot read the CA file: " + e.getMessage());
        } catch (GeneralSecurityException e) {
            throw new ConfigException(FieldsealConfig.AZURE_TLS_CA_FILE, pem.toString(),
                    "Not a valid PEM certificate file: " + e.getMessage());
        }
    }

    private static X509TrustManager defaultTrustManager() throws GeneralSecurityException {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init((KeyStore) null);
        for (TrustManager tm : tmf.getTrustManagers()) {
            if (tm instanceof X509TrustManager x) {
                return x;
            }
        }
        throw new GeneralSecurityException("no default X509TrustManager");
    }
}
