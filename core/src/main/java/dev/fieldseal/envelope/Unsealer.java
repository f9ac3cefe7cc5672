package dev.fieldseal.envelope;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.fieldseal.cipher.AesGcm;
import dev.fieldseal.cipher.CipherSuite;
import dev.fieldseal.config.FieldsealConfig;
import dev.fieldseal.dek.DataKey;
import dev.fieldseal.dek.DecryptionKeys;
import dev.fieldseal.dek.DeterministicKey;
import dev.fieldseal.dek.KekAllowlist;
import dev.fieldseal.dek.UnwrapGuard;
import dev.fieldseal.format.DecryptionException;
import dev.fieldseal.format.DecryptionException.Reason;
import dev.fieldseal.format.EdekHeader;
import dev.fieldseal.format.Envelope;
import dev.fieldseal.format.EnvelopeLayout;
import dev.fieldseal.kms.Edek;
import dev.fieldseal.kms.Kms;
import dev.fieldseal.kms.KmsFactory;
import dev.fieldseal.metrics.FieldsealMetrics;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * The decrypting side of the envelope, shared by every host: checks an envelope's structure,
 * refuses keys outside {@code kek.allowed} before contacting anything, gets the DEK from the
 * single-flight cache, and authenticates and decrypts. Thread-safe; one per host instance.
 */
public final class Unsealer implements AutoCloseable {

    private final Kms kms;
    private final boolean ownsKms;
    private final DecryptionKeys keys;
    private final FieldsealMetrics metrics;
    /** Associated data by path; paths come from the record, so bounded ({@link PathAad#MAX_BYTES}). */
    private final PathAad gcmAad = new PathAad(CipherSuite.AES_256_GCM);
    private final PathAad sivAad = new PathAad(CipherSuite.AES_SIV_512);
    /** The last inline EDEK block parsed: one entry. */
    private final EnvelopeLayout.EdekMemo edekMemo = new EnvelopeLayout.EdekMemo();
    /**
     * AES-SIV primitives by EDEK: deriving the subkeys costs more than a short decryption. Entries
     * are made only for EDEKs whose DEK was unwrapped (a genuine DEK), and at most {@value #MAX_SIV_KEYS}.
     */
    private final Cache<Edek, DeterministicKey> sivKeys = Caffeine.newBuilder().maximumSize(MAX_SIV_KEYS).build();
    static final int MAX_SIV_KEYS = 64;
    private final Ticker ticker;
    /**
     * The DEK used last. Values of a record, and records until the DEK rotates, share one, and the
     * full lookup (allowlist, cache read buffers) costs about a third of decrypting a short field.
     */
    private volatile LastKey last;

    private record LastKey(Edek edek, DataKey key, long checkedAt) {
    }

    /**
     * The last record's {@code fieldseal.edek} header values and what they parsed to. A batch of
     * records under one DEK carries the same header, and decoding its base64, parsing its blocks
     * and hashing its references cost about as much as decrypting a short field. One entry, held
     * as copies of the bytes and compared byte for byte, so a hit returns exactly what parsing
     * those bytes returns.
     */
    private volatile HeaderMemo lastHeader;

    private record HeaderMemo(byte[][] values, Map<ByteBuffer, Edek> edeks) {
        boolean matches(List<byte[]> other) {
            if (other.size() != values.length) {
                return false;
            }
            for (int i = 0; i < values.length; i++) {
                if (!java.util.Arrays.equals(values[i], other.get(i))) {
                    return false;
                }
            }
            return true;
        }
    }

    /**
     * How long the last DEK is used without going through the cache: at most a second, and well
     * inside {@code dek.cache.ttl.ms}, so the cache entry's idle timer stays fresh while it is in use.
     */
    private final long recheckNanos;

    public static Unsealer create(FieldsealConfig config, FieldsealMetrics metrics) {
        List<String> allowed = allowed(config);
        return new Unsealer(config, KmsFactory.create(allowed.get(0), config, metrics), true,
                Ticker.systemTicker(), metrics);
    }

    public Unsealer(FieldsealConfig config, Kms kms, Ticker ticker, FieldsealMetrics metrics) {
        this(config, kms, false, ticker, metrics);
    }

    private Unsealer(FieldsealConfig config, Kms kms, boolean ownsKms, Ticker ticker, FieldsealMetrics metrics) {
        this.kms = kms;
        this.ownsKms = ownsKms;
        this.metrics = metrics;
        this.ticker = ticker;
        List<String> allowed = new ArrayList<>();
        for (String a : allowed(config)) {
            allowed.add(a.endsWith("/") || KekAllowlist.isPattern(a) ? a : kms.versionlessId(a));
        }
        long ttlMs = config.getLong(FieldsealConfig.DEK_CACHE_TTL_MS);
        this.keys = new DecryptionKeys(kms, new KekAllowlist(allowed), config.getLong(FieldsealConfig.DEK_CACHE_SIZE),
                ttlMs, ticker, metrics, UnwrapGuard.of(config, kms, ticker));
        this.recheckNanos = Math.min(1_000_000_000L, ttlMs * 500_000L);
    }

