package dev.fieldseal.config;

import dev.fieldseal.field.FieldPath;
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
 * The settings every host shares, spelled the same everywhere: as is in a Connect transform's
 * config, with the {@code fieldseal.} prefix in client and Streams properties.
 * {@code docs/configuration.md} is generated from {@link #CONFIG_DEF}; a test keeps them equal.
 */
public class FieldsealConfig extends AbstractConfig {

    /** Prefix for client (serde) and Kafka Streams properties. */
    public static final String PREFIX = "fieldseal.";

    public static final String FIELDS = "fields";
    public static final String KEK_ID = "kek.id";
    public static final String KEK_ALLOWED = "kek.allowed";
    public static final String KEK_REFRESH_MS = "kek.refresh.ms";
    public static final String KEK_TEMPLATE_MISSING = "kek.template.missing";
    public static final String KEK_TEMPLATE_FALLBACK_ID = "kek.template.fallback.id";
    public static final String KEK_TEMPLATE_CACHE_SIZE = "kek.template.cache.size";
    public static final String DEK_MAX_ENCRYPTIONS = "dek.max.encryptions";
    public static final String DEK_MAX_AGE_MS = "dek.max.age.ms";
    public static final String DEK_CACHE_SIZE = "dek.cache.size";
    public static final String DEK_CACHE_TTL_MS = "dek.cache.ttl.ms";
    public static final String KEK_VERSIONS_REFRESH_MS = "kek.versions.refresh.ms";
    public static final String KEK_VERSIONS_REFUSED_TTL_MS = "kek.versions.refused.ttl.ms";
    public static final String DEK_UNWRAP_RATE = "dek.unwrap.rate";
    public static final String DEK_UNWRAP_BURST = "dek.unwrap.burst";
    public static final String ENVELOPE_PLACEMENT = "envelope.placement";
    public static final String ENCRYPTED_FIELD_TYPE = "encrypted.field.type";
    public static final String ON_FAILURE = "on.failure";
    public static final String DETERMINISTIC_FIELDS = "deterministic.fields";
    public static final String DETERMINISTIC_DEK = "deterministic.dek";
    public static final String LOCAL_KEY_FILE = "local.key.file";
    public static final String AZURE_CREDENTIAL = "azure.credential";
    public static final String AZURE_TENANT_ID = "azure.tenant.id";
    public static final String AZURE_CLIENT_ID = "azure.client.id";
    public static final String AZURE_CLIENT_SECRET = "azure.client.secret";
    public static final String AZURE_TLS_CA_FILE = "azure.tls.ca.file";
    public static final String KMS_TIMEOUT_MS = "kms.timeout.ms";
    public static final String KMS_RETRY_MAX = "kms.retry.max";
    public static final String KMS_RETRY_BACKOFF_MS = "kms.retry.backoff.ms";
    public static final String ROTATION_EVENTS_TOPIC = "rotation.events.topic";
    /** Every setting of the rotation events consumer, e.g. {@code rotation.events.consumer.sasl.jaas.config}. */
    public static final String ROTATION_EVENTS_CONSUMER_PREFIX = "rotation.events.consumer.";
    public static final String ROTATION_EVENTS_BOOTSTRAP_SERVERS = ROTATION_EVENTS_CONSUMER_PREFIX + "bootstrap.servers";
    public static final String AUDIT_ENABLED = "audit.enabled";
    public static final String AUDIT_INTERVAL_MS = "audit.interval.ms";
    public static final String AUDIT_TOPIC = "audit.topic";
    /** Every setting of the audit events producer, e.g. {@code audit.producer.sasl.jaas.config}. */
    public static final String AUDIT_PRODUCER_PREFIX = "audit.producer.";
    public static final String AUDIT_PRODUCER_BOOTSTRAP_SERVERS = AUDIT_PRODUCER_PREFIX + "bootstrap.servers";
    /** The SLF4J logger audit events are written to, one JSON object per line. */
    public static final String AUDIT_LOGGER = "fieldseal.audit";

    public static final String PLACEMENT_FIELD = "field";
    public static final String PLACEMENT_HEADER = "header";
    public static final String TYPE_STRING = "string";
    public static final String TYPE_BYTES = "bytes";
    public static final String ON_FAILURE_FAIL = "fail";
    public static final String ON_FAILURE_CIPHERTEXT = "ciphertext";
    public static final String ON_FAILURE_MASK = "mask";
    public static final String TEMPLATE_MISSING_FAIL = "fail";
    public static final String TEMPLATE_MISSING_FALLBACK = "fallback";
    /** Resolved template keys an encrypting host keeps (one current DEK and a refresh timer each). */
    public static final long DEFAULT_KEK_TEMPLATE_CACHE_SIZE = 10_000L;

    /** 10^8 encryptions: far below NIST SP 800-38D's 2^32 bound for random nonces (see docs/configuration.md). */
    public static final long DEFAULT_DEK_MAX_ENCRYPTIONS = 100_000_000L;
    public static final long DEFAULT_DEK_MAX_AGE_MS = 60 * 60 * 1000L;
    /**
     * 5 s: under a sustained flood of versions a key does not have, one version listing per key every
     * 5 s (720 an hour, a sliver of a vault's thousands of requests per 10 s); a genuine version
     * younger than that is refused as retriable for at most 5 s (at once with rotation events).
     */
    public static final long DEFAULT_KEK_VERSIONS_REFRESH_MS = 5_000L;
    public static final long DEFAULT_KEK_VERSIONS_REFUSED_TTL_MS = 60_000L;
    /**
     * 50 new DEKs a second per key version, 200 at once: an honest writer makes one DEK per rotation
     * or {@code dek.max.age.ms}, so a rotation of 200 producers passes at once; a forged flood gets
     * at most 500 unwraps per 10 s per key version from one process, an eighth of a vault's RSA-2048 quota.
     */
    public static final int DEFAULT_DEK_UNWRAP_RATE = 50;
    public static final int DEFAULT_DEK_UNWRAP_BURST = 200;
    public static final long DEFAULT_KEK_REFRESH_MS = 5 * 60 * 1000L;

    private static final String GROUP_FIELDS = "Fields";
    private static final String GROUP_KEYS = "Keys";
    private static final String GROUP_AZURE = "Azure Key Vault";
    private static final String GROUP_ROTATION = "Rotation events";
    private static final String GROUP_AUDIT = "Audit";

    public static final ConfigDef CONFIG_DEF = new ConfigDef()
            .define(FIELDS, Type.LIST, List.of(), FieldPath.VALIDATOR, Importance.HIGH,
                    "Field paths to encrypt (encrypting side) or to decrypt (decrypting side; empty means every "
                            + "fieldseal value found). Comma-separated; nested fields with dots (a.b.c), a literal dot "
                            + "quoted with backticks (`a.b`), every array element with [*] (items[*].ssn), map values "
                            + "like struct fields.",
                    GROUP_FIELDS, 1, ConfigDef.Width.LONG, "Fields")
            .define(DETERMINISTIC_FIELDS, Type.LIST, List.of(), FieldPath.VALIDATOR, Importance.MEDIUM,
                    "Field paths encrypted deterministically with AES-SIV: the same plaintext gives the same "
                            + "ciphertext, so the field stays joinable and keeps partitioning. Requires "
                            + DETERMINISTIC_DEK + ". Use only for values with enough entropy (ids, emails), never for "
                            + "low-cardinality values such as booleans or country codes.",
                    GROUP_FIELDS, 2, ConfigDef.Width.LONG, "Deterministic fields")
            .define(ENCRYPTED_FIELD_TYPE, Type.STRING, TYPE_STRING, ValidString.in(TYPE_STRING, TYPE_BYTES),
                    Importance.LOW,
                    "Type of an encrypted field in the output: 'string' (base64 text, works with every converter) "
                            + "or 'bytes' (raw envelope, smaller; needs a converter that carries bytes).",
                    GROUP_FIELDS, 3, ConfigDef.Width.SHORT, "Encrypted field type")
            .define(ON_FAILURE, Type.STRING, ON_FAILURE_FAIL,
                    ValidString.in(ON_FAILURE_FAIL, ON_FAILURE_CIPHERTEXT, ON_FAILURE_MASK),
                    Importance.HIGH,
                    "Decrypting side: what to do with a value that cannot be decrypted (key not in kek.allowed, "
                            + "identity refused, key version disabled or deleted, altered, malformed, unsupported). "
                            + "'fail': the record fails with an error naming the field, the key id and version and "
                            + "the cause (the host's own error: Connect's errors.tolerance, the consumer's "
                            + "RecordDeserializationException, the Streams app's dead-letter topic); 'ciphertext': "
                            + "pass the sealed value on as it is; 'mask': replace it with a masked value of the "
                            + "field's original type. A Key Vault outage (retriable) always fails, so nothing is "
                            + "lost. See 'Failure policy' in docs/operations.md.",
                    GROUP_FIELDS, 4, ConfigDef.Width.SHORT, "On failure")
            .define(KEK_ID, Type.STRING, null, new KekIdValidator(), Importance.HIGH,
                    "The key-encryption key. Azure Key Vault: https://<vault>.vault.azure.net/keys/<name> (follows "
                            + "rotation) or .../keys/<name>/<version> (pinned); Managed HSM: "
                            + "https://<hsm>.managedhsm.azure.net/keys/<name>; any other https:// host serving the Key "
                            + "Vault API (emulators); local:<name> for the local development provider. A key per tenant "
                            + "or topic: a template whose key name holds ${topic}, ${key}, ${value}, ${key.<path>} or "
                            + "${value.<path>} (a field of the record key or value, in the path syntax of " + FIELDS
                            + "), e.g. https://<vault>.vault.azure.net/keys/tenant-${value.tenant_id}. Each record is "
                            + "sealed under the key its fields name (newest version, followed like any key); a value "
                            + "that is not letters, digits and dashes, or makes a name longer than 127, is refused. See "
                            + KEK_TEMPLATE_MISSING + " and 'Keys per tenant' in docs/operations.md.",
                    GROUP_KEYS, 1, ConfigDef.Width.LONG, "KEK id")
            .define(KEK_ALLOWED, Type.LIST, List.of(), Importance.HIGH,
                    "Decrypting side: the only keys it may contact, as versionless key ids, or a vault URL ending in "
                            + "'/' to allow every key of that vault. Values naming any other key are refused without "
                            + "contacting it. An entry may also be a template like " + KEK_ID + "'s "
                            + "(https://<vault>/keys/tenant-${value.tenant_id}: every key its placeholders can name) or "
                            + "a name prefix with '*' (https://<vault>/keys/tenant-*); both match only key names of "
                            + "letters, digits and dashes in that vault. Default: the key of " + KEK_ID + " (for a "
                            + "template, every key it can name) and " + KEK_TEMPLATE_FALLBACK_ID + ".",
                    GROUP_KEYS, 2, ConfigDef.Width.LONG, "Allowed KEKs")
            .define(KEK_TEMPLATE_MISSING, Type.STRING, TEMPLATE_MISSING_FAIL,
                    ValidString.in(TEMPLATE_MISSING_FAIL, TEMPLATE_MISSING_FALLBACK), Importance.MEDIUM,
                    "Encrypting side, " + KEK_ID + " a template: what a record whose template field is absent or "
                            + "null gets. 'fail': it is not sealed and the host's error names the template and the "
                            + "field; 'fallback': it is sealed under " + KEK_TEMPLATE_FALLBACK_ID + ". A field whose "
                            + "value cannot name a key is refused under both.",
                    GROUP_KEYS, 20, ConfigDef.Width.SHORT, "Template field missing")
            .define(KEK_TEMPLATE_FALLBACK_ID, Type.STRING, null, new KekIdValidator(), Importance.MEDIUM,
                    "The key (a key id, not a template) that seals records whose template field is missing, "
                            + "under " + KEK_TEMPLATE_MISSING + "=fallback.",
                    GROUP_KEYS, 21, ConfigDef.Width.LONG, "Template fallback key")
            .define(KEK_TEMPLATE_CACHE_SIZE, Type.LONG, DEFAULT_KEK_TEMPLATE_CACHE_SIZE, ConfigDef.Range.atLeast(1),
                    Importance.LOW,
                    "Encrypting side, " + KEK_ID + " a template: how many resolved keys are held, each with its "
                            + "newest version, its public key and one current DEK (least recently used first out). "
                            + "A key evicted and seen again is resolved again (one Key Vault request) and gets a new "
                            + "DEK. Each held versionless key is also re-resolved every " + KEK_REFRESH_MS + ".",
                    GROUP_KEYS, 22, ConfigDef.Width.SHORT, "Template key cache size")
            .define(KEK_REFRESH_MS, Type.LONG, DEFAULT_KEK_REFRESH_MS, ConfigDef.Range.atLeast(1000), Importance.MEDIUM,
                    "How often a versionless " + KEK_ID + " is re-resolved to its newest enabled version. A newer "
                            + "version retires the current DEK at once.",
                    GROUP_KEYS, 3, ConfigDef.Width.SHORT, "KEK refresh interval")
            .define(DEK_MAX_ENCRYPTIONS, Type.LONG, DEFAULT_DEK_MAX_ENCRYPTIONS,
                    ConfigDef.Range.between(1, 1L << 32), Importance.LOW,
                    "Encryptions after which the current DEK is retired and a new one created. At most 2^32 (the "
                            + "NIST SP 800-38D bound for AES-GCM with random nonces).",
                    GROUP_KEYS, 4, ConfigDef.Width.SHORT, "DEK max encryptions")
            .define(DEK_MAX_AGE_MS, Type.LONG, DEFAULT_DEK_MAX_AGE_MS, ConfigDef.Range.atLeast(1000), Importance.LOW,
                    "Age after which the current DEK is retired and a new one created.",
                    GROUP_KEYS, 5, ConfigDef.Width.SHORT, "DEK max age")
            .define(DEK_CACHE_SIZE, Type.LONG, 10_000L, ConfigDef.Range.atLeast(1), Importance.LOW,
                    "Decrypting side: how many unwrapped DEKs are kept in memory.",
                    GROUP_KEYS, 6, ConfigDef.Width.SHORT, "DEK cache size")
            .define(DEK_CACHE_TTL_MS, Type.LONG, 60 * 60 * 1000L, ConfigDef.Range.atLeast(1000), Importance.LOW,
                    "Decrypting side: how long an unwrapped DEK stays in memory after its last use.",
                    GROUP_KEYS, 7, ConfigDef.Width.SHORT, "DEK cache TTL")
            .define(ENVELOPE_PLACEMENT, Type.STRING, PLACEMENT_FIELD, ValidString.in(PLACEMENT_FIELD, PLACEMENT_HEADER),
                    Importance.MEDIUM,
                    "'field': every encrypted value carries its wrapped DEK, so it stays decryptable after a sink "
                            + "drops headers. 'header': values carry a short DEK reference and the wrapped DEK travels "
                            + "once per record in the fieldseal.edek header (smaller values; headers must be kept).",
                    GROUP_KEYS, 8, ConfigDef.Width.SHORT, "Envelope placement")
            .define(DETERMINISTIC_DEK, Type.STRING, null, Importance.MEDIUM,
                    "The wrapped deterministic DEK printed by 'fieldseal deterministic-dek --config <file>'. Not "
                            + "secret (it is wrapped by the KEK), but shared by every producer of the same fields.",
                    GROUP_KEYS, 9, ConfigDef.Width.LONG, "Deterministic DEK")
            .define(LOCAL_KEY_FILE, Type.STRING, null, Importance.LOW,
                    "Local provider only (kek.id=local:<name>): path of the JSON key file. FOR DEVELOPMENT, DEMOS AND "
                            + "TESTS ONLY: the KEKs sit unprotected on disk.",
                    GROUP_KEYS, 10, ConfigDef.Width.LONG, "Local key file")
            .define(KEK_VERSIONS_REFRESH_MS, Type.LONG, DEFAULT_KEK_VERSIONS_REFRESH_MS, ConfigDef.Range.atLeast(100),
                    Importance.LOW,
                    "Decrypting side: a value naming a version that is not in the key's cached version list (or is "
                            + "disabled there) makes the list be fetched again, at most once per this interval per key; "
                            + "meanwhile such a version (perhaps one a rotation made since) is left to the unwrap, within "
                            + "the key's budget for unconfirmed versions (dek.unwrap.rate / dek.unwrap.burst). "
                            + "Rotation events make the next fetch immediate.",
                    GROUP_KEYS, 11, ConfigDef.Width.SHORT, "KEK versions refresh")
            .define(KEK_VERSIONS_REFUSED_TTL_MS, Type.LONG, DEFAULT_KEK_VERSIONS_REFUSED_TTL_MS,
                    ConfigDef.Range.atLeast(1000), Importance.LOW,
                    "Decrypting side: how long a version that Key Vault said does not exist or is disabled is "
                            + "refused without asking again (at most 4,096 versions remembered).",
                    GROUP_KEYS, 12, ConfigDef.Width.SHORT, "Refused versions TTL")
            .define(DEK_UNWRAP_RATE, Type.INT, DEFAULT_DEK_UNWRAP_RATE, ConfigDef.Range.atLeast(1), Importance.LOW,
                    "Decrypting side: unwraps of DEKs not in the cache, per second, per key version (versions "
                            + "missing from the key's version list share one budget per key). Over it, values are "
                            + "refused as retriable (rate-limited) and not sent to Key Vault.",
                    GROUP_KEYS, 13, ConfigDef.Width.SHORT, "DEK unwrap rate")
            .define(DEK_UNWRAP_BURST, Type.INT, DEFAULT_DEK_UNWRAP_BURST, ConfigDef.Range.atLeast(1), Importance.LOW,
                    "Decrypting side: how many new DEKs per key version may be unwrapped at once before "
                            + DEK_UNWRAP_RATE + " applies.",
                    GROUP_KEYS, 14, ConfigDef.Width.SHORT, "DEK unwrap burst")
            .define(AZURE_CREDENTIAL, Type.STRING, "default",
                    ValidString.in("default", "client-secret", "managed-identity", "workload-identity", "emulator"),
                    Importance.HIGH,
                    "How to authenticate to Key Vault: 'default' (DefaultAzureCredential), 'client-secret' (needs "
                            + "tenant, client id and secret), 'managed-identity' (client id selects a user-assigned "
                            + "identity), 'workload-identity' (AKS), 'emulator' (dummy token, local emulators only).",
                    GROUP_AZURE, 1, ConfigDef.Width.SHORT, "Azure credential")
            .define(AZURE_TENANT_ID, Type.STRING, null, Importance.MEDIUM, "Microsoft Entra tenant id.",
                    GROUP_AZURE, 2, ConfigDef.Width.MEDIUM, "Tenant id")
            .define(AZURE_CLIENT_ID, Type.STRING, null, Importance.MEDIUM,
                    "Application (client) id, or the client id of a user-assigned managed identity.",
                    GROUP_AZURE, 3, ConfigDef.Width.MEDIUM, "Client id")
            .define(AZURE_CLIENT_SECRET, Type.PASSWORD, null, Importance.MEDIUM,
                    "Client secret for azure.credential=client-secret. Never logged.",
                    GROUP_AZURE, 4, ConfigDef.Width.MEDIUM, "Client secret")
            .define(AZURE_TLS_CA_FILE, Type.STRING, null, Importance.LOW,
                    "PEM file of an extra CA to trust for the vault's TLS (emulators). Default: the JVM's trust store.",
                    GROUP_AZURE, 5, ConfigDef.Width.LONG, "Extra CA file")
            .define(KMS_TIMEOUT_MS, Type.LONG, 10_000L, ConfigDef.Range.atLeast(100), Importance.LOW,
                    "Connect and read timeout of one call to the key manager.",
                    GROUP_AZURE, 6, ConfigDef.Width.SHORT, "KMS timeout")
            .define(KMS_RETRY_MAX, Type.INT, 3, ConfigDef.Range.between(0, 20), Importance.LOW,
                    "Retries of a throttled (429), failed (5xx) or timed-out call before giving up.",
                    GROUP_AZURE, 7, ConfigDef.Width.SHORT, "KMS retries")
            .define(KMS_RETRY_BACKOFF_MS, Type.LONG, 200L, ConfigDef.Range.atLeast(1), Importance.LOW,
                    "First retry delay; doubles on each retry (a 429's Retry-After wins when given).",
                    GROUP_AZURE, 8, ConfigDef.Width.SHORT, "KMS retry backoff")
            .define(ROTATION_EVENTS_TOPIC, Type.STRING, null, Importance.MEDIUM,
                    "Topic carrying Key Vault Event Grid events (Event Grid or CloudEvents schema; on Azure an Event "
                            + "Hub read through its Kafka endpoint). Every instance reads every partition from the "
                            + "end, without a consumer group. A Microsoft.KeyVault.KeyNewVersionCreated event for the "
                            + "key of " + KEK_ID + " makes the encrypting side use the new version within a second; "
                            + "the decrypting side counts it (rotation-events) and needs nothing else. The consumer's "
                            + "settings go under " + ROTATION_EVENTS_CONSUMER_PREFIX + "* (e.g. "
                            + ROTATION_EVENTS_CONSUMER_PREFIX + "security.protocol=SASL_SSL, "
                            + ROTATION_EVENTS_CONSUMER_PREFIX + "sasl.jaas.config). Unset: only the periodic "
                            + KEK_REFRESH_MS + " applies.",
                    GROUP_ROTATION, 1, ConfigDef.Width.LONG, "Rotation events topic")
            .define(ROTATION_EVENTS_BOOTSTRAP_SERVERS, Type.LIST, null, Importance.MEDIUM,
                    "Brokers of the rotation events topic. Serializer and deserializer: default the client's own "
                            + "bootstrap.servers, security.protocol, sasl.* and ssl.* settings, each overridable under "
                            + ROTATION_EVENTS_CONSUMER_PREFIX + "; once this is set nothing is inherited (another "
                            + "cluster never gets the client's credentials). Streams app: the same, from its Kafka "
                            + "Streams settings. Connect transforms get no worker settings: required there when "
                            + ROTATION_EVENTS_TOPIC + " is set.",
                    GROUP_ROTATION, 2, ConfigDef.Width.LONG, "Rotation events brokers")
            .define(AUDIT_ENABLED, Type.BOOLEAN, true, Importance.MEDIUM,
                    "Decrypting side: write decrypt audit events, one JSON object per line, to the SLF4J logger '"
                            + AUDIT_LOGGER + "' at INFO (and to " + AUDIT_TOPIC + " when set): per key id and "
                            + "version, topic and interval, who read (connector and task, consumer client and group, "
                            + "Streams application id, the Azure identity's object id), the partitions and offset "
                            + "ranges, and how many values were decrypted, refused, masked, left sealed or re-keyed, "
                            + "with the failure classes. Never a value, a field path or key material. See "
                            + "docs/security.md, 'Decrypt audit events'.",
                    GROUP_AUDIT, 1, ConfigDef.Width.SHORT, "Audit events")
            .define(AUDIT_INTERVAL_MS, Type.LONG, 60_000L, ConfigDef.Range.atLeast(100), Importance.LOW,
                    "How long audit counts are aggregated before one event per key version and topic is written; "
                            + "what is left is written when the host closes. Intervals without decryption write "
                            + "nothing.",
                    GROUP_AUDIT, 2, ConfigDef.Width.SHORT, "Audit interval")
            .define(AUDIT_TOPIC, Type.STRING, null, Importance.LOW,
                    "Topic the audit events are also produced to (key: the key id; value: the JSON event), e.g. an "
                            + "Event Hub read by Microsoft Sentinel. The producer's settings go under "
                            + AUDIT_PRODUCER_PREFIX + "* (e.g. " + AUDIT_PRODUCER_PREFIX + "security.protocol). "
                            + "Unset: the logger only.",
                    GROUP_AUDIT, 3, ConfigDef.Width.LONG, "Audit topic")
            .define(AUDIT_PRODUCER_BOOTSTRAP_SERVERS, Type.LIST, null, Importance.LOW,
                    "Brokers of " + AUDIT_TOPIC + ". Deserializer and Streams app: default the client's own "
                            + "bootstrap.servers, security.protocol, sasl.* and ssl.* settings, each overridable under "
                            + AUDIT_PRODUCER_PREFIX + "; once this is set nothing is inherited. Connect transforms "
                            + "get no worker settings: required there when " + AUDIT_TOPIC + " is set.",
                    GROUP_AUDIT, 4, ConfigDef.Width.LONG, "Audit topic brokers");

    public FieldsealConfig(Map<?, ?> originals) {
        super(CONFIG_DEF, originals, false);
    }

    /** Reads {@code fieldseal.}-prefixed keys out of client or Streams properties. */
    public static FieldsealConfig fromPrefixed(Map<String, ?> props) {
        Map<String, Object> stripped = new java.util.HashMap<>();
        props.forEach((k, v) -> {
            if (k.startsWith(PREFIX)) {
                stripped.put(k.substring(PREFIX.length()), v);
            }
        });
        return new FieldsealConfig(stripped);
    }

    /**
     * True for the keys this config reads: the defined ones and every key under
     * {@link #ROTATION_EVENTS_CONSUMER_PREFIX} or {@link #AUDIT_PRODUCER_PREFIX} (client settings,
     * passed to the consumer or producer as they are).
     */
    public static boolean defines(String key) {
        return CONFIG_DEF.names().contains(key) || key.startsWith(ROTATION_EVENTS_CONSUMER_PREFIX)
                || key.startsWith(AUDIT_PRODUCER_PREFIX);
    }

    public List<FieldPath> fields() {
        return FieldPath.parseAll(getList(FIELDS));
    }

    public List<FieldPath> deterministicFields() {
        return FieldPath.parseAll(getList(DETERMINISTIC_FIELDS));
    }

    public String kekId() {
        return getString(KEK_ID);
    }

    /** The KEK id, or a {@link ConfigException} that says how to set it. */
    public String requireKekId() {
        String id = kekId();
        if (id == null || id.isBlank()) {
            throw new ConfigException(KEK_ID, null, "Missing required configuration \"" + KEK_ID + "\": set it to "
                    + "the key that wraps data keys, e.g. https://<vault>.vault.azure.net/keys/<name> or local:<name>.");
        }
        return id;
    }

    /** {@link #ON_FAILURE}: {@code fail}, {@code ciphertext} or {@code mask} (dev.fieldseal.failure.FailurePolicy). */
    public String onFailure() {
        return getString(ON_FAILURE);
    }

    public boolean headerPlacement() {
        return PLACEMENT_HEADER.equals(getString(ENVELOPE_PLACEMENT));
    }

    public boolean bytesOutput() {
        return TYPE_BYTES.equals(getString(ENCRYPTED_FIELD_TYPE));
    }

    public String clientSecret() {
        Password p = getPassword(AZURE_CLIENT_SECRET);
        return p == null ? null : p.value();
    }

    /** Validates a kek.id's form without contacting anything. */
    static final class KekIdValidator implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            if (value == null) {
                return;
            }
            String s = value.toString().trim();
            if (s.startsWith("local:") && s.length() > "local:".length()) {
                return;
            }
            if (s.startsWith("https://") && s.contains("/keys/")) {
                return;
            }
            throw new ConfigException(name, value, "Expected a Key Vault key identifier "
                    + "https://<vault>.vault.azure.net/keys/<name>[/<version>] (any https:// host; plain http is "
                    + "refused because tokens would travel in clear), or local:<name> for the local provider.");
        }

        @Override
        public String toString() {
            return "https://<vault>/keys/<name>[/<version>] or local:<name>";
        }
    }
}
