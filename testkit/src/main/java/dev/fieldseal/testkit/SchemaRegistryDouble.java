package dev.fieldseal.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaParseException;

/**
 * A Confluent-compatible Schema Registry (REST API v1) double over HTTP or real HTTPS on
 * 127.0.0.1, for tests and local demos. It speaks the endpoints serdes use:
 * {@code POST /subjects/{s}/versions} (register: the same schema gets the same id, in any subject),
 * {@code GET /schemas/ids/{id}}, {@code GET /subjects}, {@code GET /subjects/{s}/versions},
 * {@code GET /subjects/{s}/versions/{v|latest}}, {@code POST /subjects/{s}} (lookup),
 * {@code POST /compatibility/subjects/{s}/versions/latest} and {@code GET/PUT /config/{s}}.
 * Errors have the registry's shape {@code {"error_code":40401,"message":".."}}.
 *
 * <p>Schema types {@code AVRO} (the default when {@code schemaType} is absent) and {@code JSON}.
 * Avro registrations are checked against the subject's compatibility level ({@code BACKWARD} by
 * default; {@code BACKWARD_TRANSITIVE}, {@code FORWARD(_TRANSITIVE)}, {@code FULL(_TRANSITIVE)},
 * {@code NONE}) with Avro's own {@link SchemaCompatibility}, and an incompatible schema answers
 * 409, as the registry does; JSON Schemas are accepted without a compatibility check. Two Avro
 * schemas are the same schema if their full JSON (properties included) is equal, as the
 * registry's canonical string is.
 *
 * <p>Optionally every request must carry HTTP basic credentials or a bearer token
 * ({@link #requireBasicAuth}, {@link #requireBearer}), else it answers 401. Fault injection:
 * {@link #failNext}, {@link #down()}. {@link #count} counts requests per endpoint.
 */
public final class SchemaRegistryDouble implements AutoCloseable {

    /** Endpoint names for {@link #count}. */
    public static final String REGISTER = "register";
    public static final String SCHEMA_BY_ID = "schema-by-id";
    public static final String SUBJECTS = "subjects";
    public static final String VERSIONS = "versions";
    public static final String VERSION = "version";
    public static final String LOOKUP = "lookup";
    public static final String COMPATIBILITY = "compatibility";
    public static final String CONFIG = "config";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> LEVELS = List.of("BACKWARD", "BACKWARD_TRANSITIVE", "FORWARD",
            "FORWARD_TRANSITIVE", "FULL", "FULL_TRANSITIVE", "NONE");
    private static final char[] TRUSTSTORE_PASSWORD = "changeit".toCharArray();

    /** One stored schema; {@code canonical} is its identity. */
    private record Stored(int id, String type, String canonical) {
    }

