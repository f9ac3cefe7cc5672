package dev.fieldseal.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fieldseal.codec.ConnectValueCodec;
import dev.fieldseal.codec.JsonValueCodec;
import dev.fieldseal.config.FieldsealConfig;
import dev.fieldseal.envelope.SealedRecord;
import dev.fieldseal.envelope.Sealer;
import dev.fieldseal.envelope.Unsealer;
import dev.fieldseal.field.FieldPath;
import dev.fieldseal.field.FieldSelection;
import dev.fieldseal.metrics.FieldsealMetrics;
import dev.fieldseal.model.connect.ConnectDecryptor;
import dev.fieldseal.model.connect.ConnectEncryptor;
import dev.fieldseal.model.json.JsonEncryptor;
import dev.fieldseal.testkit.KeyVaultDouble;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Struct;

/**
 * The measurements that are not micro-benchmarks: Key Vault calls for 1,000,000 records, Kafka
 * Streams throughput on the in-JVM broker, bytes per record by envelope placement, and key
 * retirement ({@link KeyRetirement}: re-key economy and inspect). Writes its results as JSON (read
 * by {@link Report}).
 *
 * <p>Usage: {@code Measurements <out.json> [records] [streamsRecords] [retirementRecords]} (0 retirement
 * records: skip it).
 */
