package dev.fieldseal.streams;

import dev.fieldseal.dek.KeyNotAllowedException;
import static dev.fieldseal.streams.Fixtures.SSN;
import static dev.fieldseal.streams.Fixtures.header;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fieldseal.format.DecryptionException;
import dev.fieldseal.envelope.SealedRecord;
import dev.fieldseal.format.Envelope;
import dev.fieldseal.kms.Edek;
import dev.fieldseal.kms.KekRef;
import dev.fieldseal.kms.Kms;
import dev.fieldseal.kms.KmsException;
import dev.fieldseal.kms.local.LocalKeyFile;
import dev.fieldseal.kms.local.LocalKms;
import dev.fieldseal.metrics.FieldsealMetrics;
import dev.fieldseal.scan.EnvelopeLocator;
import dev.fieldseal.scan.RecordScan;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import javax.crypto.SecretKey;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The topology of every mode and format on TopologyTestDriver, with the local key provider. */
class TopologyTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    Path keyFile;
    String v1;

    @BeforeEach
    void keys() {
        keyFile = dir.resolve("keys.json");
        v1 = LocalKeyFile.addVersion(keyFile, "test");
    }

    Map<String, String> props(String mode, String format, String fields) {
        Map<String, String> p = new HashMap<>();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "topology-test");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        p.put("fieldseal.kek.id", "local:test");
        p.put("fieldseal.local.key.file", keyFile.toString());
        p.put("fieldseal.mode", mode);
        p.put("fieldseal.routes", "customers");
        p.put("fieldseal.route.customers.input", "in");
        p.put("fieldseal.route.customers.output", "out");
        p.put("fieldseal.route.customers.format", format);
        if (fields != null) {
            p.put("fieldseal.route.customers.fields", fields);
        }
        if ("avro".equals(format)) {
            p.put("fieldseal.route.customers.avro.schema", Fixtures.CUSTOMER_AVSC.toString());
        }
        p.put("fieldseal.dlq.topic", "dlq");
        return p;
    }

    TopologyApp app(String mode, String format, String fields) {
        return new TopologyApp(props(mode, format, fields), null);
    }

    // ---- JSON ----------------------------------------------------------------------------------

    @Test
    void jsonEncryptSealsFieldsAndAnnotatesHeadersThenDecryptRestoresTheDocument() throws Exception {
        byte[] plain = Fixtures.customerJson(1).getBytes(StandardCharsets.UTF_8);
        TestRecord<byte[], byte[]> enc;
        try (TopologyApp a = app("encrypt", "json", "ssn,address.street")) {
            enc = a.pipe(plain, new RecordHeaders().add("trace", "t1".getBytes(StandardCharsets.UTF_8)));
            assertEquals(1, a.crypto.metrics().get(FieldsealMetrics.RECORDS_ENCRYPTED));
            assertEquals(2, a.crypto.metrics().get(FieldsealMetrics.FIELDS_ENCRYPTED));
        }
        JsonNode doc = JSON.readTree(enc.value());
        assertTrue(doc.get("ssn").textValue().startsWith("/kZT"));
        assertTrue(doc.get("address").get("street").textValue().startsWith("/kZT"));
        assertEquals("London", doc.get("address").get("city").textValue());
        assertEquals("Ada 1", doc.get("name").textValue());
        assertFalse(Fixtures.containsBytes(enc.value(), SSN));
        assertEquals("local:test", header(enc.headers(), SealedRecord.KEK_ID_HEADER));
        assertEquals(v1, header(enc.headers(), SealedRecord.KEK_VERSION_HEADER));
        assertEquals("t1", header(enc.headers(), "trace"), "other headers are kept");
        assertEquals("k", new String(enc.key(), StandardCharsets.UTF_8), "keys pass through");

        try (TopologyApp a = app("decrypt", "json", null)) {
            TestRecord<byte[], byte[]> dec = a.pipe(enc.value(), enc.headers());
            assertEquals(JSON.readTree(plain), JSON.readTree(dec.value()));
            assertNull(dec.headers().lastHeader(SealedRecord.KEK_ID_HEADER), "annotation removed after decryption");
            assertEquals("t1", header(dec.headers(), "trace"));
            assertEquals(2, a.crypto.metrics().get(FieldsealMetrics.FIELDS_DECRYPTED));
        }
    }

    @Test
    void jsonHeaderPlacementCarriesTheEdekInAHeaderAndDecrypts() throws Exception {
        Map<String, String> p = props("encrypt", "json", "ssn,email");
        p.put("fieldseal.envelope.placement", "header");
        byte[] plain = Fixtures.customerJson(2).getBytes(StandardCharsets.UTF_8);
        TestRecord<byte[], byte[]> enc;
        try (TopologyApp a = new TopologyApp(p, null)) {
            enc = a.pipe(plain, new RecordHeaders());
        }
        assertNotNull(enc.headers().lastHeader("fieldseal.edek"));
        try (TopologyApp a = app("decrypt", "json", null)) {
            assertEquals(JSON.readTree(plain), JSON.readTree(a.pipe(enc.value(), enc.headers()).value()));
        }
    }

    @Test
    void tombstonesPassThrough() {
        try (TopologyApp a = app("encrypt", "json", "ssn")) {
            TestRecord<byte[], byte[]> r = a.pipe(null, new RecordHeaders());
            assertNull(r.value());
        }
    }

    @Test
    void jsonRekeyMovesOnlyWrappedDeksAndCopiesNewestRecordsUnchanged() throws Exception {
        byte[] plain = Fixtures.customerJson(3).getBytes(StandardCharsets.UTF_8);
        TestRecord<byte[], byte[]> old;
        try (TopologyApp a = app("encrypt", "json", "ssn,address.street")) {
            old = a.pipe(plain, new RecordHeaders());
        }
        String v2 = LocalKeyFile.addVersion(keyFile, "test");
        TestRecord<byte[], byte[]> fresh;
        try (TopologyApp a = app("encrypt", "json", "ssn")) {
            fresh = a.pipe(plain, new RecordHeaders());
            assertEquals(v2, header(fresh.headers(), SealedRecord.KEK_VERSION_HEADER));
        }
        TestRecord<byte[], byte[]> moved;
        TestRecord<byte[], byte[]> copied;
        try (TopologyApp a = app("rekey", "json", null)) {
            moved = a.pipe(old.value(), old.headers());
            copied = a.pipe(fresh.value(), fresh.headers());
            assertEquals(1, a.appMetrics.rekeyedRecords());
            assertEquals(1, a.appMetrics.copiedRecords());
            assertEquals(1, a.crypto.metrics().get(FieldsealMetrics.DEKS_REWRAPPED), "one DEK, re-wrapped once");
        }
        assertArrayEquals(fresh.value(), copied.value(), "already newest: copied byte for byte");
        assertEquals(v2, header(moved.headers(), SealedRecord.KEK_VERSION_HEADER));
        KeyRetirementTopologyTest.assertInvariant(moved.key(), moved.value(), moved.headers());
        KeyRetirementTopologyTest.assertInvariant(copied.key(), copied.value(), copied.headers());
        JsonNode before = JSON.readTree(old.value());
        JsonNode after = JSON.readTree(moved.value());
        for (String[] path : List.of(new String[] {"ssn"}, new String[] {"address", "street"})) {
            Envelope b = Fixtures.envelope(at(before, path));
            Envelope n = Fixtures.envelope(at(after, path));
            assertEquals(v1, b.edek().kek().version());
            assertEquals(v2, n.edek().kek().version());
            assertArrayEquals(b.nonce(), n.nonce());
            assertArrayEquals(b.body(), n.body(), "ciphertext and tag unchanged");
            assertEquals(b.suite(), n.suite());
        }
        ((ObjectNode) before).remove(List.of("ssn", "address"));
        ((ObjectNode) after).remove(List.of("ssn", "address"));
        assertEquals(before, after, "nothing else changed");

        LocalKeyFile.setEnabled(keyFile, "test", v1, false);
        try (TopologyApp a = app("decrypt", "json", null)) {
            assertEquals(JSON.readTree(plain), JSON.readTree(a.pipe(moved.value(), moved.headers()).value()),
                    "decrypts with v1 disabled");
        }
    }

    private static String at(JsonNode n, String... path) {
        for (String p : path) {
            n = n.get(p);
        }
        return n.textValue();
    }

    // ---- Avro ----------------------------------------------------------------------------------

    @Test
    void avroEncryptWritesTheDerivedSchemaAndDecryptRestoresTheExactBytes() {
        GenericRecord c = Fixtures.customer(4);
        byte[] plain = Fixtures.avro(c);
        TestRecord<byte[], byte[]> enc;
        Schema encrypted;
        try (TopologyApp a = app("encrypt", "avro", "ssn,email,address.street,balance,birth_date")) {
            enc = a.pipe(plain, new RecordHeaders());
            encrypted = new RecordTransformer(AppSettings.parse(props("encrypt", "avro",
                    "ssn,email,address.street,balance,birth_date")).routes().get(0), a.crypto).outputSchema();
        }
        assertFalse(Fixtures.containsBytes(enc.value(), SSN));
        GenericRecord e = Fixtures.readAvro(enc.value(), encrypted);
        assertTrue(e.get("ssn").toString().startsWith("/kZT"));
        assertTrue(e.get("balance").toString().startsWith("/kZT"));
        assertEquals("Ada 4", e.get("name").toString());
        assertEquals(v1, header(enc.headers(), SealedRecord.KEK_VERSION_HEADER));

        try (TopologyApp a = app("decrypt", "avro", "ssn,email,address.street,balance,birth_date")) {
            TestRecord<byte[], byte[]> dec = a.pipe(enc.value(), enc.headers());
            assertArrayEquals(plain, dec.value(), "same bytes as the producer's");
        }
    }

    @Test
    void avroRekeyKeepsCiphertextsAndStillDecrypts() {
        String fields = "ssn,email";
        byte[] plain = Fixtures.avro(Fixtures.customer(5));
        TestRecord<byte[], byte[]> enc;
        try (TopologyApp a = app("encrypt", "avro", fields)) {
            enc = a.pipe(plain, new RecordHeaders());
        }
        String v2 = LocalKeyFile.addVersion(keyFile, "test");
        Schema encrypted = AppSettings.parse(props("rekey", "avro", fields)).routes().get(0).inputSchema();
        TestRecord<byte[], byte[]> moved;
        try (TopologyApp a = app("rekey", "avro", fields)) {
            moved = a.pipe(enc.value(), enc.headers());
            TestRecord<byte[], byte[]> again = a.pipe(moved.value(), moved.headers());
            assertArrayEquals(moved.value(), again.value());
        }
        assertEquals(v2, header(moved.headers(), SealedRecord.KEK_VERSION_HEADER));
        RecordScan scan = RecordScan.of(moved.headers(), List.of(), EnvelopeLocator.avro(encrypted, moved.value(), 0));
        assertEquals(2, scan.valueEnvelopes());
        assertNull(scan.mismatch(), "headers name exactly the envelopes' versions");
        GenericRecord b = Fixtures.readAvro(enc.value(), encrypted);
        GenericRecord n = Fixtures.readAvro(moved.value(), encrypted);
        for (String f : List.of("ssn", "email")) {
            Envelope eb = Fixtures.envelope(b.get(f).toString());
            Envelope en = Fixtures.envelope(n.get(f).toString());
            assertArrayEquals(eb.nonce(), en.nonce());
            assertArrayEquals(eb.body(), en.body());
            assertNotEquals(eb.edek().kek().version(), en.edek().kek().version());
        }
        assertEquals(b.get("name").toString(), n.get("name").toString());
        try (TopologyApp a = app("decrypt", "avro", fields)) {
            assertArrayEquals(plain, a.pipe(moved.value(), moved.headers()).value());
        }
    }

    // ---- dead letters and failures -------------------------------------------------------------

    @Test
    void malformedJsonIsDeadLetteredWithoutItsValue() {
        try (TopologyApp a = app("encrypt", "json", "ssn")) {
            byte[] bad = ("{\"ssn\":\"" + SSN + "\", oops").getBytes(StandardCharsets.UTF_8);
            assertNull(a.pipe(bad, new RecordHeaders()));
            TestRecord<byte[], byte[]> d = a.dlq.readRecord();
            assertNull(d.value(), "unparseable value dropped");
            assertEquals(BadRecordException.class.getName(), header(d.headers(), DeadLetters.ERROR_CLASS));
            assertFalse(header(d.headers(), DeadLetters.ERROR_MESSAGE).contains(SSN));
            assertEquals("in", header(d.headers(), DeadLetters.ERROR_TOPIC));
            assertEquals("0", header(d.headers(), DeadLetters.ERROR_PARTITION));
            assertEquals("0", header(d.headers(), DeadLetters.ERROR_OFFSET));
            assertEquals(1, a.appMetrics.deadLettered());
        }
    }

    @Test
    void shapeErrorIsDeadLetteredWithTheConfiguredFieldsRemoved() throws Exception {
        try (TopologyApp a = app("encrypt", "json", "ssn,address.street")) {
            byte[] odd = ("{\"id\":7,\"name\":\"Bob\",\"ssn\":\"" + SSN + "\",\"address\":\"12 Main St\"}")
                    .getBytes(StandardCharsets.UTF_8);
            assertNull(a.pipe(odd, new RecordHeaders()));
            TestRecord<byte[], byte[]> d = a.dlq.readRecord();
            JsonNode v = JSON.readTree(d.value());
            assertEquals(7, v.get("id").intValue());
            assertEquals("Bob", v.get("name").textValue());
            assertFalse(v.has("ssn"), "configured field removed: never a plaintext copy of PII");
            assertFalse(Fixtures.containsBytes(d.value(), SSN));
            assertEquals(IllegalArgumentException.class.getName(), header(d.headers(), DeadLetters.ERROR_CLASS));
            assertTrue(header(d.headers(), DeadLetters.ERROR_MESSAGE).contains("address"));
            assertFalse(header(d.headers(), DeadLetters.ERROR_MESSAGE).contains("12 Main St"));
        }
    }

    @Test
    void tamperedCiphertextIsDeadLetteredOnDecrypt() throws Exception {
        TestRecord<byte[], byte[]> enc;
        try (TopologyApp a = app("encrypt", "json", "ssn,email")) {
            enc = a.pipe(Fixtures.customerJson(8).getBytes(StandardCharsets.UTF_8), new RecordHeaders());
        }
        ObjectNode doc = (ObjectNode) JSON.readTree(enc.value());
        byte[] env = Base64.getDecoder().decode(doc.get("ssn").textValue());
        env[env.length - 1] ^= 1;
        doc.put("ssn", Base64.getEncoder().encodeToString(env));
        try (TopologyApp a = app("decrypt", "json", "ssn,email")) {
            assertNull(a.pipe(JSON.writeValueAsBytes(doc), enc.headers()));
            TestRecord<byte[], byte[]> d = a.dlq.readRecord();
            assertEquals(DecryptionException.class.getName(), header(d.headers(), DeadLetters.ERROR_CLASS));
            JsonNode v = JSON.readTree(d.value());
            assertFalse(v.has("ssn") || v.has("email"));
            assertEquals("Ada 8", v.get("name").textValue());
            assertEquals("decrypt", header(d.headers(), DeadLetters.ERROR_MODE));
        }
    }

    @Test
    void decryptHonoursOnFailureForATamperedValue() throws Exception {
        TestRecord<byte[], byte[]> enc;
        try (TopologyApp a = app("encrypt", "json", "ssn,email")) {
            enc = a.pipe(Fixtures.customerJson(9).getBytes(StandardCharsets.UTF_8), new RecordHeaders());
        }
        ObjectNode doc = (ObjectNode) JSON.readTree(enc.value());
        byte[] env = Base64.getDecoder().decode(doc.get("ssn").textValue());
        env[env.length - 1] ^= 1;
        String tampered = Base64.getEncoder().encodeToString(env);
        doc.put("ssn", tampered);
        byte[] value = JSON.writeValueAsBytes(doc);

        Map<String, String> ciphertext = props("decrypt", "json", null);
        ciphertext.put("fieldseal.on.failure", "ciphertext");
        try (TopologyApp a = new TopologyApp(ciphertext, null)) {
            TestRecord<byte[], byte[]> out = a.pipe(value, enc.headers());
            JsonNode v = JSON.readTree(out.value());
            assertEquals(tampered, v.get("ssn").textValue(), "left sealed, as it was");
            assertEquals(JSON.readTree(Fixtures.customerJson(9)).get("email"), v.get("email"), "the rest opened");
            assertEquals(v1, header(out.headers(), SealedRecord.KEK_VERSION_HEADER), "a sealed value keeps its annotation");
            assertTrue(a.dlq.isEmpty());
            assertEquals(1, a.crypto.metrics().get(FieldsealMetrics.FIELDS_LEFT_SEALED));
        }
        Map<String, String> mask = props("decrypt", "json", null);
        mask.put("fieldseal.on.failure", "mask");
        try (TopologyApp a = new TopologyApp(mask, null)) {
            JsonNode v = JSON.readTree(a.pipe(value, enc.headers()).value());
            assertNotEquals(tampered, v.get("ssn").textValue());
            assertFalse(v.get("ssn").asText().contains(SSN));
            assertEquals(JSON.readTree(Fixtures.customerJson(9)).get("email"), v.get("email"));
            assertTrue(a.dlq.isEmpty());
            assertEquals(1, a.crypto.metrics().get(FieldsealMetrics.FIELDS_MASKED));
        }
    }

    @Test
    void avroValueOfAnotherSchemaIsDeadLetteredWithoutValueAndAvroShapeKeepsOtherFields() throws Exception {
        try (TopologyApp a = app("encrypt", "avro", "ssn,email")) {
            assertNull(a.pipe(new byte[] {1, 2, 3}, new RecordHeaders()));
            TestRecord<byte[], byte[]> d = a.dlq.readRecord();
            assertNull(d.value());
            assertEquals(BadRecordException.class.getName(), header(d.headers(), DeadLetters.ERROR_CLASS));
        }
        // an Avro value whose field was already encrypted by someone else, under a key we may not use
        Map<String, String> p = props("decrypt", "avro", "ssn,email");
        p.put("fieldseal.kek.allowed", "local:other");
        TestRecord<byte[], byte[]> enc;
        try (TopologyApp a = app("encrypt", "avro", "ssn,email")) {
            enc = a.pipe(Fixtures.avro(Fixtures.customer(9)), new RecordHeaders());
        }
        LocalKeyFile.addVersion(keyFile, "other");
        try (TopologyApp a = new TopologyApp(p, null)) {
            assertNull(a.pipe(enc.value(), enc.headers()));
            TestRecord<byte[], byte[]> d = a.dlq.readRecord();
            assertEquals("json", header(d.headers(), DeadLetters.VALUE_FORMAT));
            JsonNode v = JSON.readTree(d.value());
            assertFalse(v.has("ssn") || v.has("email"));
            assertEquals("Ada 9", v.get("name").textValue());
            assertTrue(header(d.headers(), DeadLetters.ERROR_CLASS).endsWith("KeyNotAllowedException"));
        }
    }

    @Test
    void keyVaultOutageStopsTheTaskWithoutOutputOrDeadLetter() {
        TestRecord<byte[], byte[]> enc;
        try (TopologyApp a = app("encrypt", "json", "ssn")) {
            enc = a.pipe(Fixtures.customerJson(10).getBytes(StandardCharsets.UTF_8), new RecordHeaders());
        }
        Map<String, String> p = props("decrypt", "json", null);
        Kms down = new FailingKms(new LocalKms(keyFile, new FieldsealMetrics()));
        try (TopologyApp a = new TopologyApp(p, down)) {
            RuntimeException e = assertThrows(RuntimeException.class, () -> a.pipe(enc.value(), enc.headers()));
            Throwable c = e;
            while (c != null && !(c instanceof KmsException)) {
                c = c.getCause();
            }
            assertNotNull(c, "the KmsException surfaces: " + e);
            assertTrue(((KmsException) c).retriable());
            assertTrue(a.out.isEmpty());
            assertTrue(a.dlq.isEmpty(), "a retriable failure is never dead-lettered");
        }
    }

    @Test
    void withoutDeadLetterTopicAPermanentFailureStopsTheApp() {
        Map<String, String> p = props("encrypt", "json", "ssn");
        p.remove("fieldseal.dlq.topic");
        try (TopologyApp a = new TopologyApp(p, null)) {
            assertThrows(RuntimeException.class, () -> a.pipe("not json".getBytes(StandardCharsets.UTF_8),
                    new RecordHeaders()));
            assertTrue(a.out.isEmpty());
        }
    }

    /** A key manager whose unwraps fail as in a Key Vault outage. */
    static final class FailingKms implements Kms {
        private final Kms inner;

        FailingKms(Kms inner) {
            this.inner = inner;
        }

        @Override
        public CompletionStage<KekRef> resolve(String keyId) {
            return inner.resolve(keyId);
        }

        @Override
        public CompletionStage<Edek> wrap(KekRef kek, SecretKey dek) {
            return inner.wrap(kek, dek);
        }

        @Override
        public CompletionStage<SecretKey> unwrap(Edek edek) {
            return CompletableFuture.failedFuture(new KmsException(KmsException.Reason.UNAVAILABLE,
                    "Key Vault unavailable for " + edek.kek() + " (503)"));
        }

        @Override
        public String versionlessId(String keyId) {
            return inner.versionlessId(keyId);
        }
    }
}
