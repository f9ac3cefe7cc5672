package dev.fieldseal.model.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.fieldseal.codec.ConnectValueCodec;
import dev.fieldseal.config.FieldsealConfig;
import dev.fieldseal.dek.DeterministicKey;
import dev.fieldseal.format.DecryptionException;
import dev.fieldseal.envelope.LocalFixture;
import dev.fieldseal.envelope.Sealer;
import dev.fieldseal.envelope.Unsealer;
import dev.fieldseal.field.FieldPath;
import dev.fieldseal.field.FieldSelection;
import dev.fieldseal.kms.Kms;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Time;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.errors.DataException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ConnectRoundTripTest {

    static final Schema ADDRESS = SchemaBuilder.struct().name("Address").optional()
            .field("street", Schema.STRING_SCHEMA).field("zip", Schema.OPTIONAL_STRING_SCHEMA).build();
    static final Schema ITEM = SchemaBuilder.struct().name("Item")
            .field("sku", Schema.STRING_SCHEMA).field("ssn", Schema.OPTIONAL_STRING_SCHEMA).build();
    static final Schema SCHEMA = SchemaBuilder.struct().name("Customer").version(3).doc("a customer")
            .field("id", Schema.INT64_SCHEMA)
            .field("i8", Schema.INT8_SCHEMA).field("i16", Schema.INT16_SCHEMA).field("i32", Schema.INT32_SCHEMA)
            .field("f32", Schema.FLOAT32_SCHEMA).field("f64", Schema.FLOAT64_SCHEMA)
            .field("flag", Schema.BOOLEAN_SCHEMA)
            .field("email", SchemaBuilder.string().doc("contact").build())
            .field("nick", Schema.OPTIONAL_STRING_SCHEMA)
            .field("blob", Schema.BYTES_SCHEMA)
            .field("balance", Decimal.builder(2).optional().build())
            .field("born", Date.SCHEMA).field("wakes", Time.SCHEMA).field("seen", Timestamp.SCHEMA)
            .field("address", ADDRESS)
            .field("tags", SchemaBuilder.array(Schema.STRING_SCHEMA).build())
            .field("items", SchemaBuilder.array(ITEM).build())
            .field("attrs", SchemaBuilder.map(Schema.STRING_SCHEMA, Schema.INT32_SCHEMA).optional().build())
            .field("notes", SchemaBuilder.map(Schema.STRING_SCHEMA, Schema.STRING_SCHEMA).build())
            .build();
    static final List<String> ENCRYPTED = List.of("i8", "i16", "i32", "f32", "f64", "flag", "email", "nick", "blob",
            "balance", "born", "wakes", "seen", "address", "tags[*]", "items[*].ssn", "attrs", "notes.secret");

    private final LocalFixture fx = new LocalFixture();
    private final Kms kms = fx.kms();
    private final ConnectValueCodec codec = new ConnectValueCodec();

    @AfterEach
    void close() {
        kms.close();
    }

    static Struct customer() {
        Struct item1 = new Struct(ITEM).put("sku", "A-1").put("ssn", "111-22-3333");
        Struct item2 = new Struct(ITEM).put("sku", "B-2").put("ssn", null);
        Map<String, Integer> attrs = new LinkedHashMap<>();
        attrs.put("score", 7);
        Map<String, String> notes = new LinkedHashMap<>();
        notes.put("secret", "sleeps at noon");
        notes.put("public", "likes tea");
        return new Struct(SCHEMA).put("id", 42L).put("i8", (byte) -8).put("i16", (short) 1600).put("i32", 320000)
                .put("f32", 3.25f).put("f64", -1.0e300).put("flag", true).put("email", "ada@example.com")
                .put("nick", null).put("blob", new byte[] {0, 1, 2, (byte) 0xFE})
                .put("balance", new BigDecimal("1234.56"))
                .put("born", new java.util.Date(86_400_000L * 3)).put("wakes", new java.util.Date(3_600_000L))
                .put("seen", new java.util.Date(1_700_000_000_123L))
                .put("address", new Struct(ADDRESS).put("street", "1 Main St").put("zip", "12345"))
                .put("tags", List.of("vip", "eu")).put("items", List.of(item1, item2)).put("attrs", attrs)
                .put("notes", notes);
    }

    private ConnectEncryptor encryptor(FieldsealConfig c, List<String> fields, boolean bytes) {
        return new ConnectEncryptor(new Sealer(c, kms, Ticker.systemTicker(), fx.metrics),
                FieldSelection.of(FieldPath.parseAll(fields), c.deterministicFields()), codec, bytes);
    }

    private ConnectDecryptor decryptor(List<String> fields) {
        return new ConnectDecryptor(new Unsealer(fx.config(), kms, Ticker.systemTicker(), fx.metrics),
                FieldSelection.of(FieldPath.parseAll(fields), List.of()), codec);
    }

    @Test
    void everyConnectTypeRoundTripsWithItsSchema() {
        for (boolean bytes : new boolean[] {false, true}) {
            ConnectEncryptor enc = encryptor(fx.config(), ENCRYPTED, bytes);
            Struct original = customer();
            ConnectEncryptor.Result sealed = enc.encrypt(SCHEMA, original);

            Schema out = sealed.schema();
            assertEquals(SCHEMA.fields().size(), out.fields().size());
            assertEquals(bytes ? Schema.Type.BYTES : Schema.Type.STRING, out.field("email").schema().type());
            assertEquals("contact", out.field("email").schema().doc());
            assertTrue(out.field("nick").schema().isOptional());
            assertEquals(Schema.Type.INT64, out.field("id").schema().type());
            assertEquals("Customer", out.name());
            assertEquals(Schema.Type.STRING, out.field("notes").schema().valueSchema().type());
            assertEquals(18, sealed.sealed().fields(), "every non-null selected value");
            String text = sealed.value().toString();
            for (String secret : List.of("ada@example.com", "1 Main St", "111-22-3333", "sleeps at noon", "vip")) {
                assertFalse(text.contains(secret), secret);
            }
            assertTrue(text.contains("likes tea"));
            assertNull(((Struct) sealed.value()).get("nick"));

            ConnectDecryptor.Result opened = decryptor(List.of()).decrypt(out, sealed.value(), Map.of());
            assertEquals(SCHEMA, opened.schema());
            assertEquals(original, opened.value());
            assertEquals(18, opened.fields());
        }
    }

    @Test
    void outputSchemaIsCachedPerInputSchema() {
        ConnectEncryptor enc = encryptor(fx.config(), ENCRYPTED, false);
        assertSame(enc.encrypt(SCHEMA, customer()).schema(), enc.encrypt(SCHEMA, customer()).schema());
    }

    @Test
    void decryptingOnlySelectedFieldsLeavesTheOthersSealed() {
        ConnectEncryptor.Result sealed = encryptor(fx.config(), ENCRYPTED, false).encrypt(SCHEMA, customer());
        ConnectDecryptor.Result opened = decryptor(List.of("email")).decrypt(sealed.schema(), sealed.value(), Map.of());
        Struct v = (Struct) opened.value();
        assertEquals("ada@example.com", v.get("email"));
        assertTrue(EncryptedSchemas.isEncrypted(opened.schema().field("address").schema()));
        assertEquals(1, opened.fields());
    }

    @Test
    void schemalessMapsRoundTrip() {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("id", 7L);
        value.put("email", "ada@example.com");
        value.put("score", 12.5);
        value.put("card", Map.of("number", "4111111111111111", "brand", "visa"));
        value.put("phones", List.of("+1 555 0100", "+1 555 0199"));
        value.put("missingOk", null);
        ConnectEncryptor enc = encryptor(fx.config(), List.of("email", "score", "card.number", "phones[*]", "absent"),
                false);
        ConnectEncryptor.Result sealed = enc.encrypt(null, value);
        assertFalse(sealed.value().toString().contains("ada@example.com"));
        assertFalse(sealed.value().toString().contains("4111111111111111"));
        assertFalse(sealed.value().toString().contains("555 0100"));
        assertEquals(5, sealed.sealed().fields());
        Object opened = decryptor(List.of()).decrypt(null, sealed.value(), Map.of()).value();
        assertEquals(value, opened);
    }

    @Test
    void alreadyEncryptedValuesAreNotEncryptedTwice() {
        ConnectEncryptor enc = encryptor(fx.config(), List.of("email"), false);
        Map<String, Object> once = (Map<String, Object>) enc.encrypt(null, Map.of("email", "a@b.c")).value();
        ConnectEncryptor.Result twice = enc.encrypt(null, once);
        assertEquals(once, twice.value());
        assertEquals(0, twice.sealed().fields());

        ConnectEncryptor.Result s1 = encryptor(fx.config(), ENCRYPTED, false).encrypt(SCHEMA, customer());
        ConnectEncryptor.Result s2 = encryptor(fx.config(), ENCRYPTED, false).encrypt(s1.schema(), s1.value());
        assertEquals(s1.value(), s2.value());
    }

    @Test
    void aValueMovedToAnotherFieldFailsToDecrypt() {
        Map<String, Object> sealed = new LinkedHashMap<>((Map<String, Object>) encryptor(fx.config(),
                List.of("email", "phone"), false).encrypt(null, Map.of("email", "a@b.c", "phone", "555")).value());
        Object email = sealed.get("email");
        sealed.put("email", sealed.get("phone"));
        sealed.put("phone", email);
        DecryptionException e = assertThrows(DecryptionException.class,
                () -> decryptor(List.of()).decrypt(null, sealed, Map.of()));
        assertEquals(DecryptionException.Reason.AUTHENTICATION_FAILED, e.reason());
        assertFalse(e.getMessage().contains("a@b.c"));
    }

    @Test
    void deterministicFieldsGiveEqualCiphertexts() {
        String det = DeterministicKey.create(kms, fx.kekId);
        FieldsealConfig c = fx.config(FieldsealConfig.DETERMINISTIC_FIELDS, "email",
                FieldsealConfig.DETERMINISTIC_DEK, det);
        ConnectEncryptor enc = encryptor(c, List.of(), false);
        Object a = ((Map<?, ?>) enc.encrypt(null, Map.of("email", "a@b.c")).value()).get("email");
        Object b = ((Map<?, ?>) enc.encrypt(null, Map.of("email", "a@b.c")).value()).get("email");
        assertEquals(a, b);
        assertEquals(Map.of("email", "a@b.c"), decryptor(List.of()).decrypt(null, Map.of("email", a), Map.of()).value());
    }

    @Test
    void nullsTombstonesAndMissingFieldsPassThrough() {
        ConnectEncryptor enc = encryptor(fx.config(), List.of("email", "nope.deeper"), false);
        assertNull(enc.encrypt(null, null).value());
        assertNull(enc.encrypt(SCHEMA, null).value());
        assertEquals(0, enc.encrypt(null, new LinkedHashMap<>(Map.of("x", 1))).sealed().fields());
    }

    @Test
    void pathsThroughTheWrongTypeAreExplained() {
        ConnectEncryptor enc = encryptor(fx.config(), List.of("id.deeper"), false);
        DataException e = assertThrows(DataException.class, () -> enc.encrypt(SCHEMA, customer()));
        assertTrue(e.getMessage().contains("id"), e.getMessage());
        ConnectEncryptor mapKey = encryptor(fx.config(), List.of("attrs.score"), false);
        DataException e2 = assertThrows(DataException.class, () -> mapKey.encrypt(SCHEMA, customer()));
        assertTrue(e2.getMessage().contains("attrs[*]"), e2.getMessage());
    }
}
