package dev.fieldseal.registry;

/**
 * A Schema Registry call failed. The message names the registry (without credentials), the
 * subject or schema id, and the registry's error code; never a credential or a record's value.
 * {@link #retriable()}: an outage (connection failure, 429, 5xx after the bounded retries) that
 * may heal, as a Key Vault outage; otherwise an answer that will not change (unknown id,
 * incompatible schema, refused credentials).
 */
public class RegistryException extends RuntimeException {

    private final boolean retriable;
    private final int errorCode;

    public RegistryException(String message, boolean retriable, int errorCode, Throwable cause) {
        super(message, cause);
        this.retriable = retriable;
        this.errorCode = errorCode;
    }

    public boolean retriable() {
        return retriable;
    }

    /** The registry's {@code error_code} (e.g. 40403 schema not found, 409 incompatible), or 0 for an outage. */
    public int errorCode() {
        return errorCode;
    }

    /** Whether the registry answered that the schema, subject or version does not exist. */
    public boolean notFound() {
        return errorCode / 100 == 404;
    }
}
