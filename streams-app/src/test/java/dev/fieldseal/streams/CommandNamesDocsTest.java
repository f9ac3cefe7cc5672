package dev.fieldseal.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Every command line the docs, examples, Docker files and messages give names a subcommand and
 * flags of the one {@code fieldseal} command line that exist, and no old name is left.
 *
 * <p>A command is {@code fieldseal <subcommand> [--flags]} where a command starts: after a backtick,
 * a single quote, {@code {@code }, {@code $ } or {@code with: }, or at the start of a line in a Markdown
 * code block; or {@code java -jar …fieldseal-streams….jar <subcommand>}; or a Dockerfile
 * {@code CMD [...]} of the jar's image. Its flags are the {@code --names} up to where the quote,
 * code span or line ends.
 */
class CommandNamesDocsTest {

    private static final Path ROOT = Path.of("..");
    private static final Pattern COMMAND = Pattern.compile(
            "(`|'|\\{@code |\\$ |with: |^\\s*)fieldseal[ \\t]+([a-z][a-z-]*)(?![a-z.\\-])([^\\n]*)");
    private static final Pattern JAR = Pattern.compile(
            "java -jar \\S*fieldseal-streams\\S*\\.jar[ \\t]+([a-z-][^\\n`'\"]*)");
    private static final Pattern OLD = Pattern.compile(
            "fieldseal-cli\\b|fieldseal-streams[ \\t]+[a-z][a-z-]*(?![a-z.\\-])");
    private static final Pattern FLAG = Pattern.compile("(?<![\\w-])--[a-z][a-z0-9-]*");
    private static final Pattern DOCKER_CMD = Pattern.compile("^CMD\\s*\\[(.*)]", Pattern.MULTILINE);

    /** The problems of one file's text: commands, subcommands or flags that do not exist, old names. */
    static List<String> problems(String file, String text) {
        CommandLine cli = FieldsealStreamsApp.commandLine();
        List<String> out = new ArrayList<>();
        boolean markdown = file.endsWith(".md");
        String[] lines = text.split("\n", -1);
        boolean fence = false;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            String where = file + ":" + (i + 1);
            if (markdown && line.trim().startsWith("```")) {
                fence = !fence;
                continue;
            }
            Matcher old = OLD.matcher(line);
            while (old.find()) {
                out.add(where + ": old command name '" + old.group() + "'; the command line is 'fieldseal'");
            }
            Matcher m = COMMAND.matcher(line);
            while (m.find()) {
                String opener = m.group(1);
                if (opener.isBlank() && !(markdown && fence)) {
                    continue; // prose that starts a line with the word fieldseal
                }
                check(cli, where, m.group(2), segment(opener, m.group(3)), out);
            }
            Matcher jar = JAR.matcher(line);
            while (jar.find()) {
                String rest = jar.group(1).trim();
                if (rest.startsWith("--")) {
                    check(cli, where, null, rest, out);
                } else {
                    String[] parts = rest.split("\\s+", 2);
                    check(cli, where, parts[0], parts.length > 1 ? parts[1] : "", out);
                }
            }
        }
        if (file.endsWith("Dockerfile") && text.contains("fieldseal-streams")) {
            Matcher cmd = DOCKER_CMD.matcher(text);
            while (cmd.find()) {
                String[] args = cmd.group(1).replace("\"", "").split("\\s*,\\s*");
                check(cli, file + " CMD", args[0], String.join(" ", args), out);
            }
        }
        return out;
    }

    /** The text a command's flags are read from: up to the end of its quote or code span. */
    private static String segment(String opener, String rest) {
        String close = switch (opener) {
            case "`" -> "`";
            case "'" -> "'";
            case "{@code " -> "}";
            case "with: " -> ")";
            default -> null;
        };
        int end = close == null ? -1 : rest.indexOf(close);
        return end < 0 ? rest : rest.substring(0, end);
    }

    private static void check(CommandLine cli, String where, String sub, String flagText, List<String> out) {
        CommandLine target = cli;
        if (sub != null) {
            target = cli.getSubcommands().get(sub);
            if (target == null) {
                out.add(where + ": 'fieldseal " + sub + "' is not a subcommand (there are "
                        + cli.getSubcommands().keySet() + ")");
                return;
            }
        }
        Matcher f = FLAG.matcher(flagText);
        while (f.find()) {
            if (target.getCommandSpec().findOption(f.group()) == null) {
                out.add(where + ": 'fieldseal" + (sub == null ? "" : " " + sub) + "' has no option " + f.group());
            }
        }
    }

    private static List<Path> files() throws IOException {
        List<Path> files = new ArrayList<>();
        files.add(ROOT.resolve("README.md"));
        try (Stream<Path> s = Files.list(ROOT.resolve("docs"))) {
            s.filter(p -> p.toString().endsWith(".md")).forEach(files::add);
        }
        try (Stream<Path> s = Files.list(ROOT.resolve("streams-app/config"))) {
            s.filter(p -> p.toString().endsWith(".properties")).forEach(files::add);
        }
        try (Stream<Path> s = Files.walk(ROOT.resolve("docker"))) {
            s.filter(Files::isRegularFile).filter(p -> {
                String n = p.getFileName().toString();
                return n.endsWith("Dockerfile") || n.endsWith(".yaml") || n.endsWith(".md") || n.endsWith(".sh")
                        || n.endsWith(".properties");
            }).forEach(files::add);
        }
        for (String module : List.of("testkit", "core", "smt", "serde", "streams-app", "demo", "bench")) {
            Path src = ROOT.resolve(module).resolve("src/main/java");
            if (Files.isDirectory(src)) {
                try (Stream<Path> s = Files.walk(src)) {
                    s.filter(p -> p.toString().endsWith(".java")).forEach(files::add);
                }
            }
        }
        return files;
    }

    @Test
    void everyCommandTheDocsAndMessagesGiveExists() throws IOException {
        List<String> problems = new ArrayList<>();
        int files = 0;
        for (Path p : files()) {
            files++;
            try {
                problems.addAll(problems(ROOT.relativize(p).toString().replace('\\', '/'), Files.readString(p)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        assertTrue(files > 30, "the scan reads the docs and sources: " + files);
        assertEquals(List.of(), problems);
    }

    @Test
    void theDocsNameTheCommandsTheyShouldAtAll() throws IOException {
        String cli = Files.readString(ROOT.resolve("docs/cli.md"));
        for (String sub : List.of("run", "inspect", "deterministic-dek")) {
            assertTrue(cli.contains("fieldseal " + sub), "docs/cli.md describes " + sub);
        }
    }

    @Test
    void missingSubcommandsFlagsAndOldNamesAreFound() {
        assertEquals(1, problems("a.md", "Run `fieldseal rekey-all --config x` now.").size());
        assertEquals(1, problems("a.md", "Run `fieldseal inspect --topic t --no-such-flag` now.").size());
        assertEquals(0, problems("a.md", "Run `fieldseal inspect --topic t --fail-if-version 1` now.").size());
        assertEquals(1, problems("a.md", "```\nfieldseal deterministic-dek --kek-id k\n```").size());
        assertEquals(0, problems("a.md", "fieldseal encrypts fields (prose is not a command).").size());
        assertEquals(1, problems("A.java", "throw new X(\"create one with 'fieldseal-cli deterministic-dek'\");").size());
        assertEquals(1, problems("a.properties", "# print one with: fieldseal-streams deterministic-dek --config f").size());
        assertEquals(1, problems("a.md", "java -jar target/fieldseal-streams-1.jar inspect --nope").size());
        assertEquals(1, problems("x.Dockerfile", "ENTRYPOINT [\"java\", \"-jar\", \"/app/fieldseal-streams.jar\"]\n"
                + "CMD [\"run\", \"--configfile\", \"/config/app.properties\"]").size());
        assertEquals(1, problems("A.java", " * {@code fieldseal inspect --topics}").size());
    }
}
