package dev.fieldseal.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.fieldseal.testkit.leak.LeakSecrets;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.MGF1ParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Cipher;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import javax.crypto.spec.SecretKeySpec;

/**
 * An Azure Key Vault (keys API) double over real HTTPS on 127.0.0.1, for tests and local demos.
 *
 * <p>It speaks what the Azure SDK sends: the bearer challenge (401 + {@code WWW-Authenticate}),
 * get key (latest, with the SDK's trailing slash, or by version), list versions, create, rotate,
 * update (enable/disable, key_ops), delete, and wrapkey/unwrapkey/encrypt/decrypt with
 * RSA-OAEP-256, RSA-OAEP and RSA1_5 on {@code RSA} keys and A256KW on {@code oct-HSM} keys.
 * Errors use the service's JSON shape ({@code {"error":{"code":..,"message":..}}}); a disabled
 * version answers 403 {@code Forbidden} with inner code {@code KeyDisabled}, as Key Vault does.
 *
 * <p>Any bearer token is accepted. The token stands for the caller's identity: by default every
 * identity holds every key permission; {@link #grantOnly} narrows one identity to some of them (as
 * an access policy or an RBAC role would), and a request needing another permission answers 403
 * {@code Forbidden} with inner code {@code ForbiddenByRbac}. The TLS certificate is issued at start
 * by a throwaway CA whose PEM is {@link #caPemFile()}, so clients keep full TLS verification.
 *
 * <p>Fault injection applies to every request in arrival order, before authentication:
 * {@link #down()}, {@link #dropConnections}, {@link #delay}, {@link #failNext}, {@link #throttleNext}.
 */
public final class KeyVaultDouble implements AutoCloseable {

    public static final String RSA = "RSA";
    public static final String OCT_HSM = "oct-HSM";
    /** The bearer token fieldseal sends with {@code azure.credential=emulator}: the identity tests run as. */
    public static final String EMULATOR_TOKEN = "emulator";
    private static final List<String> ALL_OPS =
            List.of("encrypt", "decrypt", "sign", "verify", "wrapKey", "unwrapKey");
    private static final OAEPParameterSpec OAEP_256 = new OAEPParameterSpec("SHA-256", "MGF1",
            MGF1ParameterSpec.SHA256, PSource.PSpecified.DEFAULT);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();

    /** One version of a key; RSA versions hold a key pair, oct-HSM versions an AES key. */
    private static final class Version {
        final String id = UUID.randomUUID().toString().replace("-", "");
        final String kty;
        final long created;
        volatile List<String> ops;
        volatile boolean enabled = true;
        final KeyPair rsa;
        final SecretKey aes;

        Version(String kty, List<String> ops, long created, KeyPair rsa, SecretKey aes) {
            this.kty = kty;
            this.ops = List.copyOf(ops);
            this.created = created;
            this.rsa = rsa;
            this.aes = aes;
        }
    }

