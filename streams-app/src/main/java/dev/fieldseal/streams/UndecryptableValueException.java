package dev.fieldseal.streams;

import dev.fieldseal.failure.DecryptFailure;
import dev.fieldseal.failure.FailureClass;

/**
 * A value of a record that {@code decrypt} could not open and {@code fieldseal.on.failure} did not
 * replace. Its message names the field, the key id and version and the cause, never a value; its
 * cause is core's exception as thrown, so the dead-letter decision and the stream thread's
 * retry decision read the same classification.
 */
final class UndecryptableValueException extends RuntimeException {

    private final FailureClass failureClass;

    UndecryptableValueException(DecryptFailure f) {
        super("Cannot decrypt " + f.message(), f.cause());
        this.failureClass = f.failureClass();
    }

    FailureClass failureClass() {
        return failureClass;
    }
}
