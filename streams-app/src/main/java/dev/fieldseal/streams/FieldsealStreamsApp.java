package dev.fieldseal.streams;

import dev.fieldseal.dek.DeterministicDekTool;
import dev.fieldseal.streams.inspect.InspectCommand;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code fieldseal} command line (the runnable jar; see {@code docs/cli.md}):
 * <pre>
 * java -jar fieldseal-streams-&lt;version&gt;.jar run --config app.properties
 * java -jar fieldseal-streams-&lt;version&gt;.jar inspect --bootstrap-server host:9092 --topic t --fail-if-version 1
 * java -jar fieldseal-streams-&lt;version&gt;.jar deterministic-dek --config app.properties [--rewrap &lt;dek&gt;]
 * java -jar fieldseal-streams-&lt;version&gt;.jar --help | --version
 * java -jar fieldseal-streams-&lt;version&gt;.jar help [subcommand]
 * </pre>
 */
@Command(name = "fieldseal", mixinStandardHelpOptions = true, versionProvider = FieldsealStreamsApp.Version.class,
        description = "Encrypts, decrypts or re-keys fields of Kafka records with envelope encryption "
                + "(DEKs wrapped by Azure Key Vault keys) as a Kafka Streams service, and inspects which key "
                + "versions topics still need.",
        subcommands = {FieldsealStreamsApp.Run.class, InspectCommand.class, FieldsealStreamsApp.DeterministicDek.class,
                CommandLine.HelpCommand.class})
public final class FieldsealStreamsApp implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new FieldsealStreamsApp());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (ex instanceof ConfigException) {
                cmd.getErr().println("Configuration error: " + ex.getMessage());
                return 2;
            }
            throw ex;
        });
        return cl;
    }

    /**
     * Starts the app from a properties file: what {@code run} does before it waits for a signal.
     * Tests start it in-process this way.
     */
    public static StreamsService launch(Path config) {
        return StreamsService.start(AppSettings.load(config));
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = "Runs the Streams app until SIGTERM/SIGINT (then closes Kafka Streams within "
                    + "fieldseal.shutdown.timeout.ms and stops the HTTP endpoint).")
    static final class Run implements Callable<Integer> {

        @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE",
                description = "Properties file: Kafka Streams settings as is, fieldseal settings with the "
                        + "'fieldseal.' prefix (see docs/streams-app.md).")
        Path config;

        @Override
        public Integer call() throws InterruptedException {
            StreamsService svc = launch(config);
            Thread hook = new Thread(svc::close, "fieldseal-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            svc.awaitStopped();
            if (svc.failed()) {
                svc.close();
                return 1;
            }
            return 0;
        }
    }

    @Command(name = "deterministic-dek", mixinStandardHelpOptions = true,
            description = {"Creates a deterministic DEK wrapped by the newest version of the configured KEK and "
                    + "prints the 'deterministic.dek=...' line for the config (needed by deterministic.fields).",
                "With --rewrap, prints the given deterministic DEK wrapped by the newest version instead (after a "
                    + "rotation): the same DEK, so deterministic ciphertexts stay identical."})
    static final class DeterministicDek implements Callable<Integer> {

        @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE",
                description = "Properties file with fieldseal.kek.id and its provider settings.")
        Path config;

        @Option(names = "--rewrap", paramLabel = "DEK",
                description = "The current deterministic.dek value: print it re-wrapped by the newest version of "
                        + "kek.id (one unwrap with the version it names).")
        String rewrap;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            java.io.PrintStream out = new java.io.PrintStream(new java.io.OutputStream() {
                @Override
                public void write(int b) {
                    spec.commandLine().getOut().write(b);
                }
            }, true, java.nio.charset.StandardCharsets.UTF_8);
            DeterministicDekTool.run(config, rewrap, out);
            out.flush();
            spec.commandLine().getOut().flush();
            return 0;
        }
    }

    /** The version from the jar manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = FieldsealStreamsApp.class.getPackage().getImplementationVersion();
            return new String[] {"fieldseal " + (v == null ? "(development build)" : v)};
        }
    }
}
