package dev.fieldseal.model.json;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.fieldseal.codec.ConnectValueCodec;
import dev.fieldseal.codec.JsonValueCodec;
import dev.fieldseal.codec.ValueFamily;
import dev.fieldseal.field.PathFilter;
import dev.fieldseal.format.DecryptionException;
import dev.fieldseal.envelope.Unsealer;
import dev.fieldseal.failure.Masks;
import dev.fieldseal.failure.OnFailure;
import dev.fieldseal.field.FieldPath;
import dev.fieldseal.field.FieldSelection;
import dev.fieldseal.field.PathMemo;
import dev.fieldseal.format.EnvelopeLayout;
import dev.fieldseal.kms.Edek;
import dev.fieldseal.model.connect.EncryptedSchemas;
import dev.fieldseal.model.json.JsonSplices.NeedsTree;
import dev.fieldseal.value.FieldOpener;
import dev.fieldseal.value.SealedValues;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaAndValue;

/**
 * Decrypts fieldseal values inside a JSON document (a Jackson tree).
 *
 * <p>Plain JSON: every text node that starts like a base64 envelope ({@code /kZT}) is decrypted
 * at the canonical path it is found at (object members by name, array elements with {@code [*]}),
 * unless {@code fields} limits the paths. Values encrypted by the JSON family come back as the
 * exact JSON node; values encrypted from Connect data (the SMT in front of JsonConverter) come back
 * in JsonConverter's rendering when a {@link ConnectForm} is given, else in the codec's.
 *
 * <p>JSON written by Connect's JsonConverter with an embedded schema ({@code {"schema":…,
 * "payload":…}}) is walked along its schema: fields whose schema carries the
 * {@code fieldseal.encrypted} parameter are decrypted, and their schema is rewritten back to the
 * original (from the {@code fieldseal.schema} parameter), even where the value is null. This needs
 * a {@link ConnectForm}; without one such documents are refused rather than half-restored.
 *
 * <p>The input tree is not modified.
 */
public final class JsonDecryptor {

    /** How JsonConverter renders Connect schemas and values (supplied where connect-json is on the classpath). */
    public interface ConnectForm {
        /** The schema as JsonConverter embeds it ({@code asJsonSchema}); may be a shared instance: callers copy it. */
        ObjectNode schema(Schema schema);

        /** The value as JsonConverter writes it in the payload ({@code schema} may be null: schemaless). */
        JsonNode value(Schema schema, Object value);
    }

    /** The decrypted document, how many values were decrypted, and how many were left sealed by the failure policy. */
    public record Result(JsonNode value, int fields, int leftSealed) {
        public Result(JsonNode value, int fields) {
            this(value, fields, 0);
        }
    }

    private final Unsealer unsealer;
    private final PathFilter filter;
    private final PathMemo paths = new PathMemo();
    private final JsonValueCodec codec;
    private final ConnectValueCodec connectCodec;
    private final ConnectForm form;
    private final OnFailure onFailure;

    /**
     * @param onFailure the host's failure policy (null: core's exception propagates); a masked value
     *        is {@link Masks#json} of the policy's mask text
     */
    public JsonDecryptor(Unsealer unsealer, FieldSelection selection, JsonValueCodec codec,
            ConnectValueCodec connectCodec, ConnectForm form, OnFailure onFailure) {
        this.unsealer = unsealer;
        this.filter = new PathFilter(selection);
        this.codec = codec;
        this.connectCodec = connectCodec;
        this.form = form;
        this.onFailure = onFailure == null ? OnFailure.rethrow() : onFailure;
    }

    /** A decryptor that fails on the first value it cannot decrypt and renders Connect values with the codec. */
    public JsonDecryptor(Unsealer unsealer, FieldSelection selection) {
        this(unsealer, selection, new JsonValueCodec(), new ConnectValueCodec(), null, null);
    }

    /** True for JsonConverter's {@code {"schema":{…}, "payload":…}} form. */
    public static boolean hasEmbeddedSchema(JsonNode doc) {
        return doc != null && doc.isObject() && doc.size() == 2 && doc.get("schema") instanceof ObjectNode s
                && s.has("type") && doc.has("payload");
    }

    /**
     * Decrypts a copy of {@code document}.
     *
     * @param headerEdeks the record's {@code fieldseal.edek} header, parsed; empty under field placement
     */
    public Result decrypt(JsonNode document, Map<ByteBuffer, Edek> headerEdeks) {
        return decrypt(document, true, headerEdeks, UnaryOperator.identity());
    }

