package dev.fieldseal.streams;

import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.Topology;

/**
 * Builds the app's topology: per route, source (topics or pattern) → fieldseal processor →
 * output sink (and a dead-letter sink). Keys and values are bytes throughout.
 *
 * <p>Key Vault rotation events are not part of the topology: a source would give each partition
 * of the events topic to one instance only, and every instance must see every event. With
 * {@code fieldseal.rotation.events.topic} set, building the topology starts the shared listener
 * of core on {@code crypto} (every mode), which closes it with itself.
 */
public final class TopologyFactory {

    private TopologyFactory() {
    }

    public static Topology build(AppSettings settings, Crypto crypto, AppMetrics appMetrics) {
        Topology t = new Topology();
        ByteArrayDeserializer de = new ByteArrayDeserializer();
        ByteArraySerializer ser = new ByteArraySerializer();
        String dlq = settings.dlqTopic();
        for (Route r : settings.routes()) {
            String source = "route-" + r.name() + "-source";
            String proc = "route-" + r.name() + "-" + crypto.mode();
            String out = "route-" + r.name() + "-output";
            String dead = dlq == null ? null : "route-" + r.name() + "-dlq";
            if (r.pattern() != null) {
                t.addSource(source, de, de, r.pattern());
            } else {
                t.addSource(source, de, de, r.topics().toArray(String[]::new));
            }
            t.addProcessor(proc, () -> new FieldsealProcessor(r, crypto, appMetrics, out, dead), source);
            t.addSink(out, r.output(), ser, ser, proc);
            if (dead != null) {
                t.addSink(dead, dlq, ser, ser, proc);
            }
        }
        crypto.startRotationEvents(settings.streamsProps(), appMetrics);
        return t;
    }
}
