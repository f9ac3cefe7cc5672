package dev.fieldseal.streams;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fieldseal.dek.DeterministicKey;
import dev.fieldseal.envelope.SealedRecord;
import dev.fieldseal.format.Envelope;
import dev.fieldseal.format.EnvelopeLayout;
import dev.fieldseal.kms.Kms;
import dev.fieldseal.kms.local.LocalKeyFile;
import dev.fieldseal.kms.local.LocalKms;
import dev.fieldseal.metrics.FieldsealMetrics;
import dev.fieldseal.scan.EnvelopeLocator;
import dev.fieldseal.scan.Located;
import dev.fieldseal.scan.RecordScan;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Key retirement in the Streams app on TopologyTestDriver with the local key provider: record keys
 * sealed and restored, re-keying that moves keys and values (both placements, JSON and whole
 * values) while every other byte stays, a re-key that keeps running across two rotations, and
 * re-keying a compacted topic in place. Every output record is checked for the invariant that its
 * {@code fieldseal.kek.*} headers name exactly the versions its envelopes name.
 */
class KeyRetirementTopologyTest {

    private static final byte[] EMAIL_KEY = "ada@example.com".getBytes(StandardCharsets.UTF_8);
    /** Number spelling and spacing a re-serializing re-key would change. */
    private static final String VALUE = "{\"id\": 7, \"ssn\":\"123-45-6789\",  \"amount\": 1310.70, \"note\":\"x\"}";

    @TempDir
    Path dir;
    Path keyFile;
    String v1;
    String deterministicDek;

    @BeforeEach
    void keys() {
        keyFile = dir.resolve("keys.json");
        v1 = LocalKeyFile.addVersion(keyFile, "test");
        try (Kms kms = kms()) {
            deterministicDek = DeterministicKey.create(kms, "local:test");
        }
    }

    private Kms kms() {
        return new LocalKms(keyFile, new FieldsealMetrics());
    }

    /** The app over the test driver; every record it writes is checked for the header/envelope invariant. */
    final class App extends TopologyApp {
        App(Map<String, String> props) {
            super(props);
        }

        List<TestRecord<byte[], byte[]>> pipe(byte[] key, byte[] value, Headers headers) {
            List<TestRecord<byte[], byte[]>> got = pipeAll(key, value, headers);
            got.forEach(r -> assertInvariant(r.key(), r.value(), r.headers()));
            return got;
        }

        TestRecord<byte[], byte[]> one(byte[] key, byte[] value, Headers headers) {
            List<TestRecord<byte[], byte[]>> got = pipe(key, value, headers);
            assertEquals(1, got.size(), "one output record");
            return got.get(0);
        }
    }

