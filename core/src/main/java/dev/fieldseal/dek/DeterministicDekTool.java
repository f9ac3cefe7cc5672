package dev.fieldseal.dek;

import dev.fieldseal.config.FieldsealConfig;
import dev.fieldseal.format.EnvelopeLayout;
import dev.fieldseal.kms.Edek;
import dev.fieldseal.kms.KekRef;
import dev.fieldseal.kms.Kms;
import dev.fieldseal.kms.KmsCalls;
import dev.fieldseal.kms.KmsFactory;
import dev.fieldseal.metrics.FieldsealMetrics;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import javax.crypto.SecretKey;
import javax.security.auth.DestroyFailedException;
import org.apache.kafka.common.config.ConfigException;

/**
 * Makes the value of {@code deterministic.dek}: {@code fieldseal deterministic-dek --config <file>}
 * creates a new deterministic DEK; with {@code --rewrap <current deterministic.dek>} it prints the
 * same DEK wrapped by the newest version of {@code kek.id} (after a rotation, so that producers of
 * deterministic fields move to the new version while their ciphertexts stay identical).
 *
 * <p>The properties file holds the KEK settings ({@code kek.id}, {@code azure.*} or
 * {@code local.key.file}), with or without the {@code fieldseal.} prefix.
 */
public final class DeterministicDekTool {

    /** The command that prints a deterministic DEK, as messages and docs name it. */
    public static final String COMMAND = "fieldseal deterministic-dek --config <file>";

    private DeterministicDekTool() {
    }

    /** Prints {@code deterministic.dek=<value>} for a new DEK under the KEK configured in {@code file}. */
    public static void run(Path file, PrintStream out) throws IOException {
        run(file, null, out);
    }

    /**
     * Prints {@code deterministic.dek=<value>}: a new DEK, or, if {@code rewrap} is given, that
     * configured DEK wrapped by the newest version of the KEK configured in {@code file}.
     */
    public static void run(Path file, String rewrap, PrintStream out) throws IOException {
        FieldsealConfig config = load(file);
        String kekId = config.requireKekId();
        try (Kms kms = KmsFactory.create(kekId, config, new FieldsealMetrics())) {
            String dek = rewrap == null ? DeterministicKey.create(kms, kekId) : rewrap(kms, kekId, rewrap);
            out.println(FieldsealConfig.DETERMINISTIC_DEK + "=" + dek);
        }
    }

    /**
     * The configured deterministic DEK {@code current} wrapped by the newest version of
     * {@code kekId}: one unwrap with the version it names, one wrap with the newest. A DEK already
     * wrapped by the newest version is returned as it is (no Key Vault call beyond the resolve).
     * Only a DEK of the same key is accepted, so that a pasted value cannot make this tool send an
     * unwrap request to another vault.
     *
     * @throws ConfigException if {@code current} is not a wrapped DEK of {@code kekId}
     */
    public static String rewrap(Kms kms, String kekId, String current) {
        Edek old;
        try {
            old = EnvelopeLayout.parseEdekBlock(Base64.getDecoder().decode(current.trim()));
        } catch (RuntimeException e) {
            throw new ConfigException("--rewrap", "(wrapped key)", "Not a wrapped deterministic DEK: give the "
                    + "current value of " + FieldsealConfig.DETERMINISTIC_DEK + ".");
        }
        String versionless = kms.versionlessId(kekId);
        if (!old.kek().keyId().equals(versionless)) {
            throw new ConfigException("--rewrap", "(wrapped key)", "The DEK is wrapped by " + old.kek().keyId()
                    + ", not by the configured kek.id " + versionless + "; nothing was sent to Key Vault.");
        }
        KekRef newest = KmsCalls.join(kms.resolve(kekId));
        if (newest.equals(old.kek())) {
            return current.trim();
        }
        SecretKey dek = KmsCalls.join(kms.unwrap(old));
        try {
            Edek edek = KmsCalls.join(kms.wrap(newest, dek));
            return Base64.getEncoder().encodeToString(EnvelopeLayout.edekBlock(edek));
        } finally {
            destroy(dek);
        }
    }

    private static void destroy(SecretKey key) {
        try {
            key.destroy();
        } catch (DestroyFailedException e) {
            // the JDK's own SecretKeySpec cannot be destroyed; DataKey can, and is what providers return
        }
    }

    private static FieldsealConfig load(Path file) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        }
        Map<String, Object> props = new HashMap<>();
        p.forEach((k, v) -> {
            String key = k.toString();
            props.put(key.startsWith(FieldsealConfig.PREFIX) ? key.substring(FieldsealConfig.PREFIX.length()) : key, v);
        });
        props.keySet().retainAll(FieldsealConfig.CONFIG_DEF.names());
        return new FieldsealConfig(props);
    }
}