    private final TestCa ca = new TestCa();
    private final Path caPem;
    private final Map<String, List<Version>> keys = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
    private final List<String> log = new CopyOnWriteArrayList<>();
    /** Key permissions of the identities that {@link #grantOnly} narrowed, by bearer token. */
    private final Map<String, List<String>> grants = new ConcurrentHashMap<>();
    private final AtomicInteger failCount = new AtomicInteger();
    private volatile int failStatus;
    private final AtomicInteger throttleCount = new AtomicInteger();
    private volatile int retryAfterSeconds;
    private volatile Duration delay = Duration.ZERO;
    private volatile boolean drop;
    /** Creation times are strictly increasing so "newest" is never a tie. */
    private final AtomicLong clock = new AtomicLong(Instant.now().getEpochSecond());
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "key-vault-double");
        t.setDaemon(true);
        return t;
    });
    private final int port;
    private volatile HttpsServer server;

    public KeyVaultDouble() {
        try {
            caPem = ca.writeCaPem(Files.createTempFile("key-vault-double-ca", ".pem"));
            caPem.toFile().deleteOnExit();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server = start(0);
        port = server.getAddress().getPort();
    }

    private HttpsServer start(int onPort) {
        IOException last = null;
        for (int attempt = 0; attempt < 50; attempt++) {
            try {
                HttpsServer s = HttpsServer.create(new InetSocketAddress("127.0.0.1", onPort), 0);
                s.setHttpsConfigurator(new HttpsConfigurator(ca.serverContext()));
                s.setExecutor(executor);
                s.createContext("/", this::handle);
                s.start();
                return s;
            } catch (BindException e) {
                last = e; // the old socket may linger briefly after down()
                sleep(Duration.ofMillis(100));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        throw new UncheckedIOException(last);
    }

    // ---- addresses -------------------------------------------------------------------------

    /** The vault URL, e.g. {@code https://127.0.0.1:40123}. */
    public String vaultUrl() {
        return "https://127.0.0.1:" + port;
    }

    /** The versionless key id of a key name. */
    public String keyId(String name) {
        return vaultUrl() + "/keys/" + name;
    }

    /** The key id of one version. */
    public String keyId(String name, String version) {
        return keyId(name) + "/" + version;
    }

    /** PEM of the CA that issued the server certificate (for {@code azure.tls.ca.file}). */
    public Path caPemFile() {
        return caPem;
    }

    // ---- keys, from tests ------------------------------------------------------------------

    /** Creates an RSA-2048 key (or a new version if it exists) with every key_op; returns the version. */
    public String createRsaKey(String name) {
        return createKey(name, RSA, ALL_OPS);
    }

    /** Creates a 256-bit oct-HSM key (Managed HSM) with wrapKey/unwrapKey; returns the version. */
    public String createOctHsmKey(String name) {
        return createKey(name, OCT_HSM, List.of("wrapKey", "unwrapKey", "encrypt", "decrypt"));
    }

    /** Creates a key (or a new version) of type {@link #RSA} or {@link #OCT_HSM} with the given key_ops. */
    public String createKey(String name, String kty, List<String> ops) {
        Version v = newVersion(kty, ops);
        keys.computeIfAbsent(name, n -> new CopyOnWriteArrayList<>()).add(v);
        return v.id;
    }

    /**
     * Creates {@code count} RSA keys {@code prefix0 ... prefix<count-1>} (a key per tenant) whose
     * versions share the key material of one fresh RSA-2048 pair: generating a thousand pairs takes
     * a minute, and what tenant tests check is that Key Vault answers per key name and version
     * (enabled, disabled, deleted), which each key still has of its own.
     */
    public void createRsaKeys(String prefix, int count) {
        Version model = newVersion(RSA, ALL_OPS);
        for (int i = 0; i < count; i++) {
            Version v = new Version(RSA, ALL_OPS, clock.incrementAndGet(), model.rsa, null);
            keys.computeIfAbsent(prefix + i, n -> new CopyOnWriteArrayList<>()).add(v);
        }
    }

    /** Adds a new version with the type and key_ops of the current one, as Key Vault's rotate does. */
    public String rotate(String name) {
        Version current = current(name);
        return createKey(name, current.kty, current.ops);
    }

    /** The current (newest) version, enabled or not. */
    public String currentVersion(String name) {
        return current(name).id;
    }

    public void setEnabled(String name, String version, boolean enabled) {
        find(name, version).enabled = enabled;
    }

    public void setKeyOps(String name, String version, List<String> ops) {
        find(name, version).ops = List.copyOf(ops);
    }

    public void deleteKey(String name) {
        keys.remove(name);
    }

    /** The private key of an RSA version, so tests can check wraps with an independent implementation. */
    public PrivateKey rsaPrivateKey(String name, String version) {
        return find(name, version).rsa.getPrivate();
    }

    private Version newVersion(String kty, List<String> ops) {
        Version v = generate(kty, ops);
        if (v.rsa != null) {
            java.security.interfaces.RSAPrivateCrtKey k = (java.security.interfaces.RSAPrivateCrtKey) v.rsa.getPrivate();
            LeakSecrets.secretBytes("RSA private key (PKCS#8) of the Key Vault double", k.getEncoded());
            LeakSecrets.secretBytes("RSA private exponent of the Key Vault double", unsigned(k.getPrivateExponent()));
            LeakSecrets.secretBytes("RSA prime p of the Key Vault double", unsigned(k.getPrimeP()));
        } else {
            LeakSecrets.secretBytes("oct-HSM key of the Key Vault double", v.aes.getEncoded());
        }
        return v;
    }

    private Version generate(String kty, List<String> ops) {
        try {
            if (RSA.equals(kty) || "RSA-HSM".equals(kty)) {
                KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
                g.initialize(2048);
                return new Version(kty, ops, clock.incrementAndGet(), g.generateKeyPair(), null);
            }
            if (OCT_HSM.equals(kty) || "oct".equals(kty)) {
                KeyGenerator g = KeyGenerator.getInstance("AES");
                g.init(256);
                return new Version(kty, ops, clock.incrementAndGet(), null, g.generateKey());
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        throw new IllegalArgumentException("unsupported kty " + kty);
    }

    private Version current(String name) {
        List<Version> vs = keys.get(name);
        if (vs == null || vs.isEmpty()) {
            throw new IllegalArgumentException("no key " + name);
        }
        return vs.get(vs.size() - 1);
    }

    private Version find(String name, String version) {
        Version v = findOrNull(name, version);
        if (v == null) {
            throw new IllegalArgumentException("no key " + name + "/" + version);
        }
        return v;
    }

    private Version findOrNull(String name, String version) {
        for (Version v : keys.getOrDefault(name, List.of())) {
            if (v.id.equals(version)) {
                return v;
            }
        }
        return null;
    }

    // ---- counts, log, faults ---------------------------------------------------------------

    /**
     * Requests of one operation that got past faults and the auth challenge: {@code get},
     * {@code versions}, {@code create}, {@code rotate}, {@code update}, {@code delete},
     * {@code wrapkey}, {@code unwrapkey}, {@code encrypt}, {@code decrypt}.
     */
    public int count(String operation) {
        AtomicInteger c = counts.get(operation);
        return c == null ? 0 : c.get();
    }

    /** Every request seen, as {@code "METHOD /path -> status"} (status 0: dropped). */
    public List<String> requestLog() {
        return List.copyOf(log);
    }

    /** Clears counts, the request log and every fault. Keys stay. */
    public void reset() {
        counts.clear();
        log.clear();
        failCount.set(0);
        throttleCount.set(0);
        delay = Duration.ZERO;
        drop = false;
    }

    /**
     * Narrows the identity behind {@code bearerToken} to these key permissions, named as in a Key
     * Vault access policy: {@code get}, {@code list}, {@code create}, {@code update}, {@code delete},
     * {@code rotate}, {@code wrapKey}, {@code unwrapKey}, {@code encrypt}, {@code decrypt}. A request
     * needing another one is still counted (see {@link #count}) and answers 403 {@code Forbidden}
     * (inner code {@code ForbiddenByRbac}). No permissions at all: every key request is refused.
     */
    public void grantOnly(String bearerToken, String... permissions) {
        grants.put(bearerToken, List.of(permissions));
    }

    /** Gives the identity behind {@code bearerToken} every key permission again (the default). */
    public void grantAll(String bearerToken) {
        grants.remove(bearerToken);
    }

    /** Answers the next {@code n} requests with {@code status} and a service-style error body. */
    public void failNext(int n, int status) {
        failStatus = status;
        failCount.set(n);
    }

    /** Answers the next {@code n} requests with 429 and {@code Retry-After: seconds}. */
    public void throttleNext(int n, int seconds) {
        retryAfterSeconds = seconds;
        throttleCount.set(n);
    }

    /** Delays every response (to provoke client timeouts). */
    public void delay(Duration d) {
        delay = d;
    }

    /** Closes every connection without an answer while on. */
    public void dropConnections(boolean on) {
        drop = on;
    }

    /** Stops listening: connections are refused, as by a dead vault. */
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
            Files.deleteIfExists(caPem);
        } catch (IOException ignored) {
            // a temp file
        }
    }

    // ---- HTTP ------------------------------------------------------------------------------

    private record Reply(int status, Object body, Map<String, String> headers) {
        static Reply ok(Object body) {
            return new Reply(200, body, Map.of());
        }
    }

    private static final class Fail extends RuntimeException {
        final int status;
        final String code;
        final String inner;

        Fail(int status, String code, String message, String inner) {
            super(message, null, false, false);
            this.status = status;
            this.code = code;
            this.inner = inner;
        }
    }

    private void handle(HttpExchange ex) throws IOException {
        String method = ex.getRequestMethod();
        String path = ex.getRequestURI().getPath();
        String line = method + " " + path;
        try (ex) {
            byte[] body = ex.getRequestBody().readAllBytes();
            if (!delay.isZero()) {
                sleep(delay);
            }
            if (drop) {
                log.add(line + " -> 0");
                return; // closing the exchange before any response closes the connection
            }
            Reply reply;
            if (throttleCount.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                reply = error(new Fail(429, "Throttled", "Request was not processed because too many requests "
                        + "were received.", null), Map.of("Retry-After", String.valueOf(retryAfterSeconds)));
            } else if (failCount.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                reply = error(new Fail(failStatus, failStatus >= 500 ? "ServiceUnavailable" : "Injected",
                        "Injected failure.", null), Map.of());
            } else if (!hasBearer(ex)) {
                reply = new Reply(401, Map.of("error", Map.of("code", "Unauthorized",
                        "message", "AKV10000: Request is missing a Bearer or PoP token.")),
                        Map.of("WWW-Authenticate", "Bearer authorization=\"https://login.microsoftonline.com/"
                                + "00000000-0000-0000-0000-000000000000\", resource=\"https://vault.azure.net\""));
            } else {
                try {
                    reply = route(method, path, body.length == 0 ? JSON.createObjectNode() : JSON.readTree(body),
                            bearerToken(ex));
                } catch (Fail f) {
                    reply = error(f, Map.of());
                }
            }
            log.add(line + " -> " + reply.status);
            send(ex, reply);
        } catch (RuntimeException e) {
            log.add(line + " -> 500 " + e);
            send(ex, error(new Fail(500, "InternalError", "double failed: " + e, null), Map.of()));
        }
    }

    private static boolean hasBearer(HttpExchange ex) {
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        return auth != null && auth.startsWith("Bearer ");
    }

    private static String bearerToken(HttpExchange ex) {
        return ex.getRequestHeaders().getFirst("Authorization").substring("Bearer ".length()).trim();
    }

    private static Reply error(Fail f, Map<String, String> headers) {
        Map<String, Object> err = new LinkedHashMap<>();
        err.put("code", f.code);
        err.put("message", f.getMessage());
        if (f.inner != null) {
            err.put("innererror", Map.of("code", f.inner));
        }
        return new Reply(f.status, Map.of("error", err), headers);
    }

    private static void send(HttpExchange ex, Reply reply) throws IOException {
        byte[] out = JSON.writeValueAsBytes(reply.body);
        ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        ex.getResponseHeaders().set("x-ms-request-id", UUID.randomUUID().toString());
        reply.headers.forEach((k, v) -> ex.getResponseHeaders().set(k, v));
        ex.sendResponseHeaders(reply.status, out.length);
        ex.getResponseBody().write(out);
    }

    private Reply route(String method, String path, JsonNode body, String token) {
        String[] p = path.replaceAll("/+$", "").split("/");
        // p[0] = "", p[1] = "keys", p[2] = name, p[3] = version | versions | create | rotate, p[4] = operation
        if (p.length < 3 || !"keys".equals(p[1])) {
            throw new Fail(404, "NotFound", "No route for " + method + " " + path, null);
        }
        String name = p[2];
        if (p.length == 3) {
            return switch (method) {
                case "GET" -> {
                    served("get", token);
                    yield Reply.ok(bundle(name, usable(name, existing(name).get(existing(name).size() - 1), "get")));
                }
                case "DELETE" -> {
                    served("delete", token);
                    List<Version> vs = existing(name);
                    keys.remove(name);
                    yield Reply.ok(bundle(name, vs.get(vs.size() - 1)));
                }
                default -> throw new Fail(405, "BadRequest", "Method not allowed", null);
            };
        }
        String third = p[3];
        if (p.length == 4 && "GET".equals(method) && "versions".equals(third)) {
            served("versions", token);
            ArrayNode value = JSON.createArrayNode();
            for (Version v : existing(name)) {
                ObjectNode item = value.addObject();
                item.put("kid", keyId(name, v.id));
                item.set("attributes", attributes(v));
            }
            ObjectNode page = JSON.createObjectNode();
            page.set("value", value);
            page.putNull("nextLink");
            return Reply.ok(page);
        }
        if (p.length == 4 && "POST".equals(method) && "create".equals(third)) {
            served("create", token);
            List<String> ops = new ArrayList<>();
            body.path("key_ops").forEach(o -> ops.add(o.asText()));
            String kty = body.path("kty").asText(RSA);
            String v = createKey(name, kty, ops.isEmpty() ? ALL_OPS : ops);
            return Reply.ok(bundle(name, find(name, v)));
        }
        if (p.length == 4 && "POST".equals(method) && "rotate".equals(third)) {
            served("rotate", token);
            existing(name);
            return Reply.ok(bundle(name, find(name, rotate(name))));
        }
        Version v = findOrNull(name, third);
        if (v == null) {
            // A request naming a version the key does not have is still a request: count it.
            if (p.length == 4 && "GET".equals(method)) {
                served("get", token);
            } else if (p.length == 5 && "POST".equals(method)) {
                served(p[4], token);
            }
            existing(name);
            throw new Fail(404, "KeyNotFound", "A key with (name/id) " + name + "/" + third
                    + " was not found in this key vault.", null);
        }
        if (p.length == 4) {
            return switch (method) {
                case "GET" -> {
                    served("get", token);
                    yield Reply.ok(bundle(name, usable(name, v, "get")));
                }
                case "PATCH" -> {
                    served("update", token);
                    if (body.path("attributes").has("enabled")) {
                        v.enabled = body.path("attributes").path("enabled").asBoolean();
                    }
                    if (body.has("key_ops")) {
                        List<String> ops = new ArrayList<>();
                        body.path("key_ops").forEach(o -> ops.add(o.asText()));
                        v.ops = List.copyOf(ops);
                    }
                    yield Reply.ok(bundle(name, v));
                }
                default -> throw new Fail(405, "BadRequest", "Method not allowed", null);
            };
        }
        String op = p[4];
        if (!"POST".equals(method)) {
            throw new Fail(405, "BadRequest", "Method not allowed", null);
        }
        served(op, token);
        String keyOp = switch (op) {
            case "wrapkey" -> "wrapKey";
            case "unwrapkey" -> "unwrapKey";
            case "encrypt", "decrypt" -> op;
            default -> throw new Fail(404, "NotFound", "Unknown operation " + op, null);
        };
        usable(name, v, keyOp);
        if (!v.ops.contains(keyOp)) {
            throw new Fail(403, "Forbidden", "Operation " + keyOp + " is not permitted on this key.", null);
        }
        String alg = body.path("alg").asText();
        byte[] value = B64D.decode(body.path("value").asText());
        boolean forward = "wrapkey".equals(op) || "encrypt".equals(op);
        byte[] result = crypt(v, alg, forward, value);
        // the double sees every DEK in the clear: no test log line may ever contain one
        LeakSecrets.secretBytes("DEK seen by the Key Vault double", forward ? value : result);
        return Reply.ok(Map.of("kid", keyId(name, v.id), "value", B64.encodeToString(result)));
    }

    private byte[] crypt(Version v, String alg, boolean forward, byte[] in) {
        try {
            Cipher c;
            java.security.Key key;
            switch (alg) {
                case "RSA-OAEP-256", "RSA-OAEP", "RSA1_5" -> {
                    if (v.rsa == null) {
                        throw new Fail(400, "BadParameter", "Algorithm " + alg + " needs an RSA key.", null);
                    }
                    c = Cipher.getInstance("RSA1_5".equals(alg) ? "RSA/ECB/PKCS1Padding" : "RSA/ECB/OAEPPadding");
                    key = forward ? v.rsa.getPublic() : v.rsa.getPrivate();
                    int mode = forward ? Cipher.ENCRYPT_MODE : Cipher.DECRYPT_MODE;
                    if ("RSA-OAEP-256".equals(alg)) {
                        c.init(mode, key, OAEP_256);
                    } else if ("RSA-OAEP".equals(alg)) {
                        c.init(mode, key, OAEPParameterSpec.DEFAULT);
                    } else {
                        c.init(mode, key);
                    }
                    return c.doFinal(in);
                }
                case "A256KW" -> {
                    if (v.aes == null) {
                        throw new Fail(400, "BadParameter", "Algorithm A256KW needs an oct key.", null);
                    }
                    c = Cipher.getInstance("AESWrap");
                    if (forward) {
                        c.init(Cipher.WRAP_MODE, v.aes);
                        return c.wrap(new SecretKeySpec(in, "AES"));
                    }
                    c.init(Cipher.UNWRAP_MODE, v.aes);
                    return c.unwrap(in, "AES", Cipher.SECRET_KEY).getEncoded();
                }
                default -> throw new Fail(400, "BadParameter", "Unsupported algorithm " + alg, null);
            }
        } catch (GeneralSecurityException e) {
            throw new Fail(400, "BadParameter", "The parameter is incorrect: the value could not be "
                    + (forward ? "encrypted" : "decrypted") + " with this key.", null);
        }
    }

    private List<Version> existing(String name) {
        List<Version> vs = keys.get(name);
        if (vs == null || vs.isEmpty()) {
            throw new Fail(404, "KeyNotFound", "A key with (name/id) " + name + " was not found in this key vault.",
                    null);
        }
        return vs;
    }

    private static Version usable(String name, Version v, String op) {
        if (!v.enabled) {
            throw new Fail(403, "Forbidden", "Operation " + op + " is not allowed on a disabled key.", "KeyDisabled");
        }
        return v;
    }

    private void served(String op, String token) {
        counts.computeIfAbsent(op, o -> new AtomicInteger()).incrementAndGet();
        List<String> granted = grants.get(token);
        String permission = permission(op);
        if (granted != null && !granted.contains(permission)) {
            // Key Vault's RBAC refusal (an access-policy vault answers the same status and code)
            throw new Fail(403, "Forbidden", "Caller is not authorized to perform action on resource. Action: "
                    + "key permission '" + permission + "'.", "ForbiddenByRbac");
        }
    }

    /** The access-policy key permission an operation needs. */
    private static String permission(String op) {
        return switch (op) {
            case "versions" -> "list";
            case "wrapkey" -> "wrapKey";
            case "unwrapkey" -> "unwrapKey";
            default -> op;
        };
    }

    private ObjectNode bundle(String name, Version v) {
        ObjectNode b = JSON.createObjectNode();
        ObjectNode k = b.putObject("key");
        k.put("kid", keyId(name, v.id));
        k.put("kty", v.kty);
        ArrayNode ops = k.putArray("key_ops");
        v.ops.forEach(ops::add);
        if (v.rsa != null) {
            RSAPublicKey pub = (RSAPublicKey) v.rsa.getPublic();
            k.put("n", B64.encodeToString(unsigned(pub.getModulus())));
            k.put("e", B64.encodeToString(unsigned(pub.getPublicExponent())));
        }
        b.set("attributes", attributes(v));
        b.putObject("tags");
        return b;
    }

    private static ObjectNode attributes(Version v) {
        ObjectNode a = JSON.createObjectNode();
        a.put("enabled", v.enabled);
        a.put("created", v.created);
        a.put("updated", v.created);
        a.put("recoveryLevel", "Recoverable+Purgeable");
        a.put("recoverableDays", 90);
        return a;
    }

    private static byte[] unsigned(BigInteger i) {
        byte[] b = i.toByteArray();
        return b[0] == 0 && b.length > 1 ? java.util.Arrays.copyOfRange(b, 1, b.length) : b;
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Runs the double on its own: prints the vault URL, the CA file and the ids of an RSA key
     * ({@code demo-rsa}) and an oct-HSM key ({@code demo-oct}), or of the key names given as
     * arguments (RSA), then serves until killed.
     */
    public static void main(String[] args) throws InterruptedException {
        KeyVaultDouble kv = new KeyVaultDouble();
        System.out.println("vault.url=" + kv.vaultUrl());
        System.out.println("azure.tls.ca.file=" + kv.caPemFile());
        if (args.length == 0) {
            kv.createRsaKey("demo-rsa");
            kv.createOctHsmKey("demo-oct");
            System.out.println("kek.id=" + kv.keyId("demo-rsa"));
            System.out.println("kek.id.oct=" + kv.keyId("demo-oct"));
        } else {
            for (String name : args) {
                kv.createRsaKey(name);
                System.out.println("kek.id=" + kv.keyId(name));
            }
        }
        System.out.println("azure.credential=emulator");
        System.out.flush();
        Thread.currentThread().join();
    }
}
