package dev.fieldseal.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.fieldseal.kms.azure.KeyVaultKeyId;
import dev.fieldseal.kms.azure.RotationEvents;
import java.util.List;

/**
 * Rotation events as read from their topic (anyone who can write to it writes the bytes):
 * {@link RotationEvents#keysToRefresh} throws only {@link IllegalArgumentException} (not JSON),
 * and every key id it returns is a versionless Key Vault key id.
 */
class RotationEventsFuzzTest {

    @FuzzTest(maxDuration = "60s")
    void keysToRefresh(byte[] data) {
        List<String> keys;
        try {
            List<List<String>> out = new java.util.ArrayList<>(1);
            LinearWork.check(data.length, () -> out.add(RotationEvents.keysToRefresh(data)));
            keys = out.get(0);
        } catch (RuntimeException e) {
            Escapes.only(e, IllegalArgumentException.class);
            return;
        }
        for (String k : keys) {
            assertTrue(!KeyVaultKeyId.parse(k).pinned(), k);
        }
    }
}
