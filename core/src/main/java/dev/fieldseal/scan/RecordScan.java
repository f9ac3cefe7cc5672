package dev.fieldseal.scan;

import dev.fieldseal.format.DecryptionException;
import dev.fieldseal.envelope.SealedRecord;
import dev.fieldseal.format.EdekHeader;
import dev.fieldseal.format.Envelope;
import dev.fieldseal.format.EnvelopeLayout;
import dev.fieldseal.kms.Edek;
import dev.fieldseal.kms.KekRef;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.header.Header;

/**
 * What one record needs, read from its headers and the envelopes located in its key and value,
 * without decrypting: the KEK versions its key and value envelopes name (inline EDEKs, and EDEKs
 * found by their reference in any of the record's {@code fieldseal.edek} headers, all merged), its
 * distinct DEKs, its malformed envelopes, and whether the invariant holds:
 *
 * <p><b>the {@code fieldseal.kek.id} / {@code fieldseal.kek.version} headers name exactly the key
 * ids and versions that the record's envelopes name</b> — every such header merged, each a
 * comma-separated list. A record without envelopes must have no such headers; a record with
 * envelopes must have them.
 *
 * <p>Hosts' tests use it to assert the invariant on every record; {@code fieldseal inspect} counts
 * with it. Malformed envelopes (undecodable text, a structure {@link EnvelopeLayout#parse} refuses,
 * a DEK reference no {@code fieldseal.edek} header holds) name no version and are counted apart;
 * a malformed {@code fieldseal.edek} header counts as one malformed item too.
 */
public final class RecordScan {

    private final Set<KekRef> keyKeks = new LinkedHashSet<>(2);
    private final Set<KekRef> valueKeks = new LinkedHashSet<>(2);
    private final Set<Long> deks = new LinkedHashSet<>(2);
    private final Set<String> headerKeyIds = new TreeSet<>();
    private final Set<String> headerVersions = new TreeSet<>();
    private final int keyEnvelopes;
    private final int valueEnvelopes;
    private int malformedKey;
    private int malformedValue;
    private int malformedHeaders;
    private boolean annotated;

    private RecordScan(int keyEnvelopes, int valueEnvelopes) {
        this.keyEnvelopes = keyEnvelopes;
        this.valueEnvelopes = valueEnvelopes;
    }

    /**
     * Scans one record.
     *
     * @param headers the record's headers (Kafka's {@code Headers} is one)
     * @param key envelopes located in the record key (empty if none)
     * @param value envelopes located in the record value (empty if none)
     */
    public static RecordScan of(Iterable<Header> headers, List<Located> key, List<Located> value) {
        RecordScan s = new RecordScan(key.size(), value.size());
        Map<ByteBuffer, Edek> edeks = Collections.emptyMap();
        if (headers != null) {
            for (Header h : headers) {
                String name = h.key();
                if (SealedRecord.KEK_ID_HEADER.equals(name)) {
                    s.annotated = true;
                    split(h.value(), s.headerKeyIds);
                } else if (SealedRecord.KEK_VERSION_HEADER.equals(name)) {
                    s.annotated = true;
                    split(h.value(), s.headerVersions);
                } else if (EdekHeader.NAME.equals(name)) {
                    try {
                        Map<ByteBuffer, Edek> more = EdekHeader.read(h.value() == null ? new byte[0] : h.value());
                        if (edeks.isEmpty()) {
                            edeks = more;
                        } else {
                            edeks = new HashMap<>(edeks);
                            edeks.putAll(more);
                        }
                    } catch (DecryptionException e) {
                        s.malformedHeaders++;
                    }
                }
            }
        }
        for (Located l : key) {
            if (!s.read(l, edeks, s.keyKeks)) {
                s.malformedKey++;
            }
        }
        for (Located l : value) {
            if (!s.read(l, edeks, s.valueKeks)) {
                s.malformedValue++;
            }
        }
        return s;
    }

