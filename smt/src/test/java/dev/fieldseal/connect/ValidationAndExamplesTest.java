package dev.fieldseal.connect;

import static dev.fieldseal.connect.PipelineSupport.all;
import static dev.fieldseal.connect.PipelineSupport.header;
import static dev.fieldseal.testkit.Await.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fieldseal.testkit.ConnectWorker;
import dev.fieldseal.testkit.KeyVaultDouble;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.runtime.rest.entities.ConfigInfo;
import org.apache.kafka.connect.runtime.rest.entities.ConfigInfos;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Connect's REST config validation of the transforms, and the README's connector configs, run as written. */
class ValidationAndExamplesTest {

    /** The vault the examples name; the test points it at the double. */
    private static final String EXAMPLE_VAULT = "https://contoso-kv.vault.azure.net";

    private static KeyVaultDouble kv;
    private static ConnectWorker worker;

    @BeforeAll
    static void start() {
        kv = new KeyVaultDouble();
        kv.createRsaKey("crm-pii");
        worker = ConnectWorker.start();
    }

    @AfterAll
    static void stop() throws Exception {
        PipelineSupport.closeAll(worker, kv);
    }

    private static Map<String, List<String>> errors(ConfigInfos infos) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (ConfigInfo i : infos.configs()) {
            if (!i.configValue().errors().isEmpty()) {
                out.put(i.configValue().name(), i.configValue().errors());
            }
        }
        return out;
    }

    @Test
    void restValidationNamesEveryBadKey() {
        Map<String, String> c = new HashMap<>();
        c.put("connector.class", PeopleSource.class.getName());
        c.put("name", "bad");
        c.put("topic", "t");
        c.put("transforms", "seal");
        c.put("transforms.seal.type", "dev.fieldseal.connect.EncryptFields$Value");
        c.put("transforms.seal.fields", "ssn,address..street,cards[0].number");
        c.put("transforms.seal.azure.credential", "password");
        ConfigInfos infos = worker.cluster().validateConnectorConfig(PeopleSource.class.getSimpleName(), c);
        Map<String, List<String>> errors = errors(infos);
        assertEquals(3, infos.errorCount(), errors.toString());
        assertTrue(errors.get("transforms.seal.fields").get(0).contains("address..street"), errors.toString());
        assertTrue(errors.get("transforms.seal.kek.id").get(0).contains("kek.id"), errors.toString());
        String cred = errors.get("transforms.seal.azure.credential").get(0);
        assertTrue(cred.contains("password") && cred.contains("managed-identity"), cred);

        // a fixed config validates cleanly, and the transform's keys are listed with their docs
        c.put("transforms.seal.fields", "ssn,address.street,cards[*].number");
        c.put("transforms.seal.azure.credential", "managed-identity");
        c.put("transforms.seal.kek.id", "https://contoso-kv.vault.azure.net/keys/crm-pii");
        ConfigInfos ok = worker.cluster().validateConnectorConfig(PeopleSource.class.getSimpleName(), c);
        assertEquals(0, ok.errorCount(), errors(ok).toString());
        assertTrue(ok.configs().stream().anyMatch(i -> i.configKey() != null
                && i.configKey().name().equals("transforms.seal.kek.allowed")));

        c.put("transforms.seal.kek.id", "http://contoso-kv.vault.azure.net/keys/crm-pii");
        Map<String, List<String>> http = errors(worker.cluster().validateConnectorConfig(
                PeopleSource.class.getSimpleName(), c));
        assertTrue(http.get("transforms.seal.kek.id").get(0).contains("https://"), http.toString());
    }

    @Test
    void restValidationAsksForTheRotationEventsBrokersWhenATopicIsSet() {
        Map<String, String> c = new HashMap<>();
        c.put("connector.class", PeopleSource.class.getName());
        c.put("name", "events");
        c.put("topic", "t");
        c.put("transforms", "seal,open");
        c.put("transforms.seal.type", "dev.fieldseal.connect.EncryptFields$Value");
        c.put("transforms.seal.fields", "ssn");
        c.put("transforms.seal.kek.id", "https://contoso-kv.vault.azure.net/keys/crm-pii");
        c.put("transforms.seal.rotation.events.topic", "keyvault.events");
        c.put("transforms.open.type", "dev.fieldseal.connect.DecryptFields$Key");
        c.put("transforms.open.kek.id", "https://contoso-kv.vault.azure.net/keys/crm-pii");
        c.put("transforms.open.rotation.events.topic", "keyvault.events");
        ConfigInfos infos = worker.cluster().validateConnectorConfig(PeopleSource.class.getSimpleName(), c);
        Map<String, List<String>> errors = errors(infos);
        assertEquals(2, infos.errorCount(), errors.toString());
        for (String alias : List.of("seal", "open")) {
            List<String> e = errors.get("transforms." + alias + ".rotation.events.consumer.bootstrap.servers");
            assertNotNull(e, errors.toString());
            assertTrue(e.get(0).contains("Missing required configuration \"rotation.events.consumer.bootstrap.servers\""),
                    e.toString());
        }

        c.put("transforms.seal.rotation.events.consumer.bootstrap.servers", "ns.servicebus.windows.net:9093");
        c.put("transforms.open.rotation.events.consumer.bootstrap.servers", "ns.servicebus.windows.net:9093");
        ConfigInfos ok = worker.cluster().validateConnectorConfig(PeopleSource.class.getSimpleName(), c);
        assertEquals(0, ok.errorCount(), errors(ok).toString());
    }

    /** Reads an example and points it at the test's connectors, topic and Key Vault double. */
    private static Map<String, String> example(String file, String connectorClass, String run) throws Exception {
        JsonNode root;
        try (InputStream in = ValidationAndExamplesTest.class.getResourceAsStream("/examples/" + file)) {
            root = new ObjectMapper().readTree(in);
        }
        Map<String, String> c = new LinkedHashMap<>();
        root.get("config").fields().forEachRemaining(e -> c.put(e.getKey(), e.getValue().asText()));
        c.put("connector.class", connectorClass); // the JDBC connectors are not installed here
        c.put("run", run);
        c.replaceAll((k, v) -> v.replace(EXAMPLE_VAULT, kv.vaultUrl()));
        for (String k : List.copyOf(c.keySet())) {
            if (k.endsWith(".azure.credential")) {
                c.put(k, "emulator");
                c.put(k.replace(".azure.credential", ".azure.tls.ca.file"), kv.caPemFile().toString());
            }
        }
        return c;
    }

    @Test
    void readmeExamplesRunAsWritten() throws Exception {
        String run = "examples";
        String topic = "crm.customers";
        worker.kafka().createTopic(topic, 1);
        Map<String, String> source = example("encrypt-source.json", PeopleSource.class.getName(), run);
        Map<String, String> sink = example("decrypt-sink.json", RecordingSink.class.getName(), run);
        sink.put("consumer.override.auto.offset.reset", "earliest");
        worker.cluster().configureConnector("crm-customers-source", source);
        worker.cluster().configureConnector("crm-customers-sink", sink);

        PeopleSource.release(run, 10);
        List<SinkRecord> received = RecordingSink.received(run);
        until(Duration.ofSeconds(30), "10 records at the sink", () -> received.size() >= 10);
        List<ConsumerRecord<byte[], byte[]>> raw = all(worker, topic);
        assertEquals(10, raw.size());
        for (ConsumerRecord<byte[], byte[]> r : raw) {
            String text = new String(r.value(), StandardCharsets.UTF_8);
            assertFalse(text.contains("ssnSECRET"), "ssn in plaintext");
            assertEquals(kv.keyId("crm-pii"), header(r, "fieldseal.kek.id"));
            assertNotNull(header(r, "fieldseal.kek.version"));
        }
        for (SinkRecord r : received) {
            Struct v = (Struct) r.value();
            assertEquals(Samples.PERSON, r.valueSchema());
            assertEquals(Samples.person((int) (long) v.getInt64("id")), v);
        }

        // A tampered value goes to the example's dead-letter queue; the sink carries on.
        ConsumerRecord<byte[], byte[]> first = raw.get(0);
        JsonNode json = new ObjectMapper().readTree(first.value());
        String ssn = json.get("payload").get("ssn").asText();
        int at = ssn.length() - 6; // inside the GCM tag
        String flipped = ssn.substring(0, at) + (ssn.charAt(at) == 'A' ? 'B' : 'A') + ssn.substring(at + 1);
        byte[] tampered = new String(first.value(), StandardCharsets.UTF_8).replace(ssn, flipped)
                .getBytes(StandardCharsets.UTF_8);
        try (KafkaProducer<byte[], byte[]> p = worker.kafka().createProducer(Map.of())) {
            ProducerRecord<byte[], byte[]> rec = new ProducerRecord<>(topic, null, first.key(), tampered,
                    first.headers());
            p.send(rec).get();
        }
        PeopleSource.release(run, 1);
        until(Duration.ofSeconds(30), "the record after the tampered one", () -> received.size() >= 11);
        until(Duration.ofSeconds(30), "the tampered record in the DLQ",
                () -> all(worker, "crm.customers.dlq").size() == 1);
        ConsumerRecord<byte[], byte[]> dead = all(worker, "crm.customers.dlq").get(0);
        String cause = header(dead, "__connect.errors.exception.message");
        assertTrue(cause.contains("ssn") && cause.contains("authentication"), cause);
        assertEquals(11, received.size());
    }
}
