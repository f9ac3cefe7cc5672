package dev.fieldseal.model.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Map;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.json.JsonConverter;

/**
 * Connect's own JsonConverter rendering, so values the SMT encrypted in front of a JsonConverter
 * come back exactly as the converter would have written them (decimals as base64, its default).
 * What lets a JSON reader that is not Connect (the deserializer, the Streams app) open JSON with an
 * embedded Connect schema.
 */
public final class JsonConverterForm implements JsonDecryptor.ConnectForm {

    private final JsonConverter converter = new JsonConverter();
    private final ObjectMapper mapper;

    public JsonConverterForm(ObjectMapper mapper) {
        this.mapper = mapper;
        converter.configure(Map.of("schemas.enable", false, "converter.type", "value"));
    }

    @Override
    public ObjectNode schema(Schema schema) {
        return converter.asJsonSchema(schema);
    }

    @Override
    public JsonNode value(Schema schema, Object value) {
        try {
            return mapper.readTree(converter.fromConnectData("", schema, value));
        } catch (IOException e) {
            throw new IllegalStateException("JsonConverter output unreadable (" + e.getClass().getSimpleName() + ")");
        }
    }
}
