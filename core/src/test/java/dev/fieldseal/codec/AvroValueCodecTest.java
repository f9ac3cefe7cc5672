package dev.fieldseal.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.avro.Conversions;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

class AvroValueCodecTest {
    static final String SECRET = ConnectValueCodecTest.SECRET;
    private final AvroValueCodec codec = new AvroValueCodec();

    static final Schema DECIMAL = LogicalTypes.decimal(10, 2).addToSchema(Schema.create(Schema.Type.BYTES));
    static final Schema DATE = LogicalTypes.date().addToSchema(Schema.create(Schema.Type.INT));
    static final Schema TS = LogicalTypes.timestampMillis().addToSchema(Schema.create(Schema.Type.LONG));
    static final Schema UUID_S = LogicalTypes.uuid().addToSchema(Schema.create(Schema.Type.STRING));
    static final Schema ENUM = SchemaBuilder.enumeration("Color").namespace("ex").symbols("RED", "GREEN");
    static final Schema FIXED = SchemaBuilder.fixed("Hash").namespace("ex").size(4);
    static final Schema FIXED_DEC = LogicalTypes.decimal(6, 3).addToSchema(SchemaBuilder.fixed("Amount").namespace("ex").size(5));
    static final Schema ADDRESS = SchemaBuilder.record("Address").namespace("ex").doc("where").fields()
            .requiredString("street").optionalInt("zip").endRecord();

    static Schema orderSchema() {
        return SchemaBuilder.record("Order").namespace("ex").fields()
                .name("id").type().longType().noDefault()
                .name("amount").type(DECIMAL).noDefault()
                .name("day").type(DATE).noDefault()
                .name("at").type(TS).noDefault()
                .name("ref").type(UUID_S).noDefault()
                .name("note").type().unionOf().nullType().and().stringType().endUnion().nullDefault()
                .name("note2").type().unionOf().nullType().and().stringType().endUnion().nullDefault()
                .name("color").type(ENUM).noDefault()
                .name("hash").type(FIXED).noDefault()
                .name("price").type(FIXED_DEC).noDefault()
                .name("ship").type(ADDRESS).noDefault()
                .name("lines").type().array().items().doubleType().noDefault()
                .name("attrs").type().map().values().stringType().noDefault()
                .name("raw").type().bytesType().noDefault()
                .name("ok").type().booleanType().booleanDefault(true)
                .name("f").type().floatType().noDefault()
                .endRecord();
    }

    static GenericRecord order(Schema s) {
        GenericRecord ship = new GenericData.Record(ADDRESS);
        ship.put("street", "Main");
        ship.put("zip", 12345);
        Map<String, String> attrs = new LinkedHashMap<>();
        attrs.put("k", SECRET);
        GenericRecord r = new GenericData.Record(s);
        r.put("id", 7L);
        r.put("amount", new Conversions.DecimalConversion().toBytes(new BigDecimal("12.34"), DECIMAL, DECIMAL.getLogicalType()));
        r.put("day", 19000);
        r.put("at", 1_700_000_000_123L);
        r.put("ref", "0e7f0cde-a3f5-4a94-9d4f-2bb1ea5a3c57");
        r.put("note", null);
        r.put("note2", SECRET);
        r.put("color", new GenericData.EnumSymbol(ENUM, "GREEN"));
        r.put("hash", new GenericData.Fixed(FIXED, new byte[] {1, 2, 3, 4}));
        r.put("price", new Conversions.DecimalConversion().toFixed(new BigDecimal("-1.500"), FIXED_DEC, FIXED_DEC.getLogicalType()));
        r.put("ship", ship);
        r.put("lines", new GenericData.Array<>(Schema.createArray(Schema.create(Schema.Type.DOUBLE)), Arrays.asList(1.5, -2.0)));
        r.put("attrs", attrs);
        r.put("raw", ByteBuffer.wrap(new byte[] {9, 8}));
        r.put("ok", true);
        r.put("f", 0.25f);
        return r;
    }

    @Test
    void recordWithLogicalTypesRoundTrips() {
        Schema s = orderSchema();
        GenericRecord r = order(s);
        AvroValue back = codec.decode(codec.encode(s, r));
        assertEquals(s, back.schema());
        assertEquals(s.toString(), back.schema().toString());
        assertEquals(r, back.datum());
        assertEquals(String.class, ((GenericRecord) back.datum()).get("note2").getClass());
    }

    @Test
    void singleFieldValuesRoundTrip() {
        Object[][] cases = {
            {Schema.create(Schema.Type.STRING), SECRET}, {Schema.create(Schema.Type.LONG), Long.MIN_VALUE},
            {Schema.create(Schema.Type.INT), 3}, {Schema.create(Schema.Type.NULL), null},
            {Schema.create(Schema.Type.DOUBLE), 1e300}, {DATE, -3}, {TS, 5L},
            {SchemaBuilder.unionOf().nullType().and().longType().endUnion(), null},
            {SchemaBuilder.unionOf().nullType().and().longType().endUnion(), 4L},
            {ENUM, new GenericData.EnumSymbol(ENUM, "RED")}, {UUID_S, "x"},
            {SchemaBuilder.map().values().intType(), Map.of("a", 1)},
            {SchemaBuilder.array().items(ADDRESS), List.of()},
        };
        for (Object[] c : cases) {
            Schema s = (Schema) c[0];
            AvroValue back = codec.decode(codec.encode(s, c[1]));
            assertEquals(s, back.schema());
            assertEquals(c[1], back.datum() instanceof GenericData.Array ? List.copyOf((List<?>) back.datum()) : back.datum(), s.toString());
        }
    }

    @Test
    void logicalTypeClassesAreAcceptedAndComeBackGeneric() {
        assertEquals(new Conversions.DecimalConversion().toBytes(new BigDecimal("1.25"), DECIMAL, DECIMAL.getLogicalType()),
                codec.decode(codec.encode(DECIMAL, new BigDecimal("1.25"))).datum());
        assertEquals(19000, codec.decode(codec.encode(DATE, LocalDate.ofEpochDay(19000))).datum());
        assertEquals(1234L, codec.decode(codec.encode(TS, Instant.ofEpochMilli(1234))).datum());
        UUID u = UUID.randomUUID();
        assertEquals(u.toString(), codec.decode(codec.encode(UUID_S, u)).datum());
    }

    @Test
    void wrongDatumFailsWithoutTheValue() {
        CodecException e = assertThrows(CodecException.class, () -> codec.encode(ENUM, new GenericData.EnumSymbol(ENUM, SECRET)));
        assertFalse(e.getMessage().contains(SECRET), e.getMessage());
        e = assertThrows(CodecException.class, () -> codec.encode(Schema.create(Schema.Type.INT), SECRET));
        assertFalse(e.getMessage().contains(SECRET), e.getMessage());
        e = assertThrows(CodecException.class, () -> codec.encode(SchemaBuilder.unionOf().nullType().and().longType().endUnion(), SECRET));
        assertFalse(e.getMessage().contains(SECRET), e.getMessage());
    }
}
