package dev.fieldseal.streams;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.fieldseal.envelope.DecryptionException;
import dev.fieldseal.envelope.Rekeyer;
import dev.fieldseal.format.EnvelopeLayout;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.util.Utf8;

/**
 * Finds every fieldseal value in a JSON tree or an Avro datum (text starting with the base64
 * magic {@code /kZT}) and hands it to {@link Rekeyer#rekey}; values that moved are replaced in
 * place, everything else is left alone. Only the envelope's key block changes, so nonce,
 * ciphertext and tag stay byte-identical.
 */
final class RekeyWalker {

    private final Rekeyer rekeyer;

    RekeyWalker(Rekeyer rekeyer) {
        this.rekeyer = rekeyer;
    }

    /** Re-keys below {@code node}; returns the node to put in its place (itself if it is a container). */
    JsonNode json(JsonNode node, Rekeyer.RekeyedRecord record) {
        if (node instanceof ObjectNode o) {
            Iterator<Map.Entry<String, JsonNode>> it = o.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                JsonNode nv = json(e.getValue(), record);
                if (nv != e.getValue()) {
                    e.setValue(nv);
                }
            }
            return o;
        }
        if (node instanceof ArrayNode a) {
            for (int i = 0; i < a.size(); i++) {
                JsonNode v = a.get(i);
                JsonNode nv = json(v, record);
                if (nv != v) {
                    a.set(i, nv);
                }
            }
            return a;
        }
        if (node != null && node.isTextual() && EnvelopeLayout.hasTextMagic(node.textValue())) {
            String moved = text(node.textValue(), record);
            return moved == null ? node : TextNode.valueOf(moved);
        }
        return node;
    }

    /** Re-keys inside an Avro datum (records, arrays, maps, strings); returns the datum to put in its place. */
    @SuppressWarnings("unchecked")
    Object avro(Object datum, Rekeyer.RekeyedRecord record) {
        if (datum instanceof GenericRecord r) {
            int n = r.getSchema().getFields().size();
            for (int i = 0; i < n; i++) {
                Object v = r.get(i);
                Object nv = avro(v, record);
                if (nv != v) {
                    r.put(i, nv);
                }
            }
            return r;
        }
        if (datum instanceof List<?> list) {
            List<Object> l = (List<Object>) list;
            for (int i = 0; i < l.size(); i++) {
                Object v = l.get(i);
                Object nv = avro(v, record);
                if (nv != v) {
                    l.set(i, nv);
                }
            }
            return l;
        }
        if (datum instanceof Map<?, ?> map) {
            Map<Object, Object> m = (Map<Object, Object>) map;
            for (Map.Entry<Object, Object> e : m.entrySet()) {
                Object nv = avro(e.getValue(), record);
                if (nv != e.getValue()) {
                    e.setValue(nv);
                }
            }
            return m;
        }
        if (datum instanceof CharSequence cs) {
            String s = cs.toString();
            if (EnvelopeLayout.hasTextMagic(s)) {
                String moved = text(s, record);
                return moved == null ? datum : new Utf8(moved);
            }
        }
        return datum;
    }

    /** The re-keyed base64 text, or null if the value is already under the newest version. */
    private String text(String b64, Rekeyer.RekeyedRecord record) {
        byte[] envelope;
        try {
            envelope = Base64.getDecoder().decode(b64);
        } catch (IllegalArgumentException e) {
            throw new DecryptionException(DecryptionException.Reason.MALFORMED,
                    "A value starts like a fieldseal value but is not base64 text.");
        }
        byte[] out = rekeyer.rekey(envelope, record);
        return out == envelope ? null : Base64.getEncoder().encodeToString(out);
    }
}
