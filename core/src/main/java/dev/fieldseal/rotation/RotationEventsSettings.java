package dev.fieldseal.rotation;

import dev.fieldseal.config.FieldsealConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The rotation events settings of the shared config ({@code rotation.events.topic} and everything
 * under {@code rotation.events.consumer.}), and the consumer properties they give for a host.
 */
public final class RotationEventsSettings {

    /** Client settings a serde or the Streams app lends the events consumer when it names no brokers of its own. */
    private static final Set<String> INHERITED = Set.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
            "security.protocol", ConsumerConfig.CLIENT_DNS_LOOKUP_CONFIG);
    private static final List<String> INHERITED_PREFIXES = List.of("sasl.", "ssl.");
    private static final AtomicInteger CLIENTS = new AtomicInteger();

    private final String topic;
    private final Map<String, Object> consumer;

    private RotationEventsSettings(String topic, Map<String, Object> consumer) {
        this.topic = topic;
        this.consumer = consumer;
    }

    public static RotationEventsSettings of(FieldsealConfig config) {
        String topic = config.getString(FieldsealConfig.ROTATION_EVENTS_TOPIC);
        Map<String, Object> consumer = new HashMap<>(
                config.originalsWithPrefix(FieldsealConfig.ROTATION_EVENTS_CONSUMER_PREFIX));
        consumer.values().removeIf(v -> v == null || v.toString().isBlank());
        return new RotationEventsSettings(topic == null || topic.isBlank() ? null : topic.trim(), consumer);
    }

    /** True when a rotation events topic is configured. */
    public boolean enabled() {
        return topic != null;
    }

    public String topic() {
        return topic;
    }

    /** The message of a host that has no client settings to lend (Connect transforms) and got no brokers. */
    public static String missingBootstrapMessage() {
        return "Missing required configuration \"" + FieldsealConfig.ROTATION_EVENTS_BOOTSTRAP_SERVERS + "\": "
                + FieldsealConfig.ROTATION_EVENTS_TOPIC + " is set, and a Connect transform does not get the worker's "
                + "Kafka settings. Set " + FieldsealConfig.ROTATION_EVENTS_BOOTSTRAP_SERVERS + " to the brokers of "
                + "the events topic (plus " + FieldsealConfig.ROTATION_EVENTS_CONSUMER_PREFIX + "security.protocol and "
                + FieldsealConfig.ROTATION_EVENTS_CONSUMER_PREFIX + "sasl.* as they need, e.g. SASL_SSL for Event "
                + "Hubs), or unset " + FieldsealConfig.ROTATION_EVENTS_TOPIC + ".";
    }

    /** For hosts without client settings of their own: the topic needs its own brokers. */
    public void requireOwnBootstrap() {
        if (enabled() && !consumer.containsKey(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG)) {
            throw new ConfigException(missingBootstrapMessage());
        }
    }

    /**
     * The events consumer's properties: the {@code rotation.events.consumer.} settings over what
     * {@code client} lends (its brokers and security settings), unless they name brokers of their
     * own; then nothing is lent, so another cluster never receives this client's credentials.
     * Deserializers, auto commit and the group are fixed: every process reads every partition.
     *
     * @param client the host's own client settings, or an empty map (Connect transforms)
     */
    public Map<String, Object> consumerProps(Map<String, ?> client) {
        Map<String, Object> p = new HashMap<>();
        if (!consumer.containsKey(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG)) {
            client.forEach((k, v) -> {
                if (v != null && (INHERITED.contains(k) || INHERITED_PREFIXES.stream().anyMatch(k::startsWith))) {
                    p.put(k, v);
                }
            });
        }
        p.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "fieldseal-rotation-events-" + CLIENTS.incrementAndGet());
        p.putAll(consumer);
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        p.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
        // Classes, not names: a Connect plugin's context class loader need not resolve the name.
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.putIfAbsent(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        if (!p.containsKey(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG)) {
            throw new ConfigException(missingBootstrapMessage());
        }
        return p;
    }

    /**
     * Starts a listener if a topic is configured.
     *
     * @param client what the host's own client lends ({@link #consumerProps})
     * @param sinceMs events written at or after this time are acted on (take it before the host resolves its key)
     * @return the running listener, or null when no topic is configured
     */
    public RotationEventsListener start(Map<String, ?> client, long sinceMs, RotationEventsListener.Handler handler) {
        return enabled() ? RotationEventsListener.start(topic, consumerProps(client), sinceMs, handler) : null;
    }
}
