package dev.fieldseal.envelope;

import dev.fieldseal.dek.EncryptionDek;
import dev.fieldseal.format.EdekHeader;
import dev.fieldseal.kms.KekRef;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What encrypting one record used: the KEK versions (for the {@code fieldseal.kek.id} and
 * {@code fieldseal.kek.version} headers) and, under header placement, the EDEKs the values refer
 * to. One per record; not thread-safe.
 */
public final class SealedRecord {

    public static final String KEK_ID_HEADER = "fieldseal.kek.id";
    public static final String KEK_VERSION_HEADER = "fieldseal.kek.version";

    private final boolean headerPlacement;
    /** The KEK of the first value; {@link #keks} only once a second one appears (a rotation mid-record). */
    private KekRef firstKek;
    private Set<KekRef> keks;
    private Map<String, byte[]> edekBlocks;
    private int fields;
    /** The randomized DEK of this record: all its values use one DEK, even across a rotation. */
    EncryptionDek dek;

    SealedRecord(boolean headerPlacement) {
        this.headerPlacement = headerPlacement;
    }

    void used(KekRef kek, byte[] dekRef, byte[] edekBlock) {
        fields++;
        if (firstKek == null) {
            firstKek = kek;
        } else if (kek != firstKek && (keks != null || !kek.equals(firstKek))) {
            if (keks == null) {
                keks = new LinkedHashSet<>(4);
                keks.add(firstKek);
            }
            keks.add(kek);
        }
        if (headerPlacement) {
            if (edekBlocks == null) {
                edekBlocks = new LinkedHashMap<>(2);
            }
            edekBlocks.putIfAbsent(java.util.HexFormat.of().formatHex(dekRef), edekBlock);
        }
    }

    /** How many values were encrypted. */
    public int fields() {
        return fields;
    }

    public Set<KekRef> keks() {
        return keks != null ? keks : firstKek == null ? Set.of() : Set.of(firstKek);
    }

    /**
     * The headers to add to the record, in order; empty if nothing was encrypted. Several KEK
     * versions (a rotation in the middle of a record) are listed comma-separated.
     */
    public Map<String, byte[]> headers() {
        Map<String, byte[]> h = new LinkedHashMap<>(4);
        if (firstKek == null) {
            return h;
        }
        if (keks == null) { // the common case: one KEK version
            h.put(KEK_ID_HEADER, firstKek.keyId().getBytes(StandardCharsets.UTF_8));
            h.put(KEK_VERSION_HEADER, firstKek.version().getBytes(StandardCharsets.UTF_8));
        } else {
            Set<String> ids = new LinkedHashSet<>();
            Set<String> versions = new LinkedHashSet<>();
            for (KekRef k : keks) {
                ids.add(k.keyId());
                versions.add(k.version());
            }
            h.put(KEK_ID_HEADER, String.join(",", ids).getBytes(StandardCharsets.UTF_8));
            h.put(KEK_VERSION_HEADER, String.join(",", versions).getBytes(StandardCharsets.UTF_8));
        }
        if (headerPlacement) {
            h.put(EdekHeader.NAME, EdekHeader.write(new ArrayList<>(edekBlocks.values())));
        }
        return h;
    }

    /** The names of every header this class may write. */
    public static List<String> headerNames() {
        return List.of(KEK_ID_HEADER, KEK_VERSION_HEADER, EdekHeader.NAME);
    }
}
