package dev.fieldseal.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fieldseal.config.FieldsealConfig;
import dev.fieldseal.dek.DeterministicKey;
import dev.fieldseal.kms.Kms;
import dev.fieldseal.kms.KmsFactory;
import dev.fieldseal.metrics.FieldsealMetrics;
import dev.fieldseal.streams.AppSettings;
import dev.fieldseal.streams.StreamsService;
import dev.fieldseal.testkit.KafkaBroker;
import dev.fieldseal.testkit.KeyVaultDouble;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Key retirement at scale, on the in-JVM broker with an RSA-2048 KEK in the Key Vault double: the
 * Streams app seals S1 records (3 value fields and the record key), then re-keys the topic after
 * one rotation into a second topic and, after a second rotation, that topic into a third. For each
 * pass: throughput, the Key Vault requests by operation, the distinct old DEKs counted from the
 * input bytes, and whether every ciphertext body came through byte-identical. Then {@code inspect}
 * over the last re-keyed topic, gated on the two retired versions ({@link InspectRun}).
 *
 * <p>Usage alone: {@code KeyRetirement <out.json> [records] [deks]}; {@link Measurements} runs it in
 * the full run. {@code deks} is the number of value DEKs aimed at: {@code dek.max.encryptions} is set
 * to {@code records × 3 / deks}.
 */
public final class KeyRetirement {

    /** Value DEKs aimed at by default: a few hundred, so the unwrap count says something. */
    static final int DEFAULT_DEKS = 300;
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String KEY = "bench-retire";
    private static final String PLAIN = "retire-plain";
    private static final List<String> OPS = List.of("get", "versions", "wrapkey", "unwrapkey", "encrypt", "decrypt");

    private final KeyVaultDouble vault;
    private final KafkaBroker broker;
    private final int records;
    private final long maxEncryptions;
    private final String deterministicDek;
    private final Path stateDir;
    private final InspectRun.Launcher inspect;
    /** The properties file of the last app instance (what an operator passes to inspect as --config). */
    private Path lastConfig;

