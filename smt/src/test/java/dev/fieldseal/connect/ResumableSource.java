package dev.fieldseal.connect;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.source.SourceConnector;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTask;

/**
 * A test source that behaves like a real one across restarts: it resumes after the last offset
 * Connect committed, so a task restarted while records were in flight emits them again
 * (at-least-once) instead of forgetting them. Emits {@link Samples#person} up to what the test
 * {@link #release released} for its {@code run}.
 */
public class ResumableSource extends SourceConnector {

    private Map<String, String> props;

    public static void release(String run, int n) {
        Releases.release("resumable/" + run, n);
    }

    @Override
    public void start(Map<String, String> props) {
        this.props = props;
    }

    @Override
    public Class<? extends Task> taskClass() {
        return ResumableTask.class;
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

    public static class ResumableTask extends SourceTask {
        private String run;
        private String topic;
        private int next;

        @Override
        public void start(Map<String, String> props) {
            run = props.get("run");
            topic = props.get("topic");
            Map<String, Object> committed = context.offsetStorageReader().offset(Map.of("run", run));
            next = committed == null ? 0 : ((Number) committed.get("n")).intValue() + 1;
        }

        @Override
        public List<SourceRecord> poll() throws InterruptedException {
            int released = Releases.awaitMoreThan("resumable/" + run, next, 100);
            List<SourceRecord> out = new ArrayList<>();
            while (next < released && out.size() < 10) {
                int n = next++;
                out.add(new SourceRecord(Map.of("run", run), Map.of("n", n), topic, null, Schema.STRING_SCHEMA,
                        "k" + n, Samples.PERSON, Samples.person(n)));
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
