package dev.fieldseal.connect;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fieldseal.config.FieldsealConfig;
import dev.fieldseal.dek.DeterministicKey;
import dev.fieldseal.kms.local.LocalKeyFile;
import dev.fieldseal.kms.local.LocalKms;
import dev.fieldseal.metrics.FieldsealMetrics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.transforms.Transformation;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The transforms with the local key provider: round trips, keys, edge cases, config errors, failures. */
class TransformsTest {

    @TempDir
    Path dir;

    private final List<Transformation<SourceRecord>> open = new ArrayList<>();

    @AfterEach
    void closeAll() {
        open.forEach(Transformation::close);
    }

    private Path keyFile() {
        Path f = dir.resolve("keys.json");
        if (!Files.exists(f)) {
            LocalKeyFile.addVersion(f, "pii");
        }
        return f;
    }

    private Map<String, Object> props(Object... kv) {
        Map<String, Object> p = new HashMap<>();
        p.put("kek.id", "local:pii");
        p.put("local.key.file", keyFile().toString());
        for (int i = 0; i < kv.length; i += 2) {
            p.put((String) kv[i], kv[i + 1]);
        }
        return p;
    }

    private <T extends Transformation<SourceRecord>> T configured(T t, Map<String, Object> props) {
        t.configure(props);
        open.add(t);
        return t;
    }

    private static SourceRecord valueRecord(Schema schema, Object value) {
        return new SourceRecord(Map.of(), Map.of(), "people", 0, Samples.KEY, Samples.key(1), schema, value, 42L);
    }

    private static String header(SourceRecord r, String name) {
        Header h = r.headers().lastWithName(name);
        return h == null ? null : (String) h.value();
    }

    /** Every plaintext marker of record n is gone from the (text form of the) encrypted value. */
    private static void assertNoPlaintext(Object value, int n) {
        String text = deepToString(value);
        assertFalse(text.contains(Samples.marker(n)), () -> "plaintext in " + text);
    }

    private static String deepToString(Object v) {
        if (v instanceof Struct s) {
            StringBuilder b = new StringBuilder("{");
            for (Field f : s.schema().fields()) {
                b.append(f.name()).append('=').append(deepToString(s.get(f))).append(',');
            }
            return b.append('}').toString();
        }
        if (v instanceof byte[] bytes) {
            return new String(bytes, StandardCharsets.ISO_8859_1);
        }
        if (v instanceof List<?> l) {
            StringBuilder b = new StringBuilder("[");
            l.forEach(e -> b.append(deepToString(e)).append(','));
            return b.append(']').toString();
        }
        if (v instanceof Map<?, ?> m) {
            StringBuilder b = new StringBuilder("{");
            m.forEach((k, e) -> b.append(k).append('=').append(deepToString(e)).append(','));
            return b.append('}').toString();
        }
        return String.valueOf(v);
    }

    // ---- round trips -------------------------------------------------------------------------

    @Test
    void structWithEveryTypeRoundTrips() {
        var enc = configured(new EncryptFields.Value<SourceRecord>(), props("fields", Samples.PERSON_FIELDS));
        var dec = configured(new DecryptFields.Value<SourceRecord>(), props());
        for (int n = 0; n < 3; n++) {
            Struct original = Samples.person(n);
            SourceRecord in = valueRecord(Samples.PERSON, original);
            SourceRecord sealed = enc.apply(in);

            Struct v = (Struct) sealed.value();
            assertNoPlaintext(v, n);
            assertEquals(Schema.Type.STRING, v.schema().field("ssn").schema().type());
            assertEquals(Schema.Type.STRING, v.schema().field("amount").schema().type());
            assertTrue(v.schema().field("amount").schema().isOptional());
            assertEquals("full name", v.schema().field("name").schema().doc());
            assertEquals(original.schema().fields().size(), v.schema().fields().size());
            assertNull(v.get("nickname"), "a null stays null");
            assertEquals("Springfield", v.getStruct("address").get("city"));
            assertEquals("visible", v.getMap("attrs").get("plain"));
            assertEquals("local:pii", header(sealed, "fieldseal.kek.id"));
            assertEquals("1", header(sealed, "fieldseal.kek.version"));
            assertNull(sealed.headers().lastWithName("fieldseal.edek"));
            assertEquals(in.key(), sealed.key());
            assertEquals(in.timestamp(), sealed.timestamp());

            SourceRecord opened = dec.apply(sealed);
            assertEquals(Samples.PERSON, opened.valueSchema());
            assertEquals(original, opened.value());
        }
        assertEquals(3, enc.metrics().get(FieldsealMetrics.RECORDS_ENCRYPTED));
        assertEquals(3, dec.metrics().get(FieldsealMetrics.RECORDS_DECRYPTED));
        assertTrue(dec.metrics().get(FieldsealMetrics.FIELDS_DECRYPTED) >= 3 * 15);
    }

