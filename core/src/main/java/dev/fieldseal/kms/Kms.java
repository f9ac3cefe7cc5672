package dev.fieldseal.kms;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import javax.crypto.SecretKey;

/**
 * What envelope encryption needs from a key manager, and nothing more. Implementations are
 * thread-safe; every method may be called concurrently.
 *
 * <p>Methods are asynchronous because a real key manager is a network service; callers that
 * must block do so at their edge. Failures complete the stage exceptionally with a
 * {@link KmsException}, whose {@link KmsException#retriable()} tells hosts whether to retry.
 *
 * <p>How often {@link #resolve} is called is the caller's business (the DEK layer does it every
 * {@code kek.refresh.ms} and on rotation events); a provider may keep whatever it learns while
 * resolving (such as a public key) to make {@link #wrap} local.
 */
public interface Kms extends AutoCloseable {

    /**
     * Resolves a configured key id to an exact version. A versionless id resolves to the newest
     * enabled version; an id with a version resolves to that version (if it is usable).
     *
     * @param keyId the key id as configured, with or without a version
     */
    CompletionStage<KekRef> resolve(String keyId);

    /** Wraps a DEK under the given exact KEK version. */
    CompletionStage<Edek> wrap(KekRef kek, SecretKey dek);

    /** Unwraps an EDEK with the KEK version it records. The returned key is the caller's to destroy. */
    CompletionStage<SecretKey> unwrap(Edek edek);

    /**
     * The versionless form of a key id as this provider spells it, e.g. strips a trailing version.
     * Used to compare key ids against {@code kek.allowed} and to write the {@code fieldseal.kek.id} header.
     *
     * @throws IllegalArgumentException if the id is not one this provider understands
     */
    String versionlessId(String keyId);

    /**
     * True if unwrapping makes no call to a service (such as {@code local:}): then the DEK layer
     * neither checks versions nor rate-limits unwraps, as there is nothing to save.
     */
    default boolean unwrapsLocally() {
        return false;
    }

    /**
     * Refuses a key id and version that cannot name a version of this provider (the version is record
     * text), before the DEK layer looks it up or budgets it: such a value is malformed, not early.
     *
     * @throws KmsException INVALID_KEY
     */
    default void checkVersion(KekRef kek) {
    }

    /**
     * True if {@link #versions} lists a key's versions. A provider that makes no calls (such as
     * {@code local:}) has nothing to save and keeps the default.
     */
    default boolean listsVersions() {
        return false;
    }

    /**
     * Every version of a key, each with whether it is enabled (may unwrap). The DEK layer asks for
     * this at a bounded rate so that an EDEK naming a version the key does not have, or a disabled
     * one, is refused without an unwrap call.
     *
     * @param versionlessKeyId a key id that passed {@code kek.allowed}, without a version
     */
    default CompletionStage<Map<String, Boolean>> versions(String versionlessKeyId) {
        return CompletableFuture.failedFuture(new UnsupportedOperationException("this key manager lists no versions"));
    }

    @Override
    default void close() {
    }
}
