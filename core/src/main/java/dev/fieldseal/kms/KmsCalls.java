package dev.fieldseal.kms;

import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;

/** Blocking on a {@link Kms} call at a synchronous edge, with the provider's exception unwrapped. */
public final class KmsCalls {

    private KmsCalls() {
    }

    /**
     * Waits for the stage and returns its value.
     *
     * @throws RuntimeException the stage's own failure (usually a {@link KmsException}), not a wrapper
     */
    public static <T> T join(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().join();
        } catch (CompletionException e) {
            Throwable c = cause(e);
            if (c instanceof RuntimeException r) {
                throw r;
            }
            throw new KmsException(KmsException.Reason.UNAVAILABLE, "Key manager call failed: "
                    + c.getClass().getSimpleName(), c);
        }
    }

    /** The first cause that is not a completion or execution wrapper. */
    public static Throwable cause(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
