package dev.fieldseal.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fieldseal.codec.CodecException;
import dev.fieldseal.field.FieldSelection;
import dev.fieldseal.format.DecryptionException;
import dev.fieldseal.kms.KmsException;
import dev.fieldseal.model.json.JsonDecryptor;
import dev.fieldseal.scan.EnvelopeLocator;
import dev.fieldseal.scan.Located;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * JSON as a reader meets it: locating envelopes in a document and splicing them back
 * ({@link EnvelopeLocator}), and decrypting a document by text and as a tree ({@link JsonDecryptor}).
 * Documented escapes: {@link IOException} (not JSON), {@link DecryptionException},
 * {@link KmsException}, {@link CodecException} (a plaintext that is not the field's shape).
 */
class JsonFuzzTest {

    static final ObjectMapper MAPPER = new ObjectMapper();

    /** A document with the known sealed value in a field, an array and a nested object. */
    static String document(String sealedText) {
        return "{\"id\":7,\"ssn\":\"" + sealedText + "\",\"a\":[1,\"" + sealedText + "\",{\"ssn\":\"" + sealedText
                + "\"}],\"n\":null}";
    }

    @FuzzTest(maxDuration = "60s")
    void locateAndSplice(byte[] data) {
        List<Located> found;
        try {
            List<List<Located>> out = new ArrayList<>(1);
            LinearWork.check(data.length, () -> {
                try {
                    out.add(EnvelopeLocator.json(data));
                } catch (IOException e) {
                    out.add(null); // not JSON
                }
            });
            found = out.get(0);
            if (found == null) {
                return;
            }
        } catch (RuntimeException e) {
            Escapes.only(e, DecryptionException.class);
            return;
        }
        List<byte[]> same = new ArrayList<>();
        found.forEach(l -> same.add(null));
        // Splicing nothing in keeps every byte.
        assertArrayEquals(data, EnvelopeLocator.splice(data, found, same));
    }

    /**
     * A document holding the known sealed value, edited by the fuzzer, decrypted by text and as a
     * tree: refused, or every string that is no longer an envelope is either what the edited input
     * had there or the sealed plaintext.
     */
    @FuzzTest(maxDuration = "60s")
    void decryptForgedDocument(FuzzedDataProvider in) {
        Sealed s = Sealed.INSTANCE;
        String sealedText = Base64.getEncoder().encodeToString(s.gcm);
        byte[] doc = Mutations.apply(document(sealedText).getBytes(StandardCharsets.UTF_8), in);
        JsonDecryptor dec = new JsonDecryptor(s.unsealer, FieldSelection.of(List.of(), List.of()));
        JsonNode input;
        try {
            input = MAPPER.readTree(doc);
        } catch (IOException e) {
            input = null;
        }
        try {
            byte[] out = dec.decryptText(doc, MAPPER, Map.of()).value();
            if (input != null) {
                checkOnlySealedPlaintext(input, MAPPER.readTree(out));
            }
        } catch (IOException e) {
            // not JSON
        } catch (RuntimeException e) {
            Escapes.only(e, DecryptionException.class, KmsException.class, CodecException.class);
        }
        if (input == null || !input.isContainerNode()) {
            return;
        }
        try {
            JsonNode out = dec.decrypt(input, Map.of()).value();
            checkOnlySealedPlaintext(input, out);
        } catch (RuntimeException e) {
            Escapes.only(e, DecryptionException.class, KmsException.class, CodecException.class);
        }
    }

    private static void checkOnlySealedPlaintext(JsonNode in, JsonNode out) {
        if (in == null || out == null) {
            return;
        }
        if (in.isTextual() && !in.equals(out)) {
            assertEquals(new String(Sealed.PLAINTEXT, StandardCharsets.UTF_8), out.asText(),
                    "a forged value decrypted to something that was never sealed");
            return;
        }
        if (in.isObject()) {
            in.fieldNames().forEachRemaining(n -> checkOnlySealedPlaintext(in.get(n), out.get(n)));
        } else if (in.isArray()) {
            for (int i = 0; i < in.size(); i++) {
                checkOnlySealedPlaintext(in.get(i), out.get(i));
            }
        }
    }
}
