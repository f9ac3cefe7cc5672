package dev.fieldseal.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Time;
import org.apache.kafka.connect.data.Timestamp;
import org.junit.jupiter.api.Test;

class ConnectValueCodecTest {
    static final String SECRET = "s3cr3t-Value-4711";
    private final ConnectValueCodec codec = new ConnectValueCodec();

    private void roundTrip(Schema schema, Object value) {
        byte[] plaintext = codec.encode(schema, value);
        assertEquals(ValueFamily.CONNECT, ValueFamily.of(plaintext));
        SchemaAndValue back = codec.decode(plaintext);
        assertEquals(schema, back.schema(), "schema");
        assertTrue(Objects.deepEquals(value, back.value()), () -> "value of " + schema + ": " + back.value());
        if (value != null && !(value instanceof List) && !(value instanceof Map)) {
            assertEquals(value.getClass(), back.value().getClass());
        }
        if (schema != null) {
            assertEquals(schema, codec.schema(codec.descriptor(schema)));
        }
    }

    static java.util.Date day(int days) {
        return new java.util.Date(days * 86_400_000L);
    }

    @Test
    void everyPrimitiveRequiredAndOptional() {
        Object[][] cases = {
            {Schema.INT8_SCHEMA, (byte) -7}, {Schema.INT16_SCHEMA, (short) -30000}, {Schema.INT32_SCHEMA, Integer.MIN_VALUE},
            {Schema.INT64_SCHEMA, Long.MAX_VALUE}, {Schema.FLOAT32_SCHEMA, 1.5f}, {Schema.FLOAT64_SCHEMA, -0.0d},
            {Schema.BOOLEAN_SCHEMA, true}, {Schema.STRING_SCHEMA, "h\u00e9llo \ud83d\ude00 \u4e16"}, {Schema.BYTES_SCHEMA, new byte[] {0, -1, 2}},
            {Schema.STRING_SCHEMA, ""}, {Schema.FLOAT64_SCHEMA, Double.NaN},
        };
        for (Object[] c : cases) {
            roundTrip((Schema) c[0], c[1]);
        }
        Schema[] optional = {Schema.OPTIONAL_INT8_SCHEMA, Schema.OPTIONAL_INT16_SCHEMA, Schema.OPTIONAL_INT32_SCHEMA,
            Schema.OPTIONAL_INT64_SCHEMA, Schema.OPTIONAL_FLOAT32_SCHEMA, Schema.OPTIONAL_FLOAT64_SCHEMA,
            Schema.OPTIONAL_BOOLEAN_SCHEMA, Schema.OPTIONAL_STRING_SCHEMA, Schema.OPTIONAL_BYTES_SCHEMA};
        for (int i = 0; i < optional.length; i++) {
            roundTrip(optional[i], null);
            roundTrip(optional[i], cases[i][1]);
        }
    }

    @Test
    void logicalTypes() {
        roundTrip(Decimal.schema(2), new BigDecimal("-12345678901234567890.12"));
        roundTrip(Decimal.schema(-3), new BigDecimal("1E+3"));
        roundTrip(Decimal.builder(4).optional().build(), null);
        roundTrip(Date.SCHEMA, day(19000));
        roundTrip(Date.builder().optional().doc("d").build(), day(-5));
        roundTrip(Time.SCHEMA, new java.util.Date(45_296_789L));
        roundTrip(Timestamp.SCHEMA, new java.util.Date(1_700_000_000_123L));
        roundTrip(Timestamp.builder().optional().build(), null);
        // Debezium-style decimal with an extra parameter takes the general path
        Schema debezium = Decimal.builder(2).parameter("connect.decimal.precision", "10").build();
        roundTrip(debezium, new BigDecimal("3.14"));
        // a Decimal whose value scale differs from the schema's is refused, as Connect does
        CodecException e = assertThrows(CodecException.class, () -> codec.encode(Decimal.schema(2), new BigDecimal("1.234")));
        assertFalse(e.getMessage().contains("1.234"));
    }

    @Test
    void schemaMetadataAndDefaults() {
        roundTrip(SchemaBuilder.string().name("com.example.Name").version(3).doc("the doc").parameter("b", "2")
                .parameter("a", "1").defaultValue("dflt").build(), "x");
        roundTrip(SchemaBuilder.int32().optional().defaultValue(5).build(), null);
        roundTrip(SchemaBuilder.int8().defaultValue((byte) 1).build(), (byte) 2);
        roundTrip(SchemaBuilder.bytes().defaultValue(new byte[] {9}).build(), new byte[] {8});
        roundTrip(Decimal.builder(1).defaultValue(new BigDecimal("0.5")).build(), new BigDecimal("1.5"));
        roundTrip(Date.builder().defaultValue(day(1)).build(), day(2));
        roundTrip(SchemaBuilder.array(Schema.STRING_SCHEMA).defaultValue(List.of("a", "b")).build(), List.of("c"));
        roundTrip(SchemaBuilder.map(Schema.STRING_SCHEMA, Schema.INT64_SCHEMA).defaultValue(Map.of("k", 1L)).build(),
                Map.of("z", 2L));
        roundTrip(SchemaBuilder.string().parameters(Map.of()).build(), "empty parameters differ from none");
        roundTrip(SchemaBuilder.float64().version(-2).build(), 2.5d);
    }

