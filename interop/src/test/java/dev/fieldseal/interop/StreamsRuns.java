package dev.fieldseal.interop;

import static dev.fieldseal.testkit.Await.until;

import dev.fieldseal.streams.StreamsService;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.streams.KafkaStreams;

/** The settings every test deployment of the Streams app shares, and waiting for it to run. */
final class StreamsRuns {

    private StreamsRuns() {
    }

    /**
     * A deployment's properties: one stream thread, short commits, no HTTP endpoint, the shared
     * fieldseal settings {@code fieldseal.}-prefixed.
     */
    static Map<String, String> base(String bootstrap, String appId, String mode, boolean exactlyOnce,
            Map<String, Object> fieldseal) {
        Map<String, String> p = new HashMap<>();
        p.put("application.id", appId);
        p.put("bootstrap.servers", bootstrap);
        p.put("processing.guarantee", exactlyOnce ? "exactly_once_v2" : "at_least_once");
        p.put("commit.interval.ms", "100");
        p.put("num.stream.threads", "1");
        p.put("auto.offset.reset", "earliest");
        p.put("fieldseal.mode", mode);
        fieldseal.forEach((k, v) -> p.put("fieldseal." + k, v.toString()));
        p.put("fieldseal.http.port", "-1");
        p.put("fieldseal.shutdown.timeout.ms", "10000");
        return p;
    }

    static void awaitRunning(StreamsService s) throws InterruptedException {
        until(Duration.ofSeconds(60), "Kafka Streams RUNNING", () -> s.state() == KafkaStreams.State.RUNNING);
    }
}
