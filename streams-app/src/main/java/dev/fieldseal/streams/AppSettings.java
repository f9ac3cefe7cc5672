package dev.fieldseal.streams;

import dev.fieldseal.config.FieldsealConfig;
import dev.fieldseal.field.FieldPath;
import dev.fieldseal.field.FieldSelection;
import dev.fieldseal.model.avro.AvroDecryptor;
import dev.fieldseal.model.avro.AvroEncryptor;
import dev.fieldseal.model.json.ConfluentJson;
import dev.fieldseal.registry.RegistryAvro;
import dev.fieldseal.registry.RegistryJson;
import dev.fieldseal.registry.RegistryConfig;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/**
 * The one properties file, split: Kafka Streams settings (every key without the
 * {@code fieldseal.} prefix, passed as is), the shared fieldseal settings and the app's own
 * settings and routes. Unknown {@code fieldseal.} keys are refused, so a typo does not silently
 * leave a field unencrypted.
 */
public final class AppSettings {

    private final Map<String, Object> streamsProps;
    private final FieldsealConfig fieldseal;
    private final AbstractConfig app;
    private final List<Route> routes;

    private AppSettings(Map<String, Object> streamsProps, FieldsealConfig fieldseal, AbstractConfig app,
            List<Route> routes) {
        this.streamsProps = streamsProps;
        this.fieldseal = fieldseal;
        this.app = app;
        this.routes = routes;
    }

