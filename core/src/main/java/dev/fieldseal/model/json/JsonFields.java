package dev.fieldseal.model.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fieldseal.field.FieldPath;
import dev.fieldseal.keyselect.KeySelectionException;
import dev.fieldseal.keyselect.RecordFields;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * A JSON key or value as a key template reads it: members of objects by path, text and whole
 * numbers as they are. JSON bytes are parsed only if a template reads a field of them, once.
 */
public final class JsonFields implements RecordFields {

    private final ObjectMapper mapper;
    private byte[] bytes;
    private JsonNode tree;

    private JsonFields(ObjectMapper mapper, byte[] bytes, JsonNode tree) {
        this.mapper = mapper;
        this.bytes = bytes;
        this.tree = tree;
    }

    public static RecordFields of(JsonNode tree) {
        return new JsonFields(null, null, tree);
    }

    /** JSON text, parsed when first read. */
    public static RecordFields of(ObjectMapper mapper, byte[] json) {
        return new JsonFields(mapper, json, null);
    }

    /**
     * A key as the Streams app has it: a JSON object is read by path, any other bytes are the key's
     * UTF-8 text as a whole ({@code ${key}}).
     */
    public static RecordFields keyBytes(ObjectMapper mapper, byte[] key) {
        if (key == null) {
            return RecordFields.NONE;
        }
        for (byte b : key) {
            if (b == '{') {
                return of(mapper, key);
            }
            if (b != ' ' && b != '\t' && b != '\r' && b != '\n') {
                break;
            }
        }
        return RecordFields.whole(new String(key, StandardCharsets.UTF_8));
    }

    @Override
    public Object at(FieldPath path) {
        JsonNode at = tree();
        if (path != null) {
            for (FieldPath.Segment seg : path.segments()) {
                at = at == null || !at.isObject() ? null : at.get(seg.name());
            }
        }
        if (at == null || at.isNull() || at.isMissingNode()) {
            return null;
        }
        if (at.isTextual()) {
            return at.textValue();
        }
        if (at.isIntegralNumber()) {
            return at.bigIntegerValue();
        }
        return at.getNodeType(); // not text or a whole number: refused, naming its JSON type
    }

    private JsonNode tree() {
        if (tree == null && bytes != null) {
            try {
                tree = mapper.readTree(bytes);
            } catch (IOException e) {
                // Jackson's message may quote the input
                throw new KeySelectionException("The record is not JSON (" + e.getClass().getSimpleName()
                        + "), so the key template cannot read it.");
            }
            bytes = null;
        }
        return tree;
    }
}
