package dev.fieldseal.rotation;

import dev.fieldseal.kms.azure.RotationEvents;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads Key Vault rotation events ({@link RotationEvents}) from a Kafka topic on one daemon thread
 * and calls a {@link Handler} with each key id that got a new version.
 *
 * <p>Every partition is {@code assign}ed, without a consumer group: every process must see every
 * event (a group would give each event to one member only), and nothing is committed. Reading
 * starts at the end as of {@code sinceMs}, the time the host started: an older event is stale
 * (the host resolves its key at start), a newer one is not missed while the listener is still
 * connecting. A malformed or foreign record is logged by its length only and skipped; a missing
 * topic or a broker error is logged and retried with a backoff, never fatal: the periodic
 * {@code kek.refresh.ms} still applies meanwhile. Polls are short so an event is acted on well
 * within a second, and {@link #close()} ends the thread at once.
 */
public final class RotationEventsListener implements AutoCloseable {

    /** Called on the listener's thread, in the order of the events of a partition. */
    @FunctionalInterface
    public interface Handler {
        /** @param versionlessKeyId e.g. {@code https://myvault.vault.azure.net/keys/pii} */
        void keyRotated(String versionlessKeyId);
    }

    private static final Logger LOG = LoggerFactory.getLogger(RotationEventsListener.class);
    private static final Duration POLL = Duration.ofMillis(100);
    private static final Duration METADATA_TIMEOUT = Duration.ofSeconds(10);
    private static final long FIRST_BACKOFF_MS = 500;
    private static final long MAX_BACKOFF_MS = 30_000;
    /** How often the topic's partition count is checked again (it only grows). */
    private static final long PARTITIONS_RECHECK_MS = 60_000;
    private static final long CLOSE_WAIT_MS = 5_000;

    private final String topic;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final long sinceMs;
    private final Handler handler;
    private final Thread thread;
    private final CountDownLatch closing = new CountDownLatch(1);
    private final Set<TopicPartition> assigned = new HashSet<>();
    private volatile boolean closed;
    private boolean reportedMissing;

    private RotationEventsListener(String topic, KafkaConsumer<byte[], byte[]> consumer, long sinceMs,
            Handler handler) {
        this.topic = topic;
        this.consumer = consumer;
        this.sinceMs = sinceMs;
        this.handler = handler;
        this.thread = new Thread(this::run, "fieldseal-rotation-events-" + topic);
        this.thread.setDaemon(true);
    }

    /**
     * Creates the consumer (a bad client setting fails here, in the caller's thread) and starts reading.
     *
     * @param consumerProps complete consumer properties ({@link RotationEventsSettings#consumerProps})
     */
    public static RotationEventsListener start(String topic, Map<String, Object> consumerProps, long sinceMs,
            Handler handler) {
        RotationEventsListener l = new RotationEventsListener(topic, new KafkaConsumer<>(consumerProps), sinceMs,
                handler);
        l.thread.start();
        return l;
    }

    public String topic() {
        return topic;
    }

    /** True while the reading thread is alive (tests check that close() ends it). */
    boolean running() {
        return thread.isAlive();
    }

    private void run() {
        long backoff = FIRST_BACKOFF_MS;
        long nextPartitionCheck = 0;
        try {
            while (!closed) {
                try {
                    long now = System.currentTimeMillis();
                    if (now >= nextPartitionCheck) {
                        assignPartitions();
                        nextPartitionCheck = now + (assigned.isEmpty() ? backoff : PARTITIONS_RECHECK_MS);
                    }
                    if (assigned.isEmpty()) {
                        pause(backoff);
                        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
                        continue;
                    }
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
                        handle(r);
                    }
                    backoff = FIRST_BACKOFF_MS;
                } catch (WakeupException e) {
                    // close() woke a blocking call; the loop condition ends the thread
                } catch (KafkaException | IllegalStateException e) {
                    LOG.warn("Reading the rotation events topic '{}' failed ({}: {}); retrying in {} ms. Key "
                            + "rotations are still picked up every kek.refresh.ms.", topic,
                            e.getClass().getSimpleName(), e.getMessage(), backoff);
                    pause(backoff);
                    backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
                }
            }
        } finally {
            try {
                consumer.close(CloseOptions.timeout(Duration.ofSeconds(1)));
            } catch (RuntimeException e) {
                LOG.debug("Closing the rotation events consumer of '{}': {}", topic, e.toString());
            }
        }
    }

    /** Assigns every partition of the topic; new ones start at the end as of {@link #sinceMs}. */
    private void assignPartitions() {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, METADATA_TIMEOUT);
        if (infos == null || infos.isEmpty()) {
            if (!reportedMissing) {
                LOG.warn("The rotation events topic '{}' does not exist or is not visible to this client; retrying. "
                        + "Key rotations are still picked up every kek.refresh.ms.", topic);
                reportedMissing = true;
            }
            return;
        }
        Set<TopicPartition> all = new HashSet<>();
        infos.forEach(i -> all.add(new TopicPartition(i.topic(), i.partition())));
        Set<TopicPartition> added = new HashSet<>(all);
        added.removeAll(assigned);
        if (added.isEmpty()) {
            return;
        }
        consumer.assign(all); // before the offset look-ups, which the consumer only tracks for its own partitions
        // The end is taken first: an event written at or after sinceMs but before the end is found by
        // its time, one written later by reading on from the end.
        Map<TopicPartition, Long> end = consumer.endOffsets(added, METADATA_TIMEOUT);
        Map<TopicPartition, Long> times = new HashMap<>();
        added.forEach(tp -> times.put(tp, sinceMs));
        Map<TopicPartition, OffsetAndTimestamp> since = consumer.offsetsForTimes(times, METADATA_TIMEOUT);
        for (TopicPartition tp : added) {
            long position = end.get(tp);
            OffsetAndTimestamp t = since.get(tp);
            if (t != null && t.offset() < position) {
                position = t.offset();
            }
            consumer.seek(tp, position);
        }
        assigned.addAll(added);
        reportedMissing = false;
        LOG.info("Listening for Key Vault rotation events on '{}' ({} partitions).", topic, assigned.size());
    }

    private void handle(ConsumerRecord<byte[], byte[]> r) {
        int length = r.value() == null ? 0 : r.value().length;
        List<String> keys;
        try {
            keys = RotationEvents.keysToRefresh(r.value());
        } catch (RuntimeException e) {
            // Never the content: the topic may carry anything anyone can write to it.
            LOG.warn("Ignoring record {} of {}-{} on the rotation events topic: not a JSON Event Grid event or "
                    + "CloudEvent ({} bytes).", r.offset(), r.topic(), r.partition(), length);
            return;
        }
        if (keys.isEmpty()) {
            LOG.debug("Record {} of {}-{} ({} bytes) holds no KeyNewVersionCreated event for a key; ignored.",
                    r.offset(), r.topic(), r.partition(), length);
            return;
        }
        for (String key : keys) {
            try {
                handler.keyRotated(key);
            } catch (RuntimeException e) {
                LOG.warn("Acting on a rotation event (record {} of {}-{}) failed ({}: {}); the periodic "
                        + "kek.refresh.ms still applies.", r.offset(), r.topic(), r.partition(),
                        e.getClass().getSimpleName(), e.getMessage());
            }
        }
    }

    private void pause(long ms) {
        try {
            closing.await(ms, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        }
    }

    /** Stops reading: wakes the consumer, waits for the thread (a handler's Key Vault call may hold it briefly). */
    @Override
    public void close() {
        closed = true;
        closing.countDown();
        consumer.wakeup();
        if (Thread.currentThread() == thread) {
            return;
        }
        try {
            thread.join(CLOSE_WAIT_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.warn("The rotation events listener of '{}' did not stop within {} ms; it is a daemon thread and "
                    + "ends with its current call.", topic, CLOSE_WAIT_MS);
        }
    }
}
