package dev.fieldseal.interop;

import static dev.fieldseal.testkit.Await.until;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fieldseal.model.avro.SingleObjectEncoding;
import dev.fieldseal.config.FieldsealConfig;
import dev.fieldseal.serde.DecryptingDeserializer;
import dev.fieldseal.serde.EncryptingSerializer;
import dev.fieldseal.streams.AppSettings;
import dev.fieldseal.streams.StreamsService;
import dev.fieldseal.testkit.KafkaBroker;
import dev.fieldseal.testkit.KeyVaultDouble;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.Conversions;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One Avro framing story across the serdes and the Streams app, on a real broker with the Key
 * Vault double (RSA key, real TLS): the serializer's single-object encoding is opened by Streams
 * {@code decrypt}, and Streams {@code encrypt} output of plain and of single-object input is
 * opened by the deserializer. Every field of {@code schemas/customer.avsc} that is a logical type
 * (decimal, date, timestamp-millis) or a nullable union (email, ssn, address, birth_date) is
 * sealed, with values and with nulls. Single-object bytes are made and read with Avro's own
 * message encoder and decoder, not with fieldseal's framing.
 */
class AvroFramingAcrossHostsTest {

    private static final String KEY = "pii";
    private static final String FIELDS = "email,ssn,address,balance,birth_date,created";
    private static final String SSN = "912-34-5678";
    private static final Path CUSTOMER_AVSC = Path.of("..", "schemas", "customer.avsc").toAbsolutePath().normalize();

    static KafkaBroker broker;
    static KeyVaultDouble vault;
    static Schema customer;

    @BeforeAll
    static void start() throws IOException {
        customer = new Schema.Parser().parse(CUSTOMER_AVSC.toFile());
        broker = KafkaBroker.start();
        vault = new KeyVaultDouble();
        vault.createRsaKey(KEY);
        for (String t : List.of("serde.sealed", "serde.opened", "plain.in", "single.in", "plain.sealed",
                "single.sealed")) {
            broker.createTopic(t, 1);
        }
    }

    @AfterAll
    static void stop() {
        if (vault != null) {
            vault.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void serializerSingleObjectThroughStreamsDecryptRestoresTheExactDatum() throws Exception {
        List<GenericRecord> originals = List.of(full(1), nulls(2));
        Map<String, Object> p = serdeProps();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, EncryptingSerializer.class.getName());
        try (KafkaProducer<String, Object> producer = new KafkaProducer<>(p)) {
            for (GenericRecord r : originals) {
                producer.send(new ProducerRecord<>("serde.sealed", "k", r));
            }
            producer.flush();
        }
        for (ConsumerRecord<byte[], byte[]> r : read("serde.sealed", originals.size())) {
            assertFalse(contains(r.value(), SSN), "sealed on the wire");
            assertTrue(SingleObjectEncoding.hasMarker(r.value()), "the serializer writes single-object encoding");
        }

        Map<String, String> app = streams("avro-framing-decrypt", "decrypt");
        route(app, "opened", "serde.sealed", "serde.opened");
        try (StreamsService dec = StreamsService.start(AppSettings.parse(app))) {
            awaitRunning(dec);
            List<ConsumerRecord<byte[], byte[]>> out = read("serde.opened", originals.size());
            assertEquals(originals.size(), out.size());
            for (int i = 0; i < originals.size(); i++) {
                byte[] value = out.get(i).value();
                assertArrayEquals(singleObject(originals.get(i)), value,
                        "single-object encoding of the plaintext datum, named by the plaintext schema");
                assertEquals(originals.get(i), new BinaryMessageDecoder<GenericRecord>(GenericData.get(), customer)
                        .decode(value));
            }
        }
    }

    @Test
    void streamsEncryptOfPlainAndSingleObjectInputIsOpenedByTheDeserializer() throws Exception {
        List<GenericRecord> originals = List.of(full(3), nulls(4));
        for (GenericRecord r : originals) {
            produce("plain.in", plain(r));
            produce("single.in", singleObject(r));
        }
        Map<String, String> app = streams("avro-framing-encrypt", "encrypt");
        app.put("fieldseal.routes", "plain,single");
        route(app, "plain", "plain.in", "plain.sealed");
        route(app, "single", "single.in", "single.sealed");
        List<ConsumerRecord<byte[], byte[]>> plainOut;
        List<ConsumerRecord<byte[], byte[]>> singleOut;
        try (StreamsService enc = StreamsService.start(AppSettings.parse(app))) {
            awaitRunning(enc);
            plainOut = read("plain.sealed", originals.size());
            singleOut = read("single.sealed", originals.size());
        }
        assertEquals(originals.size(), plainOut.size());
        assertEquals(originals.size(), singleOut.size());
        Map<String, String> decryptView = streams("unused", "decrypt");
        route(decryptView, "opened", "x", "y");
        Schema encrypted = AppSettings.parse(decryptView).routes().get(0).inputSchema(); // derived, as every reader does

        // plain in → plain out: read with the configured writer schema
        Map<String, Object> plainReader = serdeProps();
        plainReader.put("fieldseal.avro.schema", CUSTOMER_AVSC.toString());
        // single-object in → single-object out: the value names its (encrypted) schema
        Map<String, Object> singleReader = serdeProps();
        singleReader.put("fieldseal.avro.schema.file", CUSTOMER_AVSC.toString());
        try (DecryptingDeserializer plainDes = deserializer(plainReader);
                DecryptingDeserializer singleDes = deserializer(singleReader)) {
            for (int i = 0; i < originals.size(); i++) {
                ConsumerRecord<byte[], byte[]> pr = plainOut.get(i);
                ConsumerRecord<byte[], byte[]> sr = singleOut.get(i);
                assertFalse(contains(pr.value(), SSN) || contains(sr.value(), SSN), "sealed on the wire");
                assertTrue(SingleObjectEncoding.hasMarker(sr.value()), "single-object in, single-object out");
                assertEquals(SingleObjectEncoding.fingerprint(encrypted), SingleObjectEncoding.fingerprintOf(sr.value()),
                        "named by the encrypted schema");
                assertFalse(SingleObjectEncoding.hasMarker(pr.value())
                        && SingleObjectEncoding.fingerprintOf(pr.value()) == SingleObjectEncoding.fingerprint(encrypted),
                        "plain in, plain out");

                GenericRecord fromPlain = (GenericRecord) plainDes.deserialize(pr.topic(), pr.headers(), pr.value());
                GenericRecord fromSingle = (GenericRecord) singleDes.deserialize(sr.topic(), sr.headers(), sr.value());
                assertEquals(customer, fromPlain.getSchema());
                assertEquals(originals.get(i), fromPlain);
                assertEquals(customer, fromSingle.getSchema());
                assertEquals(originals.get(i), fromSingle);
            }
        }
    }

    // ---- data ------------------------------------------------------------------------------------

    private static GenericRecord full(long id) {
        Schema addressSchema = customer.getField("address").schema().getTypes().get(1);
        GenericData.Record a = new GenericData.Record(addressSchema);
        a.put("street", "1 Retire Road");
        a.put("city", "Arlington");
        a.put("postal_code", "22201");
        a.put("country", "US");
        GenericData.Record r = new GenericData.Record(customer);
        r.put("id", id);
        r.put("name", "Grace " + id);
        r.put("email", "grace" + id + "@example.org");
        r.put("ssn", SSN);
        r.put("address", a);
        r.put("balance", new Conversions.DecimalConversion().toBytes(new BigDecimal("-1310.70"),
                customer.getField("balance").schema(), LogicalTypes.decimal(10, 2)));
        r.put("birth_date", -12_000);
        r.put("created", 1_700_000_000_123L);
        return r;
    }

    private static GenericRecord nulls(long id) {
        GenericRecord r = full(id);
        r.put("email", null);
        r.put("ssn", null);
        r.put("address", null);
        r.put("birth_date", null);
        return r;
    }

    private static byte[] plain(GenericRecord r) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder e = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(r.getSchema()).write(r, e);
        e.flush();
        return out.toByteArray();
    }

