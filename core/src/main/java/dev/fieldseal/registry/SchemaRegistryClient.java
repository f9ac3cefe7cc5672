package dev.fieldseal.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.kafka.common.config.ConfigException;

/**
 * A small client of the Confluent Schema Registry REST API (v1), which Confluent Schema Registry,
 * Apicurio Registry's compatibility API, Karapace and Redpanda serve: register, look up, fetch by
 * id, test compatibility. Answers are cached in bounded caches (schemas by id; ids by subject and
 * schema), each loaded once however many threads miss it at the same time, so the registry sees
 * one call per distinct schema, not per record. An id the registry does not know is remembered
 * for a minute: a record cannot make every read call the registry.
 *
 * <p>Outages (connection failures, 429, 5xx) are retried with exponential backoff, each attempt
 * trying the configured URLs in turn, then reported as a retriable {@link RegistryException}.
 * Credentials (basic user info, from the setting or the URL, or a bearer token) go only into the
 * {@code Authorization} header: messages name the registry by its URL without user info.
 * Thread-safe.
 */
public final class SchemaRegistryClient {

    public static final String AVRO = "AVRO";
    public static final String JSON_SCHEMA = "JSON";

    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A schema as the registry stores it. */
    public record Registered(int id, String type, String schema) {
    }

    private record SubjectSchema(String subject, String type, String schema) {
    }

    private final List<URI> bases;
    private final String display;
    private final String authorization;
    private final HttpClient http;
    private final boolean autoRegister;
    private final int maxRetries;
    private final long waitMs;
    private final long maxWaitMs;
    private final Cache<Integer, Registered> byId;
    private final Cache<Integer, RegistryException> unknownIds;
    private final Cache<SubjectSchema, Integer> ids;
    private final AtomicLong requests = new AtomicLong();

    private SchemaRegistryClient(RegistryConfig c) {
        List<URI> urls = new ArrayList<>();
        String userInfo = null;
        for (String u : c.urls()) {
            URI uri = parse(u.trim());
            if (uri.getRawUserInfo() != null && userInfo == null) {
                userInfo = decode(uri.getRawUserInfo());
            }
            urls.add(withoutUserInfo(uri));
        }
        bases = List.copyOf(urls);
        display = String.join(",", bases.stream().map(URI::toString).toList());
        String basic = RegistryConfig.SOURCE_USER_INFO.equals(c.getString(RegistryConfig.BASIC_AUTH_SOURCE))
                ? c.secret(RegistryConfig.BASIC_AUTH_USER_INFO) : userInfo;
        String token = c.secret(RegistryConfig.BEARER_AUTH_TOKEN);
        if (basic != null && token != null) {
            throw new ConfigException(RegistryConfig.BEARER_AUTH_TOKEN, "[hidden]", "Give the registry either basic "
                    + "credentials or a bearer token, not both.");
        }
        authorization = basic != null ? "Basic " + Base64.getEncoder().encodeToString(basic.getBytes(
                StandardCharsets.UTF_8)) : token != null ? "Bearer " + token : null;
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(TIMEOUT);
        if (c.getString(RegistryConfig.TRUSTSTORE_LOCATION) != null) {
            b.sslContext(trust(c));
        }
        http = b.build();
        autoRegister = c.getBoolean(RegistryConfig.AUTO_REGISTER);
        maxRetries = c.getInt(RegistryConfig.MAX_RETRIES);
        waitMs = c.getLong(RegistryConfig.RETRIES_WAIT_MS);
        maxWaitMs = c.getLong(RegistryConfig.RETRIES_MAX_WAIT_MS);
        int capacity = c.getInt(RegistryConfig.CACHE_CAPACITY);
        byId = Caffeine.newBuilder().maximumSize(capacity).build();
        unknownIds = Caffeine.newBuilder().maximumSize(capacity).expireAfterWrite(Duration.ofMinutes(1)).build();
        ids = Caffeine.newBuilder().maximumSize(capacity).build();
    }

    public static SchemaRegistryClient create(RegistryConfig config) {
        return new SchemaRegistryClient(config);
    }

    /** The registry as messages name it: its URLs without credentials. */
    public String registry() {
        return display;
    }

    /** HTTP requests sent so far (retries included): what the caches save. */
    public long requests() {
        return requests.get();
    }

    /** The schema with this id ({@code GET /schemas/ids/{id}}), cached. */
    public Registered schemaById(int id) {
        RegistryException unknown = unknownIds.getIfPresent(id);
        if (unknown != null) {
            throw unknown;
        }
        try {
            return byId.get(id, i -> {
                JsonNode n = call("GET", "/schemas/ids/" + i, null, "schema id " + i);
                return new Registered(i, n.path("schemaType").asText(AVRO), n.path("schema").asText());
            });
        } catch (RegistryException e) {
            if (e.notFound()) {
                unknownIds.put(id, e);
            }
            throw e;
        }
    }

    /**
     * The id of {@code schema} under {@code subject}: registered ({@code POST /subjects/{s}/versions})
     * when {@code auto.register.schemas} is on, else looked up ({@code POST /subjects/{s}}). Cached.
     */
    public int idFor(String subject, String type, String schema) {
        return ids.get(new SubjectSchema(subject, type, schema), k -> {
            int id = autoRegister ? register(k.subject, k.type, k.schema) : lookup(k.subject, k.type, k.schema);
            byId.asMap().putIfAbsent(id, new Registered(id, k.type, k.schema));
            return id;
        });
    }

    /** Registers {@code schema} under {@code subject} (not cached: {@link #idFor} is). */
    public int register(String subject, String type, String schema) {
        JsonNode n = call("POST", "/subjects/" + path(subject) + "/versions", body(type, schema), "subject '"
                + subject + "'");
        return n.path("id").asInt();
    }

