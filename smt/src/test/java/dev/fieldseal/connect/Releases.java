package dev.fieldseal.connect;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * How many records a test has let each run of a test source emit. A source task with nothing
 * released waits here for the next release instead of sleeping, for at most a short while, since
 * {@code poll} must return now and then so that Connect can stop the task.
 */
final class Releases {

    private static final Map<String, Integer> RELEASED = new HashMap<>();

    private Releases() {
    }

    static synchronized void release(String run, int n) {
        RELEASED.merge(run, n, Integer::sum);
        Releases.class.notifyAll();
    }

    /** The number released for {@code run}, once it exceeds {@code seen} or after {@code maxWaitMs}. */
    static synchronized int awaitMoreThan(String run, int seen, long maxWaitMs) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(maxWaitMs);
        int released;
        while ((released = RELEASED.getOrDefault(run, 0)) <= seen) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                break;
            }
            TimeUnit.NANOSECONDS.timedWait(Releases.class, left);
        }
        return released;
    }
}
