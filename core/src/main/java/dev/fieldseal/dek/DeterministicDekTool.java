package dev.fieldseal.dek;

import dev.fieldseal.config.FieldsealConfig;
import dev.fieldseal.kms.Kms;
import dev.fieldseal.kms.KmsFactory;
import dev.fieldseal.metrics.FieldsealMetrics;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Creates a deterministic DEK and prints its wrapped form, the value for {@code deterministic.dek}:
 *
 * <pre>java -cp '&lt;fieldseal jars&gt;' dev.fieldseal.dek.DeterministicDekTool app.properties</pre>
 *
 * The properties file holds the KEK settings ({@code kek.id}, {@code azure.*} or
 * {@code local.key.file}), with or without the {@code fieldseal.} prefix. The Streams app's CLI
 * offers the same as {@code deterministic-dek}.
 */
public final class DeterministicDekTool {

    private DeterministicDekTool() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: DeterministicDekTool <properties file with kek.id and its provider settings>");
            System.exit(2);
        }
        run(Path.of(args[0]), System.out);
    }

    /** Prints {@code deterministic.dek=<value>} for the KEK configured in {@code file}. */
    public static void run(Path file, PrintStream out) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        }
        Map<String, Object> props = new HashMap<>();
        p.forEach((k, v) -> {
            String key = k.toString();
            props.put(key.startsWith(FieldsealConfig.PREFIX) ? key.substring(FieldsealConfig.PREFIX.length()) : key, v);
        });
        props.keySet().retainAll(FieldsealConfig.CONFIG_DEF.names());
        FieldsealConfig config = new FieldsealConfig(props);
        String kekId = config.requireKekId();
        try (Kms kms = KmsFactory.create(kekId, config, new FieldsealMetrics())) {
            out.println(FieldsealConfig.DETERMINISTIC_DEK + "=" + DeterministicKey.create(kms, kekId));
        }
    }
}