    /**
     * Decrypts inside {@code document} itself, which the caller owns (a tree just parsed for this
     * call): no copy is made. {@code asParsed} turns each decrypted value into the node the
     * document's parser would have built from its JSON text (number node types differ between
     * parser settings), so the result equals parsing the decrypted document.
     */
    public Result decryptInPlace(JsonNode document, Map<ByteBuffer, Edek> headerEdeks,
                                 UnaryOperator<JsonNode> asParsed) {
        return decrypt(document, false, headerEdeks, asParsed);
    }

    private Result decrypt(JsonNode document, boolean copy, Map<ByteBuffer, Edek> headerEdeks,
                           UnaryOperator<JsonNode> asParsed) {
        if (document == null || !(document.isObject() || document.isArray())) {
            return new Result(document, 0);
        }
        Walk w = new Walk(headerEdeks, asParsed);
        return new Result(w.document(copy ? document.deepCopy() : document), w.opener.opened(), w.opener.leftSealed());
    }

    /** The decrypted document as JSON text, how many values were decrypted, and how many were left sealed. */
    public record TextResult(byte[] value, int fields, int leftSealed) {
        public TextResult(byte[] value, int fields) {
            this(value, fields, 0);
        }
    }

    /** An encrypted string found in JSON text: bytes {@code [start, end)}. */
    private record Found(int start, int end, String text, String path) {
    }

    /**
     * Decrypts a JSON document given as bytes without building a tree of it: each encrypted string
     * is replaced by the JSON text of its plaintext (written with {@code mapper}) and every other
     * byte is kept as it was; the input itself is returned when nothing changed. Same paths and
     * rules as {@link #decrypt}. JsonConverter's embedded-schema form, whose schema is rewritten
     * too, goes through the tree.
     *
     * @throws IOException if the bytes are not JSON
     */
    public TextResult decryptText(byte[] json, ObjectMapper mapper, Map<ByteBuffer, Edek> headerEdeks)
            throws IOException {
        List<Found> found = new ArrayList<>(4);
        try (JsonParser p = mapper.getFactory().createParser(json)) {
            JsonToken t = p.nextToken();
            if (t == JsonToken.START_OBJECT) {
                textObject(p, "", json, found, true);
            } else if (t == JsonToken.START_ARRAY) {
                textArray(p, "", json, found);
            }
        } catch (NeedsTree e) {
            Walk w = new Walk(headerEdeks, UnaryOperator.identity());
            JsonNode out = w.document(mapper.readTree(json));
            return new TextResult(w.changed ? mapper.writeValueAsBytes(out) : json, w.opener.opened(), w.opener.leftSealed());
        }
        Walk w = new Walk(headerEdeks, UnaryOperator.identity());
        JsonSplices out = new JsonSplices(json);
        for (Found f : found) {
            TextNode ciphertext = TextNode.valueOf(f.text);
            JsonNode plain = w.open(ciphertext, f.path);
            if (plain != ciphertext) { // else left encrypted by the failure handler
                out.replace(f.start, f.end, mapper.writeValueAsBytes(plain));
            }
        }
        return new TextResult(out.apply(), w.opener.opened(), w.opener.leftSealed());
    }