    @Test
    void bytesOutputAndHeaderPlacementRoundTrip() {
        // single keys of a string map cannot turn into bytes (the map's value type is shared): attrs[*] instead
        var enc = configured(new EncryptFields.Value<SourceRecord>(), props("fields",
                Samples.PERSON_FIELDS.replace("attrs.secret", "attrs[*]"), "encrypted.field.type", "bytes", "envelope.placement", "header"));
        var dec = configured(new DecryptFields.Value<SourceRecord>(), props());
        Struct original = Samples.person(7);
        SourceRecord sealed = enc.apply(valueRecord(Samples.PERSON, original));
        assertEquals(Schema.Type.BYTES, ((Struct) sealed.value()).schema().field("ssn").schema().type());
        assertNoPlaintext(sealed.value(), 7);
        assertNotNull(sealed.headers().lastWithName("fieldseal.edek"));
        SourceRecord opened = dec.apply(sealed);
        assertEquals(Samples.PERSON, opened.valueSchema());
        assertEquals(original, opened.value());

        SourceRecord noHeaders = sealed.newRecord(sealed.topic(), sealed.kafkaPartition(), sealed.keySchema(),
                sealed.key(), sealed.valueSchema(), sealed.value(), sealed.timestamp(), List.of());
        DataException e = assertThrows(DataException.class, () -> dec.apply(noHeaders));
        assertTrue(e.getMessage().contains("fieldseal.edek"), e.getMessage());
    }

    @Test
    void schemalessMapRoundTrips() {
        var enc = configured(new EncryptFields.Value<SourceRecord>(), props("fields", Samples.JSON_FIELDS));
        var dec = configured(new DecryptFields.Value<SourceRecord>(), props());
        Map<String, Object> original = Samples.json(3);
        SourceRecord sealed = enc.apply(valueRecord(null, original));
        assertNull(sealed.valueSchema());
        @SuppressWarnings("unchecked")
        Map<String, Object> v = (Map<String, Object>) sealed.value();
        assertNoPlaintext(v, 3);
        assertInstanceOf(String.class, v.get("amount"));
        assertInstanceOf(String.class, v.get("vip"));
        assertEquals(12345L, ((Map<?, ?>) v.get("address")).get("zip"));
        assertNotEquals("555", ((List<?>) v.get("phones")).get(1), "[*] encrypts every element");
        assertTrue(v.containsKey("note") && v.get("note") == null);
        assertFalse(v.containsKey("missing"));
        assertEquals("local:pii", header(sealed, "fieldseal.kek.id"));
        SourceRecord opened = dec.apply(sealed);
        assertNull(opened.valueSchema());
        assertEquals(original, opened.value());
    }