    /** The id of a schema already registered under {@code subject} (not cached). */
    public int lookup(String subject, String type, String schema) {
        JsonNode n = call("POST", "/subjects/" + path(subject), body(type, schema), "subject '" + subject + "'");
        return n.path("id").asInt();
    }

    /** The registry's answer to {@code POST /compatibility/subjects/{s}/versions/latest}. */
    public boolean compatibleWithLatest(String subject, String type, String schema) {
        JsonNode n = call("POST", "/compatibility/subjects/" + path(subject) + "/versions/latest", body(type, schema),
                "subject '" + subject + "'");
        return n.path("is_compatible").asBoolean(false);
    }

    /** The latest version registered under {@code subject} ({@code GET /subjects/{s}/versions/latest}). */
    public Registered latest(String subject) {
        JsonNode n = call("GET", "/subjects/" + path(subject) + "/versions/latest", null, "subject '" + subject
                + "'");
        return new Registered(n.path("id").asInt(), n.path("schemaType").asText(AVRO), n.path("schema").asText());
    }

    // ---- HTTP ----------------------------------------------------------------------------------

    private static String body(String type, String schema) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (!AVRO.equals(type)) {
            m.put("schemaType", type);
        }
        m.put("schema", schema);
        try {
            return JSON.writeValueAsString(m);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private JsonNode call(String method, String path, String body, String what) {
        long wait = waitMs;
        String lastFault = null;
        Exception lastCause = null;
        for (int attempt = 0; attempt <= maxRetries; attempt++) {
            if (attempt > 0) {
                pause(wait);
                wait = Math.min(maxWaitMs, Math.max(1, wait * 2));
            }
            for (URI base : bases) {
                HttpRequest.Builder r = HttpRequest.newBuilder(base.resolve(base.getRawPath().replaceAll("/+$", "")
                        + path)).timeout(TIMEOUT).header("Accept", CONTENT_TYPE);
                if (authorization != null) {
                    r.header("Authorization", authorization);
                }
                r.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
                if (body != null) {
                    r.header("Content-Type", CONTENT_TYPE);
                }
                HttpResponse<String> resp;
                try {
                    requests.incrementAndGet();
                    resp = http.send(r.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
                } catch (IOException e) {
                    lastFault = e.getClass().getSimpleName();
                    lastCause = e;
                    continue;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new RegistryException("Interrupted while calling the Schema Registry " + base + " for "
                            + what + ".", true, 0, e);
                }
                int status = resp.statusCode();
                if (status / 100 == 2) {
                    return parse(resp.body(), base, what);
                }
                if (status == 429 || status / 100 == 5) {
                    lastFault = "HTTP " + status;
                    lastCause = null;
                    continue;
                }
                throw refused(status, resp.body(), base, what);
            }
        }
        throw new RegistryException("The Schema Registry " + display + " did not answer for " + what + " after "
                + (maxRetries + 1) + " attempts (" + lastFault + "); nothing was written or read in plaintext.",
                true, 0, lastCause);
    }

    private static JsonNode parse(String body, URI base, String what) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new RegistryException("The Schema Registry " + base + " answered for " + what
                    + " with a body that is not JSON.", false, 0, null);
        }
    }

    private static RegistryException refused(int status, String body, URI base, String what) {
        int code = status;
        String message = "";
        try {
            JsonNode n = JSON.readTree(body);
            code = n.path("error_code").asInt(status);
            message = n.path("message").asText("");
        } catch (IOException | RuntimeException ignored) {
            // not the registry's error shape: the status says enough
        }
        if (message.length() > 300) {
            message = message.substring(0, 300) + "…";
        }
        String hint = status == 401 || status == 403 ? " Check basic.auth.* / bearer.auth.token." : "";
        return new RegistryException("The Schema Registry " + base + " refused the request for " + what + ": HTTP "
                + status + ", error_code " + code + (message.isEmpty() ? "" : " (" + message + ")") + "." + hint,
                false, code, null);
    }

    private static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException("Interrupted while waiting to retry the Schema Registry.", true, 0, e);
        }
    }

    private static String path(String subject) {
        return URLEncoder.encode(subject, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static URI parse(String url) {
        try {
            URI u = new URI(url);
            if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme()) || u.getHost() == null) {
                throw new URISyntaxException(url, "not http(s)://host");
            }
            return u;
        } catch (URISyntaxException e) {
            // the URL may carry user:password: it is not echoed
            throw new ConfigException(RegistryConfig.URL, "[not shown]", "Not an http:// or https:// URL with a host.");
        }
    }

    private static URI withoutUserInfo(URI u) {
        try {
            return new URI(u.getScheme(), null, u.getHost(), u.getPort(), u.getPath(), null, null);
        } catch (URISyntaxException e) {
            throw new ConfigException(RegistryConfig.URL, "[not shown]", "Not a valid URL.");
        }
    }

    private static String decode(String rawUserInfo) {
        return java.net.URLDecoder.decode(rawUserInfo.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static SSLContext trust(RegistryConfig c) {
        String location = c.getString(RegistryConfig.TRUSTSTORE_LOCATION);
        String password = c.secret(RegistryConfig.TRUSTSTORE_PASSWORD);
        try (InputStream in = Files.newInputStream(Path.of(location))) {
            KeyStore ks = KeyStore.getInstance(c.getString(RegistryConfig.TRUSTSTORE_TYPE));
            ks.load(in, password == null ? null : password.toCharArray());
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (IOException | GeneralSecurityException e) {
            throw new ConfigException(RegistryConfig.TRUSTSTORE_LOCATION, location, "Cannot load it as a "
                    + c.getString(RegistryConfig.TRUSTSTORE_TYPE) + " truststore (" + e.getClass().getSimpleName()
                    + ").");
        }
    }
}
