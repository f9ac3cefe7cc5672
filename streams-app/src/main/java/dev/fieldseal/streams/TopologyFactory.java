package dev.fieldseal.streams;

import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * Builds the app's topology: per route, source (topics or pattern) → fieldseal processor →
 * output sink (and a dead-letter sink); plus, if configured and useful for the mode, a source for
 * Key Vault rotation events, read by every instance. Keys and values are bytes throughout.
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
        String events = settings.rotationEventsTopic();
        if (events != null && !StreamsAppConfig.MODE_DECRYPT.equals(crypto.mode())) {
            // A global source: every instance reads every event (a regular source would give each
            // partition of the events topic to one instance only). The store is required by the API
            // and stays empty; an event re-read at start-up only costs a key refresh.
            t.addGlobalStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("fieldseal-rotation-events"),
                            Serdes.ByteArray(), Serdes.ByteArray()).withLoggingDisabled(),
                    "rotation-events-source", de, de, events, "rotation-events",
                    () -> new RotationEventProcessor(crypto, appMetrics));
        }
        return t;
    }
}
