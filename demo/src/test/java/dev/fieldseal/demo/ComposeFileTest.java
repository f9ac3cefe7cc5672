package dev.fieldseal.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.fieldseal.config.FieldsealConfig;
import dev.fieldseal.connect.EncryptFields;
import dev.fieldseal.streams.AppSettings;
import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.transforms.Transformation;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * No Docker engine runs where the tests run, so this reads {@code docker/compose.yaml}, the Dockerfiles
 * and the files they use, and checks that they fit together: images and versions, ports and listeners,
 * the plugin directory on {@code plugin.path}, connector and Streams configs accepted by our
 * {@code ConfigDef}s, the key id, certificate and topics every service agrees on, and every file a
 * service, a Dockerfile or the build context needs.
 */
class ComposeFileTest {

    private static final String ENCRYPT_VALUE = "dev.fieldseal.connect.EncryptFields$Value";
    private static final String CERT_VOLUME = "keyvault-certs";

    private static Path root;
    private static Path docker;
    private static JsonNode compose;
    private static JsonNode services;
    private static String kafkaVersion;
    private static String projectVersion;

    @BeforeAll
    static void read() throws IOException {
        root = Path.of("").toAbsolutePath();
        while (!Files.exists(root.resolve("docker/compose.yaml"))) {
            root = root.getParent();
            assertNotNull(root, "docker/compose.yaml not found above the working directory");
        }
        docker = root.resolve("docker");
        compose = new YAMLMapper().readTree(docker.resolve("compose.yaml").toFile());
        services = compose.path("services");
        String pom = Files.readString(root.resolve("pom.xml"));
        kafkaVersion = xmlValue(pom, "kafka.version");
        projectVersion = xmlValue(pom, "version");
    }

    // ------------------------------------------------------------------ services, images, ports

    @Test
    void everyServiceOfThePipelineIsThere() {
        for (String s : List.of("kafka", "keyvault", "keyvault-init", "kafka-init", "connect", "connector-init",
                "streams-app")) {
            assertTrue(services.has(s), "service " + s);
        }
        services.fields().forEachRemaining(e -> assertTrue(e.getValue().has("image") || e.getValue().has("build"),
                e.getKey() + " needs an image or a build"));
    }

    @Test
    void kafkaIsTheBuildsVersionInKraftModeWithListenersForContainersAndHost() {
        JsonNode kafka = services.path("kafka");
        assertEquals("apache/kafka:" + kafkaVersion, kafka.path("image").asText(),
                "the broker runs the Kafka version the plugin and the Streams app are built against");
        assertEquals("apache/kafka:" + kafkaVersion, services.path("kafka-init").path("image").asText());

        Map<String, String> env = env(kafka);
        String nodeId = env.get("KAFKA_NODE_ID");
        assertNotNull(nodeId, "KAFKA_NODE_ID");
        assertEquals(Set.of("broker", "controller"), Set.of(env.get("KAFKA_PROCESS_ROLES").split(",")));
        String voters = env.get("KAFKA_CONTROLLER_QUORUM_VOTERS");
        assertEquals(nodeId + "@kafka:9093", voters, "the single voter is this node's controller listener");
        Map<String, String> listeners = listenerMap(env.get("KAFKA_LISTENERS"));
        Map<String, String> advertised = listenerMap(env.get("KAFKA_ADVERTISED_LISTENERS"));
        assertEquals(":9093", listeners.get(env.get("KAFKA_CONTROLLER_LISTENER_NAMES")));
        assertEquals("kafka:9092", advertised.get(env.get("KAFKA_INTER_BROKER_LISTENER_NAME")),
                "containers reach the broker as kafka:9092");
        assertTrue(advertised.containsValue("localhost:29092"), "the host reaches it as localhost:29092");
        assertTrue(listeners.containsValue(":29092") && listeners.containsValue(":9092"), listeners.toString());
        for (String name : listeners.keySet()) {
            assertTrue(env.get("KAFKA_LISTENER_SECURITY_PROTOCOL_MAP").contains(name + ":"), "protocol of " + name);
        }
        for (String rf : List.of("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR",
                "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR")) {
            assertEquals("1", env.get(rf), rf + " on a single broker");
        }
        assertTrue(publishedPorts(kafka).contains(29092), "29092 published");
        assertTrue(kafka.path("healthcheck").has("test"), "kafka has a healthcheck");
    }

