package dev.fieldseal.streams;

import static dev.fieldseal.testkit.Await.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fieldseal.testkit.KafkaBroker;
import dev.fieldseal.testkit.KeyVaultDouble;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The KEK health check against the Key Vault double, whose only identity (the emulator token) may
 * get keys and nothing else: the least privilege of an encrypting producer with an RSA key.
 * {@code auto} in encrypt mode resolves the key, so the app encrypts and is healthy without a single
 * unwrap request; {@code round-trip} asks for the unwrap the identity lacks and reports DOWN with
 * an error naming the key.
 */
class StreamsHealthTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY = "producer-kek";
    static KafkaBroker broker;
    static KeyVaultDouble vault;
    static String version;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        broker = KafkaBroker.start();
        vault = new KeyVaultDouble();
        version = vault.createRsaKey(KEY);
        vault.grantOnly(KeyVaultDouble.EMULATOR_TOKEN, "get");
        for (String t : List.of("h-plain", "h-sealed")) {
            broker.createTopic(t);
        }
    }

    @AfterAll
    static void stop() {
        if (vault != null) {
            vault.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @BeforeEach
    void clearCounts() {
        vault.reset();
    }

    private Path config(String appId, String check) throws Exception {
        Properties p = new Properties();
        p.put("application.id", appId);
        p.put("bootstrap.servers", broker.bootstrapServers());
        p.put("commit.interval.ms", "100");
        p.put("num.stream.threads", "1");
        p.put("state.dir", dir.resolve("state").toString());
        p.put("fieldseal.mode", "encrypt");
        p.put("fieldseal.kek.id", vault.keyId(KEY));
        p.put("fieldseal.azure.credential", "emulator");
        p.put("fieldseal.azure.tls.ca.file", vault.caPemFile().toString());
        p.put("fieldseal.kms.retry.max", "0");
        p.put("fieldseal.routes", "c");
        p.put("fieldseal.route.c.input", "h-plain");
        p.put("fieldseal.route.c.output", "h-sealed");
        p.put("fieldseal.route.c.fields", "ssn,email");
        p.put("fieldseal.http.port", "0");
        p.put("fieldseal.http.bind.address", "127.0.0.1");
        p.put("fieldseal.health.kek.check.interval.ms", "1000");
        if (check != null) {
            p.put("fieldseal.health.kek.check", check);
        }
        p.put("fieldseal.shutdown.timeout.ms", "10000");
        Path f = dir.resolve(appId + ".properties");
        try (var w = Files.newBufferedWriter(f)) {
            p.store(w, null);
        }
        return f;
    }

    private record Answer(int status, JsonNode body) {
    }

    private static Answer health(StreamsService svc) {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + svc.httpPort() + "/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            return new Answer(r.statusCode(), JSON.readTree(r.body()));
        } catch (Exception e) {
            throw new AssertionError("GET /health failed", e);
        }
    }

    @Test
    void encryptModeWithAGetOnlyIdentityIsHealthyByResolvingAndSendsNoUnwrap() throws Exception {
        try (StreamsService svc = FieldsealStreamsApp.launch(config("health-resolve", null))) {
            assertEquals(InetAddress.getByName("127.0.0.1"), svc.httpAddress().getAddress(), "bound to 127.0.0.1");
            Fixtures.awaitRunning(svc);
            AtomicReference<Answer> last = new AtomicReference<>();
            until(Duration.ofSeconds(30), "/health 200", () -> {
                last.set(health(svc));
                return last.get().status() == 200;
            });
            JsonNode body = last.get().body();
            assertEquals("UP", body.path("status").asText(), body.toString());
            assertEquals("resolve", body.path("kek").path("check").asText(), body.toString());
            assertEquals(vault.keyId(KEY), body.path("kek").path("id").asText(), body.toString());
            assertEquals(version, body.path("kek").path("version").asText(), body.toString());
            assertTrue(body.path("kek").path("lastSuccessMs").asLong() > 0, body.toString());
            assertFalse(body.path("kek").has("error"), body.toString());

            // the identity is enough to encrypt, too
            KafkaIo.produce(broker.bootstrapServers(), "h-plain",
                    List.of(Fixtures.customerJson(1).getBytes(StandardCharsets.UTF_8)));
            List<ConsumerRecord<byte[], byte[]>> out = KafkaIo.read(broker.bootstrapServers(), "h-sealed", 1,
                    Duration.ofSeconds(60));
            assertFalse(Fixtures.containsBytes(out.get(0).value(), Fixtures.SSN));
            assertTrue(vault.count("get") > 0, "the check and the app resolved the key");
            assertEquals(0, vault.count("unwrapkey"), "unwrap requests: " + vault.requestLog());
            assertEquals(0, vault.count("wrapkey"), "RSA wraps are local: " + vault.requestLog());
        }
    }

    @Test
    void roundTripCheckWithAGetOnlyIdentityReportsDownNamingTheKey() throws Exception {
        try (StreamsService svc = FieldsealStreamsApp.launch(config("health-round-trip", "round-trip"))) {
            Fixtures.awaitRunning(svc);
            AtomicReference<Answer> last = new AtomicReference<>();
            until(Duration.ofSeconds(30), "/health to report the refused unwrap", () -> {
                last.set(health(svc));
                return last.get().body().path("kek").path("error").asText().contains("unwrap");
            });
            Answer a = last.get();
            JsonNode kek = a.body().path("kek");
            assertEquals(503, a.status(), a.body().toString());
            assertEquals("DOWN", a.body().path("status").asText(), a.body().toString());
            assertEquals("RUNNING", a.body().path("streams").asText(), "only the KEK part is down");
            assertEquals("round-trip", kek.path("check").asText(), a.body().toString());
            assertFalse(kek.path("ok").asBoolean(), a.body().toString());
            assertTrue(kek.path("error").asText().contains(vault.keyId(KEY)), "error names the key: " + kek);
            assertTrue(vault.count("unwrapkey") > 0, "the round trip asked for an unwrap");
        }
    }
}
