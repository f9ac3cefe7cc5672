package dev.fieldseal.codec;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

class MalformedPlaintextTest {
    private static final String SECRET = ConnectValueCodecTest.SECRET;
    private final ConnectValueCodec connect = new ConnectValueCodec();
    private final AvroValueCodec avro = new AvroValueCodec();
    private final JsonValueCodec json = new JsonValueCodec(connect, avro);

    private List<byte[]> validPlaintexts() {
        List<byte[]> all = new ArrayList<>();
        Schema s = ConnectValueCodecTest.personSchema();
        all.add(connect.encode(s, ConnectValueCodecTest.person(s)));
        Map<Object, Object> m = new LinkedHashMap<>();
        m.put("k", SECRET);
        m.put(1, List.of(2L, new java.math.BigDecimal("1.5"), new byte[] {1}));
        all.add(connect.encode(null, m));
        all.add(connect.encode(Schema.OPTIONAL_STRING_SCHEMA, SECRET));
        org.apache.avro.Schema as = AvroValueCodecTest.orderSchema();
        all.add(avro.encode(as, AvroValueCodecTest.order(as)));
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("secret", SECRET).put("n", 1.25).putArray("a").add(1L).add(new java.math.BigInteger("99999999999999999999"));
        all.add(json.encode(o));
        return all;
    }

    /** Every decoder must either succeed or throw CodecException whose message does not leak the value. */
    private void expectClean(byte[] plaintext, boolean mustFail) {
        List<Consumer<byte[]>> decoders = List.of(connect::decode, avro::decode, json::decode);
        ValueFamily family;
        try {
            family = ValueFamily.of(plaintext);
        } catch (CodecException e) {
            assertFalse(e.getMessage().contains(SECRET));
            return;
        }
        for (Consumer<byte[]> d : decoders) {
            boolean own = (d == decoders.get(0) && family == ValueFamily.CONNECT)
                    || (d == decoders.get(1) && family == ValueFamily.AVRO) || d == decoders.get(2);
            try {
                d.accept(plaintext);
                if (mustFail && own) {
                    fail("decoded a malformed plaintext of family " + family);
                }
            } catch (CodecException e) {
                assertFalse(e.getMessage().contains(SECRET), e.getMessage());
                assertFalse(e.getMessage().contains("s3cr3t"), e.getMessage());
            } catch (Throwable t) {
                fail("expected CodecException, got " + t + " for " + Arrays.toString(plaintext), t);
            }
        }
    }

    @Test
    void everyTruncationFails() {
        for (byte[] p : validPlaintexts()) {
            for (int n = 0; n < p.length; n++) {
                expectClean(Arrays.copyOf(p, n), true);
            }
            expectClean(Arrays.copyOf(p, p.length + 1), true); // a trailing byte
        }
    }

    @Test
    void flippedBytesNeverEscapeAsOtherExceptions() {
        Random random = new Random(42);
        for (byte[] p : validPlaintexts()) {
            for (int i = 0; i < p.length; i++) {
                for (int k = 0; k < 4; k++) {
                    byte[] q = p.clone();
                    q[i] = (byte) random.nextInt(256);
                    expectClean(q, false);
                }
            }
        }
    }

