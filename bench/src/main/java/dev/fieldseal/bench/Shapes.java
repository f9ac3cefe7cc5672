package dev.fieldseal.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;

/**
 * The record shapes of the benchmarks. S1: a 10-field customer record encrypting {@code email},
 * {@code ssn}, {@code address}; S2: the same record encrypting only {@code notes}.
 */
public final class Shapes {

    public static final Schema SCHEMA = SchemaBuilder.struct().name("Customer")
            .field("id", Schema.INT64_SCHEMA)
            .field("name", Schema.STRING_SCHEMA)
            .field("email", Schema.STRING_SCHEMA)
            .field("ssn", Schema.STRING_SCHEMA)
            .field("address", Schema.STRING_SCHEMA)
            .field("balance", Schema.FLOAT64_SCHEMA)
            .field("active", Schema.BOOLEAN_SCHEMA)
            .field("created", Schema.INT64_SCHEMA)
            .field("notes", Schema.STRING_SCHEMA)
            .field("country", Schema.STRING_SCHEMA)
            .build();

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private Shapes() {
    }

    /** The fields a shape encrypts. */
    public static List<String> fields(String shape) {
        switch (shape) {
            case "S1":
                return List.of("email", "ssn", "address");
            case "S2":
                return List.of("notes");
            default:
                throw new IllegalArgumentException("unknown shape " + shape);
        }
    }

    /** A string of exactly {@code n} characters, varying with {@code i}. */
    static String text(String prefix, int n, long i) {
        StringBuilder b = new StringBuilder(n).append(prefix).append(i);
        while (b.length() < n) {
            b.append((char) ('a' + (b.length() * 7 + i) % 26));
        }
        b.setLength(n);
        return b.toString();
    }

    public static Map<String, Object> map(long i) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", i);
        m.put("name", text("n", 16, i));
        m.put("email", text("u", 12, i) + "@example.com"); // 24
        m.put("ssn", String.format("%03d-%02d-%04d", i % 1000, i % 100, i % 10000)); // 11
        m.put("address", text("a", 64, i));
        m.put("balance", 1234.5 + i);
        m.put("active", i % 2 == 0);
        m.put("created", 1_700_000_000_000L + i);
        m.put("notes", text("t", 256, i));
        m.put("country", "DE");
        return m;
    }

    public static Struct struct(long i) {
        Struct s = new Struct(SCHEMA);
        map(i).forEach(s::put);
        return s;
    }

    public static byte[] json(long i) {
        try {
            return MAPPER.writeValueAsBytes(map(i));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The UTF-8 bytes of the values a shape encrypts (what a raw GCM floor encrypts). */
    public static byte[][] fieldBytes(String shape, long i) {
        Map<String, Object> m = map(i);
        List<String> f = fields(shape);
        byte[][] out = new byte[f.size()][];
        for (int k = 0; k < out.length; k++) {
            out[k] = ((String) m.get(f.get(k))).getBytes(StandardCharsets.UTF_8);
        }
        return out;
    }
}
