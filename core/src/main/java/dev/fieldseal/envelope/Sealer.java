package dev.fieldseal.envelope;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.fieldseal.cipher.AesGcm;
import dev.fieldseal.cipher.CipherSuite;
import dev.fieldseal.config.FieldsealConfig;
import dev.fieldseal.dek.DecryptionKeys;
import dev.fieldseal.dek.DeterministicKey;
import dev.fieldseal.dek.EncryptionDek;
import dev.fieldseal.dek.EncryptionKeyPool;
import dev.fieldseal.dek.EncryptionKeys;
import dev.fieldseal.dek.KekAllowlist;
import dev.fieldseal.format.EnvelopeLayout;
import dev.fieldseal.kms.KekRef;
import dev.fieldseal.kms.Kms;
import dev.fieldseal.keyselect.KeySelection;
import dev.fieldseal.keyselect.RecordFields;
import dev.fieldseal.kms.KmsException;
import dev.fieldseal.metrics.FieldsealMetrics;
import java.security.GeneralSecurityException;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * The encrypting side of the envelope, shared by every host: turns a value's plaintext bytes
 * into one wire-format envelope, bound to its field path. Thread-safe; one per host instance.
 *
 * <p>Randomized values use the current DEK of {@link EncryptionKeys} with AES-256-GCM;
 * deterministic values use the configured {@link DeterministicKey} with AES-SIV.
 *
 * <p>When {@code kek.id} is a template (a key per tenant or topic), each record is started with
 * its topic, key and value ({@link #newRecord(String, RecordFields, RecordFields)}), which pick its
 * key; an {@link EncryptionKeyPool} holds one DEK lifecycle per key picked, bounded.
 */
public final class Sealer implements AutoCloseable {

    private static final byte[] HEADER_GCM = {EnvelopeLayout.MAGIC[0], EnvelopeLayout.MAGIC[1],
            EnvelopeLayout.MAGIC[2], EnvelopeLayout.VERSION, CipherSuite.AES_256_GCM.code()};
    private static final byte[] HEADER_SIV = {EnvelopeLayout.MAGIC[0], EnvelopeLayout.MAGIC[1],
            EnvelopeLayout.MAGIC[2], EnvelopeLayout.VERSION, CipherSuite.AES_SIV_512.code()};

    private final Kms kms;
    private final boolean ownsKms;
    /** The one key's DEKs; null when kek.id is a template. */
    private final EncryptionKeys keys;
    private final KeySelection selection;
    /** One DEK lifecycle per key a template picked; null when kek.id names one key. */
    private final EncryptionKeyPool pool;
    private final boolean headerPlacement;
    private final String deterministicDek;
    private final FieldsealMetrics metrics;
    private final Ticker ticker;
    /**
     * Associated data by path. Paths come from the record under {@code [*]} (schemaless map keys),
     * and a source can carry data its writers chose: bounded like the reader's ({@link PathAad#MAX_BYTES}).
     */
    private final PathAad gcmAad = new PathAad(CipherSuite.AES_256_GCM);
    private final PathAad sivAad = new PathAad(CipherSuite.AES_SIV_512);
    private volatile DeterministicKey deterministic;

    /** A sealer with its own key manager client, built from config. */
    public static Sealer create(FieldsealConfig config, FieldsealMetrics metrics) {
        KeySelection selection = KeySelection.of(config);
        String kekId = selection.perRecord() ? selection.template().text() : config.requireKekId();
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
        this.selection = KeySelection.of(config);
        long maxEncryptions = config.getLong(FieldsealConfig.DEK_MAX_ENCRYPTIONS);
        long maxAgeMs = config.getLong(FieldsealConfig.DEK_MAX_AGE_MS);
        long refreshMs = config.getLong(FieldsealConfig.KEK_REFRESH_MS);
        if (selection.perRecord()) {
            this.keys = null;
            this.pool = new EncryptionKeyPool(kms, config.getLong(FieldsealConfig.KEK_TEMPLATE_CACHE_SIZE),
                    maxEncryptions, maxAgeMs, refreshMs, ticker, metrics);
        } else {
            this.keys = new EncryptionKeys(kms, config.requireKekId(), maxEncryptions, maxAgeMs, refreshMs, ticker,
                    metrics);
            this.pool = null;
        }
        this.headerPlacement = config.headerPlacement();
        this.deterministicDek = config.getString(FieldsealConfig.DETERMINISTIC_DEK);
        if (!config.deterministicFields().isEmpty() && (deterministicDek == null || deterministicDek.isBlank())) {
            throw new org.apache.kafka.common.config.ConfigException(FieldsealConfig.DETERMINISTIC_DEK, null,
                    "deterministic.fields is set, so deterministic.dek is required: create one with "
                            + "'" + dev.fieldseal.dek.DeterministicDekTool.COMMAND + "' and paste its output here.");
        }
    }

    /**
     * Starts a record under the one configured key: collects what its values use, for the
     * record's headers.
     *
     * @throws IllegalStateException if kek.id is a template (the record's fields pick its key)
     */
    public SealedRecord newRecord() {
        if (keys == null) {
            throw new IllegalStateException("kek.id is a template (" + selection.template() + "): each record is "
                    + "started with its topic, key and value, which pick its key.");
        }
        SealedRecord r = new SealedRecord(headerPlacement, oneKeyHeaders);
        r.keys = keys;
        return r;
    }

    /**
     * Starts a record whose key is picked by {@code kek.id}'s template from its topic, key and value
     * (or the one configured key, when kek.id is not a template).
     *
     * @throws dev.fieldseal.keyselect.KeySelectionException if the record cannot name a valid key
     */
    public SealedRecord newRecord(String topic, RecordFields key, RecordFields value) {
        if (pool == null) {
            return newRecord();
        }
        SealedRecord r = new SealedRecord(headerPlacement, oneKeyHeaders);
        r.keys = pool.get(selection.keyIdFor(topic, key, value));
        return r;
    }

    /** Which key seals a record (kek.id, or its template). */
    public KeySelection keySelection() {
        return selection;
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
        byte[] aad = gcmAad.of(path);
        byte[] nonce = new byte[AesGcm.NONCE_LENGTH];
        for (int attempt = 0; ; attempt++) {
            // One DEK per record (one EDEK header, one key version), unless it runs out or was destroyed.
            EncryptionDek dek = record.dek;
            if (dek == null || dek.key().isDestroyed() || !dek.nextNonce(nonce, 0)) {
                dek = record.keys.next(nonce, 0);
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
        byte[] aad = sivAad.of(path);
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
                    String keyId = keys != null ? kms.versionlessId(keys.kek().keyId())
                            : dev.fieldseal.format.EnvelopeLayout.parseEdekBlock(DeterministicKey.parse(deterministicDek))
                                    .kek().keyId(); // under a template: the deterministic DEK's own key
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

    /** The KEK version that wraps new DEKs now (resolving it if needed); the fallback key's under a template. */
    public KekRef currentKek() {
        return single().kek();
    }

    /**
     * The versionless id of the configured KEK, as written to the {@code fieldseal.kek.id} header;
     * under a template, the template itself.
     */
    public String kekId() {
        return keys != null ? keys.kek().keyId() : selection.template().text();
    }

    /** The one key's DEKs: kek.id's, or under a template the fallback key's. */
    private EncryptionKeys single() {
        if (keys != null) {
            return keys;
        }
        if (selection.fallback() == null) {
            throw new IllegalStateException("kek.id is a template (" + selection.template() + ") without a fallback "
                    + "key: there is no single current key.");
        }
        return pool.get(selection.fallback());
    }

    /**
     * Makes sure a DEK exists (resolving the KEK and wrapping a DEK), so configuration and
     * reachability problems surface at start-up rather than with the first record.
     */
    public void warmUp() {
        if (keys != null || selection.fallback() != null) {
            single().current(); // under a template without fallback, keys are met with their records
        }
        if (deterministicDek != null && !deterministicDek.isBlank()) {
            deterministicKey();
        }
    }

    /** Re-resolves the KEK now, e.g. on a Key Vault {@code KeyNewVersionCreated} event. */
    public CompletionStage<KekRef> refreshNow() {
        return single().refreshNow();
    }

    /**
     * Re-resolves {@code versionlessKeyId} now if this sealer seals with it (a rotation event for
     * it): kek.id's key, or under a template any key it holds.
     *
     * @return the refreshes started; empty if the key is not one this sealer uses
     */
    public List<CompletionStage<KekRef>> refreshNow(String versionlessKeyId) {
        if (pool != null) {
            return pool.refreshNow(versionlessKeyId);
        }
        return keys.kek().keyId().equalsIgnoreCase(versionlessKeyId) ? List.of(keys.refreshNow()) : List.of();
    }

    public FieldsealMetrics metrics() {
        return metrics;
    }

    /** Associated-data entries held now, both suites (tests: the bound). */
    long aadEntries() {
        return gcmAad.size() + sivAad.size();
    }

    @Override
    public void close() {
        if (keys != null) {
            keys.close();
        }
        if (pool != null) {
            pool.close();
        }
        if (ownsKms) {
            kms.close();
        }
    }
}
