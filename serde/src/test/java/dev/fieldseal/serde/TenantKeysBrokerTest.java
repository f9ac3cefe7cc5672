package dev.fieldseal.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fieldseal.testkit.Await;
import dev.fieldseal.testkit.KafkaBroker;
import dev.fieldseal.testkit.KeyVaultDouble;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A key per tenant through the serializer and the deserializer on a real broker, against the Key
 * Vault double: 1,000 tenants, each record sealed under {@code tenant-${value.tenant}}; Key Vault
 * sees one resolve per tenant key when producing and one unwrap per DEK when consuming; a tenant
 * whose key is disabled or deleted (crypto-shredding) is refused or masked, naming its key, while
 * every other tenant still decrypts.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TenantKeysBrokerTest {

    static final ObjectMapper MAPPER = new ObjectMapper();
    static final int TENANTS = 1_000;
    static final String TOPIC = "tenant-orders";

    static KafkaBroker broker;
    static KeyVaultDouble vault;
    static final List<ConsumerRecord<byte[], byte[]>> sealed = new ArrayList<>();
    static int producedGets;
    static int producedTotal;
    static final Map<Integer, String> versions = new HashMap<>();

    @BeforeAll
    static void start() throws Exception {
        vault = new KeyVaultDouble();
        vault.createRsaKeys("tenant-", TENANTS);
        for (int t = 0; t < TENANTS; t++) {
            versions.put(t, vault.currentVersion("tenant-" + t));
        }
        broker = KafkaBroker.start();
        broker.createTopic(TOPIC, 1);
        vault.reset();
        Map<String, Object> p = props("fieldseal.fields", "ssn");
        p.put("bootstrap.servers", broker.bootstrapServers());
        p.put("key.serializer", StringSerializer.class.getName());
        p.put("value.serializer", EncryptingSerializer.class.getName());
        p.put("fieldseal.format", "json");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            for (int round = 0; round < 2; round++) { // the second round finds every key resolved
                for (int t = 0; t < TENANTS; t++) {
                    producer.send(new ProducerRecord<>(TOPIC, "k" + t,
                            "{\"tenant\":" + t + ",\"ssn\":\"SSN-" + t + "-" + round + "\"}"));
                }
            }
            producer.flush();
        }
        producedGets = vault.count("get");
        producedTotal = totalRequests();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of("bootstrap.servers",
                broker.bootstrapServers(), "group.id", "raw-" + UUID.randomUUID(), "auto.offset.reset", "earliest"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of(TOPIC));
            Await.until(Duration.ofSeconds(60), "every sealed record", () -> {
                c.poll(Duration.ofMillis(200)).forEach(sealed::add);
                return sealed.size() >= 2 * TENANTS;
            });
        }
    }

    @AfterAll
    static void stop() {
        broker.close();
        vault.close();
    }

    static Map<String, Object> props(Object... kv) {
        Map<String, Object> p = new HashMap<>();
        p.put("fieldseal.kek.id", vault.vaultUrl() + "/keys/tenant-${value.tenant}");
        p.put("fieldseal.azure.credential", "emulator");
        p.put("fieldseal.azure.tls.ca.file", vault.caPemFile().toString());
        p.put("fieldseal.kms.retry.max", "0");
        for (int i = 0; i < kv.length; i += 2) {
            p.put((String) kv[i], kv[i + 1]);
        }
        return p;
    }

    static int totalRequests() {
        int n = 0;
        for (String op : List.of("get", "versions", "create", "rotate", "update", "delete", "wrapkey", "unwrapkey",
                "encrypt", "decrypt")) {
            n += vault.count(op);
        }
        return n;
    }

    static int tenantOf(ConsumerRecord<byte[], byte[]> r) {
        return Integer.parseInt(new String(r.key(), StandardCharsets.UTF_8).substring(1));
    }

    static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    @Test
    @Order(1)
    void everyRecordIsSealedUnderItsTenantsKeyWithOneKeyVaultRequestPerTenant() throws Exception {
        assertEquals(TENANTS, producedGets, "one resolve per tenant key, none per record");
        assertEquals(TENANTS, producedTotal, "RSA keys wrap locally: resolving is all the producer asks");
        for (ConsumerRecord<byte[], byte[]> r : sealed) {
            int t = tenantOf(r);
            assertEquals(vault.keyId("tenant-" + t), header(r, "fieldseal.kek.id"));
            assertEquals(versions.get(t), header(r, "fieldseal.kek.version"));
            JsonNode v = MAPPER.readTree(r.value());
            assertTrue(v.get("ssn").asText().startsWith("/kZT"), "sealed");
            assertEquals(t, v.get("tenant").asInt(), "the tenant field itself stays readable");
        }
    }

    @Test
    @Order(2)
    void aReaderAllowedEveryTenantKeyDecryptsAllWithOneUnwrapPerDek() throws Exception {
        vault.reset();
        Map<String, Object> p = props("fieldseal.kek.allowed", vault.vaultUrl() + "/keys/tenant-*");
        p.remove("fieldseal.kek.id");
        p.put("bootstrap.servers", broker.bootstrapServers());
        p.put("group.id", "all-" + UUID.randomUUID());
        p.put("auto.offset.reset", "earliest");
        p.put("key.deserializer", StringDeserializer.class.getName());
        p.put("value.deserializer", DecryptingDeserializer.class.getName());
        List<ConsumerRecord<String, String>> got = new ArrayList<>();
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(p)) {
            c.subscribe(List.of(TOPIC));
            Await.until(Duration.ofSeconds(60), "every record decrypted", () -> {
                c.poll(Duration.ofMillis(200)).forEach(got::add);
                return got.size() >= 2 * TENANTS;
            });
        }
        for (ConsumerRecord<String, String> r : got) {
            JsonNode v = MAPPER.readTree(r.value());
            assertTrue(v.get("ssn").asText().startsWith("SSN-" + v.get("tenant").asInt() + "-"), r.value());
        }
        assertEquals(TENANTS, vault.count("unwrapkey"), "one unwrap per distinct DEK (one DEK per tenant)");
        assertEquals(TENANTS, vault.count("versions"), "one version listing per tenant key (the forged-version guard)");
        assertEquals(2 * TENANTS, totalRequests(), "nothing but listings and unwraps");
    }

    @Test
    @Order(3) // last: it deletes a key for good
    void aShreddedTenantIsRefusedNamingItsKeyWhileEveryOtherTenantDecrypts() throws Exception {
        String disabled = "tenant-3";
        String deleted = "tenant-5";
        String disabledVersion = vault.currentVersion(disabled);
        vault.setEnabled(disabled, disabledVersion, false);
        vault.deleteKey(deleted);
        try {
            Map<String, Object> fail = props("fieldseal.kek.allowed", vault.vaultUrl() + "/keys/tenant-${value.tenant}",
                    "fieldseal.format", "json");
            Map<String, Object> mask = new HashMap<>(fail);
            mask.put("fieldseal.on.failure", "mask");
            int refused = 0;
            try (DecryptingDeserializer d = new DecryptingDeserializer();
                 DecryptingDeserializer m = new DecryptingDeserializer()) {
                d.configure(fail, false);
                m.configure(mask, false);
                for (ConsumerRecord<byte[], byte[]> r : sealed) {
                    int t = tenantOf(r);
                    if (t == 3 || t == 5) {
                        String key = vault.keyId(t == 3 ? disabled : deleted);
                        SerializationException e = assertThrows(SerializationException.class,
                                () -> d.deserialize(TOPIC, r.headers(), r.value()));
                        assertTrue(e.getMessage().contains(key), e.getMessage());
                        assertFalse(e.getMessage().contains("SSN-" + t), e.getMessage());
                        JsonNode masked = MAPPER.readTree(m.deserialize(TOPIC, r.headers(), r.value()).toString());
                        assertFalse(masked.get("ssn").asText().contains("SSN-"), "masked: " + masked);
                        refused++;
                    } else {
                        JsonNode v = MAPPER.readTree(d.deserialize(TOPIC, r.headers(), r.value()).toString());
                        assertTrue(v.get("ssn").asText().startsWith("SSN-" + t + "-"), "tenant " + t);
                    }
                }
            }
            assertEquals(4, refused, "two records of each shredded tenant");
        } finally {
            vault.setEnabled(disabled, disabledVersion, true);
        }
    }

}
