package dev.fieldseal.codec;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.fieldseal.fuzz.LinearWork;
import java.io.IOException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.DecoderFactory;

/**
 * The check that stands before Avro's own reader on a decrypted plaintext: it throws only
 * {@link CodecException}, in linear work, and data it passes is read by Avro without an error, so
 * Avro never sizes an array or string from a count the bytes do not back.
 */
class AvroBinaryWalkFuzzTest {

    static final Schema[] SCHEMAS = {
        new Schema.Parser().parse("""
            {"type":"record","name":"R","fields":[{"name":"s","type":"string"},{"name":"b","type":"bytes"},
              {"name":"i","type":"int"},{"name":"l","type":"long"},{"name":"f","type":"float"},
              {"name":"d","type":"double"},{"name":"ok","type":"boolean"},
              {"name":"a","type":{"type":"array","items":["null","string",{"type":"map","values":"long"}]}},
              {"name":"x","type":{"type":"fixed","name":"X","size":3}},
              {"name":"e","type":{"type":"enum","name":"E","symbols":["A","B","C"]}}]}"""),
        new Schema.Parser().parse("{\"type\":\"array\",\"items\":{\"type\":\"array\",\"items\":\"string\"}}"),
        new Schema.Parser().parse("[\"null\",\"int\",\"string\"]"),
    };

    @FuzzTest(maxDuration = "60s")
    void checkThenRead(FuzzedDataProvider in) {
        Schema schema = SCHEMAS[in.consumeInt(0, SCHEMAS.length - 1)];
        byte[] data = in.consumeRemainingAsBytes();
        try {
            LinearWork.check(data.length, () -> AvroBinaryWalk.walk(schema, data, 0, data.length, null));
        } catch (CodecException refused) {
            return;
        }
        try {
            new GenericDatumReader<>(schema).read(null, DecoderFactory.get().binaryDecoder(data, null));
        } catch (IOException | RuntimeException e) {
            throw new AssertionError("checked data that Avro cannot read: " + e, e);
        }
    }
}
