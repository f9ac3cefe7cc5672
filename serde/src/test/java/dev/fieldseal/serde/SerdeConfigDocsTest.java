package dev.fieldseal.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.fieldseal.config.ConfigDocs;
import dev.fieldseal.config.FieldsealConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/configuration.md lists exactly the serde's own keys. */
class SerdeConfigDocsTest {

    @Test
    void serdeSectionMatchesTheConfigDef() throws Exception {
        String expected = ConfigDocs.table(SerdeConfig.CONFIG_DEF, FieldsealConfig.CONFIG_DEF);
        String section = ConfigDocs.section(Files.readString(Path.of("..", "docs", "configuration.md")), "serde");
        if (!expected.equals(section)) {
            Files.createDirectories(Path.of("target"));
            Files.writeString(Path.of("target", "configuration-serde.md"), expected);
        }
        assertNotNull(section, "docs/configuration.md lacks the generated:serde section");
        assertEquals(expected, section, "docs/configuration.md drifted from SerdeConfig: paste "
                + "serde/target/configuration-serde.md between the markers");
    }
}
