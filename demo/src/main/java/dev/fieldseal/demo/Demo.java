package dev.fieldseal.demo;

import com.fasterxml.jackson.databind.JsonNode;
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
import org.apache.kafka.common.serialization.StringDeserializer;

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
            step3CallCounts();
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
        connect = ConnectWorker.start();
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

    private void step3CallCounts() {
        title("3. Key Vault calls (the DEK caches at work)");
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
        Map<String, Object> props = new HashMap<>(extra);
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, connect.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "demo-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        d.configure(props, false);
        List<ConsumerRecord<byte[], V>> got = new ArrayList<>();
        try (KafkaConsumer<byte[], V> c = new KafkaConsumer<>(props, new ByteArrayDeserializer(), d)) {
            c.assign(List.of(new TopicPartition(TOPIC, 0)));
            c.seekToBeginning(List.of(new TopicPartition(TOPIC, 0)));
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
            out.println("  record key=" + r.key() + "   " + SealedHeaders.describe(r.headers()));
            cols.row("field", "ON THE WIRE (Kafka topic)", "AUTHORIZED CONSUMER", "CONSUMER WITHOUT KEY");
            cols.rule();
            for (String f : List.of("name", "email", "ssn", "address", "balance")) {
                cols.row(f, cell(r.wire().get(f)), cell(r.authorized().get(f)), cell(r.unauthorized().get(f)));
            }
        }
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
    static final class SealedHeaders {
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
}