    static Schema addressSchema() {
        return SchemaBuilder.struct().name("Address").optional()
                .field("street", Schema.STRING_SCHEMA)
                .field("zip", Schema.OPTIONAL_INT32_SCHEMA)
                .build();
    }

    static Schema personSchema() {
        return SchemaBuilder.struct().name("com.example.Person").version(2).doc("a person")
                .field("id", Schema.INT64_SCHEMA)
                .field("name", SchemaBuilder.string().optional().doc("full name").build())
                .field("score", SchemaBuilder.int32().defaultValue(7).build())
                .field("salary", Decimal.builder(2).optional().build())
                .field("born", Date.SCHEMA)
                .field("wakes", Time.SCHEMA)
                .field("seen", Timestamp.builder().optional().build())
                .field("photo", Schema.OPTIONAL_BYTES_SCHEMA)
                .field("tags", SchemaBuilder.array(Schema.OPTIONAL_STRING_SCHEMA).build())
                .field("counts", SchemaBuilder.map(Schema.INT32_SCHEMA, Schema.FLOAT32_SCHEMA).optional().build())
                .field("home", addressSchema())
                .field("previous", SchemaBuilder.array(addressSchema()).build())
                .field("byName", SchemaBuilder.map(Schema.STRING_SCHEMA, addressSchema()).build())
                .build();
    }

    static Struct person(Schema s) {
        Schema a = s.field("home").schema();
        Map<Integer, Float> counts = new LinkedHashMap<>();
        counts.put(1, 1.5f);
        counts.put(-2, 0f);
        List<String> tags = new ArrayList<>(Arrays.asList("x", null, SECRET));
        return new Struct(s).put("id", 42L).put("name", SECRET).put("salary", new BigDecimal("1234.56"))
                .put("born", day(7000)).put("wakes", new java.util.Date(3_600_000)).put("photo", new byte[] {1, 2, 3})
                .put("tags", tags).put("counts", counts)
                .put("home", new Struct(a).put("street", "Main St").put("zip", 12345))
                .put("previous", List.of(new Struct(a).put("street", "Old St")))
                .put("byName", Map.of("work", new Struct(a).put("street", "Office Rd").put("zip", 1)));
    }

    @Test
    void nestedStructWithEveryKind() {
        Schema s = personSchema();
        Struct p = person(s);
        roundTrip(s, p);
        Struct back = (Struct) codec.decode(codec.encode(s, p)).value();
        assertNull(back.getWithoutDefault("score"), "a null field with a default stays null");
        assertEquals(7, back.get("score"));
        assertNull(back.get("home") == null ? null : back.getStruct("home").get("zip") == null ? "" : null);
        roundTrip(SchemaBuilder.struct().build(), new Struct(SchemaBuilder.struct().build()));
        roundTrip(SchemaBuilder.array(SchemaBuilder.struct().build()).build(),
                List.of(new Struct(SchemaBuilder.struct().build()), new Struct(SchemaBuilder.struct().build())));
    }

    @Test
    void bytesComeBackAsByteArray() {
        ByteBuffer in = ByteBuffer.wrap(new byte[] {5, 6, 7, 8}, 1, 2);
        Object back = codec.decode(codec.encode(Schema.BYTES_SCHEMA, in)).value();
        assertArrayEquals(new byte[] {6, 7}, (byte[]) back);
        assertEquals(2, in.remaining(), "input buffer untouched");
        Object direct = codec.decode(codec.encode(Schema.BYTES_SCHEMA, ByteBuffer.allocateDirect(3))).value();
        assertArrayEquals(new byte[3], (byte[]) direct);
    }

    @Test
    void schemalessValuesOfEveryJavaType() {
        Map<Object, Object> m = new LinkedHashMap<>();
        m.put("null", null);
        m.put("bool", true);
        m.put("false", false);
        m.put("byte", (byte) 3);
        m.put("short", (short) -4);
        m.put("int", 5);
        m.put("long", 6L);
        m.put("float", 7.5f);
        m.put("double", 8.25d);
        m.put("string", SECRET);
        m.put("bytes", new byte[] {1});
        m.put("decimal", new BigDecimal("-9.870"));
        m.put("date", new java.util.Date(123456789L));
        m.put("list", Arrays.asList(1, "two", null, List.of(3L)));
        m.put(7, Map.of("nested", 1.0d));
        m.put("struct", new Struct(addressSchema()).put("street", "S"));
        SchemaAndValue back = codec.decode(codec.encode(null, m));
        assertNull(back.schema());
        Map<?, ?> b = (Map<?, ?>) back.value();
        assertEquals(m.keySet(), b.keySet());
        for (Object k : m.keySet()) {
            Object v = m.get(k);
            assertTrue(Objects.deepEquals(v, b.get(k)), "key " + k);
            if (v != null && !(v instanceof List) && !(v instanceof Map)) assertEquals(v.getClass(), b.get(k).getClass());
        }
        roundTrip(null, null);
        roundTrip(null, "just a string");
        roundTrip(null, 17L);
    }

