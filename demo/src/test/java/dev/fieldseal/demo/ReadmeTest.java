package dev.fieldseal.demo;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The README shows the example configs verbatim (the module tests load and run those files), and
 * its two commands are what CI runs.
 */
class ReadmeTest {

    private static final Path ROOT = Path.of("..");

    @Test
    void examplesInTheReadmeAreTheTestedFiles() throws Exception {
        String readme = Files.readString(ROOT.resolve("README.md"));
        for (String example : List.of("smt/src/test/resources/examples/encrypt-source.json",
                "smt/src/test/resources/examples/decrypt-sink.json",
                "serde/src/test/resources/examples/consumer.properties",
                "serde/src/test/resources/examples/producer.properties")) {
            String content = Files.readString(ROOT.resolve(example)).strip();
            assertTrue(readme.contains(content), "README.md must show " + example + " verbatim");
        }
    }

    @Test
    void ciRunsTheReadmeCommands() throws Exception {
        String readme = Files.readString(ROOT.resolve("README.md"));
        String ci = Files.readString(ROOT.resolve(".ci/run"));
        for (String command : List.of("mvn -B verify", "./demo.sh")) {
            assertTrue(readme.contains("```\n" + command + "\n```"), "README.md shows " + command);
            assertTrue(ci.contains(command), ".ci/run runs " + command);
        }
    }
}
