package dev.fieldseal.dek;

import java.util.Arrays;
import java.util.concurrent.locks.StampedLock;
import javax.crypto.SecretKey;

/**
 * A plaintext data key (DEK) that can really be destroyed: unlike {@code SecretKeySpec} on Java 17,
 * {@link #destroy()} zeroes the only long-lived copy of the bytes. Each {@link #getEncoded()} hands
 * out a fresh copy (the JCA copies anyway when a Cipher is initialised) and fails once destroyed, so
 * a thread racing with eviction gets an exception it can recover from, never a half-zeroed key.
 */
public final class DataKey implements SecretKey {

    private static final long serialVersionUID = 1L;

    private final transient StampedLock lock = new StampedLock();
    private transient byte[] bytes;

    /** Takes ownership of {@code bytes}: the caller must not keep or reuse the array. */
    public DataKey(byte[] bytes) {
        this.bytes = bytes;
    }

    @Override
    public String getAlgorithm() {
        return "AES";
    }

    @Override
    public String getFormat() {
        return "RAW";
    }

    /**
     * A copy of the key bytes.
     *
     * @throws IllegalStateException if the key was destroyed
     */
    @Override
    public byte[] getEncoded() {
        long stamp = lock.tryOptimisticRead();
        byte[] b = bytes;
        byte[] copy = b == null ? null : b.clone();
        if (copy != null && lock.validate(stamp)) {
            return copy;
        }
        stamp = lock.readLock();
        try {
            if (bytes == null) {
                throw new IllegalStateException("data key was destroyed");
            }
            return bytes.clone();
        } finally {
            lock.unlockRead(stamp);
        }
    }

    public int length() {
        byte[] b = bytes;
        return b == null ? 0 : b.length;
    }

    @Override
    public void destroy() {
        long stamp = lock.writeLock();
        try {
            if (bytes != null) {
                Arrays.fill(bytes, (byte) 0);
                bytes = null;
            }
        } finally {
            lock.unlockWrite(stamp);
        }
    }

    @Override
    public boolean isDestroyed() {
        return bytes == null;
    }

    /** A new random key of {@code length} bytes. */
    public static DataKey generate(java.security.SecureRandom random, int length) {
        byte[] b = new byte[length];
        random.nextBytes(b);
        return new DataKey(b);
    }

    /** Copies another key's bytes into a destroyable key (and destroys the source if it lets us). */
    public static DataKey copyOf(SecretKey key) {
        if (key instanceof DataKey d) {
            return d;
        }
        DataKey copy = new DataKey(key.getEncoded());
        try {
            key.destroy();
        } catch (javax.security.auth.DestroyFailedException | UnsupportedOperationException e) {
            // Java 17's SecretKeySpec cannot be destroyed; our copy is the one that lives on.
        }
        return copy;
    }

    @Override
    public String toString() {
        return "DataKey[" + (isDestroyed() ? "destroyed" : length() * 8 + " bits") + "]";
    }
}