    /** kek.allowed, defaulting to the key of kek.id (for a template: every key it names, and the fallback key). */
    static List<String> allowed(FieldsealConfig config) {
        List<String> allowed = config.getList(FieldsealConfig.KEK_ALLOWED);
        if (!allowed.isEmpty()) {
            return allowed;
        }
        String kekId = config.kekId();
        if (kekId == null || kekId.isBlank()) {
            throw new ConfigException(FieldsealConfig.KEK_ALLOWED, null, "The decrypting side needs to know which "
                    + "keys it may use: set kek.id (its key is then allowed) or kek.allowed.");
        }
        String fallback = config.getString(FieldsealConfig.KEK_TEMPLATE_FALLBACK_ID);
        if (fallback != null && !fallback.isBlank() && FieldsealConfig.TEMPLATE_MISSING_FALLBACK.equals(
                config.getString(FieldsealConfig.KEK_TEMPLATE_MISSING))) {
            return List.of(kekId, fallback);
        }
        return List.of(kekId);
    }

    /**
     * The values of one record being decrypted: the record's header EDEKs, and one clock reading
     * shared by its values (reading the clock costs about a tenth of decrypting a short field). A
     * walker makes one per record. Not thread-safe.
     */
    public static final class RecordScope {
        private final Map<ByteBuffer, Edek> headerEdeks;
        private long now;
        private boolean clockRead;

        /** @param headerEdeks the record's EDEKs under header placement ({@link #headerEdeks}), else empty */
        public RecordScope(Map<ByteBuffer, Edek> headerEdeks) {
            this.headerEdeks = headerEdeks;
        }

        long now(Ticker ticker) {
            if (!clockRead) {
                now = ticker.read();
                clockRead = true;
            }
            return now;
        }
    }

    /** More {@code fieldseal.edek} headers than a key and a value write is not a record fieldseal made. */
    static final int MAX_EDEK_HEADERS = 8;

    /**
     * Every EDEK of every {@code fieldseal.edek} header of a Kafka record: the key's and the value's
     * sealer may each have added one. Empty under field placement.
     *
     * @throws DecryptionException MALFORMED if a header is not an EDEK list, or there are more than
     *         {@value #MAX_EDEK_HEADERS} of them
     */
    public static Map<ByteBuffer, Edek> recordEdeks(Headers headers) {
        if (headers == null || headers.lastHeader(EdekHeader.NAME) == null) {
            return Map.of(); // field placement: no walk over the headers
        }
        List<byte[]> values = new ArrayList<>(2);
        for (Header h : headers.headers(EdekHeader.NAME)) {
            values.add(h.value());
        }
        return mergedEdeks(values);
    }

    /**
     * The EDEKs of a record's {@code fieldseal.edek} header values, merged (null values skipped):
     * what every host reads, whatever its header type.
     *
     * @throws DecryptionException MALFORMED if a value is not an EDEK list, or there are more than
     *         {@value #MAX_EDEK_HEADERS} of them
     */
    public static Map<ByteBuffer, Edek> mergedEdeks(Iterable<byte[]> headerValues) {
        Map<ByteBuffer, Edek> all = null;
        int n = 0;
        for (byte[] v : headerValues) {
            if (v == null) {
                continue;
            }
            if (++n > MAX_EDEK_HEADERS) {
                throw new DecryptionException(Reason.MALFORMED, "The record has more than " + MAX_EDEK_HEADERS
                        + " " + EdekHeader.NAME + " headers.");
            }
            Map<ByteBuffer, Edek> one = EdekHeader.read(v);
            if (all == null) {
                all = one;
            } else {
                all = new java.util.HashMap<>(all);
                all.putAll(one);
            }
        }
        return all == null ? Map.of() : all;
    }

    /**
     * {@link #recordEdeks}, remembering the last header read: records that carry the same
     * {@code fieldseal.edek} bytes as the record before are not parsed again.
     */
    public Map<ByteBuffer, Edek> edeks(Headers headers) {
        if (headers == null || headers.lastHeader(EdekHeader.NAME) == null) {
            return Map.of();
        }
        List<byte[]> values = new ArrayList<>(2);
        for (Header h : headers.headers(EdekHeader.NAME)) {
            if (h.value() != null) {
                values.add(h.value());
            }
        }
        return edeks(values);
    }

    /**
     * {@link #mergedEdeks}, remembering the last header values read (null values are the caller's
     * to skip): what every host calls per record.
     */
    public Map<ByteBuffer, Edek> edeks(List<byte[]> headerValues) {
        if (headerValues.isEmpty()) {
            return Map.of();
        }
        HeaderMemo m = lastHeader;
        if (m != null && m.matches(headerValues)) {
            return m.edeks;
        }
        Map<ByteBuffer, Edek> edeks = Map.copyOf(mergedEdeks(headerValues));
        byte[][] copies = new byte[headerValues.size()][];
        for (int i = 0; i < copies.length; i++) {
            copies[i] = headerValues.get(i).clone();
        }
        lastHeader = new HeaderMemo(copies, edeks);
        return edeks;
    }

