package dev.fieldseal.kms.azure;

import com.azure.core.credential.TokenCredential;
import com.azure.core.exception.ClientAuthenticationException;
import com.azure.core.exception.HttpResponseException;
import com.azure.security.keyvault.keys.KeyAsyncClient;
import com.azure.security.keyvault.keys.KeyClientBuilder;
import com.azure.security.keyvault.keys.cryptography.CryptographyAsyncClient;
import com.azure.security.keyvault.keys.cryptography.CryptographyClientBuilder;
import com.azure.security.keyvault.keys.cryptography.models.KeyWrapAlgorithm;
import com.azure.security.keyvault.keys.models.KeyOperation;
import com.azure.security.keyvault.keys.models.KeyProperties;
import com.azure.security.keyvault.keys.models.KeyType;
import com.azure.security.keyvault.keys.models.KeyVaultKey;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.fieldseal.config.FieldsealConfig;
import dev.fieldseal.kms.Edek;
import dev.fieldseal.kms.KekRef;
import dev.fieldseal.kms.Kms;
import dev.fieldseal.kms.KmsException;
import dev.fieldseal.kms.KmsException.Reason;
import dev.fieldseal.kms.WrapAlgorithm;
import dev.fieldseal.metrics.FieldsealMetrics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.GeneralSecurityException;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.MGF1ParameterSpec;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import javax.crypto.spec.SecretKeySpec;
import reactor.core.Exceptions;
import reactor.core.publisher.Mono;

/**
 * KEKs in Azure Key Vault or Managed HSM.
 *
 * <p><b>Key type decides the wrap.</b> {@code RSA}/{@code RSA-HSM}: wrap locally with the cached
 * public key of the exact version, RSA-OAEP-256 (OAEP, SHA-256, MGF1-SHA-256, all spelled out:
 * the JDK's {@code OAEPWithSHA-256AndMGF1Padding} shorthand means MGF1-SHA-1, which Key Vault would
 * not unwrap). The SDK's own client cannot do this locally and would send every wrap to the service,
 * so producing would wait on Key Vault. Unwrap always goes to Key Vault, against the version the
 * EDEK records. {@code oct}/{@code oct-HSM}: wrap and unwrap remotely with A256KW.
 *
 * <p><b>Versions.</b> {@link #resolve} of a versionless id reads the key's current version; if that
 * one is disabled, expired or not yet valid, it lists the versions and takes the newest usable one
 * by creation time. Keys whose {@code key_ops} lack wrapKey or unwrapKey are refused with a
 * message that says how to fix it. The provider schedules nothing: callers resolve every
 * {@code kek.refresh.ms} and on {@link RotationEvents}.
 *
 * <p><b>Failures</b> complete the stage with a {@link KmsException}: 404 NOT_FOUND, 401/403
 * FORBIDDEN, a disabled version DISABLED, 429/5xx/timeouts/I/O after the retries UNAVAILABLE,
 * a rejected wrapped key UNWRAP_FAILED. Messages name key and version and what to do; they never
 * carry key bytes, tokens or secrets. Every operation ends within {@link VaultHttp#deadline()}.
 *
 * <p><b>Metrics.</b> One {@code kmsCall} per operation that talks to Key Vault: {@code resolve}
 * (also when {@code wrap} first fetches a public key), remote {@code wrap}, {@code unwrap}.
 * Local RSA wraps are not Key Vault calls and are not counted.
 */
public final class AzureKeyVaultKms implements Kms {

    private static final OAEPParameterSpec RSA_OAEP_256 = new OAEPParameterSpec("SHA-256", "MGF1",
            MGF1ParameterSpec.SHA256, PSource.PSpecified.DEFAULT);
    private static final String ROLE_HINT = "grant the identity the 'Key Vault Crypto Service Encryption User' role "
            + "(or an access policy with get, wrapKey and unwrapKey)";

    /** What resolving a version taught us; RSA versions carry their public key for local wraps. */
    private record KeyInfo(WrapAlgorithm algorithm, RSAPublicKey publicKey) {
    }