    private KeyRetirement(KeyVaultDouble vault, KafkaBroker broker, int records, int deks, InspectRun.Launcher inspect)
            throws Exception {
        this.vault = vault;
        this.broker = broker;
        this.records = records;
        this.inspect = inspect;
        this.maxEncryptions = Math.max(1, (long) Math.ceil(records * (double) Shapes.fields("S1").size() / deks));
        this.stateDir = Files.createTempDirectory("bench-retire");
        FieldsealConfig c = new FieldsealConfig(Measurements.azureProps(vault, KEY));
        try (Kms kms = KmsFactory.create(c.requireKekId(), c, new FieldsealMetrics())) {
            this.deterministicDek = DeterministicKey.create(kms, c.requireKekId());
        }
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        int records = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
        int deks = args.length > 2 ? Integer.parseInt(args[2]) : DEFAULT_DEKS;
        ObjectNode out = MAPPER.createObjectNode();
        out.set(KeyRetirementSection.JSON_NAME, measure(records, deks, InspectRun.Launcher.childJvm()));
        Files.createDirectories(file.toAbsolutePath().getParent());
        MAPPER.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), out);
        System.out.println(MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(out));
        System.exit(0); // the broker's and clients' non-daemon threads
    }

    /** Runs the whole measurement on a broker and Key Vault double of its own. */
    static ObjectNode measure(int records, int deks, InspectRun.Launcher inspect) throws Exception {
        try (KeyVaultDouble vault = new KeyVaultDouble(); KafkaBroker broker = KafkaBroker.start()) {
            String v1 = vault.createRsaKey(KEY);
            return new KeyRetirement(vault, broker, records, deks, inspect).run(v1);
        }
    }

    private ObjectNode run(String v1) throws Exception {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("records", records);
        node.put("fieldsPerRecord", Shapes.fields("S1").size());
        node.put("dekMaxEncryptions", maxEncryptions);
        node.put("placement", FieldsealConfig.PLACEMENT_HEADER);
        producePlain();

        String sealed = "retire-" + v1;
        Pass seal = pass("encrypt", PLAIN, sealed);
        TopicEnvelopes input = TopicEnvelopes.read(broker.bootstrapServers(), sealed);
        ObjectNode s = node.putObject("seal");
        seal.into(s);
        describe(s, input);
        System.err.printf("retirement: sealed %d records in %.1f s, %d distinct DEKs%n", input.records, seal.seconds,
                input.deks.size());

        ArrayNode passes = node.putArray("passes");
        List<String> retired = new ArrayList<>(List.of(v1));
        String from = sealed;
        for (int n = 1; n <= 2; n++) {
            String version = vault.rotate(KEY);
            String to = "retire-" + version;
            Pass p = pass("rekey", from, to);
            TopicEnvelopes output = TopicEnvelopes.read(broker.bootstrapServers(), to);
            ObjectNode row = passes.addObject();
            row.put("pass", n);
            row.put("targetVersion", version);
            p.into(row);
            row.put("distinctOldDeks", input.deks.size());
            row.put("oldVersions", String.join(",", versions(input)));
            ObjectNode o = row.putObject("output");
            describe(o, output);
            row.put("bodiesIdentical", output.records == input.records && output.envelopes == input.envelopes
                    && output.bodiesDigest.equals(input.bodiesDigest));
            System.err.printf("retirement: pass %d: %d records in %.1f s, calls %s, %d old DEKs, bodies identical %s%n",
                    n, output.records, p.seconds, p.calls, input.deks.size(), row.get("bodiesIdentical"));
            input = output;
            from = to;
            if (n < 2) {
                retired.add(version);
            }
        }
        if (inspect != null) {
            node.set("inspect", inspect.run(vault, broker, lastConfig, from, retired, records));
        }
        return node;
    }

    private static List<String> versions(TopicEnvelopes t) {
        TreeMap<String, Long> all = new TreeMap<>(t.valueVersions);
        all.putAll(t.keyVersions);
        return List.copyOf(all.keySet());
    }

    private static void describe(ObjectNode n, TopicEnvelopes t) {
        n.put("records", t.records);
        n.put("envelopes", t.envelopes);
        n.put("distinctDeks", t.deks.size());
        n.set("valueVersions", MAPPER.valueToTree(t.valueVersions));
        n.set("keyVersions", MAPPER.valueToTree(t.keyVersions));
        n.put("malformed", t.malformed);
        n.put("invariantViolations", t.invariantViolations);
        if (t.firstMismatch != null) {
            n.put("firstMismatch", t.firstMismatch);
        }
        n.put("bodiesDigest", t.bodiesDigest);
    }

    private void producePlain() {
        broker.createTopic(PLAIN, 1);
        Properties pp = new Properties();
        pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        pp.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        pp.put(ProducerConfig.BATCH_SIZE_CONFIG, "262144");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(pp, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (int i = 0; i < records; i++) {
                byte[] key = ((String) Shapes.map(i).get("email")).getBytes(StandardCharsets.UTF_8);
                producer.send(new ProducerRecord<>(PLAIN, key, Shapes.json(i)));
            }
            producer.flush();
        }
    }

    /** One run of the Streams app and what the Key Vault double saw during it. */
    private record Pass(double seconds, double steadyRecordsPerSecond, Map<String, Integer> calls,
            Map<String, Long> metrics, long rekeyedRecords) {
        void into(ObjectNode n) {
            n.put("seconds", seconds);
            n.put("steadyRecordsPerSecond", steadyRecordsPerSecond);
            n.set("calls", MAPPER.valueToTree(calls));
            n.set("metrics", MAPPER.valueToTree(metrics));
            n.put("rekeyedRecords", rekeyedRecords);
        }
    }

    /**
     * The app (a {@link StreamsService}, as the CLI starts it) from {@code in} to a new topic
     * {@code out}, until every record is there; Key Vault counts from its start to its close.
     */
    private Pass pass(String mode, String in, String out) throws Exception {
        broker.createTopic(out, 1);
        Map<String, String> p = new HashMap<>();
        p.put("application.id", "bench-" + out);
        p.put("bootstrap.servers", broker.bootstrapServers());
        p.put("state.dir", stateDir.resolve(out).toString());
        p.put("fieldseal.mode", mode);
        Measurements.azureProps(vault, KEY).forEach((k, v) -> p.put(FieldsealConfig.PREFIX + k, v.toString()));
        p.put(FieldsealConfig.PREFIX + FieldsealConfig.DETERMINISTIC_DEK, deterministicDek);
        p.put(FieldsealConfig.PREFIX + FieldsealConfig.DEK_MAX_ENCRYPTIONS, String.valueOf(maxEncryptions));
        p.put(FieldsealConfig.PREFIX + FieldsealConfig.ENVELOPE_PLACEMENT, FieldsealConfig.PLACEMENT_HEADER);
        p.put("fieldseal.http.port", "-1"); // no health check: its requests would count
        p.put("fieldseal.routes", "customers");
        p.put("fieldseal.route.customers.input", in);
        p.put("fieldseal.route.customers.output", out);
        p.put("fieldseal.route.customers.format", "json");
        if ("encrypt".equals(mode)) {
            p.put("fieldseal.route.customers.fields", String.join(",", Shapes.fields("S1")));
            p.put("fieldseal.route.customers.key.format", "string"); // the email, sealed deterministically
        }
        AppSettings settings = AppSettings.parse(p);
        Properties file = new Properties();
        file.putAll(p);
        lastConfig = stateDir.resolve(out + ".properties");
        try (var w = Files.newBufferedWriter(lastConfig)) {
            file.store(w, null);
        }
        TopicPartition tp = new TopicPartition(out, 0);
        vault.reset();
        long t0 = System.nanoTime();
        long firstAt = 0;
        long firstOffset = 0;
        long doneAt;
        long rekeyed;
        Map<String, Long> metrics;
        try (StreamsService app = StreamsService.start(settings); Admin admin = broker.admin()) {
            long deadline = t0 + Duration.ofMinutes(20).toNanos();
            while (true) {
                long end = admin.listOffsets(Map.of(tp, OffsetSpec.latest())).partitionResult(tp).get().offset();
                long now = System.nanoTime();
                if (end > 0 && firstAt == 0) {
                    firstAt = now;
                    firstOffset = end;
                }
                if (end >= records) {
                    doneAt = now;
                    break;
                }
                if (app.failed() || app.state() == KafkaStreams.State.ERROR) {
                    throw new IllegalStateException("the " + mode + " app failed at " + end + " records");
                }
                if (now > deadline) {
                    throw new IllegalStateException("the " + mode + " app stalled at " + end + " records");
                }
                // A sampling interval, not a wait for a condition: the end of the run is timed to 20 ms.
                Thread.sleep(20);
            }
            rekeyed = app.appMetrics().rekeyedRecords();
            metrics = app.metrics().snapshot();
        }
        Map<String, Integer> calls = new TreeMap<>();
        for (String op : OPS) {
            calls.put(op, vault.count(op));
        }
        double seconds = (doneAt - t0) / 1e9;
        double steady = doneAt > firstAt ? (records - firstOffset) / ((doneAt - firstAt) / 1e9) : Double.NaN;
        return new Pass(seconds, steady, calls, metrics, rekeyed);
    }
}
