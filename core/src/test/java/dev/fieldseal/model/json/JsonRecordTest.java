package dev.fieldseal.model.json;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fieldseal.codec.ConnectValueCodec;
import dev.fieldseal.codec.JsonValueCodec;
import dev.fieldseal.config.FieldsealConfig;
import dev.fieldseal.dek.DeterministicKey;
import dev.fieldseal.format.DecryptionException;
import dev.fieldseal.failure.FailurePolicy;
import dev.fieldseal.failure.OnFailure;
import dev.fieldseal.metrics.FieldsealMetrics;
import dev.fieldseal.envelope.LocalFixture;
import dev.fieldseal.envelope.Sealer;
import dev.fieldseal.envelope.Unsealer;
import dev.fieldseal.field.FieldPath;
import dev.fieldseal.field.FieldSelection;
import dev.fieldseal.kms.Edek;
import dev.fieldseal.kms.Kms;
import dev.fieldseal.model.connect.ConnectEncryptor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.json.JsonConverter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class JsonRecordTest {

    static final ObjectMapper MAPPER = new ObjectMapper();
    static LocalFixture fx;
    static Sealer sealer;
    static Unsealer unsealer;

    @BeforeAll
    static void start() {
        fx = new LocalFixture();
        sealer = Sealer.create(fx.config(), fx.metrics);
        unsealer = Unsealer.create(fx.config(), fx.metrics);
    }

    @AfterAll
    static void stop() {
        sealer.close();
        unsealer.close();
    }

    static JsonNode json(String s) {
        try {
            return MAPPER.readTree(s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@link JsonDecryptor#decryptText} on the document's JSON text, read back as a tree. */
    static JsonNode viaText(JsonDecryptor jd, JsonNode doc, Map<ByteBuffer, Edek> edeks) {
        try {
            return MAPPER.readTree(jd.decryptText(MAPPER.writeValueAsBytes(doc), MAPPER, edeks).value());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static FieldSelection select(String... paths) {
        return FieldSelection.of(FieldPath.parseAll(List.of(paths)), List.of());
    }

    static JsonEncryptor encryptor(String... paths) {
        return new JsonEncryptor(sealer, select(paths), new JsonValueCodec());
    }

    static final String DOC = "{\"id\":7,\"ssn\":\"123-45-6789\",\"salary\":123456.789,\"big\":12345678901234,"
            + "\"customer\":{\"name\":\"Ada\",\"address\":{\"street\":\"1 Main St\",\"zip\":\"12345\"}},"
            + "\"items\":[{\"card\":\"4111\",\"qty\":1},{\"card\":null,\"qty\":2}],"
            + "\"tags\":[\"a\",\"b\"],\"nothing\":null,\"`odd.name`\":1,\"flag\":true}";

    @Test
    void encryptsSelectedPathsAndDecryptsEverythingFoundByItsPrefix() {
        JsonNode in = json(DOC);
        JsonEncryptor.Result r = encryptor("ssn", "salary", "customer.address", "items[*].card", "tags[*]", "nothing",
                "absent", "flag").encrypt(in);
        JsonNode enc = r.value();
        assertEquals(json(DOC), in, "input untouched");
        for (JsonNode v : List.of(enc.get("ssn"), enc.get("salary"), enc.path("customer").get("address"),
                enc.get("items").get(0).get("card"), enc.get("tags").get(1), enc.get("flag"))) {
            assertTrue(v.isTextual() && v.textValue().startsWith("/kZT"), v.toString());
        }
        assertTrue(enc.get("nothing").isNull());
        assertTrue(enc.get("items").get(1).get("card").isNull());
        assertEquals(7, r.sealed().fields());
        assertFalse(enc.toString().contains("123-45-6789") || enc.toString().contains("Main St"));

        JsonDecryptor.Result d = new JsonDecryptor(unsealer, FieldSelection.of(List.of(), List.of())).decrypt(enc,
                Map.of());
        assertEquals(7, d.fields());
        assertEquals(in, d.value());
        // exact number types survive: decimal stays decimal, long stays long
        assertTrue(d.value().get("salary").isBigDecimal() || d.value().get("salary").isDouble());
        assertEquals(in.get("salary").numberType(), d.value().get("salary").numberType());
        assertEquals(in.get("big").numberType(), d.value().get("big").numberType());
    }

    @Test
    void encryptingTwiceLeavesCiphertextAlone() {
        JsonNode once = encryptor("ssn").encrypt(json(DOC)).value();
        JsonEncryptor.Result twice = encryptor("ssn").encrypt(once);
        assertEquals(once, twice.value());
        assertEquals(0, twice.sealed().fields());
    }

    @Test
    void fieldsLimitWhatIsDecrypted() {
        JsonNode enc = encryptor("ssn", "customer.name").encrypt(json(DOC)).value();
        JsonNode d = new JsonDecryptor(unsealer, select("ssn")).decrypt(enc, Map.of()).value();
        assertEquals("123-45-6789", d.get("ssn").textValue());
        assertEquals(enc.path("customer").get("name"), d.path("customer").get("name"));
    }

    @Test
    void aValueMovedToAnotherFieldFailsAuthenticationAndTheHandlerDecides() {
        ObjectNode enc = (ObjectNode) encryptor("ssn", "customer.name").encrypt(json(DOC)).value();
        enc.set("ssn", enc.path("customer").get("name"));
        JsonDecryptor strict = new JsonDecryptor(unsealer, select());
        DecryptionException e = assertThrows(DecryptionException.class, () -> strict.decrypt(enc, Map.of()));
        assertEquals(DecryptionException.Reason.AUTHENTICATION_FAILED, e.reason());
        assertTrue(e.getMessage().contains("'ssn'"), e.getMessage());
        assertTrue(e.getMessage().contains(fx.kekId), e.getMessage());

        assertThrows(DecryptionException.class, () -> viaText(strict, enc, Map.of()));

        JsonDecryptor masking = new JsonDecryptor(unsealer, select(), new JsonValueCodec(), new ConnectValueCodec(),
                null, new OnFailure(FailurePolicy.MASK, "***", new FieldsealMetrics(), f -> new IllegalStateException()));
        JsonNode d = masking.decrypt(enc, Map.of()).value();
        assertEquals(d, viaText(masking, enc, Map.of()));
        assertEquals("***", d.get("ssn").textValue());
        assertEquals("Ada", d.path("customer").get("name").textValue());
    }

    @Test
    void decryptingJsonTextAgreesWithTheTreeAndKeepsEveryOtherByte() throws IOException {
        JsonNode enc = encryptor("ssn", "salary", "big", "customer.address", "items[*].card", "tags[*]", "flag")
                .encrypt(json(DOC)).value();
        JsonDecryptor all = new JsonDecryptor(unsealer, select());
        assertEquals(json(DOC), viaText(all, enc, Map.of()));
        JsonDecryptor limited = new JsonDecryptor(unsealer, select("ssn", "items[*].card"));
        assertEquals(limited.decrypt(enc, Map.of()).value(), viaText(limited, enc, Map.of()));
        // a top-level array of documents; an array inside an array is entered by neither path
        JsonNode arr = json("[" + enc + ",[" + enc.get("ssn") + "]]");
        assertEquals(all.decrypt(arr, Map.of()).value(), viaText(all, arr, Map.of()));
        assertEquals(enc.get("ssn"), viaText(all, arr, Map.of()).get(1).get(0));

        String spaced = "{ \"ssn\" : " + enc.get("ssn") + " ,\n \"balance\": 1234.50, \"n\": 1e3 }";
        assertEquals("{ \"ssn\" : \"123-45-6789\" ,\n \"balance\": 1234.50, \"n\": 1e3 }", new String(
                all.decryptText(spaced.getBytes(StandardCharsets.UTF_8), MAPPER, Map.of()).value(),
                StandardCharsets.UTF_8));
        byte[] plain = DOC.getBytes(StandardCharsets.UTF_8);
        JsonDecryptor.TextResult none = all.decryptText(plain, MAPPER, Map.of());
        assertSame(plain, none.value(), "nothing to decrypt: the input itself");
        assertEquals(0, none.fields());
    }

    @Test
    void refusesANonObjectDocument() {
        assertThrows(IllegalArgumentException.class, () -> encryptor("a").encrypt(json("[1,2]")));
        assertThrows(IllegalArgumentException.class, () -> encryptor("id.x").encrypt(json(DOC)));
    }

    // ---- JSON written by Connect's JsonConverter ------------------------------------------------

    static JsonConverter converter(boolean schemas) {
        JsonConverter c = new JsonConverter();
        c.configure(Map.of("schemas.enable", schemas, "converter.type", "value"));
        return c;
    }

    /** JsonConverter's own rendering, as the serde module supplies it. */
    static final class ConverterForm implements JsonDecryptor.ConnectForm {
        final JsonConverter schemaless = converter(false);

        @Override
        public ObjectNode schema(Schema schema) {
            return schemaless.asJsonSchema(schema);
        }

        @Override
        public JsonNode value(Schema schema, Object value) {
            return json(new String(schemaless.fromConnectData("t", schema, value)));
        }
    }

    static final Schema ADDRESS = SchemaBuilder.struct().name("Address").field("street", Schema.STRING_SCHEMA)
            .field("zip", Schema.OPTIONAL_STRING_SCHEMA).build();
    static final Schema CUSTOMER = SchemaBuilder.struct().name("Customer").version(2)
            .field("id", Schema.INT64_SCHEMA)
            .field("ssn", Schema.STRING_SCHEMA)
            .field("nick", Schema.OPTIONAL_STRING_SCHEMA)
            .field("balance", org.apache.kafka.connect.data.Decimal.builder(2).optional().build())
            .field("address", ADDRESS)
            .field("phones", SchemaBuilder.array(Schema.STRING_SCHEMA).optional().build())
            .build();

    static Struct customer(String nick) {
        return new Struct(CUSTOMER).put("id", 42L).put("ssn", "123-45-6789").put("nick", nick)
                .put("balance", new BigDecimal("1234.56"))
                .put("address", new Struct(ADDRESS).put("street", "1 Main St").put("zip", "12345"))
                .put("phones", List.of("555-0100", "555-0199"));
    }

    @Test
    void decryptsJsonConverterOutputWithAnEmbeddedSchemaAndRestoresTheSchema() {
        ConnectEncryptor ce = new ConnectEncryptor(sealer, select("ssn", "nick", "balance", "address.street",
                "phones[*]"), new ConnectValueCodec(), false);
        JsonConverter withSchemas = converter(true);
        JsonDecryptor jd = new JsonDecryptor(unsealer, select(), new JsonValueCodec(), new ConnectValueCodec(),
                new ConverterForm(), null);
        for (String nick : new String[] {"Ace", null}) {
            Struct original = customer(nick);
            ConnectEncryptor.Result r = ce.encrypt(CUSTOMER, original);
            JsonNode wire = json(new String(withSchemas.fromConnectData("t", r.schema(), r.value())));
            assertTrue(JsonDecryptor.hasEmbeddedSchema(wire));
            assertFalse(wire.toString().contains("123-45-6789"));
            JsonNode decrypted = jd.decrypt(wire, Map.of()).value();
            assertEquals(decrypted, viaText(jd, wire, Map.of()));
            assertEquals(json(new String(withSchemas.fromConnectData("t", CUSTOMER, original))), decrypted);
            // and JsonConverter reads it back as the original
            assertEquals(original, withSchemas.toConnectData("t", decrypted.toString().getBytes()).value());
        }
    }

    @Test
    void decryptsJsonConverterOutputWithoutSchemas() {
        ConnectEncryptor ce = new ConnectEncryptor(sealer, select("ssn", "balance", "address.street"),
                new ConnectValueCodec(), false);
        JsonConverter plain = converter(false);
        Struct original = customer("Ace");
        ConnectEncryptor.Result r = ce.encrypt(CUSTOMER, original);
        JsonNode wire = json(new String(plain.fromConnectData("t", r.schema(), r.value())));
        JsonDecryptor jd = new JsonDecryptor(unsealer, select(), new JsonValueCodec(), new ConnectValueCodec(),
                new ConverterForm(), null);
        assertEquals(json(new String(plain.fromConnectData("t", CUSTOMER, original))),
                jd.decrypt(wire, Map.of()).value());
        assertEquals(json(new String(plain.fromConnectData("t", CUSTOMER, original))), viaText(jd, wire, Map.of()));

        Map<String, Object> schemaless = Map.of("ssn", "123-45-6789", "n", 5, "inner", Map.of("x", "y"));
        ConnectEncryptor.Result sr = new ConnectEncryptor(sealer, select("ssn", "n", "inner.x"),
                new ConnectValueCodec(), false).encrypt(null, schemaless);
        JsonNode swire = json(new String(plain.fromConnectData("t", null, sr.value())));
        assertEquals(json(new String(plain.fromConnectData("t", null, schemaless))),
                jd.decrypt(swire, Map.of()).value());
    }

    @Test
    void headerPlacementValuesNeedTheRecordsEdekHeader() {
        try (Sealer hs = Sealer.create(fx.config(FieldsealConfig.ENVELOPE_PLACEMENT, "header"), fx.metrics)) {
            JsonEncryptor.Result r = new JsonEncryptor(hs, select("ssn"), new JsonValueCodec()).encrypt(json(DOC));
            byte[] header = r.sealed().headers().get("fieldseal.edek");
            JsonDecryptor jd = new JsonDecryptor(unsealer, select());
            assertEquals(json(DOC), jd.decrypt(r.value(), Unsealer.headerEdeks(header)).value());
            assertEquals(json(DOC), viaText(jd, r.value(), Unsealer.headerEdeks(header)));
            DecryptionException e = assertThrows(DecryptionException.class, () -> jd.decrypt(r.value(), Map.of()));
            assertEquals(DecryptionException.Reason.MISSING_EDEK, e.reason());
        }
    }

    // ---- JSON text: JsonBytesEncryptor against the tree encryptor ----------------------------

    static JsonBytesEncryptor splicer(FieldSelection selection) {
        return new JsonBytesEncryptor(sealer, selection, new JsonValueCodec(), MAPPER);
    }

    static JsonNode decrypted(byte[] json) throws IOException {
        return new JsonDecryptor(unsealer, select()).decrypt(MAPPER.readTree(json), Map.of()).value();
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void agreesWithTheTreeEncryptorOnEveryKindOfSelection() throws IOException {
        String[][] selections = {
            {"ssn"}, {"salary", "big", "flag"}, {"customer.address"}, {"customer.address.street", "customer.name"},
            {"items[*].card"}, {"tags[*]"}, {"items"}, {"nothing", "absent"}, {"`odd.name`"}, {"customer"},
        };
        for (String[] paths : selections) {
            FieldSelection s = select(paths);
            JsonBytesEncryptor.Result r = splicer(s).encrypt(utf8(DOC));
            JsonNode tree = new JsonEncryptor(sealer, s, new JsonValueCodec()).encrypt(json(DOC)).value();
            assertEquals(decrypted(MAPPER.writeValueAsBytes(tree)), decrypted(r.value()), String.join(",", paths));
            assertEquals(json(DOC), decrypted(r.value()), String.join(",", paths));
            assertEquals(tree.toString().length(), new String(r.value(), StandardCharsets.UTF_8).length(),
                    "same envelopes as the tree encryptor: " + String.join(",", paths));
        }
    }

    @Test
    void eachMemberOfAnObjectAsTheTreeEncryptorDoes() throws IOException {
        // [*] over an object encrypts every member value; they are bound to customer[*] (see docs/serde.md)
        FieldSelection s = select("customer[*]");
        JsonNode spliced = MAPPER.readTree(splicer(s).encrypt(utf8(DOC)).value());
        JsonNode tree = new JsonEncryptor(sealer, s, new JsonValueCodec()).encrypt(json(DOC)).value();
        for (String member : List.of("name", "address")) {
            assertTrue(spliced.get("customer").get(member).textValue().startsWith("/kZT"), member);
            assertEquals(tree.get("customer").get(member).textValue().length(),
                    spliced.get("customer").get(member).textValue().length(), member);
        }
        assertEquals(tree.get("items"), spliced.get("items"));
    }

    @Test
    void copiesEveryOtherByteAsItWas() throws IOException {
        String doc = "{ \"id\" : 7,\n  \"ssn\" :\t\"123-45-6789\" , \"balance\": 1234.50, \"n\": 1e3,"
                + " \"tags\": [ \"a\" , null , \"b\" ] }";
        JsonBytesEncryptor.Result r = splicer(select("ssn", "tags[*]")).encrypt(utf8(doc));
        String out = new String(r.value(), StandardCharsets.UTF_8);
        assertTrue(out.startsWith("{ \"id\" : 7,\n  \"ssn\" :\t\"/kZT"), out);
        assertTrue(out.contains("\" , \"balance\": 1234.50, \"n\": 1e3, \"tags\": [ \"/kZT"), out);
        assertTrue(out.contains("\" , null , \"/kZT"), out);
        assertFalse(out.contains("123-45-6789"));
        assertEquals(3, r.sealed().fields());
        assertEquals(json(doc), decrypted(r.value()));
    }

    @Test
    void escapedAndNonAsciiTextRoundTripsAndCiphertextIsNotEncryptedTwice() throws IOException {
        String doc = "{\"note\":\"a \\\"quoted\\\" \\u00e9t\\u00e9 \\\\ line\\nbreak 日本\",\"x\":1}";
        JsonBytesEncryptor splicer = splicer(select("note"));
        byte[] once = splicer.encrypt(utf8(doc)).value();
        assertEquals(json(doc), decrypted(once));
        JsonBytesEncryptor.Result twice = splicer.encrypt(once);
        assertArrayEquals(once, twice.value());
        assertEquals(0, twice.sealed().fields());
    }

    @Test
    void deterministicFieldsGiveEqualCiphertextsForEqualValues() throws IOException {
        FieldSelection s = FieldSelection.of(List.of(), FieldPath.parseAll(List.of("ssn")));
        try (Sealer detSealer = Sealer.create(fx.config(FieldsealConfig.DETERMINISTIC_FIELDS, "ssn",
                FieldsealConfig.DETERMINISTIC_DEK, deterministicDek()), fx.metrics)) {
            JsonBytesEncryptor det = new JsonBytesEncryptor(detSealer, s, new JsonValueCodec(), MAPPER);
            JsonNode a = MAPPER.readTree(det.encrypt(utf8("{\"ssn\":\"123-45-6789\",\"i\":1}")).value());
            JsonNode b = MAPPER.readTree(det.encrypt(utf8("{\"i\":2, \"ssn\": \"123-45-6789\"}")).value());
            assertEquals(a.get("ssn"), b.get("ssn"));
            assertEquals(json("{\"ssn\":\"123-45-6789\",\"i\":1}"), decrypted(MAPPER.writeValueAsBytes(a)));
        }
    }

    @Test
    void whatCannotBeSplicedGivesTheTreeEncryptorsResultOrError() throws IOException {
        // not an object, a path through a string, [*] over a scalar: the same errors as JsonEncryptor
        for (String[] c : new String[][] {{"[1,2]", "ssn"}, {"{\"ssn\":\"x\"}", "ssn.part"}, {"{\"tags\":\"x\"}", "tags[*]"}}) {
            FieldSelection s = select(c[1]);
            IllegalArgumentException tree = assertThrows(IllegalArgumentException.class,
                    () -> new JsonEncryptor(sealer, s, new JsonValueCodec()).encrypt(json(c[0])));
            IllegalArgumentException spliced = assertThrows(IllegalArgumentException.class,
                    () -> splicer(s).encrypt(utf8(c[0])));
            assertEquals(tree.getMessage(), spliced.getMessage());
        }
        assertEquals("null", new String(splicer(select("ssn")).encrypt(utf8("null")).value(), StandardCharsets.UTF_8));
        assertThrows(IOException.class, () -> splicer(select("ssn")).encrypt(utf8("{\"ssn\":")));
    }

    private static String deterministicDek() {
        try (Kms kms = fx.kms()) {
            return DeterministicKey.create(kms, fx.kekId);
        }
    }
}