    private final boolean tls;
    private final TestCa ca;
    private final Path caPem;
    private final Path truststore;
    private final Map<Integer, Stored> byId = new ConcurrentHashMap<>();
    private final Map<String, Stored> byCanonical = new ConcurrentHashMap<>();
    private final Map<String, List<Integer>> subjects = new ConcurrentHashMap<>();
    private final Map<String, String> levels = new ConcurrentHashMap<>();
    private final AtomicInteger nextId = new AtomicInteger(1);
    private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
    private final List<String> log = new CopyOnWriteArrayList<>();
    private final AtomicInteger failCount = new AtomicInteger();
    private volatile int failStatus;
    private volatile String basicAuth;
    private volatile String bearer;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "schema-registry-double");
        t.setDaemon(true);
        return t;
    });
    private final int port;
    private volatile HttpServer server;

    private SchemaRegistryDouble(boolean tls) {
        this.tls = tls;
        if (tls) {
            ca = new TestCa();
            try {
                caPem = ca.writeCaPem(Files.createTempFile("schema-registry-double-ca", ".pem"));
                truststore = ca.writeTruststore(Files.createTempFile("schema-registry-double-trust", ".p12"),
                        TRUSTSTORE_PASSWORD);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            caPem.toFile().deleteOnExit();
            truststore.toFile().deleteOnExit();
        } else {
            ca = null;
            caPem = null;
            truststore = null;
        }
        server = start(0);
        port = server.getAddress().getPort();
    }

    /** A registry over plain HTTP, as most registries inside a cluster are reached. */
    public static SchemaRegistryDouble http() {
        return new SchemaRegistryDouble(false);
    }

    /** A registry over HTTPS with a certificate for 127.0.0.1 issued by a throwaway CA ({@link #truststoreFile()}). */
    public static SchemaRegistryDouble https() {
        return new SchemaRegistryDouble(true);
    }

    private HttpServer start(int onPort) {
        IOException last = null;
        for (int attempt = 0; attempt < 50; attempt++) {
            try {
                HttpServer s;
                if (tls) {
                    HttpsServer hs = HttpsServer.create(new InetSocketAddress("127.0.0.1", onPort), 0);
                    hs.setHttpsConfigurator(new HttpsConfigurator(ca.serverContext()));
                    s = hs;
                } else {
                    s = HttpServer.create(new InetSocketAddress("127.0.0.1", onPort), 0);
                }
                s.setExecutor(executor);
                s.createContext("/", this::handle);
                s.start();
                return s;
            } catch (BindException e) {
                last = e; // the old socket may linger briefly after down()
                try {
                    Thread.sleep(100);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    break;
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        throw new UncheckedIOException(last);
    }

    // ---- addresses and settings ------------------------------------------------------------

    /** The registry URL, e.g. {@code http://127.0.0.1:40123} or {@code https://127.0.0.1:40123}. */
    public String url() {
        return (tls ? "https" : "http") + "://127.0.0.1:" + port;
    }

    /** HTTPS only: a PKCS12 truststore with the CA (for {@code schema.registry.ssl.truststore.location}). */
    public Path truststoreFile() {
        requireTls();
        return truststore;
    }

    /** The password of {@link #truststoreFile()}. */
    public String truststorePassword() {
        requireTls();
        return new String(TRUSTSTORE_PASSWORD);
    }

    /** HTTPS only: PEM of the CA that issued the server certificate. */
    public Path caPemFile() {
        requireTls();
        return caPem;
    }

    private void requireTls() {
        if (!tls) {
            throw new IllegalStateException("an HTTP registry double has no certificate");
        }
    }

    /** From now on every request needs {@code Authorization: Basic} with these credentials. */
    public void requireBasicAuth(String user, String password) {
        basicAuth = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password)
                .getBytes(StandardCharsets.UTF_8));
    }

    /** From now on every request needs {@code Authorization: Bearer token}. */
    public void requireBearer(String token) {
        bearer = "Bearer " + token;
    }

    // ---- state, from tests -----------------------------------------------------------------

    /** Registers as a client would (checking compatibility); returns the id. */
    public int register(String subject, String schemaType, String schema) {
        return registerChecked(subject, schemaType, schema);
    }

    /** The schema text stored under an id, or null. */
    public String schema(int id) {
        Stored s = byId.get(id);
        return s == null ? null : s.canonical;
    }

    /** The ids of a subject's versions, oldest first (empty if none). */
    public List<Integer> versions(String subject) {
        return List.copyOf(subjects.getOrDefault(subject, List.of()));
    }

    /** The subjects that have a version. */
    public List<String> subjects() {
        return List.copyOf(new TreeSet<>(subjects.keySet()));
    }

    /** Sets a subject's compatibility level (as {@code PUT /config/{s}}). */
    public void setCompatibility(String subject, String level) {
        levels.put(subject, level);
    }

    /**
     * Requests to one endpoint that got past faults and authentication: {@link #REGISTER},
     * {@link #SCHEMA_BY_ID}, {@link #SUBJECTS}, {@link #VERSIONS}, {@link #VERSION}, {@link #LOOKUP},
     * {@link #COMPATIBILITY}, {@link #CONFIG}.
     */
    public int count(String endpoint) {
        AtomicInteger c = counts.get(endpoint);
        return c == null ? 0 : c.get();
    }

    /** Every request seen, as {@code "METHOD /path -> status"}; never a credential. */
    public List<String> requestLog() {
        return List.copyOf(log);
    }

    /** Clears counts, the request log and faults; schemas, subjects and credentials stay. */
    public void reset() {
        counts.clear();
        log.clear();
        failCount.set(0);
    }

    /** Answers the next {@code n} requests with {@code status} and a registry-style error body. */
    public void failNext(int n, int status) {
        failStatus = status;
        failCount.set(n);
    }

    /** Stops listening: connections are refused, as by a dead registry. */
    public synchronized void down() {
        if (server != null) {
            server.stop(0);
            server = null;
        }
    }

    /** Listens again on the same port. */
    public synchronized void up() {
        if (server == null) {
            server = start(port);
        }
    }

    @Override
    public synchronized void close() {
        down();
        executor.shutdownNow();
        try {
            if (caPem != null) {
                Files.deleteIfExists(caPem);
                Files.deleteIfExists(truststore);
            }
        } catch (IOException ignored) {
            // temp files
        }
    }

    // ---- HTTP ------------------------------------------------------------------------------

    private static final class Fail extends RuntimeException {
        final int status;
        final int code;

        Fail(int status, int code, String message) {
            super(message, null, false, false);
            this.status = status;
            this.code = code;
        }
    }

    private void handle(HttpExchange ex) throws IOException {
        String method = ex.getRequestMethod();
        String path = ex.getRequestURI().getRawPath();
        String line = method + " " + path;
        try (ex) {
            byte[] body = ex.getRequestBody().readAllBytes();
            int status;
            Object reply;
            try {
                if (failCount.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                    throw new Fail(failStatus, failStatus * 100 + 1, "Injected failure.");
                }
                authenticate(ex);
                reply = route(method, path, body.length == 0 ? JSON.createObjectNode() : JSON.readTree(body));
                status = 200;
            } catch (Fail f) {
                status = f.status;
                reply = Map.of("error_code", f.code, "message", f.getMessage());
            } catch (IOException e) {
                status = 400;
                reply = Map.of("error_code", 400, "message", "Unrecognized request body.");
            }
            log.add(line + " -> " + status);
            byte[] out = JSON.writeValueAsBytes(reply);
            ex.getResponseHeaders().set("Content-Type", "application/vnd.schemaregistry.v1+json");
            ex.sendResponseHeaders(status, out.length);
            ex.getResponseBody().write(out);
        } catch (RuntimeException e) {
            log.add(line + " -> 500 " + e);
            byte[] out = JSON.writeValueAsBytes(Map.of("error_code", 50001, "message", "double failed: " + e));
            ex.sendResponseHeaders(500, out.length);
            ex.getResponseBody().write(out);
        }
    }

    private void authenticate(HttpExchange ex) {
        String want = basicAuth != null ? basicAuth : bearer;
        if (want == null) {
            return;
        }
        String got = ex.getRequestHeaders().getFirst("Authorization");
        if (!want.equals(got)) {
            throw new Fail(401, 401, "Unauthorized");
        }
    }

    private Object route(String method, String rawPath, JsonNode body) {
        String[] p = rawPath.replaceAll("/+$", "").split("/");
        List<String> seg = new ArrayList<>();
        for (int i = 1; i < p.length; i++) {
            seg.add(URLDecoder.decode(p[i], StandardCharsets.UTF_8));
        }
        if (seg.size() == 3 && seg.get(0).equals("schemas") && seg.get(1).equals("ids") && method.equals("GET")) {
            served(SCHEMA_BY_ID);
            Stored s = byId.get(intOr(seg.get(2), 40403, "Schema not found"));
            if (s == null) {
                throw new Fail(404, 40403, "Schema " + seg.get(2) + " not found");
            }
            return schemaReply(s, null, -1);
        }
        if (seg.size() == 1 && seg.get(0).equals("subjects") && method.equals("GET")) {
            served(SUBJECTS);
            return subjects();
        }
        if (seg.size() >= 2 && seg.get(0).equals("subjects")) {
            String subject = seg.get(1);
            if (seg.size() == 2 && method.equals("POST")) {
                served(LOOKUP);
                List<Integer> vs = existing(subject);
                Stored s = byCanonical.get(identity(type(body), text(body)));
                int v = s == null ? -1 : vs.indexOf(s.id);
                if (v < 0) {
                    throw new Fail(404, 40403, "Schema not found");
                }
                return schemaReply(s, subject, v + 1);
            }
            if (seg.size() == 3 && seg.get(2).equals("versions")) {
                if (method.equals("POST")) {
                    served(REGISTER);
                    return Map.of("id", registerChecked(subject, type(body), text(body)));
                }
                served(VERSIONS);
                List<Integer> vs = existing(subject);
                List<Integer> numbers = new ArrayList<>();
                for (int i = 1; i <= vs.size(); i++) {
                    numbers.add(i);
                }
                return numbers;
            }
            if (seg.size() == 4 && seg.get(2).equals("versions") && method.equals("GET")) {
                served(VERSION);
                List<Integer> vs = existing(subject);
                int v = version(seg.get(3), vs);
                return schemaReply(byId.get(vs.get(v - 1)), subject, v);
            }
        }
        if (seg.size() == 5 && seg.get(0).equals("compatibility") && seg.get(1).equals("subjects")
                && seg.get(3).equals("versions") && method.equals("POST")) {
            served(COMPATIBILITY);
            String subject = seg.get(2);
            List<Integer> vs = existing(subject);
            int v = version(seg.get(4), vs);
            String type = type(body);
            String text = text(body);
            return Map.of("is_compatible", compatible(level(subject), type, text, vs.subList(v - 1, v)));
        }
        if (seg.size() == 2 && seg.get(0).equals("config")) {
            served(CONFIG);
            String subject = seg.get(1);
            if (method.equals("PUT")) {
                String level = body.path("compatibility").asText("");
                if (!LEVELS.contains(level)) {
                    throw new Fail(422, 42203, "Invalid compatibility level");
                }
                levels.put(subject, level);
                return Map.of("compatibility", level);
            }
            return Map.of("compatibilityLevel", level(subject));
        }
        throw new Fail(404, 404, "HTTP 404 Not Found");
    }

    private void served(String endpoint) {
        counts.computeIfAbsent(endpoint, e -> new AtomicInteger()).incrementAndGet();
    }

    private synchronized int registerChecked(String subject, String type, String text) {
        String identity = identity(type, text);
        List<Integer> vs = subjects.getOrDefault(subject, List.of());
        Stored known = byCanonical.get(identity);
        if (known != null && vs.contains(known.id)) {
            return known.id;
        }
        String level = level(subject);
        if (!vs.isEmpty() && !compatible(level, type, text, level.endsWith("_TRANSITIVE") ? vs
                : vs.subList(vs.size() - 1, vs.size()))) {
            throw new Fail(409, 409, "Schema being registered is incompatible with an earlier schema for subject \""
                    + subject + "\" (" + level + ")");
        }
        Stored s = known != null ? known : byCanonical.computeIfAbsent(identity,
                k -> new Stored(nextId.getAndIncrement(), type, k));
        byId.put(s.id, s);
        subjects.computeIfAbsent(subject, k -> new CopyOnWriteArrayList<>()).add(s.id);
        return s.id;
    }

    private String level(String subject) {
        return levels.getOrDefault(subject, levels.getOrDefault("", "BACKWARD"));
    }

    /** Whether {@code text} may follow the {@code earlier} ids under {@code level} (Avro only; JSON always). */
    private boolean compatible(String level, String type, String text, List<Integer> earlier) {
        if (!"AVRO".equals(type) || "NONE".equals(level)) {
            return true;
        }
        Schema candidate = avro(text);
        for (int id : earlier) {
            Stored e = byId.get(id);
            if (!"AVRO".equals(e.type)) {
                return false;
            }
            Schema old = avro(e.canonical);
            boolean backward = !level.startsWith("FORWARD");
            boolean forward = !level.startsWith("BACKWARD");
            if (backward && !readable(candidate, old) || forward && !readable(old, candidate)) {
                return false;
            }
        }
        return true;
    }

    private static boolean readable(Schema reader, Schema writer) {
        return SchemaCompatibility.checkReaderWriterCompatibility(reader, writer).getType()
                == SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE;
    }

    private static Schema avro(String text) {
        try {
            return new Schema.Parser().parse(text);
        } catch (SchemaParseException e) {
            throw new Fail(422, 42201, "Invalid schema: " + e.getMessage());
        }
    }

    private static String identity(String type, String text) {
        if ("AVRO".equals(type)) {
            return avro(text).toString();
        }
        try {
            return JSON.writeValueAsString(JSON.readTree(text));
        } catch (IOException e) {
            throw new Fail(422, 42201, "Invalid schema: not JSON");
        }
    }

    private static String type(JsonNode body) {
        String t = body.path("schemaType").asText("AVRO");
        if (!t.equals("AVRO") && !t.equals("JSON")) {
            throw new Fail(422, 42201, "Invalid schema type " + t + " (this double knows AVRO and JSON)");
        }
        return t;
    }

    private static String text(JsonNode body) {
        if (!body.path("schema").isTextual()) {
            throw new Fail(422, 42201, "Invalid schema: the request has no schema");
        }
        return body.path("schema").asText();
    }

    private List<Integer> existing(String subject) {
        List<Integer> vs = subjects.get(subject);
        if (vs == null || vs.isEmpty()) {
            throw new Fail(404, 40401, "Subject '" + subject + "' not found.");
        }
        return vs;
    }

    private static int version(String v, List<Integer> vs) {
        if (v.equals("latest") || v.equals("-1")) {
            return vs.size();
        }
        int n = intOr(v, 42202, "The specified version '" + v + "' is not a valid version id.");
        if (n < 1 || n > vs.size()) {
            throw new Fail(404, 40402, "Version " + v + " not found.");
        }
        return n;
    }

    private static int intOr(String s, int code, String message) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new Fail(code / 100 == 404 ? 404 : 422, code, message);
        }
    }

    private static ObjectNode schemaReply(Stored s, String subject, int version) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (subject != null) {
            m.put("subject", subject);
            m.put("version", version);
        }
        m.put("id", s.id);
        if (!"AVRO".equals(s.type)) {
            m.put("schemaType", s.type);
        }
        m.put("schema", s.canonical);
        return JSON.valueToTree(m);
    }
}
