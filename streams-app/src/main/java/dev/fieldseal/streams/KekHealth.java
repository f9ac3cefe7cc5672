package dev.fieldseal.streams;

import dev.fieldseal.kms.Edek;
import dev.fieldseal.kms.KekRef;
import dev.fieldseal.kms.Kms;
import dev.fieldseal.kms.KmsCalls;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Proves, every interval, that the KEK is usable with the permissions the mode needs, so that a
 * probe on /health never asks the identity for more than the app itself does:
 * <ul>
 * <li>{@link Check#RESOLVE}: resolves the newest version of the KEK (one Key Vault GET). For an RSA
 * key that is all an encrypting producer ever asks of Key Vault (wraps are local), so an identity
 * with get permission only stays healthy.</li>
 * <li>{@link Check#ROUND_TRIP}: wraps a throwaway DEK with the newest version and unwraps it again
 * through the key manager (a real Key Vault unwrap), as decrypting and re-keying do.</li>
 * </ul>
 * /health reads the last result and never waits on Key Vault.
 */
final class KekHealth implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KekHealth.class);

    /** What the check does; {@link #label} is how the config and /health spell it. */
    enum Check {
        RESOLVE(StreamsAppConfig.KEK_CHECK_RESOLVE),
        ROUND_TRIP(StreamsAppConfig.KEK_CHECK_ROUND_TRIP);

        final String label;

        Check(String label) {
            this.label = label;
        }
    }

    /** The last check: the version it saw, when it last succeeded, and the last error (no key material). */
    record Status(boolean ok, long checkedAtMs, long lastSuccessMs, String error, String version) {
    }

    private final Kms kms;
    private final String kekId;
    private final Check check;
    private final long intervalMs;
    private final ScheduledExecutorService timer;
    private final SecureRandom random = new SecureRandom();
    private volatile Status status = new Status(false, 0, 0, "not checked yet", null);

    KekHealth(Kms kms, String kekId, Check check, long intervalMs) {
        this.kms = kms;
        this.kekId = kekId;
        this.check = check;
        this.intervalMs = intervalMs;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "fieldseal-kek-health");
            t.setDaemon(true);
            return t;
        });
    }

    void start() {
        timer.scheduleWithFixedDelay(this::runOnce, 0, intervalMs, TimeUnit.MILLISECONDS);
    }

    /** One check; its result becomes {@link #status()}. */
    void runOnce() {
        long now = System.currentTimeMillis();
        try {
            KekRef kek = KmsCalls.join(kms.resolve(kekId));
            if (check == Check.ROUND_TRIP) {
                roundTrip(kek);
            }
            status = new Status(true, now, now, null, kek.version());
        } catch (RuntimeException e) {
            String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            LOG.warn("KEK health check ({}) failed for {}: {}", check.label, kekId, msg);
            status = new Status(false, now, status.lastSuccessMs(), msg, status.version());
        }
    }

    private void roundTrip(KekRef kek) {
        byte[] raw = new byte[32];
        random.nextBytes(raw);
        try {
            SecretKey dek = new SecretKeySpec(raw, "AES");
            Edek edek = KmsCalls.join(kms.wrap(kek, dek));
            SecretKey back = KmsCalls.join(kms.unwrap(edek));
            byte[] got = back.getEncoded();
            boolean same = MessageDigest.isEqual(raw, got);
            Arrays.fill(got, (byte) 0);
            if (!same) {
                throw new IllegalStateException("the key unwrapped with " + kek + " differs from the one wrapped");
            }
        } finally {
            Arrays.fill(raw, (byte) 0);
        }
    }

    /** True if a check succeeded within twice the interval (one check may be in flight). */
    boolean healthy() {
        Status s = status;
        return s.lastSuccessMs() > 0 && System.currentTimeMillis() - s.lastSuccessMs() <= 2 * intervalMs;
    }

    Status status() {
        return status;
    }

    String kekId() {
        return kekId;
    }

    Check check() {
        return check;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
