package dev.fieldseal.model.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fieldseal.field.FieldSelection;
import java.util.Iterator;
import java.util.Map;

/**
 * The encrypted form of a JSON Schema, as registered for {@code json-confluent} values: the schema
 * of every selected property becomes
 * {@code {"type":"string","fieldseal.encrypted":true,"fieldseal.schema":<the original>}} (type
 * {@code ["string","null"]} where the original admits null, since null values are never sealed),
 * so a validating reader accepts the sealed text and the decrypting side restores the original
 * schema, even of a field that is null in every record.
 *
 * <p>The selection is followed through {@code properties} (by name), and a {@code [*]} step
 * through {@code items} (array elements) and an object-valued {@code additionalProperties} (map
 * values). Properties described only through {@code $ref}, {@code allOf}/{@code oneOf} or
 * {@code patternProperties} are left as they are: their values are still sealed, but the schema
 * keeps describing the plaintext.
 */
public final class EncryptedJsonSchema {

    /** Keyword marking a property whose values are sealed text. */
    public static final String ENCRYPTED = "fieldseal.encrypted";
    /** Keyword holding the property's schema before encryption. */
    public static final String ORIGINAL = "fieldseal.schema";

    private EncryptedJsonSchema() {
    }

    /** {@code plain} with every selected property's schema replaced by its encrypted form (a copy). */
    public static JsonNode encrypted(JsonNode plain, FieldSelection selection) {
        JsonNode out = plain.deepCopy();
        if (out instanceof ObjectNode o) {
            derive(o, selection);
        }
        return out;
    }

    private static void derive(ObjectNode schema, FieldSelection node) {
        JsonNode props = schema.get("properties");
        for (Map.Entry<String, FieldSelection> e : node.fields().entrySet()) {
            if (props instanceof ObjectNode p && p.get(e.getKey()) instanceof ObjectNode child) {
                p.set(e.getKey(), step(child, e.getValue()));
            }
        }
        for (Map.Entry<String, FieldSelection> e : node.eachFields().entrySet()) {
            if (props instanceof ObjectNode p && p.get(e.getKey()) instanceof ObjectNode child) {
                for (String elements : new String[] {"items", "additionalProperties"}) {
                    if (child.get(elements) instanceof ObjectNode each) {
                        child.set(elements, step(each, e.getValue()));
                    }
                }
            }
        }
    }

    private static ObjectNode step(ObjectNode schema, FieldSelection node) {
        if (schema.path(ENCRYPTED).asBoolean(false)) {
            return schema; // already the encrypted form: its values are never sealed twice either
        }
        if (node.selected()) {
            return sealed(schema);
        }
        derive(schema, node);
        return schema;
    }

    private static ObjectNode sealed(ObjectNode original) {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        if (admitsNull(original)) {
            out.set("type", JsonNodeFactory.instance.arrayNode().add("string").add("null"));
        } else {
            out.put("type", "string");
        }
        out.put(ENCRYPTED, true);
        out.set(ORIGINAL, original);
        return out;
    }

    private static boolean admitsNull(JsonNode schema) {
        JsonNode type = schema.get("type");
        if (type != null && type.isTextual()) {
            return "null".equals(type.asText());
        }
        if (type instanceof ArrayNode a) {
            for (JsonNode t : a) {
                if ("null".equals(t.asText())) {
                    return true;
                }
            }
            return false;
        }
        for (String any : new String[] {"anyOf", "oneOf"}) {
            if (schema.get(any) instanceof ArrayNode a) {
                for (JsonNode s : a) {
                    if (admitsNull(s)) {
                        return true;
                    }
                }
            }
        }
        return type == null && !schema.has("anyOf") && !schema.has("oneOf") && !schema.has("enum")
                && !schema.has("const"); // no type constraint at all: null is valid
    }

    /** {@code encrypted} with every encrypted property's schema put back to its original (a copy). */
    public static JsonNode plaintext(JsonNode encrypted) {
        return restore(encrypted.deepCopy());
    }

    private static JsonNode restore(JsonNode n) {
        if (n instanceof ObjectNode o) {
            if (o.path(ENCRYPTED).asBoolean(false) && o.has(ORIGINAL)) {
                return o.get(ORIGINAL);
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                e.setValue(restore(e.getValue()));
            }
        } else if (n instanceof ArrayNode a) {
            for (int i = 0; i < a.size(); i++) {
                a.set(i, restore(a.get(i)));
            }
        }
        return n;
    }

    /** Whether any property of {@code schema} is in the encrypted form. */
    public static boolean hasEncryptedFields(JsonNode schema) {
        if (schema instanceof ObjectNode o && o.path(ENCRYPTED).asBoolean(false)) {
            return true;
        }
        for (JsonNode c : schema) {
            if (hasEncryptedFields(c)) {
                return true;
            }
        }
        return false;
    }
}
