package dev.fieldseal.streams.inspect;

/** {@code inspect} cannot run or finish; carries the exit code to return. */
final class InspectException extends RuntimeException {
    private final int exitCode;

    InspectException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    int exitCode() {
        return exitCode;
    }
}