    @Test
    void deterministicKeysRepeatAndDecrypt() {
        String detDek;
        try (LocalKms kms = new LocalKms(keyFile(), new FieldsealMetrics())) {
            detDek = DeterministicKey.create(kms, "local:pii");
        }
        var enc = configured(new EncryptFields.Key<SourceRecord>(), props("deterministic.fields", "id",
                "deterministic.dek", detDek));
        var dec = configured(new DecryptFields.Key<SourceRecord>(), props());
        SourceRecord a = enc.apply(valueRecord(Samples.PERSON, Samples.person(1)));
        SourceRecord b = enc.apply(valueRecord(Samples.PERSON, Samples.person(2)));
        Struct ka = (Struct) a.key();
        assertEquals(ka, b.key(), "same key plaintext, same key ciphertext: partitioning and compaction hold");
        assertFalse(ka.getString("id").contains("user-1"));
        assertEquals(Samples.person(1), a.value(), "the value is not touched by the key transform");
        assertEquals("local:pii", header(a, "fieldseal.kek.id"));
        SourceRecord c = enc.apply(new SourceRecord(Map.of(), Map.of(), "people", 0, Samples.KEY,
                new Struct(Samples.KEY).put("id", "user-2"), null, null));
        assertNotEquals(ka, c.key());

        SourceRecord opened = dec.apply(a);
        assertEquals(Samples.KEY, opened.keySchema());
        assertEquals(Samples.key(1), opened.key());
    }

    @Test
    void keyAndValueTransformsOnOneRecordShareHeaders() {
        var encKey = configured(new EncryptFields.Key<SourceRecord>(), props("fields", "id",
                "envelope.placement", "header"));
        LocalKeyFile.addVersion(keyFile(), "pii"); // the value transform starts after a rotation: version 2
        var encValue = configured(new EncryptFields.Value<SourceRecord>(), props("fields", "ssn",
                "envelope.placement", "header"));
        var decKey = configured(new DecryptFields.Key<SourceRecord>(), props());
        var decValue = configured(new DecryptFields.Value<SourceRecord>(), props());
        SourceRecord sealed = encValue.apply(encKey.apply(valueRecord(Samples.PERSON, Samples.person(1))));
        Map<String, Integer> counts = new HashMap<>();
        for (Header h : sealed.headers()) {
            counts.merge(h.key(), 1, Integer::sum);
        }
        assertEquals(2, counts.get("fieldseal.edek"), "one DEK per transform instance, each in its own header");
        assertEquals(1, counts.get("fieldseal.kek.id"));
        assertEquals(1, counts.get("fieldseal.kek.version"), "one version header naming both");
        assertEquals("local:pii", header(sealed, "fieldseal.kek.id"));
        assertEquals("1,2", header(sealed, "fieldseal.kek.version"));
        SourceRecord opened = decValue.apply(decKey.apply(sealed));
        assertEquals(Samples.key(1), opened.key());
        assertEquals(Samples.person(1), opened.value());
    }

    // ---- edge cases ----------------------------------------------------------------------------

    @Test
    void tombstonesPassUntouched() {
        var enc = configured(new EncryptFields.Value<SourceRecord>(), props("fields", "ssn"));
        var dec = configured(new DecryptFields.Value<SourceRecord>(), props());
        SourceRecord tombstone = valueRecord(Samples.PERSON, null);
        assertSame(tombstone, enc.apply(tombstone));
        assertSame(tombstone, dec.apply(tombstone));
        SourceRecord schemaless = valueRecord(null, null);
        assertSame(schemaless, enc.apply(schemaless));
        var encKey = configured(new EncryptFields.Key<SourceRecord>(), props("fields", "id"));
        SourceRecord nullKey = new SourceRecord(Map.of(), Map.of(), "t", null, null, null, null);
        assertSame(nullKey, encKey.apply(nullKey));
    }

    @Test
    void missingFieldsAndNullsAreNotErrors() {
        var enc = configured(new EncryptFields.Value<SourceRecord>(), props("fields", "ssn,nope,address.nope,"
                + "nickname"));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("other", "x");
        SourceRecord out = enc.apply(valueRecord(null, m));
        assertEquals(m, out.value());
        assertFalse(out.headers().iterator().hasNext(), "nothing encrypted, no headers");

        Struct p = Samples.person(1).put("address", null);
        SourceRecord s = enc.apply(valueRecord(Samples.PERSON, p));
        assertNull(((Struct) s.value()).get("address"));
        assertNull(((Struct) s.value()).get("nickname"));
    }