    @Test
    void publishedPorts() {
        assertTrue(publishedPorts(services.path("connect")).contains(8083), "Connect REST");
        assertTrue(publishedPorts(services.path("keyvault")).contains(8443), "Key Vault emulator");
        assertTrue(publishedPorts(services.path("streams-app")).contains(8080), "Streams app /health");
        assertEquals("8080", streamsProperties().getProperty("fieldseal.http.port"),
                "the Streams app serves /health on the published port");
    }

    @Test
    void keyVaultEmulatorIsLowkeyVaultReachableByTheNameInItsCertificate() {
        JsonNode kv = services.path("keyvault");
        assertTrue(kv.path("image").asText().matches("nagyesta/lowkey-vault:\\d+\\.\\d+\\.\\d+"),
                "a pinned lowkey-vault release: " + kv.path("image").asText());
        URI vault = URI.create(kekId());
        assertEquals("https", vault.getScheme());
        assertEquals(8443, vault.getPort());
        // lowkey-vault's built-in certificate names lowkey-vault, *.lowkey-vault, localhost, 127.0.0.1.
        assertEquals("lowkey-vault", vault.getHost(), "a host name the emulator's certificate is issued for");
        assertTrue(texts(kv.path("networks").path("default").path("aliases")).contains(vault.getHost()),
                "the keyvault service answers to " + vault.getHost());
        String args = env(kv).get("LOWKEY_ARGS");
        assertTrue(args.contains("--LOWKEY_VAULT_ALIASES=localhost=" + vault.getHost() + ":" + vault.getPort()),
                "requests to " + vault.getAuthority() + " select the vault registered for localhost: " + args);

        Map<String, String> init = env(services.path("keyvault-init"));
        assertEquals(vault.getScheme() + "://" + vault.getAuthority(), init.get("VAULT_URL"));
        assertEquals(vault.getPath(), "/keys/" + init.get("KEY_NAME"), "keyvault-init creates the configured key");
    }

    // ------------------------------------------------------------------ images built from the build's artifacts

    @Test
    void connectImageCopiesThePluginDirectoryTheBuildProducesOntoPluginPath() throws IOException {
        JsonNode connect = services.path("connect");
        Path dockerfile = buildDockerfile(connect);
        assertEquals(docker.resolve("connect.Dockerfile"), dockerfile);
        Dockerfile df = Dockerfile.read(dockerfile);
        assertEquals("apache/kafka:" + kafkaVersion, df.from(), "the worker runs the Kafka version of the build");

        String pluginDest = df.copyDestination("smt/target/plugin/fieldseal-smt");
        String propsDest = df.copyDestination("docker/connect/connect-distributed.properties");
        assertTrue(df.cmd().contains(propsDest), "the worker starts with the copied properties: " + df.cmd());
        assertTrue(df.cmd().contains("connect-distributed.sh"), df.cmd());

        Properties worker = load(docker.resolve("connect/connect-distributed.properties"));
        List<String> pluginPath = Arrays.stream(worker.getProperty("plugin.path").split(",")).map(String::trim).toList();
        String parent = pluginDest.substring(0, pluginDest.lastIndexOf('/'));
        assertTrue(pluginPath.contains(parent) || pluginPath.contains(pluginDest),
                "plugin.path " + pluginPath + " covers " + pluginDest);
        assertTrue(pluginPath.contains("/opt/kafka/libs/connect-file-" + kafkaVersion + ".jar"),
                "the FileStream connector (not on the worker's class path since Kafka 3.2) is on plugin.path");
        assertEquals("kafka:9092", worker.getProperty("bootstrap.servers"));
        assertTrue(worker.getProperty("listeners").endsWith(":8083"));

        // The source is the assembly the smt module writes at package time.
        String smtPom = Files.readString(root.resolve("smt/pom.xml"));
        assertTrue(smtPom.contains("<finalName>fieldseal-smt</finalName>")
                && smtPom.contains("<outputDirectory>${project.build.directory}/plugin</outputDirectory>"),
                "smt/pom.xml assembles target/plugin/fieldseal-smt");
        Path built = root.resolve("smt/target/plugin/fieldseal-smt/lib");
        if (Files.isDirectory(built)) {
            try (var jars = Files.list(built)) {
                assertTrue(jars.anyMatch(j -> j.getFileName().toString().startsWith("fieldseal-smt-")),
                        "the built plugin directory holds the fieldseal-smt jar");
            }
        }
    }

