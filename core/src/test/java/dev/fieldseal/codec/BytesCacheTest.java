package dev.fieldseal.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Descriptors come from plaintexts a key holder writes: the cache is bounded in bytes, not only in entries. */
class BytesCacheTest {

    @Test
    void largeDistinctDescriptorsStayWithinTheByteBound() {
        BytesCache<Integer> cache = new BytesCache<>(4096);
        int size = 100_000;
        for (int i = 0; i < 200; i++) {
            byte[] descriptor = new byte[size];
            Arrays.fill(descriptor, (byte) i);
            descriptor[0] = (byte) (i >> 8);
            int n = i;
            assertEquals(n, cache.get(descriptor, 0, size, b -> n));
            assertTrue((long) cache.size() * size <= BytesCache.MAX_BYTES,
                    cache.size() + " descriptors of " + size + " bytes held");
        }
    }

    @Test
    void smallDescriptorsAreRememberedUpToTheEntryBound() {
        BytesCache<Integer> cache = new BytesCache<>(16);
        int[] computed = {0};
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 8; i++) {
                int n = i;
                cache.get(new byte[] {(byte) i, 1, 2}, 0, 3, b -> {
                    computed[0]++;
                    return n;
                });
            }
        }
        assertEquals(8, computed[0], "each descriptor parsed once");
    }
}
