package dev.fieldseal.testkit;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/**
 * The heap still in use after full collections: what a test's objects retain, give or take the
 * collector's own bookkeeping (a few hundred KiB). {@link System#gc()} is a full, stop-the-world
 * collection under the JVM's default collectors unless {@code -XX:+ExplicitGCInvokesConcurrent} or
 * {@code -XX:+DisableExplicitGC} is set; the loop runs until two readings agree within 64 KiB.
 */
public final class RetainedHeap {

    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

    private RetainedHeap() {
    }

    /** Bytes of heap in use after collecting until the reading settles. */
    public static long bytes() {
        long last = Long.MAX_VALUE;
        for (int i = 0; i < 10; i++) {
            System.gc();
            long used = MEMORY.getHeapMemoryUsage().getUsed();
            if (Math.abs(last - used) < 64 * 1024) {
                return Math.min(last, used);
            }
            last = used;
        }
        return last;
    }
}