    @Test
    void alreadyEncryptedValuesAreNotEncryptedTwice() {
        var enc = configured(new EncryptFields.Value<SourceRecord>(), props("fields", Samples.PERSON_FIELDS));
        var dec = configured(new DecryptFields.Value<SourceRecord>(), props());
        SourceRecord once = enc.apply(valueRecord(Samples.PERSON, Samples.person(1)));
        SourceRecord twice = enc.apply(once);
        assertEquals(once.valueSchema(), twice.valueSchema());
        for (Field f : once.valueSchema().fields()) {
            assertEquals(deepToString(((Struct) once.value()).get(f)), deepToString(((Struct) twice.value()).get(f)),
                    f.name());
        }
        assertEquals(once.value(), twice.value());
        assertEquals(Samples.person(1), dec.apply(twice).value());

        var encJson = configured(new EncryptFields.Value<SourceRecord>(), props("fields", Samples.JSON_FIELDS));
        SourceRecord j1 = encJson.apply(valueRecord(null, Samples.json(1)));
        SourceRecord j2 = encJson.apply(j1);
        assertEquals(j1.value(), j2.value());
    }

    @Test
    void tamperedOrForeignCiphertextIsADataException() {
        var enc = configured(new EncryptFields.Value<SourceRecord>(), props("fields", "ssn"));
        var dec = configured(new DecryptFields.Value<SourceRecord>(), props());
        SourceRecord sealed = enc.apply(valueRecord(Samples.PERSON, Samples.person(1)));
        Struct v = (Struct) sealed.value();
        byte[] env = Base64.getDecoder().decode(v.getString("ssn"));
        env[env.length - 1] ^= 1;
        Struct bad = v.put("ssn", Base64.getEncoder().encodeToString(env));
        DataException e = assertThrows(DataException.class, () -> dec.apply(sealed.newRecord(sealed.topic(), 0,
                sealed.keySchema(), sealed.key(), sealed.valueSchema(), bad, sealed.timestamp())));
        assertTrue(e.getMessage().contains("ssn"), e.getMessage());
        assertFalse(e.getMessage().contains(Samples.marker(1)));

        Map<String, Object> otherKey = props("kek.id", "local:other");
        LocalKeyFile.addVersion(keyFile(), "other");
        var decOther = configured(new DecryptFields.Value<SourceRecord>(), otherKey);
        SourceRecord fresh = enc.apply(valueRecord(Samples.PERSON, Samples.person(2)));
        DataException notAllowed = assertThrows(DataException.class, () -> decOther.apply(fresh));
        assertTrue(notAllowed.getMessage().contains("local:pii"), notAllowed.getMessage());
    }

    @Test
    void aDisabledKeyVersionIsADataExceptionNamingIt() {
        var enc = configured(new EncryptFields.Value<SourceRecord>(), props("fields", "ssn"));
        SourceRecord sealed = enc.apply(valueRecord(Samples.PERSON, Samples.person(1)));
        LocalKeyFile.addVersion(keyFile(), "pii");
        LocalKeyFile.setEnabled(keyFile(), "pii", "1", false);
        var dec = configured(new DecryptFields.Value<SourceRecord>(), props());
        DataException e = assertThrows(DataException.class, () -> dec.apply(sealed));
        assertTrue(e.getMessage().contains("local:pii") && e.getMessage().contains("disabled"), e.getMessage());
    }

    @Test
    void shapeErrorsAreDataExceptions() {
        var enc = configured(new EncryptFields.Value<SourceRecord>(), props("fields", "ssn"));
        assertThrows(DataException.class, () -> enc.apply(valueRecord(Schema.STRING_SCHEMA, "plain")));
        assertThrows(DataException.class, () -> enc.apply(valueRecord(null, "plain")));
        var deep = configured(new EncryptFields.Value<SourceRecord>(), props("fields", "ssn.inner"));
        assertThrows(DataException.class, () -> deep.apply(valueRecord(Samples.PERSON, Samples.person(1))));
    }

