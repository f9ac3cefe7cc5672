package dev.fieldseal.fuzz;

import dev.fieldseal.scan.EnvelopeLocator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;

/**
 * Writes the genuine seeds of the fuzz targets (sealed with a fresh local key, so they differ on
 * every run; the checked-in ones were written once) into {@code src/test/resources}. Run from
 * {@code core/}: {@code java -cp target/test-classes:target/classes:<test classpath>
 * dev.fieldseal.fuzz.SeedCorpus}. Seeds that reproduce a finding ({@code regression-*}) are kept by hand.
 */
public final class SeedCorpus {

    static final Path ROOT = Path.of("src", "test", "resources", "dev", "fieldseal");

    private SeedCorpus() {
    }

    public static void main(String[] args) throws IOException {
        Sealed s = Sealed.INSTANCE;
        String gcmText = Base64.getEncoder().encodeToString(s.gcm);
        write("fuzz/WireFormatFuzzTestInputs/envelopeParser", "gcm", s.gcm);
        write("fuzz/WireFormatFuzzTestInputs/envelopeParser", "siv", s.siv);
        write("fuzz/WireFormatFuzzTestInputs/envelopeParser", "header-placement", s.headerValue);
        write("fuzz/WireFormatFuzzTestInputs/edekHeader", "raw", s.header);
        write("fuzz/WireFormatFuzzTestInputs/edekHeader", "base64", Base64.getEncoder().encode(s.header));
        write("fuzz/WireFormatFuzzTestInputs/forgedValueNeverOpensToAnotherPlaintext", "few-edits",
                new byte[] {1, 0, 5, 0, 1, 2, 3});
        write("fuzz/JsonFuzzTestInputs/locateAndSplice", "document",
                JsonFuzzTest.document(gcmText).getBytes(StandardCharsets.UTF_8));
        write("fuzz/JsonFuzzTestInputs/locateAndSplice", "schema-envelope", ("{\"schema\":{\"type\":\"struct\"},"
                + "\"payload\":{\"ssn\":\"" + gcmText + "\",\"x\":[\"/kZT\",\"" + gcmText + "\"]}}")
                .getBytes(StandardCharsets.UTF_8));
        write("fuzz/JsonFuzzTestInputs/decryptForgedDocument", "few-edits", new byte[] {0, 1, 40, 0, 1, 2});
        write("fuzz/AvroFuzzTestInputs/locateInAvroBinary", "record", avroRecord(gcmText));
        write("fuzz/AvroFuzzTestInputs/decryptForgedRecord", "few-edits", new byte[] {1, 0, 3, 0, 9});
        byte[] check = avroRecord(gcmText);
        write("codec/AvroBinaryWalkFuzzTestInputs/checkThenRead", "record", check);
        String events = Files.readString(Path.of("src", "test", "resources", "dev", "fieldseal", "fuzz",
                "RotationEventsFuzzTestInputs", "keysToRefresh", "event-grid"));
        if (events.isEmpty()) {
            throw new IllegalStateException("the event seeds are written by hand");
        }
        List<?> unused = EnvelopeLocator.avro(AvroFuzzTest.SCHEMA, avroRecord(gcmText), 0);
        if (unused.isEmpty()) {
            throw new IllegalStateException("the Avro seed holds no envelope");
        }
    }

    static byte[] avroRecord(String sealedText) throws IOException {
        Schema schema = AvroFuzzTest.SCHEMA;
        GenericData.Record r = new GenericData.Record(schema);
        r.put("ssn", sealedText);
        r.put("raw", java.nio.ByteBuffer.wrap(Base64.getDecoder().decode(sealedText)));
        r.put("n", 42L);
        r.put("tags", List.of(sealedText, "plain"));
        r.put("attrs", java.util.Map.of("a", sealedText));
        Schema inner = schema.getField("inner").schema().getTypes().get(1);
        GenericData.Record i = new GenericData.Record(inner);
        i.put("s", sealedText);
        i.put("f", new GenericData.Fixed(inner.getField("f").schema(), new byte[4]));
        i.put("e", new GenericData.EnumSymbol(inner.getField("e").schema(), "B"));
        i.put("d", 1.5);
        i.put("ok", true);
        r.put("inner", i);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder enc = EncoderFactory.get().directBinaryEncoder(out, null);
        new GenericDatumWriter<GenericData.Record>(schema).write(r, enc);
        enc.flush();
        return out.toByteArray();
    }

    private static void write(String dir, String name, byte[] data) throws IOException {
        Path d = ROOT.resolve(dir);
        Files.createDirectories(d);
        Files.write(d.resolve(name), data);
    }
}
