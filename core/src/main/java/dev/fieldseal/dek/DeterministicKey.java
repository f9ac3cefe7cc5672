package dev.fieldseal.dek;

import dev.fieldseal.cipher.AesSiv;
import dev.fieldseal.cipher.CipherSuite;
import dev.fieldseal.format.EnvelopeLayout;
import dev.fieldseal.kms.Edek;
import dev.fieldseal.kms.KekRef;
import dev.fieldseal.kms.Kms;
import dev.fieldseal.kms.KmsCalls;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import org.apache.kafka.common.config.ConfigException;

/**
 * The long-lived DEK of deterministic fields. Unlike randomized DEKs it is shared by every
 * producer (the same plaintext must give the same ciphertext everywhere), so it is created once
 * with {@link #create}, and its wrapped form is given to each producer as {@code deterministic.dek}.
 */
public final class DeterministicKey {

    private final AesSiv siv;
    private final Edek edek;
    private final byte[] edekBlock;
    private final byte[] dekRef;

    private DeterministicKey(AesSiv siv, Edek edek, byte[] edekBlock) {
        this.siv = siv;
        this.edek = edek;
        this.edekBlock = edekBlock;
        this.dekRef = EnvelopeLayout.dekRef(edekBlock);
    }

    /**
     * Creates a new deterministic DEK wrapped by the newest version of {@code kekId} and returns
     * its configuration value (base64 of the EDEK block). The plaintext key is destroyed.
     */
    public static String create(Kms kms, String kekId) {
        KekRef kek = KmsCalls.join(kms.resolve(kekId));
        DataKey key = DataKey.generate(new SecureRandom(), CipherSuite.AES_SIV_512.keyLength());
        try {
            Edek edek = KmsCalls.join(kms.wrap(kek, key));
            return Base64.getEncoder().encodeToString(EnvelopeLayout.edekBlock(edek));
        } finally {
            key.destroy();
        }
    }

    /** Unwraps a configured {@code deterministic.dek} (through the allowlisted cache). */
    public static DeterministicKey load(String configValue, DecryptionKeys keys) {
        byte[] block = parse(configValue);
        Edek edek = EnvelopeLayout.parseEdekBlock(block);
        return of(keys.get(edek), edek, block);
    }

    /**
     * The EDEK block of a configured {@code deterministic.dek}, checked to parse.
     *
     * @throws ConfigException if it is not one
     */
    public static byte[] parse(String configValue) {
        try {
            byte[] block = Base64.getDecoder().decode(configValue.trim());
            EnvelopeLayout.parseEdekBlock(block);
            return block;
        } catch (RuntimeException e) {
            throw new ConfigException("deterministic.dek", "(wrapped key)",
                    "Not a wrapped deterministic DEK; create one with '" + DeterministicDekTool.COMMAND + "'.");
        }
    }

    /** A deterministic key from an already unwrapped DEK of the given EDEK. */
    public static DeterministicKey of(DataKey key, Edek edek, byte[] edekBlock) {
        if (key.length() != CipherSuite.AES_SIV_512.keyLength()) {
            throw new ConfigException("deterministic.dek", "(wrapped key)", "The wrapped key is "
                    + key.length() * 8 + " bits; AES-SIV needs 512. Create it with '" + DeterministicDekTool.COMMAND + "'.");
        }
        byte[] raw = key.getEncoded();
        try {
            return new DeterministicKey(new AesSiv(raw), edek, edekBlock);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-SIV unavailable", e);
        } finally {
            java.util.Arrays.fill(raw, (byte) 0);
        }
    }

    public AesSiv siv() {
        return siv;
    }

    public Edek edek() {
        return edek;
    }

    public byte[] edekBlock() {
        return edekBlock;
    }

    public byte[] dekRef() {
        return dekRef;
    }
}