    /** At START_OBJECT: as {@code Walk.plain} on an object; leaves the parser at its END_OBJECT. */
    private void textObject(JsonParser p, String path, byte[] json, List<Found> found, boolean root)
            throws IOException, NeedsTree {
        boolean first = root;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            if (first && (name.equals("schema") || name.equals("payload"))) {
                throw new NeedsTree(); // perhaps JsonConverter's embedded-schema form
            }
            first = false;
            JsonToken t = p.nextToken();
            if (t == JsonToken.START_ARRAY) {
                textArray(p, paths.append(path, name, true), json, found);
            } else {
                textValue(p, t, paths.append(path, name, false), json, found);
            }
        }
    }

    /** At START_ARRAY: as {@code Walk.plain} on an array (path ends with [*]); nested arrays are not entered. */
    private void textArray(JsonParser p, String path, byte[] json, List<Found> found) throws IOException, NeedsTree {
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
            if (t == JsonToken.START_ARRAY) {
                p.skipChildren();
            } else {
                textValue(p, t, path, json, found);
            }
        }
    }

    /** As {@code Walk.visit}. */
    private void textValue(JsonParser p, JsonToken t, String path, byte[] json, List<Found> found)
            throws IOException, NeedsTree {
        if (t == JsonToken.START_OBJECT) {
            if (filter.mayContain(path)) {
                textObject(p, path, json, found, false);
            } else {
                p.skipChildren();
            }
        } else if (t == JsonToken.VALUE_STRING && hasTextMagic(p) && filter.wanted(path)) {
            int start = (int) p.currentTokenLocation().getByteOffset();
            String text = p.getText();
            int end = (int) p.currentLocation().getByteOffset();
            if (!JsonSplices.framesValue(json, start, end)) {
                throw new NeedsTree();
            }
            found.add(new Found(start, end, text, path));
        }
    }

    /** Whether the current string starts like an envelope, read without making a String. */
    private static boolean hasTextMagic(JsonParser p) throws IOException {
        char[] c = p.getTextCharacters();
        int off = p.getTextOffset();
        String prefix = EnvelopeLayout.TEXT_PREFIX;
        if (p.getTextLength() < prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (c[off + i] != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private record Node(ObjectNode schema, JsonNode value) {
    }

    private final class Walk {
        private final FieldOpener opener;
        private final UnaryOperator<JsonNode> asParsed;

        /** Whether anything was replaced: a value decrypted or masked, a schema restored. */
        private boolean changed;

        Walk(Map<ByteBuffer, Edek> edeks, UnaryOperator<JsonNode> asParsed) {
            this.opener = new FieldOpener(unsealer, edeks, onFailure);
            this.asParsed = asParsed;
        }

        /** Decrypts inside a whole document (its own copy), plain or with an embedded schema. */
        JsonNode document(JsonNode doc) {
            if (!hasEmbeddedSchema(doc)) {
                if (doc.isObject() || doc.isArray()) {
                    plain(doc, "");
                }
                return doc;
            }
            if (form == null) {
                throw new IllegalStateException("JSON with an embedded Connect schema needs a ConnectForm to "
                        + "restore the schema of decrypted fields.");
            }
            ObjectNode o = (ObjectNode) doc;
            Node n = withSchema((ObjectNode) o.get("schema"), o.get("payload"), "");
            o.set("schema", n.schema);
            o.set("payload", n.value);
            return o;
        }

        // ---- plain JSON: recognised by the magic prefix ----------------------------------------

        /** Decrypts in place below {@code container} (an object or array found at {@code path}). */
        void plain(JsonNode container, String path) {
            if (container instanceof ObjectNode o) {
                Iterator<Map.Entry<String, JsonNode>> it = o.fields();
                while (it.hasNext()) {
                    Map.Entry<String, JsonNode> e = it.next();
                    JsonNode v = e.getValue();
                    // Class tests, not isArray()/isObject(): those are virtual calls over every node type.
                    if (v instanceof ArrayNode) {
                        plain(v, paths.append(path, e.getKey(), true));
                    } else if (v instanceof ObjectNode || SealedValues.looksSealed(v)) { // other scalars need no path
                        JsonNode nv = visit(v, paths.append(path, e.getKey(), false));
                        if (nv != v) {
                            e.setValue(nv);
                        }
                    }
                }
            } else if (container instanceof ArrayNode a) {
                // path already ends with [*]
                for (int i = 0; i < a.size(); i++) {
                    JsonNode v = a.get(i);
                    JsonNode nv = visit(v, path);
                    if (nv != v) {
                        a.set(i, nv);
                    }
                }
            }
        }

        private JsonNode visit(JsonNode v, String path) {
            if (SealedValues.looksSealed(v)) {
                return filter.wanted(path) ? open(v, path) : v;
            }
            if (v instanceof ObjectNode && filter.mayContain(path)) {
                plain(v, path);
            }
            return v;
        }

        private JsonNode open(JsonNode v, String path) {
            JsonNode out = opener.open(v, path, plaintext -> asParsed.apply(decoded(plaintext)), Masks::json);
            changed |= out != v;
            return out;
        }

        /** A JSON node from its plaintext; a Connect writer's value in JsonConverter's rendering when there is a form. */
        private JsonNode decoded(byte[] plaintext) {
            if (form != null && ValueFamily.of(plaintext) == ValueFamily.CONNECT) {
                SchemaAndValue sv = connectCodec.decode(plaintext);
                return form.value(sv.schema(), sv.value());
            }
            return codec.decode(plaintext);
        }

        // ---- JsonConverter with an embedded schema ---------------------------------------------

        /** Walks a value along its JsonConverter schema; returns the (possibly new) schema and value. */
        Node withSchema(ObjectNode schema, JsonNode value, String path) {
            if (isEncrypted(schema)) {
                return filter.wanted(path) ? openWithSchema(schema, value, path) : new Node(schema, value);
            }
            String type = schema.path("type").asText();
            switch (type) {
                case "struct":
                    return struct(schema, value, path);
                case "array":
                    return elements(schema, "items", value, path);
                case "map":
                    return elements(schema, "values", value, path);
                default:
                    return new Node(schema, value);
            }
        }

        private Node struct(ObjectNode schema, JsonNode value, String path) {
            JsonNode fields = schema.get("fields");
            if (!(fields instanceof ArrayNode fa) || !filter.mayContain(path)) {
                return new Node(schema, value);
            }
            for (int i = 0; i < fa.size(); i++) {
                if (!(fa.get(i) instanceof ObjectNode fs)) {
                    continue;
                }
                String name = fs.path("field").asText();
                JsonNode fv = value instanceof ObjectNode o ? o.get(name) : null;
                Node n = withSchema(fs, fv, FieldPath.append(path, name, false));
                if (n.schema != fs) {
                    n.schema.put("field", name);
                    fa.set(i, n.schema);
                }
                if (n.value != fv && value instanceof ObjectNode o) {
                    o.set(name, n.value);
                }
            }
            return new Node(schema, value);
        }

        private Node elements(ObjectNode schema, String innerKey, JsonNode value, String path) {
            if (!(schema.get(innerKey) instanceof ObjectNode inner) || path.isEmpty()) {
                return new Node(schema, value);
            }
            String each = path + "[*]";
            // The schema is rewritten once, from a null element, so empty containers get it too.
            Node rewritten = withSchema(inner.deepCopy(), null, each);
            boolean stringKeys = "map".equals(schema.path("type").asText())
                    && "string".equals(schema.path("keys").path("type").asText());
            if (value instanceof ArrayNode a) {
                for (int i = 0; i < a.size(); i++) {
                    JsonNode e = a.get(i);
                    if (!stringKeys && "map".equals(schema.path("type").asText()) && e instanceof ArrayNode pair
                            && pair.size() == 2) {
                        pair.set(1, withSchema(inner.deepCopy(), pair.get(1), each).value);
                    } else {
                        a.set(i, withSchema(inner.deepCopy(), e, each).value);
                    }
                }
            } else if (value instanceof ObjectNode o) {
                Iterator<Map.Entry<String, JsonNode>> it = o.fields();
                while (it.hasNext()) {
                    Map.Entry<String, JsonNode> e = it.next();
                    e.setValue(withSchema(inner.deepCopy(), e.getValue(), each).value);
                }
            }
            if (rewritten.schema != inner) {
                schema.set(innerKey, rewritten.schema);
            }
            return new Node(schema, value);
        }

        private Node openWithSchema(ObjectNode schema, JsonNode value, String path) {
            changed = true; // the field's schema is restored, or made optional for a masked value
            Schema original;
            try {
                original = connectCodec.schema(Base64.getDecoder().decode(
                        schema.path("parameters").path(EncryptedSchemas.ORIGINAL_SCHEMA).asText()));
            } catch (RuntimeException e) {
                throw new DecryptionException(DecryptionException.Reason.MALFORMED, "Field '" + path + "' is marked "
                        + "encrypted but its schema lacks a readable " + EncryptedSchemas.ORIGINAL_SCHEMA
                        + " parameter.");
            }
            if (value == null || value.isNull()) {
                return new Node(form.schema(original).deepCopy(), value);
            }
            int before = opener.opened();
            JsonNode out = opener.open(value, path,
                    plaintext -> asParsed.apply(form.value(original, connectCodec.decode(plaintext).value())),
                    Masks::json);
            if (opener.opened() > before) {
                return new Node(form.schema(original).deepCopy(), out);
            }
            if (out == null || out.isNull()) {
                // Masked: the encrypted schema stays (its type no longer describes a decrypted
                // value), made optional so the null is valid.
                ObjectNode s = schema.deepCopy();
                s.set("optional", BooleanNode.TRUE);
                return new Node(s, out);
            }
            return new Node(schema, out);
        }
    }

    private static boolean isEncrypted(ObjectNode schema) {
        JsonNode p = schema.get("parameters");
        return p != null && p.has(EncryptedSchemas.MARKER);
    }
}
