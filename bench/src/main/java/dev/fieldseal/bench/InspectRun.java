package dev.fieldseal.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fieldseal.streams.FieldsealStreamsApp;
import dev.fieldseal.testkit.KafkaBroker;
import dev.fieldseal.testkit.KeyVaultDouble;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;

/**
 * {@code fieldseal inspect} over a sealed topic, in a JVM of its own with a small {@code -Xmx}, so
 * the run shows that its memory is bounded whatever the topic size, and its heap is not mixed with
 * the broker's. The child calls the command line's entry point in-process
 * ({@code FieldsealStreamsApp.commandLine().execute("inspect", …)}), with the re-keying app's
 * properties file as {@code --config} (so the Key Vault settings are there to be used), and prints
 * what it measured as JSON: wall time of the command, and peak used heap as the sum of the heap
 * pools' peak usage (the JVM tracks it, no sampling; an upper bound, since the pools peak at
 * different moments). The parent counts the Key Vault double's requests before and after.
 */
final class InspectRun {

    static final String XMX = "128m";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private InspectRun() {
    }

    /** Runs inspect over {@code topic} and reports what it measured. */
    interface Launcher {
        ObjectNode run(KeyVaultDouble vault, KafkaBroker broker, Path config, String topic, List<String> failIfVersions,
                int records) throws Exception;

        /** A child JVM on this JVM's class path with -Xmx{@value #XMX}. */
        static Launcher childJvm() {
            return InspectRun::inChildJvm;
        }
    }

    private static ObjectNode inChildJvm(KeyVaultDouble vault, KafkaBroker broker, Path config, String topic,
            List<String> failIfVersions, int records) throws Exception {
        Path result = Files.createTempFile("bench-inspect", ".json");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + XMX, "-cp", System.getProperty("java.class.path"), InspectRun.class.getName(),
                result.toString(), "inspect", "--config", config.toString(), "--bootstrap-server", broker.bootstrapServers(),
                "--topic", topic, "--value-format", "json", "--output", "json", "--progress-interval", "0"));
        for (String f : Shapes.fields("S1")) {
            cmd.add("--expect-sealed");
            cmd.add(f);
        }
        for (String v : failIfVersions) {
            cmd.add("--fail-if-version");
            cmd.add(v);
        }
        int before = vault.requestLog().size();
        Process p = new ProcessBuilder(cmd).inheritIO().start();
        if (!p.waitFor(20, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException("inspect did not finish within 20 minutes");
        }
        int after = vault.requestLog().size();
        if (p.exitValue() != 0) {
            throw new IllegalStateException("the inspect child JVM failed with exit code " + p.exitValue());
        }
        JsonNode child = MAPPER.readTree(result.toFile());
        Files.delete(result);
        JsonNode total = child.get("report").get("total");
        ObjectNode n = MAPPER.createObjectNode();
        n.put("topic", topic);
        n.put("records", total.get("records").asLong());
        n.put("expectedRecords", records);
        n.put("seconds", child.get("seconds").asDouble());
        n.put("recordsPerSecond", total.get("records").asLong() / child.get("seconds").asDouble());
        n.put("scanSeconds", child.get("report").get("elapsedMs").asLong() / 1e3);
        n.put("scanRecordsPerSecond", total.get("records").asLong() / (child.get("report").get("elapsedMs").asLong() / 1e3));
        n.put("peakHeapBytes", child.get("peakHeapBytes").asLong());
        n.put("peakOldGenBytes", child.get("peakOldGenBytes").asLong());
        n.put("topicBytes", StreamsThroughput.logSize(broker, topic));
        n.put("xmx", XMX);
        n.put("exitCode", child.get("exitCode").asInt());
        n.put("distinctDeks", total.get("distinctDeks").get("count").asLong());
        n.put("plaintextValues", total.get("plaintextValues").asLong());
        n.put("mismatches", total.get("mismatches").asLong());
        n.put("malformed", total.get("malformed").asLong());
        n.put("recordsNeedingFailVersions", total.get("recordsNeedingFailVersions").asLong());
        n.put("failIfVersions", String.join(",", failIfVersions));
        n.put("keyVaultRequestsBefore", before);
        n.put("keyVaultRequestsAfter", after);
        n.put("method", "`fieldseal inspect --config <the re-keying app's properties> --topic <the last re-keyed "
                + "topic> --value-format json --output json --expect-sealed email --expect-sealed ssn "
                + "--expect-sealed address` and `--fail-if-version` for the two retired versions, run by "
                + "`FieldsealStreamsApp.commandLine().execute` in a child JVM with `-Xmx" + XMX + "`. *seconds*: "
                + "the whole command, JVM warm-up and consumer start included; *scan seconds*: the scan as the "
                + "report's `elapsedMs` gives it. *Peak used heap*: the sum of the heap pools' peak usage in the "
                + "child (tracked by the JVM, no sampling; an upper bound, since the pools peak at different "
                + "moments and the young pools fill up before each collection); *old gen peak*: the old "
                + "generation's alone, what survived collections. *Key Vault requests: every request the double saw (its request log), before and after the child ran.");
        return n;
    }

    /**
     * The child: {@code InspectRun <result.json> <fieldseal arguments…>}; writes the command's JSON
     * report and what it measured to the file (stdout is the command's and the logger's).
     */
    public static void main(String[] args) throws Exception {
        List<MemoryPoolMXBean> heap = new ArrayList<>();
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                pool.resetPeakUsage();
                heap.add(pool);
            }
        }
        StringWriter report = new StringWriter();
        CommandLine cl = FieldsealStreamsApp.commandLine();
        cl.setOut(new PrintWriter(report));
        long t0 = System.nanoTime();
        int code = cl.execute(java.util.Arrays.copyOfRange(args, 1, args.length));
        double seconds = (System.nanoTime() - t0) / 1e9;
        long peak = 0;
        long oldPeak = 0;
        for (MemoryPoolMXBean pool : heap) {
            peak += pool.getPeakUsage().getUsed();
            if (pool.getName().contains("Old") || pool.getName().contains("Tenured")) {
                oldPeak = pool.getPeakUsage().getUsed();
            }
        }
        ObjectNode n = MAPPER.createObjectNode();
        n.put("exitCode", code);
        n.put("seconds", seconds);
        n.put("peakHeapBytes", peak);
        n.put("peakOldGenBytes", oldPeak);
        n.set("report", MAPPER.readTree(report.toString()));
        Files.writeString(Path.of(args[0]), MAPPER.writeValueAsString(n), StandardCharsets.UTF_8);
        System.exit(0); // the command's code is in the JSON; a non-zero exit means the child itself failed
    }
}
