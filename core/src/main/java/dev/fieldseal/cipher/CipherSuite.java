package dev.fieldseal.cipher;

/**
 * The data cipher of one encrypted value. The code is the byte the wire format records and must
 * never change.
 */
public enum CipherSuite {
    /** AES-256-GCM, 96-bit nonce, 128-bit tag: randomized encryption for ordinary fields. */
    AES_256_GCM((byte) 1, 32),
    /** AES-SIV (RFC 5297) with two 256-bit keys: deterministic encryption for joinable fields and keys. */
    AES_SIV_512((byte) 2, 64);

    private final byte code;
    private final int keyLength;

    CipherSuite(byte code, int keyLength) {
        this.code = code;
        this.keyLength = keyLength;
    }

    public byte code() {
        return code;
    }

    /** DEK length in bytes. */
    public int keyLength() {
        return keyLength;
    }

    /** The suite for a code, or null if unknown (the caller reports a malformed ciphertext). */
    public static CipherSuite fromCode(byte code) {
        for (CipherSuite s : values()) {
            if (s.code == code) {
                return s;
            }
        }
        return null;
    }
}
