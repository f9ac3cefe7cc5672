package dev.fieldseal.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fieldseal.metrics.FieldsealMetrics;
import dev.fieldseal.streams.AppMetrics;
import dev.fieldseal.streams.AppSettings;
import dev.fieldseal.streams.Crypto;
import dev.fieldseal.streams.StreamsService;
import dev.fieldseal.streams.TopologyFactory;
import dev.fieldseal.testkit.KafkaBroker;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.ReplicaInfo;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Kafka Streams throughput on the in-JVM broker: the app's encrypting topology against the same
 * topology with encryption off, plus two rows that explain the difference: the bare source-to-sink
 * copy (the stricter baseline) and the forwarding topology with each value padded to the size of
 * its encrypted form (what the larger records alone cost). Each run also reports the CPU time per
 * record of the stream thread, the producer's I/O thread and the broker's threads.
 */
final class StreamsThroughput {

    /** The topologies compared; {@code label} is what the report prints. */
    enum Kind {
        PASS_THROUGH("pass-through (source → sink)"),
        ENCRYPTION_OFF("encryption off (source → processor → sink)"),
        PADDED("encryption off, values padded to the encrypted size"),
        ENCRYPT("encrypt (the app's topology)"),
        ENCRYPT_HEADER("encrypt, envelope.placement=header");

        final String label;

        Kind(String label) {
            this.label = label;
        }
    }

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final String INPUT = "customers-in";
    private static final int ROUNDS = 3;

    private final KafkaBroker broker;
    private final int records;
    private int runs;
    /** Bytes appended to each value by {@link Kind#PADDED}: encrypted minus plain log bytes per record. */
    private int padding;

    private StreamsThroughput(KafkaBroker broker, int records) {
        this.broker = broker;
        this.records = records;
    }

    static ObjectNode measure(int records) throws Exception {
        try (KafkaBroker broker = KafkaBroker.start()) {
            return new StreamsThroughput(broker, records).measure();
        }
    }

    private ObjectNode measure() throws Exception {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("records", records);
        produceInput();
        // Warm-up, not reported: the JIT is still compiling the broker's, the clients' and our code
        // in the first runs (a compiler thread takes half a core), which would favour later runs.
        // It also gives the sizes the padded run must reach.
        Run plain = run(Kind.PASS_THROUGH);
        Run encrypted = run(Kind.ENCRYPT);
        padding = (int) Math.round(encrypted.bytesPerRecord - plain.bytesPerRecord);
        node.put("paddingBytes", padding);
        ArrayNode rows = node.putArray("runs");
        Map<Kind, Double> best = new HashMap<>();
        // Alternate, so drifting load on the shared machine hits every topology alike; keep each one's best.
        for (int round = 1; round <= ROUNDS; round++) {
            for (Kind kind : Kind.values()) {
                Run r = run(kind);
                best.merge(kind, r.recordsPerSecond, Math::max);
                ObjectNode row = rows.addObject();
                row.put("topology", kind.name());
                row.put("label", kind.label);
                row.put("round", round);
                row.put("recordsPerSecond", r.recordsPerSecond);
                row.put("bytesPerRecord", r.bytesPerRecord);
                row.put("streamThreadMicrosPerRecord", r.cpu.streamThread / 1e3 / r.measured);
                row.put("producerIoMicrosPerRecord", r.cpu.producerIo / 1e3 / r.measured);
                row.put("brokerMicrosPerRecord", r.cpu.broker / 1e3 / r.measured);
                System.err.printf("streams %s round %d: %.0f records/s%n", kind, round, r.recordsPerSecond);
            }
        }
        // The physical floor of the bytes on the broker: the plaintext record compressed (the
        // encryption-off topology's log) + each sealed value's plaintext as incompressible bytes
        // + 28 B (nonce and tag) per sealed value.
        double sealedPlain = 0;
        for (int i = 0; i < 1000; i++) {
            for (byte[] v : Shapes.fieldBytes("S1", i)) {
                sealedPlain += v.length;
            }
        }
        node.put("sealedPlaintextBytesPerRecord", sealedPlain / 1000);
        node.put("sealedValuesPerRecord", Shapes.fields("S1").size());
        node.put("compression", String.valueOf(StreamsService.streamsProperties(AppSettings.parse(Map.of(
                "application.id", "x", "bootstrap.servers", "b:9092", "fieldseal.kek.id", LocalKeys.KEK_ID,
                "fieldseal.local.key.file", LocalKeys.file().toString(), "fieldseal.routes", "a",
                "fieldseal.route.a.input", "i", "fieldseal.route.a.output", "o", "fieldseal.route.a.fields", "ssn")))
                .get("producer.compression.type")));
        ObjectNode b = node.putObject("bestRecordsPerSecond");
        best.forEach((k, v) -> b.put(k.name(), v));
        return node;
    }

    private void produceInput() throws Exception {
        broker.createTopic(INPUT, 1);
        Properties pp = new Properties();
        pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        pp.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        pp.put(ProducerConfig.BATCH_SIZE_CONFIG, "262144");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(pp, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (int i = 0; i < records; i++) {
                producer.send(new ProducerRecord<>(INPUT, ("k" + i).getBytes(StandardCharsets.UTF_8), Shapes.json(i)));
            }
            producer.flush();
        }
    }

    /** Throughput over the output topic's first to last record, and CPU time over the same window. */
    private record Run(double recordsPerSecond, double bytesPerRecord, long measured, Cpu cpu) {
    }

