package dev.fieldseal.fuzz;

import java.lang.management.ManagementFactory;

/**
 * The "no more than linear work" property of a fuzz target, measured as the bytes the parsing
 * thread allocates (what a forged length or count would blow up): at most
 * {@value #BYTES_PER_INPUT_BYTE} per input byte plus {@value #FIXED_BYTES}. Generous on purpose:
 * a JSON tree costs about a hundred bytes per nesting bracket; a quadratic or length-trusting
 * parser exceeds it on small inputs already.
 */
public final class LinearWork {

    static final long BYTES_PER_INPUT_BYTE = 256;
    static final long FIXED_BYTES = 1 << 20;

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private LinearWork() {
    }

    /**
     * Runs the parse; whatever it throws propagates, after the allocation check. An input over the
     * bound is parsed once more and judged by that run: the first run of a code path also pays for
     * loading and initialising classes.
     */
    public static void check(int inputLength, Runnable parse) {
        long bound = BYTES_PER_INPUT_BYTE * inputLength + FIXED_BYTES;
        RuntimeException[] thrown = new RuntimeException[1];
        long allocated = allocated(parse, thrown);
        if (allocated > bound) {
            allocated = allocated(parse, new RuntimeException[1]);
            if (allocated > bound) {
                throw new AssertionError(allocated + " bytes allocated parsing " + inputLength + " input bytes");
            }
        }
        if (thrown[0] != null) {
            throw thrown[0];
        }
    }

    private static long allocated(Runnable parse, RuntimeException[] thrown) {
        long before = THREADS.getCurrentThreadAllocatedBytes();
        try {
            parse.run();
        } catch (RuntimeException e) {
            thrown[0] = e;
        }
        return THREADS.getCurrentThreadAllocatedBytes() - before;
    }
}
