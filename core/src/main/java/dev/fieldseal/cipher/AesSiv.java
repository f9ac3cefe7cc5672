package dev.fieldseal.cipher;

import com.google.crypto.tink.DeterministicAead;
import java.security.GeneralSecurityException;

/**
 * Deterministic AEAD (AES-SIV, RFC 5297) from Tink: the same plaintext, key and associated data
 * always give the same ciphertext, which is what keeps an encrypted record key partitioning and
 * an encrypted column joinable. Output: 16-byte synthetic IV followed by the ciphertext.
 */
public final class AesSiv {

    public static final int SIV_LENGTH = 16;

    private final DeterministicAead daead;

    /** @param key 64 bytes: two AES-256 keys (CMAC and CTR), as RFC 5297 prescribes */
    public AesSiv(byte[] key) throws GeneralSecurityException {
        this.daead = new com.google.crypto.tink.subtle.AesSiv(key);
    }

    public byte[] encrypt(byte[] plaintext, byte[] aad) throws GeneralSecurityException {
        return daead.encryptDeterministically(plaintext, aad);
    }

    public byte[] decrypt(byte[] ciphertext, byte[] aad) throws GeneralSecurityException {
        return daead.decryptDeterministically(ciphertext, aad);
    }
}
