package dev.fieldseal.kms;

import java.util.Arrays;
import java.util.Objects;

/**
 * An encrypted (wrapped) DEK together with the exact KEK version and algorithm that wrapped it.
 * Equality is by content, so an EDEK can key the unwrapped-DEK cache.
 */
public final class Edek {
    private final KekRef kek;
    private final WrapAlgorithm algorithm;
    private final byte[] wrappedKey;
    private final int hash;

    public Edek(KekRef kek, WrapAlgorithm algorithm, byte[] wrappedKey) {
        this.kek = Objects.requireNonNull(kek, "kek");
        this.algorithm = Objects.requireNonNull(algorithm, "algorithm");
        this.wrappedKey = wrappedKey.clone();
        this.hash = Objects.hash(kek, algorithm) * 31 + Arrays.hashCode(this.wrappedKey);
    }

    public KekRef kek() {
        return kek;
    }

    public WrapAlgorithm algorithm() {
        return algorithm;
    }

    /** A copy of the wrapped key bytes (ciphertext under the KEK, not secret). */
    public byte[] wrappedKey() {
        return wrappedKey.clone();
    }

    public int wrappedKeyLength() {
        return wrappedKey.length;
    }

    @Override
    public boolean equals(Object o) {
        return o == this || o instanceof Edek e && hash == e.hash && kek.equals(e.kek) && algorithm == e.algorithm
                && Arrays.equals(wrappedKey, e.wrappedKey);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return "Edek[" + kek + ", " + algorithm.jwaName() + ", " + wrappedKey.length + " bytes]";
    }
}
