package dev.fieldseal.model.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fieldseal.field.FieldPath;
import dev.fieldseal.field.FieldSelection;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The encrypted form of a JSON Schema: which properties change, to what, and back. */
class EncryptedJsonSchemaTest {

    static final ObjectMapper JSON = new ObjectMapper();

    static FieldSelection select(String... paths) {
        return FieldSelection.of(FieldPath.parseAll(List.of(paths)), List.of());
    }

    static JsonNode json(String s) throws Exception {
        return JSON.readTree(s);
    }

    @Test
    void selectedPropertiesBecomeStringsKeepingTheirSchemaAndNullability() throws Exception {
        JsonNode plain = json("""
                {"type":"object","properties":{
                  "n":{"type":"number"},
                  "maybe":{"oneOf":[{"type":"null"},{"type":"integer"}]},
                  "any":{},
                  "e":{"enum":["a","b"]},
                  "tags":{"type":"object","additionalProperties":{"type":"string"}},
                  "kept":{"type":"boolean"}}}""");
        JsonNode out = EncryptedJsonSchema.encrypted(plain, select("n", "maybe", "any", "e", "tags[*]", "absent"));
        JsonNode p = out.get("properties");
        assertEquals(json("{\"type\":\"string\",\"fieldseal.encrypted\":true,\"fieldseal.schema\":{\"type\":\"number\"}}"),
                p.get("n"));
        assertEquals(json("[\"string\",\"null\"]"), p.get("maybe").get("type"), "oneOf with null admits null");
        assertEquals(json("[\"string\",\"null\"]"), p.get("any").get("type"), "no constraint admits null");
        assertEquals("string", p.get("e").get("type").asText(), "an enum without null does not");
        assertTrue(p.at("/tags/additionalProperties/fieldseal.encrypted").asBoolean(), "map values through [*]");
        assertEquals(plain.at("/properties/kept"), p.get("kept"));
        assertFalse(p.has("absent"), "a selected path the schema does not describe adds nothing");
        assertEquals(plain, EncryptedJsonSchema.plaintext(out));
        assertEquals(json("{\"type\":\"number\"}"), plain.at("/properties/n"), "the input is not changed");
    }

    @Test
    void anEncryptedSchemaIsNotEncryptedAgain() throws Exception {
        JsonNode plain = json("{\"type\":\"object\",\"properties\":{\"ssn\":{\"type\":\"string\"}}}");
        JsonNode once = EncryptedJsonSchema.encrypted(plain, select("ssn"));
        assertEquals(once, EncryptedJsonSchema.encrypted(once, select("ssn")));
        assertTrue(EncryptedJsonSchema.hasEncryptedFields(once));
        assertFalse(EncryptedJsonSchema.hasEncryptedFields(plain));
    }
}
