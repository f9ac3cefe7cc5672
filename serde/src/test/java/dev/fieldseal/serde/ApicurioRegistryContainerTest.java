package dev.fieldseal.serde;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * The registry formats against Apicurio Registry's Confluent-compatible API
 * ({@code /apis/ccompat/v7}, in-memory storage), where Docker exists; skipped cleanly elsewhere.
 * The image can be overridden with {@code -Dfieldseal.test.apicurio.image}.
 */
@Testcontainers(disabledWithoutDocker = true)
class ApicurioRegistryContainerTest {

    @Container
    static final GenericContainer<?> APICURIO = new GenericContainer<>(System.getProperty(
            "fieldseal.test.apicurio.image", "apicurio/apicurio-registry:3.0.9"))
            .withExposedPorts(8080)
            .waitingFor(Wait.forHttp("/apis/ccompat/v7/subjects").forStatusCode(200)
                    .withStartupTimeout(Duration.ofMinutes(3)));

    @Test
    void avroAndJsonSchemaValuesRoundTripThroughApicurioRegistry() throws Exception {
        RealRegistryRoundTrip.run("http://" + APICURIO.getHost() + ":" + APICURIO.getMappedPort(8080)
                + "/apis/ccompat/v7", "apicurio");
    }
}
