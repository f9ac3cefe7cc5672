package dev.fieldseal.kms.local;

import dev.fieldseal.config.FieldsealConfig;
import dev.fieldseal.kms.Edek;
import dev.fieldseal.kms.KekRef;
import dev.fieldseal.kms.Kms;
import dev.fieldseal.kms.KmsException;
import dev.fieldseal.kms.KmsException.Reason;
import dev.fieldseal.kms.WrapAlgorithm;
import dev.fieldseal.metrics.FieldsealMetrics;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import org.apache.kafka.common.config.ConfigException;

/**
 * KEKs from a local {@link LocalKeyFile}, wrapping with AES key wrap (A256KW, RFC 3394) like an
 * {@code oct-HSM} key in Managed HSM. For development, demos and tests only. The file is re-read
 * when a key is resolved, so a version added by another process (a "rotation") is seen at the
 * next refresh, as with Key Vault.
 */
public final class LocalKms implements Kms {

    public static final String SCHEME = "local:";

    private final Path file;
    private final FieldsealMetrics metrics;
    private volatile Map<String, List<LocalKeyFile.Version>> keys;

    public LocalKms(FieldsealConfig config, FieldsealMetrics metrics) {
        this(localKeyFile(config), metrics);
    }

    public LocalKms(Path file, FieldsealMetrics metrics) {
        this.file = file;
        this.metrics = metrics;
        this.keys = LocalKeyFile.read(file);
    }

    private static Path localKeyFile(FieldsealConfig config) {
        String f = config.getString(FieldsealConfig.LOCAL_KEY_FILE);
        if (f == null || f.isBlank()) {
            throw new ConfigException(FieldsealConfig.LOCAL_KEY_FILE, null,
                    "kek.id names a local: key, so set local.key.file to the local key file (development only).");
        }
        return Path.of(f);
    }

    @Override
    public String versionlessId(String keyId) {
        if (!keyId.startsWith(SCHEME)) {
            throw new IllegalArgumentException("Not a local key id: " + keyId);
        }
        int slash = keyId.indexOf('/');
        return slash < 0 ? keyId : keyId.substring(0, slash);
    }

    @Override
    public CompletionStage<KekRef> resolve(String keyId) {
        return call("resolve", () -> {
            keys = LocalKeyFile.read(file);
            String id = versionlessId(keyId);
            String name = id.substring(SCHEME.length());
            List<LocalKeyFile.Version> versions = keys.get(name);
            if (versions == null || versions.isEmpty()) {
                throw new KmsException(Reason.NOT_FOUND, "Local key '" + name + "' not found in " + file
                        + ": create it or fix kek.id.");
            }
            if (!id.equals(keyId)) {
                LocalKeyFile.Version v = version(new KekRef(id, keyId.substring(id.length() + 1)));
                return new KekRef(id, v.version());
            }
            for (int i = versions.size() - 1; i >= 0; i--) {
                if (versions.get(i).enabled()) {
                    return new KekRef(id, versions.get(i).version());
                }
            }
            throw new KmsException(Reason.DISABLED, "Local key '" + name + "' has no enabled version.");
        });
    }

    @Override
    public CompletionStage<Edek> wrap(KekRef kek, SecretKey dek) {
        return call("wrap", () -> {
            Cipher c = Cipher.getInstance("AESWrap");
            c.init(Cipher.WRAP_MODE, kekKey(kek));
            return new Edek(kek, WrapAlgorithm.A256KW, c.wrap(dek));
        });
    }

    @Override
    public boolean unwrapsLocally() {
        return true;
    }

    @Override
    public CompletionStage<SecretKey> unwrap(Edek edek) {
        return call("unwrap", () -> {
            if (edek.algorithm() != WrapAlgorithm.A256KW) {
                throw new KmsException(Reason.INVALID_KEY, "Local key " + edek.kek() + " cannot unwrap "
                        + edek.algorithm().jwaName());
            }
            Cipher c = Cipher.getInstance("AESWrap");
            c.init(Cipher.UNWRAP_MODE, kekKey(edek.kek()));
            try {
                return (SecretKey) c.unwrap(edek.wrappedKey(), "AES", Cipher.SECRET_KEY);
            } catch (GeneralSecurityException e) {
                throw new KmsException(Reason.UNWRAP_FAILED, "Local key " + edek.kek()
                        + " rejected the wrapped DEK: it was altered or wrapped by another key.");
            }
        });
    }

    private Key kekKey(KekRef kek) {
        LocalKeyFile.Version v = version(kek);
        if (!v.enabled()) {
            throw new KmsException(Reason.DISABLED, "Local key " + kek + " is disabled: enable it in " + file
                    + " to read data it protects.");
        }
        return new SecretKeySpec(v.key(), "AES");
    }

    private LocalKeyFile.Version version(KekRef kek) {
        if (!kek.keyId().startsWith(SCHEME)) {
            throw new KmsException(Reason.INVALID_KEY, "Not a local key id: " + kek.keyId());
        }
        String name = kek.keyId().substring(SCHEME.length());
        for (int attempt = 0; attempt < 2; attempt++) {
            for (LocalKeyFile.Version v : keys.getOrDefault(name, List.of())) {
                if (v.version().equals(kek.version())) {
                    return v;
                }
            }
            keys = LocalKeyFile.read(file);
        }
        throw new KmsException(Reason.NOT_FOUND, "Local key " + kek + " not found in " + file + ".");
    }

    private interface Op<T> {
        T run() throws GeneralSecurityException;
    }

    private <T> CompletionStage<T> call(String operation, Op<T> op) {
        Supplier<T> s = () -> {
            try {
                return op.run();
            } catch (GeneralSecurityException e) {
                throw new KmsException(Reason.INVALID_KEY, "Local key operation " + operation + " failed: "
                        + e.getClass().getSimpleName());
            }
        };
        long started = System.nanoTime();
        try {
            T result = s.get();
            metrics.kmsCall(operation, "success", System.nanoTime() - started);
            return CompletableFuture.completedFuture(result);
        } catch (KmsException e) {
            metrics.kmsCall(operation, e.reason().name().toLowerCase(Locale.ROOT), System.nanoTime() - started);
            return CompletableFuture.failedFuture(e);
        }
    }
}
