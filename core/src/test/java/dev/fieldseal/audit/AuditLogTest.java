package dev.fieldseal.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fieldseal.metrics.DecryptAudit.Outcome;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Aggregation, positions, the slot bound and flushing of the audit log, with a recording sink. */
class AuditLogTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    static final class Recording implements AuditSink {
        final List<String> keys = new CopyOnWriteArrayList<>();
        final List<String> lines = new CopyOnWriteArrayList<>();
        boolean closed;

        @Override
        public void write(String keyId, String json) {
            keys.add(keyId);
            lines.add(json);
        }

        @Override
        public void close() {
            closed = true;
        }

        List<JsonNode> events() throws Exception {
            List<JsonNode> out = new ArrayList<>();
            for (String l : lines) {
                out.add(JSON.readTree(l));
            }
            return out;
        }
    }

    private static AuditLog log(Recording sink) {
        return new AuditLog("test", 3_600_000L, List.of(sink)); // the schedule never fires in a test
    }

    @Test
    void countsAreAggregatedPerKeyVersionAndTopicWithOffsetRangesPerPartition() throws Exception {
        Recording sink = new Recording();
        AuditLog log = log(sink);
        log.who(AuditLog.GROUP_ID, "readers");
        for (long off = 10; off < 15; off++) {
            log.at("orders", 0, off);
            log.attempt("https://v/keys/k", "v1");
            log.opened();
            log.attempt("https://v/keys/k", "v1");
            log.opened();
        }
        log.at("orders", 1, 7);
        log.attempt("https://v/keys/k", "v1");
        log.notOpened("tampered", Outcome.MASKED);
        log.at("orders", 1, 8);
        log.attempt("https://v/keys/k", "v2");
        log.notOpened("permanent-kms", Outcome.REFUSED);
        log.at("orders", 1, 9);
        log.notOpened("malformed", Outcome.LEFT_SEALED); // no key was read
        log.close();

        assertTrue(sink.closed);
        List<JsonNode> events = sink.events();
        assertEquals(3, events.size(), sink.lines.toString());
        JsonNode v1 = events.stream().filter(e -> e.path("keyVersion").asText().equals("v1")).findFirst().orElseThrow();
        assertEquals("test", v1.path("host").asText());
        assertEquals("readers", v1.path("groupId").asText());
        assertEquals("orders", v1.path("topic").asText());
        assertEquals(10, v1.path("decrypted").asLong());
        assertEquals(1, v1.path("masked").asLong());
        assertEquals(1, v1.path("failures").path("tampered").asLong());
        assertEquals(2, v1.path("partitions").size());
        assertEquals(10, v1.path("partitions").get(0).path("firstOffset").asLong());
        assertEquals(14, v1.path("partitions").get(0).path("lastOffset").asLong());
        assertEquals(7, v1.path("partitions").get(1).path("firstOffset").asLong());
        JsonNode v2 = events.stream().filter(e -> e.path("keyVersion").asText().equals("v2")).findFirst().orElseThrow();
        assertEquals(1, v2.path("refused").asLong());
        assertEquals(0, v2.path("decrypted").asLong());
        JsonNode unknown = events.stream().filter(e -> e.path("keyId").asText().equals(Tally.UNKNOWN_KEY))
                .findFirst().orElseThrow();
        assertEquals(1, unknown.path("leftSealed").asLong());
        assertEquals(1, unknown.path("failures").path("malformed").asLong());
    }

    @Test
    void threadsCountApartAndOneFlushMergesThem() throws Exception {
        Recording sink = new Recording();
        AuditLog log = log(sink);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int partition = t;
            threads.add(new Thread(() -> {
                for (int i = 0; i < 1_000; i++) {
                    log.at("t", partition, i);
                    log.attempt("k", "v");
                    log.opened();
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
        log.flush();
        List<JsonNode> events = sink.events();
        assertEquals(1, events.size());
        assertEquals(4_000, events.get(0).path("decrypted").asLong());
        assertEquals(4, events.get(0).path("partitions").size());
        sink.lines.clear();
        log.flush();
        assertEquals(List.of(), sink.lines, "an interval without decryption writes nothing");
        log.close();
    }

    @Test
    void everNewKeyVersionsFromRecordsLandInOneOverflowSlot() throws Exception {
        Recording sink = new Recording();
        AuditLog log = log(sink);
        log.at("t", 0, 1);
        for (int i = 0; i < 50_000; i++) {
            log.attempt("https://v/keys/k", "forged-" + i);
            log.notOpened("permanent-kms", Outcome.REFUSED);
        }
        log.close();
        List<JsonNode> events = sink.events();
        assertEquals(Tally.MAX_SLOTS + 1, events.size());
        long refused = events.stream().mapToLong(e -> e.path("refused").asLong()).sum();
        assertEquals(50_000, refused);
        JsonNode overflow = events.stream().filter(e -> e.path("keyId").asText().equals(Tally.OVERFLOW_KEY))
                .findFirst().orElseThrow();
        assertEquals(50_000 - Tally.MAX_SLOTS, overflow.path("refused").asLong());
    }

    @Test
    void longKeyIdsFromRecordsAreCut() throws Exception {
        Recording sink = new Recording();
        AuditLog log = log(sink);
        log.at("t", 0, 1);
        log.attempt("https://v/keys/" + "x".repeat(2_000), "v");
        log.notOpened("not-allowed", Outcome.REFUSED);
        log.close();
        String keyId = sink.events().get(0).path("keyId").asText();
        assertEquals(Tally.MAX_NAME + 3, keyId.length());
    }
}
