package dev.fieldseal.connect;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.source.SourceConnector;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTask;

/**
 * A test source emitting {@link Samples#person} Structs ({@code mode=struct}) or schemaless
 * {@link Samples#json} maps ({@code mode=json}), numbered from 0, as fast as the test releases
 * them ({@link #release}). Runs are keyed by the {@code run} config so connectors don't mix.
 * Topic: {@code topic}, else {@code topic.prefix} + {@code table.whitelist} (as a JDBC source names it).
 */
public class PeopleSource extends SourceConnector {

    private static final Map<String, AtomicInteger> EMITTED = new ConcurrentHashMap<>();

    private Map<String, String> props;

    /** Lets the source of {@code run} emit {@code n} more records. */
    public static void release(String run, int n) {
        Releases.release("people/" + run, n);
    }

    public static int emitted(String run) {
        AtomicInteger a = EMITTED.get(run);
        return a == null ? 0 : a.get();
    }

    @Override
    public void start(Map<String, String> props) {
        this.props = props;
    }

    @Override
    public Class<? extends Task> taskClass() {
        return PeopleTask.class;
    }

    @Override
    public List<Map<String, String>> taskConfigs(int maxTasks) {
        return List.of(props);
    }

    @Override
    public void stop() {
    }

    @Override
    public ConfigDef config() {
        return new ConfigDef();
    }

    @Override
    public String version() {
        return "test";
    }

    public static class PeopleTask extends SourceTask {
        private String run;
        private String topic;
        private boolean json;

        @Override
        public void start(Map<String, String> props) {
            run = props.getOrDefault("run", "default");
            topic = props.containsKey("topic") ? props.get("topic")
                    : props.getOrDefault("topic.prefix", "") + props.get("table.whitelist");
            json = "json".equals(props.get("mode"));
        }

        @Override
        public List<SourceRecord> poll() throws InterruptedException {
            AtomicInteger emitted = EMITTED.computeIfAbsent(run, r -> new AtomicInteger());
            int released = Releases.awaitMoreThan("people/" + run, emitted.get(), 100);
            List<SourceRecord> out = new ArrayList<>();
            while (emitted.get() < released && out.size() < 50) {
                int n = emitted.getAndIncrement();
                Map<String, ?> partition = Map.of("run", run);
                Map<String, ?> offset = Map.of("n", n);
                out.add(json
                        ? new SourceRecord(partition, offset, topic, null, Schema.STRING_SCHEMA, "k" + n, null,
                                Samples.json(n))
                        : new SourceRecord(partition, offset, topic, null, Schema.STRING_SCHEMA, "k" + n,
                                Samples.PERSON, Samples.person(n)));
            }
            return out.isEmpty() ? null : out;
        }

        @Override
        public void stop() {
        }

        @Override
        public String version() {
            return "test";
        }
    }
}
