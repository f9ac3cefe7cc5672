package dev.fieldseal.dek;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fieldseal.config.FieldsealConfig;
import dev.fieldseal.envelope.SealedRecord;
import dev.fieldseal.envelope.Sealer;
import dev.fieldseal.envelope.Unsealer;
import dev.fieldseal.format.Envelope;
import dev.fieldseal.format.EnvelopeLayout;
import dev.fieldseal.kms.Kms;
import dev.fieldseal.kms.KmsFactory;
import dev.fieldseal.metrics.FieldsealMetrics;
import dev.fieldseal.testkit.KeyVaultDouble;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code fieldseal deterministic-dek --rewrap}: the same deterministic DEK, wrapped by the newest version. */
class DeterministicDekRewrapTest {

    static KeyVaultDouble vault;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        vault = new KeyVaultDouble();
    }

    @AfterAll
    static void stop() {
        vault.close();
    }

    private Path properties(String key) throws Exception {
        Path p = dir.resolve(key + ".properties");
        Files.writeString(p, "fieldseal.kek.id=" + vault.keyId(key) + "\nfieldseal.azure.credential=emulator\n"
                + "fieldseal.azure.tls.ca.file=" + vault.caPemFile().toString().replace("\\", "/") + "\n");
        return p;
    }

    private static FieldsealConfig config(String key, String dek) {
        Map<String, Object> p = new HashMap<>();
        p.put(FieldsealConfig.KEK_ID, vault.keyId(key));
        p.put(FieldsealConfig.AZURE_CREDENTIAL, "emulator");
        p.put(FieldsealConfig.AZURE_TLS_CA_FILE, vault.caPemFile().toString());
        p.put(FieldsealConfig.DETERMINISTIC_FIELDS, "id");
        p.put(FieldsealConfig.DETERMINISTIC_DEK, dek);
        return new FieldsealConfig(p);
    }

    private static String print(Path props, String rewrap) throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        DeterministicDekTool.run(props, rewrap, new PrintStream(buf, true, StandardCharsets.UTF_8));
        String line = buf.toString(StandardCharsets.UTF_8).trim();
        assertTrue(line.startsWith("deterministic.dek="), line);
        return line.substring("deterministic.dek=".length());
    }

    private static String version(String dek) {
        return EnvelopeLayout.parseEdekBlock(Base64.getDecoder().decode(dek)).kek().version();
    }

    @Test
    void afterARotationTheRewrappedDekNamesTheNewVersionAndSealsIdentically() throws Exception {
        String v1 = vault.createRsaKey("det");
        Path props = properties("det");
        String dek1 = print(props, null);
        assertEquals(v1, version(dek1));
        byte[] id = "customer-42".getBytes(StandardCharsets.UTF_8);
        byte[] sealed1;
        try (Sealer s = Sealer.create(config("det", dek1), new FieldsealMetrics())) {
            sealed1 = s.seal(id, "id", true, s.newRecord());
        }

        String v2 = vault.rotate("det");
        vault.reset();
        String dek2 = print(props, dek1);
        assertEquals(v2, version(dek2));
        assertEquals(1, vault.count("unwrapkey"), "one unwrap with the old version");
        assertEquals(0, vault.count("wrapkey"), "an RSA key wraps locally");

        byte[] sealed2;
        SealedRecord rec;
        try (Sealer s = Sealer.create(config("det", dek2), new FieldsealMetrics())) {
            rec = s.newRecord();
            sealed2 = s.seal(id, "id", true, rec);
        }
        assertEquals(v2, new String(rec.headers().get(SealedRecord.KEK_VERSION_HEADER), StandardCharsets.UTF_8));
        Envelope e1 = EnvelopeLayout.parse(sealed1);
        Envelope e2 = EnvelopeLayout.parse(sealed2);
        assertEquals(v1, e1.edek().kek().version());
        assertEquals(v2, e2.edek().kek().version());
        assertArrayEquals(e1.body(), e2.body(), "same DEK: the AES-SIV output is the same");
        try (Unsealer u = Unsealer.create(config("det", dek2), new FieldsealMetrics())) {
            assertArrayEquals(id, u.unseal(sealed2, "id", Map.of()));
        }

        // already on the newest version: given back as it is, nothing unwrapped
        vault.reset();
        assertEquals(dek2, print(props, dek2));
        assertEquals(0, vault.count("unwrapkey"));
    }

    @Test
    void aDekOfAnotherKeyOrNoDekIsRefusedWithoutAnUnwrap() throws Exception {
        vault.createRsaKey("mine");
        vault.createRsaKey("theirs");
        String theirs = print(properties("theirs"), null);
        vault.reset();
        FieldsealConfig c = config("mine", theirs);
        try (Kms kms = KmsFactory.create(vault.keyId("mine"), c, new FieldsealMetrics())) {
            ConfigException other = assertThrows(ConfigException.class,
                    () -> DeterministicDekTool.rewrap(kms, vault.keyId("mine"), theirs));
            assertTrue(other.getMessage().contains("nothing was sent"), other.getMessage());
            ConfigException garbage = assertThrows(ConfigException.class,
                    () -> DeterministicDekTool.rewrap(kms, vault.keyId("mine"), "not-a-dek"));
            assertFalse(garbage.getMessage().contains("not-a-dek"));
        }
        assertEquals(0, vault.count("unwrapkey"));
    }
}
