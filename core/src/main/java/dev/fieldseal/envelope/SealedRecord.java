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
import java.util.TreeSet;

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
    /** The EDEK of the first value (header placement); {@link #edekBlocks} only once a second one appears. */
    private byte[] firstBlock;
    private byte[] firstRef;
    private Map<String, byte[]> edekBlocks;
    /** The sealer's header bytes for one key (null: built per record). */
    private final OneKeyHeaders oneKey;
    private int fields;
    /** The randomized DEK of this record: all its values use one DEK, even across a rotation. */
    EncryptionDek dek;
    /** The DEK lifecycle of this record's key (kek.id's, or the one its template picked). */
    dev.fieldseal.dek.EncryptionKeys keys;

    SealedRecord(boolean headerPlacement) {
        this(headerPlacement, null);
    }

    SealedRecord(boolean headerPlacement, OneKeyHeaders oneKey) {
        this.headerPlacement = headerPlacement;
        this.oneKey = oneKey;
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
            // Values of a record share one DEK: no per-value map entry (and hex key) for the common case.
            if (firstBlock == null) {
                firstBlock = edekBlock;
                firstRef = dekRef;
            } else if (edekBlock != firstBlock && !java.util.Arrays.equals(dekRef, firstRef)) {
                if (edekBlocks == null) {
                    edekBlocks = new LinkedHashMap<>(4);
                    edekBlocks.put(java.util.HexFormat.of().formatHex(firstRef), firstBlock);
                }
                edekBlocks.putIfAbsent(java.util.HexFormat.of().formatHex(dekRef), edekBlock);
            }
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
     * The headers to add to a Kafka record, in order; empty if nothing was encrypted. Several KEK
     * versions (a rotation in the middle of a record) are listed comma-separated. Every value is
     * text, the EDEK list as base64 ({@link EdekHeader#writeText}), so a Connect sink's default
     * SimpleHeaderConverter carries it unchanged.
     */
    public Map<String, byte[]> headers() {
        return headers(false);
    }

    /**
     * {@link #headers()}, with the EDEK list as raw bytes when {@code binaryEdek}: what a Connect
     * transform adds as a bytes header, which the worker's header converter then writes (as base64
     * under the default SimpleHeaderConverter).
     */
    public Map<String, byte[]> headers(boolean binaryEdek) {
        Map<String, byte[]> h = new LinkedHashMap<>(4);
        if (firstKek == null) {
            return h;
        }
        if (keks == null && edekBlocks == null && oneKey != null) { // the common case: one KEK version, one DEK
            OneKeyHeaders.Entry e = oneKey.of(firstKek, headerPlacement ? firstBlock : null);
            h.put(KEK_ID_HEADER, e.id().clone());
            h.put(KEK_VERSION_HEADER, e.version().clone());
            if (headerPlacement) {
                h.put(EdekHeader.NAME, (binaryEdek ? e.raw() : e.text()).clone());
            }
            return h;
        }
        if (keks == null) { // one KEK version
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
            List<byte[]> blocks = edekBlocks == null ? List.of(firstBlock) : new ArrayList<>(edekBlocks.values());
            h.put(EdekHeader.NAME, binaryEdek ? EdekHeader.write(blocks) : EdekHeader.writeText(blocks));
        }
        return h;
    }

    /**
     * True for {@code fieldseal.kek.id} and {@code fieldseal.kek.version}: a record has one of each,
     * naming what all its sealers used (key and value). Each sealer adds its own
     * {@code fieldseal.edek} header instead, and readers merge them.
     */
    public static boolean isMergedHeader(String name) {
        return KEK_ID_HEADER.equals(name) || KEK_VERSION_HEADER.equals(name);
    }

    /**
     * The one value of a merged header ({@link #isMergedHeader}) that names what {@code existing}
     * (the values of that header already on the record, e.g. written by the key's sealer) and
     * {@code own} (this sealer's, from {@link #headers()}) name: the distinct comma-separated
     * entries, sorted, so the result does not depend on which sealer ran first.
     */
    public static String mergeHeader(Iterable<String> existing, String own) {
        Set<String> all = new TreeSet<>();
        boolean any = false;
        for (String e : existing) {
            any = true;
            addEntries(e, all);
        }
        if (!any) {
            return own; // the common case: only one sealer on this record
        }
        addEntries(own, all);
        return String.join(",", all);
    }

    /** {@link #mergeHeader(Iterable, String)} over UTF-8 header bytes. */
    public static byte[] mergeHeader(List<byte[]> existing, byte[] own) {
        if (existing.isEmpty()) {
            return own;
        }
        List<String> texts = new ArrayList<>(existing.size());
        existing.forEach(b -> texts.add(b == null ? "" : new String(b, StandardCharsets.UTF_8)));
        return mergeHeader(texts, new String(own, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
    }

    private static void addEntries(String list, Set<String> into) {
        if (list == null) {
            return;
        }
        for (String part : list.split(",")) {
            String p = part.trim();
            if (!p.isEmpty()) {
                into.add(p);
            }
        }
    }

    /** The names of every header this class may write. */
    public static List<String> headerNames() {
        return List.of(KEK_ID_HEADER, KEK_VERSION_HEADER, EdekHeader.NAME);
    }
}
