package dev.fieldseal.envelope;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.fieldseal.cipher.CipherSuite;
import dev.fieldseal.format.EnvelopeLayout;
import java.util.function.Function;

/**
 * The associated data of one cipher suite by field path, remembered: building it costs about twice
 * a cache read. On the decrypting side the paths come from the record (schemaless map keys, JSON
 * member names), so the cache is bounded by weight, about {@value #MAX_BYTES} bytes (path, associated
 * data and entry overhead): a producer writing ever-new field names evicts entries, it cannot grow
 * the reader's heap, and the frequent (honest) paths stay in (Caffeine's admission policy).
 */
final class PathAad {

    /** Roughly the bytes the cache may hold, per suite. */
    static final long MAX_BYTES = 1L << 20;
    /** What an entry costs besides its bytes (the key String, the array headers, the cache's nodes). */
    private static final int ENTRY_OVERHEAD = 96;

    private final Cache<String, byte[]> cache;
    private final Function<String, byte[]> build;

    PathAad(CipherSuite suite) {
        this.build = path -> EnvelopeLayout.aad(suite, path);
        this.cache = Caffeine.newBuilder()
                .maximumWeight(MAX_BYTES)
                // String (up to 2 bytes per char) plus the associated data
                .<String, byte[]>weigher((path, aad) -> ENTRY_OVERHEAD + 2 * path.length() + aad.length)
                // Maintenance on the calling thread: handing it to the common pool costs a thread
                // wake-up every few reads, more than the lookup itself.
                .executor(Runnable::run)
                .build();
    }

    /** The associated data for a value at {@code path}. */
    byte[] of(String path) {
        return cache.get(path, build);
    }

    /** Entries held now (tests). */
    long size() {
        cache.cleanUp();
        return cache.estimatedSize();
    }
}