    private final FieldsealMetrics metrics;
    private final TokenCredential credential;
    private final boolean emulator;
    private final VaultHttp http;
    /**
     * By vault URL (host in lower case): configured keys reach it (resolve, wrap), and version
     * listings only for key ids that passed {@code kek.allowed}, so it holds one per allowed vault.
     */
    private final Map<String, KeyAsyncClient> keyClients = new ConcurrentHashMap<>();
    /**
     * Unwrap clients by exact version. Records name the version (the allowlist checks the key, not
     * the version), so this is bounded: a producer naming ever-new versions of an allowed key must
     * not grow a reader's heap. Evicting costs little: building a client sends no request.
     */
    private final Cache<KekRef, CryptographyAsyncClient> cryptoClients = Caffeine.newBuilder()
            .maximumSize(MAX_CRYPTO_CLIENTS).executor(Runnable::run).build();
    /** By exact version of a configured key only (resolve, wrap): never keyed by what a record names. */
    private final Map<KekRef, CompletableFuture<KeyInfo>> keyInfo = new ConcurrentHashMap<>();

    /** Unwrap clients kept at most: far more versions than a key is read under at once. */
    static final int MAX_CRYPTO_CLIENTS = 64;

    public AzureKeyVaultKms(FieldsealConfig config, FieldsealMetrics metrics) {
        String kekId = config.kekId();
        if (kekId != null && !kekId.isBlank() && !kekId.contains("${")) { // a template is checked by keyselect
            KeyVaultKeyId.parseConfig(kekId);
        }
        this.metrics = metrics;
        this.credential = new IdentityReportingCredential(AzureCredentials.create(config),
                oid -> metrics.audit().identity(oid));
        this.emulator = AzureCredentials.emulator(config);
        this.http = new VaultHttp(config);
    }

    @Override
    public String versionlessId(String keyId) {
        return KeyVaultKeyId.parse(keyId).versionless();
    }

    /** The longest one operation may take before failing as UNAVAILABLE. */
    public java.time.Duration deadline() {
        return http.deadline();
    }

    // ---- resolve ---------------------------------------------------------------------------

    @Override
    public CompletionStage<KekRef> resolve(String keyId) {
        KeyVaultKeyId id;
        try {
            id = KeyVaultKeyId.parse(keyId);
        } catch (IllegalArgumentException e) {
            return failed("resolve", new KmsException(Reason.INVALID_KEY, e.getMessage()));
        }
        KeyAsyncClient keys = keyClient(id.vaultUrl());
        Mono<KeyVaultKey> key;
        if (id.pinned()) {
            key = keys.getKey(id.name(), id.version())
                    .onErrorMap(e -> toKms(e, "resolve", id.versionless(), id.version()));
        } else {
            key = keys.getKey(id.name())
                    .onErrorResume(e -> {
                        KmsException k = toKms(e, "resolve", id.versionless(), "current");
                        return k.reason() == Reason.DISABLED ? Mono.empty() : Mono.error(k);
                    })
                    .filter(AzureKeyVaultKms::usableForWrapping)
                    .switchIfEmpty(Mono.defer(() -> newestUsable(keys, id)));
        }
        Mono<KekRef> ref = key.map(k -> {
            KekRef r = new KekRef(id.versionless(), k.getProperties().getVersion());
            keyInfo.put(r, CompletableFuture.completedFuture(inspect(k, r)));
            return r;
        });
        return run("resolve", id.versionless(), id.pinned() ? id.version() : "(newest enabled)", ref);
    }

