package dev.fieldseal.format;

import dev.fieldseal.cipher.AesGcm;
import dev.fieldseal.cipher.CipherSuite;
import dev.fieldseal.kms.Edek;
import java.util.Arrays;

/**
 * One parsed encrypted value: which suite, which DEK (inline EDEK or an 8-byte reference to an
 * EDEK in the record's headers), the nonce, and where the body lies in the source bytes.
 * Parsing checks structure only; authenticity is checked when decrypting.
 */
public final class Envelope {
    private final byte[] source;
    private final CipherSuite suite;
    private final Edek edek;
    private final byte[] dekRef;
    private final int keyStart;
    private final int keyEnd;
    private final int nonceOffset;
    private final int bodyOffset;
    private final int bodyLength;

    Envelope(byte[] source, CipherSuite suite, Edek edek, byte[] dekRef, int keyStart, int keyEnd,
             int nonceOffset, int bodyOffset, int bodyLength) {
        this.source = source;
        this.suite = suite;
        this.edek = edek;
        this.dekRef = dekRef;
        this.keyStart = keyStart;
        this.keyEnd = keyEnd;
        this.nonceOffset = nonceOffset;
        this.bodyOffset = bodyOffset;
        this.bodyLength = bodyLength;
    }

    public CipherSuite suite() {
        return suite;
    }

    /** The inline EDEK, or null under header placement. */
    public Edek edek() {
        return edek;
    }

    /** The DEK reference under header placement, or null. */
    public byte[] dekRef() {
        return dekRef;
    }

    /** Where the GCM nonce lies in {@link #source()} (it is not copied: the cipher reads it in place). */
    public int nonceOffset() {
        return nonceOffset;
    }

    /** A copy of the GCM nonce, or null for AES-SIV. */
    public byte[] nonce() {
        return suite == CipherSuite.AES_256_GCM ? Arrays.copyOfRange(source, nonceOffset, nonceOffset + AesGcm.NONCE_LENGTH) : null;
    }

    public byte[] source() {
        return source;
    }

    public int bodyOffset() {
        return bodyOffset;
    }

    public int bodyLength() {
        return bodyLength;
    }

    /** The body (ciphertext and tag, or SIV and ciphertext) as a copy. */
    public byte[] body() {
        return Arrays.copyOfRange(source, bodyOffset, source.length);
    }

    /**
     * The same value with its key block replaced (re-keying): the prefix, nonce and body are copied
     * byte for byte, so the ciphertext is unchanged.
     */
    public byte[] withKeyBlock(byte keyMode, byte[] keyBlock) {
        byte[] out = new byte[keyStart + keyBlock.length + (source.length - keyEnd)];
        System.arraycopy(source, 0, out, 0, keyStart);
        out[5] = keyMode;
        System.arraycopy(keyBlock, 0, out, keyStart, keyBlock.length);
        System.arraycopy(source, keyEnd, out, keyStart + keyBlock.length, source.length - keyEnd);
        return out;
    }
}
