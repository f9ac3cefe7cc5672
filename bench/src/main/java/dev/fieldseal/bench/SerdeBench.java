package dev.fieldseal.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fieldseal.serde.DecryptingDeserializer;
import dev.fieldseal.serde.EncryptingSerializer;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.connect.json.JsonDeserializer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Consumer side, S1 as JSON: {@link DecryptingDeserializer} (format json, inner deserializer
 * Kafka's {@link JsonDeserializer}, so both hand the application a {@link JsonNode}) on the
 * encrypted bytes, against the plain {@link JsonDeserializer} on the plaintext bytes and lean
 * AES-256-GCM decryption of the three values.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SerdeBench {

    private static final String TOPIC = "customers";

    private byte[] plainBytes;
    private byte[] encryptedBytes;
    private RecordHeaders encryptedHeaders;
    private JsonDeserializer plain;
    private DecryptingDeserializer decrypting;
    private LeanGcm gcm;
    private byte[][] fieldCiphertexts;

    @Setup(Level.Trial)
    public void setup() {
        plainBytes = Shapes.json(7);
        Map<String, Object> props = LocalKeys.prefixed("fields", String.join(",", Shapes.fields("S1")),
                "format", "json");
        try (EncryptingSerializer ser = new EncryptingSerializer()) {
            ser.configure(props, false);
            encryptedHeaders = new RecordHeaders();
            encryptedBytes = ser.serialize(TOPIC, encryptedHeaders, new String(plainBytes,
                    java.nio.charset.StandardCharsets.UTF_8));
        }
        plain = new JsonDeserializer();
        plain.configure(Map.of(), false);
        props.put("fieldseal.inner.deserializer", JsonDeserializer.class.getName());
        decrypting = new DecryptingDeserializer();
        decrypting.configure(props, false);
        Object back = decrypting.deserialize(TOPIC, encryptedHeaders, encryptedBytes);
        if (!back.equals(plain.deserialize(TOPIC, plainBytes))) {
            throw new IllegalStateException("round trip changed the value: " + back);
        }
        byte[][] values = Shapes.fieldBytes("S1", 7);
        int max = 0;
        for (byte[] v : values) {
            max = Math.max(max, v.length);
        }
        gcm = new LeanGcm(max);
        fieldCiphertexts = new byte[values.length][];
        for (int i = 0; i < values.length; i++) {
            fieldCiphertexts[i] = gcm.sealed(values[i]);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        decrypting.close();
        plain.close();
    }

    /** Baseline: the plain JSON deserializer on the same bytes (what a consumer without fieldseal reads). */
    @Benchmark
    public JsonNode plainDeserializer() {
        return plain.deserialize(TOPIC, encryptedBytes);
    }

    /** Stricter baseline: the plain JSON deserializer on the plaintext document, which is shorter. */
    @Benchmark
    public JsonNode plainDeserializerOnPlaintext() {
        return plain.deserialize(TOPIC, plainBytes);
    }

    /** Floor part: lean AES-256-GCM decryption of the three S1 values (preallocated output). */
    @Benchmark
    public void gcmDecrypt(Blackhole bh) {
        for (byte[] c : fieldCiphertexts) {
            bh.consume(gcm.decrypt(c));
        }
        bh.consume(gcm.plaintextOutput());
    }

    @Benchmark
    public Object decryptingDeserializer() {
        return decrypting.deserialize(TOPIC, encryptedHeaders, encryptedBytes);
    }
}