    @Test
    void streamsImageCopiesTheShadedJarOfThisVersion() throws IOException {
        JsonNode app = services.path("streams-app");
        Path dockerfile = buildDockerfile(app);
        assertEquals(docker.resolve("streams-app.Dockerfile"), dockerfile);
        Dockerfile df = Dockerfile.read(dockerfile);
        assertEquals(projectVersion, df.args().get("VERSION"), "the Dockerfile's default VERSION is the project's");
        String jar = "streams-app/target/fieldseal-streams-" + projectVersion + ".jar";
        assertNotNull(df.copyDestination(jar), "copies " + jar);
        assertTrue(Files.readString(root.resolve("streams-app/pom.xml"))
                .contains("<artifactId>fieldseal-streams</artifactId>"), "the jar is named after the streams artifact");
        assertTrue(df.cmd().contains("/config/app.properties"), df.cmd());
        assertTrue(mountTargets(app).containsKey("/config/app.properties"), "app.properties is mounted where the image reads it");
    }

    @Test
    void everyCopySourceExistsOrIsBuiltAndIsInTheBuildContext() throws IOException {
        List<String> ignore = Files.readAllLines(root.resolve(".dockerignore")).stream().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        assertEquals("*", ignore.get(0), ".dockerignore starts from nothing and lists what the images copy");
        List<String> kept = ignore.stream().filter(l -> l.startsWith("!")).map(l -> l.substring(1)).toList();
        for (String svc : List.of("connect", "streams-app")) {
            JsonNode build = services.path(svc).path("build");
            assertEquals(root, docker.resolve(build.path("context").asText()).normalize(), svc + " builds from the repository root");
            Dockerfile df = Dockerfile.read(buildDockerfile(services.path(svc)));
            for (String src : df.copySources()) {
                assertTrue(kept.stream().anyMatch(k -> globPrefix(src, k)), src + " is kept by .dockerignore " + kept);
                if (src.contains("/target/")) {
                    // Produced by mvn package: its module must exist (the build writes the rest).
                    String module = src.substring(0, src.indexOf("/target/"));
                    assertTrue(Files.isRegularFile(root.resolve(module).resolve("pom.xml")), src + ": module " + module);
                } else {
                    assertTrue(Files.exists(root.resolve(src)), src + " exists in the repository");
                }
            }
        }
    }

    // ------------------------------------------------------------------ the connector

    @Test
    void connectorConfigUsesEncryptFieldsWithKeysOurConfigDefKnows() throws Exception {
        Map<String, String> config = connectorConfig();
        assertEquals("org.apache.kafka.connect.file.FileStreamSourceConnector", config.get("connector.class"),
                "a source that ships with the Kafka image");
        List<String> aliases = Arrays.stream(config.get("transforms").split(",")).map(String::trim).toList();
        String seal = null;
        for (String alias : aliases) {
            String prefix = "transforms." + alias + ".";
            String type = config.get(prefix + "type");
            assertNotNull(type, prefix + "type");
            Map<String, String> own = new HashMap<>();
            config.forEach((k, v) -> {
                if (k.startsWith(prefix) && !k.equals(prefix + "type")) {
                    own.put(k.substring(prefix.length()), v);
                }
            });
            if (ENCRYPT_VALUE.equals(type)) {
                seal = alias;
                assertTrue(FieldsealConfig.CONFIG_DEF.names().containsAll(own.keySet()),
                        "unknown fieldseal keys " + minus(own.keySet(), FieldsealConfig.CONFIG_DEF.names()));
            }
            // Every transform, ours and Kafka's: keys its ConfigDef knows, values it accepts.
            Transformation<?> t = (Transformation<?>) Class.forName(type).getDeclaredConstructor().newInstance();
            ConfigDef def = t.config();
            assertTrue(def.names().containsAll(own.keySet()),
                    alias + " (" + type + "): unknown keys " + minus(own.keySet(), def.names()));
            for (ConfigValue v : def.validate(own)) {
                assertTrue(v.errorMessages().isEmpty(), alias + "." + v.name() + ": " + v.errorMessages());
            }
        }
        assertNotNull(seal, "the connector seals with " + ENCRYPT_VALUE);
        assertTrue(new EncryptFields.Value<>().config().names().contains(FieldsealConfig.KEK_ID));
        String p = "transforms." + seal + ".";
        assertEquals(kekId(), config.get(p + "kek.id"), "Connect and the Streams app use the same key");
        assertEquals("emulator", config.get(p + "azure.credential"));
        // The last transform must be the sealing one: nothing after it may see plaintext or re-shape it.
        assertEquals(seal, aliases.get(aliases.size() - 1));
        assertTrue(topicsCreated().contains(config.get("topic")), "kafka-init creates " + config.get("topic"));
        // The source file is mounted where the connector reads it.
        Path file = hostPathOf(services.path("connect"), config.get("file"));
        assertTrue(Files.isRegularFile(file), "the connector's input file " + file);
    }

