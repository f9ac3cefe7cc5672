package dev.fieldseal.connect;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.sink.SinkConnector;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;

/** A test sink keeping every record it receives, by the {@code run} config. */
public class RecordingSink extends SinkConnector {

    private static final Map<String, List<SinkRecord>> RECEIVED = new ConcurrentHashMap<>();

    private Map<String, String> props;

    public static List<SinkRecord> received(String run) {
        return RECEIVED.computeIfAbsent(run, r -> new CopyOnWriteArrayList<>());
    }

    @Override
    public void start(Map<String, String> props) {
        this.props = props;
    }

    @Override
    public Class<? extends Task> taskClass() {
        return RecordingTask.class;
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

    public static class RecordingTask extends SinkTask {
        private List<SinkRecord> sink;

        @Override
        public void start(Map<String, String> props) {
            sink = received(props.getOrDefault("run", "default"));
        }

        @Override
        public void put(Collection<SinkRecord> records) {
            sink.addAll(new ArrayList<>(records));
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
