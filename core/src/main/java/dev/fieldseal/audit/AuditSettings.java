package dev.fieldseal.audit;

import dev.fieldseal.config.FieldsealConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The audit settings of the shared config ({@code audit.enabled}, {@code audit.interval.ms},
 * {@code audit.topic} and everything under {@code audit.producer.}), and the producer properties
 * they give for a host.
 */
public final class AuditSettings {

    /** Client settings a deserializer or the Streams app lends the audit producer when it names no brokers. */
    private static final Set<String> INHERITED = Set.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "security.protocol",
            ProducerConfig.CLIENT_DNS_LOOKUP_CONFIG);
    private static final List<String> INHERITED_PREFIXES = List.of("sasl.", "ssl.");
    private static final AtomicInteger CLIENTS = new AtomicInteger();

    private final boolean enabled;
    private final long intervalMs;
    private final String topic;
    private final Map<String, Object> producer;

    private AuditSettings(boolean enabled, long intervalMs, String topic, Map<String, Object> producer) {
        this.enabled = enabled;
        this.intervalMs = intervalMs;
        this.topic = topic;
        this.producer = producer;
    }

    public static AuditSettings of(FieldsealConfig config) {
        String topic = config.getString(FieldsealConfig.AUDIT_TOPIC);
        Map<String, Object> producer = new HashMap<>(config.originalsWithPrefix(FieldsealConfig.AUDIT_PRODUCER_PREFIX));
        producer.values().removeIf(v -> v == null || v.toString().isBlank());
        return new AuditSettings(config.getBoolean(FieldsealConfig.AUDIT_ENABLED),
                config.getLong(FieldsealConfig.AUDIT_INTERVAL_MS), topic == null || topic.isBlank() ? null : topic.trim(),
                producer);
    }

    public boolean enabled() {
        return enabled;
    }

    public long intervalMs() {
        return intervalMs;
    }

    /** The topic events are also produced to, or null. */
    public String topic() {
        return topic;
    }

    /** The message of a host that has no client settings to lend (Connect transforms) and got no brokers. */
    public static String missingBootstrapMessage() {
        return "Missing required configuration \"" + FieldsealConfig.AUDIT_PRODUCER_BOOTSTRAP_SERVERS + "\": "
                + FieldsealConfig.AUDIT_TOPIC + " is set, and a Connect transform does not get the worker's Kafka "
                + "settings. Set " + FieldsealConfig.AUDIT_PRODUCER_BOOTSTRAP_SERVERS + " to the brokers of the audit "
                + "topic (plus " + FieldsealConfig.AUDIT_PRODUCER_PREFIX + "security.protocol and "
                + FieldsealConfig.AUDIT_PRODUCER_PREFIX + "sasl.* as they need), or unset " + FieldsealConfig.AUDIT_TOPIC
                + ".";
    }

    /**
     * The audit producer's properties: the {@code audit.producer.} settings over what {@code client}
     * lends (its brokers and security settings), unless they name brokers of their own; then nothing
     * is lent, so another cluster never receives this client's credentials.
     *
     * @param client the host's own client settings, or an empty map (Connect transforms)
     * @throws ConfigException when no brokers are known
     */
    public Map<String, Object> producerProps(Map<String, ?> client) {
        Map<String, Object> p = new HashMap<>();
        if (!producer.containsKey(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG)) {
            client.forEach((k, v) -> {
                if (v != null && (INHERITED.contains(k) || INHERITED_PREFIXES.stream().anyMatch(k::startsWith))) {
                    p.put(k, v);
                }
            });
        }
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "fieldseal-audit-" + CLIENTS.incrementAndGet());
        p.put(ProducerConfig.LINGER_MS_CONFIG, 100);
        p.putAll(producer);
        // Classes, not names: a Connect plugin's context class loader need not resolve the name.
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        if (!p.containsKey(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG)) {
            throw new ConfigException(missingBootstrapMessage());
        }
        return p;
    }
}
