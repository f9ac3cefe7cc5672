package dev.fieldseal.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fieldseal.testkit.SchemaRegistryDouble;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The registry client against the double over HTTP and HTTPS: caching, auth, TLS trust, outages, strategies. */
class SchemaRegistryClientTest {

    static final String V1 = """
            {"type":"record","name":"Customer","namespace":"dev.fieldseal.sample","fields":[
              {"name":"id","type":"long"},{"name":"ssn","type":"string"}]}""";
    static final String V2 = """
            {"type":"record","name":"Customer","namespace":"dev.fieldseal.sample","fields":[
              {"name":"id","type":"long"},{"name":"ssn","type":"string"},
              {"name":"nick","type":["null","string"],"default":null}]}""";
    static final String BROKEN = """
            {"type":"record","name":"Customer","namespace":"dev.fieldseal.sample","fields":[
              {"name":"id","type":"string"},{"name":"ssn","type":"string"}]}""";

    static SchemaRegistryDouble http;
    static SchemaRegistryDouble https;

    @BeforeAll
    static void start() {
        http = SchemaRegistryDouble.http();
        https = SchemaRegistryDouble.https();
        https.requireBasicAuth("reader", "s3cret-pw");
    }

    @AfterAll
    static void stop() {
        http.close();
        https.close();
    }

    @BeforeEach
    void reset() {
        http.reset();
        https.reset();
    }

    static SchemaRegistryClient client(Object... kv) {
        Map<String, Object> p = new HashMap<>();
        p.put(RegistryConfig.URL, http.url());
        p.put(RegistryConfig.RETRIES_WAIT_MS, "1");
        p.put("bootstrap.servers", "ignored:9092"); // other client settings sit beside the registry's
        for (int i = 0; i < kv.length; i += 2) {
            p.put((String) kv[i], kv[i + 1]);
        }
        return SchemaRegistryClient.create(new RegistryConfig(p));
    }

    @Test
    void theSameSchemaGetsTheSameIdAndIsRegisteredOncePerClient() {
        SchemaRegistryClient c = client();
        int a = c.idFor("same-value", "AVRO", V1);
        int b = c.idFor("same-value", "AVRO", V1);
        assertEquals(a, b);
        assertEquals(1, http.count(SchemaRegistryDouble.REGISTER), "the second id came from the cache");
        assertEquals(a, client().idFor("other-value", "AVRO", V1), "ids are global: another subject, same id");
        assertEquals(V1.replaceAll("\\s", ""), http.schema(a).replaceAll("\\s", ""));
        assertEquals(new Schema.Parser().parse(V1), new Schema.Parser().parse(c.schemaById(a).schema()));
        assertEquals(0, http.count(SchemaRegistryDouble.SCHEMA_BY_ID), "what it registered it knows by id");
    }

    @Test
    void schemasByIdAreFetchedOnceAndUnknownIdsAreRememberedAsUnknown() {
        int id = http.register("byid-value", "AVRO", V1);
        SchemaRegistryClient c = client();
        for (int i = 0; i < 5; i++) {
            assertEquals("AVRO", c.schemaById(id).type());
        }
        assertEquals(1, http.count(SchemaRegistryDouble.SCHEMA_BY_ID));
        for (int i = 0; i < 3; i++) {
            RegistryException e = assertThrows(RegistryException.class, () -> c.schemaById(99_999));
            assertTrue(e.notFound() && !e.retriable(), e.getMessage());
            assertTrue(e.getMessage().contains("schema id 99999") && e.getMessage().contains("40403"), e.getMessage());
        }
        assertEquals(2, http.count(SchemaRegistryDouble.SCHEMA_BY_ID), "an unknown id costs one call, not one per read");
    }

    @Test
    void withoutAutoRegisterTheSchemaIsLookedUpAndAMissingOneFails() {
        int id = http.register("lookup-value", "AVRO", V1);
        SchemaRegistryClient c = client(RegistryConfig.AUTO_REGISTER, "false");
        assertEquals(id, c.idFor("lookup-value", "AVRO", V1));
        assertEquals(1, http.count(SchemaRegistryDouble.LOOKUP));
        assertEquals(0, http.count(SchemaRegistryDouble.REGISTER));
        RegistryException e = assertThrows(RegistryException.class, () -> c.idFor("lookup-value", "AVRO", V2));
        assertTrue(e.notFound(), e.getMessage());
        assertTrue(e.getMessage().contains("subject 'lookup-value'"), e.getMessage());
    }

