package dev.fieldseal.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fieldseal.config.ConfigDocs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

/** docs/configuration.md lists exactly the app's keys; the example file is complete and loads. */
class StreamsConfigDocsTest {

    private static final Path DOC = Path.of("..", "docs", "configuration.md");
    static final Path EXAMPLE = Path.of("config", "example.properties");

    @Test
    void streamsSectionsMatchTheConfigDefs() throws Exception {
        String doc = Files.readString(DOC);
        check(doc, "streams", ConfigDocs.table(StreamsAppConfig.CONFIG_DEF));
        check(doc, "streams-route", ConfigDocs.table(AppSettings.routeDocsDef()));
    }

    private static void check(String doc, String name, String expected) throws Exception {
        String section = ConfigDocs.section(doc, name);
        if (!expected.equals(section)) {
            Files.createDirectories(Path.of("target"));
            Files.writeString(Path.of("target", "configuration-" + name + ".md"), expected);
        }
        assertNotNull(section, "docs/configuration.md lacks the generated:" + name + " section");
        assertEquals(expected, section, "docs/configuration.md drifted from the Streams app's ConfigDef: paste "
                + "streams-app/target/configuration-" + name + ".md between the markers");
    }

    @Test
    void exampleFileLoadsAndMentionsEveryKey() throws Exception {
        AppSettings s = AppSettings.load(EXAMPLE);
        assertEquals(2, s.routes().size());
        assertTrue(s.routes().get(1).avro());
        assertNotNull(s.routes().get(1).inputSchema());
        String text = Files.readString(EXAMPLE);
        for (String k : StreamsAppConfig.CONFIG_DEF.names()) {
            assertTrue(text.contains("fieldseal." + k + "="), "example lacks fieldseal." + k);
        }
        for (String k : StreamsAppConfig.routeDef("").names()) {
            assertTrue(text.contains("." + k + "="), "example lacks a route's " + k);
        }
        for (String k : dev.fieldseal.config.FieldsealConfig.CONFIG_DEF.names()) {
            assertTrue(text.contains("fieldseal." + k + "="), "example lacks (at least commented) fieldseal." + k);
        }
    }

    private static Map<String, String> minimal() {
        Map<String, String> p = new HashMap<>();
        p.put("application.id", "x");
        p.put("bootstrap.servers", "b:9092");
        p.put("fieldseal.kek.id", "local:k");
        p.put("fieldseal.routes", "a");
        p.put("fieldseal.route.a.input", "pattern:orders-.*");
        p.put("fieldseal.route.a.output", "out");
        p.put("fieldseal.route.a.fields", "ssn");
        return p;
    }

    @Test
    void typosAndIncompleteRoutesAreRefusedClearly() {
        assertEquals("orders-.*", AppSettings.parse(minimal()).routes().get(0).pattern().pattern());
        Map<String, String> typo = minimal();
        typo.put("fieldseal.route.a.feilds", "ssn");
        assertTrue(assertThrows(ConfigException.class, () -> AppSettings.parse(typo)).getMessage()
                .contains("fieldseal.route.a.feilds"));
        Map<String, String> noFields = minimal();
        noFields.remove("fieldseal.route.a.fields");
        assertTrue(assertThrows(ConfigException.class, () -> AppSettings.parse(noFields)).getMessage()
                .contains("encrypts nothing"));
        Map<String, String> noOutput = minimal();
        noOutput.remove("fieldseal.route.a.output");
        assertTrue(assertThrows(ConfigException.class, () -> AppSettings.parse(noOutput)).getMessage()
                .contains("Route 'a'"));
        Map<String, String> avro = minimal();
        avro.put("fieldseal.route.a.format", "avro");
        assertThrows(ConfigException.class, () -> AppSettings.parse(avro));
        Map<String, String> handler = minimal();
        handler.put("processing.exception.handler",
                "org.apache.kafka.streams.errors.LogAndContinueProcessingExceptionHandler");
        assertThrows(ConfigException.class, () -> StreamsService.streamsProperties(AppSettings.parse(handler)));
    }

    @Test
    void producerCompressionDefaultsToZstdAndEitherFormOfTheSettingOverridesIt() {
        assertEquals("zstd", effectiveCompression(minimal()));
        Map<String, String> plain = minimal();
        plain.put("compression.type", "lz4");
        assertEquals("lz4", effectiveCompression(plain));
        Map<String, String> prefixed = minimal();
        prefixed.put("producer.compression.type", "none");
        assertEquals("none", effectiveCompression(prefixed));
    }

    /** What the app's producers are configured with, as Kafka Streams resolves its settings. */
    private static String effectiveCompression(Map<String, String> props) {
        java.util.Properties p = StreamsService.streamsProperties(AppSettings.parse(props));
        return String.valueOf(new org.apache.kafka.streams.StreamsConfig(p).getProducerConfigs("c")
                .get("compression.type"));
    }

    @Test
    void prometheusTextKeepsTheCounterNamesAndLabels() {
        dev.fieldseal.metrics.FieldsealMetrics m = new dev.fieldseal.metrics.FieldsealMetrics();
        try (AppMeters meters = new AppMeters(m, new AppMetrics())) {
            m.recordEncrypted(3);
            m.kmsCall("unwrap", "success", 2_000_000);
            meters.gauge("fieldseal.streams.running", () -> true);
            String text = meters.scrape();
            assertTrue(text.contains("fieldseal_records_encrypted_total 1.0\n"), text);
            assertTrue(text.contains("fieldseal_fields_encrypted_total 3.0\n"), text);
            assertTrue(text.contains("# TYPE fieldseal_kms_calls_total counter\n"), text);
            assertTrue(text.contains("fieldseal_kms_calls_total{operation=\"unwrap\",outcome=\"success\"} 1.0\n"), text);
            assertTrue(text.contains("fieldseal_streams_running 1.0\n"), text);
            assertTrue(text.contains("fieldseal_kms_latency_seconds_count{operation=\"unwrap\",outcome=\"success\"} 1\n"),
                    text);
            assertTrue(text.contains("# TYPE fieldseal_kms_latency_seconds histogram"), text);
        }
    }
}
