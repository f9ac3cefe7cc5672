package dev.fieldseal.streams.inspect;

import dev.fieldseal.field.FieldPath;
import dev.fieldseal.registry.RegistryAvro;
import dev.fieldseal.registry.RegistryConfig;
import dev.fieldseal.streams.AppSettings;
import dev.fieldseal.streams.Route;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.utils.Time;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code fieldseal inspect}: which key versions do these topics still need? Reads headers and
 * envelopes of every record, never decrypts and never talks to Key Vault (no key provider is
 * created). Exit codes: {@value #EXIT_OK} ok, {@value #EXIT_ERROR} the scan failed,
 * {@value #EXIT_CONFIG} configuration error, {@value #EXIT_VERSION_NEEDED} a record still needs a
 * {@code --fail-if-version} version, {@value #EXIT_UNPROVEN} plaintext at an expected-sealed path,
 * malformed envelopes, header/envelope mismatches or unreadable records (and no gated version).
 */
@Command(name = "inspect", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Scans topics and reports which key ids and versions their record keys and values still "
                + "need, without decrypting and without any Key Vault call.",
            "Exit codes: 0 ok; 1 the scan failed (e.g. the broker is unreachable); 2 configuration error; "
                + "3 a record still needs a --fail-if-version version; 4 plaintext at an --expect-sealed path, "
                + "malformed envelopes, header/envelope mismatches or unreadable records."})
public final class InspectCommand implements Callable<Integer> {

    public static final int EXIT_OK = 0;
    public static final int EXIT_ERROR = 1;
    public static final int EXIT_CONFIG = 2;
    public static final int EXIT_VERSION_NEEDED = 3;
    public static final int EXIT_UNPROVEN = 4;

    @Option(names = "--bootstrap-server", paramLabel = "HOST:PORT",
            description = "Kafka bootstrap servers (overrides bootstrap.servers of --command-config / --config).")
    String bootstrapServer;

    @Option(names = "--command-config", paramLabel = "FILE",
            description = "Kafka client properties (security.protocol, sasl.*, ssl.*, ...).")
    Path commandConfig;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "The Streams app's properties file: its client settings are used, and its routes give the "
                    + "value format (and Avro schema) of their input topics unless --value-format is given.")
    Path config;

    @Option(names = "--topic", required = true, paramLabel = "TOPIC", description = "A topic to scan (repeatable).")
    List<String> topics;

    @Option(names = "--from-time", paramLabel = "ISO-8601",
            description = "Start at the first record at or after this time (e.g. 2026-01-31T00:00:00Z); default: earliest.")
    String fromTime;

    @Option(names = "--to-time", paramLabel = "ISO-8601",
            description = "Stop before the first record at or after this time; default: the end offsets taken at start.")
    String toTime;

    @Option(names = "--key-format", paramLabel = "FORMAT", defaultValue = "auto",
            description = "How record keys are read: auto, json, avro, string, avro-confluent, json-confluent "
                    + "(default: ${DEFAULT-VALUE}).")
    String keyFormat;

    @Option(names = "--value-format", paramLabel = "FORMAT",
            description = "How record values are read: auto, json, avro, string, avro-confluent (writer schemas by "
                    + "id from schema.registry.url in --config or --command-config), json-confluent (default: the "
                    + "route's format with --config, else auto).")
    String valueFormat;

    @Option(names = "--key-avro-schema", paramLabel = "FILE",
            description = "Avro schema (.avsc) of the keys: plain binary, or single-object encoding (C3 01 prefix).")
    Path keyAvroSchema;

    @Option(names = "--value-avro-schema", paramLabel = "FILE",
            description = "Avro schema (.avsc) of the values: plain binary, or single-object encoding (C3 01 prefix).")
    Path valueAvroSchema;

    @Option(names = "--expect-sealed", paramLabel = "PATH",
            description = "A value field path that must be sealed (repeatable): present, non-null values there that "
                    + "are not envelopes are counted as plaintext. $value means the whole value.")
    List<String> expectSealed = new ArrayList<>();

    @Option(names = "--fail-if-version", paramLabel = "VERSION",
            description = "Exit 3 if any record still needs this key version (repeatable): a version, or "
                    + "<key id>/<version>.")
    List<String> failIfVersion = new ArrayList<>();

    @Option(names = "--output", paramLabel = "FORMAT", defaultValue = "table",
            description = "table or json (default: ${DEFAULT-VALUE}).")
    String output;

    @Option(names = "--progress-interval", paramLabel = "SECONDS", defaultValue = "5",
            description = "Print a progress line on stderr this often; 0: never (default: ${DEFAULT-VALUE}).")
    int progressInterval;

    @Option(names = "--max-distinct-deks", paramLabel = "N", defaultValue = "100000",
            description = "Distinct DEKs counted exactly per topic and in total (10,000 per partition at most); "
                    + "past it the report says 'at least' (default: ${DEFAULT-VALUE}).")
    int maxDistinctDeks;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private Time time = Time.SYSTEM;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Setup setup;
        try {
            setup = setup();
        } catch (IllegalArgumentException | ConfigException e) {
            err.println("Configuration error: " + e.getMessage());
            err.flush();
            return EXIT_CONFIG;
        }
        ScanResult result;
        try {
            TopicScanner scanner = new TopicScanner(setup.client, setup.gate, maxDistinctDeks,
                    Duration.ofSeconds(progressInterval), err, time);
            result = scanner.scan(setup.formats, setup.from, setup.to);
        } catch (InspectException e) {
            err.println((e.exitCode() == EXIT_CONFIG ? "Configuration error: " : "Inspect failed: ") + e.getMessage());
            err.flush();
            return e.exitCode();
        } catch (KafkaException e) {
            err.println("Inspect failed: " + e);
            err.flush();
            return EXIT_ERROR;
        }
        int code = exitCode(result);
        if (setup.json) {
            InspectReport.json(result, code, out);
        } else {
            InspectReport.table(result, code, out);
        }
        return code;
    }

    static int exitCode(ScanResult r) {
        if (r.total().gatedRecords > 0) {
            return EXIT_VERSION_NEEDED;
        }
        return r.total().unproven() ? EXIT_UNPROVEN : EXIT_OK;
    }

    private record Setup(Map<String, Object> client, Map<String, TopicScanner.TopicFormat> formats, VersionGate gate,
            Instant from, Instant to, boolean json) {
    }

    private Setup setup() {
        if (!output.equals("table") && !output.equals("json")) {
            throw new IllegalArgumentException("--output '" + output + "': use table or json");
        }
        if (progressInterval < 0 || maxDistinctDeks < 1) {
            throw new IllegalArgumentException("--progress-interval must be >= 0 and --max-distinct-deks >= 1");
        }
        Map<String, Object> client = new HashMap<>();
        Map<String, Route> routeOf = new HashMap<>();
        if (config != null) {
            AppSettings app = AppSettings.load(config);
            client.putAll(app.streamsProps());
            for (Route r : app.routes()) {
                r.topics().forEach(t -> routeOf.putIfAbsent(t, r));
            }
        }
        if (commandConfig != null) {
            client.putAll(properties(commandConfig));
        }
        if (bootstrapServer != null) {
            client.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServer);
        }
        if (client.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG) == null) {
            throw new IllegalArgumentException("give --bootstrap-server, or bootstrap.servers in --command-config or --config");
        }
        List<FieldPath> expect = FieldPath.parseAll(expectSealed);
        Format kf = Format.parse(keyFormat);
        Schema ks = schema(keyAvroSchema, "--key-avro-schema");
        Schema vs = schema(valueAvroSchema, "--value-avro-schema");
        Map<String, TopicScanner.TopicFormat> formats = new LinkedHashMap<>();
        RegistryAvro[] registry = new RegistryAvro[1]; // made only if a side is avro-confluent
        java.util.function.Function<Format, RegistryAvro> registryFor = f -> {
            if (f != Format.AVRO_CONFLUENT) {
                return null;
            }
            if (registry[0] == null) {
                if (client.get(RegistryConfig.URL) == null) {
                    throw new IllegalArgumentException("format avro-confluent needs " + RegistryConfig.URL
                            + " (in --config or --command-config)");
                }
                registry[0] = RegistryAvro.of(new RegistryConfig(client), false);
            }
            return registry[0];
        };
        for (String t : topics) {
            Format vf;
            Schema tvs = vs;
            Route r = routeOf.get(t);
            if (valueFormat != null) {
                vf = Format.parse(valueFormat);
            } else if (r != null) {
                vf = r.avro() ? Format.AVRO : r.registryAvro() ? Format.AVRO_CONFLUENT
                        : r.registryJson() ? Format.JSON_CONFLUENT : Format.JSON;
                tvs = vs != null ? vs : r.inputSchema();
            } else {
                vf = Format.AUTO;
            }
            formats.put(t, new TopicScanner.TopicFormat(new SideReader(kf, ks, List.of(), registryFor.apply(kf)),
                    new SideReader(vf, tvs, expect, registryFor.apply(vf))));
        }
        Instant from = instant(fromTime, "--from-time");
        Instant to = instant(toTime, "--to-time");
        if (from != null && to != null && !from.isBefore(to)) {
            throw new IllegalArgumentException("--from-time must be before --to-time");
        }
        return new Setup(client, formats, new VersionGate(failIfVersion), from, to, output.equals("json"));
    }

    private static Map<String, Object> properties(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage());
        }
        Map<String, Object> m = new HashMap<>();
        p.stringPropertyNames().forEach(k -> m.put(k, p.getProperty(k).trim()));
        return m;
    }

    private static Schema schema(Path file, String option) {
        if (file == null) {
            return null;
        }
        try {
            return new Schema.Parser().parse(file.toFile());
        } catch (IOException | SchemaParseException e) {
            throw new IllegalArgumentException(option + " " + file + ": " + e.getMessage());
        }
    }

    static Instant instant(String text, String option) {
        if (text == null) {
            return null;
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException notInstant) {
            try {
                return OffsetDateTime.parse(text).toInstant();
            } catch (DateTimeParseException notOffset) {
                try {
                    return LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant();
                } catch (DateTimeParseException e) {
                    throw new IllegalArgumentException(option + " '" + text + "': give an ISO-8601 time such as "
                            + "2026-01-31T00:00:00Z, 2026-01-31T01:00:00+01:00 or a date 2026-01-31 (UTC)");
                }
            }
        }
    }
}
