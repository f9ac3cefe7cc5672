package dev.fieldseal.failure;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Time;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.avro.generic.GenericData;

/**
 * The masked value that stands in for a value that could not be opened under
 * {@code on.failure=mask}: a value of the field's ORIGINAL type (restored from the encrypted
 * schema), so the record still fits its schema. The rule, also the table in
 * {@code docs/operations.md}: optional (nullable) → null; string → the mask text; numbers → 0;
 * boolean → false; bytes → empty; date/time logical types → the epoch; enum → its first symbol;
 * struct/record → each field masked; array → empty; map → empty. JSON without a schema has no
 * original type to go by: the mask text, or null when none is set.
 */
public final class Masks {

    /** The text masked strings get unless the host sets another ({@code fieldseal.mask.value} in the deserializer). */
    public static final String TEXT = "****";

    private Masks() {
    }

    /** A Connect value of {@code original}'s type. */
    public static Object connect(Schema original, String text) {
        if (original == null || original.isOptional()) {
            return null;
        }
        if (original.name() != null) {
            switch (original.name()) {
                case Decimal.LOGICAL_NAME:
                    return BigDecimal.ZERO.setScale(Integer.parseInt(original.parameters().get(Decimal.SCALE_FIELD)));
                case Date.LOGICAL_NAME:
                case Time.LOGICAL_NAME:
                case Timestamp.LOGICAL_NAME:
                    return new java.util.Date(0);
                default:
                    break;
            }
        }
        return switch (original.type()) {
            case INT8 -> (byte) 0;
            case INT16 -> (short) 0;
            case INT32 -> 0;
            case INT64 -> 0L;
            case FLOAT32 -> 0f;
            case FLOAT64 -> 0d;
            case BOOLEAN -> false;
            case STRING -> text(text);
            case BYTES -> new byte[0];
            case ARRAY -> new ArrayList<>();
            case MAP -> new HashMap<>();
            case STRUCT -> {
                Struct s = new Struct(original);
                for (Field f : original.fields()) {
                    s.put(f, connect(f.schema(), text));
                }
                yield s;
            }
        };
    }

    /** An Avro datum of {@code original}'s type. */
    public static Object avro(org.apache.avro.Schema original, String text) {
        switch (original.getType()) {
            case NULL:
                return null;
            case UNION:
                for (org.apache.avro.Schema b : original.getTypes()) {
                    if (b.getType() == org.apache.avro.Schema.Type.NULL) {
                        return null;
                    }
                }
                return avro(original.getTypes().get(0), text);
            case STRING:
                return text(text);
            case INT:
                return 0;
            case LONG:
                return 0L;
            case FLOAT:
                return 0f;
            case DOUBLE:
                return 0d;
            case BOOLEAN:
                return false;
            case BYTES:
                return ByteBuffer.allocate(0);
            case FIXED:
                return new GenericData.Fixed(original, new byte[original.getFixedSize()]);
            case ENUM:
                return new GenericData.EnumSymbol(original, original.getEnumSymbols().get(0));
            case ARRAY:
                return new GenericData.Array<>(original, List.of());
            case MAP:
                return new HashMap<>();
            case RECORD: {
                GenericData.Record r = new GenericData.Record(original);
                for (org.apache.avro.Schema.Field f : original.getFields()) {
                    r.put(f.pos(), avro(f.schema(), text));
                }
                return r;
            }
            default:
                throw new IllegalArgumentException("No mask for Avro type " + original.getType());
        }
    }

    /** JSON without a schema: the host's mask text, or null when it sets none (the deserializer's rule). */
    public static JsonNode json(String hostText) {
        return hostText == null ? NullNode.getInstance() : TextNode.valueOf(hostText);
    }

    private static String text(String text) {
        return text == null ? TEXT : text;
    }
}
