package dev.fieldseal.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fieldseal.format.DecryptionException;
import dev.fieldseal.testkit.KeyVaultDouble;
import dev.fieldseal.testkit.RetainedHeap;
import java.io.IOException;
import java.lang.ref.Reference;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A topic writer copies one genuine sealed JSON value (a real DEK wrapped by the allowed key, so
 * the allowlist lets it through) under 200,000 distinct member names. {@link DecryptingDeserializer}
 * refuses every one ({@code on.failure=fail}: the value was sealed under another path) or masks it
 * ({@code on.failure=mask}), Key Vault unwraps the DEK once, and the heap the deserializer retains
 * grows by less than {@value #BOUND_MIB} MiB.
 *
 * <p>Why that bound: what the decrypting path may keep from such records is capped by its caches
 * (the associated data by path, 1 MiB per suite; the path memos, 4,096 paths of at most 256 chars,
 * which top-level names do not even reach; one DEK; one unwrap client), about 2 MiB in all; the
 * rest absorbs what the collector and lazily built JDK and Kafka structures move between two
 * readings. Remembering as little as 84 bytes per name (a name's String alone is 72 bytes) would
 * exceed it: an unbounded map of paths to associated data retains about 180 bytes per name.
 */
class DistinctFieldNamesHeapTest {

    static final int RECORDS = 200_000;
    static final int WARM_UP = 2_000;
    static final int BOUND_MIB = 16;
    static final ObjectMapper JSON = new ObjectMapper();

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
        p.put("fieldseal.kek.id", kv.keyId("pii"));
        p.put("fieldseal.azure.credential", "emulator");
        p.put("fieldseal.azure.tls.ca.file", kv.caPemFile().toString());
        for (int i = 0; i < more.length; i += 2) {
            p.put((String) more[i], more[i + 1]);
        }
        return p;
    }

    /** 33 chars, distinct per record. */
    static String name(int i) {
        return String.format("attacker-chosen-field-name-%06d", i);
    }

    @ParameterizedTest
    @ValueSource(strings = {"fail", "mask"})
    void genuineEdeksUnderDistinctMemberNamesAreRefusedAndRetainBoundedHeap(String policy) throws IOException {
        String sealed;
        try (EncryptingSerializer enc = new EncryptingSerializer()) {
            enc.configure(props("fieldseal.fields", "ssn"), false);
            byte[] wire = enc.serialize("people", new RecordHeaders(), "{\"ssn\":\"123-45-6789\"}");
            sealed = JSON.readTree(wire).get("ssn").asText();
        }
        kv.reset();
        try (DecryptingDeserializer dec = new DecryptingDeserializer()) {
            dec.configure(props("fieldseal.on.failure", policy), false);
            for (int i = 0; i < WARM_UP; i++) {
                handled(dec, policy, "warm-up-" + i, sealed);
            }
            long before = RetainedHeap.bytes();
            for (int i = 0; i < RECORDS; i++) {
                handled(dec, policy, name(i), sealed);
            }
            long after = RetainedHeap.bytes();
            Reference.reachabilityFence(dec);
            long grown = after - before;
            System.out.printf("DecryptingDeserializer (%s): retained heap %+,d bytes after %,d distinct member names%n",
                    policy, grown, RECORDS);
            assertTrue(grown < BOUND_MIB * 1024L * 1024L, "retained heap grew by " + grown + " bytes for " + RECORDS
                    + " distinct member names, bound " + BOUND_MIB + " MiB");
            assertEquals(1, kv.count("unwrapkey"), "one genuine DEK, one unwrap");
        }
    }

    static void handled(DecryptingDeserializer dec, String policy, String member, String sealed) {
        byte[] wire = ("{\"" + member + "\":\"" + sealed + "\"}").getBytes(StandardCharsets.UTF_8);
        if (policy.equals("fail")) {
            SerializationException e = assertThrows(SerializationException.class,
                    () -> dec.deserialize("people", new RecordHeaders(), wire));
            DecryptionException d = assertInstanceOf(DecryptionException.class, e.getCause(), e.toString());
            assertEquals(DecryptionException.Reason.AUTHENTICATION_FAILED, d.reason(), d.getMessage());
        } else {
            Object masked = dec.deserialize("people", new RecordHeaders(), wire);
            assertEquals("{\"" + member + "\":null}", String.valueOf(masked).replace(" ", ""));
        }
    }
}
