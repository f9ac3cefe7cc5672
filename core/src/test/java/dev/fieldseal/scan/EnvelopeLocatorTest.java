package dev.fieldseal.scan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.fieldseal.envelope.LocalFixture;
import dev.fieldseal.envelope.Sealer;
import dev.fieldseal.format.EnvelopeLayout;
import dev.fieldseal.kms.Kms;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Conversions;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.util.Utf8;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class EnvelopeLocatorTest {

    private static final LocalFixture FX = new LocalFixture();
    private static Kms kms;
    private static Sealer sealer;

    @BeforeAll
    static void start() {
        kms = FX.kms();
        sealer = new Sealer(FX.config(), kms, Ticker.systemTicker(), FX.metrics);
    }

    @AfterAll
    static void stop() {
        sealer.close();
        kms.close();
    }

    private static byte[] seal(String plaintext, String path) {
        return sealer.seal(plaintext.getBytes(StandardCharsets.UTF_8), path, false, sealer.newRecord());
    }

    private static String b64(byte[] b) {
        return Base64.getEncoder().encodeToString(b);
    }

    // ---- JSON ----------------------------------------------------------------------------------

    @Test
    void jsonFindsEveryEnvelopeAtAnyDepthAndSplicingKeepsEveryOtherByte() throws IOException {
        byte[] e1 = seal("a@example.com", "email");
        byte[] e2 = seal("x", "items[*].ssn");
        byte[] e3 = seal("y", "grid[*]");
        byte[] e4 = seal("z", "tags[*]");
        // the fourth is written with an escaped slash: its text still starts with the prefix
        String e4escaped = b64(e4).replace("/", "\\/");
        String doc = "{ \"amount\" : 1310.70,\n\t\"big\":1e3, \"email\":\"" + b64(e1) + "\",\"note\":\"say \\\"hi\\\" \\u00e9\","
                + " \"items\" : [ {\"ssn\": \"" + b64(e2) + "\", \"n\": -0.0} , 7 ],"
                + "\"grid\":[[1, \"" + b64(e3) + "\"], []], \"tags\":[\"" + e4escaped + "\", \"/kZ plain\"],"
                + " \"nested\": {\"deep\": {\"plain\": \"kZT\"}}, \"nil\": null }";
        byte[] json = doc.getBytes(StandardCharsets.UTF_8);

        List<Located> found = EnvelopeLocator.json(json);

        assertEquals(List.of("email", "items[*].ssn", "grid[*]", "tags[*]"), found.stream().map(Located::path).toList());
        List<byte[]> expected = List.of(e1, e2, e3, e4);
        for (int i = 0; i < found.size(); i++) {
            Located l = found.get(i);
            assertEquals(Encoding.JSON_STRING, l.encoding());
            assertArrayEquals(expected.get(i), l.envelope());
            assertEquals('"', json[l.start()]);
            assertEquals('"', json[l.end() - 1]);
            EnvelopeLayout.parse(l.envelope()); // a real envelope, structurally
        }
        assertEquals("\"" + e4escaped + "\"", new String(json, found.get(3).start(),
                found.get(3).end() - found.get(3).start(), StandardCharsets.UTF_8));

        // replacements of other lengths; the second is kept
        byte[] r1 = seal("a much longer plaintext than before", "email");
        byte[] r3 = seal("", "grid[*]");
        byte[] r4 = seal("zz", "tags[*]");
        assertNotEquals(r1.length, e1.length);
        byte[] out = EnvelopeLocator.splice(json, found, Arrays.asList(r1, null, r3, r4));

        String expectedDoc = doc.replace(b64(e1), b64(r1)).replace(b64(e3), b64(r3)).replace(e4escaped, b64(r4));
        assertEquals(expectedDoc, new String(out, StandardCharsets.UTF_8));
        List<Located> again = EnvelopeLocator.json(out);
        assertArrayEquals(r1, again.get(0).envelope());
        assertArrayEquals(e2, again.get(1).envelope());
        assertArrayEquals(r3, again.get(2).envelope());
        assertArrayEquals(r4, again.get(3).envelope());
    }

    @Test
    void jsonTopLevelStringsAndTopLevelArrays() throws IOException {
        byte[] e = seal("v", "");
        byte[] top = ("  \"" + b64(e) + "\" ").getBytes(StandardCharsets.US_ASCII);
        List<Located> found = EnvelopeLocator.json(top);
        assertEquals(1, found.size());
        assertEquals("", found.get(0).path());
        assertEquals(2, found.get(0).start());
        assertEquals(top.length - 1, found.get(0).end());
        assertArrayEquals(e, found.get(0).envelope());

        byte[] arr = ("[\"plain\", {\"a\": \"" + b64(e) + "\"}, \"" + b64(e) + "\"]").getBytes(StandardCharsets.US_ASCII);
        assertEquals(List.of("a", ""), EnvelopeLocator.json(arr).stream().map(Located::path).toList());
    }

    @Test
    void jsonPathsAreCanonicalFieldPaths() throws IOException {
        byte[] e = seal("v", "x");
        byte[] json = ("{\"customer.id\": \"" + b64(e) + "\", \"a\": {\"b`c\": [\"" + b64(e) + "\"]}}")
                .getBytes(StandardCharsets.UTF_8);
        assertEquals(List.of("`customer.id`", "a.`b``c`[*]"), EnvelopeLocator.json(json).stream().map(Located::path).toList());
    }

    @Test
    void textThatStartsLikeAnEnvelopeButIsNotBase64IsReportedWithoutAnEnvelope() throws IOException {
        List<Located> found = EnvelopeLocator.json("{\"a\": \"/kZT not base64!\"}".getBytes(StandardCharsets.US_ASCII));
        assertEquals(1, found.size());
        assertNull(found.get(0).envelope());
        assertTrue(found.get(0).undecodable());
        assertTrue(EnvelopeLocator.whole("/kZT***".getBytes(StandardCharsets.US_ASCII)).undecodable());
    }

    @Test
    void notJsonIsAnIoException() {
        assertThrows(IOException.class, () -> EnvelopeLocator.json("{\"a\": ".getBytes(StandardCharsets.US_ASCII)));
        assertThrows(IOException.class, () -> EnvelopeLocator.json("{} {}".getBytes(StandardCharsets.US_ASCII)));
        assertThrows(IOException.class, () -> EnvelopeLocator.json(new byte[0]));
    }

    // ---- whole values --------------------------------------------------------------------------

    @Test
    void wholeValuesAsTextOrRaw() {
        byte[] e = seal("v", "$value");
        Located text = EnvelopeLocator.whole(b64(e).getBytes(StandardCharsets.US_ASCII));
        assertEquals(Encoding.TEXT, text.encoding());
        assertArrayEquals(e, text.envelope());
        Located raw = EnvelopeLocator.whole(e);
        assertEquals(Encoding.RAW, raw.encoding());
        assertArrayEquals(e, raw.envelope());
        assertEquals(e.length, raw.end());
        assertNull(EnvelopeLocator.whole("plain".getBytes(StandardCharsets.US_ASCII)));
        assertNull(EnvelopeLocator.whole(new byte[0]));
        assertNull(EnvelopeLocator.whole(null));

        byte[] n = seal("longer value", "$value");
        assertEquals(b64(n), new String(EnvelopeLocator.splice(b64(e).getBytes(StandardCharsets.US_ASCII),
                List.of(text), List.of(n)), StandardCharsets.US_ASCII));
        assertArrayEquals(n, EnvelopeLocator.splice(e, List.of(raw), List.of(n)));
    }

    // ---- Avro ----------------------------------------------------------------------------------

    private static final Schema DECIMAL = LogicalTypes.decimal(9, 2).addToSchema(Schema.create(Schema.Type.BYTES));
    private static final Schema TS = LogicalTypes.timestampMillis().addToSchema(Schema.create(Schema.Type.LONG));
    private static final Schema DATE = LogicalTypes.date().addToSchema(Schema.create(Schema.Type.INT));
    private static final Schema UUID = LogicalTypes.uuid().addToSchema(Schema.create(Schema.Type.STRING));
    private static final Schema ADDRESS = SchemaBuilder.record("Address").fields()
            .requiredString("street").optionalString("zip").endRecord();
    private static final Schema SCHEMA = SchemaBuilder.record("Customer").namespace("test").fields()
            .requiredLong("id")
            .name("email").type().stringType().noDefault()
            .name("phone").type().unionOf().nullType().and().stringType().endUnion().nullDefault()
            .name("fax").type().unionOf().nullType().and().stringType().endUnion().nullDefault()
            .name("amount").type(DECIMAL).noDefault()
            .name("at").type(TS).noDefault()
            .name("born").type(DATE).noDefault()
            .name("ref").type(UUID).noDefault()
            .name("blob").type().bytesType().noDefault()
            .name("kind").type().enumeration("Kind").symbols("A", "B").noDefault()
            .name("hash").type().fixed("Hash").size(4).noDefault()
            .name("score").type().doubleType().noDefault()
            .name("ssns").type().array().items().stringType().noDefault()
            .name("attrs").type().map().values().unionOf().nullType().and().stringType().endUnion().noDefault()
            .name("home").type(ADDRESS).noDefault()
            .name("olds").type().unionOf().nullType().and().array().items(ADDRESS).endUnion().nullDefault()
            .endRecord();

    private static GenericRecord customer(Map<String, byte[]> env) {
        GenericRecord r = new GenericData.Record(SCHEMA);
        r.put("id", 42L);
        r.put("email", b64(env.get("email")));
        r.put("phone", b64(env.get("phone")));
        r.put("fax", null);
        // a decimal whose two's-complement bytes start with the magic: a number, never an envelope
        r.put("amount", ByteBuffer.wrap(new byte[] {(byte) 0xFE, 0x46, 0x53, 0x01}));
        r.put("at", 1_700_000_000_000L);
        r.put("born", 19_000);
        r.put("ref", "7b0c6c38-1b1a-4b7e-9c69-3f3b1f0d2a11");
        r.put("blob", ByteBuffer.wrap(env.get("blob")));
        r.put("kind", new GenericData.EnumSymbol(SCHEMA.getField("kind").schema(), "B"));
        r.put("hash", new GenericData.Fixed(SCHEMA.getField("hash").schema(), new byte[] {1, 2, 3, 4}));
        r.put("score", 1310.70);
        r.put("ssns", List.of("plain", b64(env.get("ssn"))));
        Map<String, Object> attrs = new LinkedHashMap<>();
        attrs.put("k1", b64(env.get("attr")));
        attrs.put("k2", null);
        attrs.put("k3", "v");
        r.put("attrs", attrs);
        GenericRecord home = new GenericData.Record(ADDRESS);
        home.put("street", b64(env.get("street")));
        home.put("zip", "12345");
        r.put("home", home);
        GenericRecord old = new GenericData.Record(ADDRESS);
        old.put("street", "plain street");
        old.put("zip", b64(env.get("zip")));
        r.put("olds", List.of(old));
        return r;
    }

    private static byte[] write(GenericRecord r) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(SCHEMA).write(r, enc);
        enc.flush();
        return out.toByteArray();
    }

    private static GenericRecord read(byte[] data, int offset) throws IOException {
        return new GenericDatumReader<GenericRecord>(SCHEMA).read(null,
                DecoderFactory.get().binaryDecoder(data, offset, data.length - offset, null));
    }

    private static Map<String, byte[]> envelopes() {
        Map<String, byte[]> env = new LinkedHashMap<>();
        for (String p : List.of("email", "phone", "blob", "ssn", "attr", "street", "zip")) {
            env.put(p, seal("value of " + p, p));
        }
        return env;
    }

    @Test
    void avroFindsStringsAndBytesThroughUnionsArraysMapsAndNestedRecords() throws IOException {
        Map<String, byte[]> env = envelopes();
        byte[] data = write(customer(env));

        List<Located> found = EnvelopeLocator.avro(SCHEMA, data, 0);

        assertEquals(List.of("email", "phone", "blob", "ssns[*]", "attrs[*]", "home.street", "olds[*].zip"),
                found.stream().map(Located::path).toList());
        assertEquals(List.of(Encoding.AVRO_STRING, Encoding.AVRO_STRING, Encoding.AVRO_BYTES, Encoding.AVRO_STRING,
                Encoding.AVRO_STRING, Encoding.AVRO_STRING, Encoding.AVRO_STRING),
                found.stream().map(Located::encoding).toList());
        List<byte[]> expected = new ArrayList<>(env.values());
        for (int i = 0; i < found.size(); i++) {
            assertArrayEquals(expected.get(i), found.get(i).envelope(), found.get(i).path());
        }
    }

    @Test
    void avroSplicingReadsBackAsTheSameDatumExceptTheReplacedValues() throws IOException {
        Map<String, byte[]> env = envelopes();
        byte[] data = write(customer(env));
        List<Located> found = EnvelopeLocator.avro(SCHEMA, data, 0);

        Map<String, byte[]> next = new HashMap<>(env);
        List<byte[]> replacements = new ArrayList<>();
        int i = 0;
        for (String p : env.keySet()) {
            if (p.equals("attr")) {
                replacements.add(null); // kept as it is
            } else {
                // lengths change: 1 byte more or many more, so varint lengths grow too
                byte[] r = seal("re-keyed " + p + "x".repeat(40 * i++), p);
                next.put(p, r);
                replacements.add(r);
            }
        }
        byte[] out = EnvelopeLocator.splice(data, found, replacements);

        GenericRecord expected = customer(next);
        GenericRecord actual = read(out, 0);
        assertEquals(GenericData.get().toString(expected), GenericData.get().toString(actual));
        assertEquals(expected, actual);
        assertArrayEquals(write(expected), out);
    }

    @Test
    void avroSingleObjectEncodingIsTheSameWalkAtOffsetTen() throws IOException {
        Map<String, byte[]> env = envelopes();
        GenericRecord rec = customer(env);
        ByteBuffer bb = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), SCHEMA).encode(rec);
        byte[] framed = Arrays.copyOfRange(bb.array(), bb.arrayOffset() + bb.position(), bb.arrayOffset() + bb.limit());
        assertEquals((byte) 0xC3, framed[0]);
        assertEquals(0x01, framed[1]);

        List<Located> found = EnvelopeLocator.avro(SCHEMA, framed, 10);
        assertEquals(7, found.size());
        assertTrue(found.get(0).start() >= 10);
        byte[] r = seal("new email", "email");
        List<byte[]> repl = new ArrayList<>(java.util.Collections.nCopies(7, (byte[]) null));
        repl.set(0, r);
        byte[] out = EnvelopeLocator.splice(framed, found, repl);
        assertArrayEquals(Arrays.copyOf(framed, 10), Arrays.copyOf(out, 10));
        assertEquals(new Utf8(b64(r)), read(out, 10).get("email"));
    }

    @Test
    void avroTopLevelStringsAndBytesAndArrays() {
        byte[] e = seal("v", "");
        byte[] s = EnvelopeLocator.whole(e).replacement(e); // raw
        Located asString = EnvelopeLocator.avro(Schema.create(Schema.Type.STRING),
                new Located("", 0, 0, null, Encoding.AVRO_STRING).replacement(e), 0).get(0);
        assertEquals("", asString.path());
        assertArrayEquals(e, asString.envelope());
        Located asBytes = EnvelopeLocator.avro(Schema.create(Schema.Type.BYTES),
                new Located("", 0, 0, null, Encoding.AVRO_BYTES).replacement(s), 0).get(0);
        assertEquals(Encoding.AVRO_BYTES, asBytes.encoding());
        assertArrayEquals(e, asBytes.envelope());
    }

    @Test
    void avroForgedLengthsAndCountsFailWithoutAllocating() {
        // a string claiming 2^30 bytes, an array claiming 2^40 items, a union index out of range
        byte[] hugeString = {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x08, 'a'};
        assertThrows(IllegalArgumentException.class,
                () -> EnvelopeLocator.avro(Schema.create(Schema.Type.STRING), hugeString, 0));
        byte[] hugeArray = {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x40, 0x02, 'a'};
        assertThrows(IllegalArgumentException.class,
                () -> EnvelopeLocator.avro(Schema.createArray(Schema.create(Schema.Type.STRING)), hugeArray, 0));
        Schema nulls = Schema.createArray(Schema.create(Schema.Type.NULL));
        byte[] manyNulls = {(byte) 0xfe, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f, 0x00};
        assertThrows(IllegalArgumentException.class, () -> EnvelopeLocator.avro(nulls, manyNulls, 0));
        Schema union = SCHEMA.getField("phone").schema();
        assertThrows(IllegalArgumentException.class, () -> EnvelopeLocator.avro(union, new byte[] {0x04}, 0));
        assertThrows(IllegalArgumentException.class,
                () -> EnvelopeLocator.avro(Schema.create(Schema.Type.LONG), new byte[] {0x02, 0x02}, 0));
    }

    @Test
    void decimalBytesWithTheMagicAreNotReported() throws IOException {
        Map<String, byte[]> env = envelopes();
        GenericRecord r = customer(env);
        assertEquals(new BigDecimal("-1.00").signum(), new Conversions.DecimalConversion()
                .fromBytes((ByteBuffer) r.get("amount"), DECIMAL, DECIMAL.getLogicalType()).signum());
        assertTrue(EnvelopeLocator.avro(SCHEMA, write(r), 0).stream().noneMatch(l -> l.path().equals("amount")));
    }
}
