package dev.fieldseal.value;

import dev.fieldseal.envelope.SealedRecord;
import dev.fieldseal.envelope.Sealer;
import dev.fieldseal.field.FieldSelection;
import dev.fieldseal.keyselect.RecordFields;
import java.util.Base64;
import java.util.function.Function;

/**
 * The per-value step of encrypting one record, which every encrypting walker calls: a value that
 * is already sealed stays as it is; any other is encoded by the walker's codec, sealed at its
 * selection's path and mode, and written as base64 text or envelope bytes. Collects what the
 * record used for its headers ({@link #record()}). One per record; not thread-safe.
 */
public final class FieldSealer {

    private final Sealer sealer;
    private final SealedRecord record;

    /** A record of its own. */
    public FieldSealer(Sealer sealer) {
        this(sealer, sealer.newRecord());
    }

    /**
     * A record of its own, under the key {@code kek.id} (or its template) picks for the record's
     * topic, key and value.
     *
     * @throws dev.fieldseal.keyselect.KeySelectionException if the record cannot name a valid key
     */
    public static FieldSealer forRecord(Sealer sealer, String topic, RecordFields key, RecordFields value) {
        return new FieldSealer(sealer, sealer.newRecord(topic, key, value));
    }

    /** Values sealed into {@code record}: a record's key and value share one set of headers. */
    public FieldSealer(Sealer sealer, SealedRecord record) {
        this.sealer = sealer;
        this.record = record;
    }

    /** What the record's values used, for its headers. */
    public SealedRecord record() {
        return record;
    }

    /**
     * The value as it goes on the wire.
     *
     * @param encode the walker's codec: the value's plaintext bytes
     * @param asBytes envelope bytes instead of base64 text
     * @return {@code value} itself if it is already sealed, else its envelope as a {@code String} or {@code byte[]}
     */
    public <T> Object seal(T value, FieldSelection n, Function<? super T, byte[]> encode, boolean asBytes) {
        if (SealedValues.isSealed(value)) {
            return value;
        }
        byte[] envelope = envelope(encode.apply(value), n);
        return asBytes ? envelope : Base64.getEncoder().encodeToString(envelope);
    }

    /** The envelope of plaintext codec bytes, at the selection's path and in its mode. */
    public byte[] envelope(byte[] plaintext, FieldSelection n) {
        return envelope(plaintext, n.path(), n.mode() == FieldSelection.Mode.DETERMINISTIC);
    }

    /** The envelope of plaintext codec bytes at a fixed path (whole values). */
    public byte[] envelope(byte[] plaintext, String path, boolean deterministic) {
        return sealer.seal(plaintext, path, deterministic, record);
    }
}
