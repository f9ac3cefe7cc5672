package dev.fieldseal.streams;

import dev.fieldseal.field.FieldPath;
import java.util.List;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.common.config.ConfigException;

/**
 * The Streams app's own settings, written with the {@code fieldseal.} prefix in the one
 * properties file next to the Kafka Streams settings and the shared fieldseal settings
 * ({@link dev.fieldseal.config.FieldsealConfig}). {@code docs/configuration.md} shows both tables
 * generated from here; a test keeps them equal.
 */
public final class StreamsAppConfig {

    public static final String MODE = "mode";
    public static final String ROUTES = "routes";
    public static final String DLQ_TOPIC = "dlq.topic";
    public static final String HTTP_PORT = "http.port";
    public static final String HEALTH_KEK_CHECK_INTERVAL_MS = "health.kek.check.interval.ms";
    public static final String SHUTDOWN_TIMEOUT_MS = "shutdown.timeout.ms";
    public static final String FAILURE_BACKOFF_MS = "failure.backoff.ms";

    /** Per-route keys, written {@code fieldseal.route.<name>.<key>}. */
    public static final String ROUTE_PREFIX = "route.";
    public static final String ROUTE_INPUT = "input";
    public static final String ROUTE_OUTPUT = "output";
    public static final String ROUTE_FIELDS = "fields";
    public static final String ROUTE_FORMAT = "format";
    public static final String ROUTE_AVRO_SCHEMA = "avro.schema";

    public static final String MODE_ENCRYPT = "encrypt";
    public static final String MODE_DECRYPT = "decrypt";
    public static final String MODE_REKEY = "rekey";
    public static final String FORMAT_JSON = "json";
    public static final String FORMAT_AVRO = "avro";
    public static final String PATTERN_PREFIX = "pattern:";

    private static final String GROUP = "Streams app";

    public static final ConfigDef CONFIG_DEF = new ConfigDef()
            .define(MODE, Type.STRING, MODE_ENCRYPT, ValidString.in(MODE_ENCRYPT, MODE_DECRYPT, MODE_REKEY),
                    Importance.HIGH,
                    "What every route does: 'encrypt' seals the route's fields; 'decrypt' opens fieldseal values "
                            + "(for a trusted zone; the route's fields limit which, empty means all); 'rekey' moves "
                            + "every fieldseal value to the newest version of kek.id, changing only wrapped DEKs "
                            + "(ciphertexts stay byte-identical; records already there are copied unchanged).",
                    GROUP, 1, ConfigDef.Width.SHORT, "Mode")
            .define(ROUTES, Type.LIST, ConfigDef.NO_DEFAULT_VALUE, new RouteNames(), Importance.HIGH,
                    "Names of the routes, comma-separated. Each route name N is configured with the "
                            + "fieldseal.route.N.* keys (see the route table).",
                    GROUP, 2, ConfigDef.Width.LONG, "Routes")
            .define(DLQ_TOPIC, Type.STRING, null, Importance.HIGH,
                    "Dead-letter topic for records that can never be processed (malformed values, tampered or "
                            + "undecryptable ciphertext, shape errors, deleted or disabled key versions). Their "
                            + "configured fields are removed (a value that cannot be parsed is dropped) and error "
                            + "headers are added. Unset: such a record stops the application instead.",
                    GROUP, 3, ConfigDef.Width.LONG, "Dead-letter topic")
            .define(HTTP_PORT, Type.INT, 8080, ConfigDef.Range.between(-1, 65535), Importance.MEDIUM,
                    "Port of the HTTP endpoint serving /health and /metrics (Prometheus text). 0 picks a free "
                            + "port; -1 turns the endpoint and the KEK round-trip check off.",
                    GROUP, 5, ConfigDef.Width.SHORT, "HTTP port")
            .define(HEALTH_KEK_CHECK_INTERVAL_MS, Type.LONG, 60_000L, ConfigDef.Range.atLeast(1000), Importance.LOW,
                    "How often the health check wraps and unwraps a throwaway DEK with the KEK. /health reports the "
                            + "KEK unreachable when no round trip succeeded within twice this interval.",
                    GROUP, 6, ConfigDef.Width.SHORT, "KEK check interval")
            .define(SHUTDOWN_TIMEOUT_MS, Type.LONG, 30_000L, ConfigDef.Range.atLeast(0), Importance.LOW,
                    "How long a shutdown (SIGTERM) waits for Kafka Streams to commit and close.",
                    GROUP, 7, ConfigDef.Width.SHORT, "Shutdown timeout")
            .define(FAILURE_BACKOFF_MS, Type.LONG, 2_000L, ConfigDef.Range.atLeast(0), Importance.LOW,
                    "After a retriable key manager failure (Key Vault outage) the stream thread stops without "
                            + "committing past the record and is replaced after this pause; processing resumes from "
                            + "the last commit.",
                    GROUP, 8, ConfigDef.Width.SHORT, "Failure backoff");

