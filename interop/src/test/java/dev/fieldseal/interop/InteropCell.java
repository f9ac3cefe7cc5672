package dev.fieldseal.interop;

import java.util.List;

/**
 * One cell of the interop matrix: what one host wrote, one host reads, under one placement, key
 * type and field mode, and what must happen. {@code docs/interop.md} is generated from the list of
 * these that {@link InteropMatrixTest} runs ({@link InteropCells}).
 */
record InteropCell(Writer writer, Reader reader, Placement placement, KeyType keyType, Mode mode, String expected) {

    static final String ROUND_TRIP = "round trip";

    enum Part { KEY, VALUE }

    /** The data model a writer produces: what a reader must be able to take. */
    enum Format {
        CONNECT_STRUCT("json with schema"), CONNECT_MAP("json"), JSON("json"), STRING("string"), AVRO("avro"),
        AVRO_CONFLUENT("avro-confluent"), JSON_CONFLUENT("json-confluent");

        final String label;

        Format(String label) {
            this.label = label;
        }
    }

    /**
     * The batch of records a writer's cells share: one topic per key type and placement.
     * {@code source} is what a re-key family re-keys.
     */
    enum Family {
        SMT_STRUCT("smt-struct", null), SMT_MAP("smt-map", null), SERDE_JSON("serde-json", null),
        SERDE_STRING("serde-string", null), SERDE_AVRO("serde-avro", null), STREAMS_JSON("streams-json", null),
        STREAMS_STRING("streams-string", null), STREAMS_AVRO("streams-avro", null),
        REKEY_SERDE_JSON("rekey-serde-json", SERDE_JSON), REKEY_SMT_STRUCT("rekey-smt-struct", SMT_STRUCT),
        SERDE_AVRO_CF("serde-avro-cf", null), SERDE_JSON_CF("serde-json-cf", null),
        STREAMS_AVRO_CF("streams-avro-cf", null), STREAMS_JSON_CF("streams-json-cf", null);

        final String id;
        final Family source;

        Family(String id, Family source) {
            this.id = id;
            this.source = source;
        }

        String topic(KeyType k, Placement p) {
            return id + "." + k.id + "." + p.id;
        }

        boolean rekeyed() {
            return source != null;
        }

        /** Schema Registry framing: a few cells only (one key type, one placement), as the framing is the point. */
        boolean registry() {
            return this == SERDE_AVRO_CF || this == SERDE_JSON_CF || this == STREAMS_AVRO_CF || this == STREAMS_JSON_CF;
        }
    }

