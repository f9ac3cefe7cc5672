package dev.fieldseal.registry;

import java.util.Locale;
import org.apache.avro.Schema;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/**
 * Which subject a schema is registered and looked up under, as Confluent's serdes name them:
 * {@code TopicNameStrategy} ({@code <topic>-key} / {@code <topic>-value}, the default),
 * {@code RecordNameStrategy} (the record's full name) and {@code TopicRecordNameStrategy}
 * ({@code <topic>-<full name>}). Settings accept the short names and Confluent's class names
 * ({@code io.confluent.kafka.serializers.subject.TopicNameStrategy}).
 */
public enum SubjectNameStrategy {
    TOPIC("TopicNameStrategy"),
    RECORD("RecordNameStrategy"),
    TOPIC_RECORD("TopicRecordNameStrategy");

    static final ConfigDef.Validator VALIDATOR = new ConfigDef.Validator() {
        @Override
        public void ensureValid(String name, Object value) {
            if (find((String) value) == null) {
                throw new ConfigException(name, value, "Use TopicNameStrategy, RecordNameStrategy or "
                        + "TopicRecordNameStrategy (short or full class names).");
            }
        }

        @Override
        public String toString() {
            return "[TopicNameStrategy, RecordNameStrategy, TopicRecordNameStrategy]";
        }
    };

    private final String shortName;

    SubjectNameStrategy(String shortName) {
        this.shortName = shortName;
    }

    public String shortName() {
        return shortName;
    }

    public static SubjectNameStrategy of(String name) {
        SubjectNameStrategy s = find(name);
        if (s == null) {
            throw new IllegalArgumentException("Unknown subject name strategy " + name);
        }
        return s;
    }

    private static SubjectNameStrategy find(String name) {
        if (name == null) {
            return null;
        }
        String simple = name.trim().substring(name.trim().lastIndexOf('.') + 1);
        for (SubjectNameStrategy s : values()) {
            if (s.shortName.toLowerCase(Locale.ROOT).equals(simple.toLowerCase(Locale.ROOT))) {
                return s;
            }
        }
        return null;
    }

    /** The subject of {@code schema} written to {@code topic} as a key or value. */
    public String subject(String topic, boolean isKey, Schema schema) {
        return switch (this) {
            case TOPIC -> topic + (isKey ? "-key" : "-value");
            case RECORD -> recordName(schema);
            case TOPIC_RECORD -> topic + "-" + recordName(schema);
        };
    }

    /**
     * The subject of a schema named {@code recordName} (a JSON Schema's {@code title}; may be null,
     * which only {@link #TOPIC} accepts) written to {@code topic} as a key or value.
     */
    public String subject(String topic, boolean isKey, String recordName) {
        if (this != TOPIC && (recordName == null || recordName.isBlank())) {
            throw new IllegalArgumentException(shortName + " names subjects after records; the JSON Schema has no "
                    + "title");
        }
        return switch (this) {
            case TOPIC -> topic + (isKey ? "-key" : "-value");
            case RECORD -> recordName;
            case TOPIC_RECORD -> topic + "-" + recordName;
        };
    }

    private String recordName(Schema schema) {
        if (schema.getType() != Schema.Type.RECORD) {
            throw new IllegalArgumentException(shortName + " names subjects after records; the schema is a "
                    + schema.getType());
        }
        return schema.getFullName();
    }
}
