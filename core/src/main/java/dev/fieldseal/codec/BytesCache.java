package dev.fieldseal.codec;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Cache keyed by the content of a byte range (a descriptor inside a plaintext). Bounded in entries
 * and in key bytes ({@value #MAX_BYTES}: a producer holding the key writes descriptors of any size):
 * when full it is cleared, which only costs re-parsing. The entry found last is compared first, without
 * hashing: consecutive values mostly share a descriptor.
 */
final class BytesCache<V> {
    private static final class Key {
        final byte[] b;
        final int off;
        final int len;
        final int hash;

        Key(byte[] b, int off, int len) {
            this.b = b;
            this.off = off;
            this.len = len;
            int h = 1;
            for (int i = off, end = off + len; i < end; i++) {
                h = 31 * h + b[i];
            }
            this.hash = h;
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof Key)) {
                return false;
            }
            Key k = (Key) o;
            return k.hash == hash && Arrays.equals(b, off, off + len, k.b, k.off, k.off + k.len);
        }
    }

    private record Last<V>(byte[] bytes, V value) {
    }

    /** Descriptor bytes held at most; an honest descriptor is a few hundred bytes. */
    static final long MAX_BYTES = 2L << 20;

    private final ConcurrentHashMap<Key, V> map = new ConcurrentHashMap<>();
    private final AtomicLong bytes = new AtomicLong();
    private volatile Last<V> last;
    private final int maxEntries;

    BytesCache(int maxEntries) {
        this.maxEntries = maxEntries;
    }

    /** {@code compute} gets a private copy of the bytes; its exceptions propagate and nothing is cached. */
    V get(byte[] b, int off, int len, Function<byte[], V> compute) {
        Last<V> l = last;
        if (l != null && Arrays.equals(l.bytes, 0, l.bytes.length, b, off, off + len)) {
            return l.value;
        }
        Key key = new Key(b, off, len);
        V v = map.get(key);
        byte[] copy = Arrays.copyOfRange(b, off, off + len);
        if (v == null) {
            v = compute.apply(copy);
            if (map.size() >= maxEntries || bytes.addAndGet(len) > MAX_BYTES) {
                map.clear();
                bytes.set(len);
            }
            map.put(new Key(copy, 0, len), v);
        }
        last = new Last<>(copy, v);
        return v;
    }

    /** Entries held now (tests: the bound). */
    int size() {
        return map.size();
    }
}
