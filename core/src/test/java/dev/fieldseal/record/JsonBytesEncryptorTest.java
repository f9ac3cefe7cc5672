package dev.fieldseal.record;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fieldseal.codec.JsonValueCodec;
import dev.fieldseal.config.FieldsealConfig;
import dev.fieldseal.dek.DeterministicKey;
import dev.fieldseal.envelope.LocalFixture;
import dev.fieldseal.envelope.Sealer;
import dev.fieldseal.envelope.Unsealer;
import dev.fieldseal.field.FieldPath;
import dev.fieldseal.field.FieldSelection;
import dev.fieldseal.kms.Kms;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The splicing encryptor against the tree encryptor it must agree with. */
class JsonBytesEncryptorTest {

    static final ObjectMapper MAPPER = new ObjectMapper();
    static final String DOC = JsonRecordTest.DOC;
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
        return JsonRecordTest.json(s);
    }

    static FieldSelection select(String... paths) {
        return JsonRecordTest.select(paths);
    }

    static JsonBytesEncryptor splicer(FieldSelection selection) {
        return new JsonBytesEncryptor(sealer, selection, new JsonValueCodec(), MAPPER);
    }

    static JsonNode decrypted(byte[] json) throws IOException {
        return new JsonDecryptor(unsealer, FieldSelection.of(List.of(), List.of()))
                .decrypt(MAPPER.readTree(json), Map.of()).value();
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
