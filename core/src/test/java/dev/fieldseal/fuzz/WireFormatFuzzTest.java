package dev.fieldseal.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.fieldseal.envelope.Unsealer;
import dev.fieldseal.format.DecryptionException;
import dev.fieldseal.format.EdekHeader;
import dev.fieldseal.format.Envelope;
import dev.fieldseal.format.EnvelopeLayout;
import dev.fieldseal.kms.Edek;
import dev.fieldseal.kms.KmsException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;

/**
 * The wire format as a reader meets it: the envelope parser, the {@code fieldseal.edek} header,
 * and opening forged values. Documented escapes: {@link DecryptionException} (its subclass
 * {@code KeyNotAllowedException} included) and, from the key manager, {@link KmsException}.
 * Seeds: {@code src/test/resources/dev/fieldseal/fuzz/WireFormatFuzzTestInputs/<method>/}.
 */
class WireFormatFuzzTest {

    @FuzzTest(maxDuration = "60s")
    void envelopeParser(byte[] data) {
        try {
            LinearWork.check(data.length, () -> {
                Envelope e = EnvelopeLayout.parse(data);
                e.suite();
                e.nonce();
                e.body();
                if (e.edek() != null) {
                    EnvelopeLayout.edekBlock(e.edek());
                }
            });
        } catch (RuntimeException t) {
            Escapes.only(t, DecryptionException.class);
        }
    }

    @FuzzTest(maxDuration = "60s")
    void edekHeader(byte[] data) {
        try {
            LinearWork.check(data.length, () -> {
                Map<ByteBuffer, Edek> edeks = EdekHeader.read(data);
                Unsealer.mergedEdeks(List.of(data, data));
                for (Edek e : edeks.values()) {
                    EnvelopeLayout.edekBlock(e);
                }
            });
        } catch (RuntimeException t) {
            Escapes.only(t, DecryptionException.class);
        }
    }

    /**
     * A sealed value with fuzzer-chosen edits (byte changes, truncation, extension), opened with
     * its own header: refused with a documented exception, or opened to exactly what was sealed.
     */
    @FuzzTest(maxDuration = "60s")
    void forgedValueNeverOpensToAnotherPlaintext(FuzzedDataProvider in) {
        Sealed s = Sealed.INSTANCE;
        int which = in.consumeInt(0, 2);
        byte[] original = which == 0 ? s.gcm : which == 1 ? s.siv : s.headerValue;
        byte[] value = Mutations.apply(original, in);
        byte[] header = which == 2 && in.consumeBoolean() ? Mutations.apply(s.header, in) : s.header;
        try {
            Map<ByteBuffer, Edek> edeks = which == 2 ? Unsealer.headerEdeks(header) : Map.of();
            byte[] opened = s.unsealer.unseal(value, Sealed.PATH, edeks);
            assertArrayEquals(Sealed.PLAINTEXT, opened, "a forged value opened to another plaintext");
        } catch (RuntimeException t) {
            Escapes.only(t, DecryptionException.class, KmsException.class);
        }
    }
}
