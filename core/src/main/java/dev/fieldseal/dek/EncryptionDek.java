package dev.fieldseal.dek;

import dev.fieldseal.kms.Edek;
import dev.fieldseal.format.EnvelopeLayout;
import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The DEK an encrypting process is currently using, with its nonce sequence.
 *
 * <p>Nonces follow NIST SP 800-38D §8.2.1's deterministic construction: a 32-bit fixed field drawn
 * at random once per DEK, followed by a 64-bit invocation counter. Each DEK has exactly one
 * encryptor (this object), so nonces never repeat under one key, and a counter increment is
 * cheaper than a {@code SecureRandom} draw per value. {@link #nextNonce()} hands out exactly
 * {@code maxEncryptions} nonces, which makes retirement at the limit exact under concurrency.
 */
public final class EncryptionDek {

    private final DataKey key;
    private final Edek edek;
    private final byte[] edekBlock;
    private final byte[] dekRef;
    private final int fixedField;
    private final long maxEncryptions;
    private final long createdNanos;
    private final AtomicLong counter = new AtomicLong();
    private volatile boolean retired;

    EncryptionDek(DataKey key, Edek edek, long maxEncryptions, long createdNanos, SecureRandom random) {
        this.key = key;
        this.edek = edek;
        this.edekBlock = EnvelopeLayout.edekBlock(edek);
        this.dekRef = EnvelopeLayout.dekRef(edekBlock);
        this.fixedField = random.nextInt();
        this.maxEncryptions = maxEncryptions;
        this.createdNanos = createdNanos;
    }

    /**
     * Writes the next 12-byte nonce into {@code out} at {@code offset}.
     *
     * @return false if this DEK has given out all its nonces (the caller takes a new DEK)
     */
    public boolean nextNonce(byte[] out, int offset) {
        long n = counter.getAndIncrement();
        if (n >= maxEncryptions) {
            return false;
        }
        out[offset] = (byte) (fixedField >>> 24);
        out[offset + 1] = (byte) (fixedField >>> 16);
        out[offset + 2] = (byte) (fixedField >>> 8);
        out[offset + 3] = (byte) fixedField;
        for (int i = 0; i < 8; i++) {
            out[offset + 4 + i] = (byte) (n >>> (56 - 8 * i));
        }
        return true;
    }

    public DataKey key() {
        return key;
    }

    public Edek edek() {
        return edek;
    }

    /** The EDEK in its wire form (see {@link EnvelopeLayout#edekBlock}). */
    public byte[] edekBlock() {
        return edekBlock;
    }

    /** The 8-byte reference by which header-placed values name this DEK. */
    public byte[] dekRef() {
        return dekRef;
    }

    /** How many encryptions were started with this DEK (may exceed the limit by refused attempts). */
    public long used() {
        return Math.min(counter.get(), maxEncryptions);
    }

    long createdNanos() {
        return createdNanos;
    }

    boolean exhausted() {
        return counter.get() >= maxEncryptions;
    }

    boolean retired() {
        return retired;
    }

    void retire() {
        retired = true;
    }
}
