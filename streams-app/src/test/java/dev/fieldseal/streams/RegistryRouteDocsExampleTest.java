package dev.fieldseal.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The registry route examples of docs/streams-app.md are accepted as written and make registry routes. */
class RegistryRouteDocsExampleTest {

    @Test
    void theDocumentedRouteIsARegistryRouteWithoutAnAvroSchema() throws Exception {
        String doc = Files.readString(Path.of("..", "docs", "streams-app.md"));
        Matcher m = Pattern.compile("<!-- example:streams-avro-confluent -->\\n```properties\\n(.*?)```",
                Pattern.DOTALL).matcher(doc);
        assertTrue(m.find(), "docs/streams-app.md lacks the avro-confluent example");
        Properties p = new Properties();
        p.load(new StringReader(m.group(1)));
        Map<String, String> props = new HashMap<>();
        p.stringPropertyNames().forEach(k -> props.put(k, p.getProperty(k)));
        props.put("application.id", "doc-example");
        props.put("bootstrap.servers", "localhost:9092");
        props.put("fieldseal.kek.id", "local:pii");
        AppSettings s = AppSettings.parse(props);
        Route r = s.routes().get(0);
        assertTrue(r.registryAvro());
        assertNotNull(r.registry());
        assertNull(r.inputSchema(), "the writer schemas come from the registry");
        assertEquals("orders.sealed-value", r.registry().subject(r.output(),
                new org.apache.avro.Schema.Parser().parse("{\"type\":\"record\",\"name\":\"O\",\"fields\":[]}")));
        assertEquals("http://registry:8081", r.registry().client().registry());
    }

    @Test
    void theDocumentedJsonSchemaRouteIsARegistryJsonRoute() throws Exception {
        String doc = Files.readString(Path.of("..", "docs", "streams-app.md"));
        Matcher m = Pattern.compile("<!-- example:streams-json-confluent -->\\n```properties\\n(.*?)```",
                Pattern.DOTALL).matcher(doc);
        assertTrue(m.find(), "docs/streams-app.md lacks the json-confluent example");
        Properties p = new Properties();
        p.load(new StringReader(m.group(1)));
        Map<String, String> props = new HashMap<>();
        p.stringPropertyNames().forEach(k -> props.put(k, p.getProperty(k)));
        props.put("application.id", "doc-example");
        props.put("bootstrap.servers", "localhost:9092");
        props.put("fieldseal.kek.id", "local:pii");
        Route r = AppSettings.parse(props).routes().get(0);
        assertTrue(r.registryJson());
        assertNotNull(r.confluentJson());
        assertNull(r.registry(), "no Avro framing on a JSON route");
        assertEquals("customers.opened-value", r.confluentJson().registry().subject(r.output(),
                new com.fasterxml.jackson.databind.ObjectMapper().readTree("{\"type\":\"object\"}")));
        assertEquals("http://registry:8081", r.confluentJson().registry().client().registry());
    }
}