    private static byte[] singleObject(GenericRecord r) throws IOException {
        ByteBuffer bb = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), r.getSchema()).encode(r);
        return Arrays.copyOfRange(bb.array(), bb.arrayOffset() + bb.position(), bb.arrayOffset() + bb.limit());
    }

    // ---- plumbing -------------------------------------------------------------------------------

    private static Map<String, Object> vaultProps() {
        Map<String, Object> p = new HashMap<>();
        p.put(FieldsealConfig.KEK_ID, vault.keyId(KEY));
        p.put(FieldsealConfig.AZURE_CREDENTIAL, "emulator");
        p.put(FieldsealConfig.AZURE_TLS_CA_FILE, vault.caPemFile().toString());
        p.put(FieldsealConfig.KEK_REFRESH_MS, "3600000");
        return p;
    }

    private static Map<String, Object> serdeProps() {
        Map<String, Object> p = new HashMap<>();
        vaultProps().forEach((k, v) -> p.put(FieldsealConfig.PREFIX + k, v));
        p.put("fieldseal.format", "avro");
        p.put("fieldseal.fields", FIELDS);
        return p;
    }

    private static DecryptingDeserializer deserializer(Map<String, Object> p) {
        DecryptingDeserializer d = new DecryptingDeserializer();
        d.configure(p, false);
        return d;
    }

    private static Map<String, String> streams(String appId, String mode) {
        Map<String, String> p = new HashMap<>();
        p.put("application.id", appId);
        p.put("bootstrap.servers", broker.bootstrapServers());
        p.put("commit.interval.ms", "100");
        p.put("num.stream.threads", "1");
        p.put("auto.offset.reset", "earliest");
        p.put("fieldseal.mode", mode);
        p.put("fieldseal.routes", "opened");
        vaultProps().forEach((k, v) -> p.put(FieldsealConfig.PREFIX + k, v.toString()));
        return p;
    }

    private static void route(Map<String, String> app, String name, String in, String out) {
        String r = "fieldseal.route." + name + ".";
        app.put(r + "input", in);
        app.put(r + "output", out);
        app.put(r + "format", "avro");
        app.put(r + "fields", FIELDS);
        app.put(r + "avro.schema", CUSTOMER_AVSC.toString());
    }

    private static void awaitRunning(StreamsService s) throws InterruptedException {
        until(Duration.ofSeconds(60), "Kafka Streams RUNNING", () -> s.state() == KafkaStreams.State.RUNNING);
    }

    private static void produce(String topic, byte[] value) {
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            p.send(new ProducerRecord<>(topic, "k".getBytes(StandardCharsets.UTF_8), value));
            p.flush();
        }
    }

    /** The first {@code n} records of a topic, in offset order; fails after 60 s with fewer. */
    private static List<ConsumerRecord<byte[], byte[]>> read(String topic, int n) throws InterruptedException {
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "reader-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of(topic));
            List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
            until(Duration.ofSeconds(60), n + " records in " + topic, () -> {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
                return out.size() >= n;
            });
            out.sort(Comparator.comparingLong(ConsumerRecord::offset));
            return out;
        }
    }

    private static boolean contains(byte[] hay, String needle) {
        return hay != null && new String(hay, StandardCharsets.ISO_8859_1).contains(needle);
    }
}
