package dev.fieldseal.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.fieldseal.kms.Edek;
import dev.fieldseal.kms.KekRef;
import dev.fieldseal.kms.WrapAlgorithm;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.storage.SimpleHeaderConverter;
import org.junit.jupiter.api.Test;

/**
 * The {@code fieldseal.edek} header crosses hosts: Kafka hosts write it as base64 text, which a
 * Connect worker's default SimpleHeaderConverter passes through as a string; a Connect transform's
 * bytes header arrives raw or as the converter's base64. Readers take every form.
 */
class EdekHeaderTest {

    private static final SimpleHeaderConverter CONVERTER = new SimpleHeaderConverter();

    private static List<byte[]> blocks() {
        byte[] wrapped = new byte[256];
        new SecureRandom().nextBytes(wrapped);
        return List.of(EnvelopeLayout.edekBlock(new Edek(new KekRef("https://v.vault.azure.net/keys/k", "0123abcd"),
                WrapAlgorithm.RSA_OAEP_256, wrapped)));
    }

    @Test
    void theTextFormSurvivesTheDefaultHeaderConverterAndReadsAsTheRawForm() {
        List<byte[]> blocks = blocks();
        byte[] text = EdekHeader.writeText(blocks);
        SchemaAndValue asConnect = CONVERTER.toConnectHeader("t", EdekHeader.NAME, text);
        byte[] backOnTheWire = CONVERTER.fromConnectHeader("t", EdekHeader.NAME, asConnect.schema(), asConnect.value());

        assertArrayEquals(text, backOnTheWire);
        Map<ByteBuffer, Edek> expected = EdekHeader.read(EdekHeader.write(blocks));
        assertEquals(1, expected.size());
        assertEquals(expected, EdekHeader.read(text));
        assertEquals(expected, EdekHeader.read(((String) asConnect.value()).getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void aConnectBytesHeaderIsReadRawOrAsTheConvertersBase64() {
        List<byte[]> blocks = blocks();
        byte[] raw = EdekHeader.write(blocks);
        byte[] written = CONVERTER.fromConnectHeader("t", EdekHeader.NAME, Schema.BYTES_SCHEMA, raw);

        assertEquals(EdekHeader.read(raw), EdekHeader.read(written));
    }

    @Test
    void rawBytesDoNotSurviveTheDefaultHeaderConverterWhichIsWhyKafkaHostsWriteText() {
        byte[] raw = EdekHeader.write(blocks());
        SchemaAndValue asConnect = CONVERTER.toConnectHeader("t", EdekHeader.NAME, raw);
        byte[] mangled = String.valueOf(asConnect.value()).getBytes(StandardCharsets.UTF_8);

        assertNotEquals(raw.length, mangled.length);
        assertThrows(DecryptionException.class, () -> EdekHeader.read(mangled));
    }
}
