package dev.fieldseal.record;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.fieldseal.codec.JsonValueCodec;
import dev.fieldseal.envelope.SealedRecord;
import dev.fieldseal.envelope.Sealer;
import dev.fieldseal.field.FieldSelection;
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

    /** One value to replace: bytes {@code [start, end)} of the input. */
    private record Splice(int start, int end, JsonNode value, FieldSelection selection) {
    }

    /** The document needs the tree path. */
    private static final class NotSpliceable extends Exception {
        NotSpliceable() {
            super(null, null, false, false);
        }
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
        List<Splice> splices = new ArrayList<>(4);
        try (JsonParser p = mapper.getFactory().createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return viaTree(json);
            }
            object(p, selection, json, splices);
        } catch (NotSpliceable e) {
            return viaTree(json);
        }
        SealedRecord sealed = sealer.newRecord();
        if (splices.isEmpty()) {
            return new Result(json, sealed);
        }
        byte[][] envelopes = new byte[splices.size()][];
        int length = json.length;
        for (int i = 0; i < envelopes.length; i++) {
            Splice s = splices.get(i);
            envelopes[i] = Base64.getEncoder().encode(sealer.seal(codec.encode(s.value), s.selection.path(),
                    s.selection.mode() == FieldSelection.Mode.DETERMINISTIC, sealed));
            length += envelopes[i].length + 2 - (s.end - s.start);
        }
        byte[] out = new byte[length];
        int from = 0;
        int to = 0;
        for (int i = 0; i < envelopes.length; i++) {
            Splice s = splices.get(i);
            System.arraycopy(json, from, out, to, s.start - from);
            to += s.start - from;
            out[to++] = '"';
            System.arraycopy(envelopes[i], 0, out, to, envelopes[i].length);
            to += envelopes[i].length;
            out[to++] = '"';
            from = s.end;
        }
        System.arraycopy(json, from, out, to, json.length - from);
        return new Result(out, sealed);
    }

    private Result viaTree(byte[] json) throws IOException {
        JsonEncryptor.Result r = trees.encryptInPlace(mapper.readTree(json));
        return new Result(mapper.writeValueAsBytes(r.value()), r.sealed());
    }

    /** At START_OBJECT: collects the selected values below it, leaving the parser at its END_OBJECT. */
    private void object(JsonParser p, FieldSelection node, byte[] json, List<Splice> splices)
            throws IOException, NotSpliceable {
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
                throw new NotSpliceable(); // a name selected both whole and per element: the tree path decides
            } else if (f != null) {
                value(p, f, json, splices);
            } else if (t == JsonToken.START_ARRAY || t == JsonToken.START_OBJECT) {
                JsonToken end = t == JsonToken.START_ARRAY ? JsonToken.END_ARRAY : JsonToken.END_OBJECT;
                for (JsonToken x = p.nextToken(); x != end; x = p.nextToken()) {
                    if (x == JsonToken.FIELD_NAME) {
                        x = p.nextToken();
                    }
                    if (x == JsonToken.VALUE_NULL) {
                        continue;
                    }
                    value(p, e, json, splices);
                }
            } else {
                throw new NotSpliceable(); // [*] on a scalar: the tree path reports it
            }
        }
    }

    /** At the first token of a non-null value selected by {@code n} or on the way to a selection. */
    private void value(JsonParser p, FieldSelection n, byte[] json, List<Splice> splices)
            throws IOException, NotSpliceable {
        JsonToken t = p.currentToken();
        if (!n.selected()) {
            if (t != JsonToken.START_OBJECT) {
                throw new NotSpliceable(); // a path through a non-object: the tree path reports it
            }
            object(p, n, json, splices);
            return;
        }
        int start = (int) p.currentTokenLocation().getByteOffset();
        JsonNode v;
        if (t == JsonToken.VALUE_STRING) {
            String text = p.getText();
            if (ConnectEncryptor.isCiphertext(text)) {
                return; // never encrypted twice
            }
            v = TextNode.valueOf(text);
        } else {
            v = mapper.readTree(p);
        }
        int end = (int) p.currentLocation().getByteOffset();
        if (!framesValue(json, start, end)) {
            throw new NotSpliceable();
        }
        splices.add(new Splice(start, end, v, n));
    }

    /**
     * Whether {@code [start, end)} holds exactly one member value or array element: preceded by
     * ':', '[' or ',' and followed by ',', '}' or ']' (whitespace aside). A guard against offsets
     * that would otherwise cut the document in the wrong place.
     */
    static boolean framesValue(byte[] json, int start, int end) {
        if (start <= 0 || end <= start || end > json.length) {
            return false;
        }
        int before = start - 1;
        while (before > 0 && isSpace(json[before])) {
            before--;
        }
        int after = end;
        while (after < json.length && isSpace(json[after])) {
            after++;
        }
        byte b = json[before];
        return (b == ':' || b == '[' || b == ',') && after < json.length
                && (json[after] == ',' || json[after] == '}' || json[after] == ']');
    }

    private static boolean isSpace(byte b) {
        return b == ' ' || b == '\n' || b == '\r' || b == '\t';
    }
}
