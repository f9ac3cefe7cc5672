package dev.fieldseal.streams;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fieldseal.model.avro.SingleObjectEncoding;
import dev.fieldseal.codec.AvroValueCodec;
import dev.fieldseal.codec.ConnectValueCodec;
import dev.fieldseal.codec.JsonValueCodec;
import dev.fieldseal.envelope.Rekeyer;
import dev.fieldseal.envelope.SealedRecord;
import dev.fieldseal.envelope.Unsealer;
import dev.fieldseal.failure.Masks;
import dev.fieldseal.failure.OnFailure;
import dev.fieldseal.field.FieldSelection;
import dev.fieldseal.format.EnvelopeLayout;
import dev.fieldseal.kms.Edek;
import dev.fieldseal.model.avro.AvroDecryptor;
import dev.fieldseal.keyselect.RecordFields;
import dev.fieldseal.model.avro.AvroEncryptor;
import dev.fieldseal.model.avro.AvroFields;
import dev.fieldseal.model.json.JsonFields;
import dev.fieldseal.model.json.JsonBytesEncryptor;
import dev.fieldseal.model.json.JsonConverterForm;
import dev.fieldseal.model.json.JsonDecryptor;
import dev.fieldseal.registry.ConfluentFraming;
import dev.fieldseal.registry.RegistryAvro;
import dev.fieldseal.registry.RegistryException;
import dev.fieldseal.registry.RegistryJson;
import dev.fieldseal.value.FieldOpener;
import dev.fieldseal.value.FieldSealer;
import dev.fieldseal.value.WholeValue;
import dev.fieldseal.scan.RecordScan;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Turns one input record (key, value, headers) into its output key, value and fieldseal headers
 * for a route, in the app's mode. The key and the value of a record are handled together, so the
 * record's {@code fieldseal.kek.*} headers name every version either of them uses. One per
 * processor instance (not thread-safe: it reuses Avro readers and writers).
 */
final class RecordTransformer {

    static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The output of one record.
     *
     * @param key the new key (the input array itself when it did not change)
     * @param value the new value (likewise)
     * @param headers the fieldseal headers the record gets instead of the ones it has (an empty map
     *        removes them), or null to leave the record's headers as they are
     * @param oldKeyHeaders re-keying in place, when the key moved: the fieldseal headers of the key as
     *        it was (what a tombstone of the old key carries), else null
     */
    record Output(byte[] key, byte[] value, Map<String, byte[]> headers, Map<String, byte[]> oldKeyHeaders) {
        Output(byte[] key, byte[] value, Map<String, byte[]> headers) {
            this(key, value, headers, null);
        }
    }

    private final Route route;
    private final Crypto crypto;
    private final JsonValueCodec codec = new JsonValueCodec();
    private JsonBytesEncryptor jsonEncryptor;
    private JsonBytesEncryptor keyEncryptor;
    private JsonDecryptor jsonDecryptor;
    private JsonDecryptor keyDecryptor;
    private AvroEncryptor avroEncryptor;
    private AvroDecryptor avroDecryptor;
    /** decrypt: {@code fieldseal.on.failure}; what it does not replace becomes an UndecryptableValueException. */
    private OnFailure onFailure;
    private RekeyWalker rekeyWalker;
    private GenericDatumReader<GenericRecord> reader;
    /** Avro: the framing of input values written with the route's input schema. */
    private SingleObjectEncoding inputFraming;
    private BinaryEncoder encoder;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(256);
    private Schema writerSchemaFor;
    private GenericDatumWriter<GenericRecord> writer;
    private SingleObjectEncoding outputFraming;

