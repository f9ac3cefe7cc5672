package dev.fieldseal.model.avro;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fieldseal.codec.AvroValueCodec;
import dev.fieldseal.format.DecryptionException;
import dev.fieldseal.failure.FailurePolicy;
import dev.fieldseal.failure.OnFailure;
import dev.fieldseal.metrics.FieldsealMetrics;
import dev.fieldseal.envelope.LocalFixture;
import dev.fieldseal.envelope.Sealer;
import dev.fieldseal.envelope.Unsealer;
import dev.fieldseal.field.FieldPath;
import dev.fieldseal.field.FieldSelection;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AvroRecordTest {

    static final Schema SCHEMA = new Schema.Parser().parse("""
            {"type":"record","name":"Customer","namespace":"dev.fieldseal.sample","doc":"d","fields":[
              {"name":"id","type":{"type":"string","logicalType":"uuid"}},
              {"name":"ssn","type":"string","doc":"national id","pii":"yes"},
              {"name":"balance","type":{"type":"bytes","logicalType":"decimal","precision":12,"scale":2}},
              {"name":"born","type":{"type":"int","logicalType":"date"}},
              {"name":"seen","type":{"type":"long","logicalType":"timestamp-millis"}},
              {"name":"nick","type":["null","string"],"default":null},
              {"name":"level","type":"int","default":3},
              {"name":"address","type":["null",{"type":"record","name":"Address","fields":[
                 {"name":"street","type":"string"},{"name":"zip","type":"string"}]}],"default":null},
              {"name":"phones","type":{"type":"array","items":"string"}},
              {"name":"cards","type":{"type":"array","items":{"type":"record","name":"Card","fields":[
                 {"name":"number","type":"string"},{"name":"brand","type":"string"}]}}}
            ]}""");

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

    static FieldSelection select(String... paths) {
        return FieldSelection.of(FieldPath.parseAll(List.of(paths)), List.of());
    }

    static GenericRecord customer(String nick, boolean address) {
        GenericData.Record a = new GenericData.Record(SCHEMA.getField("address").schema().getTypes().get(1));
        a.put("street", "1 Main St");
        a.put("zip", "12345");
        Schema cardSchema = SCHEMA.getField("cards").schema().getElementType();
        GenericData.Record c = new GenericData.Record(cardSchema);
        c.put("number", "4111111111111111");
        c.put("brand", "visa");
        GenericData.Record r = new GenericData.Record(SCHEMA);
        r.put("id", "0b6f1d2e-9a55-4c1e-8a55-1d2e9a554c1e");
        r.put("ssn", "123-45-6789");
        r.put("balance", ByteBuffer.wrap(new BigDecimal("1234.56").unscaledValue().toByteArray()));
        r.put("born", 7000);
        r.put("seen", 1_700_000_000_000L);
        r.put("nick", nick);
        r.put("level", 5);
        r.put("address", address ? a : null);
        r.put("phones", new GenericData.Array<>(SCHEMA.getField("phones").schema(), List.of("555-0100")));
        r.put("cards", new GenericData.Array<>(SCHEMA.getField("cards").schema(), List.of(c)));
        return r;
    }

    static final String[] PATHS = {"id", "ssn", "balance", "born", "seen", "nick", "level", "address.street",
        "phones[*]", "cards[*].number"};

    @Test
    void roundTripsRecordAndSchemaIncludingLogicalTypesNullsAndNesting() {
        AvroEncryptor enc = new AvroEncryptor(sealer, select(PATHS), new AvroValueCodec());
        AvroDecryptor dec = new AvroDecryptor(unsealer, select());
        for (GenericRecord original : List.of(customer("Ace", true), customer(null, false))) {
            AvroEncryptor.Result r = enc.encrypt(original);
            Schema out = r.value().getSchema();
            assertNotEquals(SCHEMA, out);
            assertEquals(Schema.Type.STRING, out.getField("ssn").schema().getType());
            assertEquals("yes", out.getField("ssn").getProp("pii"));
            assertEquals(List.of(Schema.Type.NULL, Schema.Type.STRING),
                    out.getField("nick").schema().getTypes().stream().map(Schema::getType).toList());
            assertTrue(GenericData.get().validate(out, r.value()), "encrypted record fits its schema");
            assertTrue(r.value().get("ssn").toString().startsWith("/kZT"));
            assertTrue(!r.value().toString().contains("123-45-6789") && !r.value().toString().contains("Main St"));

            // the schema survives a trip through its JSON text (a schema file or a schema store)
            Schema reparsed = new Schema.Parser().parse(out.toString());
            GenericRecord copy = GenericData.get().deepCopy(reparsed, r.value());

            AvroDecryptor.Result d = dec.decrypt(copy, Map.of());
            assertEquals(SCHEMA, d.value().getSchema());
            assertEquals(original, d.value());
            assertEquals(0, GenericData.get().compare(original, d.value(), SCHEMA));
        }
        assertSame(enc.outputSchema(SCHEMA), enc.outputSchema(SCHEMA), "cached");
    }

    @Test
    void selectedDecryptionKeepsOtherFieldsEncrypted() {
        GenericRecord r = new AvroEncryptor(sealer, select("ssn", "nick"), new AvroValueCodec())
                .encrypt(customer("Ace", true)).value();
        AvroDecryptor.Result d = new AvroDecryptor(unsealer, select("ssn")).decrypt(r, Map.of());
        assertEquals("123-45-6789", d.value().get("ssn").toString());
        assertTrue(d.value().get("nick").toString().startsWith("/kZT"));
        assertEquals(1, d.fields());
    }

    @Test
    void failuresGoToThePolicyWhoseMaskFitsTheOriginal() {
        GenericData.Record r = (GenericData.Record) new AvroEncryptor(sealer, select("ssn", "nick"),
                new AvroValueCodec()).encrypt(customer("Ace", true)).value();
        r.put("nick", r.get("ssn")); // moved value: fails authentication
        DecryptionException e = assertThrows(DecryptionException.class,
                () -> new AvroDecryptor(unsealer, select()).decrypt(r, Map.of()));
        assertEquals(DecryptionException.Reason.AUTHENTICATION_FAILED, e.reason());
        GenericRecord masked = new AvroDecryptor(unsealer, select(), new AvroValueCodec(),
                new OnFailure(FailurePolicy.MASK, null, new FieldsealMetrics(), f -> new IllegalStateException()))
                .decrypt(r, Map.of()).value();
        assertNull(masked.get("nick"));
        assertEquals("123-45-6789", masked.get("ssn").toString());
    }
}
