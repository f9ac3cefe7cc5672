package dev.fieldseal.streams.inspect;

import dev.fieldseal.scan.RecordScan;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.utils.Time;

/**
 * The Kafka side of {@code inspect}: reads every partition of the given topics by {@code assign}
 * (no consumer group, nothing committed) from the earliest offset, or the first at
 * {@code --from-time}, to the end offsets taken at the start, or the first at {@code --to-time},
 * and counts what each record needs. Compacted topics read the same way (offsets have gaps). Only
 * counters are kept.
 */
final class TopicScanner {

    /** How the keys and values of one topic are read. */
    record TopicFormat(SideReader key, SideReader value) {
    }

    static final Duration STALL_LIMIT = Duration.ofSeconds(60);

    private final Map<String, Object> clientProps;
    private final VersionGate gate;
    private final int dekLimit;
    private final Duration progressEvery;
    private final PrintWriter progress;
    private final Time time;

    TopicScanner(Map<String, Object> clientProps, VersionGate gate, int dekLimit, Duration progressEvery,
            PrintWriter progress, Time time) {
        this.clientProps = clientProps;
        this.gate = gate;
        this.dekLimit = dekLimit;
        this.progressEvery = progressEvery;
        this.progress = progress;
        this.time = time;
    }

    private Map<String, Object> consumerProps() {
        Map<String, Object> p = new HashMap<>();
        clientProps.forEach((k, v) -> {
            if (ConsumerConfig.configNames().contains(k)) {
                p.put(k, v);
            }
        });
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"); // if retention deletes ahead of us
        p.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "fieldseal-inspect");
        return p;
    }

    ScanResult scan(Map<String, TopicFormat> topics, Instant from, Instant to) {
        long started = time.milliseconds();
        ScanStats total = new ScanStats(dekLimit);
        List<ScanResult.TopicResult> results = new ArrayList<>();
        Map<TopicPartition, ScanStats> partStats = new HashMap<>();
        Map<String, ScanStats> topicStats = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProps(), new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> all = new ArrayList<>();
            for (String topic : topics.keySet()) {
                List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
                if (infos == null || infos.isEmpty()) {
                    throw new InspectException(InspectCommand.EXIT_CONFIG, "Topic '" + topic + "' does not exist.");
                }
                TreeMap<Integer, ScanStats> parts = new TreeMap<>();
                for (PartitionInfo pi : infos) {
                    TopicPartition tp = new TopicPartition(topic, pi.partition());
                    ScanStats s = new ScanStats(Math.min(dekLimit, 10_000));
                    parts.put(pi.partition(), s);
                    partStats.put(tp, s);
                    all.add(tp);
                }
                ScanStats ts = new ScanStats(dekLimit);
                topicStats.put(topic, ts);
                results.add(new ScanResult.TopicResult(topic, parts, ts));
            }
            Map<TopicPartition, Long> start = new HashMap<>(consumer.beginningOffsets(all));
            Map<TopicPartition, Long> end = new HashMap<>(consumer.endOffsets(all));
            if (from != null) {
                at(consumer, all, from).forEach((tp, o) -> start.put(tp, o == null ? end.get(tp)
                        : Math.max(start.get(tp), o.offset())));
            }
            if (to != null) {
                at(consumer, all, to).forEach((tp, o) -> {
                    if (o != null) {
                        end.put(tp, Math.min(end.get(tp), o.offset()));
                    }
                });
            }
            Set<TopicPartition> open = new HashSet<>();
            long expected = 0;
            for (TopicPartition tp : all) {
                partStats.get(tp).startOffset = start.get(tp);
                partStats.get(tp).endOffset = end.get(tp);
                if (start.get(tp) < end.get(tp)) {
                    open.add(tp);
                    expected += end.get(tp) - start.get(tp);
                }
            }
            consumer.assign(open);
            for (TopicPartition tp : open) {
                consumer.seek(tp, start.get(tp));
            }
            long nextProgress = started + progressEvery.toMillis();
            long lastMove = time.milliseconds();
            while (!open.isEmpty()) {
                boolean moved = false;
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                    if (r.offset() >= end.get(tp)) {
                        continue;
                    }
                    moved = true;
                    TopicFormat f = topics.get(r.topic());
                    Decoded k = f.key().read(r.key());
                    Decoded v = f.value().read(r.value());
                    RecordScan s = RecordScan.of(r.headers(), k.envelopes(), v.envelopes());
                    partStats.get(tp).add(r.offset(), r.timestamp(), s, k, v, gate);
                    topicStats.get(r.topic()).add(r.offset(), r.timestamp(), s, k, v, gate);
                    total.add(r.offset(), r.timestamp(), s, k, v, gate);
                }
                List<TopicPartition> done = new ArrayList<>();
                for (TopicPartition tp : open) {
                    if (consumer.position(tp) >= end.get(tp)) {
                        done.add(tp);
                        moved = true;
                    }
                }
                if (!done.isEmpty()) {
                    done.forEach(open::remove);
                    consumer.assign(open);
                }
                long now = time.milliseconds();
                if (moved) {
                    lastMove = now;
                } else if (now - lastMove > STALL_LIMIT.toMillis()) {
                    throw new InspectException(InspectCommand.EXIT_ERROR, "No progress for " + STALL_LIMIT.toSeconds()
                            + " s on " + open.size() + " partition(s), e.g. " + open.iterator().next() + ".");
                }
                if (!progressEvery.isZero() && now >= nextProgress) {
                    long secs = Math.max(1, (now - started) / 1000);
                    progress.printf("fieldseal inspect: %d of at most %d records, %d records/s, %d partition(s) left%n",
                            total.records, expected, total.records / secs, open.size());
                    progress.flush();
                    nextProgress = now + progressEvery.toMillis();
                }
            }
        }
        return new ScanResult(results, total, gate, time.milliseconds() - started);
    }

    private static Map<TopicPartition, OffsetAndTimestamp> at(KafkaConsumer<?, ?> c, List<TopicPartition> tps, Instant t) {
        Map<TopicPartition, Long> q = new HashMap<>();
        tps.forEach(tp -> q.put(tp, t.toEpochMilli()));
        Map<TopicPartition, OffsetAndTimestamp> r = new HashMap<>();
        c.offsetsForTimes(q).forEach(r::put); // values may be null: no record at or after t
        tps.forEach(tp -> r.putIfAbsent(tp, null));
        return r;
    }
}