public final class Measurements {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final ObjectNode out = MAPPER.createObjectNode();

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        int records = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
        int streamsRecords = args.length > 2 ? Integer.parseInt(args[2]) : 200_000;
        int retirementRecords = args.length > 3 ? Integer.parseInt(args[3]) : 1_000_000;
        Measurements m = new Measurements();
        try (KeyVaultDouble vault = new KeyVaultDouble()) {
            vault.createRsaKey("bench-rsa");
            m.placement(vault);
            m.keyVaultEconomy(vault, records);
        }
        m.streams(streamsRecords);
        if (retirementRecords > 0) {
            m.out.set(KeyRetirementSection.JSON_NAME, KeyRetirement.measure(retirementRecords, KeyRetirement.DEFAULT_DEKS,
                    InspectRun.Launcher.childJvm()));
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        MAPPER.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), m.out);
        System.out.println(MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(m.out));
        System.exit(0); // the broker's and clients' non-daemon threads
    }

    static Map<String, Object> azureProps(KeyVaultDouble vault, String key, Object... kv) {
        Map<String, Object> p = new HashMap<>();
        p.put(FieldsealConfig.KEK_ID, vault.keyId(key));
        p.put(FieldsealConfig.AZURE_CREDENTIAL, "emulator");
        p.put(FieldsealConfig.AZURE_TLS_CA_FILE, vault.caPemFile().toString());
        for (int i = 0; i < kv.length; i += 2) {
            p.put((String) kv[i], kv[i + 1]);
        }
        return p;
    }

    // ---- Key Vault economy --------------------------------------------------------------------

    void keyVaultEconomy(KeyVaultDouble vault, int records) {
        List<String> fields = Shapes.fields("S1");
        FieldsealConfig config = new FieldsealConfig(azureProps(vault, "bench-rsa",
                FieldsealConfig.FIELDS, String.join(",", fields)));
        FieldSelection selection = FieldSelection.of(FieldPath.parseAll(fields), List.of());
        ConnectValueCodec codec = new ConnectValueCodec();
        vault.reset();
        FieldsealMetrics encMetrics = new FieldsealMetrics();
        Object[] encrypted = new Object[records];
        org.apache.kafka.connect.data.Schema schema;
        long t0 = System.nanoTime();
        try (Sealer sealer = Sealer.create(config, encMetrics)) {
            ConnectEncryptor enc = new ConnectEncryptor(sealer, selection, codec, false);
            schema = enc.outputSchema(Shapes.SCHEMA);
            for (int i = 0; i < records; i++) {
                encrypted[i] = enc.encrypt(Shapes.SCHEMA, Shapes.struct(i)).value();
            }
        }
        long encNanos = System.nanoTime() - t0;
        Map<String, Integer> encCalls = calls(vault);
        vault.reset();
        FieldsealMetrics decMetrics = new FieldsealMetrics();
        t0 = System.nanoTime();
        try (Unsealer unsealer = Unsealer.create(config, decMetrics)) {
            ConnectDecryptor dec = new ConnectDecryptor(unsealer, selection, codec);
            for (int i = 0; i < records; i++) {
                Object v = dec.decrypt(schema, encrypted[i], Map.of()).value();
                if (i % 1000 == 0 && !((Struct) v).get("ssn").equals(Shapes.map(i).get("ssn"))) {
                    throw new IllegalStateException("record " + i + " did not round-trip");
                }
                encrypted[i] = null;
            }
        }
        long decNanos = System.nanoTime() - t0;
        Map<String, Integer> decCalls = calls(vault);
        ObjectNode n = out.putObject("keyVault");
        n.put("records", records);
        n.put("fieldsPerRecord", fields.size());
        n.set("encryptCalls", MAPPER.valueToTree(encCalls));
        n.set("decryptCalls", MAPPER.valueToTree(decCalls));
        n.put("deksCreated", encMetrics.get(FieldsealMetrics.DEKS_CREATED));
        n.put("dekCacheMisses", decMetrics.get(FieldsealMetrics.DEK_CACHE_MISSES));
        n.set("encryptMetrics", MAPPER.valueToTree(encMetrics.snapshot()));
        n.set("decryptMetrics", MAPPER.valueToTree(decMetrics.snapshot()));
        n.put("encryptSeconds", encNanos / 1e9);
        n.put("decryptSeconds", decNanos / 1e9);
        System.err.printf("key vault: %d records, encrypt calls %s, decrypt calls %s, DEKs %d%n", records, encCalls,
                decCalls, encMetrics.get(FieldsealMetrics.DEKS_CREATED));
    }

    private static Map<String, Integer> calls(KeyVaultDouble vault) {
        Map<String, Integer> m = new java.util.TreeMap<>();
        for (String op : List.of("get", "versions", "wrapkey", "unwrapkey", "encrypt", "decrypt")) {
            m.put(op, vault.count(op));
        }
        return m;
    }

    // ---- placement ----------------------------------------------------------------------------

    void placement(KeyVaultDouble vault) throws IOException {
        ArrayNode rows = out.putArray("placement");
        List<String> fields = Shapes.fields("S1");
        int n = 1000;
        long plainBytes = 0;
        for (int i = 0; i < n; i++) {
            plainBytes += Shapes.json(i).length;
        }
        for (String key : List.of("rsa", "local")) {
            for (String placement : List.of(FieldsealConfig.PLACEMENT_FIELD, FieldsealConfig.PLACEMENT_HEADER)) {
                Map<String, Object> p = key.equals("rsa") ? azureProps(vault, "bench-rsa") : LocalKeys.props();
                p.put(FieldsealConfig.FIELDS, String.join(",", fields));
                p.put(FieldsealConfig.ENVELOPE_PLACEMENT, placement);
                FieldsealConfig config = new FieldsealConfig(p);
                long valueBytes = 0;
                long headerBytes = 0;
                long envelopeOverhead = 0;
                try (Sealer sealer = Sealer.create(config, new FieldsealMetrics())) {
                    JsonEncryptor enc = new JsonEncryptor(sealer, FieldSelection.of(FieldPath.parseAll(fields),
                            List.of()), new JsonValueCodec());
                    for (int i = 0; i < n; i++) {
                        JsonEncryptor.Result r = enc.encrypt(MAPPER.readTree(Shapes.json(i)));
                        valueBytes += MAPPER.writeValueAsBytes(r.value()).length;
                        for (Map.Entry<String, byte[]> h : r.sealed().headers().entrySet()) {
                            headerBytes += h.getKey().getBytes(StandardCharsets.UTF_8).length + h.getValue().length;
                        }
                    }
                    // Binary envelope overhead of one value (before base64), e.g. the 11-byte ssn.
                    byte[] ssn = "123-45-6789".getBytes(StandardCharsets.UTF_8);
                    SealedRecord rec = sealer.newRecord();
                    envelopeOverhead = sealer.seal(ssn, "ssn", false, rec).length - ssn.length;
                }
                ObjectNode row = rows.addObject();
                row.put("key", key.equals("rsa") ? "RSA-2048 (Key Vault double)" : "local (A256KW)");
                row.put("placement", placement);
                row.put("plainBytesPerRecord", plainBytes / (double) n);
                row.put("valueBytesPerRecord", valueBytes / (double) n);
                row.put("headerBytesPerRecord", headerBytes / (double) n);
                row.put("envelopeOverheadPerField", envelopeOverhead);
            }
        }
    }

    // ---- Kafka Streams ------------------------------------------------------------------------

    void streams(int records) throws Exception {
        out.set("streams", StreamsThroughput.measure(records));
    }
}
