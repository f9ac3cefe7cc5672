package dev.fieldseal.model.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fieldseal.codec.ConnectValueCodec;
import dev.fieldseal.envelope.LocalFixture;
import dev.fieldseal.envelope.Sealer;
import dev.fieldseal.envelope.Unsealer;
import dev.fieldseal.field.FieldPath;
import dev.fieldseal.field.FieldSelection;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.junit.jupiter.api.Test;

/** {@code name[*]} on an array of primitives encrypts each element at {@code name[*]}, not the array. */
class ConnectArrayElementsTest {

    @Test
    void eachElementIsEncryptedAndDecryptedAtItsElementPath() {
        LocalFixture fx = new LocalFixture();
        Schema schema = SchemaBuilder.struct().field("phones", SchemaBuilder.array(Schema.STRING_SCHEMA).build()).build();
        Struct in = new Struct(schema).put("phones", List.of("555-0100", "555-0199"));
        try (Sealer s = Sealer.create(fx.config(), fx.metrics); Unsealer u = Unsealer.create(fx.config(), fx.metrics)) {
            ConnectEncryptor.Result r = new ConnectEncryptor(s, FieldSelection.of(FieldPath.parseAll(List.of("phones[*]")),
                    List.of()), new ConnectValueCodec(), false).encrypt(schema, in);
            Schema out = r.schema().field("phones").schema();
            assertEquals(Schema.Type.ARRAY, out.type());
            assertTrue(EncryptedSchemas.isEncrypted(out.valueSchema()));
            assertEquals(2, r.sealed().fields());
            ConnectDecryptor.Result d = new ConnectDecryptor(u, FieldSelection.of(List.of(), List.of()),
                    new ConnectValueCodec()).decrypt(r.schema(), r.value(), Map.of());
            assertEquals(schema, d.schema());
            assertEquals(in, d.value());
        }
    }
}
