package dev.fieldseal.bench;

import dev.fieldseal.codec.ConnectValueCodec;
import dev.fieldseal.config.FieldsealConfig;
import dev.fieldseal.envelope.Sealer;
import dev.fieldseal.envelope.Unsealer;
import dev.fieldseal.field.FieldPath;
import dev.fieldseal.field.FieldSelection;
import dev.fieldseal.format.EdekHeader;
import dev.fieldseal.metrics.FieldsealMetrics;
import dev.fieldseal.record.ConnectDecryptor;
import dev.fieldseal.record.ConnectEncryptor;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.header.Headers;
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
 * Connect value transformation on S1/S2, Struct and schemaless: fieldseal encrypt/decrypt (the
 * work of the EncryptFields/DecryptFields SMTs: walker, new record, headers) against the record
 * passed through, Kafka's MaskField on the same fields, and raw AES-256-GCM on the same values.
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
    private Sealer sealer;
    private Unsealer unsealer;
    private ConnectEncryptor encryptor;
    private ConnectDecryptor decryptor;
    private RawGcm gcm;
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

        FieldsealConfig config = LocalKeys.config(FieldsealConfig.FIELDS, String.join(",", fields));
        sealer = Sealer.create(config, new FieldsealMetrics());
        sealer.warmUp();
        unsealer = Unsealer.create(config, new FieldsealMetrics());
        FieldSelection selection = FieldSelection.of(FieldPath.parseAll(fields), List.of());
        ConnectValueCodec codec = new ConnectValueCodec();
        encryptor = new ConnectEncryptor(sealer, selection, codec, false);
        decryptor = new ConnectDecryptor(unsealer, selection, codec);
        encrypted = encrypt();
        Object back = decrypt().value();
        if (!back.equals(plain.value())) {
            throw new IllegalStateException("round trip changed the value: " + back);
        }

        gcm = new RawGcm();
        fieldValues = Shapes.fieldBytes(shape, 7);
        fieldCiphertexts = new byte[fieldValues.length][];
        for (int i = 0; i < fieldValues.length; i++) {
            fieldCiphertexts[i] = gcm.encrypt(fieldValues[i]);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        sealer.close();
        unsealer.close();
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

    /** Floor part: one raw AES-256-GCM encryption per encrypted field. */
    @Benchmark
    public void gcmEncrypt(Blackhole bh) {
        for (byte[] v : fieldValues) {
            bh.consume(gcm.encrypt(v));
        }
    }

    /** Floor part: one raw AES-256-GCM decryption per encrypted field. */
    @Benchmark
    public void gcmDecrypt(Blackhole bh) {
        for (byte[] c : fieldCiphertexts) {
            bh.consume(gcm.decrypt(c));
        }
    }

    @Benchmark
    public SourceRecord encrypt() {
        ConnectEncryptor.Result r = encryptor.encrypt(plain.valueSchema(), plain.value());
        Headers headers = plain.headers().duplicate();
        r.sealed().headers().forEach(headers::addBytes);
        return plain.newRecord(plain.topic(), plain.kafkaPartition(), plain.keySchema(), plain.key(),
                r.schema(), r.value(), plain.timestamp(), headers);
    }

    @Benchmark
    public SourceRecord decrypt() {
        Header edek = encrypted.headers().lastWithName(EdekHeader.NAME);
        ConnectDecryptor.Result r = decryptor.decrypt(encrypted.valueSchema(), encrypted.value(),
                Unsealer.headerEdeks(edek == null ? null : (byte[]) edek.value()));
        return encrypted.newRecord(encrypted.topic(), encrypted.kafkaPartition(), encrypted.keySchema(),
                encrypted.key(), r.schema(), r.value(), encrypted.timestamp());
    }
}