    RecordTransformer(Route route, Crypto crypto) {
        this.route = route;
        this.crypto = crypto;
        FieldSelection values = FieldSelection.of(route.fields(), route.deterministicFields());
        Route.KeySealing key = route.key();
        FieldSelection keys = key.deterministic() ? FieldSelection.of(List.of(), key.fields())
                : FieldSelection.of(key.fields(), List.of());
        switch (crypto.mode()) {
            case StreamsAppConfig.MODE_ENCRYPT -> {
                jsonEncryptor = new JsonBytesEncryptor(crypto.sealer(), values, codec, JSON);
                keyEncryptor = new JsonBytesEncryptor(crypto.sealer(), keys, codec, JSON);
                avroEncryptor = new AvroEncryptor(crypto.sealer(), values, new AvroValueCodec());
            }
            case StreamsAppConfig.MODE_DECRYPT -> {
                onFailure = new OnFailure(crypto.failurePolicy(), null, crypto.metrics(), UndecryptableValueException::new);
                // JSON with an embedded Connect schema (EncryptFields in front of JsonConverter) is opened too.
                jsonDecryptor = new JsonDecryptor(crypto.unsealer(), values, codec, new ConnectValueCodec(),
                        new JsonConverterForm(JSON), onFailure);
                keyDecryptor = new JsonDecryptor(crypto.unsealer(), FieldSelection.of(key.fields(), List.of()), codec,
                        new ConnectValueCodec(), new JsonConverterForm(JSON), onFailure);
                avroDecryptor = new AvroDecryptor(crypto.unsealer(), values, new AvroValueCodec(), onFailure);
            }
            default -> rekeyWalker = new RekeyWalker(crypto.rekeyer());
        }
        if (route.avro()) {
            reader = new GenericDatumReader<>(route.inputSchema());
            inputFraming = SingleObjectEncoding.of(route.inputSchema());
        }
    }

    /**
     * @param key the record key, or null
     * @param value the record value, or null (a tombstone: only its key is handled)
     * @param headers the record's headers (read, not changed)
     * @throws BadRecordException if the value cannot be read in the route's format
     */
    Output apply(byte[] key, byte[] value, Headers headers) {
        return apply(null, key, value, headers);
    }

    /** {@link #apply(byte[], byte[], Headers)} for a record of {@code topic} (what {@code ${topic}} in kek.id reads). */
    Output apply(String topic, byte[] key, byte[] value, Headers headers) {
        return switch (crypto.mode()) {
            case StreamsAppConfig.MODE_ENCRYPT -> encrypt(topic, key, value);
            case StreamsAppConfig.MODE_DECRYPT -> decrypt(key, value, crypto.unsealer().edeks(headers));
            default -> rekey(key, value, headers);
        };
    }

    // ---- encrypt -------------------------------------------------------------------------------

    private Output encrypt(String topic, byte[] key, byte[] value) {
        GenericRecord avroValue = value != null && !route.whole() && route.avro() ? readAvro(value) : null;
        // the record's key: kek.id's, or the one its template names for this record (read before sealing)
        RecordFields valueFields = value == null || route.whole() ? RecordFields.NONE
                : avroValue != null ? AvroFields.of(avroValue) : JsonFields.of(JSON, value);
        RecordFields keyFields = route.key().whole() ? RecordFields.NONE : JsonFields.keyBytes(JSON, key);
        FieldSealer fields = FieldSealer.forRecord(crypto.sealer(), topic, keyFields, valueFields);
        SealedRecord sealed = fields.record();
        byte[] k = key == null || route.key().none() ? key
                : route.key().whole() ? WholeValue.seal(fields, key, route.key().deterministic()) : sealJson(keyEncryptor, key, fields);
        byte[] v = value;
        if (value != null) {
            if (route.whole()) {
                v = WholeValue.seal(fields, value, false);
            } else if (route.avro()) {
                AvroEncryptor.Result r = avroEncryptor.encrypt(avroValue, fields);
                v = writeAvro(r.value(), inputFraming.frames(value));
            } else if (route.registryAvro()) {
                AvroEncryptor.Result r = avroEncryptor.encrypt(readRegistry(value).record(), fields);
                v = route.registry().write(route.output(), r.value()); // the encrypted schema, under the output's subject
            } else if (route.registryJson()) {
                int id = registryJsonId(value);
                int sealedId = registryJson(() -> route.confluentJson().sealedId(route.output(), id));
                v = RegistryJson.frame(sealedId, sealJson(jsonEncryptor, RegistryJson.payload(value), fields));
            } else {
                v = sealJson(jsonEncryptor, value, fields);
            }
        }
        crypto.metrics().recordEncrypted(sealed.fields());
        return new Output(k, v, sealed.fields() > 0 ? sealed.headers() : null);
    }

