package dev.fieldseal.field;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FieldPathTest {

    @Test
    void parsesDotsBackticksAndFanOut() {
        FieldPath p = FieldPath.parse("customer.`address.line``1`.items[*].ssn");
        assertEquals(List.of(new FieldPath.Segment("customer", false), new FieldPath.Segment("address.line`1", false),
                new FieldPath.Segment("items", true), new FieldPath.Segment("ssn", false)), p.segments());
        assertEquals("customer.`address.line``1`.items[*].ssn", p.toString());
        assertEquals(p, FieldPath.parse(p.toString()));
        assertEquals("tags[*]", FieldPath.parse(" tags[*] ").toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "a..b", ".a", "a.", "`a", "a[0]", "a[*]b", "a]b", "a`b`"})
    void malformedPathsSayWhereAndWhy(String bad) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FieldPath.parse(bad));
        assertTrue(e.getMessage().contains("field path"), e.getMessage());
    }

    @Test
    void selectionTreeUsesCanonicalPaths() {
        FieldSelection s = FieldSelection.of(FieldPath.parseAll(List.of("a.b", "items[*].x")),
                FieldPath.parseAll(List.of("a.c")));
        assertEquals("a.b", s.field("a").field("b").path());
        assertEquals(FieldSelection.Mode.DETERMINISTIC, s.field("a").field("c").mode());
        assertEquals("items[*].x", s.each("items").field("x").path());
        assertTrue(s.each("items").eachElement());
    }
}
