package dev.fieldseal.streams;

import dev.fieldseal.kms.Kms;
import dev.fieldseal.metrics.FieldsealMetrics;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

/**
 * One app's topology over TopologyTestDriver, as the topology tests run it: input topic "in", the
 * first route's output topic and the dead-letter topic "dlq".
 */
class TopologyApp implements AutoCloseable {
    final Crypto crypto;
    final AppMetrics appMetrics = new AppMetrics();
    final TopologyTestDriver driver;
    final TestInputTopic<byte[], byte[]> in;
    final TestOutputTopic<byte[], byte[]> out;
    final TestOutputTopic<byte[], byte[]> dlq;

    TopologyApp(Map<String, String> props) {
        this(props, null);
    }

    /** @param kms a caller-owned key manager (faults injected), or null to build one from the properties */
    TopologyApp(Map<String, String> props, Kms kms) {
        AppSettings s = AppSettings.parse(props);
        FieldsealMetrics m = new FieldsealMetrics();
        crypto = kms == null ? Crypto.create(s.mode(), s.fieldseal(), m) : Crypto.over(s.mode(), s.fieldseal(), kms, m);
        driver = new TopologyTestDriver(TopologyFactory.build(s, crypto, appMetrics), StreamsService.streamsProperties(s));
        in = driver.createInputTopic("in", new ByteArraySerializer(), new ByteArraySerializer());
        out = driver.createOutputTopic(s.routes().get(0).output(), new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        dlq = driver.createOutputTopic("dlq", new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** Pipes a record keyed "k"; the first output record, or null. */
    TestRecord<byte[], byte[]> pipe(byte[] value, Headers headers) {
        in.pipeInput(new TestRecord<>("k".getBytes(StandardCharsets.UTF_8), value, headers));
        return out.isEmpty() ? null : out.readRecord();
    }

    /** Pipes a record; every record it led to on the output topic. */
    List<TestRecord<byte[], byte[]>> pipeAll(byte[] key, byte[] value, Headers headers) {
        in.pipeInput(new TestRecord<>(key, value, headers));
        return out.readRecordsToList();
    }

    @Override
    public void close() {
        driver.close();
        crypto.close();
    }
}
