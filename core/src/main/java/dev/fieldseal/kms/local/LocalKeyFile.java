package dev.fieldseal.kms.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The local provider's key file: named KEKs, each a list of versions (oldest first) of 256-bit
 * AES keys, with an enabled flag. NOT FOR PRODUCTION: the keys sit in clear on disk. It exists so
 * that development, demos and tests can exercise rotation without Azure.
 *
 * <pre>{"keys": {"pii": [{"version": "1", "enabled": true, "key": "&lt;base64 of 32 bytes&gt;"}]}}</pre>
 */
public final class LocalKeyFile {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();

    /** One version of a local KEK. */
    public record Version(String version, boolean enabled, byte[] key) {
        @Override
        public String toString() {
            return "Version[" + version + (enabled ? "" : ", disabled") + "]";
        }
    }

    private LocalKeyFile() {
    }

    /** Reads the file: key name to versions, oldest first. */
    public static Map<String, List<Version>> read(Path file) {
        try {
            JsonNode root = MAPPER.readTree(file.toFile());
            Map<String, List<Version>> keys = new TreeMap<>();
            root.path("keys").fields().forEachRemaining(e -> {
                List<Version> versions = new ArrayList<>();
                for (JsonNode v : e.getValue()) {
                    versions.add(new Version(v.path("version").asText(), v.path("enabled").asBoolean(true),
                            Base64.getDecoder().decode(v.path("key").asText())));
                }
                keys.put(e.getKey(), versions);
            });
            return keys;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read local key file " + file, e);
        }
    }

    /** Adds a new version (the newest) of a key, creating the file and the key as needed; returns its version. */
    public static synchronized String addVersion(Path file, String name) {
        Map<String, List<Version>> keys = Files.exists(file) ? read(file) : new TreeMap<>();
        List<Version> versions = keys.computeIfAbsent(name, n -> new ArrayList<>());
        String version = Integer.toString(versions.size() + 1);
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        versions.add(new Version(version, true, key));
        write(file, keys);
        return version;
    }

    /** Enables or disables one version. */
    public static synchronized void setEnabled(Path file, String name, String version, boolean enabled) {
        Map<String, List<Version>> keys = read(file);
        List<Version> versions = keys.getOrDefault(name, List.of());
        boolean found = false;
        for (int i = 0; i < versions.size(); i++) {
            Version v = versions.get(i);
            if (v.version().equals(version)) {
                versions.set(i, new Version(v.version(), enabled, v.key()));
                found = true;
            }
        }
        if (!found) {
            throw new IllegalArgumentException("No version " + version + " of local key " + name);
        }
        write(file, keys);
    }

    private static void write(Path file, Map<String, List<Version>> keys) {
        ObjectNode root = MAPPER.createObjectNode();
        ObjectNode keysNode = root.putObject("keys");
        keys.forEach((name, versions) -> {
            ArrayNode arr = keysNode.putArray(name);
            for (Version v : versions) {
                arr.addObject().put("version", v.version()).put("enabled", v.enabled())
                        .put("key", Base64.getEncoder().encodeToString(v.key()));
            }
        });
        try {
            Path parent = file.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Path tmp = Files.createTempFile(parent, ".keys", ".tmp");
            MAPPER.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), root);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write local key file " + file, e);
        }
    }
}
