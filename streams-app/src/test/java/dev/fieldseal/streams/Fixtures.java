package dev.fieldseal.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fieldseal.format.Envelope;
import dev.fieldseal.format.EnvelopeLayout;
import dev.fieldseal.testkit.Await;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import org.apache.avro.Conversions;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.KafkaStreams;

/** Shared test data: the sample Customer schema, JSON and Avro values, envelope helpers. */
final class Fixtures {

    static final Path CUSTOMER_AVSC = Path.of("..", "schemas", "customer.avsc").toAbsolutePath().normalize();
    static final Schema CUSTOMER;

    static {
        try {
            CUSTOMER = new Schema.Parser().parse(Files.readString(CUSTOMER_AVSC));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void awaitRunning(StreamsService s) throws InterruptedException {
        Await.until(Duration.ofSeconds(60), "Kafka Streams to run", () -> s.state() == KafkaStreams.State.RUNNING);
        assertEquals(KafkaStreams.State.RUNNING, s.state());
    }

    static final String SSN = "078-05-1120";

    private Fixtures() {
    }

    static String customerJson(int id) {
        return "{\"id\":" + id + ",\"name\":\"Ada " + id + "\",\"email\":\"ada" + id + "@example.com\",\"ssn\":\""
                + SSN + "\",\"address\":{\"street\":\"1 Analytical Way\",\"city\":\"London\"},"
                + "\"tags\":[\"a\",\"b\"],\"balance\":12.5}";
    }

    static GenericRecord customer(int id) {
        GenericData.Record addr = new GenericData.Record(CUSTOMER.getField("address").schema().getTypes().get(1));
        addr.put("street", "1 Analytical Way");
        addr.put("city", "London");
        addr.put("postal_code", "N1 9GU");
        addr.put("country", "GB");
        GenericData.Record r = new GenericData.Record(CUSTOMER);
        r.put("id", (long) id);
        r.put("name", "Ada " + id);
        r.put("email", "ada" + id + "@example.com");
        r.put("ssn", SSN);
        r.put("address", addr);
        Schema dec = CUSTOMER.getField("balance").schema();
        r.put("balance", new Conversions.DecimalConversion().toBytes(new BigDecimal("1234.56"), dec,
                LogicalTypes.decimal(10, 2)));
        r.put("birth_date", 3000);
        r.put("created", 1_700_000_000_000L);
        return r;
    }

    static byte[] avro(GenericRecord r) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            BinaryEncoder e = EncoderFactory.get().binaryEncoder(out, null);
            new GenericDatumWriter<GenericRecord>(r.getSchema()).write(r, e);
            e.flush();
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static GenericRecord readAvro(byte[] b, Schema s) {
        try {
            return new GenericDatumReader<GenericRecord>(s).read(null, DecoderFactory.get().binaryDecoder(b, null));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String header(Headers h, String name) {
        Header x = h.lastHeader(name);
        return x == null ? null : new String(x.value(), StandardCharsets.UTF_8);
    }

    static Envelope envelope(String b64) {
        return EnvelopeLayout.parse(Base64.getDecoder().decode(b64));
    }

    static boolean containsBytes(byte[] hay, String needle) {
        if (hay == null) {
            return false;
        }
        return new String(hay, StandardCharsets.ISO_8859_1).contains(needle);
    }

    static ByteBuffer bb(byte[] b) {
        return ByteBuffer.wrap(b);
    }
}