    @Test
    void connectorIsRegisteredAfterConnectIsHealthy() {
        JsonNode init = services.path("connector-init");
        assertEquals("service_healthy", init.path("depends_on").path("connect").path("condition").asText());
        assertTrue(services.path("connect").path("healthcheck").path("test").toString().contains("EncryptFields"),
                "Connect is healthy once the fieldseal plugin is listed");
        assertTrue(mountTargets(init).containsKey("/connectors"), "the connector configs are mounted");
        assertEquals("http://connect:8083", env(init).get("CONNECT_URL"));
    }

    // ------------------------------------------------------------------ the Streams app

    @Test
    void streamsPropertiesAreAcceptedByTheApp() {
        AppSettings settings = AppSettings.load(docker.resolve("streams-app/app.properties"));
        assertEquals("encrypt", settings.mode());
        assertFalse(settings.routes().isEmpty());
        FieldsealConfig f = settings.fieldseal();
        assertEquals("emulator", f.getString(FieldsealConfig.AZURE_CREDENTIAL));
        assertEquals("kafka:9092", settings.streamsProps().get("bootstrap.servers"));
        Properties p = streamsProperties();
        for (String topic : List.of(p.getProperty("fieldseal.route.customers.input"),
                p.getProperty("fieldseal.route.customers.output"), p.getProperty("fieldseal.dlq.topic"))) {
            assertTrue(topicsCreated().contains(topic), "kafka-init creates " + topic + " (the app creates none)");
        }
    }

    // ------------------------------------------------------------------ certificate, files, start-up order

    @Test
    void theEmulatorsCertificateIsWhereConnectAndStreamsReadIt() throws Exception {
        String caFile = env(services.path("keyvault-init")).get("CA_FILE");
        assertEquals(caFile, connectorConfig().get("transforms.seal.azure.tls.ca.file"));
        assertEquals(caFile, streamsProperties().getProperty("fieldseal.azure.tls.ca.file"));
        assertTrue(compose.path("volumes").has(CERT_VOLUME), "named volume " + CERT_VOLUME);
        for (String svc : List.of("keyvault-init", "connect", "streams-app")) {
            String dir = mountTargets(services.path(svc)).entrySet().stream()
                    .filter(e -> e.getValue().startsWith(CERT_VOLUME + ":") || e.getValue().equals(CERT_VOLUME))
                    .map(Map.Entry::getKey).findFirst().orElse(null);
            assertNotNull(dir, svc + " mounts " + CERT_VOLUME);
            assertTrue(caFile.startsWith(dir + "/"), svc + " sees " + caFile + " under " + dir);
        }
    }

