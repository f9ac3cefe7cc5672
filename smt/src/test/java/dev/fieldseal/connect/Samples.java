package dev.fieldseal.connect;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
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

/** Records with every Connect type, and the plaintext markers that must never reach a topic. */
public final class Samples {

    public static final Schema ADDRESS = SchemaBuilder.struct().name("dev.fieldseal.Address")
            .field("street", Schema.STRING_SCHEMA)
            .field("city", Schema.OPTIONAL_STRING_SCHEMA)
            .optional().build();
    public static final Schema CARD = SchemaBuilder.struct().name("dev.fieldseal.Card")
            .field("number", Schema.STRING_SCHEMA)
            .field("exp", Schema.STRING_SCHEMA)
            .build();
    public static final Schema PERSON = SchemaBuilder.struct().name("dev.fieldseal.Person").version(3)
            .doc("a person").parameter("origin", "test")
            .field("id", Schema.INT64_SCHEMA)
            .field("name", SchemaBuilder.string().optional().doc("full name").build())
            .field("ssn", Schema.STRING_SCHEMA)
            .field("i8", Schema.INT8_SCHEMA)
            .field("i16", Schema.OPTIONAL_INT16_SCHEMA)
            .field("i32", SchemaBuilder.int32().defaultValue(7).build())
            .field("f32", Schema.FLOAT32_SCHEMA)
            .field("f64", Schema.OPTIONAL_FLOAT64_SCHEMA)
            .field("flag", Schema.BOOLEAN_SCHEMA)
            .field("raw", Schema.OPTIONAL_BYTES_SCHEMA)
            .field("amount", Decimal.builder(2).optional().build())
            .field("birth", Date.builder().optional().build())
            .field("at", Time.SCHEMA)
            .field("ts", Timestamp.builder().optional().build())
            .field("nickname", Schema.OPTIONAL_STRING_SCHEMA)
            .field("address", ADDRESS)
            .field("cards", SchemaBuilder.array(CARD).optional().build())
            .field("tags", SchemaBuilder.array(Schema.STRING_SCHEMA).build())
            .field("attrs", SchemaBuilder.map(Schema.STRING_SCHEMA, Schema.OPTIONAL_STRING_SCHEMA).build())
            .field("scores", SchemaBuilder.map(Schema.STRING_SCHEMA, Schema.INT32_SCHEMA).optional().build())
            .build();

    /** Every path to encrypt in {@link #PERSON}; everything but id, name, address.city and cards[*].exp. */
    public static final String PERSON_FIELDS = "ssn,i8,i16,i32,f32,f64,flag,raw,amount,birth,at,ts,nickname,"
            + "address.street,cards[*].number,tags[*],attrs.secret,scores[*]";

    public static final Schema KEY = SchemaBuilder.struct().name("dev.fieldseal.PersonKey")
            .field("id", Schema.STRING_SCHEMA).build();

    private Samples() {
    }

    /** The plaintext marker of record {@code n}: appears in ssn, street, card number, tag and secret. */
    public static String marker(int n) {
        return "SECRET" + (1000 + n) + "X";
    }

    public static Struct person(int n) {
        Struct card = new Struct(CARD).put("number", "4111" + marker(n)).put("exp", "12/30");
        Map<String, String> attrs = new LinkedHashMap<>();
        attrs.put("secret", "attr" + marker(n));
        attrs.put("plain", "visible");
        attrs.put("none", null);
        Map<String, Integer> scores = new LinkedHashMap<>();
        scores.put("a", 1);
        scores.put("b", n);
        Struct s = new Struct(PERSON)
                .put("id", (long) n)
                .put("name", "Name " + n)
                .put("ssn", "ssn" + marker(n))
                .put("i8", (byte) -3)
                .put("i16", n % 2 == 0 ? (short) 1234 : null)
                .put("i32", 42 + n)
                .put("f32", 1.5f)
                .put("f64", Math.PI)
                .put("flag", true)
                .put("raw", ("raw" + marker(n)).getBytes(StandardCharsets.UTF_8))
                .put("amount", new BigDecimal("1234.56"))
                .put("birth", new java.util.Date(86_400_000L * 10_000))
                .put("at", new java.util.Date(3_723_000L))
                .put("ts", new java.util.Date(1_700_000_000_123L))
                .put("nickname", null)
                .put("address", new Struct(ADDRESS).put("street", "street" + marker(n)).put("city", "Springfield"))
                .put("cards", new ArrayList<>(List.of(card)))
                .put("tags", new ArrayList<>(List.of("tag" + marker(n), "other")))
                .put("attrs", attrs)
                .put("scores", scores);
        s.validate();
        return s;
    }

    public static Struct key(int n) {
        return new Struct(KEY).put("id", "user-" + n);
    }

    /** A schemaless value, as JsonConverter with schemas.enable=false gives. */
    public static Map<String, Object> json(int n) {
        Map<String, Object> address = new LinkedHashMap<>();
        address.put("street", "street" + marker(n));
        address.put("zip", 12345L);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", (long) n);
        m.put("ssn", "ssn" + marker(n));
        m.put("amount", 12.5);
        m.put("vip", false);
        m.put("address", address);
        m.put("phones", new ArrayList<>(List.of("phone" + marker(n), "555")));
        m.put("note", null);
        return m;
    }

    public static final String JSON_FIELDS = "ssn,amount,vip,address.street,phones[*],note,missing.field";
}
