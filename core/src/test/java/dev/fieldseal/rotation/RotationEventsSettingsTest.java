package dev.fieldseal.rotation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fieldseal.config.FieldsealConfig;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

/** Which consumer settings each host's rotation events listener gets. */
class RotationEventsSettingsTest {

    private static final Map<String, Object> CLIENT = Map.of(
            "bootstrap.servers", "kafka:9092",
            "security.protocol", "SASL_SSL",
            "sasl.mechanism", "PLAIN",
            "sasl.jaas.config", "client-credentials",
            "ssl.truststore.location", "/trust.p12",
            "acks", "all",
            "group.id", "the-app");

    private static RotationEventsSettings settings(String... kv) {
        Map<String, Object> p = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            p.put(kv[i], kv[i + 1]);
        }
        return RotationEventsSettings.of(new FieldsealConfig(p));
    }

    @Test
    void offUnlessATopicIsSet() {
        RotationEventsSettings s = settings();
        assertFalse(s.enabled());
        assertNull(s.start(CLIENT, 0, k -> { }));
        assertFalse(settings("rotation.events.topic", " ").enabled());
    }

    @Test
    void aClientLendsItsBrokersAndSecuritySettingsWhichThePrefixOverrides() {
        Map<String, Object> p = settings("rotation.events.topic", "events",
                "rotation.events.consumer.sasl.mechanism", "SCRAM-SHA-512").consumerProps(CLIENT);
        assertEquals("kafka:9092", p.get("bootstrap.servers"));
        assertEquals("SASL_SSL", p.get("security.protocol"));
        assertEquals("client-credentials", p.get("sasl.jaas.config"));
        assertEquals("/trust.p12", p.get("ssl.truststore.location"));
        assertEquals("SCRAM-SHA-512", p.get("sasl.mechanism"), "the prefixed setting wins");
        assertFalse(p.containsKey("acks"), "only connection settings are lent");
        assertFalse(p.containsKey("group.id"), "no group: every process reads every event");
        assertEquals("false", p.get("enable.auto.commit"));
        assertEquals(org.apache.kafka.common.serialization.ByteArrayDeserializer.class, p.get("value.deserializer"));
    }

    @Test
    void ownBrokersMeanNothingIsLentSoAnotherClusterNeverGetsTheClientsCredentials() {
        Map<String, Object> p = settings("rotation.events.topic", "events",
                "rotation.events.consumer.bootstrap.servers", "ns.servicebus.windows.net:9093",
                "rotation.events.consumer.security.protocol", "SASL_SSL",
                "rotation.events.consumer.group.id", "ignored").consumerProps(CLIENT);
        assertEquals("ns.servicebus.windows.net:9093", p.get("bootstrap.servers").toString());
        assertEquals("SASL_SSL", p.get("security.protocol"));
        assertFalse(p.containsKey("sasl.jaas.config"));
        assertFalse(p.containsKey("ssl.truststore.location"));
        assertFalse(p.containsKey("group.id"));
    }

    @Test
    void aHostWithoutClientSettingsMustNameTheBrokers() {
        RotationEventsSettings s = settings("rotation.events.topic", "events");
        ConfigException e = assertThrows(ConfigException.class, s::requireOwnBootstrap);
        assertTrue(e.getMessage().contains("\"rotation.events.consumer.bootstrap.servers\""), e.getMessage());
        assertThrows(ConfigException.class, () -> s.consumerProps(Map.of()));
        settings("rotation.events.topic", "events", "rotation.events.consumer.bootstrap.servers", "k:9092")
                .requireOwnBootstrap();
        settings().requireOwnBootstrap(); // off: nothing required
    }

    @Test
    void consumerSettingsAreKnownKeysOfTheSharedConfig() {
        assertTrue(FieldsealConfig.defines("rotation.events.topic"));
        assertTrue(FieldsealConfig.defines("rotation.events.consumer.sasl.jaas.config"));
        assertFalse(FieldsealConfig.defines("rotation.events.consumers"));
    }
}