    @Test
    void everyMountedFileExists() {
        services.fields().forEachRemaining(e -> {
            for (JsonNode v : e.getValue().path("volumes")) {
                String src = v.asText().split(":")[0];
                if (src.startsWith(".")) {
                    assertTrue(Files.exists(docker.resolve(src)), e.getKey() + " mounts " + src);
                } else {
                    assertTrue(compose.path("volumes").has(src), e.getKey() + ": named volume " + src + " is declared");
                }
            }
        });
        // One-shot services run scripts they mount.
        for (String svc : List.of("keyvault-init", "kafka-init", "connector-init")) {
            List<String> entry = texts(services.path(svc).path("entrypoint"));
            String script = entry.get(entry.size() - 1);
            assertTrue(mountTargets(services.path(svc)).containsKey(script)
                    || mountTargets(services.path(svc)).keySet().stream().anyMatch(t -> script.startsWith(t + "/")),
                    svc + " runs a mounted script " + script);
        }
    }

    @Test
    void startupOrderWaitsForHealthAndOneShotSetUp() {
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("connect/kafka", "service_healthy");
        expected.put("connect/keyvault-init", "service_completed_successfully");
        expected.put("kafka-init/kafka", "service_healthy");
        expected.put("streams-app/kafka-init", "service_completed_successfully");
        expected.put("streams-app/keyvault-init", "service_completed_successfully");
        expected.put("connector-init/kafka-init", "service_completed_successfully");
        expected.forEach((edge, condition) -> {
            String[] s = edge.split("/");
            assertEquals(condition, services.path(s[0]).path("depends_on").path(s[1]).path("condition").asText(), edge);
        });
        services.fields().forEachRemaining(e -> e.getValue().path("depends_on").fields().forEachRemaining(d -> {
            assertTrue(services.has(d.getKey()), e.getKey() + " depends on an existing service " + d.getKey());
            if ("service_healthy".equals(d.getValue().path("condition").asText())) {
                assertTrue(services.path(d.getKey()).path("healthcheck").has("test"), d.getKey() + " has a healthcheck");
            }
        }));
    }

    // ------------------------------------------------------------------ helpers

    private static String kekId() {
        return streamsProperties().getProperty("fieldseal.kek.id");
    }

