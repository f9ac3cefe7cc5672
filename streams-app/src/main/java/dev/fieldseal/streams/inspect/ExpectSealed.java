package dev.fieldseal.streams.inspect;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fieldseal.field.FieldPath;
import dev.fieldseal.format.EnvelopeLayout;
import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.util.Utf8;

/**
 * Counts the values at {@code --expect-sealed} paths that are present, not null and not an
 * envelope: plaintext where sealed data was expected. Paths as everywhere ({@code a.b},
 * {@code items[*].ssn}, {@code [*]} over array elements and map values); {@code $value} means the
 * whole record value.
 */
final class ExpectSealed {
    static final String WHOLE_VALUE = "$value";

    private ExpectSealed() {
    }

    static boolean wholeValue(List<FieldPath> paths) {
        for (FieldPath p : paths) {
            if (p.depth() == 1 && p.head().name().equals(WHOLE_VALUE) && !p.head().eachElement()) {
                return true;
            }
        }
        return false;
    }

    static int json(JsonNode doc, List<FieldPath> paths) {
        int n = 0;
        for (FieldPath p : paths) {
            if (wholeValue(List.of(p))) {
                n += jsonLeaf(doc);
            } else {
                n += json(doc, p.segments(), 0);
            }
        }
        return n;
    }

    private static int json(JsonNode node, List<FieldPath.Segment> segs, int i) {
        if (i == segs.size()) {
            return jsonLeaf(node);
        }
        if (node == null || !node.isObject()) {
            return 0;
        }
        FieldPath.Segment s = segs.get(i);
        JsonNode child = node.get(s.name());
        if (child == null) {
            return 0;
        }
        if (!s.eachElement()) {
            return json(child, segs, i + 1);
        }
        int n = 0;
        if (child.isArray() || child.isObject()) {
            for (JsonNode e : child) {
                n += json(e, segs, i + 1);
            }
        }
        return n;
    }

    private static int jsonLeaf(JsonNode v) {
        if (v == null || v.isNull() || v.isMissingNode()) {
            return 0;
        }
        return v.isTextual() && EnvelopeLayout.hasTextMagic(v.textValue()) ? 0 : 1;
    }

    static int avro(Object datum, List<FieldPath> paths) {
        int n = 0;
        for (FieldPath p : paths) {
            n += wholeValue(List.of(p)) ? avroLeaf(datum) : avro(datum, p.segments(), 0);
        }
        return n;
    }

    private static int avro(Object node, List<FieldPath.Segment> segs, int i) {
        if (i == segs.size()) {
            return avroLeaf(node);
        }
        FieldPath.Segment s = segs.get(i);
        Object child;
        if (node instanceof GenericRecord r && r.getSchema().getField(s.name()) != null) {
            child = r.get(s.name());
        } else if (node instanceof Map<?, ?> m) {
            child = m.containsKey(new Utf8(s.name())) ? m.get(new Utf8(s.name())) : m.get(s.name());
        } else {
            return 0;
        }
        if (child == null) {
            return 0;
        }
        if (!s.eachElement()) {
            return avro(child, segs, i + 1);
        }
        Collection<?> items = child instanceof Collection<?> c ? c : child instanceof Map<?, ?> m ? m.values() : null;
        int n = 0;
        if (items != null) {
            for (Object e : items) {
                n += avro(e, segs, i + 1);
            }
        }
        return n;
    }

    private static int avroLeaf(Object v) {
        if (v == null) {
            return 0;
        }
        if (v instanceof CharSequence cs) {
            return EnvelopeLayout.hasTextMagic(cs.toString()) ? 0 : 1;
        }
        if (v instanceof ByteBuffer bb) {
            byte[] head = new byte[Math.min(EnvelopeLayout.MAGIC.length, bb.remaining())];
            bb.duplicate().get(head);
            return EnvelopeLayout.hasMagic(head) ? 0 : 1;
        }
        return 1;
    }
}
