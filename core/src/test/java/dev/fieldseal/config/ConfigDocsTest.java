package dev.fieldseal.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/configuration.md must list exactly what the code accepts. */
class ConfigDocsTest {

    @Test
    void sharedSettingsSectionMatchesTheConfigDef() throws Exception {
        Path doc = Path.of("..", "docs", "configuration.md");
        String section = ConfigDocs.section(Files.readString(doc), "shared");
        assertNotNull(section, "docs/configuration.md lacks the generated:shared section");
        assertEquals(ConfigDocs.table(FieldsealConfig.CONFIG_DEF), section,
                "docs/configuration.md drifted from FieldsealConfig: regenerate the table with "
                        + "'java -cp ... dev.fieldseal.config.ConfigDocs' and paste it between the markers");
    }
}
