package dev.fieldseal.dek;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.fieldseal.config.FieldsealConfig;
import dev.fieldseal.envelope.LocalFixture;
import dev.fieldseal.envelope.Sealer;
import dev.fieldseal.envelope.Unsealer;
import dev.fieldseal.kms.Kms;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DeterministicDekToolTest {

    @Test
    void printsAWrappedKeyThatConfiguresDeterministicFields() throws Exception {
        LocalFixture fx = new LocalFixture();
        Path props = Files.createTempFile("fieldseal", ".properties");
        Files.writeString(props, "fieldseal.kek.id=" + fx.kekId + "\nfieldseal.local.key.file="
                + fx.keyFile.toString().replace("\\", "/") + "\nbootstrap.servers=ignored:9092\n");
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        DeterministicDekTool.run(props, new PrintStream(buf, true, StandardCharsets.UTF_8));
        String line = buf.toString(StandardCharsets.UTF_8).trim();
        assertTrue(line.startsWith("deterministic.dek="), line);
        String dek = line.substring("deterministic.dek=".length());

        FieldsealConfig c = fx.config(FieldsealConfig.DETERMINISTIC_FIELDS, "id", FieldsealConfig.DETERMINISTIC_DEK, dek);
        byte[] id = "customer-42".getBytes(StandardCharsets.UTF_8);
        try (Kms kms = fx.kms(); Sealer s = new Sealer(c, kms, Ticker.systemTicker(), fx.metrics);
             Unsealer u = new Unsealer(c, kms, Ticker.systemTicker(), fx.metrics)) {
            byte[] a = s.seal(id, "id", true, s.newRecord());
            assertArrayEquals(a, s.seal(id, "id", true, s.newRecord()));
            assertArrayEquals(id, u.unseal(a, "id", Map.of()));
        }
    }
}
