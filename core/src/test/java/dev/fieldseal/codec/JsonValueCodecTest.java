package dev.fieldseal.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

class JsonValueCodecTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final ConnectValueCodec connect = new ConnectValueCodec();
    private final AvroValueCodec avro = new AvroValueCodec();
    private final JsonValueCodec codec = new JsonValueCodec(connect, avro);

    @Test
    void everyNodeTypeKeepsItsExactType() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode o = f.objectNode();
        o.putNull("null");
        o.put("t", true).put("f", false).put("int", -5).put("long", 1L << 40).put("short", (short) 3)
                .put("big", new BigInteger("123456789012345678901234567890")).put("float", 1.5f).put("double", 2.5d)
                .put("dec", new BigDecimal("1.2300")).put("text", ConnectValueCodec.class.getName()).put("bin", new byte[] {1, 2});
        o.put("smallLong", 1L);
        o.putArray("arr").add(1).add("x").addNull().addObject().put("k", "v");
        o.putObject("empty");
        JsonNode back = codec.decode(codec.encode(o));
        assertEquals(o, back);
        o.fields().forEachRemaining(e -> assertEquals(e.getValue().getClass(), back.get(e.getKey()).getClass(), e.getKey()));
        assertEquals(4, back.get("dec").decimalValue().scale());
        assertEquals(f.textNode("x"), codec.decode(codec.encode(f.textNode("x"))));
        assertEquals(f.nullNode(), codec.decode(codec.encode(null)));
    }

    @Test
    void connectValuesRenderAsJsonConverterWould() throws Exception {
        Schema s = ConnectValueCodecTest.personSchema();
        Struct p = ConnectValueCodecTest.person(s);
        String json = MAPPER.writeValueAsString(codec.decode(connect.encode(s, p)));
        assertEquals("{\"id\":42,\"name\":\"" + ConnectValueCodecTest.SECRET + "\",\"score\":7,\"salary\":1234.56,\"born\":7000,"
                + "\"wakes\":3600000,\"seen\":null,\"photo\":\"AQID\",\"tags\":[\"x\",null,\"" + ConnectValueCodecTest.SECRET + "\"],"
                + "\"counts\":[[1,1.5],[-2,0.0]],\"home\":{\"street\":\"Main St\",\"zip\":12345},"
                + "\"previous\":[{\"street\":\"Old St\",\"zip\":null}],\"byName\":{\"work\":{\"street\":\"Office Rd\",\"zip\":1}}}", json);
        Map<Object, Object> m = new LinkedHashMap<>();
        m.put("a", 1L);
        m.put("b", List.of(new byte[] {1}, new BigDecimal("2.50"), new java.util.Date(5)));
        assertEquals("{\"a\":1,\"b\":[\"AQ==\",2.50,5]}", MAPPER.writeValueAsString(codec.decode(connect.encode(null, m))));
        assertEquals("[[1,\"x\"]]", MAPPER.writeValueAsString(codec.decode(connect.encode(null, Map.of(1, "x")))));
        assertEquals("\"s\"", MAPPER.writeValueAsString(codec.decode(connect.encode(SchemaBuilder.string().build(), "s"))));
    }

    @Test
    void avroValuesRenderAsJson() throws Exception {
        org.apache.avro.Schema s = AvroValueCodecTest.orderSchema();
        String json = MAPPER.writeValueAsString(codec.decode(avro.encode(s, AvroValueCodecTest.order(s))));
        assertEquals("{\"id\":7,\"amount\":12.34,\"day\":19000,\"at\":1700000000123,\"ref\":\"0e7f0cde-a3f5-4a94-9d4f-2bb1ea5a3c57\","
                + "\"note\":null,\"note2\":\"" + ConnectValueCodecTest.SECRET + "\",\"color\":\"GREEN\",\"hash\":\"AQIDBA==\","
                + "\"price\":-1.500,\"ship\":{\"street\":\"Main\",\"zip\":12345},\"lines\":[1.5,-2.0],\"attrs\":{\"k\":\""
                + ConnectValueCodecTest.SECRET + "\"},\"raw\":\"CQg=\",\"ok\":true,\"f\":0.25}", json);
    }
}