    private static byte[] bytes(int... b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int x : b) out.write(x);
        return out.toByteArray();
    }

    private static final int[] HUGE = {0xFF, 0xFF, 0xFF, 0xFF, 0x07}; // 2^31 - 1

    private static byte[] concat(int[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int[] p : parts) for (int x : p) out.write(x);
        return out.toByteArray();
    }

    @Test
    void forgedLengthsAndCountsFailFast() {
        // descriptor length
        expectClean(concat(new int[] {1}, HUGE), true);
        expectClean(concat(new int[] {3}, HUGE), true);
        expectClean(concat(new int[] {2}, HUGE), true);
        // string length inside a CONNECT value (STRING schema)
        expectClean(concat(new int[] {1, 1, 0x08}, HUGE, new int[] {'a'}), true);
        // array count of INT32 and of empty structs
        expectClean(concat(new int[] {1, 2, 0x0A, 0x03}, HUGE, new int[] {1}), true);
        expectClean(concat(new int[] {1, 3, 0x0A, 0x0C, 0x00}, HUGE), true);
        // struct field count in a descriptor
        expectClean(concat(new int[] {1, 6, 0x0C}, HUGE), true);
        // schemaless list and map counts, bytes length
        expectClean(concat(new int[] {1, 0, 13}, HUGE), true);
        expectClean(concat(new int[] {1, 0, 14}, HUGE), true);
        expectClean(concat(new int[] {1, 0, 10}, HUGE), true);
        // JSON array/object counts, text length
        expectClean(concat(new int[] {3, 0, 11}, HUGE), true);
        expectClean(concat(new int[] {3, 0, 12}, HUGE), true);
        expectClean(concat(new int[] {3, 0, 9}, HUGE), true);
        // over-long varint
        expectClean(bytes(1, 0, 6, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01), true);
        // Avro: array of longs, array of nulls, string, bytes with forged counts (zigzag 2^31-1 ≈ FE FF FF FF 0F)
        for (String schema : List.of("{\"type\":\"array\",\"items\":\"long\"}", "{\"type\":\"array\",\"items\":\"null\"}",
                "\"string\"", "\"bytes\"", "{\"type\":\"map\",\"values\":\"int\"}")) {
            byte[] d = schema.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(2);
            out.write(d.length);
            out.writeBytes(d);
            out.writeBytes(bytes(0xFE, 0xFF, 0xFF, 0xFF, 0x0F, 0x02));
            expectClean(out.toByteArray(), true);
        }
        // malformed Avro schema
        byte[] bad = "{\"type\":\"record\"".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(2);
        out.write(bad.length);
        out.writeBytes(bad);
        expectClean(out.toByteArray(), true);
    }

    @Test
    void deepNestingIsRefused() {
        int depth = 100_000;
        // CONNECT descriptor: ARRAY of ARRAY of ...
        byte[] d = new byte[depth];
        Arrays.fill(d, (byte) 0x0A);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(1);
        out.writeBytes(bytes(0x80 | (depth & 0x7F), 0x80 | ((depth >> 7) & 0x7F), depth >> 14));
        out.writeBytes(d);
        expectClean(out.toByteArray(), true);
        // schemaless and JSON: lists of lists
        for (int family : new int[] {1, 3}) {
            out = new ByteArrayOutputStream();
            out.write(family);
            out.write(0);
            for (int i = 0; i < depth; i++) {
                out.write(family == 1 ? 13 : 11);
                out.write(1);
            }
            out.write(0);
            expectClean(out.toByteArray(), true);
        }
        // Avro schema nested too deeply
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 300; i++) sb.append("{\"type\":\"array\",\"items\":");
        sb.append("\"int\"");
        for (int i = 0; i < 300; i++) sb.append('}');
        byte[] a = sb.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        out = new ByteArrayOutputStream();
        out.write(2);
        out.writeBytes(bytes(0x80 | (a.length & 0x7F), a.length >> 7));
        out.writeBytes(a);
        out.write(0);
        expectClean(out.toByteArray(), true);
        // encoding refuses deep values too
        List<Object> deep = new ArrayList<>();
        List<Object> cur = deep;
        for (int i = 0; i < 1000; i++) {
            List<Object> next = new ArrayList<>();
            cur.add(next);
            cur = next;
        }
        try {
            connect.encode(null, deep);
            fail("deep value encoded");
        } catch (CodecException expected) {
            // fine
        }
        Schema nested = SchemaBuilder.array(Schema.INT32_SCHEMA).build();
        for (int i = 0; i < 100; i++) nested = SchemaBuilder.array(nested).build();
        Schema tooDeep = nested;
        try {
            connect.descriptor(tooDeep);
            fail("deep schema described");
        } catch (CodecException expected) {
            // fine
        }
    }
}
