package dev.fieldseal.envelope;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.fieldseal.config.FieldsealConfig;
import dev.fieldseal.format.EdekHeader;
import dev.fieldseal.format.Envelope;
import dev.fieldseal.format.EnvelopeLayout;
import dev.fieldseal.kms.Kms;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RekeyerTest {

    @ParameterizedTest
    @ValueSource(strings = {"field", "header"})
    void onlyTheKeyBlockChangesAndEachDekIsRewrappedOnce(String placement) {
        LocalFixture fx = new LocalFixture();
        FieldsealConfig c = fx.config(FieldsealConfig.ENVELOPE_PLACEMENT, placement,
                FieldsealConfig.DEK_MAX_ENCRYPTIONS, 10);
        List<byte[]> values = new ArrayList<>();
        List<byte[]> headers = new ArrayList<>();
        try (Kms kms = fx.kms(); Sealer s = new Sealer(c, kms, Ticker.systemTicker(), fx.metrics)) {
            for (int i = 0; i < 50; i++) {
                SealedRecord rec = s.newRecord();
                values.add(s.seal(("secret-" + i).getBytes(StandardCharsets.UTF_8), "f", false, rec));
                headers.add(rec.headers().get(EdekHeader.NAME));
            }
        }
        assertEquals(5, fx.metrics.get("deks-created"), "50 values, 10 per DEK");
        fx.rotate();
        try (Kms kms = fx.kms(); Rekeyer r = new Rekeyer(c, kms, Ticker.systemTicker(), fx.metrics);
             Unsealer u = new Unsealer(c, kms, Ticker.systemTicker(), fx.metrics)) {
            assertEquals("2", r.target().version());
            long unwrapsBefore = fx.metrics.kmsCalls("unwrap");
            List<byte[]> movedValues = new ArrayList<>();
            List<byte[]> movedHeaders = new ArrayList<>();
            for (int i = 0; i < values.size(); i++) {
                Rekeyer.RekeyedRecord rec = r.newRecord(headers.get(i));
                byte[] moved = r.rekey(values.get(i), rec);
                assertTrue(rec.changed());
                Envelope before = EnvelopeLayout.parse(values.get(i));
                Envelope after = EnvelopeLayout.parse(moved);
                assertArrayEquals(before.nonce(), after.nonce());
                assertArrayEquals(before.body(), after.body(), "ciphertext and tag unchanged");
                assertEquals("2", new String(rec.headers().get(SealedRecord.KEK_VERSION_HEADER), StandardCharsets.UTF_8));
                byte[] newHeader = rec.headers().get(EdekHeader.NAME);
                movedValues.add(moved);
                movedHeaders.add(newHeader);
                if (placement.equals("field")) {
                    assertEquals("2", after.edek().kek().version());
                }

                Rekeyer.RekeyedRecord again = r.newRecord(newHeader);
                assertSame(moved, r.rekey(moved, again), "already under the newest version");
                assertFalse(again.changed());
            }
            assertEquals(5, fx.metrics.get("deks-rewrapped"));
            assertEquals(5, fx.metrics.kmsCalls("unwrap") - unwrapsBefore, "one unwrap per distinct DEK");
            for (int i = 0; i < movedValues.size(); i++) {
                assertArrayEquals(("secret-" + i).getBytes(StandardCharsets.UTF_8),
                        u.unseal(movedValues.get(i), "f", Unsealer.headerEdeks(movedHeaders.get(i))));
            }
        }
    }

    @org.junit.jupiter.api.Test
    void aRunningRekeyerFollowsRotationOnKekRefreshMsWithoutBeingAsked() throws Exception {
        LocalFixture fx = new LocalFixture();
        FieldsealConfig c = fx.config(FieldsealConfig.KEK_REFRESH_MS, 1000);
        try (Kms kms = fx.kms(); Rekeyer r = new Rekeyer(c, kms, Ticker.systemTicker(), fx.metrics)) {
            String before = r.target().version();
            fx.rotate();
            dev.fieldseal.testkit.Await.until(java.time.Duration.ofSeconds(20), "the periodic refresh",
                    () -> !before.equals(r.target().version()));
            assertEquals("2", r.target().version());
        }
    }
}
