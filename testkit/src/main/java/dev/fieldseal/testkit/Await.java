package dev.fieldseal.testkit;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Waiting on a condition with a deadline, the one way the broker, worker and Streams tests wait.
 * {@link #until} for what must happen; {@link #holds} for what must not happen during a window
 * (no record written while Key Vault is down), which fails at the first moment it does.
 */
public final class Await {

    private static final long POLL_MS = 100;

    private Await() {
    }

    /** Returns as soon as {@code condition} is true; fails naming {@code what} once {@code timeout} has passed. */
    public static void until(Duration timeout, String what, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - end > 0) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            Thread.sleep(POLL_MS);
        }
    }

    /** Checks {@code condition} throughout {@code window}; fails naming {@code what} the first time it is false. */
    public static void holds(Duration window, String what, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + window.toNanos();
        do {
            if (!condition.getAsBoolean()) {
                throw new AssertionError("no longer true: " + what);
            }
            Thread.sleep(POLL_MS);
        } while (System.nanoTime() - end < 0);
    }
}
