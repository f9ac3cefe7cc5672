package dev.fieldseal.envelope;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.fieldseal.config.FieldsealConfig;
import dev.fieldseal.dek.DataKey;
import dev.fieldseal.dek.DecryptionKeys;
import dev.fieldseal.dek.KekAllowlist;
import dev.fieldseal.envelope.DecryptionException.Reason;
import dev.fieldseal.format.EdekHeader;
import dev.fieldseal.format.Envelope;
import dev.fieldseal.format.EnvelopeLayout;
import dev.fieldseal.kms.Edek;
import dev.fieldseal.kms.KekRef;
import dev.fieldseal.kms.Kms;
import dev.fieldseal.kms.KmsCalls;
import dev.fieldseal.metrics.FieldsealMetrics;
import java.nio.ByteBuffer;
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
 */
public final class Rekeyer implements AutoCloseable {

    private final Kms kms;
    private final String kekId;
    private final DecryptionKeys keys;
    private final FieldsealMetrics metrics;
    /** Old EDEK to its re-wrapped block, so each DEK is re-wrapped once. */
    private final Cache<Edek, byte[]> rewrapped;
    private volatile KekRef target;

    public Rekeyer(FieldsealConfig config, Kms kms, Ticker ticker, FieldsealMetrics metrics) {
        this.kms = kms;
        this.kekId = config.requireKekId();
        this.metrics = metrics;
        List<String> allowed = new ArrayList<>();
        for (String a : Unsealer.allowed(config)) {
            allowed.add(a.endsWith("/") ? a : kms.versionlessId(a));
        }
        this.keys = new DecryptionKeys(kms, new KekAllowlist(allowed), config.getLong(FieldsealConfig.DEK_CACHE_SIZE),
                config.getLong(FieldsealConfig.DEK_CACHE_TTL_MS), ticker, metrics);
        this.rewrapped = Caffeine.newBuilder().maximumSize(config.getLong(FieldsealConfig.DEK_CACHE_SIZE)).build();
        refresh();
    }

    /** Re-resolves the newest KEK version; later values move to it. */
    public KekRef refresh() {
        target = KmsCalls.join(kms.resolve(kekId));
        return target;
    }

    public KekRef target() {
        return target;
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
        return new RekeyedRecord(Unsealer.headerEdeks(edekHeader), edekHeader != null);
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
        KekRef to = target;
        if (edek.kek().equals(to)) {
            byte[] block = EnvelopeLayout.edekBlock(edek);
            record.sealed.used(edek.kek(), EnvelopeLayout.dekRef(block), block);
            return envelope;
        }
        Edek old = edek;
        byte[] block = rewrapped.get(old, e -> rewrap(e, to));
        record.sealed.used(to, EnvelopeLayout.dekRef(block), block);
        record.changed = true;
        return reference
                ? env.withKeyBlock(EnvelopeLayout.KEY_REFERENCE, EnvelopeLayout.dekRef(block))
                : env.withKeyBlock(EnvelopeLayout.KEY_INLINE, block);
    }

    private byte[] rewrap(Edek old, KekRef to) {
        DataKey dek = keys.get(old);
        Edek fresh = KmsCalls.join(kms.wrap(to, dek));
        metrics.dekRewrapped();
        return EnvelopeLayout.edekBlock(fresh);
    }

    @Override
    public void close() {
        keys.close();
        rewrapped.invalidateAll();
    }
}
