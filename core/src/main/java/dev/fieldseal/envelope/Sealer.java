package dev.fieldseal.envelope;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.fieldseal.cipher.AesGcm;
import dev.fieldseal.cipher.CipherSuite;
import dev.fieldseal.config.FieldsealConfig;
import dev.fieldseal.dek.DecryptionKeys;
import dev.fieldseal.dek.DeterministicKey;
import dev.fieldseal.dek.EncryptionDek;
import dev.fieldseal.dek.EncryptionKeys;
import dev.fieldseal.dek.KekAllowlist;
import dev.fieldseal.format.EnvelopeLayout;
import dev.fieldseal.kms.KekRef;
import dev.fieldseal.kms.Kms;
import dev.fieldseal.kms.KmsException;
import dev.fieldseal.metrics.FieldsealMetrics;
import java.security.GeneralSecurityException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The encrypting side of the envelope, shared by every host: turns a value's plaintext bytes
 * into one wire-format envelope, bound to its field path. Thread-safe; one per host instance.
 *
 * <p>Randomized values use the current DEK of {@link EncryptionKeys} with AES-256-GCM;
 * deterministic values use the configured {@link DeterministicKey} with AES-SIV.
 */
public final class Sealer implements AutoCloseable {

    private static final byte[] HEADER_GCM = {EnvelopeLayout.MAGIC[0], EnvelopeLayout.MAGIC[1],
            EnvelopeLayout.MAGIC[2], EnvelopeLayout.VERSION, CipherSuite.AES_256_GCM.code()};
    private static final byte[] HEADER_SIV = {EnvelopeLayout.MAGIC[0], EnvelopeLayout.MAGIC[1],
            EnvelopeLayout.MAGIC[2], EnvelopeLayout.VERSION, CipherSuite.AES_SIV_512.code()};

    private final Kms kms;
    private final boolean ownsKms;
    private final EncryptionKeys keys;
    private final boolean headerPlacement;
    private final String deterministicDek;
    private final FieldsealMetrics metrics;
    private final Ticker ticker;
    private final Map<String, byte[]> gcmAad = new ConcurrentHashMap<>();
    private final Map<String, byte[]> sivAad = new ConcurrentHashMap<>();
    private volatile DeterministicKey deterministic;

    /** A sealer with its own key manager client, built from config. */
    public static Sealer create(FieldsealConfig config, FieldsealMetrics metrics) {
        String kekId = config.requireKekId();
        return new Sealer(config, dev.fieldseal.kms.KmsFactory.create(kekId, config, metrics), true,
                Ticker.systemTicker(), metrics);
    }

    /** A sealer over a shared key manager client (which the caller closes). */
    public Sealer(FieldsealConfig config, Kms kms, Ticker ticker, FieldsealMetrics metrics) {
        this(config, kms, false, ticker, metrics);
    }

    /** The headers of records that use one DEK, built once per DEK. */
    private final OneKeyHeaders oneKeyHeaders = new OneKeyHeaders();

    private Sealer(FieldsealConfig config, Kms kms, boolean ownsKms, Ticker ticker, FieldsealMetrics metrics) {
        this.kms = kms;
        this.ownsKms = ownsKms;
        this.metrics = metrics;
        this.ticker = ticker;
        this.keys = new EncryptionKeys(kms, config.requireKekId(),
                config.getLong(FieldsealConfig.DEK_MAX_ENCRYPTIONS), config.getLong(FieldsealConfig.DEK_MAX_AGE_MS),
                config.getLong(FieldsealConfig.KEK_REFRESH_MS), ticker, metrics);
        this.headerPlacement = config.headerPlacement();
        this.deterministicDek = config.getString(FieldsealConfig.DETERMINISTIC_DEK);
        if (!config.deterministicFields().isEmpty() && (deterministicDek == null || deterministicDek.isBlank())) {
            throw new org.apache.kafka.common.config.ConfigException(FieldsealConfig.DETERMINISTIC_DEK, null,
                    "deterministic.fields is set, so deterministic.dek is required: create one with "
                            + "'" + dev.fieldseal.dek.DeterministicDekTool.COMMAND + "' and paste its output here.");
        }
    }

    /** Starts a record: collects what its values use, for the record's headers. */
    public SealedRecord newRecord() {
        return new SealedRecord(headerPlacement, oneKeyHeaders);
    }

    /**
     * Encrypts one value.
     *
     * @param plaintext the value's codec bytes
     * @param path the canonical field path (bound as associated data)
     * @param deterministic AES-SIV instead of AES-GCM
     * @param record collects the DEK used, for the record's headers
     * @throws KmsException if no DEK is available (the caller must not emit the record)
     */
    public byte[] seal(byte[] plaintext, String path, boolean deterministic, SealedRecord record) {
        return deterministic ? sealSiv(plaintext, path, record) : sealGcm(plaintext, path, record);
    }

