package dev.fieldseal.envelope;

import dev.fieldseal.format.EdekHeader;
import dev.fieldseal.kms.KekRef;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The header bytes of a record whose values used one KEK version and, under header placement, one
 * EDEK: the same for every record until the DEK changes, so a sealer builds them once per DEK
 * instead of encoding the key id, the version and the EDEK list (and its base64) per record. One
 * entry, matched by the identity of the KEK reference and EDEK block, which a DEK holds for its
 * life. Thread-safe.
 */
final class OneKeyHeaders {

    /** Never handed out: {@link SealedRecord#headers} gives copies, so a caller cannot change the next record's. */
    record Entry(KekRef kek, byte[] block, byte[] id, byte[] version, byte[] raw, byte[] text) {
    }

    private volatile Entry last;

    /** @param block the one EDEK block (header placement), or null */
    Entry of(KekRef kek, byte[] block) {
        Entry e = last;
        if (e == null || e.kek != kek || e.block != block) {
            e = new Entry(kek, block, kek.keyId().getBytes(StandardCharsets.UTF_8),
                    kek.version().getBytes(StandardCharsets.UTF_8),
                    block == null ? null : EdekHeader.write(List.of(block)),
                    block == null ? null : EdekHeader.writeText(List.of(block)));
            last = e;
        }
        return e;
    }
}
