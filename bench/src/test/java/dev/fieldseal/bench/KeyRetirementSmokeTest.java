package dev.fieldseal.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The key retirement measurement end to end on a few hundred records (broker, Key Vault double,
 * three app instances, inspect in a child JVM), its section of the report, and the splice that
 * puts that section alone into an existing BENCHMARKS.md.
 */
class KeyRetirementSmokeTest {

    @Test
    void fewRecordsAreReKeyedTwiceWithOneUnwrapPerOldDekAndIdenticalBodiesThenInspectedWithoutKeyVault() throws Exception {
        ObjectNode k = KeyRetirement.measure(300, 5, InspectRun.Launcher.childJvm());
        JsonNode seal = k.get("seal");
        assertEquals(300, seal.get("records").asLong());
        assertEquals(6, seal.get("distinctDeks").asInt(), "5 value DEKs and the deterministic DEK");
        assertEquals(2, k.get("passes").size());
        for (JsonNode p : k.get("passes")) {
            assertEquals(p.get("distinctOldDeks").asInt(), p.get("calls").get("unwrapkey").asInt());
            assertEquals(0, p.get("calls").get("wrapkey").asInt());
            assertTrue(p.get("bodiesIdentical").asBoolean());
            JsonNode out = p.get("output");
            assertEquals(300, out.get("records").asLong());
            assertEquals(0, out.get("invariantViolations").asLong());
            assertEquals(p.get("targetVersion").asText(), out.get("valueVersions").fieldNames().next());
            assertEquals(p.get("targetVersion").asText(), out.get("keyVersions").fieldNames().next());
        }
        JsonNode inspect = k.get("inspect");
        assertEquals(300, inspect.get("records").asLong());
        assertEquals(0, inspect.get("exitCode").asInt(), "no record needs a retired version");
        assertEquals(6, inspect.get("distinctDeks").asLong());
        assertEquals(inspect.get("keyVaultRequestsBefore").asLong(), inspect.get("keyVaultRequestsAfter").asLong());
        List<String> rows = new ArrayList<>();
        String section = new KeyRetirementSection(k, rows).render(true);
        assertTrue(section.startsWith(KeyRetirementSection.HEADING));
        assertFalse(rows.isEmpty());
        rows.forEach(r -> assertTrue(r.endsWith("| PASS |") || r.endsWith("| — |"), r));
    }

    @Test
    void spliceReplacesOnlyTheSectionAndItsTargetRows() {
        String before = "# Benchmarks\n\n## Connect\n\nfigures\n\n" + KeyRetirementSection.HEADING + "\n\nold\n\n"
                + "### sub\n\nold too\n\n## Cross-check: x\n\nmore\n\n## Targets\n\n| target | result | verdict |\n"
                + "|---|---|---|\n| SMT | 1.2× | PASS |\n" + KeyRetirementSection.ROW_PREFIX + "old | x | MISS |\n"
                + "| Streams | 0.4× | MISS |\n\n## Profiling\n\nnotes\n";
        String section = KeyRetirementSection.HEADING + "\n\nnew\n\n";
        String after = KeyRetirementSection.splice(before, section, List.of(KeyRetirementSection.ROW_PREFIX
                + "new | y | PASS |"));
        assertEquals("# Benchmarks\n\n## Connect\n\nfigures\n\n" + KeyRetirementSection.HEADING + "\n\nnew\n\n"
                + "## Cross-check: x\n\nmore\n\n## Targets\n\n| target | result | verdict |\n|---|---|---|\n"
                + "| SMT | 1.2× | PASS |\n| Streams | 0.4× | MISS |\n" + KeyRetirementSection.ROW_PREFIX
                + "new | y | PASS |\n\n## Profiling\n\nnotes\n", after);
    }

    @Test
    void spliceAddsTheSectionBeforeTheCrossCheckWhenItIsMissing() {
        String before = "# B\n\n## Placement\n\np\n\n## Cross-check: x\n\nc\n\n## Targets\n\n| target | result | "
                + "verdict |\n|---|---|---|\n| SMT | 1.2× | PASS |\n\nnotes\n";
        String after = KeyRetirementSection.splice(before, KeyRetirementSection.HEADING + "\n\nnew\n\n",
                List.of(KeyRetirementSection.ROW_PREFIX + "r | y | PASS |"));
        assertEquals("# B\n\n## Placement\n\np\n\n" + KeyRetirementSection.HEADING + "\n\nnew\n\n## Cross-check: x"
                + "\n\nc\n\n## Targets\n\n| target | result | verdict |\n|---|---|---|\n| SMT | 1.2× | PASS |\n"
                + KeyRetirementSection.ROW_PREFIX + "r | y | PASS |\n\nnotes\n", after);
    }
}
