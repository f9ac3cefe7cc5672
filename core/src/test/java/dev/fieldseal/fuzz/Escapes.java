package dev.fieldseal.fuzz;

/**
 * The exception types a parser documents: a fuzz input may make it throw one of them, never
 * anything else (an {@code ArrayIndexOutOfBoundsException}, a {@code NegativeArraySizeException},
 * an {@code OutOfMemoryError} from a forged length are findings).
 */
final class Escapes {

    private Escapes() {
    }

    /** Rethrows {@code t} unless it is an instance of one of {@code documented}. */
    @SafeVarargs
    static void only(Throwable t, Class<? extends Throwable>... documented) {
        for (Class<? extends Throwable> c : documented) {
            if (c.isInstance(t)) {
                return;
            }
        }
        throw new AssertionError("undocumented exception " + t.getClass().getName(), t);
    }
}
