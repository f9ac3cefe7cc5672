package dev.fieldseal.envelope;

import dev.fieldseal.config.FieldsealConfig;
import dev.fieldseal.kms.local.LocalKeyFile;
import dev.fieldseal.kms.local.LocalKms;
import dev.fieldseal.metrics.FieldsealMetrics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** A local key file with one key, and configs pointing at it: the envelope without Azure. */
public final class LocalFixture {

    public final Path keyFile;
    public final String kekId = "local:pii";
    public final FieldsealMetrics metrics = new FieldsealMetrics();

    public LocalFixture() {
        try {
            keyFile = Files.createTempDirectory("fieldseal-keys").resolve("keys.json");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        LocalKeyFile.addVersion(keyFile, "pii");
        guardKeys(keyFile);
    }

    /** Registers every key of a local key file with LeakGuard: no log line may contain one. */
    public static void guardKeys(Path file) {
        try {
            for (com.fasterxml.jackson.databind.JsonNode k : new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(file.toFile()).findValues("key")) {
                dev.fieldseal.testkit.leak.LeakGuard.secretBytes("local KEK of " + file.getFileName(),
                        java.util.Base64.getDecoder().decode(k.asText()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Map<String, Object> props(Object... kv) {
        Map<String, Object> p = new HashMap<>();
        p.put(FieldsealConfig.KEK_ID, kekId);
        p.put(FieldsealConfig.LOCAL_KEY_FILE, keyFile.toString());
        for (int i = 0; i < kv.length; i += 2) {
            p.put((String) kv[i], kv[i + 1]);
        }
        return p;
    }

    public FieldsealConfig config(Object... kv) {
        return new FieldsealConfig(props(kv));
    }

    public LocalKms kms() {
        return new LocalKms(keyFile, metrics);
    }

    /** Adds a newer version of the key, returning it. */
    public String rotate() {
        String v = LocalKeyFile.addVersion(keyFile, "pii");
        guardKeys(keyFile);
        return v;
    }
}
