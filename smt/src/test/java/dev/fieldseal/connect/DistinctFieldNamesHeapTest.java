package dev.fieldseal.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fieldseal.format.DecryptionException;
import dev.fieldseal.testkit.KeyVaultDouble;
import dev.fieldseal.testkit.RetainedHeap;
import java.lang.ref.Reference;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A topic writer copies one genuine sealed value (a real DEK wrapped by the allowed key, so the
 * allowlist lets it through) under 200,000 distinct field names of schemaless records.
 * {@code DecryptFields} refuses every one (the value was sealed under another path), Key Vault
 * unwraps the DEK once, and the heap the transform retains grows by less than
 * {@value #BOUND_MIB} MiB.
 *
 * <p>Why that bound: what the decrypting path may keep from such records is capped by its caches
 * (the associated data by path, 1 MiB per suite; the path memos, which top-level names do not even
 * reach; one DEK; one unwrap client), about 2 MiB in all; the rest of the bound absorbs what the
 * collector and lazily built JDK and Kafka structures move between two readings. Remembering as
 * little as 84 bytes per name (a name's String alone is 72 bytes) would exceed it: an unbounded
 * map of paths to associated data retains about 180 bytes per name, 36.7 MB here (measured).
 */
class DistinctFieldNamesHeapTest {

    static final int RECORDS = 200_000;
    static final int WARM_UP = 2_000;
    static final int BOUND_MIB = 16;

    static KeyVaultDouble kv;

    @BeforeAll
    static void start() {
        kv = new KeyVaultDouble();
        kv.createRsaKey("pii");
    }

    @AfterAll
    static void stop() {
        kv.close();
    }

    static Map<String, Object> props(Object... more) {
        Map<String, Object> p = new HashMap<>();
        p.put("kek.id", kv.keyId("pii"));
        p.put("azure.credential", "emulator");
        p.put("azure.tls.ca.file", kv.caPemFile().toString());
        for (int i = 0; i < more.length; i += 2) {
            p.put((String) more[i], more[i + 1]);
        }
        return p;
    }

    static SourceRecord schemaless(Map<String, Object> value) {
        return new SourceRecord(Map.of(), Map.of(), "people", 0, null, null, null, value);
    }

    /** 33 chars, distinct per record. */
    static String name(int i) {
        return String.format("attacker-chosen-field-name-%06d", i);
    }

    @Test
    void genuineEdeksUnderDistinctFieldNamesAreRefusedAndRetainBoundedHeap() {
        Object sealed;
        try (var enc = new EncryptFields.Value<SourceRecord>()) {
            enc.configure(props("fields", "ssn"));
            sealed = ((Map<?, ?>) enc.apply(schemaless(Map.of("ssn", "123-45-6789"))).value()).get("ssn");
        }
        assertInstanceOf(String.class, sealed);
        kv.reset();
        try (var dec = new DecryptFields.Value<SourceRecord>()) {
            dec.configure(props());
            for (int i = 0; i < WARM_UP; i++) {
                refused(dec, "warm-up-" + i, sealed);
            }
            long before = RetainedHeap.bytes();
            for (int i = 0; i < RECORDS; i++) {
                refused(dec, name(i), sealed);
            }
            long after = RetainedHeap.bytes();
            Reference.reachabilityFence(dec);
            long grown = after - before;
            System.out.printf("DecryptFields: retained heap %+,d bytes after %,d distinct field names%n", grown, RECORDS);
            assertTrue(grown < BOUND_MIB * 1024L * 1024L, "retained heap grew by " + grown + " bytes for " + RECORDS
                    + " distinct field names, bound " + BOUND_MIB + " MiB");
            assertEquals(1, kv.count("unwrapkey"), "one genuine DEK, one unwrap");
        }
    }

    static void refused(DecryptFields.Value<SourceRecord> dec, String field, Object sealed) {
        DataException e = assertThrows(DataException.class, () -> dec.apply(schemaless(Map.of(field, sealed))));
        DecryptionException d = assertInstanceOf(DecryptionException.class, e.getCause(), e.toString());
        assertEquals(DecryptionException.Reason.AUTHENTICATION_FAILED, d.reason(), d.getMessage());
    }
}
