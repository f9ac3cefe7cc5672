package dev.fieldseal.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.fieldseal.config.ConfigDocs;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/configuration.md lists exactly the Schema Registry settings. */
class RegistryConfigDocsTest {

    @Test
    void registrySectionMatchesTheConfigDef() throws Exception {
        String expected = ConfigDocs.table(RegistryConfig.CONFIG_DEF);
        String section = ConfigDocs.section(Files.readString(Path.of("..", "docs", "configuration.md")), "registry");
        if (!expected.equals(section)) {
            Files.createDirectories(Path.of("target"));
            Files.writeString(Path.of("target", "configuration-registry.md"), expected);
        }
        assertNotNull(section, "docs/configuration.md lacks the generated:registry section");
        assertEquals(expected, section, "docs/configuration.md drifted from RegistryConfig: paste "
                + "core/target/configuration-registry.md between the markers");
    }
}
