package dev.fieldseal.cipher;

import java.security.GeneralSecurityException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * AES-256-GCM with a caller-supplied 96-bit nonce and a 128-bit tag, through the JCA.
 *
 * <p>One {@link Cipher} per thread: {@code Cipher.getInstance} costs more than the encryption of a
 * short field, and a Cipher is not thread-safe. Nonce uniqueness is the caller's job (see
 * {@code dev.fieldseal.dek.EncryptionDek}, which builds NIST SP 800-38D §8.2.1 deterministic nonces).
 */
public final class AesGcm {

    public static final int NONCE_LENGTH = 12;
    public static final int TAG_LENGTH = 16;

    private static final ThreadLocal<Cipher> CIPHER = ThreadLocal.withInitial(() -> {
        try {
            return Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/GCM/NoPadding is not available in this JVM", e);
        }
    });

    private AesGcm() {
    }

    /**
     * Encrypts {@code plaintext} into {@code out} at {@code offset}, writing ciphertext followed by
     * the tag: {@code plaintext.length + TAG_LENGTH} bytes. Arrays, not {@code ByteBuffer}s: the
     * JDK's GCM takes a slower path for those.
     */
    public static void encrypt(SecretKey key, byte[] nonce, byte[] aad, byte[] plaintext, byte[] out, int offset)
            throws GeneralSecurityException {
        Cipher c = CIPHER.get();
        c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_LENGTH * 8, nonce));
        c.updateAAD(aad);
        c.doFinal(plaintext, 0, plaintext.length, out, offset);
    }

    /**
     * Decrypts ciphertext-and-tag bytes {@code [offset, offset + length)} of {@code in}, with the
     * nonce read in place at {@code nonceOffset} of {@code nonceSource} (usually the same envelope).
     *
     * @throws AEADBadTagException if the tag does not verify (altered data, wrong key, wrong AAD)
     */
    public static byte[] decrypt(SecretKey key, byte[] nonceSource, int nonceOffset, byte[] aad, byte[] in, int offset,
                                 int length) throws GeneralSecurityException {
        Cipher c = CIPHER.get();
        try {
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_LENGTH * 8, nonceSource, nonceOffset, NONCE_LENGTH));
            c.updateAAD(aad);
            return c.doFinal(in, offset, length);
        } catch (AEADBadTagException e) {
            throw e;
        } catch (GeneralSecurityException | RuntimeException e) {
            // A failed init/doFinal can leave the Cipher unusable; start afresh next time.
            CIPHER.remove();
            throw e;
        }
    }
}
