package dev.fieldseal.streams.inspect;

import java.util.List;
import java.util.SortedMap;

/** The counters of a whole scan: per topic and partition, per topic, and the total. */
record ScanResult(List<TopicResult> topics, ScanStats total, VersionGate gate, long elapsedMs) {

    record TopicResult(String topic, SortedMap<Integer, ScanStats> partitions, ScanStats total) {
    }
}
