package dev.fieldseal.envelope;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.fieldseal.cipher.CipherSuite;
import dev.fieldseal.config.FieldsealConfig;
import dev.fieldseal.dek.DataKey;
import dev.fieldseal.dek.DecryptionKeys;
import dev.fieldseal.dek.DeterministicKey;
import dev.fieldseal.dek.EncryptionKeyPool;
import dev.fieldseal.dek.EncryptionKeys;
import dev.fieldseal.keyselect.KeySelection;
import dev.fieldseal.dek.KekAllowlist;
import dev.fieldseal.dek.UnwrapGuard;
import dev.fieldseal.format.DecryptionException;
import dev.fieldseal.format.DecryptionException.Reason;
import dev.fieldseal.format.EdekHeader;
import dev.fieldseal.format.Envelope;
import dev.fieldseal.format.EnvelopeLayout;
import dev.fieldseal.kms.Edek;
import dev.fieldseal.kms.KekRef;
import dev.fieldseal.kms.Kms;
import dev.fieldseal.kms.KmsCalls;
import dev.fieldseal.metrics.FieldsealMetrics;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Moves encrypted values to the newest version of a KEK without touching their ciphertext: the
 * DEK of an older EDEK is unwrapped (once per distinct DEK, through the allowlisted cache) and
 * wrapped again by the newest KEK version, and only the envelope's key block (or, under header
 * placement, the record's {@code fieldseal.edek} header and the value's DEK reference) changes.
 * Nonce, ciphertext and tag stay byte-identical. Values already under the newest version are
 * returned as the same array.
 *
 * <p>The target version follows rotation like an encrypting host: re-resolved every
 * {@code kek.refresh.ms} in the background and at once on {@link #refresh()} (a rotation event).
 * A re-wrap is cached per (old EDEK, target version), so a long-running re-key never hands out a
 * block wrapped by an earlier target after the key rotated again.
 *
 * <p>Deterministic (AES-SIV) values must keep equal bytes everywhere, in every producer and every
 * re-key instance, or compaction and partitioning by a sealed key break. A random RSA-OAEP re-wrap
 * would differ per process, so their key block is taken from the configured
 * {@code deterministic.dek} when it wraps the same DEK under the target version (the operator
 * prints it with {@code fieldseal deterministic-dek --rewrap}). Without one, this process re-wraps
 * the DEK itself, consistently for its own lifetime, and warns once.
 */
public final class Rekeyer implements AutoCloseable {

    private final Kms kms;
    private final DecryptionKeys keys;
    private final KekAllowlist allowlist;
    /** Only its KEK resolution is used: the newest version, refreshed on the timer and on demand. Null under a template. */
    private final EncryptionKeys targets;
    /**
     * kek.id a template: each envelope keeps its key and moves to that key's newest version; one
     * resolution per key, bounded like the encrypting side's. Null otherwise.
     */
    private final EncryptionKeyPool targetsByKey;
    private final FieldsealMetrics metrics;
    /** (old EDEK, target version) to the re-wrapped block, so each DEK is re-wrapped once per target. */
    private final Cache<Rewrap, byte[]> rewrapped;

    private record Rewrap(Edek old, KekRef target) {
    }

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Rekeyer.class);
    /** The configured deterministic DEK's EDEK block, or null. */
    private final byte[] deterministicBlock;
    private final Edek deterministicEdek;
    private volatile boolean warnedDeterministic;

    public Rekeyer(FieldsealConfig config, Kms kms, Ticker ticker, FieldsealMetrics metrics) {
        this.kms = kms;
        this.metrics = metrics;
        List<String> allowed = new ArrayList<>();
        for (String a : Unsealer.allowed(config)) {
            allowed.add(a.endsWith("/") || KekAllowlist.isPattern(a) ? a : kms.versionlessId(a));
        }
        this.allowlist = new KekAllowlist(allowed);
        this.keys = new DecryptionKeys(kms, allowlist, config.getLong(FieldsealConfig.DEK_CACHE_SIZE),
                config.getLong(FieldsealConfig.DEK_CACHE_TTL_MS), ticker, metrics, UnwrapGuard.of(config, kms, ticker));
        this.rewrapped = Caffeine.newBuilder().maximumSize(config.getLong(FieldsealConfig.DEK_CACHE_SIZE)).build();
        if (KeySelection.of(config).perRecord()) {
            this.targets = null;
            this.targetsByKey = new EncryptionKeyPool(kms, config.getLong(FieldsealConfig.KEK_TEMPLATE_CACHE_SIZE),
                    config.getLong(FieldsealConfig.DEK_MAX_ENCRYPTIONS), config.getLong(FieldsealConfig.DEK_MAX_AGE_MS),
                    config.getLong(FieldsealConfig.KEK_REFRESH_MS), ticker, metrics);
        } else {
            this.targetsByKey = null;
            this.targets = new EncryptionKeys(kms, config.requireKekId(),
                    config.getLong(FieldsealConfig.DEK_MAX_ENCRYPTIONS), config.getLong(FieldsealConfig.DEK_MAX_AGE_MS),
                    config.getLong(FieldsealConfig.KEK_REFRESH_MS), ticker, metrics);
            targets.kek(); // a wrong kek.id or credential fails at start, not with the first record
        }
        String det = config.getString(FieldsealConfig.DETERMINISTIC_DEK);
        if (det == null || det.isBlank()) {
            deterministicBlock = null;
            deterministicEdek = null;
        } else {
            deterministicBlock = DeterministicKey.parse(det);
            deterministicEdek = EnvelopeLayout.parseEdekBlock(deterministicBlock);
        }
    }

    /** Re-resolves the newest KEK version now (a rotation event); later values move to it. */
    public KekRef refresh() {
        return KmsCalls.join(targets.refreshNow());
    }

    /**
     * Re-resolves {@code versionlessKeyId} now if values are moved to it (a rotation event).
     *
     * @return whether it is a key this re-keyer moves values to
     */
    public boolean refresh(String versionlessKeyId) {
        if (targetsByKey == null) {
            if (!targets.kek().keyId().equalsIgnoreCase(versionlessKeyId)) {
                return false;
            }
            refresh();
            return true;
        }
        List<java.util.concurrent.CompletionStage<KekRef>> started = targetsByKey.refreshNow(versionlessKeyId);
        started.forEach(KmsCalls::join);
        return !started.isEmpty();
    }

    /** Whether each value keeps its key (kek.id is a template) rather than moving to kek.id's. */
    public boolean keepsKeys() {
        return targetsByKey != null;
    }

    /** The version values are moved to now (kek.id not a template). */
    public KekRef target() {
        return targets.kek();
    }

    /** The version a value under {@code from} moves to: kek.id's newest, or under a template its own key's. */
    private KekRef targetFor(KekRef from) {
        return targetsByKey == null ? targets.kek() : targetsByKey.get(from.keyId()).kek();
    }

    /** Collects what one record's re-keyed values need in their headers. Not thread-safe. */
    public final class RekeyedRecord {
        private final SealedRecord sealed;
        private final Map<ByteBuffer, Edek> headerEdeks;
        private boolean changed;

        RekeyedRecord(Map<ByteBuffer, Edek> headerEdeks, boolean headerPlacement) {
            this.headerEdeks = headerEdeks;
            this.sealed = new SealedRecord(headerPlacement);
        }

        /** Whether any value of the record moved to the newest version. */
        public boolean changed() {
            return changed;
        }

        /** The record's new fieldseal headers (all of them: key id, version and, if used, EDEKs). */
        public Map<String, byte[]> headers() {
            return sealed.headers();
        }
    }

    /**
     * Starts a record.
     *
     * @param edekHeader the record's {@code fieldseal.edek} header, or null
     */
    public RekeyedRecord newRecord(byte[] edekHeader) {
        return newRecord(Unsealer.headerEdeks(edekHeader));
    }

    /**
     * Starts a record whose key and values are re-keyed together, so its new headers name every
     * version they use.
     *
     * @param headerEdeks every EDEK of the record's {@code fieldseal.edek} headers (empty under field placement)
     */
    public RekeyedRecord newRecord(Map<ByteBuffer, Edek> headerEdeks) {
        return new RekeyedRecord(headerEdeks, !headerEdeks.isEmpty());
    }

    /**
     * The value moved to the newest KEK version; {@code envelope} itself if it is already there.
     *
     * @throws DecryptionException if the value is malformed or names a key outside kek.allowed
     * @throws dev.fieldseal.kms.KmsException if Key Vault fails (nothing is half-written)
     */
    public byte[] rekey(byte[] envelope, RekeyedRecord record) {
        Envelope env = EnvelopeLayout.parse(envelope);
        Edek edek = env.edek();
        boolean reference = edek == null;
        if (reference) {
            edek = record.headerEdeks.get(ByteBuffer.wrap(env.dekRef()));
            if (edek == null) {
                throw new DecryptionException(Reason.MISSING_EDEK, "A value refers to a DEK missing from the "
                        + EdekHeader.NAME + " header; it cannot be re-keyed.");
            }
        }
        if (targetsByKey != null && !allowlist.allows(edek.kek())) {
            // the allowlist first: a forged key id is never resolved as a target
            throw new dev.fieldseal.dek.KeyNotAllowedException(edek.kek(), allowlist);
        }
        KekRef to = targetFor(edek.kek());
        if (edek.kek().equals(to)) {
            byte[] block = EnvelopeLayout.edekBlock(edek);
            record.sealed.used(edek.kek(), EnvelopeLayout.dekRef(block), block);
            return envelope;
        }
        boolean deterministic = env.suite() == CipherSuite.AES_SIV_512;
        metrics.audit().attempt(edek.kek().keyId(), edek.kek().version());
        byte[] block = rewrapped.get(new Rewrap(edek, to), r -> rewrap(r.old(), r.target(), deterministic));
        metrics.audit().rekeyed();
        record.sealed.used(to, EnvelopeLayout.dekRef(block), block);
        record.changed = true;
        return reference
                ? env.withKeyBlock(EnvelopeLayout.KEY_REFERENCE, EnvelopeLayout.dekRef(block))
                : env.withKeyBlock(EnvelopeLayout.KEY_INLINE, block);
    }

    /**
     * The fieldseal headers that describe {@code envelopes} as they are (not moved): what a
     * tombstone of a key that moved carries, so that it too names the version its key needs.
     *
     * @param headerEdeks the record's header EDEKs (empty under field placement)
     */
    public Map<String, byte[]> annotation(List<byte[]> envelopes, Map<ByteBuffer, Edek> headerEdeks) {
        SealedRecord rec = new SealedRecord(!headerEdeks.isEmpty());
        for (byte[] e : envelopes) {
            Envelope env = EnvelopeLayout.parse(e);
            Edek edek = env.edek() != null ? env.edek() : headerEdeks.get(ByteBuffer.wrap(env.dekRef()));
            if (edek != null) {
                byte[] block = EnvelopeLayout.edekBlock(edek);
                rec.used(edek.kek(), EnvelopeLayout.dekRef(block), block);
            }
        }
        return rec.headers();
    }

    private byte[] rewrap(Edek old, KekRef to, boolean deterministic) {
        DataKey dek = keys.get(old);
        if (deterministic && deterministicEdek != null && deterministicEdek.kek().equals(to)
                && sameKey(dek, keys.get(deterministicEdek))) {
            return deterministicBlock; // the shared form every producer of these values writes
        }
        if (deterministic && !warnedDeterministic) {
            warnedDeterministic = true;
            LOG.warn("Deterministic values are moved to {} with a re-wrap made by this process; other processes "
                    + "make other re-wraps, so equal plaintexts may get unequal key blocks. Set deterministic.dek "
                    + "to the output of 'fieldseal deterministic-dek --rewrap' for {} in this app and in every "
                    + "producer of these fields.", to, to.version());
        }
        Edek fresh = KmsCalls.join(kms.wrap(to, dek));
        metrics.dekRewrapped();
        return EnvelopeLayout.edekBlock(fresh);
    }

    private static boolean sameKey(DataKey a, DataKey b) {
        byte[] x = a.getEncoded();
        byte[] y = b.getEncoded();
        try {
            return MessageDigest.isEqual(x, y);
        } finally {
            java.util.Arrays.fill(x, (byte) 0);
            java.util.Arrays.fill(y, (byte) 0);
        }
    }

    @Override
    public void close() {
        if (targets != null) {
            targets.close();
        }
        if (targetsByKey != null) {
            targetsByKey.close();
        }
        keys.close();
        rewrapped.invalidateAll();
    }
}