    private static byte[] sealJson(JsonBytesEncryptor encryptor, byte[] json, FieldSealer fields) {
        try {
            return encryptor.encrypt(json, fields).value();
        } catch (IOException e) {
            throw notJson(e);
        }
    }

    // ---- decrypt -------------------------------------------------------------------------------

    /**
     * Opens key and value. Under on.failure=ciphertext a value that stays sealed keeps the record's
     * fieldseal headers (it still needs them); under mask the masked value needs none.
     *
     * @param count [0] values decrypted, [1] values left sealed
     */
    private Output decrypt(byte[] key, byte[] value, Map<ByteBuffer, Edek> edeks) {
        int[] count = new int[2];
        byte[] k = key == null ? null : openKey(key, edeks, count);
        byte[] v = value;
        if (value != null) {
            if (isWhole(value)) {
                v = openWhole(value, edeks, count);
            } else if (route.avro()) {
                AvroDecryptor.Result r = avroDecryptor.decrypt(readAvro(value), edeks);
                count[0] += r.fields();
                count[1] += r.leftSealed();
                v = r.leftSealed() > 0 ? value : writeAvro(r.value(), inputFraming.frames(value));
            } else if (route.registryAvro()) {
                AvroDecryptor.Result r = avroDecryptor.decrypt(readRegistry(value).record(), edeks);
                count[0] += r.fields();
                count[1] += r.leftSealed();
                // re-framed with the plaintext schema's id, so that a plain Avro consumer of the output reads it
                v = r.leftSealed() > 0 || r.fields() == 0 ? value : route.registry().write(route.output(), r.value());
            } else if (route.registryJson()) {
                int id = registryJsonId(value);
                JsonDecryptor.TextResult r = openJson(jsonDecryptor, RegistryJson.payload(value), edeks);
                count[0] += r.fields();
                count[1] += r.leftSealed();
                // re-framed with the plaintext schema's id; a value left sealed keeps the encrypted schema's
                v = r.leftSealed() > 0 || r.fields() == 0 ? value
                        : RegistryJson.frame(registryJson(() -> route.confluentJson().openedId(route.output(), id)),
                                r.value());
            } else if (!route.whole()) {
                JsonDecryptor.TextResult r = openJson(jsonDecryptor, value, edeks);
                count[0] += r.fields();
                count[1] += r.leftSealed();
                v = r.value();
            }
        }
        crypto.metrics().recordDecrypted(count[0]);
        // Everything opened: the annotation no longer describes the record.
        boolean all = route.fields().isEmpty() && route.key().fields().isEmpty() && count[1] == 0;
        return new Output(k, v, all && count[0] > 0 ? Map.of() : null);
    }

    private byte[] openKey(byte[] key, Map<ByteBuffer, Edek> edeks, int[] count) {
        if (isWhole(key)) {
            return openWhole(key, edeks, count);
        }
        if (startsJson(key)) {
            JsonDecryptor.TextResult r = openJson(keyDecryptor, key, edeks);
            count[0] += r.fields();
            count[1] += r.leftSealed();
            return r.value();
        }
        return key;
    }

    /** A whole sealed key or value; its mask is the mask text (a whole value is a string). */
    private byte[] openWhole(byte[] sealed, Map<ByteBuffer, Edek> edeks, int[] count) {
        FieldOpener opener = new FieldOpener(crypto.unsealer(), edeks, onFailure);
        byte[] out = WholeValue.open(opener, sealed, plain -> plain,
                maskText -> Masks.TEXT.getBytes(StandardCharsets.UTF_8));
        count[0] += opener.opened();
        count[1] += opener.leftSealed();
        return out;
    }

