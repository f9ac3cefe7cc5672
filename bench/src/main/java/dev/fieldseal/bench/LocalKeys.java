package dev.fieldseal.bench;

import dev.fieldseal.config.FieldsealConfig;
import dev.fieldseal.kms.local.LocalKeyFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** A local key file with one KEK: the envelope without Key Vault (DEKs are cached anyway). */
public final class LocalKeys {

    public static final String KEK_ID = "local:bench";
    private static Path file;

    private LocalKeys() {
    }

    public static synchronized Path file() {
        if (file == null) {
            try {
                Path dir = Files.createTempDirectory("fieldseal-bench-keys");
                file = dir.resolve("keys.json");
                LocalKeyFile.addVersion(file, "bench");
                dir.toFile().deleteOnExit();
                file.toFile().deleteOnExit();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return file;
    }

    /** Unprefixed core properties. */
    public static Map<String, Object> props(Object... kv) {
        Map<String, Object> p = new HashMap<>();
        p.put(FieldsealConfig.KEK_ID, KEK_ID);
        p.put(FieldsealConfig.LOCAL_KEY_FILE, file().toString());
        for (int i = 0; i < kv.length; i += 2) {
            p.put((String) kv[i], kv[i + 1]);
        }
        return p;
    }

    public static FieldsealConfig config(Object... kv) {
        return new FieldsealConfig(props(kv));
    }

    /** The same properties with the client prefix {@code fieldseal.}, for the serdes. */
    public static Map<String, Object> prefixed(Object... kv) {
        Map<String, Object> p = new HashMap<>();
        props(kv).forEach((k, v) -> p.put(FieldsealConfig.PREFIX + k, v));
        return p;
    }
}
