package dev.fieldseal.model.json;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.fieldseal.codec.JsonValueCodec;
import dev.fieldseal.envelope.SealedRecord;
import dev.fieldseal.envelope.Sealer;
import dev.fieldseal.field.FieldSelection;
import dev.fieldseal.model.json.JsonSplices.NeedsTree;
import dev.fieldseal.value.FieldSealer;
import dev.fieldseal.value.SealedValues;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Encrypts the selected fields of a JSON document given as bytes, without building a tree of it:
 * the document is tokenized, each selected value is replaced in place by its envelope as a base64
 * string, and every other byte is copied as it was (formatting and number spelling included).
 * Same selection rules as {@link JsonEncryptor}; a selected string is encrypted straight from its
 * text, any other selected value is read as a tree with the given mapper first, as
 * {@link JsonEncryptor} would have seen it.
 *
 * <p>Documents this cannot splice safely (not an object, a path through a non-object, offsets
 * Jackson reports that do not frame the value) are handed to {@link JsonEncryptor}, so the result
 * is always either correct or the same error.
 */
public final class JsonBytesEncryptor {

    private final Sealer sealer;
    private final FieldSelection selection;
    private final JsonValueCodec codec;
    private final ObjectMapper mapper;
    private final JsonEncryptor trees;

    /** The encrypted document and what was used, for the record's headers. */
    public record Result(byte[] value, SealedRecord sealed) {
    }

    /** A value to encrypt: bytes {@code [start, end)} of the input. */
    private record Found(int start, int end, JsonNode value, FieldSelection selection) {
    }

    public JsonBytesEncryptor(Sealer sealer, FieldSelection selection, JsonValueCodec codec, ObjectMapper mapper) {
        this.sealer = sealer;
        this.selection = selection;
        this.codec = codec;
        this.mapper = mapper;
        this.trees = new JsonEncryptor(sealer, selection, codec);
    }

    /**
     * @throws IllegalArgumentException as {@link JsonEncryptor#encrypt}
     * @throws IOException if the bytes are not JSON
     */
    public Result encrypt(byte[] json) throws IOException {
        return encrypt(json, new FieldSealer(sealer));
    }

    /**
     * {@link #encrypt(byte[])}, sealing with {@code sealed}: the key and the value of one record
     * share one set of headers.
     */
    public Result encrypt(byte[] json, FieldSealer sealed) throws IOException {
        List<Found> found = new ArrayList<>(4);
        try (JsonParser p = mapper.getFactory().createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return viaTree(json, sealed);
            }
            object(p, selection, json, found);
        } catch (NeedsTree e) {
            return viaTree(json, sealed);
        }
        JsonSplices out = new JsonSplices(json);
        for (Found f : found) {
            byte[] envelope = Base64.getEncoder().encode(sealed.envelope(codec.encode(f.value), f.selection));
            byte[] quoted = new byte[envelope.length + 2];
            quoted[0] = '"';
            System.arraycopy(envelope, 0, quoted, 1, envelope.length);
            quoted[quoted.length - 1] = '"';
            out.replace(f.start, f.end, quoted);
        }
        return new Result(out.apply(), sealed.record());
    }

    private Result viaTree(byte[] json, FieldSealer sealed) throws IOException {
        JsonEncryptor.Result r = trees.encryptInPlace(mapper.readTree(json), sealed);
        return new Result(mapper.writeValueAsBytes(r.value()), r.sealed());
    }

    /** At START_OBJECT: collects the selected values below it, leaving the parser at its END_OBJECT. */
    private void object(JsonParser p, FieldSelection node, byte[] json, List<Found> found)
            throws IOException, NeedsTree {
        Map<String, FieldSelection> fields = node.fields();
        Map<String, FieldSelection> each = node.eachFields();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            FieldSelection f = fields.get(name);
            FieldSelection e = each.get(name);
            JsonToken t = p.nextToken();
            if (t == JsonToken.VALUE_NULL || f == null && e == null) {
                p.skipChildren();
            } else if (f != null && e != null) {
                throw new NeedsTree(); // a name selected both whole and per element: the tree path decides
            } else if (f != null) {
                value(p, f, json, found);
            } else if (t == JsonToken.START_ARRAY || t == JsonToken.START_OBJECT) {
                JsonToken end = t == JsonToken.START_ARRAY ? JsonToken.END_ARRAY : JsonToken.END_OBJECT;
                for (JsonToken x = p.nextToken(); x != end; x = p.nextToken()) {
                    if (x == JsonToken.FIELD_NAME) {
                        x = p.nextToken();
                    }
                    if (x == JsonToken.VALUE_NULL) {
                        continue;
                    }
                    value(p, e, json, found);
                }
            } else {
                throw new NeedsTree(); // [*] on a scalar: the tree path reports it
            }
        }
    }

    /** At the first token of a non-null value selected by {@code n} or on the way to a selection. */
    private void value(JsonParser p, FieldSelection n, byte[] json, List<Found> found)
            throws IOException, NeedsTree {
        JsonToken t = p.currentToken();
        if (!n.selected()) {
            if (t != JsonToken.START_OBJECT) {
                throw new NeedsTree(); // a path through a non-object: the tree path reports it
            }
            object(p, n, json, found);
            return;
        }
        int start = (int) p.currentTokenLocation().getByteOffset();
        JsonNode v;
        if (t == JsonToken.VALUE_STRING) {
            String text = p.getText();
            if (SealedValues.isSealed(text)) {
                return; // never encrypted twice
            }
            v = TextNode.valueOf(text);
        } else {
            v = mapper.readTree(p);
        }
        int end = (int) p.currentLocation().getByteOffset();
        if (!JsonSplices.framesValue(json, start, end)) {
            throw new NeedsTree();
        }
        found.add(new Found(start, end, v, n));
    }
}
