package dev.fieldseal.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fieldseal.kms.local.LocalKeyFile;
import dev.fieldseal.testkit.KafkaBroker;
import java.io.Reader;
import java.io.Writer;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shaded jar as users start it: {@code java -jar ... --help}, and {@code run} against a broker. */
class StreamsAppCliIT {

    static KafkaBroker broker;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        broker = KafkaBroker.start();
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    private static Path jar() {
        Path jar = Path.of(System.getProperty("fieldseal.streams.jar", "target/fieldseal-streams.jar"));
        assertTrue(Files.isRegularFile(jar), "shaded jar missing: " + jar);
        return jar;
    }

    private Process java(Path log, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-jar", jar().toString()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    @Test
    void helpAndVersion() throws Exception {
        Path log = dir.resolve("help.log");
        Process p = java(log, "--help");
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        String out = Files.readString(log);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("Usage: fieldseal "), out);
        assertTrue(out.contains("run") && out.contains("inspect") && out.contains("deterministic-dek"), out);

        Path ilog = dir.resolve("inspect-help.log");
        Process i = java(ilog, "inspect", "--help");
        assertTrue(i.waitFor(60, TimeUnit.SECONDS));
        String inspect = Files.readString(ilog);
        assertEquals(0, i.exitValue(), inspect);
        assertTrue(inspect.contains("Usage: fieldseal inspect") && inspect.contains("--fail-if-version"), inspect);

        Path vlog = dir.resolve("version.log");
        Process v = java(vlog, "--version");
        assertTrue(v.waitFor(60, TimeUnit.SECONDS));
        assertTrue(Files.readString(vlog).contains("fieldseal 0."), Files.readString(vlog));
    }

    @Test
    void runWithTheExampleConfigProcessesRecordsAnswersHealthAndStopsOnSigterm() throws Exception {
        for (String t : List.of("customers", "customers.sealed", "customers-avro-1", "customers-avro.sealed",
                "fieldseal.dlq", "keyvault.events")) {
            broker.createTopic(t);
        }
        Path keys = dir.resolve("keys.json");
        LocalKeyFile.addVersion(keys, "demo");
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(Path.of("config", "example.properties"))) {
            p.load(r);
        }
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        p.put("bootstrap.servers", broker.bootstrapServers());
        p.put("num.stream.threads", "1");
        p.put("commit.interval.ms", "100");
        p.put("fieldseal.kek.id", "local:demo");
        p.put("fieldseal.local.key.file", keys.toString());
        p.remove("fieldseal.azure.credential");
        p.put("fieldseal.http.port", Integer.toString(port));
        p.put("fieldseal.route.customers-avro.avro.schema", Fixtures.CUSTOMER_AVSC.toString());
        Path config = dir.resolve("app.properties");
        try (Writer w = Files.newBufferedWriter(config)) {
            p.store(w, "generated from streams-app/config/example.properties");
        }

        Path log = dir.resolve("run.log");
        Process app = java(log, "run", "--config", config.toString());
        try {
            KafkaIo.produce(broker.bootstrapServers(), "customers",
                    List.of(Fixtures.customerJson(1).getBytes(StandardCharsets.UTF_8)));
            List<ConsumerRecord<byte[], byte[]>> out = KafkaIo.read(broker.bootstrapServers(), "customers.sealed", 1,
                    Duration.ofSeconds(90));
            assertFalse(Fixtures.containsBytes(out.get(0).value(), Fixtures.SSN));

            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> health = null;
            long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < end) {
                health = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (health.statusCode() == 200) {
                    break;
                }
                Thread.sleep(200);
            }
            assertEquals(200, health.statusCode(), health.body());
            assertTrue(health.body().contains("\"status\":\"UP\""), health.body());
            String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                    .build(), HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(metrics.contains("fieldseal_records_encrypted_total 1"), metrics);
        } finally {
            app.destroy(); // SIGTERM
            boolean exited = app.waitFor(40, TimeUnit.SECONDS);
            if (!exited) {
                app.destroyForcibly();
            }
            assertTrue(exited, "the app stops on SIGTERM; log:\n" + Files.readString(log));
        }
        String text = Files.readString(log);
        assertTrue(text.contains("-> PENDING_SHUTDOWN") || text.contains("-> NOT_RUNNING"), text);
    }
}
