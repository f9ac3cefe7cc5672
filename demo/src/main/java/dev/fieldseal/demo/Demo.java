package dev.fieldseal.demo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fieldseal.codec.AvroValueCodec;
import dev.fieldseal.field.FieldPath;
import dev.fieldseal.field.FieldSelection;
import dev.fieldseal.model.avro.AvroEncryptor;
import dev.fieldseal.streams.FieldsealStreamsApp;
import dev.fieldseal.streams.StreamsService;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.avro.Conversions;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fieldseal.serde.DecryptingDeserializer;
import dev.fieldseal.testkit.ConnectWorker;
import dev.fieldseal.testkit.KeyVaultDouble;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The newcomer's tour: a CRM source connector seals customer PII with {@code EncryptFields} in a real
 * (in-JVM) Connect worker and Kafka broker, a consumer with {@code DecryptingDeserializer} reads it
 * back, a consumer without the key sees masks, the key rotates midway, old data is re-keyed, and the
 * Key Vault call counts show the DEK caches at work.
 *
 * <p>By default the key lives in a local HTTPS stand-in for Azure Key Vault ({@link KeyVaultDouble});
 * {@code --kek-id https://<vault>.vault.azure.net/keys/<name>} uses a real Key Vault key with
 * DefaultAzureCredential instead.
 */
public final class Demo {

    static final String TOPIC = "crm.customers";
    static final List<String> SEALED = List.of("email", "ssn", "address");
    static final List<String> AVRO_SEALED_FIELDS = List.of("email", "ssn", "address");
    static final String AVRO_PLAIN = "legacy.customers.avro";
    static final String AVRO_SEALED = "legacy.customers.avro.sealed";
    static final String REKEYED = "crm.customers.rekeyed";
    static final Path CUSTOMER_AVSC = Path.of("schemas", "customer.avsc").toAbsolutePath();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final PrintStream out;
    private final String realKekId;

    private KeyVaultDouble vault;
    private ConnectWorker connect;
    private String kekId;
    private Map<String, String> kekSettings;

    Demo(PrintStream out, String realKekId) {
        this.out = out;
        this.realKekId = realKekId;
    }

    public static void main(String[] args) throws Exception {
        // Before any logger exists: the Kafka test jars on the class path bring chatty configs of their own.
        System.setProperty("log4j2.configurationFile", "log4j2-demo.xml");
        String kek = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--kek-id" -> kek = args[++i];
                case "--vault-url" -> kek = args[++i].replaceAll("/+$", "") + "/keys/" + (i + 2 < args.length
                        && args[i + 1].equals("--key-name") ? args[i += 2] : "fieldseal-demo");
                case "--help", "-h" -> {
                    System.out.println("usage: demo.sh [--kek-id https://<vault>.vault.azure.net/keys/<name>]\n"
                            + "  default: a local HTTPS stand-in for Azure Key Vault; with --kek-id, a real key\n"
                            + "  (DefaultAzureCredential; the identity needs get, wrapKey and unwrapKey).");
                    return;
                }
                default -> throw new IllegalArgumentException("unknown argument " + args[i] + " (try --help)");
            }
        }
        new Demo(System.out, kek).run();
        System.exit(0); // Connect and the Azure SDK leave non-daemon threads behind their close().
    }

    void run() throws Exception {
        long started = System.nanoTime();
        try {
            setUp();
            step1SealAtTheSource();
            step2RotateTheKey();
            step3StreamsSealsAvro();
            step4Rekey();
            step5CallCounts();
        } finally {
            tearDown();
        }
        out.printf("%nDone in %.0f s. Everything that was started has stopped.%n", (System.nanoTime() - started) / 1e9);
    }

    private void setUp() throws InterruptedException {
        title("fieldseal demo");
        if (realKekId == null) {
            vault = new KeyVaultDouble();
            String version = vault.createRsaKey("customer-pii");
            kekId = vault.keyId("customer-pii");
            kekSettings = Map.of("kek.id", kekId, "azure.credential", "emulator",
                    "azure.tls.ca.file", vault.caPemFile().toString(), "kek.refresh.ms", "1000");
            out.println("Key Vault: LOCAL STAND-IN for Azure Key Vault (the Key Vault REST API over HTTPS,");
            out.println("           spoken to by the real Azure SDK) at " + vault.vaultUrl());
            out.println("KEK:       RSA-2048 key " + kekId + ", version " + version);
        } else {
            kekId = realKekId;
            kekSettings = Map.of("kek.id", kekId, "azure.credential", "default", "kek.refresh.ms", "1000");
            out.println("Key Vault: " + kekId + " (DefaultAzureCredential)");
        }
        out.println("Starting an in-JVM Kafka broker and Connect worker ...");
        // The broker's formatter prints its bootstrap metadata to stdout; the story reads better without it.
        PrintStream stdout = System.out;
        System.setOut(new PrintStream(java.io.OutputStream.nullOutputStream()));
        try {
            connect = ConnectWorker.start();
        } finally {
            System.setOut(stdout);
        }
        connect.kafka().createTopic(TOPIC, 1);
        Map<String, String> source = new LinkedHashMap<>();
        source.put("connector.class", CustomerSource.class.getName());
        source.put("tasks.max", "1");
        source.put("topic", TOPIC);
        source.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
        source.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
        source.put("value.converter.schemas.enable", "true");
        source.put("value.converter.decimal.format", "NUMERIC");
        source.put("transforms", "seal");
        source.put("transforms.seal.type", "dev.fieldseal.connect.EncryptFields$Value");
        source.put("transforms.seal.fields", String.join(",", SEALED));
        kekSettings.forEach((k, v) -> source.put("transforms.seal." + k, v));
        connect.cluster().configureConnector("crm-source", source);
        connect.cluster().assertions().assertConnectorAndExactlyNumTasksAreRunning("crm-source", 1,
                "the source connector did not start");
        out.println("Connector crm-source runs with transforms.seal.type=dev.fieldseal.connect.EncryptFields$Value,");
        out.println("sealing " + String.join(", ", SEALED) + " of every customer row.");
    }

    private void step1SealAtTheSource() throws Exception {
        title("1. A source connector seals PII before it reaches Kafka");
        CustomerSource.emit(List.of(
                CustomerSource.customer(1, "Ada Lovelace", "ada@example.com", "123-45-6789", "12 St James's Sq",
                        "London", "1200.50", 3_000),
                CustomerSource.customer(2, "Alan Turing", "alan@example.org", "987-65-4321", "78 High St",
                        "Wilmslow", "310.00", 3_100),
                CustomerSource.customer(3, "Grace Hopper", "grace@example.net", null, "1 Navy Yard",
                        "Arlington", "99.99", 3_200)));
        show(read(3), 0);
    }

    private void step2RotateTheKey() throws Exception {
        title("2. The key rotates in Key Vault; nothing restarts");
        if (vault == null) {
            out.println("With a real vault, rotate it yourself (az keyvault key rotate); new records pick the");
            out.println("new version within kek.refresh.ms. Skipping the rotation step.");
            return;
        }
        int reads = vault.count("get");
        String v2 = vault.rotate("customer-pii");
        out.println("Rotated: new version " + v2 + ". The transform re-resolves the key every kek.refresh.ms (1 s here).");
        awaitKeyRead(reads);
        CustomerSource.emit(List.of(
                CustomerSource.customer(4, "Katherine Johnson", "kj@example.com", "555-12-3456", "5 Langley Rd",
                        "Hampton", "42.00", 3_300),
                CustomerSource.customer(5, "Edsger Dijkstra", "ewd@example.nl", "222-33-4444", "Plataanweg 5",
                        "Nuenen", "7.10", 3_400)));
        List<Row> all = read(5);
        out.println("All five records, read again from the start: the first three still under the old version,");
        out.println("the new ones under " + v2 + "; the authorized consumer reads both.");
        show(all, 3);
    }

    /** Waits until the transform has read the key again (its next refresh) after a rotation. */
    private void awaitKeyRead(int readsBefore) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        Object lock = new Object();
        synchronized (lock) {
            while (vault.count("get") <= readsBefore) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the transform did not refresh the key within 30 s");
                }
                lock.wait(100);
            }
        }
    }

    private void step3StreamsSealsAvro() throws Exception {
        title("3. The Streams app seals a topic written by an application that cannot change (Avro)");
        connect.kafka().createTopic(AVRO_PLAIN, 1);
        connect.kafka().createTopic(AVRO_SEALED, 1);
        Schema schema = new Schema.Parser().parse(CUSTOMER_AVSC.toFile());
        List<GenericRecord> rows = List.of(
                avroCustomer(schema, 11, "Mary Jackson", "mj@example.com", "444-55-6666", "2 Mercury Blvd", "Hampton"),
                avroCustomer(schema, 12, "Dorothy Vaughan", "dv@example.com", "777-88-9999", "9 Orbit Ave", "Hampton"));
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, connect.bootstrapServers()), new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (GenericRecord r : rows) {
                p.send(new ProducerRecord<>(AVRO_PLAIN, avroBinary(r))).get();
            }
        }
        Map<String, String> app = streamsApp("demo-seal-avro", "encrypt", AVRO_PLAIN, AVRO_SEALED, "avro");
        app.put("fieldseal.route.r.avro.schema", CUSTOMER_AVSC.toString());
        out.println("fieldseal Streams app: mode=encrypt, route " + AVRO_PLAIN + " → " + AVRO_SEALED
                + ", fields " + String.join(",", AVRO_SEALED_FIELDS) + ", format avro (schemas/customer.avsc)");
        try (StreamsService service = runApp(app)) {
            Map<String, Object> reader = new HashMap<>();
            kekSettings.forEach((k, v) -> reader.put("fieldseal." + k, v));
            reader.put("fieldseal.format", "avro");
            reader.put("fieldseal.avro.schema", CUSTOMER_AVSC.toString()); // the Streams app writes plain binary from plain input
            reader.put("fieldseal.fields", String.join(",", AVRO_SEALED_FIELDS));
            List<ConsumerRecord<byte[], byte[]>> wire = consume(AVRO_SEALED, 2, new ByteArrayDeserializer(), Map.of());
            List<ConsumerRecord<byte[], Object>> plain = consume(AVRO_SEALED, 2, new DecryptingDeserializer(), reader);
            Columns cols = new Columns(out, 8, 40, 40);
            for (int i = 0; i < 2; i++) {
                GenericRecord sealed = (GenericRecord) consumeSealedView(wire.get(i).value(), schema);
                GenericRecord opened = (GenericRecord) plain.get(i).value();
                out.println();
                out.println("  " + describe(headers(wire.get(i))));
                cols.row("field", "ON THE WIRE (Avro, encrypted schema)", "AUTHORIZED CONSUMER (DecryptingDeserializer)");
                cols.rule();
                for (String f : List.of("name", "email", "ssn", "address")) {
                    cols.row(f, text(sealed.get(f)), text(opened.get(f)));
                }
            }
        }
    }

    private void step4Rekey() throws Exception {
        title("4. Re-key: move old records to the newest key version, ciphertext untouched");
        if (vault == null) {
            out.println("(shown with the local stand-in only, after a rotation)");
            return;
        }
        connect.kafka().createTopic(REKEYED, 1);
        int unwrapsBefore = vault.count("unwrapkey");
        Map<String, String> app = streamsApp("demo-rekey", "rekey", TOPIC, REKEYED, "json");
        out.println("fieldseal Streams app: mode=rekey, route " + TOPIC + " → " + REKEYED);
        try (StreamsService service = runApp(app)) {
            List<ConsumerRecord<byte[], byte[]>> before = consume(TOPIC, 5, new ByteArrayDeserializer(), Map.of());
            List<ConsumerRecord<byte[], byte[]>> after = consume(REKEYED, 5, new ByteArrayDeserializer(), Map.of());
            Columns cols = new Columns(out, 6, 22, 22, 30);
            cols.row("key", "version before", "version after", "email ciphertext body");
            cols.rule();
            for (int i = 0; i < 5; i++) {
                String body = sameBody(before.get(i).value(), after.get(i).value(), "email");
                cols.row(new String(before.get(i).key(), StandardCharsets.UTF_8),
                        Columns.clip(headers(before.get(i)).getOrDefault("fieldseal.kek.version", "?"), 22),
                        Columns.clip(headers(after.get(i)).getOrDefault("fieldseal.kek.version", "?"), 22), body);
            }
            out.printf("Key Vault unwraps for the re-key: %d (one per distinct old DEK); wraps: %d (RSA: local)%n",
                    vault.count("unwrapkey") - unwrapsBefore, vault.count("wrapkey"));
        }
        out.println("Every record now names the newest version; the old version can be disabled.");
    }

    /** Nonce, ciphertext and tag of one field, compared before and after re-keying. */
    private static String sameBody(byte[] before, byte[] after, String field) throws Exception {
        String a = payload(new String(before, StandardCharsets.UTF_8)).get(field).asText();
        String b = payload(new String(after, StandardCharsets.UTF_8)).get(field).asText();
        byte[] x = dev.fieldseal.format.EnvelopeLayout.parse(java.util.Base64.getDecoder().decode(a)).body();
        byte[] y = dev.fieldseal.format.EnvelopeLayout.parse(java.util.Base64.getDecoder().decode(b)).body();
        return java.util.Arrays.equals(x, y) ? "identical (" + x.length + " bytes)" : "CHANGED";
    }

    private Map<String, String> streamsApp(String id, String mode, String in, String outTopic, String format) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("application.id", id);
        p.put("bootstrap.servers", connect.bootstrapServers());
        p.put("processing.guarantee", "at_least_once");
        p.put("commit.interval.ms", "200");
        p.put("fieldseal.mode", mode);
        p.put("fieldseal.routes", "r");
        p.put("fieldseal.route.r.input", in);
        p.put("fieldseal.route.r.output", outTopic);
        p.put("fieldseal.route.r.format", format);
        p.put("fieldseal.route.r.fields", String.join(",", format.equals("avro") ? AVRO_SEALED_FIELDS : SEALED));
        p.put("fieldseal.http.port", "-1");
        kekSettings.forEach((k, v) -> p.put("fieldseal." + k, v));
        return p;
    }

    private static StreamsService runApp(Map<String, String> props) throws Exception {
        Path file = Files.createTempFile("fieldseal-streams", ".properties");
        file.toFile().deleteOnExit();
        Properties p = new Properties();
        p.putAll(props);
        try (var w = Files.newBufferedWriter(file)) {
            p.store(w, "fieldseal demo");
        }
        return FieldsealStreamsApp.launch(file);
    }

    private static GenericRecord avroCustomer(Schema schema, long id, String name, String email, String ssn,
                                              String street, String city) {
        Schema addressSchema = schema.getField("address").schema().getTypes().get(1);
        GenericRecord a = new GenericData.Record(addressSchema);
        a.put("street", street);
        a.put("city", city);
        a.put("postal_code", "23666");
        a.put("country", "US");
        GenericRecord r = new GenericData.Record(schema);
        r.put("id", id);
        r.put("name", name);
        r.put("email", email);
        r.put("ssn", ssn);
        r.put("address", a);
        Schema dec = schema.getField("balance").schema();
        r.put("balance", new Conversions.DecimalConversion().toBytes(new BigDecimal("100.00"), dec, dec.getLogicalType()));
        r.put("birth_date", 2_000);
        r.put("created", 1_700_000_000_000L);
        return r;
    }

    private static byte[] avroBinary(GenericRecord r) throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        BinaryEncoder enc = EncoderFactory.get().directBinaryEncoder(buf, null);
        new GenericDatumWriter<GenericRecord>(r.getSchema()).write(r, enc);
        enc.flush();
        return buf.toByteArray();
    }

    /** The sealed Avro record as anyone reading the topic sees it, through the derived encrypted schema. */
    private Object consumeSealedView(byte[] value, Schema plain) throws Exception {
        Schema sealedSchema = new AvroEncryptor(null, FieldSelection.of(FieldPath.parseAll(AVRO_SEALED_FIELDS),
                List.of()), new AvroValueCodec()).outputSchema(plain);
        return new GenericDatumReader<GenericRecord>(sealedSchema)
                .read(null, DecoderFactory.get().binaryDecoder(value, null));
    }

    private static Map<String, String> headers(ConsumerRecord<byte[], ?> r) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (Header h : r.headers()) {
            headers.put(h.key(), new String(h.value(), StandardCharsets.UTF_8));
        }
        return headers;
    }

    private void step5CallCounts() {
        title("5. Key Vault calls (the DEK caches at work)");
        if (vault == null) {
            out.println("(counted by the local stand-in only)");
            return;
        }
        out.printf("  key reads (resolve/refresh) : %d%n", vault.count("get"));
        out.printf("  wrapKey calls               : %d   (RSA: DEKs are wrapped locally with the public key)%n",
                vault.count("wrapkey"));
        out.printf("  unwrapKey calls             : %d   (one per distinct DEK per reading process, then cached)%n",
                vault.count("unwrapkey"));
    }

    // ---- reading -------------------------------------------------------------------------------

    /** One record as seen on the wire, by an authorized consumer and by one without the key. */
    record Row(String key, Map<String, String> headers, JsonNode wire, JsonNode authorized, JsonNode unauthorized) {
    }

    private List<Row> read(int n) throws Exception {
        List<ConsumerRecord<byte[], byte[]>> raw = consume(n, new ByteArrayDeserializer(), Map.of());
        Map<String, Object> allowed = new HashMap<>();
        kekSettings.forEach((k, v) -> allowed.put("fieldseal." + k, v));
        allowed.put("fieldseal.format", "json");
        List<ConsumerRecord<byte[], Object>> plain = consume(n, new DecryptingDeserializer(), allowed);
        Map<String, Object> denied = new HashMap<>(allowed);
        // A team whose identity may use only its own key: the PII key is not in its kek.allowed.
        denied.put("fieldseal.kek.allowed", kekId.replace("customer-pii", "billing-team"));
        denied.put("fieldseal.on.failure", "mask");
        denied.put("fieldseal.mask.value", "█████ (no access)");
        List<ConsumerRecord<byte[], Object>> masked = consume(n, new DecryptingDeserializer(), denied);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ConsumerRecord<byte[], byte[]> r = raw.get(i);
            Map<String, String> headers = new LinkedHashMap<>();
            for (Header h : r.headers()) {
                headers.put(h.key(), new String(h.value(), StandardCharsets.UTF_8));
            }
            rows.add(new Row(new String(r.key(), StandardCharsets.UTF_8), headers,
                    payload(new String(r.value(), StandardCharsets.UTF_8)), payload((String) plain.get(i).value()),
                    payload((String) masked.get(i).value())));
        }
        return rows;
    }

    private <V> List<ConsumerRecord<byte[], V>> consume(int n, org.apache.kafka.common.serialization.Deserializer<V> d,
                                                        Map<String, Object> extra) {
        return consume(TOPIC, n, d, extra);
    }

    private <V> List<ConsumerRecord<byte[], V>> consume(String topic, int n,
                                                        org.apache.kafka.common.serialization.Deserializer<V> d,
                                                        Map<String, Object> extra) {
        Map<String, Object> props = new HashMap<>(extra);
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, connect.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "demo-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        d.configure(props, false);
        List<ConsumerRecord<byte[], V>> got = new ArrayList<>();
        try (KafkaConsumer<byte[], V> c = new KafkaConsumer<>(props, new ByteArrayDeserializer(), d)) {
            c.assign(List.of(new TopicPartition(topic, 0)));
            c.seekToBeginning(List.of(new TopicPartition(topic, 0)));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (got.size() < n) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("only " + got.size() + " of " + n + " records arrived in 60 s");
                }
                c.poll(Duration.ofMillis(200)).forEach(got::add);
            }
        }
        return got;
    }

    private static JsonNode payload(String json) throws Exception {
        JsonNode n = JSON.readTree(json);
        return n.has("payload") ? n.get("payload") : n;
    }

    private void show(List<Row> rows, int from) {
        Columns cols = new Columns(out, 8, 34, 26, 20);
        for (int i = from; i < rows.size(); i++) {
            Row r = rows.get(i);
            out.println();
            out.println("  record key=" + r.key() + "   " + describe(r.headers()));
            cols.row("field", "ON THE WIRE (Kafka topic)", "AUTHORIZED CONSUMER", "CONSUMER WITHOUT KEY");
            cols.rule();
            for (String f : List.of("name", "email", "ssn", "address", "balance")) {
                cols.row(f, cell(r.wire().get(f)), cell(r.authorized().get(f)), cell(r.unauthorized().get(f)));
            }
        }
    }

    private static String text(Object avroValue) {
        String s = String.valueOf(avroValue);
        return s.startsWith("/kZT") ? s.substring(0, 12) + "… (" + s.length() + " chars)" : s;
    }

    private static String cell(JsonNode n) {
        if (n == null || n.isNull()) {
            return "null";
        }
        String s = n.isTextual() ? n.asText() : n.toString();
        if (s.startsWith("/kZT")) {
            return s.substring(0, 12) + "… (" + s.length() + " chars)";
        }
        return s;
    }

    private void title(String t) {
        out.println();
        out.println("━━ " + t + " " + "━".repeat(Math.max(3, 90 - t.length())));
    }

    private void tearDown() {
        if (connect != null) {
            connect.close();
        }
        if (vault != null) {
            vault.close();
        }
    }

    /** The fieldseal headers of a record, short enough for one line. */
    static String describe(Map<String, String> headers) {
        String id = headers.get("fieldseal.kek.id");
        String version = headers.get("fieldseal.kek.version");
        if (id == null) {
            return "(no fieldseal headers)";
        }
        return "fieldseal.kek.id=" + id.replaceAll("^https://[^/]+", "…") + "  fieldseal.kek.version="
                + (version == null ? "?" : Columns.clip(version, 14));
    }
}
