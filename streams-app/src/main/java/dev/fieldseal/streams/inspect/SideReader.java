package dev.fieldseal.streams.inspect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fieldseal.model.avro.SingleObjectEncoding;
import dev.fieldseal.field.FieldPath;
import dev.fieldseal.scan.EnvelopeLocator;
import dev.fieldseal.scan.Located;
import java.io.IOException;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.DecoderFactory;

/**
 * Reads the keys or the values of one topic in their format, finding envelopes (never
 * decrypting) and, for values, plaintext at the {@code --expect-sealed} paths.
 */
final class SideReader {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Format format;
    private final Schema schema;
    private final SingleObjectEncoding framing;
    private final List<FieldPath> expectSealed;

    SideReader(Format format, Schema schema, List<FieldPath> expectSealed) {
        if (format == Format.AVRO && schema == null) {
            throw new IllegalArgumentException("format avro needs a schema (--value-avro-schema / --key-avro-schema)");
        }
        this.format = format == Format.AUTO && schema != null ? Format.AVRO : format;
        this.schema = schema;
        this.framing = schema == null ? null : SingleObjectEncoding.of(schema);
        this.expectSealed = expectSealed;
    }

    Decoded read(byte[] data) {
        if (data == null) {
            return Decoded.NONE; // a tombstone holds nothing
        }
        switch (format) {
            case AVRO:
                return avro(data);
            case JSON:
                return json(data, true);
            case STRING:
                return whole(data, EnvelopeLocator.whole(data));
            default: {
                Located whole = EnvelopeLocator.whole(data);
                if (whole != null || !EnvelopeLocator.looksLikeJson(data)) {
                    return whole(data, whole);
                }
                return json(data, false);
            }
        }
    }

    private Decoded whole(byte[] data, Located whole) {
        int plaintext = whole == null && ExpectSealed.wholeValue(expectSealed) && data.length > 0 ? 1 : 0;
        return new Decoded(whole == null ? List.of() : List.of(whole), false, plaintext);
    }

    private Decoded json(byte[] data, boolean strict) {
        List<Located> found;
        try {
            found = EnvelopeLocator.json(data);
        } catch (IOException e) {
            return strict ? Decoded.UNREADABLE : whole(data, null);
        }
        int plaintext = 0;
        if (!expectSealed.isEmpty()) {
            try {
                JsonNode tree = JSON.readTree(data);
                plaintext = ExpectSealed.json(tree, expectSealed);
            } catch (IOException e) {
                return Decoded.UNREADABLE;
            }
        }
        return new Decoded(found, false, plaintext);
    }

    private Decoded avro(byte[] data) {
        if (SingleObjectEncoding.hasMarker(data) && !framing.frames(data)) {
            return Decoded.UNREADABLE; // single-object encoded with another schema
        }
        int offset = framing.datumOffset(data);
        List<Located> found;
        try {
            found = EnvelopeLocator.avro(schema, data, offset);
        } catch (IllegalArgumentException e) {
            return Decoded.UNREADABLE;
        }
        int plaintext = 0;
        if (!expectSealed.isEmpty()) {
            // the locator has checked every length against the data: Avro's reader allocates no more than it holds
            try {
                Object datum = new GenericDatumReader<>(schema).read(null,
                        DecoderFactory.get().binaryDecoder(data, offset, data.length - offset, null));
                plaintext = ExpectSealed.avro(datum, expectSealed);
            } catch (IOException | RuntimeException e) {
                return Decoded.UNREADABLE;
            }
        }
        return new Decoded(found, false, plaintext);
    }
}