    Map<String, String> props(String mode, String format) {
        Map<String, String> p = new HashMap<>();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "key-retirement-test");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        p.put("fieldseal.kek.id", "local:test");
        p.put("fieldseal.local.key.file", keyFile.toString());
        p.put("fieldseal.mode", mode);
        p.put("fieldseal.routes", "r");
        p.put("fieldseal.route.r.input", "in");
        p.put("fieldseal.route.r.output", "out");
        p.put("fieldseal.route.r.format", format);
        if ("json".equals(format) && "encrypt".equals(mode)) {
            p.put("fieldseal.route.r.fields", "ssn");
        }
        p.put("fieldseal.deterministic.dek", deterministicDek);
        return p;
    }

    Map<String, String> encryptWithKeys(String keyFormat) {
        Map<String, String> p = props("encrypt", "json");
        p.put("fieldseal.route.r.key.format", keyFormat);
        if ("json".equals(keyFormat)) {
            p.put("fieldseal.route.r.key.fields", "email");
        }
        return p;
    }

    // ---- sealing record keys --------------------------------------------------------------------

    @Test
    void wholeKeysAreSealedDeterministicallyAndDecryptRestoresThem() {
        TestRecord<byte[], byte[]> a;
        TestRecord<byte[], byte[]> b;
        try (App enc = new App(encryptWithKeys("string"))) {
            a = enc.one(EMAIL_KEY, bytes(VALUE), new RecordHeaders());
            b = enc.one(EMAIL_KEY, bytes(VALUE), new RecordHeaders());
        }
        assertFalse(contains(a.key(), EMAIL_KEY), "the key is sealed");
        assertTrue(text(a.key()).startsWith(EnvelopeLayout.TEXT_PREFIX));
        assertArrayEquals(a.key(), b.key(), "equal keys stay equal: partitioning and compaction keep working");
        assertNotEquals(text(a.value()), text(b.value()), "values stay randomized");
        assertEquals(v1, Fixtures.header(a.headers(), SealedRecord.KEK_VERSION_HEADER));

        try (App dec = new App(props("decrypt", "json"))) {
            TestRecord<byte[], byte[]> r = dec.pipe(a.key(), a.value(), a.headers()).get(0);
            assertArrayEquals(EMAIL_KEY, r.key());
            assertEquals(VALUE, text(r.value()));
            assertNull(r.headers().lastHeader(SealedRecord.KEK_VERSION_HEADER), "fully decrypted: no annotation");
        }
    }

    @Test
    void jsonKeyFieldsAreSealedAndTombstonesKeepTheirSealedKey() {
        byte[] key = bytes("{\"email\":\"ada@example.com\",\"region\":\"eu\"}");
        TestRecord<byte[], byte[]> sealed;
        TestRecord<byte[], byte[]> tombstone;
        try (App enc = new App(encryptWithKeys("json"))) {
            sealed = enc.one(key, bytes(VALUE), new RecordHeaders());
            tombstone = enc.one(key, null, new RecordHeaders());
        }
        assertFalse(contains(sealed.key(), bytes("ada@example.com")));
        assertTrue(text(sealed.key()).contains("\"region\":\"eu\""), "other key fields stay");
        assertArrayEquals(sealed.key(), tombstone.key(), "a tombstone deletes the sealed key");
        assertNull(tombstone.value());
        try (App dec = new App(props("decrypt", "json"))) {
            assertArrayEquals(key, dec.pipe(sealed.key(), sealed.value(), sealed.headers()).get(0).key());
        }
    }

    @Test
    void deterministicKeysWithoutADeterministicDekAreRefusedAtConfigurationNamingTheCommand() {
        Map<String, String> p = encryptWithKeys("string");
        p.remove("fieldseal.deterministic.dek");
        ConfigException e = assertThrows(ConfigException.class, () -> AppSettings.parse(p));
        assertTrue(e.getMessage().contains("fieldseal deterministic-dek"), e.getMessage());
        assertTrue(e.getMessage().contains("key.randomized"), e.getMessage());
        p.put("fieldseal.route.r.key.randomized", "true");
        assertEquals("string", AppSettings.parse(p).routes().get(0).key().format());
    }

    // ---- re-keying --------------------------------------------------------------------------------

    @Test
    void rekeyMovesKeysAndValuesAndKeepsEveryOtherByteForBothPlacements() {
        for (String placement : List.of("field", "header")) {
            Map<String, String> e = encryptWithKeys("string");
            e.put("fieldseal.envelope.placement", placement);
            TestRecord<byte[], byte[]> old;
            try (App enc = new App(e)) {
                old = enc.one(EMAIL_KEY, bytes(VALUE), new RecordHeaders());
            }
            String v2 = LocalKeyFile.addVersion(keyFile, "test");
            TestRecord<byte[], byte[]> moved;
            try (App rekey = new App(props("rekey", "json"))) {
                moved = rekey.one(old.key(), old.value(), old.headers());
            }
            assertEquals(Set.of(v2), versions(moved.key(), moved.value(), moved.headers()), placement);
            assertSameOutsideKeyBlocks(old.value(), moved.value());
            assertSameBodies(old.key(), moved.key());
            try (App dec = new App(props("decrypt", "json"))) {
                TestRecord<byte[], byte[]> r = dec.one(moved.key(), moved.value(), moved.headers());
                assertArrayEquals(EMAIL_KEY, r.key(), placement);
                assertEquals(VALUE, text(r.value()), placement);
            }
        }
    }

    @Test
    void aRunningRekeyFollowsASecondRotationAndItsHeadersNeverNameAnotherVersion() {
        TestRecord<byte[], byte[]> a;
        TestRecord<byte[], byte[]> b;
        try (App enc = new App(encryptWithKeys("json"))) {
            byte[] key = bytes("{\"email\":\"ada@example.com\"}");
            a = enc.one(key, bytes(VALUE), new RecordHeaders());
            b = enc.one(key, bytes(VALUE), new RecordHeaders()); // same DEKs as a
        }
        String v2 = LocalKeyFile.addVersion(keyFile, "test");
        try (App rekey = new App(props("rekey", "json"))) {
            TestRecord<byte[], byte[]> a2 = rekey.one(a.key(), a.value(), a.headers());
            assertEquals(Set.of(v2), versions(a2.key(), a2.value(), a2.headers()));
            String v3 = LocalKeyFile.addVersion(keyFile, "test");
            assertTrue(rekey.crypto.refreshIfOurs("local:test"), "a rotation event for our key");
            // b shares its DEKs with a, whose re-wrap for v2 is cached: it must still go to v3.
            TestRecord<byte[], byte[]> b3 = rekey.one(b.key(), b.value(), b.headers());
            assertEquals(Set.of(v3), versions(b3.key(), b3.value(), b3.headers()));
            TestRecord<byte[], byte[]> a3 = rekey.one(a2.key(), a2.value(), a2.headers());
            assertEquals(Set.of(v3), versions(a3.key(), a3.value(), a3.headers()));
            assertSameBodies(a.value(), a3.value());
        }
    }

    @Test
    void wholeValuesAreSealedRekeyedAndOpened() {
        byte[] plain = bytes("any bytes, not JSON: 1310.70");
        Map<String, String> e = props("encrypt", "string");
        TestRecord<byte[], byte[]> old;
        try (App enc = new App(e)) {
            old = enc.one(EMAIL_KEY, plain, new RecordHeaders());
        }
        assertTrue(text(old.value()).startsWith(EnvelopeLayout.TEXT_PREFIX));
        assertArrayEquals(EMAIL_KEY, old.key(), "key.format=none leaves keys alone");
        String v2 = LocalKeyFile.addVersion(keyFile, "test");
        TestRecord<byte[], byte[]> moved;
        try (App rekey = new App(props("rekey", "string"))) {
            moved = rekey.one(old.key(), old.value(), old.headers());
        }
        assertEquals(Set.of(v2), versions(moved.key(), moved.value(), moved.headers()));
        try (App dec = new App(props("decrypt", "string"))) {
            assertArrayEquals(plain, dec.one(moved.key(), moved.value(), moved.headers()).value());
        }
    }

    @Test
    void headersThatDoNotMatchTheEnvelopesAreCorrectedEvenWhenNothingMoves() {
        TestRecord<byte[], byte[]> sealed;
        try (App enc = new App(props("encrypt", "json"))) {
            sealed = enc.one(EMAIL_KEY, bytes(VALUE), new RecordHeaders());
        }
        Headers lying = new RecordHeaders(sealed.headers().toArray());
        lying.remove(SealedRecord.KEK_VERSION_HEADER);
        lying.add(SealedRecord.KEK_VERSION_HEADER, bytes("not-" + v1));
        try (App rekey = new App(props("rekey", "json"))) {
            TestRecord<byte[], byte[]> fixed = rekey.one(EMAIL_KEY, sealed.value(), lying); // asserts the invariant
            assertArrayEquals(sealed.value(), fixed.value(), "nothing to move");
            assertEquals(v1, Fixtures.header(fixed.headers(), SealedRecord.KEK_VERSION_HEADER));
        }
    }

    @Test
    void rekeyingACompactedTopicInPlaceTombstonesMovedKeysAndSettles() {
        TestRecord<byte[], byte[]> old;
        try (App enc = new App(encryptWithKeys("string"))) {
            old = enc.one(EMAIL_KEY, bytes(VALUE), new RecordHeaders());
        }
        String v2 = LocalKeyFile.addVersion(keyFile, "test");
        Map<String, String> p = props("rekey", "json");
        p.put("fieldseal.route.r.output", "in");
        try (App rekey = new App(p)) {
            List<TestRecord<byte[], byte[]>> written = rekey.pipe(old.key(), old.value(), old.headers());
            assertEquals(2, written.size(), "a tombstone of the old key, then the moved record");
            TestRecord<byte[], byte[]> tombstone = written.get(0);
            TestRecord<byte[], byte[]> moved = written.get(1);
            assertArrayEquals(old.key(), tombstone.key());
            assertNull(tombstone.value());
            assertNotNull(tombstone.headers().lastHeader(FieldsealProcessor.REKEY_TOMBSTONE_HEADER));
            assertEquals(Set.of(v2), versions(moved.key(), moved.value(), moved.headers()));

            // The driver feeds the output topic back in, as a real broker would: the app reads its own
            // tombstone and the moved record, writes neither again, and so it settles.
            assertEquals(2, rekey.appMetrics.settledRecords());

            // A producer's own deletion of the old key deletes the moved key as well.
            List<TestRecord<byte[], byte[]>> deleted = rekey.pipe(old.key(), null, old.headers());
            assertEquals(1, deleted.size());
            assertArrayEquals(moved.key(), deleted.get(0).key());
            assertNull(deleted.get(0).value());
            assertEquals(3, rekey.appMetrics.settledRecords(), "the new key's tombstone, read back, settles too");
        }
    }

    @Test
    void deterministicValuesTakeTheConfiguredDeterministicDekOfTheTargetVersion() {
        TestRecord<byte[], byte[]> old;
        try (App enc = new App(encryptWithKeys("string"))) {
            old = enc.one(EMAIL_KEY, bytes(VALUE), new RecordHeaders());
        }
        LocalKeyFile.addVersion(keyFile, "test");
        String rewrapped;
        try (Kms kms = kms()) {
            // what 'fieldseal deterministic-dek --rewrap' prints: the same DEK wrapped by the newest version
            var oldDek = EnvelopeLayout.parseEdekBlock(java.util.Base64.getDecoder().decode(deterministicDek));
            var target = dev.fieldseal.kms.KmsCalls.join(kms.resolve("local:test"));
            var wrapped = dev.fieldseal.kms.KmsCalls.join(kms.wrap(target, dev.fieldseal.kms.KmsCalls.join(kms.unwrap(oldDek))));
            rewrapped = java.util.Base64.getEncoder().encodeToString(EnvelopeLayout.edekBlock(wrapped));
        }
        Map<String, String> p = props("rekey", "json");
        p.put("fieldseal.deterministic.dek", rewrapped);
        TestRecord<byte[], byte[]> moved;
        try (App rekey = new App(p)) {
            moved = rekey.one(old.key(), old.value(), old.headers());
        }
        Map<String, String> e = encryptWithKeys("string");
        e.put("fieldseal.deterministic.dek", rewrapped);
        try (App enc = new App(e)) {
            assertArrayEquals(enc.one(EMAIL_KEY, bytes(VALUE), new RecordHeaders()).key(), moved.key(),
                    "a re-keyed key equals the key a producer with the new deterministic.dek writes");
        }
    }

    // ---- the invariant and byte comparisons -----------------------------------------------------------

    /** The versions the record's envelopes name, key and value. */
    static Set<String> versions(byte[] key, byte[] value, Headers headers) {
        Set<String> named = new TreeSet<>();
        scan(key, value, headers).keks().forEach(k -> named.add(k.version()));
        return named;
    }

    /** The invariant: the fieldseal.kek.* headers name exactly the versions the envelopes name. */
    static void assertInvariant(byte[] key, byte[] value, Headers headers) {
        RecordScan s = scan(key, value, headers);
        assertEquals(0, s.malformed(), "no malformed envelope");
        assertNull(s.mismatch());
    }

    private static RecordScan scan(byte[] key, byte[] value, Headers headers) {
        return RecordScan.of(headers, locate(key), locate(value));
    }

    private static List<Located> locate(byte[] b) {
        try {
            return EnvelopeLocator.auto(b);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }


    private static List<Envelope> envelopes(byte[] b) {
        List<Envelope> out = new ArrayList<>();
        for (Located l : locate(b)) {
            out.add(EnvelopeLayout.parse(l.envelope()));
        }
        return out;
    }

    /** Equal after every envelope is cut out: only key blocks may differ. */
    private static void assertSameOutsideKeyBlocks(byte[] before, byte[] after) {
        assertEquals(outside(before), outside(after));
        assertSameBodies(before, after);
    }

    private static String outside(byte[] json) {
        try {
            StringBuilder sb = new StringBuilder();
            int from = 0;
            for (Located l : EnvelopeLocator.json(json)) {
                sb.append(new String(json, from, l.start() - from, StandardCharsets.UTF_8)).append("<sealed>");
                from = l.end();
            }
            return sb.append(new String(json, from, json.length - from, StandardCharsets.UTF_8)).toString();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Nonce, ciphertext and tag of every envelope are byte-identical. */
    private static void assertSameBodies(byte[] before, byte[] after) {
        List<Envelope> a = envelopes(before);
        List<Envelope> b = envelopes(after);
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            assertArrayEquals(a.get(i).body(), b.get(i).body());
            assertArrayEquals(a.get(i).nonce(), b.get(i).nonce());
        }
    }

    private static boolean contains(byte[] hay, byte[] needle) {
        return Fixtures.containsBytes(hay, text(needle));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
