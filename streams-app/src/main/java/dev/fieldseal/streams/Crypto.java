package dev.fieldseal.streams;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.fieldseal.config.FieldsealConfig;
import dev.fieldseal.envelope.Rekeyer;
import dev.fieldseal.envelope.Sealer;
import dev.fieldseal.envelope.Unsealer;
import dev.fieldseal.failure.FailurePolicy;
import dev.fieldseal.keyselect.KekTemplate;
import dev.fieldseal.kms.Kms;
import dev.fieldseal.kms.KmsFactory;
import dev.fieldseal.metrics.FieldsealMetrics;
import dev.fieldseal.rotation.ReaderNotice;
import dev.fieldseal.rotation.RotationEventsListener;
import dev.fieldseal.rotation.RotationEventsSettings;
import java.util.List;
import java.util.Map;

/**
 * The envelope objects one app instance needs for its mode, over one shared key manager client.
 * Thread-safe; shared by every stream thread.
 */
public final class Crypto implements AutoCloseable {

    private final String mode;
    private final Kms kms;
    private final boolean ownsKms;
    private final String kekId;
    private final Sealer sealer;
    private final Unsealer unsealer;
    private final Rekeyer rekeyer;
    private final FieldsealMetrics metrics;
    private final FieldsealConfig config;
    /** Taken before the key is first resolved: rotation events from then on are acted on. */
    private final long createdAtMs = System.currentTimeMillis();
    private RotationEventsListener rotationEvents;

    private Crypto(String mode, Kms kms, boolean ownsKms, FieldsealConfig config, FieldsealMetrics metrics) {
        this.mode = mode;
        this.kms = kms;
        this.ownsKms = ownsKms;
        this.metrics = metrics;
        this.config = config;
        this.kekId = checkedKekId(config);
        Ticker t = Ticker.systemTicker();
        this.sealer = StreamsAppConfig.MODE_ENCRYPT.equals(mode) ? new Sealer(config, kms, t, metrics) : null;
        this.unsealer = StreamsAppConfig.MODE_DECRYPT.equals(mode) ? new Unsealer(config, kms, t, metrics) : null;
        this.rekeyer = StreamsAppConfig.MODE_REKEY.equals(mode) ? new Rekeyer(config, kms, t, metrics) : null;
    }

    /** Builds the provider from {@code kek.id} (or the first of {@code kek.allowed} when decrypting without one). */
    public static Crypto create(String mode, FieldsealConfig config, FieldsealMetrics metrics) {
        String id = checkedKekId(config);
        if (id == null) {
            List<String> allowed = config.getList(FieldsealConfig.KEK_ALLOWED);
            id = allowed.isEmpty() ? config.requireKekId() : allowed.get(0);
        }
        return new Crypto(mode, KmsFactory.create(id, config, metrics), true, config, metrics);
    }

    /** Over a caller-owned key manager (tests inject faults this way). */
    public static Crypto over(String mode, FieldsealConfig config, Kms kms, FieldsealMetrics metrics) {
        return new Crypto(mode, kms, false, config, metrics);
    }

    private static String checkedKekId(FieldsealConfig config) {
        String id = config.kekId();
        return id == null || id.isBlank() ? null : id;
    }

    /** Surfaces configuration and reachability problems at start rather than with the first record. */
    public void warmUp() {
        if (sealer != null) {
            sealer.warmUp();
        }
    }

    /**
     * Starts reading rotation events if {@code rotation.events.topic} is set (once; closed with this
     * object). The consumer borrows the Kafka Streams brokers and security settings unless the
     * {@code rotation.events.consumer.} settings name their own.
     */
    synchronized void startRotationEvents(Map<String, Object> streamsProps, AppMetrics appMetrics) {
        if (rotationEvents != null) {
            return;
        }
        ReaderNotice reader = StreamsAppConfig.MODE_DECRYPT.equals(mode) ? new ReaderNotice(config, metrics, unsealer) : null;
        rotationEvents = RotationEventsSettings.of(config).start(streamsProps, createdAtMs,
                new RotationEventHandler(this, appMetrics, reader));
    }

    /** True if {@code versionlessKeyId} is the configured KEK and this mode seals or re-keys with it. */
    boolean isOurKek(String versionlessKeyId) {
        if (kekId == null || sealer == null && rekeyer == null) {
            return false;
        }
        if (perRecordKeys()) {
            return true; // a template: the sealer or re-keyer knows which keys it holds (refreshIfOurs)
        }
        return kms.versionlessId(kekId).equalsIgnoreCase(versionlessKeyId);
    }

    /** Whether kek.id is a template: each record picks its key. */
    public boolean perRecordKeys() {
        return kekId != null && KekTemplate.isTemplate(kekId);
    }

    /**
     * Re-resolves the KEK if {@code versionlessKeyId} is the configured one (a rotation event).
     *
     * @return true if it was ours and was refreshed
     */
    public boolean refreshIfOurs(String versionlessKeyId) {
        if (!isOurKek(versionlessKeyId)) {
            return false;
        }
        if (perRecordKeys()) {
            boolean held = false;
            if (sealer != null) {
                List<java.util.concurrent.CompletionStage<dev.fieldseal.kms.KekRef>> started =
                        sealer.refreshNow(versionlessKeyId);
                started.forEach(dev.fieldseal.kms.KmsCalls::join);
                held = !started.isEmpty();
            }
            if (rekeyer != null) {
                held |= rekeyer.refresh(versionlessKeyId);
            }
            return held;
        }
        if (sealer != null) {
            dev.fieldseal.kms.KmsCalls.join(sealer.refreshNow());
        }
        if (rekeyer != null) {
            rekeyer.refresh();
        }
        return true;
    }

    public String mode() {
        return mode;
    }

    public Kms kms() {
        return kms;
    }

    /** The configured kek.id, or null (decrypting with kek.allowed only). */
    public String kekId() {
        return kekId;
    }

    public Sealer sealer() {
        return sealer;
    }

    public Unsealer unsealer() {
        return unsealer;
    }

    public Rekeyer rekeyer() {
        return rekeyer;
    }

    /** {@code fieldseal.on.failure}: what {@code decrypt} does with a value it cannot open. */
    public FailurePolicy failurePolicy() {
        return FailurePolicy.of(config.onFailure());
    }

    public FieldsealMetrics metrics() {
        return metrics;
    }

    @Override
    public void close() {
        synchronized (this) {
            if (rotationEvents != null) {
                rotationEvents.close();
                rotationEvents = null;
            }
        }
        if (sealer != null) {
            sealer.close();
        }
        if (unsealer != null) {
            unsealer.close();
        }
        if (rekeyer != null) {
            rekeyer.close();
        }
        if (ownsKms) {
            kms.close();
        }
    }
}
