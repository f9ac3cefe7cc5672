package dev.fieldseal.streams;

import dev.fieldseal.envelope.SealedRecord;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * The {@code fieldseal.kek.id} / {@code fieldseal.kek.version} annotation of a record, compared as
 * sets: a record may carry several headers of each name (key and value sealed apart) and each may
 * list several comma-separated values (a rotation in the middle of a record).
 */
final class Annotation {

    private Annotation() {
    }

    /** Whether the record's headers name exactly the key ids and versions of {@code fresh}. */
    static boolean matches(Headers headers, Map<String, byte[]> fresh) {
        return named(headers, SealedRecord.KEK_ID_HEADER).equals(named(fresh.get(SealedRecord.KEK_ID_HEADER)))
                && named(headers, SealedRecord.KEK_VERSION_HEADER).equals(named(fresh.get(SealedRecord.KEK_VERSION_HEADER)));
    }

    private static Set<String> named(Headers headers, String name) {
        Set<String> out = new TreeSet<>();
        for (Header h : headers.headers(name)) {
            out.addAll(named(h.value()));
        }
        return out;
    }

    private static Set<String> named(byte[] value) {
        Set<String> out = new TreeSet<>();
        if (value != null) {
            for (String s : new String(value, StandardCharsets.UTF_8).split(",")) {
                if (!s.isBlank()) {
                    out.add(s.trim());
                }
            }
        }
        return out;
    }
}
