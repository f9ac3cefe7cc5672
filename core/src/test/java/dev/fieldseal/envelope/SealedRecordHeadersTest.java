package dev.fieldseal.envelope;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fieldseal.format.EdekHeader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Key and value sealers of one record merge the key id and version headers into one of each. */
class SealedRecordHeadersTest {

    @Test
    void onlyTheKeyIdAndVersionHeadersAreMerged() {
        assertTrue(SealedRecord.isMergedHeader(SealedRecord.KEK_ID_HEADER));
        assertTrue(SealedRecord.isMergedHeader(SealedRecord.KEK_VERSION_HEADER));
        assertFalse(SealedRecord.isMergedHeader(EdekHeader.NAME));
    }

    @Test
    void theMergeIsTheSortedDistinctUnionWhicheverSealerRanFirst() {
        assertEquals("v1,v2", SealedRecord.mergeHeader(List.of("v2"), "v1"));
        assertEquals("v1,v2", SealedRecord.mergeHeader(List.of("v1"), "v2"));
        assertEquals("v1", SealedRecord.mergeHeader(List.of("v1"), "v1"));
        assertEquals("a,b,c", SealedRecord.mergeHeader(List.of("c,a", " b"), "a,c"));
    }

    @Test
    void withNothingOnTheRecordTheSealersOwnValueIsKept() {
        byte[] own = "v2,v1".getBytes(StandardCharsets.UTF_8);
        assertSame(own, SealedRecord.mergeHeader(List.<byte[]>of(), own));
        assertArrayEquals("v1,v2,v3".getBytes(StandardCharsets.UTF_8),
                SealedRecord.mergeHeader(List.of("v3".getBytes(StandardCharsets.UTF_8)), own));
    }
}
