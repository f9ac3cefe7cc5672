package dev.fieldseal.value;

import dev.fieldseal.envelope.Unsealer;
import dev.fieldseal.failure.OnFailure;
import dev.fieldseal.kms.Edek;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.function.Function;

/**
 * The per-value step of decrypting one record, which every decrypting walker calls: the sealed
 * value's envelope ({@link SealedValues#envelope}), unsealed at its path with the record's header
 * EDEKs, decoded by the walker's codec and counted; a value that cannot be opened goes to the
 * host's {@link OnFailure}, which throws, masks, or leaves it sealed. One per record; not thread-safe.
 */
public final class FieldOpener {

    private final Unsealer unsealer;
    private final Unsealer.RecordScope scope;
    private final OnFailure onFailure;
    private int opened;
    private int leftSealed;

    /**
     * @param headerEdeks the record's EDEKs under header placement ({@link Unsealer#recordEdeks}), else empty
     * @param onFailure the host's failure policy ({@link OnFailure#rethrow()}: core's exception propagates)
     */
    public FieldOpener(Unsealer unsealer, Map<ByteBuffer, Edek> headerEdeks, OnFailure onFailure) {
        this.unsealer = unsealer;
        this.scope = new Unsealer.RecordScope(headerEdeks);
        this.onFailure = onFailure;
    }

    /**
     * Opens one value.
     *
     * @param sealed the value as found (text or bytes, see {@link SealedValues})
     * @param decode the walker's codec: the value from its plaintext bytes
     * @param mask the masked value of the field's original type, given the policy's mask text
     * @return the decoded value, the mask, or {@code sealed} itself when the policy leaves it sealed
     */
    public <T> T open(T sealed, String path, Function<byte[], ? extends T> decode,
                      Function<String, ? extends T> mask) {
        T out;
        try {
            out = decode.apply(unsealer.unseal(SealedValues.envelope(sealed, path), path, scope));
        } catch (RuntimeException e) {
            T replacement = onFailure.resolve(path, sealed, () -> mask.apply(onFailure.maskText()), e);
            if (replacement == sealed) {
                leftSealed++;
            }
            return replacement;
        }
        opened++;
        return out;
    }

    /** Values opened so far. */
    public int opened() {
        return opened;
    }

    /** Values the failure policy left sealed so far. */
    public int leftSealed() {
        return leftSealed;
    }
}
