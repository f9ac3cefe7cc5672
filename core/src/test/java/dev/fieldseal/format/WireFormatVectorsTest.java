package dev.fieldseal.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.fieldseal.codec.ConnectValueCodec;
import dev.fieldseal.config.FieldsealConfig;
import dev.fieldseal.envelope.SealedRecord;
import dev.fieldseal.envelope.Sealer;
import dev.fieldseal.envelope.Unsealer;
import dev.fieldseal.kms.local.LocalKms;
import dev.fieldseal.metrics.FieldsealMetrics;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The committed v1 vectors still decrypt, and deterministic ones still encrypt to the same bytes. */
class WireFormatVectorsTest {

    @Test
    void committedVectorsDecrypt() throws Exception {
        Path dir = vectorsDir();
        JsonNode root = new ObjectMapper().readTree(dir.resolve("v1.json").toFile());
        HexFormat hex = HexFormat.of();
        ConnectValueCodec codec = new ConnectValueCodec();
        Path keys = dir.resolve(root.get("keyFile").asText());
        FieldsealConfig config = new FieldsealConfig(Map.of(FieldsealConfig.KEK_ID, root.get("kekId").asText(),
                FieldsealConfig.LOCAL_KEY_FILE, keys.toString(),
                FieldsealConfig.DETERMINISTIC_DEK, root.get("deterministicDek").asText()));
        int checked = 0;
        try (LocalKms kms = new LocalKms(keys, new FieldsealMetrics());
             Unsealer u = new Unsealer(config, kms, Ticker.systemTicker(), new FieldsealMetrics());
             Sealer s = new Sealer(config, kms, Ticker.systemTicker(), new FieldsealMetrics())) {
            for (JsonNode v : root.get("vectors")) {
                byte[] env = hex.parseHex(v.get("envelope").asText());
                byte[] header = v.has("edekHeader") ? hex.parseHex(v.get("edekHeader").asText()) : null;
                String path = v.get("path").asText();
                byte[] plaintext = u.unseal(env, path, Unsealer.headerEdeks(header));
                assertArrayEquals(hex.parseHex(v.get("plaintext").asText()), plaintext, path);
                assertEquals(v.get("value").asText(), String.valueOf(codec.decode(plaintext).value()));
                if (v.get("cipher").asText().equals("AES-SIV") && v.get("placement").asText().equals("field")) {
                    SealedRecord rec = s.newRecord();
                    assertArrayEquals(env, s.seal(plaintext, path, true, rec), "AES-SIV is deterministic");
                }
                checked++;
            }
        }
        assertEquals(10, checked);
    }

    @Test
    void documentedOverheadHolds() throws Exception {
        JsonNode root = new ObjectMapper().readTree(vectorsDir().resolve("v1.json").toFile());
        HexFormat hex = HexFormat.of();
        for (JsonNode v : root.get("vectors")) {
            int env = hex.parseHex(v.get("envelope").asText()).length;
            int pt = hex.parseHex(v.get("plaintext").asText()).length;
            if (v.get("placement").asText().equals("header")) {
                int expected = v.get("cipher").asText().equals("AES-SIV") ? 6 + 8 + 16 : 6 + 8 + 12 + 16;
                assertEquals(expected, env - pt, "header placement overhead per value");
                assertTrue(env - pt <= 48);
            }
        }
    }

    static Path vectorsDir() throws URISyntaxException {
        Path p = Path.of(WireFormatVectorsTest.class.getResource("/vectors/v1.json").toURI()).getParent();
        assertTrue(Files.isDirectory(p));
        return p;
    }
}
