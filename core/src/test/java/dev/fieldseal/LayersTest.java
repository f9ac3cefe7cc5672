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

    /**
     * Layer per package of core, bottom first, as docs/architecture.md's table lists them. A package
     * is a top-level package with its sub-packages, except under {@code model}, where each data
     * model is a package of its own.
     */
    private static final Map<String, Integer> LAYER = Map.ofEntries(
            Map.entry("cipher", 0), Map.entry("field", 0), Map.entry("metrics", 0), Map.entry("registry", 0),
            Map.entry("codec", 1),
            Map.entry("config", 2),
            Map.entry("kms", 3),
            Map.entry("format", 4), Map.entry("keyselect", 4),
            Map.entry("dek", 5),
            Map.entry("envelope", 6),
            Map.entry("failure", 7),
            Map.entry("value", 8),
            Map.entry("model.avro", 9), Map.entry("model.connect", 9),
            Map.entry("model.json", 10),
            Map.entry("scan", 11),
            Map.entry("rotation", 12),
            Map.entry("audit", 13));

    private static final Path SOURCES = Path.of("src", "main", "java", "dev", "fieldseal");
    /** Imports and fully qualified names alike. */
    private static final Pattern REFERENCE = Pattern.compile("\\bdev\\.fieldseal\\.((?:model\\.)?[a-z]+)\\.");
    private static final Pattern COMMENTS = Pattern.compile("/\\*.*?\\*/|//[^\\n]*", Pattern.DOTALL);

    private static String packageOf(Path file) {
        Path rel = SOURCES.relativize(file);
        String top = rel.getName(0).toString();
        return top.equals("model") ? "model." + rel.getName(1) : top;
    }

    @Test
    void everyImportPointsDownTheLayers() throws IOException {
        List<String> wrong = new ArrayList<>();
        int files = 0;
        try (Stream<Path> all = Files.walk(SOURCES)) {
            for (Path f : all.filter(p -> p.toString().endsWith(".java")).toList()) {
                files++;
                String own = packageOf(f);
                Integer ownLayer = LAYER.get(own);
                assertTrue(ownLayer != null, "docs/architecture.md has no layer for package " + own);
                String code = COMMENTS.matcher(Files.readString(f)).replaceAll(" ").replaceFirst("package [^;]+;", "");
                Matcher m = REFERENCE.matcher(code);
                while (m.find()) {
                    String target = m.group(1);
                    Integer targetLayer = LAYER.get(target);
                    if (!target.equals(own) && (targetLayer == null || targetLayer >= ownLayer)) {
                        wrong.add(SOURCES.relativize(f) + " uses " + target);
                    }
                }
            }
        }
        assertTrue(files > 50, "read the core sources");
        assertEquals(List.of(), wrong, "references that point up or across the layers");
    }
}
