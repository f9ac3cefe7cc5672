package dev.fieldseal.streams;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fieldseal.codec.AvroValueCodec;
import dev.fieldseal.codec.JsonValueCodec;
import dev.fieldseal.envelope.Rekeyer;
import dev.fieldseal.envelope.SealedRecord;
import dev.fieldseal.envelope.Unsealer;
import dev.fieldseal.field.FieldSelection;
import dev.fieldseal.format.EdekHeader;
import dev.fieldseal.record.AvroDecryptor;
import dev.fieldseal.record.AvroEncryptor;
import dev.fieldseal.record.JsonDecryptor;
import dev.fieldseal.record.JsonBytesEncryptor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;

/**
 * Turns one input value into its output value and fieldseal headers for a route, in the app's
 * mode. One per processor instance (not thread-safe: it reuses Avro readers and writers).
 */
final class ValueTransformer {

    static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The output of one record.
     *
     * @param value the new value (the input array itself when nothing changed)
     * @param headers fieldseal headers to set (replacing any of the same name)
     * @param removeFieldsealHeaders drop every fieldseal header (decrypted records)
     */
    record Output(byte[] value, Map<String, byte[]> headers, boolean removeFieldsealHeaders) {
        static Output unchanged(byte[] value) {
            return new Output(value, Map.of(), false);
        }
    }

    private final Route route;
    private final Crypto crypto;
    private final FieldSelection selection;
    private JsonBytesEncryptor jsonEncryptor;
    private JsonDecryptor jsonDecryptor;
    private AvroEncryptor avroEncryptor;
    private AvroDecryptor avroDecryptor;
    private RekeyWalker rekeyWalker;
    private GenericDatumReader<GenericRecord> reader;
    private BinaryDecoder decoder;
    private BinaryEncoder encoder;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(256);
    private Schema writerSchemaFor;
    private GenericDatumWriter<GenericRecord> writer;

    ValueTransformer(Route route, Crypto crypto) {
        this.route = route;
        this.crypto = crypto;
        this.selection = FieldSelection.of(route.fields(), route.deterministicFields());
        switch (crypto.mode()) {
            case StreamsAppConfig.MODE_ENCRYPT -> {
                jsonEncryptor = new JsonBytesEncryptor(crypto.sealer(), selection, new JsonValueCodec(), JSON);
                avroEncryptor = new AvroEncryptor(crypto.sealer(), selection, new AvroValueCodec());
            }
            case StreamsAppConfig.MODE_DECRYPT -> {
                jsonDecryptor = new JsonDecryptor(crypto.unsealer(), selection);
                avroDecryptor = new AvroDecryptor(crypto.unsealer(), selection);
            }
            default -> rekeyWalker = new RekeyWalker(crypto.rekeyer());
        }
        if (route.avro()) {
            reader = new GenericDatumReader<>(route.inputSchema());
        }
    }

    /**
     * @param value a non-null value
     * @param edekHeader the record's {@code fieldseal.edek} header, or null
     * @throws BadRecordException if the value cannot be read in the route's format
     */
    Output apply(byte[] value, byte[] edekHeader) {
        return route.avro() ? avro(value, edekHeader) : json(value, edekHeader);
    }

    private Output json(byte[] value, byte[] edekHeader) {
        switch (crypto.mode()) {
            case StreamsAppConfig.MODE_ENCRYPT -> {
                return encryptJson(value);
            }
            case StreamsAppConfig.MODE_DECRYPT -> {
                return decryptJson(value, edekHeader);
            }
            default -> {
                JsonNode tree = readJson(value);
                if (tree == null || tree.isNull() || tree.isMissingNode()) {
                    return Output.unchanged(value);
                }
                Rekeyer.RekeyedRecord rec = crypto.rekeyer().newRecord(edekHeader);
                JsonNode out = rekeyWalker.json(tree, rec);
                return rec.changed() ? new Output(writeJson(out), rec.headers(), false) : Output.unchanged(value);
            }
        }
    }

