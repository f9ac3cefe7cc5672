package dev.fieldseal.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fieldseal.testkit.KeyVaultDouble;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** How Key Vault failures surface from the transforms: at start, and per record (retriable or not). */
class KeyVaultFailuresTest {

    private static KeyVaultDouble kv;

    @BeforeAll
    static void start() {
        kv = new KeyVaultDouble();
        kv.createRsaKey("pii");
    }

    @AfterAll
    static void stop() {
        kv.close();
    }

    private static Map<String, Object> props(String key, Object... kv2) {
        Map<String, Object> p = new HashMap<>();
        p.put("kek.id", kv.keyId(key));
        p.put("azure.credential", "emulator");
        p.put("azure.tls.ca.file", kv.caPemFile().toString());
        p.put("kms.retry.max", 0);
        p.put("kms.timeout.ms", 2000L);
        for (int i = 0; i < kv2.length; i += 2) {
            p.put((String) kv2[i], kv2[i + 1]);
        }
        return p;
    }

    private static SourceRecord record(int n) {
        return new SourceRecord(Map.of(), Map.of(), "people", 0, null, null, Samples.PERSON, Samples.person(n));
    }

    @Test
    void anOutageWhileDecryptingIsRetriableAndHealsWhenTheVaultIsBack() {
        SourceRecord sealed;
        try (var enc = new EncryptFields.Value<SourceRecord>()) {
            enc.configure(props("pii", "fields", "ssn"));
            sealed = enc.apply(record(1));
        }
        try (var dec = new DecryptFields.Value<SourceRecord>()) {
            dec.configure(props("pii"));
            kv.down();
            RetriableException e;
            try {
                e = assertThrows(RetriableException.class, () -> dec.apply(sealed));
            } finally {
                kv.up();
            }
            assertTrue(e.getMessage().contains(kv.keyId("pii")) && e.getMessage().contains("errors.retry.timeout"),
                    e.getMessage());
            assertEquals(Samples.person(1), dec.apply(sealed).value());
        }
    }

    @Test
    void throttlingBeyondTheRetriesIsRetriable() {
        SourceRecord sealed;
        try (var enc = new EncryptFields.Value<SourceRecord>()) {
            enc.configure(props("pii", "fields", "ssn"));
            sealed = enc.apply(record(2));
        }
        try (var dec = new DecryptFields.Value<SourceRecord>()) {
            dec.configure(props("pii"));
            kv.failNext(2, 503); // the reader's version listing, then the unwrap
            assertThrows(RetriableException.class, () -> dec.apply(sealed));
            assertEquals(Samples.person(2), dec.apply(sealed).value());
        }
    }

    @Test
    void aDisabledVersionIsNotRetriable() {
        kv.createRsaKey("short-lived");
        String version = kv.currentVersion("short-lived");
        SourceRecord sealed;
        try (var enc = new EncryptFields.Value<SourceRecord>()) {
            enc.configure(props("short-lived", "fields", "ssn"));
            sealed = enc.apply(record(3));
        }
        kv.setEnabled("short-lived", version, false);
        try (var dec = new DecryptFields.Value<SourceRecord>()) {
            dec.configure(props("short-lived"));
            DataException e = assertThrows(DataException.class, () -> dec.apply(sealed));
            assertTrue(e.getMessage().contains(version), e.getMessage());
        } finally {
            kv.setEnabled("short-lived", version, true);
        }
    }

    @Test
    void startFailsWithAMessageNamingTheKey() {
        var missing = new EncryptFields.Value<SourceRecord>();
        ConfigException notFound = assertThrows(ConfigException.class,
                () -> missing.configure(props("no-such-key", "fields", "ssn")));
        assertTrue(notFound.getMessage().contains("kek.id") && notFound.getMessage().contains("no-such-key"),
                notFound.getMessage());
        missing.close();

        kv.down();
        var unreachable = new EncryptFields.Value<SourceRecord>();
        try {
            ConnectException e = assertThrows(ConnectException.class,
                    () -> unreachable.configure(props("pii", "fields", "ssn")));
            assertTrue(e.getMessage().contains("kek.id=" + kv.keyId("pii")) && e.getMessage().contains("restart"),
                    e.getMessage());
        } finally {
            kv.up();
            unreachable.close();
        }
    }
}
