package dev.fieldseal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The layers of docs/architecture.md: a core package imports only packages of a lower layer (its
 * own sub-packages aside), so there are no package cycles and each change has one place.
 */
class LayersTest {

    /** Layer per top-level package of core, bottom first, as docs/architecture.md's table lists them. */
    private static final Map<String, Integer> LAYER = Map.ofEntries(
            Map.entry("cipher", 0), Map.entry("field", 0), Map.entry("metrics", 0), Map.entry("avro", 0),
            Map.entry("registry", 0),
            Map.entry("codec", 1),
            Map.entry("config", 2),
            Map.entry("kms", 3),
            Map.entry("format", 4),
            Map.entry("dek", 5),
            Map.entry("envelope", 6),
            Map.entry("failure", 7),
            Map.entry("record", 8),
            Map.entry("scan", 9),
            Map.entry("rotation", 10));

    private static final Path SOURCES = Path.of("src", "main", "java", "dev", "fieldseal");
    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?dev\\.fieldseal\\.([a-z]+)[.;]",
            Pattern.MULTILINE);

    @Test
    void everyImportPointsDownTheLayers() throws IOException {
        List<String> wrong = new ArrayList<>();
        int files = 0;
        try (Stream<Path> all = Files.walk(SOURCES)) {
            for (Path f : all.filter(p -> p.toString().endsWith(".java")).toList()) {
                files++;
                String own = SOURCES.relativize(f).getName(0).toString();
                Integer ownLayer = LAYER.get(own);
                assertTrue(ownLayer != null, "docs/architecture.md has no layer for package " + own);
                Matcher m = IMPORT.matcher(Files.readString(f));
                while (m.find()) {
                    String target = m.group(1);
                    Integer targetLayer = LAYER.get(target);
                    if (!target.equals(own) && (targetLayer == null || targetLayer >= ownLayer)) {
                        wrong.add(SOURCES.relativize(f) + " imports " + target);
                    }
                }
            }
        }
        assertTrue(files > 50, "read the core sources");
        assertEquals(List.of(), wrong, "imports that point up or across the layers");
    }
}
