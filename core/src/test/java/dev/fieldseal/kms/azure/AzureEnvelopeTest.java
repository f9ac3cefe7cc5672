package dev.fieldseal.kms.azure;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fieldseal.config.FieldsealConfig;
import dev.fieldseal.envelope.SealedRecord;
import dev.fieldseal.envelope.Sealer;
import dev.fieldseal.envelope.Unsealer;
import dev.fieldseal.kms.KekRef;
import dev.fieldseal.metrics.FieldsealMetrics;
import dev.fieldseal.testkit.KeyVaultDouble;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The envelope (sealer/unsealer with the DEK layer) on the Azure provider, against the double. */
class AzureEnvelopeTest {

    static KeyVaultDouble vault;

    @BeforeAll
    static void start() {
        vault = new KeyVaultDouble();
    }

    @AfterAll
    static void stop() {
        vault.close();
    }

    static FieldsealConfig config(String keyName) {
        Map<String, Object> p = new HashMap<>();
        p.put(FieldsealConfig.KEK_ID, vault.keyId(keyName));
        p.put(FieldsealConfig.AZURE_CREDENTIAL, "emulator");
        p.put(FieldsealConfig.AZURE_TLS_CA_FILE, vault.caPemFile().toString());
        p.put(FieldsealConfig.KMS_RETRY_BACKOFF_MS, "50");
        return new FieldsealConfig(p);
    }

    private static byte[] value(int i) {
        return ("4111-1111-1111-" + i).getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void oneHundredThousandValuesWithAnRsaKekMakeNoWrapCallsAndOneUnwrapPerDek() {
        vault.createRsaKey("economy");
        vault.reset();
        FieldsealMetrics metrics = new FieldsealMetrics();
        List<byte[]> sealed = new ArrayList<>(100_000);
        try (Sealer s = Sealer.create(config("economy"), metrics)) {
            for (int i = 0; i < 100_000; i++) {
                sealed.add(s.seal(value(i), "card", false, s.newRecord()));
            }
        }
        assertEquals(0, vault.count("wrapkey"));
        assertTrue(vault.count("get") <= 3, "key reads: " + vault.count("get"));
        long deks = metrics.get(FieldsealMetrics.DEKS_CREATED);
        try (Unsealer u = Unsealer.create(config("economy"), new FieldsealMetrics())) {
            for (int i = 0; i < sealed.size(); i += 1) {
                assertArrayEquals(value(i), u.unseal(sealed.get(i), "card", Map.of()));
            }
        }
        assertEquals(deks, vault.count("unwrapkey"), "one unwrap per distinct DEK");
    }

    @Test
    void octHsmKekMakesOneRemoteWrapPerDek() {
        vault.createOctHsmKey("hsm");
        vault.reset();
        FieldsealMetrics metrics = new FieldsealMetrics();
        byte[] env;
        try (Sealer s = Sealer.create(config("hsm"), metrics)) {
            for (int i = 0; i < 1000; i++) {
                s.seal(value(i), "card", false, s.newRecord());
            }
            env = s.seal(value(7), "card", false, s.newRecord());
        }
        assertEquals(metrics.get(FieldsealMetrics.DEKS_CREATED), vault.count("wrapkey"));
        try (Unsealer u = Unsealer.create(config("hsm"), new FieldsealMetrics())) {
            assertArrayEquals(value(7), u.unseal(env, "card", Map.of()));
        }
    }

    @Test
    void rotationEventSwitchesAtOnceAndDisabledOldVersionFailsClearly() {
        String v1 = vault.createRsaKey("rotating");
        try (Sealer s = Sealer.create(config("rotating"), new FieldsealMetrics());
             Unsealer u = Unsealer.create(config("rotating"), new FieldsealMetrics())) {
            SealedRecord r1 = s.newRecord();
            byte[] old = s.seal(value(1), "card", false, r1);
            assertEquals(v1, s.currentKek().version());

            String v2 = vault.rotate("rotating");
            String event = """
                    {"specversion":"1.0","type":"Microsoft.KeyVault.KeyNewVersionCreated","source":"/vaults/x",
                     "id":"1","data":{"Id":"%s"}}""".formatted(vault.keyId("rotating", v2));
            for (String id : RotationEvents.keysToRefresh(event)) {
                assertEquals(s.kekId(), id);
                KekRef now = s.refreshNow().toCompletableFuture().join();
                assertEquals(v2, now.version());
            }
            SealedRecord r2 = s.newRecord();
            byte[] fresh = s.seal(value(2), "card", false, r2);
            assertEquals(v2, new String(r2.headers().get(SealedRecord.KEK_VERSION_HEADER), StandardCharsets.UTF_8));
            assertNotEquals(v1, v2);

            vault.setEnabled("rotating", v1, false);
            RuntimeException e = assertThrows(RuntimeException.class, () -> u.unseal(old, "card", Map.of()));
            assertTrue(e.getMessage().contains(v1) && e.getMessage().contains(vault.keyId("rotating")), e.getMessage());
            assertArrayEquals(value(2), u.unseal(fresh, "card", Map.of()));
        }
    }
}
