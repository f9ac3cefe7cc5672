package dev.fieldseal.codec;

import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Function;

/**
 * Direct-mapped cache keyed by object identity: a hit is one identity-hash, one array read and
 * one reference compare, with no allocation. Collisions simply overwrite, so it never grows.
 * Hosts reuse schema instances, so identity is the cheap and exact key.
 */
final class IdentityCache<K, V> {
    private static final class Entry<K, V> {
        final K key;
        final V value;

        Entry(K key, V value) {
            this.key = key;
            this.value = value;
        }
    }

    private final AtomicReferenceArray<Entry<K, V>> slots;
    private final int mask;

    IdentityCache(int sizePowerOfTwo) {
        this.slots = new AtomicReferenceArray<>(sizePowerOfTwo);
        this.mask = sizePowerOfTwo - 1;
    }

    V get(K key, Function<K, V> compute) {
        int h = System.identityHashCode(key);
        int i = (h ^ (h >>> 16)) & mask;
        Entry<K, V> e = slots.getPlain(i);
        if (e != null && e.key == key) {
            return e.value;
        }
        V v = compute.apply(key);
        slots.setRelease(i, new Entry<>(key, v));
        return v;
    }
}
