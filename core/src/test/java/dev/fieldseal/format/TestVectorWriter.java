package dev.fieldseal.format;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.fieldseal.codec.ConnectValueCodec;
import dev.fieldseal.config.FieldsealConfig;
import dev.fieldseal.dek.DeterministicKey;
import dev.fieldseal.envelope.SealedRecord;
import dev.fieldseal.envelope.Sealer;
import dev.fieldseal.kms.local.LocalKms;
import dev.fieldseal.metrics.FieldsealMetrics;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Map;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;

/**
 * Writes {@code core/src/test/resources/vectors/} once: a fixed local key file and envelopes made
 * with it. Run by hand only when the format version changes; {@link WireFormatVectorsTest}
 * checks the committed files forever after.
 */
public final class TestVectorWriter {

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "core/src/test/resources/vectors");
        Path keys = dir.resolve("local-keys.json");
        if (!Files.exists(keys)) {
            dev.fieldseal.kms.local.LocalKeyFile.addVersion(keys, "vectors");
        }
        FieldsealMetrics metrics = new FieldsealMetrics();
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = mapper.createObjectNode();
        root.put("keyFile", "local-keys.json");
        root.put("kekId", "local:vectors");
        ArrayNode vectors = root.putArray("vectors");
        ConnectValueCodec codec = new ConnectValueCodec();
        HexFormat hex = HexFormat.of();
        try (LocalKms kms = new LocalKms(keys, metrics)) {
            String det = DeterministicKey.create(kms, "local:vectors");
            root.put("deterministicDek", det);
            for (String placement : new String[] {"field", "header"}) {
                FieldsealConfig c = new FieldsealConfig(Map.of(FieldsealConfig.KEK_ID, "local:vectors",
                        FieldsealConfig.LOCAL_KEY_FILE, keys.toString(), FieldsealConfig.ENVELOPE_PLACEMENT, placement,
                        FieldsealConfig.DETERMINISTIC_DEK, det));
                try (Sealer s = new Sealer(c, kms, Ticker.systemTicker(), metrics)) {
                    Object[][] cases = {
                        {"email", Schema.STRING_SCHEMA, "ada@example.com", false},
                        {"customer.ssn", Schema.OPTIONAL_STRING_SCHEMA, "123-45-6789", false},
                        {"balance", Decimal.schema(2), new BigDecimal("1234.56"), false},
                        {"items[*].id", Schema.INT64_SCHEMA, 42L, false},
                        {"email", Schema.STRING_SCHEMA, "ada@example.com", true},
                    };
                    for (Object[] k : cases) {
                        SealedRecord rec = s.newRecord();
                        byte[] plaintext = codec.encode((Schema) k[1], k[2]);
                        byte[] env = s.seal(plaintext, (String) k[0], (Boolean) k[3], rec);
                        ObjectNode v = vectors.addObject();
                        v.put("placement", placement);
                        v.put("cipher", (Boolean) k[3] ? "AES-SIV" : "AES-256-GCM");
                        v.put("path", (String) k[0]);
                        v.put("value", k[2].toString());
                        v.put("plaintext", hex.formatHex(plaintext));
                        v.put("envelope", hex.formatHex(env));
                        byte[] edekHeader = rec.headers().get(EdekHeader.NAME);
                        if (edekHeader != null) {
                            v.put("edekHeader", hex.formatHex(edekHeader));
                        }
                    }
                }
            }
        }
        mapper.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("v1.json").toFile(), root);
    }
}
