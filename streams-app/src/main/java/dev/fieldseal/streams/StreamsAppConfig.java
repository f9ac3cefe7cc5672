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
    public static final String HEALTH_KEK_CHECK = "health.kek.check";
    public static final String HTTP_BIND_ADDRESS = "http.bind.address";
    public static final String SHUTDOWN_TIMEOUT_MS = "shutdown.timeout.ms";
    public static final String FAILURE_BACKOFF_MS = "failure.backoff.ms";

    /** Per-route keys, written {@code fieldseal.route.<name>.<key>}. */
    public static final String ROUTE_PREFIX = "route.";
    public static final String ROUTE_INPUT = "input";
    public static final String ROUTE_OUTPUT = "output";
    public static final String ROUTE_FIELDS = "fields";
    public static final String ROUTE_FORMAT = "format";
    public static final String ROUTE_AVRO_SCHEMA = "avro.schema";
    public static final String ROUTE_KEY_FORMAT = "key.format";
    public static final String ROUTE_KEY_FIELDS = "key.fields";
    public static final String ROUTE_KEY_RANDOMIZED = "key.randomized";

    public static final String MODE_ENCRYPT = "encrypt";
    public static final String MODE_DECRYPT = "decrypt";
    public static final String MODE_REKEY = "rekey";
    public static final String FORMAT_JSON = "json";
    public static final String FORMAT_AVRO = "avro";
    public static final String FORMAT_STRING = "string";
    public static final String FORMAT_AVRO_CONFLUENT = "avro-confluent";
    public static final String FORMAT_JSON_CONFLUENT = "json-confluent";
    public static final String KEY_FORMAT_NONE = "none";
    public static final String PATTERN_PREFIX = "pattern:";
    public static final String KEK_CHECK_AUTO = "auto";
    public static final String KEK_CHECK_RESOLVE = "resolve";
    public static final String KEK_CHECK_ROUND_TRIP = "round-trip";
    public static final String KEK_CHECK_OFF = "off";

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
                            + "port; -1 turns the endpoint and the KEK health check off.",
                    GROUP, 5, ConfigDef.Width.SHORT, "HTTP port")
            .define(HEALTH_KEK_CHECK_INTERVAL_MS, Type.LONG, 60_000L, ConfigDef.Range.atLeast(1000), Importance.LOW,
                    "How often the KEK health check (health.kek.check) runs. /health reports the KEK unusable when "
                            + "no check succeeded within twice this interval.",
                    GROUP, 6, ConfigDef.Width.SHORT, "KEK check interval")
            .define(SHUTDOWN_TIMEOUT_MS, Type.LONG, 30_000L, ConfigDef.Range.atLeast(0), Importance.LOW,
                    "How long a shutdown (SIGTERM) waits for Kafka Streams to commit and close.",
                    GROUP, 7, ConfigDef.Width.SHORT, "Shutdown timeout")
            .define(FAILURE_BACKOFF_MS, Type.LONG, 2_000L, ConfigDef.Range.atLeast(0), Importance.LOW,
                    "After a retriable key manager failure (Key Vault outage) the stream thread stops without "
                            + "committing past the record and is replaced after this pause; processing resumes from "
                            + "the last commit.",
                    GROUP, 8, ConfigDef.Width.SHORT, "Failure backoff")
            .define(HTTP_BIND_ADDRESS, Type.STRING, "0.0.0.0", new HostNameOrIp(), Importance.MEDIUM,
                    "Address the HTTP endpoint listens on: a host name or an IP address of this host. The default "
                            + "0.0.0.0 (every interface) is what container and Kubernetes probes need; 127.0.0.1 "
                            + "keeps /health and /metrics reachable from this host only.",
                    GROUP, 9, ConfigDef.Width.MEDIUM, "HTTP bind address")
            .define(HEALTH_KEK_CHECK, Type.STRING, KEK_CHECK_AUTO,
                    ValidString.in(KEK_CHECK_AUTO, KEK_CHECK_RESOLVE, KEK_CHECK_ROUND_TRIP, KEK_CHECK_OFF),
                    Importance.MEDIUM,
                    "What /health proves about the KEK, every health.kek.check.interval.ms: 'resolve' resolves "
                            + "the newest version (one Key Vault GET; for an RSA key all an encrypting identity "
                            + "needs, so it works with get permission only); 'round-trip' wraps and unwraps a "
                            + "throwaway DEK (the identity needs unwrap); 'off' checks nothing (/health then "
                            + "follows Kafka Streams only); 'auto' is 'resolve' in encrypt mode and 'round-trip' in "
                            + "decrypt and rekey mode, whose identities must unwrap anyway.",
                    GROUP, 10, ConfigDef.Width.SHORT, "KEK health check");

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
                .define(prefix + ROUTE_FORMAT, Type.STRING, FORMAT_JSON,
                        ValidString.in(FORMAT_JSON, FORMAT_AVRO, FORMAT_AVRO_CONFLUENT, FORMAT_JSON_CONFLUENT, FORMAT_STRING),
                        Importance.HIGH,
                        "Value format: 'json' (UTF-8 JSON objects), 'avro' (Avro binary of avro.schema, plain or in "
                                + "single-object encoding, without any registry framing), 'avro-confluent' (the "
                                + "Confluent wire format: magic byte 0, schema id, Avro binary; writer schemas by id from "
                                + "schema.registry.url; encrypt registers the encrypted schema under the output topic's "
                                + "subject, decrypt the plaintext schema, rekey keeps the id), 'json-confluent' (the same "
                                + "framing around JSON text, with JSON Schemas: encrypt registers the encrypted JSON "
                                + "Schema, whose sealed properties carry fieldseal.encrypted and fieldseal.schema) or "
                                + "'string' (the whole value is "
                                + "one encrypted value, written as base64 text, as the serdes' format 'string' does; "
                                + "fields do not apply).",
                        group, 4, ConfigDef.Width.SHORT, "Format")
                .define(prefix + ROUTE_AVRO_SCHEMA, Type.STRING, null, Importance.MEDIUM,
                        "format=avro: path of the .avsc the input values are written with (relative paths are "
                                + "resolved against the properties file's folder). Give the plaintext schema (e.g. "
                                + "schemas/customer.avsc) in every mode: the encrypted schema is derived from it and "
                                + "the route's fields; a schema that already has encrypted fields is used as is.",
                        group, 5, ConfigDef.Width.LONG, "Avro schema")
                .define(prefix + ROUTE_KEY_FORMAT, Type.STRING, KEY_FORMAT_NONE,
                        ValidString.in(KEY_FORMAT_NONE, FORMAT_STRING, FORMAT_JSON), Importance.HIGH,
                        "encrypt: how record keys are sealed. 'none' leaves keys as they are; 'string' seals the whole "
                                + "key as one value (base64 text); 'json' seals key.fields of JSON object keys. Keys are "
                                + "deterministic (AES-SIV, needs deterministic.dek) unless key.randomized=true, so equal "
                                + "keys stay equal: partitioning and compaction keep working. decrypt and rekey find "
                                + "sealed keys by themselves (a key that is one envelope, or a JSON key holding "
                                + "envelopes) and need no setting.",
                        group, 6, ConfigDef.Width.SHORT, "Key format")
                .define(prefix + ROUTE_KEY_FIELDS, Type.LIST, "", FieldPath.VALIDATOR, Importance.HIGH,
                        "key.format=json: the field paths of the key to seal (same syntax as fields). decrypt: the key "
                                + "fields to open (empty: every fieldseal value of the key).",
                        group, 7, ConfigDef.Width.LONG, "Key fields")
                .define(prefix + ROUTE_KEY_RANDOMIZED, Type.BOOLEAN, false, Importance.LOW,
                        "Seal keys with randomized AES-GCM instead of deterministic AES-SIV. Equal keys then get "
                                + "different ciphertexts, so a compacted topic keeps every version of a key and the "
                                + "default partitioner spreads one key over partitions: use only for keys that are not "
                                + "used for partitioning or compaction.",
                        group, 8, ConfigDef.Width.SHORT, "Randomized keys");
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
