package dev.fieldseal.record;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.function.Function;

/**
 * The output schema of each input schema a walker has seen. Keyed by identity (weak keys): hosts
 * reuse schema instances, so identity is exact and cheaper than deep equality. Maintenance runs on
 * the calling thread, since handing it to the common pool wakes a thread every few reads.
 */
final class SchemaMemo<S> {
    private final Cache<S, S> cache;

    SchemaMemo(int maxSize) {
        this.cache = Caffeine.newBuilder().weakKeys().maximumSize(maxSize).executor(Runnable::run).build();
    }

    S get(S in, Function<S, S> derive) {
        return cache.get(in, derive);
    }
}