    enum Writer {
        SMT_STRUCT_VALUE("EncryptFields$Value", Part.VALUE, Format.CONNECT_STRUCT, Family.SMT_STRUCT, Mode.BOTH),
        SMT_STRUCT_KEY("EncryptFields$Key", Part.KEY, Format.CONNECT_STRUCT, Family.SMT_STRUCT, Mode.BOTH),
        SMT_MAP_VALUE("EncryptFields$Value", Part.VALUE, Format.CONNECT_MAP, Family.SMT_MAP, Mode.BOTH),
        SERDE_JSON_VALUE("EncryptingSerializer (value)", Part.VALUE, Format.JSON, Family.SERDE_JSON, Mode.BOTH),
        SERDE_JSON_KEY("EncryptingSerializer (key)", Part.KEY, Format.JSON, Family.SERDE_JSON, Mode.BOTH),
        SERDE_STRING_VALUE("EncryptingSerializer (value)", Part.VALUE, Format.STRING, Family.SERDE_STRING, Mode.RANDOM),
        SERDE_STRING_KEY("EncryptingSerializer (key)", Part.KEY, Format.STRING, Family.SERDE_STRING, Mode.RANDOM),
        SERDE_AVRO_VALUE("EncryptingSerializer (value)", Part.VALUE, Format.AVRO, Family.SERDE_AVRO, Mode.BOTH),
        STREAMS_JSON_VALUE("Streams encrypt (value)", Part.VALUE, Format.JSON, Family.STREAMS_JSON, Mode.BOTH),
        STREAMS_JSON_KEY("Streams encrypt (key)", Part.KEY, Format.JSON, Family.STREAMS_JSON, Mode.DET),
        STREAMS_STRING_VALUE("Streams encrypt (value)", Part.VALUE, Format.STRING, Family.STREAMS_STRING, Mode.RANDOM),
        STREAMS_STRING_KEY("Streams encrypt (key)", Part.KEY, Format.STRING, Family.STREAMS_STRING, Mode.RANDOM),
        STREAMS_AVRO_VALUE("Streams encrypt (value)", Part.VALUE, Format.AVRO, Family.STREAMS_AVRO, Mode.BOTH),
        REKEY_SERDE_JSON_VALUE("Streams rekey of EncryptingSerializer (value)", Part.VALUE, Format.JSON,
                Family.REKEY_SERDE_JSON, Mode.BOTH),
        REKEY_SERDE_JSON_KEY("Streams rekey of EncryptingSerializer (key)", Part.KEY, Format.JSON,
                Family.REKEY_SERDE_JSON, Mode.BOTH),
        REKEY_SMT_STRUCT_VALUE("Streams rekey of EncryptFields$Value", Part.VALUE, Format.CONNECT_STRUCT,
                Family.REKEY_SMT_STRUCT, Mode.BOTH),
        SERDE_AVRO_CF_VALUE("EncryptingSerializer (value)", Part.VALUE, Format.AVRO_CONFLUENT, Family.SERDE_AVRO_CF,
                Mode.BOTH),
        SERDE_JSON_CF_VALUE("EncryptingSerializer (value)", Part.VALUE, Format.JSON_CONFLUENT, Family.SERDE_JSON_CF,
                Mode.BOTH),
        STREAMS_AVRO_CF_VALUE("Streams encrypt (value)", Part.VALUE, Format.AVRO_CONFLUENT, Family.STREAMS_AVRO_CF,
                Mode.BOTH),
        STREAMS_JSON_CF_VALUE("Streams encrypt (value)", Part.VALUE, Format.JSON_CONFLUENT, Family.STREAMS_JSON_CF,
                Mode.BOTH);

        final String label;
        final Part part;
        final Format format;
        final Family family;
        final List<Mode> modes;

        Writer(String label, Part part, Format format, Family family, List<Mode> modes) {
            this.label = label;
            this.part = part;
            this.format = format;
            this.family = family;
            this.modes = modes;
        }

        /** Whole-value formats seal the key or value as one envelope. */
        boolean whole() {
            return format == Format.STRING;
        }
    }

    enum Reader {
        DECRYPT_FIELDS("DecryptFields"), DESERIALIZER("DecryptingDeserializer"), STREAMS_DECRYPT("Streams decrypt");

        final String label;

        Reader(String label) {
            this.label = label;
        }

        /**
         * Whether this reader can be handed the writer's bytes at all. A Connect worker needs a
         * converter for the format; this build has none for Avro without a schema registry, and no
         * registry-aware converter (none is on the build's classpath).
         */
        boolean takes(Format f) {
            return this != DECRYPT_FIELDS
                    || f != Format.AVRO && f != Format.AVRO_CONFLUENT && f != Format.JSON_CONFLUENT;
        }

        String label(Part part) {
            return this == DECRYPT_FIELDS ? label + (part == Part.KEY ? "$Key" : "$Value") : label;
        }
    }

    enum Placement {
        FIELD("field"), HEADER("header");

        final String id;

        Placement(String id) {
            this.id = id;
        }
    }

    enum KeyType {
        RSA("rsa", "RSA (Key Vault)"), OCT_HSM("oct", "oct-HSM (Managed HSM)"), LOCAL("local", "local:");

        final String id;
        final String label;

        KeyType(String id, String label) {
            this.id = id;
            this.label = label;
        }
    }

    enum Mode {
        RANDOMIZED("randomized"), DETERMINISTIC("deterministic");

        static final List<Mode> BOTH = List.of(RANDOMIZED, DETERMINISTIC);
        static final List<Mode> RANDOM = List.of(RANDOMIZED);
        static final List<Mode> DET = List.of(DETERMINISTIC);

        final String label;

        Mode(String label) {
            this.label = label;
        }
    }

    boolean roundTrip() {
        return ROUND_TRIP.equals(expected);
    }

    @Override
    public String toString() {
        return writer.label + " [" + writer.format.label + "] -> " + reader.label(writer.part) + ", " + placement.id
                + ", " + keyType.label + ", " + mode.label;
    }
}
