package dev.fieldseal.serde;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;

/**
 * The registry formats against Confluent Schema Registry itself (with the Kafka broker it keeps its
 * schemas in), where Docker exists; skipped cleanly elsewhere. Images can be overridden with
 * {@code -Dfieldseal.test.kafka.image} and {@code -Dfieldseal.test.cp-schema-registry.image}.
 */
@Testcontainers(disabledWithoutDocker = true)
class ConfluentSchemaRegistryContainerTest {

    static final Network NETWORK = Network.newNetwork();

    @Container
    static final KafkaContainer KAFKA = new KafkaContainer(System.getProperty("fieldseal.test.kafka.image",
            "apache/kafka:4.3.1")).withNetwork(NETWORK).withListener("kafka:19092");

    @Container
    static final GenericContainer<?> REGISTRY = new GenericContainer<>(System.getProperty(
            "fieldseal.test.cp-schema-registry.image", "confluentinc/cp-schema-registry:8.0.0"))
            .withNetwork(NETWORK)
            .withExposedPorts(8081)
            .withEnv("SCHEMA_REGISTRY_HOST_NAME", "schema-registry")
            .withEnv("SCHEMA_REGISTRY_LISTENERS", "http://0.0.0.0:8081")
            .withEnv("SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS", "PLAINTEXT://kafka:19092")
            .dependsOn(KAFKA)
            .waitingFor(Wait.forHttp("/subjects").forStatusCode(200).withStartupTimeout(Duration.ofMinutes(3)));

    @Test
    void avroAndJsonSchemaValuesRoundTripThroughConfluentSchemaRegistry() throws Exception {
        RealRegistryRoundTrip.run("http://" + REGISTRY.getHost() + ":" + REGISTRY.getMappedPort(8081), "cp");
    }
}
