package dev.fieldseal.demo;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceConnector;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTask;

/**
 * The demo's stand-in for a CRM database source (a JDBC or Debezium connector in real life): it
 * emits the customer rows the demo hands it, so each step of the story controls what flows. It runs
 * inside the demo's in-JVM Connect worker, which shares the demo's class loader.
 */
public class CustomerSource extends SourceConnector {

    static final Schema ADDRESS = SchemaBuilder.struct().name("crm.Address")
            .field("street", Schema.STRING_SCHEMA).field("city", Schema.STRING_SCHEMA).build();
    static final Schema CUSTOMER = SchemaBuilder.struct().name("crm.Customer")
            .field("id", Schema.INT64_SCHEMA)
            .field("name", Schema.STRING_SCHEMA)
            .field("email", Schema.STRING_SCHEMA)
            .field("ssn", Schema.OPTIONAL_STRING_SCHEMA)
            .field("address", ADDRESS)
            .field("balance", Decimal.schema(2))
            .field("since", Date.SCHEMA)
            .build();

    private static final BlockingQueue<Struct> ROWS = new LinkedBlockingQueue<>();
    private Map<String, String> props;

    /** Hands rows to the running source. */
    static void emit(List<Struct> rows) {
        ROWS.addAll(rows);
    }

    static Struct customer(long id, String name, String email, String ssn, String street, String city, String balance,
                           int sinceDays) {
        return new Struct(CUSTOMER).put("id", id).put("name", name).put("email", email).put("ssn", ssn)
                .put("address", new Struct(ADDRESS).put("street", street).put("city", city))
                .put("balance", new BigDecimal(balance))
                .put("since", new java.util.Date(sinceDays * 86_400_000L));
    }

    @Override
    public void start(Map<String, String> props) {
        this.props = props;
    }

    @Override
    public Class<? extends Task> taskClass() {
        return CustomerTask.class;
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
        return new ConfigDef().define("topic", ConfigDef.Type.STRING, ConfigDef.Importance.HIGH, "Output topic");
    }

    @Override
    public String version() {
        return "demo";
    }

    /** Polls the demo's rows. */
    public static class CustomerTask extends SourceTask {
        private String topic;

        @Override
        public void start(Map<String, String> props) {
            topic = props.get("topic");
        }

        @Override
        public List<SourceRecord> poll() throws InterruptedException {
            Struct first = ROWS.poll(200, TimeUnit.MILLISECONDS);
            if (first == null) {
                return null;
            }
            List<Struct> rows = new ArrayList<>(List.of(first));
            ROWS.drainTo(rows);
            List<SourceRecord> out = new ArrayList<>();
            for (Struct row : rows) {
                out.add(new SourceRecord(Map.of("table", "customers"), Map.of("id", row.getInt64("id")), topic, null,
                        Schema.STRING_SCHEMA, String.valueOf(row.getInt64("id")), CUSTOMER, row));
            }
            return out;
        }

        @Override
        public void stop() {
        }

        @Override
        public String version() {
            return "demo";
        }
    }
}
