package dev.fieldseal.bench;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The crypto floor of the first rounds, kept for comparison with {@link LeanGcm} (the floor now):
 * plain JCA AES-256-GCM, one {@link Cipher} per instance, a fresh 96-bit nonce from
 * {@link SecureRandom} for each encryption, but a new nonce and output array per value.
 */
public final class RawGcm {

    private final Cipher cipher;
    private final SecretKeySpec key;
    private final SecureRandom random = new SecureRandom();

    public RawGcm() {
        byte[] k = new byte[32];
        random.nextBytes(k);
        key = new SecretKeySpec(k, "AES");
        try {
            cipher = Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** nonce (12) followed by ciphertext and tag. */
    public byte[] encrypt(byte[] plaintext) {
        byte[] nonce = new byte[12];
        random.nextBytes(nonce);
        try {
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
            byte[] out = new byte[12 + plaintext.length + 16];
            System.arraycopy(nonce, 0, out, 0, 12);
            cipher.doFinal(plaintext, 0, plaintext.length, out, 12);
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public byte[] decrypt(byte[] sealed) {
        try {
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, sealed, 0, 12));
            return cipher.doFinal(sealed, 12, sealed.length - 12);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
