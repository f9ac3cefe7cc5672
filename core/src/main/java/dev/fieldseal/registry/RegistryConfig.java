package dev.fieldseal.registry;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/**
 * Schema Registry settings, spelt as the ecosystem's serdes spell them (without the
 * {@code fieldseal.} prefix), so that one client or Streams properties file serves fieldseal and
 * any registry-aware serde beside it. Credentials are {@link Type#PASSWORD}s: Kafka's config
 * logging prints them as {@code [hidden]}, and no message of the client quotes them.
 */
public final class RegistryConfig extends AbstractConfig {

    public static final String URL = "schema.registry.url";
    public static final String BASIC_AUTH_SOURCE = "basic.auth.credentials.source";
    public static final String BASIC_AUTH_USER_INFO = "basic.auth.user.info";
    public static final String BEARER_AUTH_SOURCE = "bearer.auth.credentials.source";
    public static final String BEARER_AUTH_TOKEN = "bearer.auth.token";
    public static final String TRUSTSTORE_LOCATION = "schema.registry.ssl.truststore.location";
    public static final String TRUSTSTORE_PASSWORD = "schema.registry.ssl.truststore.password";
    public static final String TRUSTSTORE_TYPE = "schema.registry.ssl.truststore.type";
    public static final String AUTO_REGISTER = "auto.register.schemas";
    public static final String KEY_SUBJECT_STRATEGY = "key.subject.name.strategy";
    public static final String VALUE_SUBJECT_STRATEGY = "value.subject.name.strategy";
    public static final String CACHE_CAPACITY = "max.schemas.per.subject";
    public static final String MAX_RETRIES = "max.retries";
    public static final String RETRIES_WAIT_MS = "retries.wait.ms";
    public static final String RETRIES_MAX_WAIT_MS = "retries.max.wait.ms";

    public static final String SOURCE_URL = "URL";
    public static final String SOURCE_USER_INFO = "USER_INFO";
    public static final String SOURCE_STATIC_TOKEN = "STATIC_TOKEN";

    private static final String GROUP = "Schema Registry";

