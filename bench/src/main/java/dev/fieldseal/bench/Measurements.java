package dev.fieldseal.bench;

import com.fasterxml.jackson.databind.JsonNode;
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
import dev.fieldseal.record.ConnectDecryptor;
import dev.fieldseal.record.ConnectEncryptor;
import dev.fieldseal.record.JsonEncryptor;
import dev.fieldseal.testkit.KafkaBroker;
import dev.fieldseal.testkit.KeyVaultDouble;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.ReplicaInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.LogAndFailProcessingExceptionHandler;
import dev.fieldseal.streams.AppMetrics;
import dev.fieldseal.streams.AppSettings;
import dev.fieldseal.streams.Crypto;
import dev.fieldseal.streams.TopologyFactory;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.connect.data.Struct;

/**
 * The measurements that are not micro-benchmarks: Key Vault calls for 1,000,000 records, Kafka
 * Streams throughput on the in-JVM broker, and bytes per record by envelope placement. Writes its
 * results as JSON (read by {@link Report}).
 *
 * <p>Usage: {@code Measurements <out.json> [records] [streamsRecords]}.
 */
public final class Measurements {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final ObjectNode out = MAPPER.createObjectNode();

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        int records = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
        int streamsRecords = args.length > 2 ? Integer.parseInt(args[2]) : 200_000;
        Measurements m = new Measurements();
        try (KeyVaultDouble vault = new KeyVaultDouble()) {
            vault.createRsaKey("bench-rsa");
            m.placement(vault);
            m.keyVaultEconomy(vault, records);
        }
        m.streams(streamsRecords);
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
        ObjectNode node = out.putObject("streams");
        node.put("records", records);
        try (KafkaBroker broker = KafkaBroker.start()) {
            broker.createTopic("customers-in", 1);
            Properties pp = new Properties();
            pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
            pp.put(ProducerConfig.LINGER_MS_CONFIG, "20");
            pp.put(ProducerConfig.BATCH_SIZE_CONFIG, "262144");
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(pp, new ByteArraySerializer(),
                    new ByteArraySerializer())) {
                for (int i = 0; i < records; i++) {
                    producer.send(new ProducerRecord<>("customers-in", ("k" + i).getBytes(StandardCharsets.UTF_8),
                            Shapes.json(i)));
                }
                producer.flush();
            }
            ArrayNode runs = node.putArray("runs");
            double bestPlain = 0;
            double bestEnc = 0;
            // Alternate, so drifting load on the shared machine hits both alike; keep each one's best.
            for (int round = 0; round < 2; round++) {
                for (boolean encrypt : new boolean[] {false, true}) {
                    StreamsRun run = streamsRun(broker, records, encrypt, round);
                    double rate = run.recordsPerSecond();
                    ObjectNode r = runs.addObject();
                    r.put("topology", encrypt ? "encrypt" : "pass-through");
                    r.put("recordsPerSecond", rate);
                    r.put("bytesPerRecord", run.bytesPerRecord());
                    System.err.printf("streams %s round %d: %.0f records/s%n", encrypt ? "encrypt" : "pass-through",
                            round, rate);
                    if (encrypt) {
                        bestEnc = Math.max(bestEnc, rate);
                    } else {
                        bestPlain = Math.max(bestPlain, rate);
                    }
                }
            }
            node.put("passThroughRecordsPerSecond", bestPlain);
            node.put("encryptRecordsPerSecond", bestEnc);
        }
    }

    /** Bytes of the partition's log on the (single) broker. */
    private static long logSize(Admin admin, TopicPartition tp) throws Exception {
        long size = 0;
        for (Node n : admin.describeCluster().nodes().get()) {
            for (LogDirDescription d : admin.describeLogDirs(List.of(n.id())).allDescriptions().get().get(n.id())
                    .values()) {
                ReplicaInfo r = d.replicaInfos().get(tp);
                size += r == null ? 0 : r.size();
            }
        }
        return size;
    }

    /**
     * One run: the Streams app's own topology ({@code TopologyFactory}, mode encrypt, JSON route with
     * S1's fields, local KEK) or a pass-through topology (source to sink, bytes untouched), with the
     * app's Streams settings. records/s is measured on the output topic, from its first record to
     * the last, so start-up and the first rebalance are left out of both alike.
     */
    /** records/s, and the output log's bytes per record (values, headers and batch framing). */
    record StreamsRun(double recordsPerSecond, double bytesPerRecord) {
    }

    private StreamsRun streamsRun(KafkaBroker broker, int records, boolean encrypt, int round) throws Exception {
        String name = (encrypt ? "encrypt" : "plain") + "-" + round;
        String outTopic = "customers-out-" + name;
        broker.createTopic(outTopic, 1);
        Map<String, String> props = new HashMap<>();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "bench-" + name);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("bench-streams").toString());
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        props.put("fieldseal.kek.id", LocalKeys.KEK_ID);
        props.put("fieldseal.local.key.file", LocalKeys.file().toString());
        props.put("fieldseal.mode", "encrypt");
        props.put("fieldseal.routes", "customers");
        props.put("fieldseal.route.customers.input", "customers-in");
        props.put("fieldseal.route.customers.output", outTopic);
        props.put("fieldseal.route.customers.format", "json");
        props.put("fieldseal.route.customers.fields", String.join(",", Shapes.fields("S1")));
        AppSettings settings = AppSettings.parse(props);
        Crypto crypto = encrypt ? Crypto.create(settings.mode(), settings.fieldseal(), new FieldsealMetrics()) : null;
        Topology topology;
        if (encrypt) {
            crypto.warmUp();
            topology = TopologyFactory.build(settings, crypto, new AppMetrics());
        } else {
            topology = new Topology();
            topology.addSource("source", new ByteArrayDeserializer(), new ByteArrayDeserializer(), "customers-in");
            topology.addSink("output", outTopic, new ByteArraySerializer(), new ByteArraySerializer(), "source");
        }
        // The app's Streams settings (StreamsService): byte-array serdes, fail on processing errors.
        Properties p = new Properties();
        p.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class.getName());
        p.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class.getName());
        p.putAll(settings.streamsProps());
        p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG,
                LogAndFailProcessingExceptionHandler.class.getName());
        TopicPartition tp = new TopicPartition(outTopic, 0);
        try (KafkaStreams streams = new KafkaStreams(topology, p); Admin admin = broker.admin()) {
            streams.start();
            long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
            long firstAt = 0;
            long firstOffset = 0;
            while (true) {
                long end = admin.listOffsets(Map.of(tp, OffsetSpec.latest())).partitionResult(tp).get().offset();
                long now = System.nanoTime();
                if (end > 0 && firstAt == 0) {
                    firstAt = now;
                    firstOffset = end;
                }
                if (end >= records) {
                    double rate = (records - firstOffset) / ((now - firstAt) / 1e9);
                    return new StreamsRun(rate, logSize(admin, tp) / (double) end);
                }
                if (now > deadline) {
                    throw new IllegalStateException("streams run " + name + " stalled at " + end + " records");
                }
                Thread.sleep(5);
            }
        } finally {
            if (crypto != null) {
                crypto.close();
            }
        }
    }
}