    private Output avro(byte[] value, byte[] edekHeader) {
        GenericRecord in = readAvro(value);
        switch (crypto.mode()) {
            case StreamsAppConfig.MODE_ENCRYPT -> {
                AvroEncryptor.Result r = avroEncryptor.encrypt(in);
                crypto.metrics().recordEncrypted(r.sealed().fields());
                return new Output(writeAvro(r.value()), r.sealed().headers(), false);
            }
            case StreamsAppConfig.MODE_DECRYPT -> {
                AvroDecryptor.Result r = avroDecryptor.decrypt(in, Unsealer.headerEdeks(edekHeader));
                crypto.metrics().recordDecrypted(r.fields());
                return new Output(writeAvro(r.value()), Map.of(), route.fields().isEmpty());
            }
            default -> {
                Rekeyer.RekeyedRecord rec = crypto.rekeyer().newRecord(edekHeader);
                rekeyWalker.avro(in, rec);
                return rec.changed() ? new Output(writeAvro(in), rec.headers(), false) : Output.unchanged(value);
            }
        }
    }

    /** The schema values of this route are written with after the transformation. */
    Schema outputSchema() {
        return switch (crypto.mode()) {
            case StreamsAppConfig.MODE_ENCRYPT -> avroEncryptor.outputSchema(route.inputSchema());
            case StreamsAppConfig.MODE_DECRYPT -> avroDecryptor.outputSchema(route.inputSchema());
            default -> route.inputSchema();
        };
    }

    /** Encrypts without building a tree: the envelopes are spliced into the input bytes. */
    private Output encryptJson(byte[] value) {
        JsonBytesEncryptor.Result r;
        try {
            r = jsonEncryptor.encrypt(value);
        } catch (IOException e) {
            throw notJson(e);
        }
        crypto.metrics().recordEncrypted(r.sealed().fields());
        return new Output(r.value(), r.sealed().headers(), false);
    }

    /** Decrypts without building a tree: each envelope is replaced by its plaintext's JSON in the input bytes. */
    private Output decryptJson(byte[] value, byte[] edekHeader) {
        JsonDecryptor.TextResult r;
        try {
            r = jsonDecryptor.decryptText(value, JSON, Unsealer.headerEdeks(edekHeader));
        } catch (IOException e) {
            throw notJson(e);
        }
        crypto.metrics().recordDecrypted(r.fields());
        return new Output(r.value(), Map.of(), route.fields().isEmpty());
    }

    static JsonNode readJson(byte[] value) {
        try {
            return JSON.readTree(value);
        } catch (IOException e) {
            throw notJson(e);
        }
    }

    private static BadRecordException notJson(IOException e) {
        // Jackson's message quotes the input; only the position is reported.
        return new BadRecordException("Value is not valid JSON (" + e.getClass().getSimpleName()
                + (e instanceof JsonProcessingException j && j.getLocation() != null ? " at line "
                + j.getLocation().getLineNr() + ", column " + j.getLocation().getColumnNr() : "") + ").");
    }

    private static byte[] writeJson(JsonNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot write JSON (" + e.getClass().getSimpleName() + ")");
        }
    }

    GenericRecord readAvro(byte[] value) {
        return readAvro(reader, value, route.inputSchema());
    }

    static GenericRecord readAvro(GenericDatumReader<GenericRecord> reader, byte[] value, Schema schema) {
        try {
            BinaryDecoder d = DecoderFactory.get().binaryDecoder(value, null);
            GenericRecord r = reader.read(null, d);
            if (!d.isEnd()) {
                throw new BadRecordException("Value has bytes after an Avro record of " + schema.getFullName()
                        + ": not written with the configured schema.");
            }
            return r;
        } catch (IOException | RuntimeException e) {
            if (e instanceof BadRecordException b) {
                throw b;
            }
            // Avro's messages may quote data; only the type is reported.
            throw new BadRecordException("Value is not Avro binary of " + schema.getFullName() + " ("
                    + e.getClass().getSimpleName() + ").");
        }
    }

    private byte[] writeAvro(GenericRecord r) {
        if (writer == null || writerSchemaFor != r.getSchema()) {
            writer = new GenericDatumWriter<>(r.getSchema());
            writerSchemaFor = r.getSchema();
        }
        buffer.reset();
        encoder = EncoderFactory.get().binaryEncoder(buffer, encoder);
        try {
            writer.write(r, encoder);
            encoder.flush();
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("Cannot write the Avro record (" + e.getClass().getSimpleName() + ")");
        }
        return buffer.toByteArray();
    }

    static String edekHeaderName() {
        return EdekHeader.NAME;
    }

    static java.util.List<String> fieldsealHeaderNames() {
        return SealedRecord.headerNames();
    }
}
