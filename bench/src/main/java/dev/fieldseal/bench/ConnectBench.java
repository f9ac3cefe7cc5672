package dev.fieldseal.bench;

import dev.fieldseal.config.FieldsealConfig;
import dev.fieldseal.connect.DecryptFields;
import dev.fieldseal.connect.EncryptFields;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.transforms.MaskField;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Connect value transformation on S1/S2, Struct and schemaless: the {@code EncryptFields$Value} /
 * {@code DecryptFields$Value} SMTs against the record passed through, Kafka's {@code MaskField$Value}
 * on the same fields, and the lean AES-256-GCM floor ({@link LeanGcm}) on the same values. The
 * transforms run in both envelope placements: {@code encrypt}/{@code decrypt} in {@code field},
 * {@code encryptHeader}/{@code decryptHeader} in {@code header}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ConnectBench {

    @Param({"S1", "S2"})
    public String shape;

    @Param({"struct", "map"})
    public String form;

    private SourceRecord plain;
    private SourceRecord encrypted;
    private MaskField<SourceRecord> mask;
    private EncryptFields<SourceRecord> encrypt;
    private DecryptFields<SourceRecord> decrypt;
    private SourceRecord encryptedHeader;
    private EncryptFields<SourceRecord> encryptHeader;
    private DecryptFields<SourceRecord> decryptHeader;
    private LeanGcm gcm;
    private RawGcm allocatingGcm;
    private byte[][] fieldValues;
    private byte[][] fieldCiphertexts;

    @Setup(Level.Trial)
    public void setup() {
        List<String> fields = Shapes.fields(shape);
        boolean struct = form.equals("struct");
        plain = new SourceRecord(Map.of("p", 0), Map.of("o", 0L), "customers", 0, Schema.STRING_SCHEMA, "k1",
                struct ? Shapes.SCHEMA : null, struct ? Shapes.struct(7) : Shapes.map(7), 1_700_000_000_000L);
        mask = new MaskField.Value<>();
        mask.configure(Map.of("fields", String.join(",", fields)));

        Map<String, Object> props = new HashMap<>(LocalKeys.props(FieldsealConfig.FIELDS, String.join(",", fields)));
        encrypt = new EncryptFields.Value<>();
        encrypt.configure(props);
        decrypt = new DecryptFields.Value<>();
        // As in the documented sink example: no field list, every fieldseal value found is decrypted.
        decrypt.configure(LocalKeys.props());
        encrypted = encrypt();
        Object back = decrypt().value();
        if (!back.equals(plain.value())) {
            throw new IllegalStateException("round trip changed the value: " + back);
        }
        props.put(FieldsealConfig.ENVELOPE_PLACEMENT, FieldsealConfig.PLACEMENT_HEADER);
        encryptHeader = new EncryptFields.Value<>();
        encryptHeader.configure(props);
        decryptHeader = new DecryptFields.Value<>();
        decryptHeader.configure(LocalKeys.props());
        encryptedHeader = encryptHeader();
        if (encryptedHeader.headers().lastWithName("fieldseal.edek") == null
                || !decryptHeader().value().equals(plain.value())) {
            throw new IllegalStateException("header placement did not round-trip");
        }

        fieldValues = Shapes.fieldBytes(shape, 7);
        int max = 0;
        for (byte[] v : fieldValues) {
            max = Math.max(max, v.length);
        }
        gcm = new LeanGcm(max);
        allocatingGcm = new RawGcm();
        fieldCiphertexts = new byte[fieldValues.length][];
        for (int i = 0; i < fieldValues.length; i++) {
            fieldCiphertexts[i] = gcm.sealed(fieldValues[i]);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        encrypt.close();
        decrypt.close();
        encryptHeader.close();
        decryptHeader.close();
        mask.close();
    }

    /** Baseline: the record handed on unchanged (a new record, as every transformation returns). */
    @Benchmark
    public SourceRecord passThrough() {
        return plain.newRecord(plain.topic(), plain.kafkaPartition(), plain.keySchema(), plain.key(),
                plain.valueSchema(), plain.value(), plain.timestamp());
    }

    /** Baseline: Kafka's MaskField$Value on the same fields. */
    @Benchmark
    public SourceRecord maskField() {
        return mask.apply(plain);
    }

    /** Floor part: one lean AES-256-GCM encryption per encrypted field (preallocated output). */
    @Benchmark
    public void gcmEncrypt(Blackhole bh) {
        for (byte[] v : fieldValues) {
            bh.consume(gcm.encrypt(v));
        }
        bh.consume(gcm.output());
    }

    /** Floor part: one lean AES-256-GCM decryption per encrypted field (preallocated output). */
    @Benchmark
    public void gcmDecrypt(Blackhole bh) {
        for (byte[] c : fieldCiphertexts) {
            bh.consume(gcm.decrypt(c));
        }
        bh.consume(gcm.plaintextOutput());
    }

    /**
     * Not a JMH benchmark: the floor of the first rounds (a new nonce and output array per value),
     * for {@link CpuRatios}' comparison with the lean floor.
     */
    public void allocatingGcmEncrypt(Blackhole bh) {
        for (byte[] v : fieldValues) {
            bh.consume(allocatingGcm.encrypt(v));
        }
    }

    /** EncryptFields$Value: encrypted fields, new schema (cached), key headers. */
    @Benchmark
    public SourceRecord encrypt() {
        return encrypt.apply(plain);
    }

    /** DecryptFields$Value on what EncryptFields$Value produced. */
    @Benchmark
    public SourceRecord decrypt() {
        return decrypt.apply(encrypted);
    }

    /** EncryptFields$Value with {@code envelope.placement=header}. */
    @Benchmark
    public SourceRecord encryptHeader() {
        return encryptHeader.apply(plain);
    }

    /** DecryptFields$Value on what the header-placement EncryptFields$Value produced. */
    @Benchmark
    public SourceRecord decryptHeader() {
        return decryptHeader.apply(encryptedHeader);
    }
}
