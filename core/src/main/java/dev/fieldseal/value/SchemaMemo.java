package dev.fieldseal.value;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.function.Function;

/**
 * What a walker derived from each input schema it has seen (its output schema, or a plan holding
 * it). Keyed by identity (weak keys): hosts reuse schema instances, so identity is exact and cheaper
 * than deep equality. The last pair is checked before the cache: a topic's records mostly share one
 * schema, and a cache read costs a hash lookup and a read-buffer slot per record. Maintenance runs
 * on the calling thread, since handing it to the common pool wakes a thread every few reads.
 */
public final class SchemaMemo<S, V> {
    private record Last<S, V>(S in, V derived) {
    }

    private final Cache<S, V> cache;
    private volatile Last<S, V> last;

    public SchemaMemo(int maxSize) {
        this.cache = Caffeine.newBuilder().weakKeys().maximumSize(maxSize).executor(Runnable::run).build();
    }

    public V get(S in, Function<S, V> derive) {
        Last<S, V> l = last;
        if (l != null && l.in == in) {
            return l.derived;
        }
        V v = cache.get(in, derive);
        last = new Last<>(in, v);
        return v;
    }
}