    public static final ConfigDef CONFIG_DEF = new ConfigDef()
            .define(URL, Type.LIST, List.of(), Importance.HIGH,
                    "Formats avro-confluent and json-confluent: the Schema Registry (Confluent's REST API: Confluent Schema Registry, "
                            + "Apicurio's /apis/ccompat/v7, Karapace, Redpanda), comma-separated URLs of one "
                            + "registry, tried in turn. http:// or https://; an https:// registry is verified "
                            + "against " + TRUSTSTORE_LOCATION + " or the JVM's trust.",
                    GROUP, 1, ConfigDef.Width.LONG, "Registry URLs")
            .define(BASIC_AUTH_SOURCE, Type.STRING, SOURCE_URL, ValidString.in(SOURCE_URL, SOURCE_USER_INFO),
                    Importance.MEDIUM,
                    "Where HTTP basic credentials come from: 'URL' (user:password@ in " + URL + ", none if absent) "
                            + "or 'USER_INFO' (" + BASIC_AUTH_USER_INFO + ").",
                    GROUP, 2, ConfigDef.Width.SHORT, "Basic auth source")
            .define(BASIC_AUTH_USER_INFO, Type.PASSWORD, null, Importance.MEDIUM,
                    "user:password for " + BASIC_AUTH_SOURCE + "=USER_INFO. Never logged.",
                    GROUP, 3, ConfigDef.Width.MEDIUM, "Basic auth user info")
            .define(BEARER_AUTH_SOURCE, Type.STRING, SOURCE_STATIC_TOKEN, ValidString.in(SOURCE_STATIC_TOKEN),
                    Importance.LOW,
                    "Where a bearer token comes from: 'STATIC_TOKEN' (" + BEARER_AUTH_TOKEN + ").",
                    GROUP, 4, ConfigDef.Width.SHORT, "Bearer auth source")
            .define(BEARER_AUTH_TOKEN, Type.PASSWORD, null, Importance.MEDIUM,
                    "A bearer token sent to the registry (instead of basic credentials). Never logged.",
                    GROUP, 5, ConfigDef.Width.MEDIUM, "Bearer token")
            .define(TRUSTSTORE_LOCATION, Type.STRING, null, Importance.MEDIUM,
                    "Truststore of the CAs to trust for an https:// registry. Default: the JVM's trust store.",
                    GROUP, 6, ConfigDef.Width.LONG, "Truststore")
            .define(TRUSTSTORE_PASSWORD, Type.PASSWORD, null, Importance.MEDIUM,
                    "Password of " + TRUSTSTORE_LOCATION + ". Never logged.",
                    GROUP, 7, ConfigDef.Width.MEDIUM, "Truststore password")
            .define(TRUSTSTORE_TYPE, Type.STRING, "JKS", Importance.LOW,
                    "Type of " + TRUSTSTORE_LOCATION + ": JKS or PKCS12 (a JKS reader loads both).",
                    GROUP, 8, ConfigDef.Width.SHORT, "Truststore type")
            .define(AUTO_REGISTER, Type.BOOLEAN, true, Importance.MEDIUM,
                    "Whether the writing side registers the schemas it writes (the encrypted schema when "
                            + "sealing, the plaintext schema when the Streams app decrypts). false: the schema must "
                            + "already be registered under the subject; it is looked up, and a missing one fails the "
                            + "record.",
                    GROUP, 9, ConfigDef.Width.SHORT, "Register schemas")
            .define(KEY_SUBJECT_STRATEGY, Type.STRING, SubjectNameStrategy.TOPIC.shortName(),
                    SubjectNameStrategy.VALIDATOR, Importance.MEDIUM,
                    "Subject of record key schemas: TopicNameStrategy (<topic>-key), RecordNameStrategy (the "
                            + "record's full name; a JSON Schema's title) or TopicRecordNameStrategy (<topic>-<full "
                            + "name>); Confluent's full class names are accepted too.",
                    GROUP, 10, ConfigDef.Width.MEDIUM, "Key subject strategy")
            .define(VALUE_SUBJECT_STRATEGY, Type.STRING, SubjectNameStrategy.TOPIC.shortName(),
                    SubjectNameStrategy.VALIDATOR, Importance.MEDIUM,
                    "Subject of record value schemas: TopicNameStrategy (<topic>-value), RecordNameStrategy or "
                            + "TopicRecordNameStrategy, as " + KEY_SUBJECT_STRATEGY + ".",
                    GROUP, 11, ConfigDef.Width.MEDIUM, "Value subject strategy")
            .define(CACHE_CAPACITY, Type.INT, 1000, ConfigDef.Range.atLeast(1), Importance.LOW,
                    "Bound of each schema cache (schemas by id, ids by subject and schema): a record naming an id "
                            + "costs a registry call only the first time.",
                    GROUP, 12, ConfigDef.Width.SHORT, "Schema cache size")
            .define(MAX_RETRIES, Type.INT, 3, ConfigDef.Range.between(0, 20), Importance.LOW,
                    "Retries of a registry call that failed with 429, 5xx or a connection error, before giving up "
                            + "with an error naming the registry and the subject or id.",
                    GROUP, 13, ConfigDef.Width.SHORT, "Registry retries")
            .define(RETRIES_WAIT_MS, Type.LONG, 1000L, ConfigDef.Range.atLeast(0), Importance.LOW,
                    "First retry delay; doubles on each retry up to " + RETRIES_MAX_WAIT_MS + ".",
                    GROUP, 14, ConfigDef.Width.SHORT, "Retry wait")
            .define(RETRIES_MAX_WAIT_MS, Type.LONG, 20_000L, ConfigDef.Range.atLeast(0), Importance.LOW,
                    "Longest retry delay.", GROUP, 15, ConfigDef.Width.SHORT, "Longest retry wait");

    public RegistryConfig(Map<String, ?> props) {
        super(CONFIG_DEF, only(props), false);
    }

    /** The registry keys of a map that holds others too (client or Streams properties). */
    private static Map<String, Object> only(Map<String, ?> props) {
        Map<String, Object> out = new java.util.HashMap<>();
        props.forEach((k, v) -> {
            if (CONFIG_DEF.names().contains(k)) {
                out.put(k, v);
            }
        });
        return out;
    }

    /** Whether a key is one of these settings. */
    public static boolean defines(String key) {
        return CONFIG_DEF.names().contains(key);
    }

    /** The URLs, required: a registry format without one cannot read or write anything. */
    public List<String> urls() {
        List<String> urls = getList(URL);
        if (urls.isEmpty()) {
            throw new ConfigException(URL, "", "The registry formats need the Schema Registry: set " + URL
                    + "=http(s)://<host>:<port>.");
        }
        return urls;
    }

    public SubjectNameStrategy strategy(boolean isKey) {
        return SubjectNameStrategy.of(getString(isKey ? KEY_SUBJECT_STRATEGY : VALUE_SUBJECT_STRATEGY));
    }

    String secret(String key) {
        Password p = getPassword(key);
        return p == null ? null : p.value();
    }
}