    /** Parses a record's {@code fieldseal.edek} header (header placement), or returns an empty map for null. */
    public static Map<ByteBuffer, Edek> headerEdeks(byte[] header) {
        return header == null ? Map.of() : EdekHeader.read(header);
    }

    /**
     * Decrypts one value.
     *
     * @param envelope the value's envelope bytes
     * @param path the canonical field path it was found at
     * @param headerEdeks the record's EDEKs under header placement ({@link #headerEdeks}), else empty
     * @return the plaintext codec bytes
     * @throws DecryptionException if the value is malformed, altered, moved, or names a key not allowed
     * @throws dev.fieldseal.kms.KmsException if the key manager is unreachable or refuses
     */
    public byte[] unseal(byte[] envelope, String path, Map<ByteBuffer, Edek> headerEdeks) {
        return unseal(envelope, path, new RecordScope(headerEdeks));
    }

    /** {@link #unseal(byte[], String, Map)} for one of the values of the record {@code scope} stands for. */
    public byte[] unseal(byte[] envelope, String path, RecordScope scope) {
        Envelope env = EnvelopeLayout.parse(envelope, edekMemo);
        Edek edek = env.edek();
        if (edek == null) {
            edek = scope.headerEdeks.get(ByteBuffer.wrap(env.dekRef()));
            if (edek == null) {
                throw new DecryptionException(Reason.MISSING_EDEK, "Value of field '" + path + "' refers to a DEK "
                        + "that is not in the record's " + EdekHeader.NAME + " header (header placement needs the "
                        + "record headers; were they dropped?).");
            }
        }
        metrics.audit().attempt(edek.kek().keyId(), edek.kek().version());
        for (int attempt = 0; ; attempt++) {
            DataKey key = key(edek, scope);
            try {
                byte[] plain = env.suite() == CipherSuite.AES_256_GCM ? openGcm(env, key, path)
                        : openSiv(env, edek, key, path);
                metrics.audit().opened();
                return plain;
            } catch (GeneralSecurityException | IllegalStateException e) {
                if (key.isDestroyed() && attempt < 3) {
                    keys.invalidate(edek); // evicted while in use: unwrap again
                    continue;
                }
                throw new DecryptionException(Reason.AUTHENTICATION_FAILED, "Value of field '" + path
                        + "' failed authentication with key " + edek.kek().keyId() + " version " + edek.kek().version()
                        + ": it was altered, moved from another field, or wrapped with another key. It is not "
                        + "returned.");
            }
        }
    }

    private DataKey key(Edek edek, RecordScope scope) {
        LastKey l = last;
        long now = scope.now(ticker);
        if (l != null && l.edek.equals(edek) && !l.key.isDestroyed() && now - l.checkedAt < recheckNanos) {
            metrics.dekCacheHit();
            return l.key;
        }
        DataKey key = keys.get(edek); // checks the allowlist; a miss unwraps
        last = new LastKey(edek, key, now);
        return key;
    }

    private byte[] openGcm(Envelope env, DataKey key, String path) throws GeneralSecurityException {
        byte[] aad = gcmAad.of(path);
        return AesGcm.decrypt(key, env.source(), env.nonceOffset(), aad, env.source(), env.bodyOffset(),
                env.bodyLength());
    }

    private byte[] openSiv(Envelope env, Edek edek, DataKey key, String path) throws GeneralSecurityException {
        if (key.length() != CipherSuite.AES_SIV_512.keyLength()) {
            // The suite byte is not authenticated before the key is used: a GCM value relabelled as
            // SIV brings a 256-bit DEK. That is an altered value, not a configuration problem.
            throw new GeneralSecurityException("not an AES-SIV key");
        }
        DeterministicKey det = sivKeys.get(edek, e -> DeterministicKey.of(key, e,
                EnvelopeLayout.edekBlock(e)));
        byte[] aad = sivAad.of(path);
        return det.siv().decrypt(env.body(), aad);
    }

    /** Associated-data entries held now, both suites (tests: the bound). */
    long aadEntries() {
        return gcmAad.size() + sivAad.size();
    }

    public FieldsealMetrics metrics() {
        return metrics;
    }

    /**
     * A rotation event for a key this side may use: the first value naming a version the cached
     * version list lacks fetches the list at once, not after {@code kek.versions.refresh.ms}.
     */
    public void keyRotated(String versionlessKeyId) {
        keys.keyRotated(versionlessKeyId);
    }

    @Override
    public void close() {
        last = null;
        lastHeader = null;
        keys.close();
        sivKeys.invalidateAll();
        if (ownsKms) {
            kms.close();
        }
    }
}