    @Test
    void compatibilityIsTheRegistrysAvroAnswerAndAnIncompatibleSchemaIsRefused() {
        SchemaRegistryClient c = client();
        c.idFor("compat-value", "AVRO", V1);
        assertTrue(c.compatibleWithLatest("compat-value", "AVRO", V2), "a nullable field with a default is BACKWARD");
        assertFalse(c.compatibleWithLatest("compat-value", "AVRO", BROKEN), "long -> string is not");
        RegistryException e = assertThrows(RegistryException.class, () -> c.register("compat-value", "AVRO", BROKEN));
        assertEquals(409, e.errorCode());
        assertFalse(e.retriable());
        assertNotEquals(c.idFor("compat-value", "AVRO", V1), c.idFor("compat-value", "AVRO", V2));
        assertEquals(2, http.versions("compat-value").size());
    }

    @Test
    void jsonSchemasRegisterWithTheirType() {
        SchemaRegistryClient c = client();
        int id = c.idFor("json-value", SchemaRegistryClient.JSON_SCHEMA, "{\"type\":\"object\"}");
        assertEquals("JSON", client().schemaById(id).type());
    }

    @Test
    void httpsWithTheTruststoreAndBasicCredentialsFromUserInfo() {
        SchemaRegistryClient c = client(RegistryConfig.URL, https.url(),
                RegistryConfig.TRUSTSTORE_LOCATION, https.truststoreFile().toString(),
                RegistryConfig.TRUSTSTORE_PASSWORD, https.truststorePassword(),
                RegistryConfig.TRUSTSTORE_TYPE, "PKCS12",
                RegistryConfig.BASIC_AUTH_SOURCE, "USER_INFO", RegistryConfig.BASIC_AUTH_USER_INFO, "reader:s3cret-pw");
        int id = c.idFor("tls-value", "AVRO", V1);
        assertEquals(1, https.count(SchemaRegistryDouble.REGISTER));
        assertTrue(id > 0);
    }

    @Test
    void credentialsInTheUrlAreSentButNeverShown() {
        String url = https.url().replace("https://", "https://reader:s3cret-pw@");
        SchemaRegistryClient c = client(RegistryConfig.URL, url,
                RegistryConfig.TRUSTSTORE_LOCATION, https.truststoreFile().toString(),
                RegistryConfig.TRUSTSTORE_PASSWORD, https.truststorePassword());
        c.idFor("url-auth-value", "AVRO", V1);
        assertFalse(c.registry().contains("s3cret"), c.registry());
        RegistryException e = assertThrows(RegistryException.class, () -> c.schemaById(4242));
        assertFalse(e.getMessage().contains("s3cret"), e.getMessage());
    }

    @Test
    void wrongCredentialsAreRefusedWithoutQuotingThem() {
        SchemaRegistryClient c = client(RegistryConfig.URL, https.url(),
                RegistryConfig.TRUSTSTORE_LOCATION, https.truststoreFile().toString(),
                RegistryConfig.TRUSTSTORE_PASSWORD, https.truststorePassword(),
                RegistryConfig.BASIC_AUTH_SOURCE, "USER_INFO", RegistryConfig.BASIC_AUTH_USER_INFO, "reader:wrong-pw");
        RegistryException e = assertThrows(RegistryException.class, () -> c.idFor("x-value", "AVRO", V1));
        assertFalse(e.retriable());
        assertTrue(e.getMessage().contains("HTTP 401") && e.getMessage().contains("basic.auth"), e.getMessage());
        assertFalse(e.getMessage().contains("wrong-pw"), e.getMessage());
    }

    @Test
    void theJvmsTrustDoesNotTrustTheTestCa() {
        SchemaRegistryClient c = client(RegistryConfig.URL, https.url(), RegistryConfig.MAX_RETRIES, "0");
        RegistryException e = assertThrows(RegistryException.class, () -> c.idFor("x-value", "AVRO", V1));
        assertTrue(e.retriable(), "a TLS failure is reported as the registry not answering: " + e.getMessage());
        assertTrue(e.getMessage().contains("SSLHandshakeException"), e.getMessage());
    }

