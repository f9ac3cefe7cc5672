package dev.fieldseal.bench;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The crypto floor: the leanest honest JCA AES-256-GCM. One {@link Cipher} per instance (per
 * benchmark thread), a fresh 96-bit {@link SecureRandom} nonce per value written into a
 * preallocated array, output into a preallocated array, 128-bit tag, no associated data (binding
 * a value to its path is fieldseal's choice, not the floor's). Nothing is allocated per value but
 * the {@link GCMParameterSpec} the JCA requires.
 */
public final class LeanGcm {

    public static final int NONCE = 12;
    public static final int TAG = 16;

    private final Cipher cipher;
    private final SecretKeySpec key;
    private final SecureRandom random = new SecureRandom();
    private final byte[] nonce = new byte[NONCE];
    private final byte[] out;
    private final byte[] plainOut;

    /** @param maxPlaintext the longest value this instance encrypts or decrypts */
    public LeanGcm(int maxPlaintext) {
        byte[] k = new byte[32];
        random.nextBytes(k);
        key = new SecretKeySpec(k, "AES");
        out = new byte[NONCE + maxPlaintext + TAG];
        plainOut = new byte[maxPlaintext];
        try {
            cipher = Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Encrypts into the preallocated array: nonce, ciphertext, tag; returns the length written. */
    public int encrypt(byte[] plaintext) {
        try {
            random.nextBytes(nonce);
            System.arraycopy(nonce, 0, out, 0, NONCE);
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
            return NONCE + cipher.doFinal(plaintext, 0, plaintext.length, out, NONCE);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A sealed copy of {@code plaintext} (setup only: what {@link #decrypt} reads). */
    public byte[] sealed(byte[] plaintext) {
        int n = encrypt(plaintext);
        return java.util.Arrays.copyOf(out, n);
    }

    /** Decrypts nonce, ciphertext and tag into the preallocated array; returns the plaintext length. */
    public int decrypt(byte[] sealed) {
        try {
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, sealed, 0, NONCE));
            return cipher.doFinal(sealed, NONCE, sealed.length - NONCE, plainOut, 0);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The array {@link #encrypt} writes into (its first bytes are the last value sealed). */
    public byte[] output() {
        return out;
    }

    /** The array {@link #decrypt} writes into. */
    public byte[] plaintextOutput() {
        return plainOut;
    }
}
