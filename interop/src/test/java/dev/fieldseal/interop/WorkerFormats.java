package dev.fieldseal.interop;

import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.connect.connector.ConnectRecord;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.storage.SimpleHeaderConverter;

/**
 * What a Connect worker does around the transforms, without a worker: JsonConverter (with or
 * without schemas) for keys and values, and the worker's default SimpleHeaderConverter for
 * headers. Plugin loading is covered in the smt module; here the bytes are what matters.
 */
final class WorkerFormats {

    private static final SimpleHeaderConverter HEADERS = new SimpleHeaderConverter();

    private WorkerFormats() {
    }

    static JsonConverter json(boolean schemas, boolean isKey) {
        JsonConverter c = new JsonConverter();
        c.configure(Map.of("schemas.enable", Boolean.toString(schemas), "decimal.format", "NUMERIC"), isKey);
        return c;
    }

    /** The Kafka headers a source task's record leaves the worker with. */
    static RecordHeaders toKafka(ConnectRecord<?> record) {
        RecordHeaders h = new RecordHeaders();
        for (Header x : record.headers()) {
            h.add(x.key(), HEADERS.fromConnectHeader(record.topic(), x.key(), x.schema(), x.value()));
        }
        return h;
    }

    /** The Connect headers a sink task's record gets from a consumed record. */
    static ConnectHeaders toConnect(ConsumerRecord<byte[], byte[]> r) {
        ConnectHeaders h = new ConnectHeaders();
        r.headers().forEach(x -> {
            SchemaAndValue sv = HEADERS.toConnectHeader(r.topic(), x.key(), x.value());
            h.add(x.key(), sv);
        });
        return h;
    }
}