    private static Properties streamsProperties() {
        try {
            return load(docker.resolve("streams-app/app.properties"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, String> connectorConfig() throws IOException {
        Map<String, String> config = new TreeMap<>();
        new ObjectMapper().readTree(docker.resolve("connectors/crm-ssn-source.json").toFile()).fields()
                .forEachRemaining(e -> config.put(e.getKey(), e.getValue().asText()));
        return config;
    }

    private static List<String> topicsCreated() {
        try {
            String script = Files.readString(docker.resolve("kafka/topics-init.sh"));
            Matcher m = Pattern.compile("for t in ([^;]+);").matcher(script);
            assertTrue(m.find(), "topics-init.sh lists its topics");
            return List.of(m.group(1).trim().split("\\s+"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Path buildDockerfile(JsonNode service) {
        JsonNode build = service.path("build");
        Path context = docker.resolve(build.path("context").asText()).normalize();
        Path dockerfile = context.resolve(build.path("dockerfile").asText()).normalize();
        assertTrue(Files.isRegularFile(dockerfile), "Dockerfile " + dockerfile);
        return dockerfile;
    }

    /** The host path behind a path inside a service's container (bind mounts only). */
    private static Path hostPathOf(JsonNode service, String containerPath) {
        for (Map.Entry<String, String> m : mountTargets(service).entrySet()) {
            String source = m.getValue().split(":")[0];
            if (source.startsWith(".") && (containerPath.equals(m.getKey()) || containerPath.startsWith(m.getKey() + "/"))) {
                return docker.resolve(source).resolve("./" + containerPath.substring(m.getKey().length())).normalize();
            }
        }
        fail(containerPath + " is not mounted from the repository");
        return null;
    }

    /** Container path → the whole short-syntax volume entry. */
    private static Map<String, String> mountTargets(JsonNode service) {
        Map<String, String> m = new LinkedHashMap<>();
        for (JsonNode v : service.path("volumes")) {
            String[] parts = v.asText().split(":");
            m.put(parts[1], v.asText());
        }
        return m;
    }

    private static Set<Integer> publishedPorts(JsonNode service) {
        return texts(service.path("ports")).stream().map(p -> Integer.parseInt(p.split(":")[0]))
                .collect(Collectors.toSet());
    }

    private static Map<String, String> env(JsonNode service) {
        Map<String, String> env = new LinkedHashMap<>();
        JsonNode e = service.path("environment");
        if (e.isArray()) {
            e.forEach(kv -> env.put(kv.asText().split("=", 2)[0], kv.asText().split("=", 2)[1]));
        } else {
            e.fields().forEachRemaining(kv -> env.put(kv.getKey(), kv.getValue().asText()));
        }
        return env;
    }

    /** {@code NAME://host:port,...} → name → host:port. */
    private static Map<String, String> listenerMap(String listeners) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String l : listeners.split(",")) {
            String[] p = l.trim().split("://", 2);
            m.put(p[0], p[1]);
        }
        return m;
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static Properties load(Path file) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        }
        return p;
    }

    private static Set<String> minus(Set<String> a, Set<String> b) {
        return a.stream().filter(x -> !b.contains(x)).collect(Collectors.toCollection(java.util.TreeSet::new));
    }

    /** Whether a .dockerignore exception (a path or a path with '*') keeps {@code src}. */
    private static boolean globPrefix(String src, String kept) {
        String k = kept.endsWith("/") ? kept.substring(0, kept.length() - 1) : kept;
        String s = src.endsWith("/") ? src.substring(0, src.length() - 1) : src;
        if (k.contains("*")) {
            return s.matches(Pattern.quote(k).replace("*", "\\E[^/]*\\Q"));
        }
        return s.equals(k) || s.startsWith(k + "/");
    }

    /** The first {@code <name>} element of the root pom outside the parent/dependency sections. */
    private static String xmlValue(String pom, String name) {
        String body = pom.replaceAll("(?s)<parent>.*?</parent>", "").replaceAll("(?s)<dependencies>.*</dependencies>", "")
                .replaceAll("(?s)<dependencyManagement>.*</dependencyManagement>", "");
        Matcher m = Pattern.compile("<" + Pattern.quote(name) + ">([^<]+)</" + Pattern.quote(name) + ">").matcher(body);
        assertTrue(m.find(), "pom.xml has <" + name + ">");
        return m.group(1).trim();
    }

    /** The few Dockerfile instructions these checks need (FROM, ARG defaults, COPY, CMD). */
    private record Dockerfile(String from, Map<String, String> args, List<String[]> copies, String cmd) {

        static Dockerfile read(Path file) throws IOException {
            String text = Files.readString(file).replaceAll("\\\\\\r?\\n", " ");
            Map<String, String> args = new HashMap<>();
            List<String[]> copies = new ArrayList<>();
            String from = null;
            String cmd = "";
            for (String raw : text.split("\\r?\\n")) {
                String line = raw.strip();
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                String[] w = line.split("\\s+");
                switch (w[0].toUpperCase()) {
                    case "ARG" -> {
                        String[] kv = w[1].split("=", 2);
                        args.put(kv[0], kv.length > 1 ? kv[1] : null);
                    }
                    case "FROM" -> from = substitute(w[1], args);
                    case "COPY" -> {
                        List<String> parts = Arrays.stream(w).skip(1).filter(x -> !x.startsWith("--"))
                                .map(x -> substitute(x, args)).toList();
                        for (String src : parts.subList(0, parts.size() - 1)) {
                            copies.add(new String[] {src, parts.get(parts.size() - 1)});
                        }
                    }
                    case "CMD", "ENTRYPOINT" -> cmd = cmd + " " + line.substring(w[0].length()).strip();
                    default -> { }
                }
            }
            return new Dockerfile(from, args, copies, cmd.strip());
        }

        private static String substitute(String s, Map<String, String> args) {
            for (Map.Entry<String, String> a : args.entrySet()) {
                if (a.getValue() != null) {
                    s = s.replace("${" + a.getKey() + "}", a.getValue()).replace("$" + a.getKey(), a.getValue());
                }
            }
            return s;
        }

        List<String> copySources() {
            return copies.stream().map(c -> c[0]).toList();
        }

        String copyDestination(String source) {
            for (String[] c : copies) {
                if (c[0].replaceAll("/$", "").equals(source)) {
                    return c[1].replaceAll("/$", "");
                }
            }
            fail("no COPY of " + source + " in " + copies.stream().map(c -> c[0]).toList());
            return null;
        }
    }
}
