package dev.fieldseal.envelope;

import dev.fieldseal.format.DecryptionException;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.fieldseal.config.FieldsealConfig;
import dev.fieldseal.kms.Kms;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Paths come from the record: a genuine value presented under ever-new paths is refused each time,
 * and the associated data the unsealer remembers stays within {@link PathAad#MAX_BYTES} per suite.
 */
class RecordChosenPathsTest {

    static final int PATHS = 50_000;
    static final byte[] SECRET = "4111-1111-1111-1111".getBytes(StandardCharsets.UTF_8);

    private final LocalFixture fx = new LocalFixture();

    @Test
    void associatedDataCacheStaysBoundedUnderDistinctPaths() {
        FieldsealConfig c = fx.config();
        try (Kms kms = fx.kms(); Sealer s = new Sealer(c, kms, Ticker.systemTicker(), fx.metrics);
             Unsealer u = new Unsealer(c, kms, Ticker.systemTicker(), fx.metrics)) {
            byte[] env = s.seal(SECRET, "card", false, s.newRecord());
            for (int i = 0; i < PATHS; i++) {
                String path = "attacker.chosen.field.name." + i;
                DecryptionException e = assertThrows(DecryptionException.class, () -> u.unseal(env, path, Map.of()));
                assertEquals(DecryptionException.Reason.AUTHENTICATION_FAILED, e.reason());
            }
            // An entry weighs at least its overhead and the bytes of its path, twice (String and AAD).
            long most = PathAad.MAX_BYTES / (96 + 2 * "attacker.chosen.field.name.0".length());
            long held = u.aadEntries();
            assertTrue(held <= most, held + " associated-data entries held for " + PATHS + " paths, at most " + most);
            assertArrayEquals(SECRET, u.unseal(env, "card", Map.of()), "the genuine path still decrypts");
        }
    }

    @Test
    void theSealersAssociatedDataStaysBoundedUnderDistinctPaths() {
        FieldsealConfig c = fx.config();
        try (Kms kms = fx.kms(); Sealer s = new Sealer(c, kms, Ticker.systemTicker(), fx.metrics);
             Unsealer u = new Unsealer(c, kms, Ticker.systemTicker(), fx.metrics)) {
            String last = null;
            byte[] env = null;
            for (int i = 0; i < PATHS; i++) { // schemaless map keys under attrs[*] come from the source's data
                last = "attrs.source.chosen.key." + i;
                env = s.seal(SECRET, last, false, s.newRecord());
            }
            long most = PathAad.MAX_BYTES / (96 + 2 * "attrs.source.chosen.key.0".length());
            long held = s.aadEntries();
            assertTrue(held <= most, held + " associated-data entries held for " + PATHS + " paths, at most " + most);
            assertArrayEquals(SECRET, u.unseal(env, last, Map.of()), "sealed under the last path, opens there");
        }
    }
}