    private StreamsAppConfig() {
    }

    /** The per-route keys, each prefixed with {@code prefix} (empty to parse, {@code route.<name>.} for the docs). */
    public static ConfigDef routeDef(String prefix) {
        String group = "Route";
        return new ConfigDef()
                .define(prefix + ROUTE_INPUT, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(),
                        Importance.HIGH,
                        "Input: a topic name, several comma-separated, or 'pattern:<regex>' for every matching topic.",
                        group, 1, ConfigDef.Width.LONG, "Input")
                .define(prefix + ROUTE_OUTPUT, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(),
                        Importance.HIGH, "Output topic.", group, 2, ConfigDef.Width.LONG, "Output")
                .define(prefix + ROUTE_FIELDS, Type.LIST, null, FieldPath.VALIDATOR, Importance.HIGH,
                        "Field paths of this route (same syntax as fields). encrypt: the fields to seal (required "
                                + "here or in fields); decrypt: the fields to open (empty: every fieldseal value); "
                                + "rekey: not needed. Also the fields removed from dead-lettered values. "
                                + "Default: the shared fields setting.",
                        group, 3, ConfigDef.Width.LONG, "Fields")
                .define(prefix + ROUTE_FORMAT, Type.STRING, FORMAT_JSON, ValidString.in(FORMAT_JSON, FORMAT_AVRO),
                        Importance.HIGH,
                        "Value format: 'json' (UTF-8 JSON objects) or 'avro' (Avro binary of avro.schema, without "
                                + "any registry framing).",
                        group, 4, ConfigDef.Width.SHORT, "Format")
                .define(prefix + ROUTE_AVRO_SCHEMA, Type.STRING, null, Importance.MEDIUM,
                        "format=avro: path of the .avsc the input values are written with (relative paths are "
                                + "resolved against the properties file's folder). Give the plaintext schema (e.g. "
                                + "schemas/customer.avsc) in every mode: the encrypted schema is derived from it and "
                                + "the route's fields; a schema that already has encrypted fields is used as is.",
                        group, 5, ConfigDef.Width.LONG, "Avro schema");
    }

    /** Route names become parts of property keys and of Streams processor names. */
    static final class RouteNames implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            @SuppressWarnings("unchecked")
            List<String> names = (List<String>) value;
            if (names == null || names.isEmpty()) {
                throw new ConfigException(name, value, "At least one route is required.");
            }
            for (String n : names) {
                if (!n.matches("[A-Za-z0-9_-]+")) {
                    throw new ConfigException(name, value, "Route names may use letters, digits, '_' and '-': " + n);
                }
            }
            if (names.stream().distinct().count() != names.size()) {
                throw new ConfigException(name, value, "Route names must be unique.");
            }
        }

        @Override
        public String toString() {
            return "non-empty list of names ([A-Za-z0-9_-]+)";
        }
    }
}