    private Run run(Kind kind) throws Exception {
        String name = kind.name().toLowerCase().replace('_', '-') + "-" + runs++;
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
        props.put("fieldseal.route.customers.input", INPUT);
        props.put("fieldseal.route.customers.output", outTopic);
        props.put("fieldseal.route.customers.format", "json");
        props.put("fieldseal.route.customers.fields", String.join(",", Shapes.fields("S1")));
        AppSettings settings = AppSettings.parse(props);
        if (kind == Kind.ENCRYPT_HEADER) {
            props.put("fieldseal.envelope.placement", "header");
        }
        Crypto crypto = kind == Kind.ENCRYPT || kind == Kind.ENCRYPT_HEADER
                ? Crypto.create(settings.mode(), settings.fieldseal(), new FieldsealMetrics()) : null;
        Topology topology;
        if (crypto != null) {
            crypto.warmUp();
            topology = TopologyFactory.build(settings, crypto, new AppMetrics());
        } else {
            topology = copyTopology(kind, outTopic);
        }
        // The app's Streams settings and defaults (byte-array serdes, producer compression, fail on
        // processing errors), for every topology alike.
        Properties p = StreamsService.streamsProperties(settings);
        TopicPartition tp = new TopicPartition(outTopic, 0);
        try (KafkaStreams streams = new KafkaStreams(topology, p); Admin admin = broker.admin()) {
            streams.start();
            long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
            long firstAt = 0;
            long firstOffset = 0;
            Map<Long, Long> cpuAtFirst = null;
            while (true) {
                long end = admin.listOffsets(Map.of(tp, OffsetSpec.latest())).partitionResult(tp).get().offset();
                long now = System.nanoTime();
                if (end > 0 && firstAt == 0) {
                    firstAt = now;
                    firstOffset = end;
                    cpuAtFirst = threadCpu();
                }
                if (end >= records) {
                    Cpu cpu = Cpu.since(cpuAtFirst, "bench-" + name);
                    double rate = (records - firstOffset) / ((now - firstAt) / 1e9);
                    return new Run(rate, logSize(admin, tp) / (double) end, records - firstOffset, cpu);
                }
                if (now > deadline) {
                    throw new IllegalStateException("streams run " + name + " stalled at " + end + " records");
                }
                // A sampling interval, not a wait: the first and last output offsets are timed to 5 ms.
                Thread.sleep(5);
            }
        } finally {
            if (crypto != null) {
                crypto.close();
            }
        }
    }

    /** Source to sink, or through a processor that forwards each record (padded for {@link Kind#PADDED}). */
    private Topology copyTopology(Kind kind, String outTopic) {
        Topology t = new Topology();
        ByteArraySerializer ser = new ByteArraySerializer();
        t.addSource("source", new ByteArrayDeserializer(), new ByteArrayDeserializer(), INPUT);
        if (kind == Kind.PASS_THROUGH) {
            t.addSink("output", outTopic, ser, ser, "source");
            return t;
        }
        int pad = kind == Kind.PADDED ? padding : 0;
        t.addProcessor("forward", () -> new Forward(pad), "source");
        t.addSink("output", outTopic, ser, ser, "forward");
        return t;
    }

    /** Forwards each record, its value optionally lengthened by {@code pad} bytes. */
    private static final class Forward implements Processor<byte[], byte[], byte[], byte[]> {
        private final int pad;
        private ProcessorContext<byte[], byte[]> context;

        Forward(int pad) {
            this.pad = pad;
        }

        @Override
        public void init(ProcessorContext<byte[], byte[]> context) {
            this.context = context;
        }

        @Override
        public void process(Record<byte[], byte[]> record) {
            byte[] v = record.value();
            context.forward(pad == 0 || v == null ? record : record.withValue(Arrays.copyOf(v, v.length + pad)));
        }
    }

    /** CPU time in ns of every live thread, by thread id. */
    private static Map<Long, Long> threadCpu() {
        Map<Long, Long> cpu = new HashMap<>();
        for (long id : THREADS.getAllThreadIds()) {
            cpu.put(id, THREADS.getThreadCpuTime(id));
        }
        return cpu;
    }

    /** CPU time in ns spent since a snapshot, grouped: the run's stream thread(s), its producer's I/O thread, the broker. */
    private record Cpu(long streamThread, long producerIo, long broker) {
        static Cpu since(Map<Long, Long> before, String appId) {
            long stream = 0;
            long io = 0;
            long brokerCpu = 0;
            for (long id : THREADS.getAllThreadIds()) {
                var info = THREADS.getThreadInfo(id);
                long now = THREADS.getThreadCpuTime(id);
                if (info == null || now < 0) {
                    continue;
                }
                long used = now - before.getOrDefault(id, 0L);
                String n = info.getThreadName();
                if (n.startsWith("kafka-producer-network-thread | " + appId)) {
                    io += used;
                } else if (n.startsWith(appId) && n.contains("StreamThread")) {
                    stream += used;
                } else if (n.startsWith("data-plane-kafka") || n.startsWith("kafka-request-handler")) {
                    brokerCpu += used;
                }
            }
            return new Cpu(stream, io, brokerCpu);
        }
    }

    /** Bytes of partition 0 of {@code topic} on the broker. */
    static long logSize(KafkaBroker broker, String topic) throws Exception {
        try (Admin admin = broker.admin()) {
            return logSize(admin, new TopicPartition(topic, 0));
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
}
