package dev.fieldseal.kms.azure;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.fieldseal.config.FieldsealConfig;
import dev.fieldseal.envelope.Sealer;
import dev.fieldseal.envelope.Unsealer;
import dev.fieldseal.failure.FailureClass;
import dev.fieldseal.format.Envelope;
import dev.fieldseal.format.EnvelopeLayout;
import dev.fieldseal.kms.Edek;
import dev.fieldseal.kms.KekRef;
import dev.fieldseal.kms.KmsException;
import dev.fieldseal.metrics.FieldsealMetrics;
import dev.fieldseal.rotation.ReaderNotice;
import dev.fieldseal.testkit.KeyVaultDouble;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Records are attacker input: floods of forged EDEKs against the Key Vault double (real TLS, the
 * real Azure SDK), counted by the double. The reader's clock is a manual ticker, so the bounds
 * are exact: with the clock standing still, one version listing per key and {@code dek.unwrap.burst}
 * unwraps of new DEKs per key version.
 */
class ForgedEdeksTest {

    static final int FLOOD = 10_000;
    static final long REFRESH_MS = 5_000;
    static final int BURST = 20;
    static final int RATE = 5;
    static final byte[] SECRET = "4111-1111-1111-1111".getBytes(StandardCharsets.UTF_8);

    static KeyVaultDouble vault;

    /** The reader's clock: moves only when a test says so. */
    static final class ManualTicker implements Ticker {
        private final AtomicLong nanos = new AtomicLong(1);

        @Override
        public long read() {
            return nanos.get();
        }

        void advance(Duration d) {
            nanos.addAndGet(d.toNanos());
        }
    }

    @BeforeAll
    static void start() {
        vault = new KeyVaultDouble();
    }

    @AfterAll
    static void stop() {
        vault.close();
    }

    String key;
    ManualTicker clock;
    final SplittableRandom rnd = new SplittableRandom(19);

    @BeforeEach
    void freshKey(org.junit.jupiter.api.TestInfo info) {
        key = info.getTestMethod().orElseThrow().getName().toLowerCase().replaceAll("[^a-z0-9]", "").substring(0, 20)
                + Integer.toHexString(rnd.nextInt(1 << 16));
        vault.createRsaKey(key);
        clock = new ManualTicker();
    }

    FieldsealConfig config() {
        Map<String, String> p = new HashMap<>(Map.of(
                FieldsealConfig.KEK_ID, vault.keyId(key),
                FieldsealConfig.AZURE_CREDENTIAL, "emulator",
                FieldsealConfig.AZURE_TLS_CA_FILE, vault.caPemFile().toString(),
                FieldsealConfig.KMS_TIMEOUT_MS, "5000",
                FieldsealConfig.KMS_RETRY_MAX, "0",
                FieldsealConfig.DEK_MAX_ENCRYPTIONS, "1",
                FieldsealConfig.KEK_VERSIONS_REFRESH_MS, Long.toString(REFRESH_MS),
                FieldsealConfig.DEK_UNWRAP_BURST, Integer.toString(BURST),
                FieldsealConfig.DEK_UNWRAP_RATE, Integer.toString(RATE)));
        return new FieldsealConfig(p);
    }

    /** A value sealed now under the key's current version, with a DEK of its own. */
    byte[] sealGenuine() {
        try (Sealer s = Sealer.create(config(), new FieldsealMetrics())) {
            return s.seal(SECRET, "card", false, s.newRecord());
        }
    }

    /** The genuine value with its inline EDEK replaced: another version, or other wrapped bytes. */
    static byte[] forge(byte[] genuine, String version, byte[] wrapped) {
        Envelope env = EnvelopeLayout.parse(genuine);
        Edek real = env.edek();
        Edek forged = new Edek(new KekRef(real.kek().keyId(), version == null ? real.kek().version() : version),
                real.algorithm(), wrapped == null ? real.wrappedKey() : wrapped);
        return env.withKeyBlock(EnvelopeLayout.KEY_INLINE, EnvelopeLayout.edekBlock(forged));
    }