    private Mono<KeyVaultKey> newestUsable(KeyAsyncClient keys, KeyVaultKeyId id) {
        return keys.listPropertiesOfKeyVersions(id.name()).collectList()
                .onErrorMap(e -> toKms(e, "resolve", id.versionless(), "(listing versions)"))
                .flatMap(versions -> {
                    List<KeyProperties> usable = versions.stream()
                            .filter(AzureKeyVaultKms::usableForWrapping)
                            .sorted(Comparator.comparing(KeyProperties::getCreatedOn,
                                    Comparator.nullsFirst(Comparator.naturalOrder())).reversed())
                            .toList();
                    if (usable.isEmpty()) {
                        return Mono.error(new KmsException(Reason.DISABLED, "Key " + id.versionless()
                                + " has no enabled, unexpired version (" + versions.size() + " version(s) found): "
                                + "enable a version or rotate the key."));
                    }
                    String v = usable.get(0).getVersion();
                    return keys.getKey(id.name(), v).onErrorMap(e -> toKms(e, "resolve", id.versionless(), v));
                });
    }

    private static boolean usableForWrapping(KeyVaultKey k) {
        return usableForWrapping(k.getProperties());
    }

    private static boolean usableForWrapping(KeyProperties p) {
        OffsetDateTime now = OffsetDateTime.now();
        return Boolean.TRUE.equals(p.isEnabled())
                && (p.getExpiresOn() == null || p.getExpiresOn().isAfter(now))
                && (p.getNotBefore() == null || !p.getNotBefore().isAfter(now));
    }

    /** Checks type, state and key_ops of one version; throws INVALID_KEY/DISABLED with a fix. */
    private static KeyInfo inspect(KeyVaultKey k, KekRef ref) {
        if (!Boolean.TRUE.equals(k.getProperties().isEnabled())) {
            throw disabled(ref.keyId(), ref.version());
        }
        List<KeyOperation> ops = k.getKeyOperations() == null ? List.of() : k.getKeyOperations();
        for (KeyOperation needed : List.of(KeyOperation.WRAP_KEY, KeyOperation.UNWRAP_KEY)) {
            if (!ops.contains(needed)) {
                throw new KmsException(Reason.INVALID_KEY, "key_ops of " + ref.keyId() + " version " + ref.version()
                        + " lack " + needed + " (it allows " + ops + "): add it with 'az keyvault key set-attributes "
                        + "--ops wrapKey unwrapKey ...' (for RSA keys also encrypt decrypt if other apps need them), "
                        + "and " + ROLE_HINT + ".");
            }
        }
        KeyType type = k.getKeyType();
        if (KeyType.RSA.equals(type) || KeyType.RSA_HSM.equals(type)) {
            if (k.getKey() == null || k.getKey().getN() == null || k.getKey().getE() == null) {
                throw new KmsException(Reason.INVALID_KEY, "Key " + ref + " came without its RSA public key.");
            }
            return new KeyInfo(WrapAlgorithm.RSA_OAEP_256, (RSAPublicKey) k.getKey().toRsa(false).getPublic());
        }
        if (KeyType.OCT.equals(type) || KeyType.OCT_HSM.equals(type)) {
            return new KeyInfo(WrapAlgorithm.A256KW, null);
        }
        throw new KmsException(Reason.INVALID_KEY, "Key " + ref.keyId() + " version " + ref.version() + " is of type "
                + type + ", which cannot wrap keys: use an RSA/RSA-HSM key (Key Vault) or an oct-HSM key (Managed HSM).");
    }

    /** The key info of an exact version, fetched once (single flight) when not yet known. */
    private CompletableFuture<KeyInfo> info(KekRef kek) {
        CompletableFuture<KeyInfo> known = keyInfo.get(kek);
        if (known != null && !known.isCompletedExceptionally()) {
            return known;
        }
        CompletableFuture<KeyInfo> mine = new CompletableFuture<>();
        CompletableFuture<KeyInfo> prior = keyInfo.putIfAbsent(kek, mine);
        if (prior != null && !prior.isCompletedExceptionally()) {
            return prior;
        }
        if (prior != null) {
            keyInfo.replace(kek, prior, mine);
        }
        KeyVaultKeyId id;
        try {
            id = exact(kek);
        } catch (IllegalArgumentException e) {
            KmsException k = new KmsException(Reason.INVALID_KEY, e.getMessage());
            keyInfo.remove(kek, mine);
            mine.completeExceptionally(k);
            return mine;
        }
        Mono<KeyInfo> fetch = keyClient(id.vaultUrl()).getKey(id.name(), kek.version())
                .onErrorMap(e -> toKms(e, "resolve", kek.keyId(), kek.version()))
                .map(k -> inspect(k, kek));
        run("resolve", kek.keyId(), kek.version(), fetch).whenComplete((v, e) -> {
            if (e != null) {
                keyInfo.remove(kek, mine);
                mine.completeExceptionally(unwrapCompletion(e));
            } else {
                mine.complete(v);
            }
        });
        return mine;
    }

