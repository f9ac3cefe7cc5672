package dev.fieldseal.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.fieldseal.codec.AvroValueCodec;
import dev.fieldseal.codec.CodecException;
import dev.fieldseal.field.FieldPath;
import dev.fieldseal.field.FieldSelection;
import dev.fieldseal.format.DecryptionException;
import dev.fieldseal.kms.KmsException;
import dev.fieldseal.model.avro.AvroDecryptor;
import dev.fieldseal.model.avro.AvroEncryptor;
import dev.fieldseal.scan.EnvelopeLocator;
import dev.fieldseal.scan.Located;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * Avro as a reader meets it: locating envelopes in binary data ({@code codec/AvroBinaryWalk} through
 * {@link EnvelopeLocator#avro}) and decrypting records whose sealed strings were edited
 * ({@link AvroDecryptor}). Documented escapes: {@link IllegalArgumentException} (data that is
 * not one datum of the schema), {@link DecryptionException}, {@link KmsException},
 * {@link CodecException}.
 */
class AvroFuzzTest {

    /** Every shape the walker descends into: strings, bytes, arrays, maps, unions, nesting, fixed. */
    static final Schema SCHEMA = new Schema.Parser().parse("""
            {"type":"record","name":"R","fields":[
              {"name":"ssn","type":"string"},
              {"name":"raw","type":"bytes"},
              {"name":"n","type":"long"},
              {"name":"tags","type":{"type":"array","items":"string"}},
              {"name":"attrs","type":{"type":"map","values":["null","string","bytes"]}},
              {"name":"inner","type":["null",{"type":"record","name":"I","fields":[
                {"name":"s","type":"string"},{"name":"f","type":{"type":"fixed","name":"F","size":4}},
                {"name":"e","type":{"type":"enum","name":"E","symbols":["A","B"]}},
                {"name":"d","type":"double"},{"name":"ok","type":"boolean"}]}]}
            ]}""");

    @FuzzTest(maxDuration = "60s")
    void locateInAvroBinary(byte[] data) {
        List<Located> found;
        try {
            List<List<Located>> out = new ArrayList<>(1);
            LinearWork.check(data.length, () -> out.add(EnvelopeLocator.avro(SCHEMA, data, 0)));
            found = out.get(0);
        } catch (RuntimeException e) {
            Escapes.only(e, IllegalArgumentException.class);
            return;
        }
        int last = 0;
        List<byte[]> same = new ArrayList<>();
        for (Located l : found) {
            assertTrue(l.start() >= last && l.end() <= data.length && l.start() <= l.end(), l.path());
            last = l.end();
            same.add(null);
        }
        assertArrayEquals(data, EnvelopeLocator.splice(data, found, same));
    }

    static final Schema PLAIN = new Schema.Parser().parse("""
            {"type":"record","name":"P","fields":[
              {"name":"ssn","type":"string"},{"name":"tags","type":{"type":"array","items":"string"}}]}""");

    /** The known plaintext sealed in a field and an array element, once. */
    static final class Record {
        static final GenericRecord SEALED;
        static final AvroDecryptor DECRYPTOR;

        static {
            Sealed s = Sealed.INSTANCE;
            GenericData.Record r = new GenericData.Record(PLAIN);
            String plain = new String(Sealed.PLAINTEXT, StandardCharsets.UTF_8);
            r.put("ssn", plain);
            r.put("tags", new GenericData.Array<>(PLAIN.getField("tags").schema(), List.of(plain)));
            FieldSelection select = FieldSelection.of(FieldPath.parseAll(List.of("ssn", "tags[*]")), List.of());
            SEALED = new AvroEncryptor(s.fieldSealer, select, new AvroValueCodec()).encrypt(r).value();
            DECRYPTOR = new AvroDecryptor(s.unsealer, FieldSelection.of(List.of(), List.of()));
        }
    }

    @FuzzTest(maxDuration = "60s")
    void decryptForgedRecord(FuzzedDataProvider in) {
        GenericRecord r = new GenericData.Record((GenericData.Record) Record.SEALED, true);
        String field = in.consumeBoolean() ? "ssn" : "tags";
        Object v = r.get(field);
        String sealed = v instanceof List<?> l ? String.valueOf(l.get(0)) : String.valueOf(v);
        byte[] forged = Mutations.apply(Base64.getDecoder().decode(sealed), in);
        String text = in.consumeBoolean() ? Base64.getEncoder().encodeToString(forged)
                : new String(forged, StandardCharsets.ISO_8859_1);
        if ("ssn".equals(field)) {
            r.put("ssn", text);
        } else {
            r.put("tags", new GenericData.Array<>(r.getSchema().getField("tags").schema(), List.of(text)));
        }
        try {
            GenericRecord out = Record.DECRYPTOR.decrypt(r, Map.of()).value();
            Object got = out.get(field);
            String opened = String.valueOf(got instanceof List<?> l ? l.get(0) : got);
            assertEquals(new String(Sealed.PLAINTEXT, StandardCharsets.UTF_8), opened,
                    "a forged value decrypted to something that was never sealed");
        } catch (RuntimeException e) {
            Escapes.only(e, DecryptionException.class, KmsException.class, CodecException.class,
                    IllegalArgumentException.class);
        }
    }
}