    private static JsonDecryptor.TextResult openJson(JsonDecryptor decryptor, byte[] json, Map<ByteBuffer, Edek> edeks) {
        try {
            return decryptor.decryptText(json, JSON, edeks);
        } catch (IOException e) {
            throw notJson(e);
        }
    }

    // ---- rekey ---------------------------------------------------------------------------------

    private Output rekey(byte[] key, byte[] value, Headers headers) {
        Map<ByteBuffer, Edek> edeks = headerEdeks(headers);
        Rekeyer.RekeyedRecord rec = crypto.rekeyer().newRecord(edeks);
        byte[] k = key == null ? null : isWhole(key) ? rekeyWalker.whole(key, rec)
                : startsJson(key) ? rekeyWalker.json(key, rec) : key;
        byte[] v = value;
        if (value != null) {
            v = isWhole(value) ? rekeyWalker.whole(value, rec)
                    : route.avro() ? rekeyWalker.avro(inputFraming, value, rec)
                    : route.registryAvro() ? rekeyWalker.avro(writerSchema(value), value, ConfluentFraming.HEADER_LENGTH, rec)
                    : route.registryJson() ? rekeyJsonFramed(value, rec)
                    : route.whole() ? value : rekeyWalker.json(value, rec);
        }
        Map<String, byte[]> fresh = rec.headers();
        // Headers that do not match the envelopes (written by an older fieldseal) are corrected too.
        boolean rewrite = rec.changed() || !sameAnnotation(headers, fresh);
        Map<String, byte[]> oldKey = k == key || !route.writesToItsInput() ? null
                : crypto.rekeyer().annotation(rekeyWalker.envelopes(key), edeks); // for the old key's tombstone
        return new Output(k, v, rewrite ? fresh : null, oldKey);
    }

    /** Whether the record's fieldseal.kek.* headers name the same key ids and versions as {@code fresh}. */
    private static boolean sameAnnotation(Headers headers, Map<String, byte[]> fresh) {
        RecordHeaders h = new RecordHeaders();
        fresh.forEach(h::add);
        RecordScan now = RecordScan.of(headers, List.of(), List.of());
        RecordScan want = RecordScan.of(h, List.of(), List.of());
        return now.headerKeyIds().equals(want.headerKeyIds()) && now.headerVersions().equals(want.headerVersions());
    }

    // ---- shared --------------------------------------------------------------------------------

    /** Whether a key or value is one envelope as a whole (base64 text, or raw bytes). */
    static boolean isWhole(byte[] b) {
        return EnvelopeLayout.hasMagic(b) || b.length >= 4 && b[0] == '/' && b[1] == 'k' && b[2] == 'Z' && b[3] == 'T';
    }

    private static boolean startsJson(byte[] b) {
        for (byte x : b) {
            if (x == '{' || x == '[') {
                return true;
            }
            if (x != ' ' && x != '\t' && x != '\r' && x != '\n') {
                return false;
            }
        }
        return false;
    }

    static Map<ByteBuffer, Edek> headerEdeks(Headers headers) {
        return Unsealer.recordEdeks(headers);
    }

    /** json-confluent: the envelopes of the JSON text moved, the frame (and so the schema id) kept. */
    private byte[] rekeyJsonFramed(byte[] value, Rekeyer.RekeyedRecord rec) {
        int id = registryJsonId(value);
        byte[] payload = RegistryJson.payload(value);
        byte[] moved = rekeyWalker.json(payload, rec);
        return moved == payload ? value : RegistryJson.frame(id, moved);
    }

    /** The schema id of a json-confluent value; a value without the framing is a bad record. */
    private static int registryJsonId(byte[] value) {
        try {
            return RegistryJson.id(value);
        } catch (IllegalArgumentException e) {
            throw new BadRecordException(e.getMessage());
        }
    }