    // ---- versions --------------------------------------------------------------------------

    @Override
    public boolean listsVersions() {
        return true;
    }

    @Override
    public void checkVersion(KekRef kek) {
        try {
            exact(kek);
        } catch (IllegalArgumentException e) {
            throw new KmsException(Reason.INVALID_KEY, e.getMessage());
        }
    }

    /**
     * {@code GET /keys/{name}/versions} (all pages): one {@code kmsCall("list")}. Needs the
     * {@code list} key permission (the Crypto Service Encryption User role has it; an access policy
     * must grant it); without it the DEK layer falls back to unwrapping and counts the refusal.
     */
    @Override
    public CompletionStage<Map<String, Boolean>> versions(String versionlessKeyId) {
        KeyVaultKeyId id;
        try {
            id = KeyVaultKeyId.parse(versionlessKeyId);
            if (id.pinned()) {
                throw new IllegalArgumentException("Key id '" + id + "' names a version; list versions of the "
                        + "versionless id.");
            }
        } catch (IllegalArgumentException e) {
            return failed("list", new KmsException(Reason.INVALID_KEY, e.getMessage()));
        }
        Mono<Map<String, Boolean>> list = keyClient(id.vaultUrl()).listPropertiesOfKeyVersions(id.name())
                .collectMap(KeyProperties::getVersion, p -> Boolean.TRUE.equals(p.isEnabled()))
                .map(Map::copyOf)
                .onErrorMap(e -> toKms(e, "list", id.versionless(), "(all versions)"));
        return run("list", id.versionless(), "(all versions)", list);
    }

    // ---- wrap / unwrap ---------------------------------------------------------------------

    @Override
    public CompletionStage<Edek> wrap(KekRef kek, SecretKey dek) {
        return info(kek).thenCompose(info -> {
            if (info.algorithm() == WrapAlgorithm.RSA_OAEP_256) {
                try {
                    Cipher c = Cipher.getInstance("RSA/ECB/OAEPPadding");
                    c.init(Cipher.WRAP_MODE, info.publicKey(), RSA_OAEP_256);
                    return CompletableFuture.completedFuture(new Edek(kek, WrapAlgorithm.RSA_OAEP_256, c.wrap(dek)));
                } catch (GeneralSecurityException e) {
                    return CompletableFuture.failedFuture(new KmsException(Reason.INVALID_KEY, "Cannot wrap with the "
                            + "public key of " + kek.keyId() + " version " + kek.version() + ": "
                            + e.getClass().getSimpleName()));
                }
            }
            byte[] raw = dek.getEncoded();
            Mono<Edek> remote = crypto(kek).wrapKey(KeyWrapAlgorithm.A256KW, raw)
                    .map(r -> new Edek(kek, WrapAlgorithm.A256KW, r.getEncryptedKey()))
                    .onErrorMap(e -> toKms(e, "wrap", kek.keyId(), kek.version()))
                    .doFinally(s -> Arrays.fill(raw, (byte) 0));
            return run("wrap", kek.keyId(), kek.version(), remote);
        });
    }

