package dev.fieldseal.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fieldseal.envelope.LocalFixture;
import dev.fieldseal.envelope.Sealer;
import dev.fieldseal.envelope.Unsealer;
import dev.fieldseal.metrics.FieldsealMetrics;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class FieldsealConfigTest {

    private static String message(Map<String, Object> props) {
        return assertThrows(ConfigException.class, () -> new FieldsealConfig(props)).getMessage();
    }

    @Test
    void badValuesNameTheKey() {
        String path = message(Map.of(FieldsealConfig.FIELDS, "a..b"));
        assertTrue(path.contains("fields") && path.contains("a..b") && path.contains("position"), path);
        String kek = message(Map.of(FieldsealConfig.KEK_ID, "http://vault.example/keys/k"));
        assertTrue(kek.contains("kek.id") && kek.contains("https"), kek);
        String cred = message(Map.of(FieldsealConfig.AZURE_CREDENTIAL, "password"));
        assertTrue(cred.contains("azure.credential"), cred);
        String placement = message(Map.of(FieldsealConfig.ENVELOPE_PLACEMENT, "trailer"));
        assertTrue(placement.contains("envelope.placement"), placement);
        String limit = message(Map.of(FieldsealConfig.DEK_MAX_ENCRYPTIONS, String.valueOf((1L << 32) + 1)));
        assertTrue(limit.contains("dek.max.encryptions"), limit);
    }

    @Test
    void missingKeysSayWhatToSet() {
        String kek = assertThrows(ConfigException.class,
                () -> Sealer.create(new FieldsealConfig(Map.of()), new FieldsealMetrics())).getMessage();
        assertTrue(kek.contains("kek.id"), kek);
        String allowed = assertThrows(ConfigException.class,
                () -> Unsealer.create(new FieldsealConfig(Map.of()), new FieldsealMetrics())).getMessage();
        assertTrue(allowed.contains("kek.allowed") && allowed.contains("kek.id"), allowed);
        LocalFixture fx = new LocalFixture();
        String det = assertThrows(ConfigException.class, () -> Sealer.create(
                fx.config(FieldsealConfig.DETERMINISTIC_FIELDS, "id"), fx.metrics)).getMessage();
        assertTrue(det.contains("deterministic.dek"), det);
        String local = assertThrows(ConfigException.class, () -> Sealer.create(new FieldsealConfig(
                Map.of(FieldsealConfig.KEK_ID, "local:k")), fx.metrics)).getMessage();
        assertTrue(local.contains("local.key.file"), local);
    }

    @Test
    void prefixedPropertiesAreRead() {
        FieldsealConfig c = FieldsealConfig.fromPrefixed(Map.of("fieldseal.kek.id", "local:k", "bootstrap.servers", "x",
                "fieldseal.fields", "a,b.c"));
        assertEquals("local:k", c.kekId());
        assertEquals(2, c.fields().size());
    }
}