    /** A registry lookup for a json-confluent value; failures as {@link #registryFailure}. */
    private static int registryJson(java.util.function.IntSupplier call) {
        try {
            return call.getAsInt();
        } catch (IllegalArgumentException e) {
            throw new BadRecordException(e.getMessage());
        } catch (RegistryException e) {
            throw registryFailure(e);
        }
    }

    /** A value in the Confluent wire format; see {@link #registryFailure}. */
    private RegistryAvro.Read readRegistry(byte[] value) {
        try {
            return route.registry().read(value);
        } catch (IllegalArgumentException e) {
            throw new BadRecordException(e.getMessage());
        } catch (RegistryException e) {
            throw registryFailure(e);
        }
    }

    private Schema writerSchema(byte[] value) {
        try {
            return route.registry().writerSchema(value);
        } catch (IllegalArgumentException e) {
            throw new BadRecordException(e.getMessage());
        } catch (RegistryException e) {
            throw registryFailure(e);
        }
    }

    /**
     * A schema id the registry does not know is this record's fault (dead-lettered); an outage or a
     * refusal of our credentials is not, and stops the task without committing past the record.
     */
    private static RuntimeException registryFailure(RegistryException e) {
        return e.notFound() ? new BadRecordException(e.getMessage()) : e;
    }

    /** The schema values of this route are written with after the transformation. */
    Schema outputSchema() {
        return switch (crypto.mode()) {
            case StreamsAppConfig.MODE_ENCRYPT -> avroEncryptor.outputSchema(route.inputSchema());
            case StreamsAppConfig.MODE_DECRYPT -> avroDecryptor.outputSchema(route.inputSchema());
            default -> route.inputSchema();
        };
    }

    static JsonNode readJson(byte[] value) {
        try {
            return JSON.readTree(value);
        } catch (IOException e) {
            throw notJson(e);
        }
    }

    static BadRecordException notJson(IOException e) {
        // Jackson's message quotes the input; only the position is reported.
        return new BadRecordException("Value is not valid JSON (" + e.getClass().getSimpleName()
                + (e instanceof JsonProcessingException j && j.getLocation() != null ? " at line "
                + j.getLocation().getLineNr() + ", column " + j.getLocation().getColumnNr() : "") + ").");
    }

    /** The input value: single-object encoded with the route's input schema, or plain binary of it. */
    GenericRecord readAvro(byte[] value) {
        return readAvro(reader, inputFraming, value);
    }

    /** As {@link #readAvro(byte[])}, for callers without a transformer (dead-lettering). */
    static GenericRecord readAvro(GenericDatumReader<GenericRecord> reader, byte[] value, Schema schema) {
        return readAvro(reader, SingleObjectEncoding.of(schema), value);
    }

    private static GenericRecord readAvro(GenericDatumReader<GenericRecord> reader, SingleObjectEncoding framing,
            byte[] value) {
        Schema schema = framing.schema();
        int offset = framing.datumOffset(value);
        try {
            BinaryDecoder d = DecoderFactory.get().binaryDecoder(value, offset, value.length - offset, null);
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

    /**
     * Writes the output value in the framing of the input: single-object encoding with the output
     * schema's fingerprint if the input was single-object encoded, plain binary otherwise.
     */
    private byte[] writeAvro(GenericRecord r, boolean singleObject) {
        if (writer == null || writerSchemaFor != r.getSchema()) {
            writer = new GenericDatumWriter<>(r.getSchema());
            writerSchemaFor = r.getSchema();
            outputFraming = SingleObjectEncoding.of(r.getSchema());
        }
        buffer.reset();
        if (singleObject) {
            outputFraming.writeHeader(buffer);
        }
        encoder = EncoderFactory.get().binaryEncoder(buffer, encoder);
        try {
            writer.write(r, encoder);
            encoder.flush();
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("Cannot write the Avro record (" + e.getClass().getSimpleName() + ")");
        }
        return buffer.toByteArray();
    }
}
