package dev.fieldseal.streams;

import static dev.fieldseal.testkit.Await.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fieldseal.kms.local.LocalKeyFile;
import dev.fieldseal.testkit.KafkaBroker;
import java.io.IOException;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exit codes of {@code run}, as an orchestrator sees them from the packaged jar: 0 after
 * SIGTERM once Kafka Streams closed, 1 after an unrecoverable failure, 2 for a configuration error.
 */
class StreamsAppExitCodesIT {

    static KafkaBroker broker;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        broker = KafkaBroker.start();
        for (String t : List.of("x-plain", "x-sealed", "x-bad", "x-bad.sealed")) {
            broker.createTopic(t);
        }
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

    private Process run(Path config, Path log) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-jar", jar().toString(), "run", "--config", config.toString()));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** Waits for the process to end; kills it if it does not, so no test leaves one behind. */
    private static int exitCode(Process p, Path log) throws Exception {
        boolean exited = p.waitFor(60, TimeUnit.SECONDS);
        if (!exited) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        assertTrue(exited, "the app ended; log:\n" + Files.readString(log));
        return p.exitValue();
    }

    private Path config(String appId, String input, String output, int port) throws Exception {
        Path keys = dir.resolve("keys.json");
        if (!Files.exists(keys)) {
            LocalKeyFile.addVersion(keys, "demo");
        }
        Properties p = new Properties();
        p.put("application.id", appId);
        p.put("bootstrap.servers", broker.bootstrapServers());
        p.put("num.stream.threads", "1");
        p.put("commit.interval.ms", "100");
        p.put("state.dir", dir.resolve("state-" + appId).toString());
        p.put("fieldseal.kek.id", "local:demo");
        p.put("fieldseal.local.key.file", keys.toString());
        p.put("fieldseal.routes", "c");
        p.put("fieldseal.route.c.input", input);
        p.put("fieldseal.route.c.output", output);
        p.put("fieldseal.route.c.fields", "ssn");
        p.put("fieldseal.http.port", Integer.toString(port));
        p.put("fieldseal.http.bind.address", "127.0.0.1");
        p.put("fieldseal.shutdown.timeout.ms", "20000");
        Path f = dir.resolve(appId + ".properties");
        try (Writer w = Files.newBufferedWriter(f)) {
            p.store(w, null);
        }
        return f;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static int healthStatus(int port) {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/health")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1; // not listening yet
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    @Test
    void sigtermAfterStartExitsZeroOnceKafkaStreamsClosed() throws Exception {
        int port = freePort();
        Path log = dir.resolve("sigterm.log");
        Process app = run(config("exit-sigterm", "x-plain", "x-sealed", port), log);
        try {
            until(Duration.ofSeconds(90), "/health 200", () -> healthStatus(port) == 200 || !app.isAlive());
            assertTrue(app.isAlive(), "the app runs; log:\n" + Files.readString(log));
        } finally {
            app.destroy(); // SIGTERM
        }
        assertEquals(0, exitCode(app, log), Files.readString(log));
        String text = Files.readString(log);
        assertTrue(text.contains("-> NOT_RUNNING"), "Kafka Streams closed before the exit; log:\n" + text);
    }

    @Test
    void anUnrecoverableFailureExitsOne() throws Exception {
        Path log = dir.resolve("failure.log");
        // no dead-letter topic: a value that is not JSON stops the application
        Process app = run(config("exit-failure", "x-bad", "x-bad.sealed", freePort()), log);
        try {
            KafkaIo.produce(broker.bootstrapServers(), "x-bad", List.of("not json".getBytes(StandardCharsets.UTF_8)));
            assertEquals(1, exitCode(app, log), Files.readString(log));
        } finally {
            app.destroyForcibly();
        }
    }

    @Test
    void runHelpListsTheExitCodes() throws Exception {
        Path log = dir.resolve("help.log");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                jar().toString(), "run", "--help").redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertEquals(0, exitCode(p, log));
        String text = Files.readString(log);
        assertTrue(text.contains("Exit codes:") && text.contains("0   normal stop")
                && text.contains("1   unrecoverable failure") && text.contains("2   configuration error"), text);
    }

    @Test
    void aConfigurationErrorExitsTwoNamingTheKey() throws Exception {
        Path config = config("exit-config", "x-plain", "x-sealed", freePort());
        Files.writeString(config, "fieldseal.http.bind.address=not a host\n",
                java.nio.file.StandardOpenOption.APPEND);
        Path log = dir.resolve("config.log");
        Process app = run(config, log);
        try {
            assertEquals(2, exitCode(app, log), Files.readString(log));
        } finally {
            app.destroyForcibly();
        }
        String text = Files.readString(log);
        assertTrue(text.contains("Configuration error") && text.contains("http.bind.address"), text);
    }
}
