package dev.fieldseal.streams;

import dev.fieldseal.model.avro.SingleObjectEncoding;
import dev.fieldseal.format.DecryptionException;
import dev.fieldseal.envelope.Rekeyer;
import dev.fieldseal.scan.EnvelopeLocator;
import dev.fieldseal.scan.Located;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;

/**
 * Re-keys every fieldseal value inside a key or value given as bytes, and changes nothing else:
 * each envelope is located (JSON, Avro binary, or the whole key or value), handed to
 * {@link Rekeyer#rekey}, and spliced back in place when it moved. Every byte outside the
 * envelopes' key blocks stays as it was (number spelling, whitespace, Avro map order), and
 * nonce, ciphertext and tag inside them too. Returns the input array itself when nothing moved.
 */
final class RekeyWalker {

    private final Rekeyer rekeyer;

    RekeyWalker(Rekeyer rekeyer) {
        this.rekeyer = rekeyer;
    }

    byte[] json(byte[] json, Rekeyer.RekeyedRecord record) {
        List<Located> found;
        try {
            found = EnvelopeLocator.json(json);
        } catch (IOException e) {
            throw RecordTransformer.notJson(e);
        }
        return splice(json, found, record);
    }

    /** Avro binary of the framing's schema, plain or in its single-object encoding (kept as it is). */
    byte[] avro(SingleObjectEncoding framing, byte[] data, Rekeyer.RekeyedRecord record) {
        return avro(framing.schema(), data, framing.datumOffset(data), record);
    }

    /** Avro binary of {@code schema} from {@code offset} (after a framing, which is kept byte for byte). */
    byte[] avro(Schema schema, byte[] data, int offset, Rekeyer.RekeyedRecord record) {
        List<Located> found;
        try {
            found = EnvelopeLocator.avro(schema, data, offset);
        } catch (RuntimeException e) {
            // The locator's messages name types and positions; Avro's may quote data.
            throw new BadRecordException("Value is not Avro binary of " + schema.getFullName() + " ("
                    + e.getClass().getSimpleName() + ").");
        }
        return splice(data, found, record);
    }

    /** A key or value that is one envelope as a whole. */
    byte[] whole(byte[] value, Rekeyer.RekeyedRecord record) {
        Located l = EnvelopeLocator.whole(value);
        return l == null ? value : splice(value, List.of(l), record);
    }

    /** The envelopes of a key or value that is one envelope or JSON (the forms a sealed key takes). */
    List<byte[]> envelopes(byte[] keyOrValue) {
        List<Located> found;
        try {
            found = EnvelopeLocator.auto(keyOrValue);
        } catch (IOException e) {
            throw RecordTransformer.notJson(e);
        }
        List<byte[]> out = new ArrayList<>(found.size());
        for (Located l : found) {
            if (!l.undecodable()) {
                out.add(l.envelope());
            }
        }
        return out;
    }

    private byte[] splice(byte[] in, List<Located> found, Rekeyer.RekeyedRecord record) {
        List<byte[]> moved = new ArrayList<>(found.size());
        boolean any = false;
        for (Located l : found) {
            if (l.undecodable()) {
                throw new DecryptionException(DecryptionException.Reason.MALFORMED, "The value at '" + l.path()
                        + "' starts like a fieldseal value but is not base64 text; it cannot be re-keyed.");
            }
            byte[] m = rekeyer.rekey(l.envelope(), record);
            any |= m != l.envelope();
            moved.add(m == l.envelope() ? null : m);
        }
        return any ? EnvelopeLocator.splice(in, found, moved) : in;
    }
}
