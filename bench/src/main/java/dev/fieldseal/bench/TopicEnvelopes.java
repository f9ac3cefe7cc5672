package dev.fieldseal.bench;

import dev.fieldseal.format.DecryptionException;
import dev.fieldseal.format.Envelope;
import dev.fieldseal.format.EnvelopeLayout;
import dev.fieldseal.kms.KekRef;
import dev.fieldseal.scan.EnvelopeLocator;
import dev.fieldseal.scan.Located;
import dev.fieldseal.scan.RecordScan;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * What a sealed topic holds, read from the bytes alone (no key manager): its records, their
 * distinct DEKs and KEK versions (core's {@link RecordScan}, key and value), the records whose
 * {@code fieldseal.kek.*} headers do not name exactly the versions their envelopes name, and a
 * SHA-256 over the nonce and body of every envelope in offset order (key first, then the value's
 * envelopes in document order). Two topics with equal digests hold byte-identical ciphertexts in
 * the same order, whatever their key blocks and headers.
 *
 * <p>The record key is read as a whole envelope (sealed as a string), the value as JSON.
 */
final class TopicEnvelopes {

    long records;
    long envelopes;
    long malformed;
    long invariantViolations;
    /** One mismatch message (versions only, no record content), for the log. */
    String firstMismatch;
    final Set<Long> deks = new HashSet<>();
    /** "keyId/version" to the number of records whose key (value) envelopes name it. */
    final Map<String, Long> keyVersions = new TreeMap<>();
    final Map<String, Long> valueVersions = new TreeMap<>();
    /** SHA-256 (hex) of every envelope's nonce and body, in order; set once the topic is read. */
    String bodiesDigest;
    private final MessageDigest digest;

    private TopicEnvelopes() {
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads partition 0 of {@code topic} from its start to its end offset (single-partition topics). */
    static TopicEnvelopes read(String bootstrap, String topic) throws IOException {
        TopicEnvelopes t = new TopicEnvelopes();
        TopicPartition tp = new TopicPartition(topic, 0);
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000",
                ConsumerConfig.FETCH_MAX_BYTES_CONFIG, String.valueOf(64 << 20),
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(16 << 20)),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long end = c.endOffsets(List.of(tp)).get(tp);
            long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
            while (c.position(tp) < end) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
                    t.add(r);
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("reading " + topic + " stalled at offset " + c.position(tp));
                }
            }
        }
        t.bodiesDigest = HexFormat.of().formatHex(t.digest.digest());
        return t;
    }

    private void add(ConsumerRecord<byte[], byte[]> r) throws IOException {
        records++;
        Located whole = EnvelopeLocator.whole(r.key());
        List<Located> key = whole == null ? List.of() : List.of(whole);
        List<Located> value = r.value() == null ? List.of() : EnvelopeLocator.json(r.value());
        RecordScan scan = RecordScan.of(r.headers(), key, value);
        malformed += scan.malformed();
        if (!scan.consistent()) {
            invariantViolations++;
            if (firstMismatch == null) {
                firstMismatch = "offset " + r.offset() + ": " + scan.mismatch();
            }
        }
        deks.addAll(scan.deks());
        for (KekRef k : scan.keyKeks()) {
            keyVersions.merge(k.version(), 1L, Long::sum);
        }
        for (KekRef k : scan.valueKeks()) {
            valueVersions.merge(k.version(), 1L, Long::sum);
        }
        digest(key);
        digest(value);
    }

    private void digest(List<Located> found) {
        for (Located l : found) {
            if (l.envelope() == null) {
                continue; // counted as malformed by the scan
            }
            Envelope e;
            try {
                e = EnvelopeLayout.parse(l.envelope());
            } catch (DecryptionException malformedEnvelope) {
                continue; // counted as malformed by the scan
            }
            envelopes++;
            byte[] nonce = e.nonce(); // null for AES-SIV, whose synthetic IV leads the body
            if (nonce != null) {
                digest.update(nonce);
            }
            byte[] body = e.body();
            digest.update(new byte[] {(byte) (body.length >>> 24), (byte) (body.length >>> 16),
                    (byte) (body.length >>> 8), (byte) body.length});
            digest.update(body);
        }
    }
}