    // ---- configuration -------------------------------------------------------------------------

    private static ConfigException configError(Transformation<SourceRecord> t, Map<String, Object> props) {
        try {
            return assertThrows(ConfigException.class, () -> t.configure(props));
        } finally {
            t.close();
        }
    }

    @Test
    void configErrorsNameTheKey() {
        ConfigException path = configError(new EncryptFields.Value<>(), props("fields", "a..b"));
        assertTrue(path.getMessage().contains("fields"), path.getMessage());

        Map<String, Object> noKek = props("fields", "ssn");
        noKek.remove("kek.id");
        ConfigException kek = configError(new EncryptFields.Value<>(), noKek);
        assertTrue(kek.getMessage().contains("kek.id") && kek.getMessage().contains("https://"), kek.getMessage());
        ConfigException decKek = configError(new DecryptFields.Value<>(), noKek);
        assertTrue(decKek.getMessage().contains("kek.id") && decKek.getMessage().contains("kek.allowed"));

        ConfigException cred = configError(new EncryptFields.Value<>(), props("fields", "ssn",
                "kek.id", "https://example.vault.azure.net/keys/k", "azure.credential", "password"));
        assertTrue(cred.getMessage().contains("azure.credential"), cred.getMessage());

        ConfigException http = configError(new EncryptFields.Value<>(), props("fields", "ssn",
                "kek.id", "http://example.vault.azure.net/keys/k"));
        assertTrue(http.getMessage().contains("kek.id"), http.getMessage());

        ConfigException nothing = configError(new EncryptFields.Value<>(), props());
        assertTrue(nothing.getMessage().contains("fields"), nothing.getMessage());

        ConfigException det = configError(new EncryptFields.Key<>(), props("deterministic.fields", "id"));
        assertTrue(det.getMessage().contains("deterministic.dek"), det.getMessage());

        ConfigException noFile = configError(new EncryptFields.Value<>(), Map.of("kek.id", "local:pii",
                "fields", "ssn"));
        assertTrue(noFile.getMessage().contains("local.key.file"), noFile.getMessage());

        ConfigException noKey = configError(new EncryptFields.Value<>(), props("fields", "ssn",
                "kek.id", "local:absent"));
        assertTrue(noKey.getMessage().contains("kek.id") && noKey.getMessage().contains("absent"),
                noKey.getMessage());
    }

    @Test
    void configDefValidationReportsEveryBadKey() {
        Map<String, String> bad = Map.of("fields", "ok,a..b", "azure.credential", "password");
        Map<String, List<String>> errors = new HashMap<>();
        for (ConfigValue v : new EncryptFields.Value<SourceRecord>().config().validate(bad)) {
            if (!v.errorMessages().isEmpty()) {
                errors.put(v.name(), v.errorMessages());
            }
        }
        assertTrue(errors.containsKey("fields"), errors.toString());
        assertTrue(errors.containsKey("azure.credential"), errors.toString());
        assertTrue(errors.containsKey("kek.id"), errors.toString());
        assertTrue(errors.get("kek.id").get(0).contains("kek.id"));
        // the decrypting side may name its keys with kek.allowed instead
        for (ConfigValue v : new DecryptFields.Value<SourceRecord>().config().validate(Map.of("kek.allowed",
                "local:pii"))) {
            assertEquals(List.of(), v.errorMessages(), v.name());
        }
    }

    @Test
    void versionAndConfigDefs() {
        assertTrue(new EncryptFields.Value<SourceRecord>().version().startsWith("0."));
        assertEquals(new DecryptFields.Key<SourceRecord>().version(), new EncryptFields.Key<SourceRecord>().version());
        assertTrue(new DecryptFields.Value<SourceRecord>().config().names().containsAll(
                FieldsealConfig.CONFIG_DEF.names()));
        assertArrayEquals(FieldsealConfig.CONFIG_DEF.names().toArray(),
                new EncryptFields.Value<SourceRecord>().config().names().toArray());
    }
}
