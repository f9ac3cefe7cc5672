package dev.fieldseal.model.connect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Map;
import org.apache.kafka.connect.json.JsonConverter;

/**
 * A JSON value as a schemaless Connect value, exactly as Connect's JsonConverter (schemas off)
 * reads it: what {@code DecryptFields} returns for a value that a JSON writer sealed (the
 * serializer, the Streams app), so a sink sees what it would have seen had the value never been
 * sealed.
 */
final class SchemalessJson {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonConverter CONVERTER = new JsonConverter();

    static {
        CONVERTER.configure(Map.of("schemas.enable", false, "converter.type", "value"));
    }

    private SchemalessJson() {
    }

    static Object toConnect(JsonNode node) {
        try {
            return CONVERTER.toConnectData("", JSON.writeValueAsBytes(node)).value();
        } catch (IOException e) {
            throw new IllegalStateException("JSON value not writable (" + e.getClass().getSimpleName() + ")");
        }
    }
}
