package dev.fieldseal.scan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.fieldseal.config.FieldsealConfig;
import dev.fieldseal.envelope.LocalFixture;
import dev.fieldseal.envelope.SealedRecord;
import dev.fieldseal.envelope.Sealer;
import dev.fieldseal.format.EdekHeader;
import dev.fieldseal.kms.KekRef;
import dev.fieldseal.kms.Kms;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class RecordScanTest {

    private final LocalFixture fx = new LocalFixture();

    private record Sealed(Headers headers, List<Located> key, List<Located> value) {
        RecordScan scan() {
            return RecordScan.of(headers, key, value);
        }
    }

    /** A record with one sealed key value and two sealed value fields, as a host writes it. */
    private Sealed seal(Sealer s) throws Exception {
        SealedRecord rec = s.newRecord();
        byte[] k = s.seal("k".getBytes(StandardCharsets.UTF_8), "$value", false, rec);
        String v = "{\"a\":\"" + Base64.getEncoder().encodeToString(s.seal(new byte[] {1}, "a", false, rec))
                + "\",\"b\":\"" + Base64.getEncoder().encodeToString(s.seal(new byte[] {2}, "b", false, rec)) + "\"}";
        Headers h = new RecordHeaders();
        rec.headers().forEach(h::add);
        return new Sealed(h, List.of(EnvelopeLocator.whole(k)), EnvelopeLocator.json(v.getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void fieldPlacementRecordNamesItsVersionAndHoldsTheInvariant() throws Exception {
        try (Kms kms = fx.kms(); Sealer s = new Sealer(fx.config(), kms, Ticker.systemTicker(), fx.metrics)) {
            RecordScan scan = seal(s).scan();
            KekRef v1 = new KekRef("local:pii", "1");
            assertEquals(Set.of(v1), scan.keyKeks());
            assertEquals(Set.of(v1), scan.valueKeks());
            assertTrue(scan.needs(v1));
            assertFalse(scan.needs(new KekRef("local:pii", "2")));
            assertEquals(1, scan.deks().size(), "one DEK per record");
            assertEquals(0, scan.malformed());
            assertTrue(scan.consistent(), scan.mismatch());
        }
    }

    @Test
    void headerPlacementResolvesReferencesThroughEveryEdekHeader() throws Exception {
        FieldsealConfig c = fx.config(FieldsealConfig.ENVELOPE_PLACEMENT, "header");
        try (Kms kms = fx.kms(); Sealer s = new Sealer(c, kms, Ticker.systemTicker(), fx.metrics)) {
            Sealed r = seal(s);
            assertTrue(r.scan().consistent(), r.scan().mismatch());
            assertEquals(Set.of(new KekRef("local:pii", "1")), r.scan().keks());

            // the EDEK header moved into a second header of the same name after an unrelated one: still found
            byte[] edek = r.headers.lastHeader(EdekHeader.NAME).value();
            r.headers.remove(EdekHeader.NAME);
            r.headers.add(EdekHeader.NAME, EdekHeader.write(List.of()));
            r.headers.add(EdekHeader.NAME, edek);
            assertEquals(0, r.scan().malformed());

            r.headers.remove(EdekHeader.NAME);
            RecordScan missing = r.scan();
            assertEquals(1, missing.malformedKeyEnvelopes());
            assertEquals(2, missing.malformedValueEnvelopes());
            assertTrue(missing.keks().isEmpty());
            assertFalse(missing.consistent(), "headers name a version no readable envelope names");

            r.headers.add(EdekHeader.NAME, new byte[] {0x7f});
            assertEquals(1, r.scan().malformedEdekHeaders());
        }
    }

    @Test
    void headersMustNameExactlyTheEnvelopesVersions() throws Exception {
        String v2;
        Sealed old;
        try (Kms kms = fx.kms(); Sealer s = new Sealer(fx.config(), kms, Ticker.systemTicker(), fx.metrics)) {
            old = seal(s);
        }
        v2 = fx.rotate();
        Sealed fresh;
        try (Kms kms = fx.kms(); Sealer s = new Sealer(fx.config(), kms, Ticker.systemTicker(), fx.metrics)) {
            fresh = seal(s);
        }
        assertEquals(Set.of(new KekRef("local:pii", v2)), fresh.scan().keks());

        // the old key with a new value: both versions are needed, the headers name only the new one
        Sealed mixed = new Sealed(fresh.headers, old.key, fresh.value);
        RecordScan m = mixed.scan();
        assertEquals(Set.of(new KekRef("local:pii", "1"), new KekRef("local:pii", v2)), m.keks());
        assertFalse(m.consistent());
        assertTrue(m.mismatch().contains("[1, " + v2 + "]"), m.mismatch());

        // comma-separated and repeated headers are merged
        Headers both = new RecordHeaders();
        both.add(SealedRecord.KEK_ID_HEADER, "local:pii".getBytes(StandardCharsets.UTF_8));
        both.add(SealedRecord.KEK_VERSION_HEADER, ("1, " + v2).getBytes(StandardCharsets.UTF_8));
        assertTrue(new Sealed(both, old.key, fresh.value).scan().consistent());
        Headers repeated = new RecordHeaders();
        repeated.add(SealedRecord.KEK_ID_HEADER, "local:pii".getBytes(StandardCharsets.UTF_8));
        repeated.add(SealedRecord.KEK_VERSION_HEADER, "1".getBytes(StandardCharsets.UTF_8));
        repeated.add(SealedRecord.KEK_ID_HEADER, "local:pii".getBytes(StandardCharsets.UTF_8));
        repeated.add(SealedRecord.KEK_VERSION_HEADER, v2.getBytes(StandardCharsets.UTF_8));
        assertTrue(new Sealed(repeated, old.key, fresh.value).scan().consistent());
        // a header naming a version no envelope uses is a mismatch too
        repeated.add(SealedRecord.KEK_VERSION_HEADER, "9".getBytes(StandardCharsets.UTF_8));
        assertFalse(new Sealed(repeated, old.key, fresh.value).scan().consistent());
    }

    @Test
    void missingHeadersAndHeadersWithoutEnvelopesAreMismatches() throws Exception {
        try (Kms kms = fx.kms(); Sealer s = new Sealer(fx.config(), kms, Ticker.systemTicker(), fx.metrics)) {
            Sealed r = seal(s);
            assertFalse(RecordScan.of(new RecordHeaders(), r.key, r.value).consistent());
            assertFalse(RecordScan.of(r.headers, List.of(), List.of()).consistent());
            RecordScan plain = RecordScan.of(new RecordHeaders(), List.of(), List.of());
            assertNull(plain.mismatch());
            assertTrue(plain.keks().isEmpty());
        }
    }

    @Test
    void malformedEnvelopesNameNoVersion() throws Exception {
        try (Kms kms = fx.kms(); Sealer s = new Sealer(fx.config(), kms, Ticker.systemTicker(), fx.metrics)) {
            SealedRecord rec = s.newRecord();
            byte[] good = s.seal(new byte[] {1}, "a", false, rec);
            byte[] truncated = Arrays.copyOf(good, 12);
            byte[] json = ("{\"a\":\"" + Base64.getEncoder().encodeToString(good) + "\",\"b\":\"/kZT%%\",\"c\":\""
                    + Base64.getEncoder().encodeToString(truncated) + "\"}").getBytes(StandardCharsets.US_ASCII);
            Headers h = new RecordHeaders();
            rec.headers().forEach(h::add);
            RecordScan scan = RecordScan.of(h, List.of(), EnvelopeLocator.json(json));
            assertEquals(3, scan.valueEnvelopes());
            assertEquals(2, scan.malformedValueEnvelopes());
            assertTrue(scan.consistent(), "the well-formed envelope matches the headers");
        }
    }
}
