package dev.fieldseal.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.openjdk.jmh.infra.Blackhole;

/**
 * A cross-check of the JMH ratios that a shared machine cannot disturb much: the same benchmark
 * methods (same state classes and setup), interleaved in short batches (A, B, C, A, B, C, …) and
 * timed with the thread's CPU time instead of the wall clock, so time spent descheduled while
 * other processes run is not counted and load drifts hit every candidate alike. Score: median
 * CPU ns/op over the batches.
 *
 * <p>Usage: {@code CpuRatios <out.json> [seconds per case]}.
 */
public final class CpuRatios {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final ObjectMapper MAPPER = new ObjectMapper();
    static volatile int sink;

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 20;
        ObjectNode out = MAPPER.createObjectNode();
        ArrayNode cases = out.putArray("cases");
        Blackhole bh = new Blackhole(
                "Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.");
        for (String shape : List.of("S1", "S2")) {
            for (String form : List.of("struct", "map")) {
                ConnectBench b = new ConnectBench();
                b.shape = shape;
                b.form = form;
                b.setup();
                try {
                    Map<String, Supplier<Object>> c = new LinkedHashMap<>();
                    c.put("maskField", b::maskField);
                    c.put("gcmEncrypt", () -> {
                        b.gcmEncrypt(bh);
                        return null;
                    });
                    c.put("gcmDecrypt", () -> {
                        b.gcmDecrypt(bh);
                        return null;
                    });
                    c.put("allocatingGcmEncrypt", () -> {
                        b.allocatingGcmEncrypt(bh);
                        return null;
                    });
                    c.put("encrypt", b::encrypt);
                    c.put("decrypt", b::decrypt);
                    c.put("encryptHeader", b::encryptHeader);
                    c.put("decryptHeader", b::decryptHeader);
                    Map<String, Double> r = run(c, seconds);
                    ObjectNode n = cases.addObject();
                    n.put("name", shape + " " + form);
                    n.set("nsPerOp", MAPPER.valueToTree(r));
                    double floorE = r.get("maskField") + r.get("gcmEncrypt");
                    double floorD = r.get("maskField") + r.get("gcmDecrypt");
                    n.put("encryptRatio", r.get("encrypt") / floorE);
                    n.put("decryptRatio", r.get("decrypt") / floorD);
                    n.put("encryptHeaderRatio", r.get("encryptHeader") / floorE);
                    n.put("decryptHeaderRatio", r.get("decryptHeader") / floorD);
                    n.put("allocatingToLeanGcm", r.get("allocatingGcmEncrypt") / r.get("gcmEncrypt"));
                    System.err.println(shape + " " + form + ": " + r + " " + n);
                } finally {
                    b.tearDown();
                }
            }
        }
        SerdeBench s = new SerdeBench();
        s.setup();
        try {
            Map<String, Supplier<Object>> c = new LinkedHashMap<>();
            c.put("plainDeserializer", s::plainDeserializer);
            c.put("plainDeserializerOnPlaintext", s::plainDeserializerOnPlaintext);
            c.put("gcmDecrypt", () -> {
                s.gcmDecrypt(bh);
                return null;
            });
            c.put("decryptingDeserializer", s::decryptingDeserializer);
            Map<String, Double> r = run(c, seconds);
            ObjectNode n = cases.addObject();
            n.put("name", "deserializer");
            n.set("nsPerOp", MAPPER.valueToTree(r));
            n.put("decryptRatio", r.get("decryptingDeserializer") / (r.get("plainDeserializer") + r.get("gcmDecrypt")));
            n.put("decryptRatioToPlaintext", r.get("decryptingDeserializer")
                    / (r.get("plainDeserializerOnPlaintext") + r.get("gcmDecrypt")));
            System.err.println("deserializer: " + r + " " + n);
        } finally {
            s.tearDown();
        }
        MAPPER.writerWithDefaultPrettyPrinter().writeValue(Path.of(args[0]).toFile(), out);
    }

    /** Warms every case up, then interleaves batches of ~10 ms each for {@code seconds} in all. */
    static Map<String, Double> run(Map<String, Supplier<Object>> cases, double seconds) {
        Map<String, Integer> batch = new LinkedHashMap<>();
        // Warm-up (JIT), sizing each case's batch to ~10 ms.
        for (int pass = 0; pass < 3; pass++) {
            for (Map.Entry<String, Supplier<Object>> e : cases.entrySet()) {
                long t0 = System.nanoTime();
                int n = 0;
                while (System.nanoTime() - t0 < 1_000_000_000L) {
                    consume(e.getValue().get());
                    n++;
                }
                batch.put(e.getKey(), Math.max(1, n / 100));
            }
        }
        Map<String, List<Double>> samples = new LinkedHashMap<>();
        cases.keySet().forEach(k -> samples.put(k, new ArrayList<>()));
        long end = System.nanoTime() + (long) (seconds * 1e9);
        while (System.nanoTime() < end) {
            for (Map.Entry<String, Supplier<Object>> e : cases.entrySet()) {
                int n = batch.get(e.getKey());
                Supplier<Object> op = e.getValue();
                long c0 = THREADS.getCurrentThreadCpuTime();
                for (int i = 0; i < n; i++) {
                    consume(op.get());
                }
                long c1 = THREADS.getCurrentThreadCpuTime();
                samples.get(e.getKey()).add((c1 - c0) / (double) n);
            }
        }
        Map<String, Double> medians = new LinkedHashMap<>();
        samples.forEach((k, v) -> {
            double[] a = v.stream().mapToDouble(Double::doubleValue).toArray();
            Arrays.sort(a);
            medians.put(k, a[a.length / 2]);
        });
        return medians;
    }

    private static void consume(Object o) {
        if (o != null) {
            sink ^= System.identityHashCode(o);
        }
    }
}
