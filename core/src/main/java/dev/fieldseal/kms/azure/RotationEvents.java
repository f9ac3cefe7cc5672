package dev.fieldseal.kms.azure;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads Event Grid {@code Microsoft.KeyVault.KeyNewVersionCreated} events, so a host can
 * re-resolve a key the moment it rotates instead of waiting for {@code kek.refresh.ms}.
 *
 * <p>Accepts the Event Grid schema ({@code eventType}) and CloudEvents 1.0 JSON ({@code type}),
 * one event or an array of them. Other event types and unparseable ids are ignored: an event
 * only ever triggers a refresh, so a wrong one costs one Key Vault read and nothing else.
 */
public final class RotationEvents {

    public static final String KEY_NEW_VERSION_CREATED = "Microsoft.KeyVault.KeyNewVersionCreated";
    private static final ObjectMapper JSON = new ObjectMapper();

    private RotationEvents() {
    }

    /**
     * The versionless key ids ({@code https://<vault>.vault.azure.net/keys/<name>}) that got a new
     * version, in order, without duplicates.
     *
     * @throws IllegalArgumentException if the text is not JSON
     */
    public static List<String> keysToRefresh(String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("Not a JSON Event Grid event or CloudEvent.");
        }
        Set<String> out = new LinkedHashSet<>();
        if (root == null) {
            return List.of();
        }
        if (root.isArray()) {
            root.forEach(e -> add(e, out));
        } else {
            add(root, out);
        }
        return new ArrayList<>(out);
    }

    /** Same, from the bytes of a Kafka record value (UTF-8). */
    public static List<String> keysToRefresh(byte[] json) {
        return json == null ? List.of() : keysToRefresh(new String(json, java.nio.charset.StandardCharsets.UTF_8));
    }

    private static void add(JsonNode event, Set<String> out) {
        String type = event.path("eventType").asText(event.path("type").asText(""));
        if (!KEY_NEW_VERSION_CREATED.equals(type)) {
            return;
        }
        JsonNode data = event.path("data");
        String id = text(data, "Id", "id");
        if (id != null) {
            try {
                out.add(KeyVaultKeyId.parse(id).versionless());
                return;
            } catch (IllegalArgumentException ignored) {
                // fall back to vault and object names
            }
        }
        String vault = text(data, "VaultName", "vaultName");
        String name = text(data, "ObjectName", "objectName");
        if (vault != null && name != null) {
            String host = vault.contains(".") ? vault : vault + ".vault.azure.net";
            try {
                out.add(KeyVaultKeyId.parse("https://" + host + "/keys/" + name).versionless());
            } catch (IllegalArgumentException ignored) {
                // not a key id we could use
            }
        }
    }

    private static String text(JsonNode data, String... names) {
        for (String n : names) {
            JsonNode v = data.get(n);
            if (v != null && v.isTextual() && !v.asText().isBlank()) {
                return v.asText();
            }
        }
        return null;
    }
}