    /** Reads a properties file; relative paths inside it (Avro schemas) are resolved against its folder. */
    public static AppSettings load(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        } catch (IOException e) {
            throw new ConfigException("Cannot read the configuration file " + file + ": " + e.getMessage());
        }
        Map<String, String> map = new LinkedHashMap<>();
        p.stringPropertyNames().forEach(k -> map.put(k, p.getProperty(k).trim()));
        Path dir = file.toAbsolutePath().getParent();
        return parse(map, dir);
    }

    /** Parses properties already in memory; relative paths are resolved against the working directory. */
    public static AppSettings parse(Map<String, String> props) {
        return parse(props, Path.of("").toAbsolutePath());
    }

    static AppSettings parse(Map<String, String> props, Path baseDir) {
        Map<String, Object> streams = new HashMap<>();
        Map<String, Object> stripped = new HashMap<>();
        props.forEach((k, v) -> {
            if (k.startsWith(FieldsealConfig.PREFIX)) {
                stripped.put(k.substring(FieldsealConfig.PREFIX.length()), v);
            } else {
                streams.put(k, v);
            }
        });
        FieldsealConfig fieldseal = new FieldsealConfig(only(stripped, FieldsealConfig::defines));
        AbstractConfig app = new AbstractConfig(StreamsAppConfig.CONFIG_DEF,
                only(stripped, StreamsAppConfig.CONFIG_DEF.names()::contains), false);
        List<String> names = app.getList(StreamsAppConfig.ROUTES);

        Set<String> unknown = new TreeSet<>();
        for (String k : stripped.keySet()) {
            boolean known = FieldsealConfig.defines(k) || StreamsAppConfig.CONFIG_DEF.names().contains(k);
            if (!known && k.startsWith(StreamsAppConfig.ROUTE_PREFIX)) {
                for (String n : names) {
                    String rp = StreamsAppConfig.ROUTE_PREFIX + n + ".";
                    if (k.startsWith(rp) && StreamsAppConfig.routeDef("").names().contains(k.substring(rp.length()))) {
                        known = true;
                    }
                }
            }
            if (!known) {
                unknown.add(FieldsealConfig.PREFIX + k);
            }
        }
        if (!unknown.isEmpty()) {
            throw new ConfigException("Unknown fieldseal settings " + unknown + " (a route not listed in "
                    + FieldsealConfig.PREFIX + StreamsAppConfig.ROUTES + ", or a misspelt key); see "
                    + "docs/configuration.md.");
        }

        String mode = app.getString(StreamsAppConfig.MODE);
        if (!StreamsAppConfig.MODE_DECRYPT.equals(mode)) {
            fieldseal.requireKekId();
        }
        List<Route> routes = new ArrayList<>();
        Registry values = new Registry(streams); // one client for every registry route, made on demand
        for (String n : names) {
            routes.add(route(n, stripped, fieldseal, mode, baseDir, values));
        }
        return new AppSettings(streams, fieldseal, app, List.copyOf(routes));
    }

    /** The registry settings and client every avro-confluent and json-confluent route shares, made on first use. */
    private static final class Registry {
        private final Map<String, Object> streams;
        private RegistryConfig settings;
        private RegistryAvro avro;

        Registry(Map<String, Object> streams) {
            this.streams = streams;
        }

        RegistryConfig settings() {
            if (settings == null) {
                settings = new RegistryConfig(streams);
            }
            return settings;
        }

        RegistryAvro get() {
            if (avro == null) {
                avro = RegistryAvro.of(settings(), false);
            }
            return avro;
        }
    }

    private static Map<String, Object> only(Map<String, Object> m, java.util.function.Predicate<String> names) {
        Map<String, Object> out = new HashMap<>();
        m.forEach((k, v) -> {
            if (names.test(k)) {
                out.put(k, v);
            }
        });
        return out;
    }

    private static Route route(String name, Map<String, Object> stripped, FieldsealConfig shared, String mode,
            Path baseDir, Registry registry) {
        String prefix = StreamsAppConfig.ROUTE_PREFIX + name + ".";
        Map<String, Object> own = new HashMap<>();
        stripped.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                own.put(k.substring(prefix.length()), v);
            }
        });
        AbstractConfig rc;
        try {
            rc = new AbstractConfig(StreamsAppConfig.routeDef(""), own, false);
        } catch (ConfigException e) {
            throw new ConfigException("Route '" + name + "' (" + FieldsealConfig.PREFIX + prefix + "*): "
                    + e.getMessage());
        }
        String input = rc.getString(StreamsAppConfig.ROUTE_INPUT);
        List<String> topics = List.of();
        Pattern pattern = null;
        if (input.startsWith(StreamsAppConfig.PATTERN_PREFIX)) {
            try {
                pattern = Pattern.compile(input.substring(StreamsAppConfig.PATTERN_PREFIX.length()));
            } catch (PatternSyntaxException e) {
                throw new ConfigException(FieldsealConfig.PREFIX + prefix + StreamsAppConfig.ROUTE_INPUT, input,
                        "Not a valid regular expression: " + e.getDescription());
            }
        } else {
            topics = Arrays.stream(input.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        }
        List<String> fieldTexts = rc.getList(StreamsAppConfig.ROUTE_FIELDS);
        List<FieldPath> fields = FieldPath.parseAll(fieldTexts != null ? fieldTexts
                : shared.getList(FieldsealConfig.FIELDS));
        List<FieldPath> deterministic = shared.deterministicFields();
        String format = rc.getString(StreamsAppConfig.ROUTE_FORMAT);
        Route.KeySealing keys = keySealing(name, prefix, rc, shared, mode);
        boolean encrypt = StreamsAppConfig.MODE_ENCRYPT.equals(mode);
        if (encrypt && fields.isEmpty() && deterministic.isEmpty() && keys.none()
                && !StreamsAppConfig.FORMAT_STRING.equals(format)) {
            throw new ConfigException(FieldsealConfig.PREFIX + prefix + StreamsAppConfig.ROUTE_FIELDS, null,
                    "Route '" + name + "' encrypts nothing: set its fields (or the shared fieldseal.fields), or "
                            + "its key.format.");
        }
        Schema inputSchema = null;
        Schema plainSchema = null;
        if (StreamsAppConfig.FORMAT_AVRO.equals(format)) {
            String file = rc.getString(StreamsAppConfig.ROUTE_AVRO_SCHEMA);
            String key = FieldsealConfig.PREFIX + prefix + StreamsAppConfig.ROUTE_AVRO_SCHEMA;
            if (file == null || file.isBlank()) {
                throw new ConfigException(key, null, "Route '" + name + "' has format=avro: give the .avsc its "
                        + "values are written with.");
            }
            Path path = baseDir.resolve(file);
            Schema given;
            try {
                given = new Schema.Parser().parse(Files.readString(path));
            } catch (IOException | SchemaParseException e) {
                throw new ConfigException(key, file, "Cannot read an Avro schema from " + path + ": "
                        + e.getMessage());
            }
            if (given.getType() != Schema.Type.RECORD) {
                throw new ConfigException(key, file, "The Avro schema must be a record.");
            }
            if (AvroDecryptor.hasEncryptedFields(given)) {
                inputSchema = given;
            } else {
                plainSchema = given;
                inputSchema = StreamsAppConfig.MODE_ENCRYPT.equals(mode) ? given
                        : new AvroEncryptor(null, FieldSelection.of(fields, deterministic), null).outputSchema(given);
            }
        }
        RegistryAvro values = StreamsAppConfig.FORMAT_AVRO_CONFLUENT.equals(format) ? registry.get() : null;
        ConfluentJson json = null;
        if (StreamsAppConfig.FORMAT_JSON_CONFLUENT.equals(format)) {
            // the same registry client as the Avro routes: one cache of schemas by id for the app
            RegistryConfig settings = registry.settings();
            int capacity = settings.getInt(RegistryConfig.CACHE_CAPACITY);
            json = new ConfluentJson(new RegistryJson(registry.get().client(), settings.strategy(false), false, capacity),
                    FieldSelection.of(fields, deterministic), capacity);
        }
        return new Route(name, topics, pattern, rc.getString(StreamsAppConfig.ROUTE_OUTPUT), fields, deterministic,
                format, inputSchema, plainSchema, keys, values, json);
    }

    private static Route.KeySealing keySealing(String name, String prefix, AbstractConfig rc, FieldsealConfig shared,
            String mode) {
        String format = rc.getString(StreamsAppConfig.ROUTE_KEY_FORMAT);
        List<FieldPath> fields = FieldPath.parseAll(rc.getList(StreamsAppConfig.ROUTE_KEY_FIELDS));
        boolean deterministic = !rc.getBoolean(StreamsAppConfig.ROUTE_KEY_RANDOMIZED);
        if (!StreamsAppConfig.MODE_ENCRYPT.equals(mode)) {
            // Sealed keys are found by their magic prefix; key.fields only narrows what decrypt opens.
            return new Route.KeySealing(fields.isEmpty() ? StreamsAppConfig.KEY_FORMAT_NONE
                    : StreamsAppConfig.FORMAT_JSON, fields, deterministic);
        }
        Route.KeySealing key = new Route.KeySealing(format, fields, deterministic);
        if (StreamsAppConfig.FORMAT_JSON.equals(format) && fields.isEmpty()) {
            throw new ConfigException(FieldsealConfig.PREFIX + prefix + StreamsAppConfig.ROUTE_KEY_FIELDS, "",
                    "Route '" + name + "' has key.format=json: name the key fields to seal.");
        }
        String dek = shared.getString(FieldsealConfig.DETERMINISTIC_DEK);
        if (!key.none() && deterministic && (dek == null || dek.isBlank())) {
            throw new ConfigException(FieldsealConfig.PREFIX + FieldsealConfig.DETERMINISTIC_DEK, null,
                    "Route '" + name + "' seals record keys deterministically (so equal keys stay equal for "
                            + "partitioning and compaction), which needs fieldseal.deterministic.dek: create one with "
                            + "'fieldseal deterministic-dek --config <this file>' and add the line it prints, or set "
                            + FieldsealConfig.PREFIX + prefix + StreamsAppConfig.ROUTE_KEY_RANDOMIZED + "=true.");
        }
        return key;
    }

    /** Kafka Streams settings: every key without the fieldseal. prefix. */
    public Map<String, Object> streamsProps() {
        return streamsProps;
    }

    public FieldsealConfig fieldseal() {
        return fieldseal;
    }

    public List<Route> routes() {
        return routes;
    }

    public String mode() {
        return app.getString(StreamsAppConfig.MODE);
    }

    public String dlqTopic() {
        String t = app.getString(StreamsAppConfig.DLQ_TOPIC);
        return t == null || t.isBlank() ? null : t;
    }

    public String rotationEventsTopic() {
        String t = fieldseal.getString(FieldsealConfig.ROTATION_EVENTS_TOPIC);
        return t == null || t.isBlank() ? null : t;
    }

    public int httpPort() {
        return app.getInt(StreamsAppConfig.HTTP_PORT);
    }

    public long kekCheckIntervalMs() {
        return app.getLong(StreamsAppConfig.HEALTH_KEK_CHECK_INTERVAL_MS);
    }

    public long shutdownTimeoutMs() {
        return app.getLong(StreamsAppConfig.SHUTDOWN_TIMEOUT_MS);
    }

    public long failureBackoffMs() {
        return app.getLong(StreamsAppConfig.FAILURE_BACKOFF_MS);
    }

    /** {@code fieldseal.http.bind.address}, trimmed. */
    public String httpBindAddress() {
        return app.getString(StreamsAppConfig.HTTP_BIND_ADDRESS).trim();
    }

    /** {@code fieldseal.health.kek.check} as configured ({@code auto} not yet resolved for the mode). */
    public String kekCheck() {
        return app.getString(StreamsAppConfig.HEALTH_KEK_CHECK);
    }

    /** For the docs: the route keys as users write them. */
    static ConfigDef routeDocsDef() {
        return StreamsAppConfig.routeDef(StreamsAppConfig.ROUTE_PREFIX + "<name>.");
    }
}