    private byte[] sealGcm(byte[] plaintext, String path, SealedRecord record) {
        byte[] aad = gcmAad.computeIfAbsent(path, p -> EnvelopeLayout.aad(CipherSuite.AES_256_GCM, p));
        byte[] nonce = new byte[AesGcm.NONCE_LENGTH];
        for (int attempt = 0; ; attempt++) {
            // One DEK per record (one EDEK header, one key version), unless it runs out or was destroyed.
            EncryptionDek dek = record.dek;
            if (dek == null || dek.key().isDestroyed() || !dek.nextNonce(nonce, 0)) {
                dek = keys.next(nonce, 0);
                record.dek = dek;
            }
            byte[] keyBlock = headerPlacement ? dek.dekRef() : dek.edekBlock();
            int bodyAt = EnvelopeLayout.PREFIX_LENGTH + keyBlock.length + AesGcm.NONCE_LENGTH;
            byte[] out = new byte[bodyAt + plaintext.length + AesGcm.TAG_LENGTH];
            writePrefix(out, HEADER_GCM, keyBlock);
            System.arraycopy(nonce, 0, out, bodyAt - AesGcm.NONCE_LENGTH, AesGcm.NONCE_LENGTH);
            try {
                AesGcm.encrypt(dek.key(), nonce, aad, plaintext, out, bodyAt);
            } catch (GeneralSecurityException | IllegalStateException e) {
                if (dek.key().isDestroyed() && attempt < 3) {
                    continue; // retired under our feet by another thread: take the new DEK
                }
                metrics.failure("encrypt");
                throw new IllegalStateException("AES-GCM encryption failed: " + e.getClass().getSimpleName());
            }
            record.used(dek.edek().kek(), dek.dekRef(), dek.edekBlock());
            return out;
        }
    }

    private byte[] sealSiv(byte[] plaintext, String path, SealedRecord record) {
        DeterministicKey det = deterministicKey();
        byte[] aad = sivAad.computeIfAbsent(path, p -> EnvelopeLayout.aad(CipherSuite.AES_SIV_512, p));
        byte[] body;
        try {
            body = det.siv().encrypt(plaintext, aad);
        } catch (GeneralSecurityException e) {
            metrics.failure("encrypt");
            throw new IllegalStateException("AES-SIV encryption failed: " + e.getClass().getSimpleName());
        }
        byte[] keyBlock = headerPlacement ? det.dekRef() : det.edekBlock();
        byte[] out = new byte[EnvelopeLayout.PREFIX_LENGTH + keyBlock.length + body.length];
        writePrefix(out, HEADER_SIV, keyBlock);
        System.arraycopy(body, 0, out, EnvelopeLayout.PREFIX_LENGTH + keyBlock.length, body.length);
        record.used(det.edek().kek(), det.dekRef(), det.edekBlock());
        return out;
    }

    private void writePrefix(byte[] out, byte[] header, byte[] keyBlock) {
        System.arraycopy(header, 0, out, 0, header.length);
        out[5] = headerPlacement ? EnvelopeLayout.KEY_REFERENCE : EnvelopeLayout.KEY_INLINE;
        System.arraycopy(keyBlock, 0, out, EnvelopeLayout.PREFIX_LENGTH, keyBlock.length);
    }

    private DeterministicKey deterministicKey() {
        DeterministicKey d = deterministic;
        if (d == null) {
            synchronized (this) {
                if (deterministic == null) {
                    if (deterministicDek == null || deterministicDek.isBlank()) {
                        throw new org.apache.kafka.common.config.ConfigException(FieldsealConfig.DETERMINISTIC_DEK,
                                null, "A deterministic field needs deterministic.dek.");
                    }
                    String keyId = kms.versionlessId(keys.kek().keyId());
                    try (DecryptionKeys once = new DecryptionKeys(kms, new KekAllowlist(List.of(keyId)), 1,
                            60_000, ticker, metrics)) {
                        // The key is copied into the AES-SIV primitive; the cache then destroys its copy.
                        deterministic = DeterministicKey.load(deterministicDek, once);
                    }
                }
                d = deterministic;
            }
        }
        return d;
    }

    /** The KEK version that wraps new DEKs now (resolving it if needed). */
    public KekRef currentKek() {
        return keys.kek();
    }

    /** The versionless id of the configured KEK, as written to the {@code fieldseal.kek.id} header. */
    public String kekId() {
        return keys.kek().keyId();
    }

    /**
     * Makes sure a DEK exists (resolving the KEK and wrapping a DEK), so configuration and
     * reachability problems surface at start-up rather than with the first record.
     */
    public void warmUp() {
        keys.current();
        if (deterministicDek != null && !deterministicDek.isBlank()) {
            deterministicKey();
        }
    }

    /** Re-resolves the KEK now, e.g. on a Key Vault {@code KeyNewVersionCreated} event. */
    public CompletionStage<KekRef> refreshNow() {
        return keys.refreshNow();
    }

    public FieldsealMetrics metrics() {
        return metrics;
    }

    @Override
    public void close() {
        keys.close();
        if (ownsKms) {
            kms.close();
        }
    }
}
