package dev.fieldseal.streams.inspect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fieldseal.model.avro.SingleObjectEncoding;
import dev.fieldseal.field.FieldPath;
import dev.fieldseal.registry.ConfluentFraming;
import dev.fieldseal.registry.RegistryAvro;
import dev.fieldseal.registry.RegistryException;
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
    /** avro-confluent: writer schemas by id (cached, bounded); else null. */
    private final RegistryAvro registry;

    SideReader(Format format, Schema schema, List<FieldPath> expectSealed) {
        this(format, schema, expectSealed, null);
    }

    SideReader(Format format, Schema schema, List<FieldPath> expectSealed, RegistryAvro registry) {
        if (format == Format.AVRO_CONFLUENT && registry == null) {
            throw new IllegalArgumentException("format avro-confluent needs schema.registry.url (in --config or "
                    + "--command-config)");
        }
        this.registry = registry;
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
            case AVRO_CONFLUENT:
                return registryAvro(data);
            case JSON_CONFLUENT:
                return ConfluentFraming.framed(data) ? json(data, ConfluentFraming.HEADER_LENGTH) : Decoded.UNREADABLE;
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

    /** JSON text after a Confluent header: the envelopes' offsets are those of the whole value. */
    private Decoded json(byte[] framed, int offset) {
        byte[] text = java.util.Arrays.copyOfRange(framed, offset, framed.length);
        Decoded d = json(text, true);
        if (d.unreadable() || d.envelopes().isEmpty()) {
            return d;
        }
        List<Located> shifted = d.envelopes().stream()
                .map(l -> new Located(l.path(), l.start() + offset, l.end() + offset, l.envelope(), l.encoding())).toList();
        return new Decoded(shifted, false, d.plaintext());
    }

    /**
     * The writer schema by the value's id, then as {@link #avro}. A value that is not framed, or
     * whose id the registry does not know, is unreadable; a registry that cannot answer stops the scan.
     */
    private Decoded registryAvro(byte[] data) {
        Schema writer;
        try {
            writer = registry.writerSchema(data);
        } catch (IllegalArgumentException e) {
            return Decoded.UNREADABLE;
        } catch (RegistryException e) {
            if (e.notFound()) {
                return Decoded.UNREADABLE;
            }
            throw new InspectException(InspectCommand.EXIT_ERROR, e.getMessage());
        }
        return avro(writer, data, ConfluentFraming.HEADER_LENGTH);
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
        return avro(schema, data, framing.datumOffset(data));
    }

    private Decoded avro(Schema schema, byte[] data, int offset) {
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