    @Override
    public CompletionStage<SecretKey> unwrap(Edek edek) {
        KekRef kek = edek.kek();
        CryptographyAsyncClient crypto;
        try {
            crypto = crypto(kek);
        } catch (KmsException e) {
            return failed("unwrap", e);
        }
        KeyWrapAlgorithm alg = edek.algorithm() == WrapAlgorithm.RSA_OAEP_256
                ? KeyWrapAlgorithm.RSA_OAEP_256 : KeyWrapAlgorithm.A256KW;
        Mono<SecretKey> m = crypto.unwrapKey(alg, edek.wrappedKey())
                .map(r -> {
                    byte[] key = r.getKey();
                    try {
                        if (key == null || key.length == 0) {
                            throw new KmsException(Reason.UNWRAP_FAILED, "Key Vault returned no key when unwrapping "
                                    + "with " + kek.keyId() + " version " + kek.version() + ".");
                        }
                        return (SecretKey) new SecretKeySpec(key, "AES");
                    } finally {
                        if (key != null) {
                            Arrays.fill(key, (byte) 0);
                        }
                    }
                })
                .onErrorMap(e -> toKms(e, "unwrap", kek.keyId(), kek.version()));
        return run("unwrap", kek.keyId(), kek.version(), m);
    }

    // ---- clients ---------------------------------------------------------------------------

    private KeyAsyncClient keyClient(String vaultUrl) {
        return keyClients.computeIfAbsent(vaultUrl, url -> {
            KeyClientBuilder b = new KeyClientBuilder().vaultUrl(url).credential(credential)
                    .httpClient(http.client()).retryOptions(http.retryOptions());
            if (emulator) {
                b.disableChallengeResourceVerification();
            }
            return b.buildAsyncClient();
        });
    }

    /**
     * The key id of one exact version, both parts checked: a record names them (attacker text), and
     * an unchecked version such as {@code v/../../other/v2} would otherwise become part of the
     * request path and address another key of the same vault than the one {@code kek.allowed} let through.
     */
    static KeyVaultKeyId exact(KekRef kek) {
        KeyVaultKeyId base = KeyVaultKeyId.parse(kek.keyId());
        if (base.pinned()) {
            throw new IllegalArgumentException("Key id '" + base + "' in an encrypted value carries a version; "
                    + "values name the versionless key id and the version apart.");
        }
        KeyVaultKeyId id = KeyVaultKeyId.parse(base.versionless() + "/" + kek.version());
        if (!kek.version().equals(id.version())) {
            throw new IllegalArgumentException("Invalid key version in an encrypted value for " + base + ".");
        }
        return id;
    }

    /**
     * One client per exact version; key caching off so unwraps never do a GET first. Reached only
     * for EDEKs that passed {@code kek.allowed} (the DEK cache checks before it unwraps).
     */
    private CryptographyAsyncClient crypto(KekRef kek) {
        return cryptoClients.get(kek, k -> {
            String id;
            try {
                id = exact(k).toString();
            } catch (IllegalArgumentException e) {
                throw new KmsException(Reason.INVALID_KEY, e.getMessage());
            }
            CryptographyClientBuilder b = new CryptographyClientBuilder().keyIdentifier(id).credential(credential)
                    .httpClient(http.client()).retryOptions(http.retryOptions()).disableKeyCaching();
            if (emulator) {
                b.disableChallengeResourceVerification();
            }
            return b.buildAsyncClient();
        });
    }

    /** Unwrap clients held now (tests: the bound, and that refused EDEKs create none). */
    long cryptoClientCount() {
        cryptoClients.cleanUp();
        return cryptoClients.estimatedSize();
    }

    // ---- errors and accounting -------------------------------------------------------------

    private <T> CompletableFuture<T> run(String operation, String keyId, String version, Mono<T> mono) {
        CompletableFuture<T> out = new CompletableFuture<>();
        long started = System.nanoTime();
        mono.timeout(http.deadline())
                .onErrorMap(TimeoutException.class, e -> new KmsException(Reason.UNAVAILABLE, "Key Vault did not "
                        + "answer " + operation + " with key " + keyId + " version " + version + " within " + http.deadline().toMillis() + " ms (" + http.retries()
                        + " retries): check the vault's reachability and health, then retry."))
                .toFuture()
                .whenComplete((v, e) -> {
                    if (e == null) {
                        metrics.kmsCall(operation, "success", System.nanoTime() - started);
                        out.complete(v);
                    } else {
                        KmsException k = toKms(unwrapCompletion(e), operation, keyId, version);
                        metrics.kmsCall(operation, k.reason().name().toLowerCase(Locale.ROOT),
                                System.nanoTime() - started);
                        out.completeExceptionally(k);
                    }
                });
        return out;
    }

