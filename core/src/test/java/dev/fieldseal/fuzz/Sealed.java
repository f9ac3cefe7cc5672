package dev.fieldseal.fuzz;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.fieldseal.config.FieldsealConfig;
import dev.fieldseal.dek.DeterministicKey;
import dev.fieldseal.envelope.LocalFixture;
import dev.fieldseal.envelope.SealedRecord;
import dev.fieldseal.envelope.Sealer;
import dev.fieldseal.envelope.Unsealer;
import dev.fieldseal.format.EdekHeader;
import dev.fieldseal.kms.Kms;
import java.nio.charset.StandardCharsets;

/**
 * Known plaintexts sealed once per JVM with a local key (field placement with AES-GCM and AES-SIV,
 * header placement with its {@code fieldseal.edek} header), and the reader that opens them. Fuzz
 * targets mutate these and check that nothing but the sealed plaintext ever comes out.
 */
final class Sealed {

    static final byte[] PLAINTEXT = "123-45-6789".getBytes(StandardCharsets.UTF_8);
    static final String PATH = "ssn";

    static final Sealed INSTANCE = new Sealed();

    final LocalFixture fx = new LocalFixture();
    final Kms kms = fx.kms();
    final Unsealer unsealer;
    final Sealer fieldSealer;
    /** Field placement, AES-GCM. */
    final byte[] gcm;
    /** Field placement, AES-SIV (deterministic). */
    final byte[] siv;
    /** Header placement: the value and its record's header. */
    final byte[] headerValue;
    final byte[] header;

    private Sealed() {
        String det = DeterministicKey.create(kms, fx.kekId);
        FieldsealConfig field = fx.config(FieldsealConfig.DETERMINISTIC_DEK, det,
                FieldsealConfig.DETERMINISTIC_FIELDS, PATH);
        FieldsealConfig headers = fx.config(FieldsealConfig.ENVELOPE_PLACEMENT, "header");
        fieldSealer = new Sealer(field, kms, Ticker.systemTicker(), fx.metrics);
        gcm = fieldSealer.seal(PLAINTEXT, PATH, false, fieldSealer.newRecord());
        siv = fieldSealer.seal(PLAINTEXT, PATH, true, fieldSealer.newRecord());
        try (Sealer hs = new Sealer(headers, kms, Ticker.systemTicker(), fx.metrics)) {
            SealedRecord rec = hs.newRecord();
            headerValue = hs.seal(PLAINTEXT, PATH, false, rec);
            header = rec.headers().get(EdekHeader.NAME);
        }
        unsealer = new Unsealer(field, kms, Ticker.systemTicker(), fx.metrics);
    }
}
