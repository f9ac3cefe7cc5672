package dev.fieldseal.model.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.fieldseal.codec.JsonValueCodec;
import dev.fieldseal.envelope.SealedRecord;
import dev.fieldseal.envelope.Sealer;
import dev.fieldseal.field.FieldSelection;
import dev.fieldseal.value.FieldSealer;
import java.util.Iterator;
import java.util.Map;

/**
 * Encrypts the selected fields of a JSON document (a Jackson tree): object members by path,
 * every element of an array (or every member of an object) with {@code [*]}. Each encrypted value
 * becomes a base64 text node holding one envelope whose plaintext keeps the node's exact JSON
 * type. JSON nulls and absent members are left alone; values already encrypted are not
 * encrypted twice. The input tree is not modified.
 */
public final class JsonEncryptor {

    private final Sealer sealer;
    private final FieldSelection selection;
    private final JsonValueCodec codec;

    /** The encrypted document and what was used, for the record's headers. */
    public record Result(JsonNode value, SealedRecord sealed) {
    }

    public JsonEncryptor(Sealer sealer, FieldSelection selection, JsonValueCodec codec) {
        this.sealer = sealer;
        this.selection = selection;
        this.codec = codec;
    }

    /**
     * Encrypts a copy of {@code document}.
     *
     * @throws IllegalArgumentException if the document is not an object, or a path goes through a
     *         value that has no members (the message names the path and the JSON type, never the value)
     */
    public Result encrypt(JsonNode document) {
        return encrypt(document, true);
    }

    /** {@link #encrypt(JsonNode)}, sealing with {@code fields} (a record whose key its template picked). */
    public Result encrypt(JsonNode document, FieldSealer fields) {
        return encrypt(document, true, fields);
    }

    /** {@link #encrypt}, inside {@code document} itself, which the caller owns (a tree parsed for this call). */
    public Result encryptInPlace(JsonNode document) {
        return encrypt(document, false, new FieldSealer(sealer));
    }

    /** {@link #encryptInPlace}, sealing with {@code fields} (a record whose key and value share headers). */
    Result encryptInPlace(JsonNode document, FieldSealer fields) {
        return encrypt(document, false, fields);
    }

    private Result encrypt(JsonNode document, boolean copy) {
        return encrypt(document, copy, new FieldSealer(sealer));
    }

    private Result encrypt(JsonNode document, boolean copy, FieldSealer fields) {
        if (document == null || document.isNull() || document.isMissingNode()) {
            return new Result(document, fields.record());
        }
        if (!document.isObject()) {
            throw new IllegalArgumentException("JSON value is " + document.getNodeType() + ", not an object: only "
                    + "objects have fields to encrypt.");
        }
        ObjectNode out = copy ? ((ObjectNode) document).deepCopy() : (ObjectNode) document;
        sealObject(out, selection, fields);
        return new Result(out, fields.record());
    }

    private void sealObject(ObjectNode o, FieldSelection node, FieldSealer sealed) {
        for (Map.Entry<String, FieldSelection> c : node.fields().entrySet()) {
            JsonNode v = o.get(c.getKey());
            if (v != null && !v.isNull()) {
                o.set(c.getKey(), sealValue(v, c.getValue(), sealed));
            }
        }
        for (Map.Entry<String, FieldSelection> c : node.eachFields().entrySet()) {
            JsonNode v = o.get(c.getKey());
            FieldSelection n = c.getValue();
            if (v == null || v.isNull()) {
                continue;
            }
            if (v.isArray()) {
                ArrayNode a = (ArrayNode) v;
                for (int i = 0; i < a.size(); i++) {
                    JsonNode e = a.get(i);
                    if (e != null && !e.isNull()) {
                        a.set(i, sealValue(e, n, sealed));
                    }
                }
            } else if (v.isObject()) {
                // [*] on an object: every member value, as for a map with a schema in Connect.
                Iterator<Map.Entry<String, JsonNode>> it = v.fields();
                ObjectNode m = (ObjectNode) v;
                while (it.hasNext()) {
                    Map.Entry<String, JsonNode> e = it.next();
                    if (!e.getValue().isNull()) {
                        m.set(e.getKey(), sealValue(e.getValue(), n, sealed));
                    }
                }
            } else {
                throw new IllegalArgumentException("Field path '" + n.path() + "' uses [*], but the value is "
                        + v.getNodeType() + ", not an array or object.");
            }
        }
    }

    private JsonNode sealValue(JsonNode v, FieldSelection n, FieldSealer sealed) {
        if (n.selected()) {
            Object out = sealed.seal(v, n, codec::encode, false);
            return out == v ? v : TextNode.valueOf((String) out);
        }
        if (!v.isObject()) {
            throw new IllegalArgumentException("Field path '" + n.path() + ".…' goes through a " + v.getNodeType()
                    + "; only objects have named fields.");
        }
        sealObject((ObjectNode) v, n, sealed);
        return v;
    }
}
