package dev.fieldseal.model.connect;

import dev.fieldseal.codec.ConnectValueCodec;
import java.util.Base64;
import java.util.Map;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;

/**
 * The Connect schema of an encrypted field: {@code string} (base64) or {@code bytes}, with the
 * original optionality and doc, and two parameters: a marker, and the original field schema
 * (codec descriptor, base64). Schema parameters survive the usual converters (JsonConverter with
 * schemas, Avro and Protobuf converters of schema registries), so a decrypting side restores the
 * whole original schema even for records where the field is null.
 */
public final class EncryptedSchemas {

    /** Marks an encrypted field; the value is the wire-format version. */
    public static final String MARKER = "fieldseal.encrypted";
    /** The original field schema as a base64 codec descriptor. */
    public static final String ORIGINAL_SCHEMA = "fieldseal.schema";

    private final ConnectValueCodec codec;
    private final boolean bytes;

    public EncryptedSchemas(ConnectValueCodec codec, boolean bytes) {
        this.codec = codec;
        this.bytes = bytes;
    }

    public static boolean isEncrypted(Schema schema) {
        Map<String, String> p = schema == null ? null : schema.parameters();
        return p != null && p.containsKey(MARKER);
    }

    /** The schema that replaces {@code original} once encrypted. */
    public Schema encrypted(Schema original) {
        SchemaBuilder b = bytes ? SchemaBuilder.bytes() : SchemaBuilder.string();
        if (original.isOptional()) {
            b.optional();
        }
        if (original.doc() != null) {
            b.doc(original.doc());
        }
        return b.parameter(MARKER, "1")
                .parameter(ORIGINAL_SCHEMA, Base64.getEncoder().encodeToString(codec.descriptor(original)))
                .build();
    }

    /**
     * Copies name, version, doc, parameters and optionality onto a builder for a rebuilt schema
     * (like Connect's SchemaUtil, which lives in connect-transforms, a jar serde users lack).
     */
    static SchemaBuilder copyBasics(Schema source, SchemaBuilder target) {
        target.name(source.name());
        target.version(source.version());
        target.doc(source.doc());
        if (source.parameters() != null) {
            target.parameters(source.parameters());
        }
        if (source.isOptional()) {
            target.optional();
        }
        return target;
    }

    /** The original schema of an encrypted field. */
    public Schema original(Schema encrypted) {
        String d = encrypted.parameters().get(ORIGINAL_SCHEMA);
        if (d == null) {
            throw new org.apache.kafka.connect.errors.DataException("Encrypted field schema lacks its "
                    + ORIGINAL_SCHEMA + " parameter; was it stripped by a converter?");
        }
        return codec.schema(Base64.getDecoder().decode(d));
    }
}
