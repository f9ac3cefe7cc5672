package dev.fieldseal.serde;

import java.util.Map;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * A {@link Serde} for Kafka Streams: {@link EncryptingSerializer} for what the topology writes and
 * {@link DecryptingDeserializer} for what it reads, both configured from the same
 * {@code fieldseal.}-prefixed properties (as {@code default.value.serde} the Streams config is
 * passed to it; otherwise call {@link #configure} or use {@link #of}).
 */
public final class FieldsealSerdes implements Serde<Object> {

    private final EncryptingSerializer serializer = new EncryptingSerializer();
    private final DecryptingDeserializer deserializer = new DecryptingDeserializer();

    /** A configured serde for values ({@code isKey=false}) or keys. */
    public static FieldsealSerdes of(Map<String, ?> props, boolean isKey) {
        FieldsealSerdes s = new FieldsealSerdes();
        s.configure(props, isKey);
        return s;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        serializer.configure(configs, isKey);
        deserializer.configure(configs, isKey);
    }

    @Override
    public Serializer<Object> serializer() {
        return serializer;
    }

    @Override
    public Deserializer<Object> deserializer() {
        return deserializer;
    }

    @Override
    public void close() {
        serializer.close();
        deserializer.close();
    }
}