    private <T> CompletableFuture<T> failed(String operation, KmsException e) {
        metrics.kmsCall(operation, e.reason().name().toLowerCase(Locale.ROOT));
        return CompletableFuture.failedFuture(e);
    }

    private static Throwable unwrapCompletion(Throwable e) {
        while ((e instanceof CompletionException || e instanceof java.util.concurrent.ExecutionException)
                && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    private static KmsException disabled(String keyId, String version) {
        return new KmsException(Reason.DISABLED, "Key " + keyId + " version " + version + " is disabled: data it "
                + "protects cannot be read until it is enabled again (az keyvault key set-attributes --enabled true "
                + "--version " + version + ").");
    }

    /** Maps whatever the SDK or transport threw to a typed, readable, secret-free error. */
    static KmsException toKms(Throwable t, String operation, String keyId, String version) {
        t = unwrapCompletion(t);
        t = Exceptions.unwrap(t);
        if (t instanceof KmsException k) {
            return k;
        }
        String what = "key " + keyId + " version " + version;
        if (Exceptions.isRetryExhausted(t) && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof HttpResponseException h && h.getResponse() != null) {
            int status = h.getResponse().getStatusCode();
            String detail = String.valueOf(h.getMessage());
            if (status == 404) {
                return new KmsException(Reason.NOT_FOUND, "Key Vault has no " + what + " (" + operation + "): it was "
                        + "deleted or never existed; fix kek.id, or recover the deleted key.", null);
            }
            // "KeyDisabled" / "not allowed on a disabled key"; not a firewall's "public network access is disabled"
            if (status == 403 && (detail.contains("KeyDisabled") || detail.contains("disabled key"))) {
                return disabled(keyId, version);
            }
            if (status == 401 || status == 403) {
                return new KmsException(Reason.FORBIDDEN, "Key Vault refused " + operation + " with " + what + " ("
                        + status + "): " + ROLE_HINT + ", or check the network rules of the vault.", null);
            }
            if (status == 400 && "unwrap".equals(operation)) {
                return new KmsException(Reason.UNWRAP_FAILED, "Key Vault could not unwrap a DEK with " + what + ": the "
                        + "wrapped key was altered or wrapped by another key.", null);
            }
            if (status == 408 || status == 429 || status >= 500) {
                return new KmsException(Reason.UNAVAILABLE, "Key Vault answered " + status + " to " + operation
                        + " with " + what + " after the configured retries: retry later.", null);
            }
            return new KmsException(Reason.INVALID_KEY, "Key Vault rejected " + operation + " with " + what + " ("
                    + status + "): check that the key type and key_ops allow it.", null);
        }
        if (t instanceof ClientAuthenticationException) {
            return new KmsException(Reason.FORBIDDEN, "Could not get an Entra ID token for " + what + " ("
                    + t.getClass().getSimpleName() + "): check azure.credential and the identity's settings.", null);
        }
        if (t instanceof TimeoutException || t instanceof IOException || t instanceof UncheckedIOException
                || t.getCause() instanceof IOException) {
            return new KmsException(Reason.UNAVAILABLE, "Key Vault unreachable for " + operation + " with " + what
                    + " after the configured retries (" + t.getClass().getSimpleName() + "): check the vault URL, "
                    + "network and firewall; the call can be retried.", null);
        }
        if (t instanceof RuntimeException && t.getClass().getName().startsWith("com.azure.identity")) {
            return new KmsException(Reason.FORBIDDEN, "Could not authenticate to Key Vault for " + what + " ("
                    + t.getClass().getSimpleName() + "): check azure.credential.", null);
        }
        return new KmsException(Reason.UNAVAILABLE, "Key Vault " + operation + " with " + what + " failed ("
                + t.getClass().getSimpleName() + "); the call can be retried.", null);
    }
}
