package dev.fieldseal.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.fieldseal.envelope.LocalFixture;
import dev.fieldseal.envelope.Sealer;
import dev.fieldseal.kms.Kms;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Parsing with an {@link EnvelopeLayout.EdekMemo} gives what parsing without one gives. */
class EdekMemoTest {

    @Test
    void anIdenticalEdekBlockIsTakenFromTheMemoAndAnotherIsParsed() {
        LocalFixture fx = new LocalFixture();
        try (Kms kms = fx.kms()) {
            byte[] a;
            byte[] b;
            byte[] c;
            try (Sealer s = new Sealer(fx.config(), kms, Ticker.systemTicker(), fx.metrics)) {
                a = s.seal("one".getBytes(StandardCharsets.UTF_8), "f", false, s.newRecord());
                b = s.seal("two".getBytes(StandardCharsets.UTF_8), "f", false, s.newRecord());
            }
            fx.rotate();
            try (Sealer s = new Sealer(fx.config(), kms, Ticker.systemTicker(), fx.metrics)) {
                c = s.seal("three".getBytes(StandardCharsets.UTF_8), "f", false, s.newRecord());
            }
            EnvelopeLayout.EdekMemo memo = new EnvelopeLayout.EdekMemo();
            Envelope ea = EnvelopeLayout.parse(a, memo);
            Envelope eb = EnvelopeLayout.parse(b, memo);
            assertEquals(EnvelopeLayout.parse(a).edek(), ea.edek());
            assertSame(ea.edek(), eb.edek(), "same DEK: the memo's instance");
            assertEquals(eb.bodyOffset(), EnvelopeLayout.parse(b).bodyOffset());
            Envelope ec = EnvelopeLayout.parse(c, memo);
            assertEquals(EnvelopeLayout.parse(c).edek(), ec.edek());
            assertNotEquals(ea.edek(), ec.edek());

            byte[] truncated = Arrays.copyOf(b, 20);
            assertThrows(DecryptionException.class, () -> EnvelopeLayout.parse(truncated, memo));
        }
    }
}
