package dev.fieldseal.serde;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import org.apache.kafka.common.errors.SerializationException;

/** JSON parsing and writing that keep numbers exact and never quote the input in errors. */
final class Json {

    private Json() {
    }

    static ObjectMapper mapper() {
        return JsonMapper.builder()
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
                .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
                .build();
    }

    /** A parse failure, reported by position only: Jackson's own message quotes the input. */
    static SerializationException unreadable(String topic, IOException e) {
        if (e instanceof JacksonException j) {
            JsonLocation l = j.getLocation();
            return new SerializationException("Value from topic '" + topic + "' is not valid JSON (at line "
                    + (l == null ? "?" : l.getLineNr()) + ", column " + (l == null ? "?" : l.getColumnNr()) + ")");
        }
        return new SerializationException("Value from topic '" + topic + "' is unreadable: "
                + e.getClass().getSimpleName());
    }

    static byte[] bytes(ObjectMapper mapper, JsonNode node) {
        try {
            return mapper.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new SerializationException("Cannot write JSON: " + e.getClass().getSimpleName());
        }
    }
}
