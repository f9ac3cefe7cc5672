package dev.fieldseal.streams;

import dev.fieldseal.kms.Edek;
import dev.fieldseal.kms.KekRef;
import dev.fieldseal.kms.Kms;
import dev.fieldseal.kms.KmsCalls;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Proves the KEK is usable: every interval, a throwaway DEK is wrapped with the newest version of
 * the KEK and unwrapped again through the key manager (a real Key Vault round trip). /health
 * reads the last result and never waits on Key Vault.
 */
final class KekHealth implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KekHealth.class);

    /** The last check. */
    record Status(boolean ok, long checkedAtMs, long lastSuccessMs, String error, String version) {
    }

    private final Kms kms;
    private final String kekId;
    private final long intervalMs;
    private final ScheduledExecutorService timer;
    private final SecureRandom random = new SecureRandom();
    private volatile Status status = new Status(false, 0, 0, "not checked yet", null);

    KekHealth(Kms kms, String kekId, long intervalMs) {
        this.kms = kms;
        this.kekId = kekId;
        this.intervalMs = intervalMs;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "fieldseal-kek-health");
            t.setDaemon(true);
            return t;
        });
    }

    void start() {
        timer.scheduleWithFixedDelay(this::check, 0, intervalMs, TimeUnit.MILLISECONDS);
    }

    void check() {
        long now = System.currentTimeMillis();
        byte[] raw = new byte[32];
        random.nextBytes(raw);
        SecretKey dek = new SecretKeySpec(raw, "AES");
        try {
            KekRef kek = KmsCalls.join(kms.resolve(kekId));
            Edek edek = KmsCalls.join(kms.wrap(kek, dek));
            SecretKey back = KmsCalls.join(kms.unwrap(edek));
            boolean same = MessageDigest.isEqual(raw, back.getEncoded());
            if (!same) {
                throw new IllegalStateException("unwrapped key differs from the wrapped one");
            }
            status = new Status(true, now, now, null, kek.version());
        } catch (RuntimeException e) {
            String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            LOG.warn("KEK health check failed for {}: {}", kekId, msg);
            status = new Status(false, now, status.lastSuccessMs(), msg, status.version());
        } finally {
            java.util.Arrays.fill(raw, (byte) 0);
        }
    }

    /** True if a round trip succeeded within twice the interval (one check may be in flight). */
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

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
