package dev.fieldseal.model.avro;

import java.util.List;
import java.util.Map;
import org.apache.avro.JsonProperties;
import org.apache.avro.Schema;

/**
 * The Avro schema of encrypted values. A field keeps its name, doc, order, aliases and properties;
 * its type becomes {@code string} ({@code ["null","string"]} if the original allowed null) and it
 * gains three properties: {@value #MARKER} (the wire-format version), {@value #ORIGINAL_SCHEMA} (the
 * original field schema, as JSON text) and, when the original had a default, {@value #ORIGINAL_DEFAULT}.
 * Array and map elements selected with {@code [*]} carry the same properties on their
 * {@code string} schema. Properties survive every Avro schema store, so readers restore the exact
 * original schema even for records where the field is null.
 */
public final class AvroEncryptedSchemas {

    // The names Connect's encrypted schemas give their parameters, so that one
    // marker means "encrypted" in every data model.
    public static final String MARKER = "fieldseal.encrypted";
    public static final String ORIGINAL_SCHEMA = "fieldseal.schema";
    public static final String ORIGINAL_DEFAULT = "fieldseal.default";

    private AvroEncryptedSchemas() {
    }

    public static boolean isEncrypted(Schema.Field f) {
        return f.getProp(MARKER) != null;
    }

    /** The encrypted string schema of an element, or null if {@code el} is not one. */
    static Schema encryptedString(Schema el) {
        if (el.getType() == Schema.Type.STRING && el.getProp(MARKER) != null) {
            return el;
        }
        if (el.getType() == Schema.Type.UNION) {
            for (Schema b : el.getTypes()) {
                if (b.getType() == Schema.Type.STRING && b.getProp(MARKER) != null) {
                    return b;
                }
            }
        }
        return null;
    }

    static boolean nullable(Schema s) {
        if (s.getType() == Schema.Type.NULL) {
            return true;
        }
        if (s.getType() == Schema.Type.UNION) {
            for (Schema b : s.getTypes()) {
                if (b.getType() == Schema.Type.NULL) {
                    return true;
                }
            }
        }
        return false;
    }

    private static Schema stringOrNullable(Schema original, Schema string) {
        return nullable(original) ? Schema.createUnion(Schema.create(Schema.Type.NULL), string) : string;
    }

    static Schema.Field encryptedField(Schema.Field f) {
        boolean nullable = nullable(f.schema());
        Object def = nullable && f.hasDefaultValue() && f.defaultVal() == JsonProperties.NULL_VALUE
                ? JsonProperties.NULL_VALUE : null;
        Schema.Field out = new Schema.Field(f.name(), stringOrNullable(f.schema(), Schema.create(Schema.Type.STRING)),
                f.doc(), def, f.order());
        f.aliases().forEach(out::addAlias);
        f.getObjectProps().forEach(out::addProp);
        out.addProp(MARKER, "1");
        out.addProp(ORIGINAL_SCHEMA, f.schema().toString());
        if (f.hasDefaultValue()) {
            out.addProp(ORIGINAL_DEFAULT, f.defaultVal());
        }
        return out;
    }

    static Schema encryptedElement(Schema el) {
        Schema s = Schema.create(Schema.Type.STRING);
        s.addProp(MARKER, "1");
        s.addProp(ORIGINAL_SCHEMA, el.toString());
        return stringOrNullable(el, s);
    }

    /** The original field, restored from an encrypted one. */
    static Schema.Field originalField(Schema.Field enc) {
        Schema original = originalSchema(enc.getProp(ORIGINAL_SCHEMA), enc.name());
        Object def = enc.getObjectProps().containsKey(ORIGINAL_DEFAULT) ? enc.getObjectProp(ORIGINAL_DEFAULT) : null;
        if (def == null && enc.getObjectProps().containsKey(ORIGINAL_DEFAULT)) {
            def = JsonProperties.NULL_VALUE;
        }
        Schema.Field out = new Schema.Field(enc.name(), original, enc.doc(), def, enc.order());
        enc.aliases().forEach(out::addAlias);
        for (Map.Entry<String, Object> p : enc.getObjectProps().entrySet()) {
            if (!p.getKey().equals(MARKER) && !p.getKey().equals(ORIGINAL_SCHEMA)
                    && !p.getKey().equals(ORIGINAL_DEFAULT)) {
                out.addProp(p.getKey(), p.getValue());
            }
        }
        return out;
    }

    static Schema originalSchema(String json, String where) {
        if (json == null) {
            throw new IllegalArgumentException("Encrypted Avro schema at '" + where + "' lacks its " + ORIGINAL_SCHEMA
                    + " property.");
        }
        return new Schema.Parser().parse(json);
    }

    /** A record schema like {@code s} (name, doc, aliases, properties) with other fields. */
    static Schema copyRecord(Schema s, List<Schema.Field> fields) {
        Schema out = Schema.createRecord(s.getName(), s.getDoc(), s.getNamespace(), s.isError(), fields);
        s.getAliases().forEach(out::addAlias);
        s.getObjectProps().forEach(out::addProp);
        return out;
    }
}