    @Test
    void aBearerTokenIsSent() {
        try (SchemaRegistryDouble bearer = SchemaRegistryDouble.http()) {
            bearer.requireBearer("tok-123");
            assertThrows(RegistryException.class, () -> client(RegistryConfig.URL, bearer.url())
                    .idFor("b-value", "AVRO", V1));
            client(RegistryConfig.URL, bearer.url(), RegistryConfig.BEARER_AUTH_TOKEN, "tok-123")
                    .idFor("b-value", "AVRO", V1);
            assertEquals(1, bearer.count(SchemaRegistryDouble.REGISTER));
        }
    }

    @Test
    void basicCredentialsAndABearerTokenTogetherAreRefusedAtConfiguration() {
        ConfigException e = assertThrows(ConfigException.class, () -> client(RegistryConfig.BASIC_AUTH_SOURCE,
                "USER_INFO", RegistryConfig.BASIC_AUTH_USER_INFO, "u:p", RegistryConfig.BEARER_AUTH_TOKEN, "t"));
        assertFalse(e.getMessage().contains("u:p"), e.getMessage());
    }

    @Test
    void failuresThatMayHealAreRetriedThenReportedNamingRegistryAndSubject() {
        SchemaRegistryClient c = client(RegistryConfig.MAX_RETRIES, "2");
        http.failNext(2, 503);
        assertTrue(c.idFor("retry-value", "AVRO", V1) > 0, "two 503s, then an answer");
        http.failNext(3, 503);
        RegistryException e = assertThrows(RegistryException.class, () -> c.register("retry-value", "AVRO", V2));
        assertTrue(e.retriable());
        assertTrue(e.getMessage().contains(http.url()) && e.getMessage().contains("subject 'retry-value'")
                && e.getMessage().contains("3 attempts"), e.getMessage());
    }

    @Test
    void aSecondUrlIsTriedWhenTheFirstIsDown() {
        try (SchemaRegistryDouble dead = SchemaRegistryDouble.http()) {
            dead.down();
            SchemaRegistryClient c = client(RegistryConfig.URL, dead.url() + "," + http.url(),
                    RegistryConfig.MAX_RETRIES, "0");
            assertTrue(c.idFor("failover-value", "AVRO", V1) > 0);
        }
    }

    @Test
    void aRegistryThatIsDownIsRetriable() {
        try (SchemaRegistryDouble dead = SchemaRegistryDouble.http()) {
            dead.down();
            SchemaRegistryClient c = client(RegistryConfig.URL, dead.url(), RegistryConfig.MAX_RETRIES, "1");
            RegistryException e = assertThrows(RegistryException.class, () -> c.schemaById(1));
            assertTrue(e.retriable());
            assertTrue(e.getMessage().contains(dead.url()) && e.getMessage().contains("schema id 1"), e.getMessage());
            assertEquals(2, c.requests());
        }
    }

    @Test
    void subjectNameStrategiesAsConfluentNamesThem() {
        Schema s = new Schema.Parser().parse(V1);
        assertEquals("orders-value", SubjectNameStrategy.TOPIC.subject("orders", false, s));
        assertEquals("orders-key", SubjectNameStrategy.TOPIC.subject("orders", true, s));
        assertEquals("dev.fieldseal.sample.Customer", SubjectNameStrategy.RECORD.subject("orders", false, s));
        assertEquals("orders-dev.fieldseal.sample.Customer", SubjectNameStrategy.TOPIC_RECORD.subject("orders", false, s));
        for (String name : List.of("RecordNameStrategy", "io.confluent.kafka.serializers.subject.RecordNameStrategy")) {
            RegistryConfig c = new RegistryConfig(Map.of(RegistryConfig.VALUE_SUBJECT_STRATEGY, name));
            assertEquals(SubjectNameStrategy.RECORD, c.strategy(false));
            assertEquals(SubjectNameStrategy.TOPIC, c.strategy(true));
        }
        assertThrows(ConfigException.class, () -> new RegistryConfig(Map.of(RegistryConfig.KEY_SUBJECT_STRATEGY,
                "NoSuchStrategy")));
    }

    @Test
    void aRegistryFormatWithoutAUrlSaysWhatToSet() {
        ConfigException e = assertThrows(ConfigException.class, () -> new RegistryConfig(Map.of()).urls());
        assertTrue(e.getMessage().contains("schema.registry.url"), e.getMessage());
    }
}