    String randomVersion() {
        byte[] b = new byte[16];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) rnd.nextInt(256);
        }
        return HexFormat.of().formatHex(b);
    }

    byte[] randomWrapped() {
        byte[] b = new byte[256];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) rnd.nextInt(256);
        }
        return b;
    }

    /** Opens a value that must be refused, and returns its class. */
    static FailureClass refused(Unsealer u, byte[] value) {
        try {
            u.unseal(value, "card", Map.of());
        } catch (KmsException e) {
            return FailureClass.of(e);
        }
        return fail("a forged value was opened");
    }

    AzureKeyVaultKms kms(FieldsealConfig c) {
        return new AzureKeyVaultKms(c, new FieldsealMetrics());
    }

    @Test
    void tenThousandForgedVersionsCostOneVersionListingAndAtMostTheUnconfirmedBudget() {
        byte[] honest = sealGenuine();
        FieldsealConfig c = config();
        vault.reset();
        Map<FailureClass, Integer> classes = new EnumMap<>(FailureClass.class);
        String[] asked = new String[FLOOD];
        try (AzureKeyVaultKms kms = kms(c); Unsealer u = new Unsealer(c, kms, clock, new FieldsealMetrics())) {
            for (int i = 0; i < FLOOD; i++) {
                asked[i] = randomVersion();
                classes.merge(refused(u, forge(honest, asked[i], null)), 1, Integer::sum);
                if (i % 100 == 0) {
                    assertArrayEquals(SECRET, u.unseal(honest, "card", Map.of()), "honest record " + i);
                }
            }
            // The first record lists the versions; the clock stood still, so no forged version lists again.
            // The first forged version is missing from the list fetched for it; the others may be younger
            // than that list, so the unwrap decides within the key's budget for unconfirmed versions
            // (Key Vault: not found), and beyond it they are refused without a call.
            assertEquals(1, vault.count("versions"), vault.requestLog().toString());
            assertEquals(1 + BURST, vault.count("unwrapkey"), "the honest DEK and the unconfirmed budget");
            assertEquals(Map.of(FailureClass.PERMANENT_KMS, 1 + BURST, FailureClass.RATE_LIMITED, FLOOD - 1 - BURST),
                    classes);

            // Retried after the interval: the first retry lists again, which settles the versions asked
            // for before it; those the bounded memo forgot cost at most the refilled unconfirmed budget.
            clock.advance(Duration.ofMillis(REFRESH_MS));
            vault.reset();
            for (String v : asked) {
                FailureClass f = refused(u, forge(honest, v, null));
                assertTrue(f == FailureClass.PERMANENT_KMS || f == FailureClass.RATE_LIMITED, String.valueOf(f));
            }
            assertEquals(1, vault.count("versions"));
            assertTrue(vault.count("unwrapkey") <= BURST, vault.count("unwrapkey") + " unwraps");
        }
    }

    @Test
    void oneListingAfterTheIntervalSettlesEveryForgedVersionAskedForBeforeIt() {
        byte[] honest = sealGenuine();
        FieldsealConfig c = config();
        try (AzureKeyVaultKms kms = kms(c); Unsealer u = new Unsealer(c, kms, clock, new FieldsealMetrics())) {
            assertArrayEquals(SECRET, u.unseal(honest, "card", Map.of()));
            String[] asked = new String[100];
            for (int i = 0; i < asked.length; i++) {
                asked[i] = randomVersion();
                refused(u, forge(honest, asked[i], null)); // unwrapped within the unconfirmed budget, or over it
            }
            clock.advance(Duration.ofMillis(REFRESH_MS));
            vault.reset();
            for (int round = 0; round < 3; round++) {
                for (String v : asked) {
                    assertEquals(FailureClass.PERMANENT_KMS, refused(u, forge(honest, v, null)), "round " + round);
                }
            }
            assertEquals(1, vault.count("versions"), "one listing settles them all, and they stay settled");
            assertEquals(0, vault.count("unwrapkey"));
        }
    }

    @Test
    void forgedEdeksUnderAGenuineVersionCostAtMostTheUnwrapBudget() {
        byte[] honest = sealGenuine();
        FieldsealConfig c = config();
        vault.reset();
        Map<FailureClass, Integer> classes = new EnumMap<>(FailureClass.class);
        try (AzureKeyVaultKms kms = kms(c); Unsealer u = new Unsealer(c, kms, clock, new FieldsealMetrics())) {
            assertArrayEquals(SECRET, u.unseal(honest, "card", Map.of()));
            for (int i = 0; i < FLOOD; i++) {
                classes.merge(refused(u, forge(honest, null, randomWrapped())), 1, Integer::sum);
                if (i % 100 == 0) {
                    assertArrayEquals(SECRET, u.unseal(honest, "card", Map.of()), "honest record " + i);
                }
            }
            // The honest DEK took one token of the burst; the forged ones got the rest, then refusals.
            assertEquals(BURST, vault.count("unwrapkey"), "the honest unwrap and burst - 1 forged ones");
            assertEquals(Map.of(FailureClass.PERMANENT_KMS, BURST - 1, FailureClass.RATE_LIMITED, FLOOD - BURST + 1),
                    classes);
            assertTrue(FailureClass.RATE_LIMITED.retriable(), "a genuine DEK over the budget is retried, never masked");

            clock.advance(Duration.ofSeconds(1));
            for (int i = 0; i < 1_000; i++) {
                refused(u, forge(honest, null, randomWrapped()));
            }
            assertEquals(BURST + RATE, vault.count("unwrapkey"), "one second refills dek.unwrap.rate tokens");
        }
    }

    @Test
    void aRotationMidFloodIsDecryptedAtOnce() {
        byte[] honest = sealGenuine();
        FieldsealConfig c = config();
        try (AzureKeyVaultKms kms = kms(c); Unsealer u = new Unsealer(c, kms, clock, new FieldsealMetrics())) {
            for (int i = 0; i < 2_000; i++) {
                refused(u, forge(honest, null, randomWrapped()));
                refused(u, forge(honest, randomVersion(), null));
            }
            vault.rotate(key);
            byte[] afterRotation = sealGenuine();
            vault.reset();
            // The rotation event reaches the reader: the new version is listed and unwrapped at once,
            // with a budget of its own that the flood under the old version did not spend.
            new ReaderNotice(c, new FieldsealMetrics(), u).keyRotated(vault.keyId(key));
            assertArrayEquals(SECRET, u.unseal(afterRotation, "card", Map.of()));
            assertEquals(1, vault.count("versions"));
            assertEquals(1, vault.count("unwrapkey"));
            for (int i = 1; i < BURST; i++) { // a burst of writers under the new version, each with its own DEK
                byte[] next = sealGenuine();
                assertArrayEquals(SECRET, u.unseal(next, "card", Map.of()), "value " + i + " under the new version");
            }
        }
    }

    @Test
    void withoutARotationEventANewVersionYoungerThanTheListOpensAtOnce() {
        byte[] honest = sealGenuine();
        FieldsealConfig c = config();
        try (AzureKeyVaultKms kms = kms(c); Unsealer u = new Unsealer(c, kms, clock, new FieldsealMetrics())) {
            assertArrayEquals(SECRET, u.unseal(honest, "card", Map.of())); // lists the versions
            vault.rotate(key);
            byte[] afterRotation = sealGenuine();
            // Not in the list fetched a moment ago, and not due for another: the unwrap decides.
            assertArrayEquals(SECRET, u.unseal(afterRotation, "card", Map.of()));
        }
    }

    @Test
    void aDisabledVersionIsRefusedWithoutACallAfterTheFirst() {
        String v1 = vault.currentVersion(key);
        byte[] first = sealGenuine();
        byte[] second = sealGenuine();
        FieldsealConfig c = config();
        try (AzureKeyVaultKms kms = kms(c); Unsealer u = new Unsealer(c, kms, clock, new FieldsealMetrics())) {
            assertArrayEquals(SECRET, u.unseal(first, "card", Map.of())); // v1 listed enabled
            vault.rotate(key);
            vault.setEnabled(key, v1, false);
            vault.reset();
            // The list says enabled (fetched before): the unwrap is sent once and answers DISABLED ...
            assertEquals(FailureClass.PERMANENT_KMS, refused(u, second));
            assertEquals(1, vault.count("unwrapkey"));
            // ... and from then on, new DEKs under v1 are refused without any call.
            for (int i = 0; i < 1_000; i++) {
                assertEquals(FailureClass.PERMANENT_KMS, refused(u, forge(second, null, randomWrapped())));
            }
            assertEquals(1, vault.count("unwrapkey"));
            assertEquals(0, vault.count("versions"));
        }
        // A reader that lists after the disable refuses even the first without an unwrap.
        vault.reset();
        try (AzureKeyVaultKms kms = kms(c); Unsealer u = new Unsealer(c, kms, clock, new FieldsealMetrics())) {
            KmsException e = assertThrows(KmsException.class, () -> u.unseal(second, "card", Map.of()));
            assertEquals(KmsException.Reason.DISABLED, e.reason());
            assertEquals(0, vault.count("unwrapkey"));
            assertEquals(1, vault.count("versions"));
        }
    }

    @Test
    void withoutTheListPermissionForgedVersionsCostAtMostTheBudgetAndEachOneCall() {
        byte[] honest = sealGenuine();
        FieldsealConfig c = config();
        vault.grantOnly(KeyVaultDouble.EMULATOR_TOKEN, "get", "wrapKey", "unwrapKey");
        try (AzureKeyVaultKms kms = kms(c); Unsealer u = new Unsealer(c, kms, clock, new FieldsealMetrics())) {
            vault.reset();
            assertArrayEquals(SECRET, u.unseal(honest, "card", Map.of()), "listing refused: the unwrap decides");
            String[] forged = new String[1_000];
            Map<FailureClass, Integer> classes = new EnumMap<>(FailureClass.class);
            for (int i = 0; i < forged.length; i++) {
                forged[i] = randomVersion();
                classes.merge(refused(u, forge(honest, forged[i], null)), 1, Integer::sum);
            }
            assertEquals(1, vault.count("versions"), "a refused listing is not tried again within the interval");
            assertEquals(BURST, vault.count("unwrapkey"), "the honest unwrap and burst - 1 forged versions " + classes
                    + vault.requestLog().subList(0, 5));
            assertEquals(Map.of(FailureClass.PERMANENT_KMS, BURST - 1, FailureClass.RATE_LIMITED,
                    forged.length - BURST + 1), classes);
            // The versions Key Vault said it does not have are refused again without a call.
            for (int i = 0; i < BURST - 1; i++) {
                assertEquals(FailureClass.PERMANENT_KMS, refused(u, forge(honest, forged[i], null)));
            }
            assertEquals(BURST, vault.count("unwrapkey"));
        } finally {
            vault.grantAll(KeyVaultDouble.EMULATOR_TOKEN);
        }
    }
}
