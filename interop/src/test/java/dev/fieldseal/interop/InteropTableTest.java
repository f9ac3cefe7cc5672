package dev.fieldseal.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.fieldseal.config.ConfigDocs;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/interop.md shows exactly the cells {@link InteropMatrixTest} runs. */
class InteropTableTest {

    private static final Path DOC = Path.of("..", "docs", "interop.md");

    @Test
    void theDocumentedTableIsTheSuitesCellList() throws Exception {
        String expected = InteropCells.table();
        String section = ConfigDocs.section(Files.readString(DOC), "interop");
        if (!expected.equals(section)) {
            Files.createDirectories(Path.of("target"));
            Files.writeString(Path.of("target", "interop-table.md"), expected);
        }
        assertNotNull(section, "docs/interop.md lacks the generated:interop section");
        assertEquals(expected, section, "docs/interop.md drifted from InteropCells: paste "
                + "interop/target/interop-table.md between the markers");
    }
}
