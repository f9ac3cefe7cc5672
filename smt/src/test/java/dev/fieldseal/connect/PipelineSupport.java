package dev.fieldseal.connect;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.fieldseal.testkit.ConnectWorker;
import dev.fieldseal.testkit.KeyVaultDouble;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/** Connector configs and checks shared by the Connect worker tests (no fieldseal-core types: the *IT runs without it). */
final class PipelineSupport {

    static final String JSON = "org.apache.kafka.connect.json.JsonConverter";
    static final String STRING = "org.apache.kafka.connect.storage.StringConverter";

    private PipelineSupport() {
    }

    /** A transform's Key Vault settings for the double, under {@code transforms.<alias>.}. */
    static Map<String, String> vault(String alias, KeyVaultDouble kv, String keyName) {
        String p = "transforms." + alias + ".";
        return Map.of(p + "kek.id", kv.keyId(keyName),
                p + "azure.credential", "emulator",
                p + "azure.tls.ca.file", kv.caPemFile().toString());
    }

    static Map<String, String> source(String run, String topic, boolean json, String fields, KeyVaultDouble kv,
                                      String keyName, String... extra) {
        Map<String, String> c = new HashMap<>();
        c.put("connector.class", PeopleSource.class.getName());
        c.put("tasks.max", "1");
        c.put("run", run);
        c.put("topic", topic);
        c.put("mode", json ? "json" : "struct");
        c.put("key.converter", STRING);
        c.put("value.converter", JSON);
        c.put("value.converter.schemas.enable", Boolean.toString(!json));
        c.put("transforms", "seal");
        c.put("transforms.seal.type", "dev.fieldseal.connect.EncryptFields$Value");
        c.put("transforms.seal.fields", fields);
        c.putAll(vault("seal", kv, keyName));
        for (int i = 0; i < extra.length; i += 2) {
            c.put(extra[i], extra[i + 1]);
        }
        return c;
    }

    static Map<String, String> sink(String run, String topic, boolean json, KeyVaultDouble kv, String keyName,
                                    String... extra) {
        Map<String, String> c = new HashMap<>();
        c.put("connector.class", RecordingSink.class.getName());
        c.put("tasks.max", "1");
        c.put("run", run);
        c.put("topics", topic);
        c.put("key.converter", STRING);
        c.put("value.converter", JSON);
        c.put("value.converter.schemas.enable", Boolean.toString(!json));
        c.put("consumer.override.auto.offset.reset", "earliest");
        c.put("transforms", "open");
        c.put("transforms.open.type", "dev.fieldseal.connect.DecryptFields$Value");
        c.putAll(vault("open", kv, keyName));
        for (int i = 0; i < extra.length; i += 2) {
            c.put(extra[i], extra[i + 1]);
        }
        return c;
    }

    /** Closes what a test class started, skipping what never started. */
    static void closeAll(AutoCloseable... resources) throws Exception {
        for (AutoCloseable r : resources) {
            if (r != null) {
                r.close();
            }
        }
    }

    /** Every record now in the topic. */
    static List<ConsumerRecord<byte[], byte[]>> all(ConnectWorker worker, String topic) {
        try {
            List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
            worker.kafka().consumeAll(30_000, topic).forEach(out::add);
            return out;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    /** No plaintext marker of any record in the raw bytes (key, value, headers), and both headers are present. */
    static void assertSealed(List<ConsumerRecord<byte[], byte[]>> records, int maxN) {
        for (ConsumerRecord<byte[], byte[]> r : records) {
            StringBuilder raw = new StringBuilder(new String(r.value(), StandardCharsets.ISO_8859_1));
            for (Header h : r.headers()) {
                raw.append(new String(h.value(), StandardCharsets.ISO_8859_1));
            }
            for (int n = 0; n <= maxN; n++) {
                assertFalse(raw.toString().contains(Samples.marker(n)), "plaintext of record " + n + " in the topic");
            }
            assertFalse(raw.toString().contains("SECRET"), "plaintext in the topic");
            assertNotNull(header(r, "fieldseal.kek.id"), "fieldseal.kek.id header");
            assertNotNull(header(r, "fieldseal.kek.version"), "fieldseal.kek.version header");
        }
    }
}