    private boolean read(Located l, Map<ByteBuffer, Edek> edeks, Set<KekRef> into) {
        if (l.envelope() == null) {
            return false;
        }
        Envelope e;
        try {
            e = EnvelopeLayout.parse(l.envelope());
        } catch (DecryptionException malformed) {
            return false;
        }
        byte[] ref;
        Edek edek = e.edek();
        if (edek == null) {
            ref = e.dekRef();
            edek = edeks.get(ByteBuffer.wrap(ref));
            if (edek == null) {
                return false; // a reference to an EDEK the record does not carry
            }
        } else {
            ref = EnvelopeLayout.dekRef(EnvelopeLayout.edekBlock(edek));
        }
        into.add(edek.kek());
        deks.add(ByteBuffer.wrap(ref).getLong());
        return true;
    }

    private static void split(byte[] header, Set<String> into) {
        if (header == null) {
            return;
        }
        for (String part : new String(header, StandardCharsets.UTF_8).split(",")) {
            String t = part.trim();
            if (!t.isEmpty()) {
                into.add(t);
            }
        }
    }

    /** The KEK versions the record key's envelopes name. */
    public Set<KekRef> keyKeks() {
        return Collections.unmodifiableSet(keyKeks);
    }

    /** The KEK versions the record value's envelopes name. */
    public Set<KekRef> valueKeks() {
        return Collections.unmodifiableSet(valueKeks);
    }

    /** Every KEK version a reader of the whole record needs (key and value). */
    public Set<KekRef> keks() {
        Set<KekRef> all = new LinkedHashSet<>(keyKeks);
        all.addAll(valueKeks);
        return all;
    }

    /** Whether some envelope of the record names {@code kek}. */
    public boolean needs(KekRef kek) {
        return keyKeks.contains(kek) || valueKeks.contains(kek);
    }

    /** The record's distinct DEKs, each as the first 8 bytes of the SHA-256 of its EDEK block (its DEK reference). */
    public Set<Long> deks() {
        return Collections.unmodifiableSet(deks);
    }

    /** Envelopes located in the key / the value, well-formed or not. */
    public int keyEnvelopes() {
        return keyEnvelopes;
    }

    public int valueEnvelopes() {
        return valueEnvelopes;
    }

    public int malformedKeyEnvelopes() {
        return malformedKey;
    }

    public int malformedValueEnvelopes() {
        return malformedValue;
    }

    /** {@code fieldseal.edek} headers that are not a valid EDEK list. */
    public int malformedEdekHeaders() {
        return malformedHeaders;
    }

    /** Malformed envelopes of key and value, and malformed {@code fieldseal.edek} headers. */
    public int malformed() {
        return malformedKey + malformedValue + malformedHeaders;
    }

    /** The key ids the {@code fieldseal.kek.id} headers name, merged. */
    public Set<String> headerKeyIds() {
        return Collections.unmodifiableSet(headerKeyIds);
    }

    /** The versions the {@code fieldseal.kek.version} headers name, merged. */
    public Set<String> headerVersions() {
        return Collections.unmodifiableSet(headerVersions);
    }

    /** Whether the headers name exactly the key ids and versions the envelopes name. */
    public boolean consistent() {
        return mismatch() == null;
    }

    /**
     * Why the invariant does not hold, or null if it does. Names key ids and versions only
     * (they are not secret), never record content.
     */
    public String mismatch() {
        Set<String> ids = new TreeSet<>();
        Set<String> versions = new TreeSet<>();
        for (KekRef k : keks()) {
            ids.add(k.keyId());
            versions.add(k.version());
        }
        if (ids.isEmpty() && !annotated) {
            return null;
        }
        if (ids.equals(headerKeyIds) && versions.equals(headerVersions)) {
            return null;
        }
        if (!annotated) {
            return "envelopes name " + ids + " versions " + versions + " but the record has no "
                    + SealedRecord.KEK_ID_HEADER + "/" + SealedRecord.KEK_VERSION_HEADER + " headers";
        }
        return "headers name " + headerKeyIds + " versions " + headerVersions + " but the envelopes name "
                + ids + " versions " + versions;
    }
}