    @Test
    void descriptorsAreStableAndCompact() {
        Schema s1 = SchemaBuilder.struct().name("n").version(1)
                .field("id", Schema.INT64_SCHEMA).field("name", Schema.OPTIONAL_STRING_SCHEMA).build();
        Schema s2 = SchemaBuilder.struct().name("n").version(1)
                .field("id", Schema.INT64_SCHEMA).field("name", Schema.OPTIONAL_STRING_SCHEMA).build();
        byte[] pinned = {0x4C, 0x02, 0x02, 'i', 'd', 0x04, 0x04, 'n', 'a', 'm', 'e', 0x28, 0x03, 0x01, 'n', 0x02};
        assertArrayEquals(pinned, codec.descriptor(s1));
        assertArrayEquals(pinned, codec.descriptor(s2));
        assertArrayEquals(codec.descriptor(s1), codec.descriptor(s1));
        assertArrayEquals(new byte[] {0x0D, 0x04}, codec.descriptor(Decimal.schema(2)));
        assertArrayEquals(new byte[] {0x0E}, codec.descriptor(Date.SCHEMA));
        // parameter order does not change the descriptor
        Schema p1 = SchemaBuilder.string().parameter("a", "1").parameter("b", "2").build();
        Schema p2 = SchemaBuilder.string().parameter("b", "2").parameter("a", "1").build();
        assertArrayEquals(codec.descriptor(p1), codec.descriptor(p2));
        // a short optional string costs family + length + descriptor + presence + length: 5 bytes over the text
        assertEquals(5 + 3, codec.encode(Schema.OPTIONAL_STRING_SCHEMA, "abc").length);
        assertArrayEquals(new byte[] {1, 1, 0x28, 1, 3, 'a', 'b', 'c'}, codec.encode(Schema.OPTIONAL_STRING_SCHEMA, "abc"));
        assertArrayEquals(new byte[] {1, 1, 0x04, (byte) 0xAC, 0x02}, codec.encode(Schema.INT64_SCHEMA, 150L));
        // decoded schemas are cached by descriptor bytes
        assertSame(codec.schema(codec.descriptor(s1)), codec.schema(codec.descriptor(s2)));
    }

    @Test
    void mismatchedValuesFailWithoutTheValue() {
        CodecException e = assertThrows(CodecException.class, () -> codec.encode(Schema.INT32_SCHEMA, SECRET));
        assertFalse(e.getMessage().contains(SECRET));
        assertTrue(e.getMessage().contains("INT32"), e.getMessage());
        Schema s = personSchema();
        Struct p = new Struct(s).put("name", SECRET); // id never set
        e = assertThrows(CodecException.class, () -> codec.encode(s, p));
        assertFalse(e.getMessage().contains(SECRET));
        assertEquals("at field id: null value for required schema INT64", e.getMessage());
        Schema outer = SchemaBuilder.struct().field("home", SchemaBuilder.struct().field("zip", Schema.INT32_SCHEMA).build()).build();
        Struct inner = new Struct(outer.field("home").schema()); // zip never set
        e = assertThrows(CodecException.class, () -> codec.encode(outer, new Struct(outer) {
            @Override public Object getWithoutDefault(String fieldName) { return inner; }
        }));
        assertEquals("at field home.zip: null value for required schema INT32", e.getMessage());
        e = assertThrows(CodecException.class, () -> codec.encode(Schema.STRING_SCHEMA, null));
        assertFalse(e.getMessage().contains(SECRET));
        e = assertThrows(CodecException.class, () -> codec.encode(null, new Object() {
            @Override public String toString() { return SECRET; }
        }));
        assertFalse(e.getMessage().contains(SECRET));
        assertInstanceOf(CodecException.class, assertThrows(RuntimeException.class,
                () -> codec.encode(Date.SCHEMA, new java.util.Date(1))));
    }

    @Test
    void threadsShareOneCodec() throws Exception {
        Schema s = personSchema();
        Struct p = person(s);
        byte[] expected = codec.encode(s, p);
        List<Thread> threads = new ArrayList<>();
        List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int t = 0; t < 4; t++) {
            Thread th = new Thread(() -> {
                try {
                    for (int i = 0; i < 500; i++) {
                        assertArrayEquals(expected, codec.encode(s, p));
                        assertEquals(p, codec.decode(expected).value());
                        codec.encode(Schema.STRING_SCHEMA, "v" + i);
                    }
                } catch (Throwable e) {
                    errors.add(e);
                }
            });
            threads.add(th);
            th.start();
        }
        for (Thread th : threads) th.join();
        assertTrue(errors.isEmpty(), () -> errors.toString());
    }
}
