package dev.fieldseal.testkit;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ConnectWorkerTest {

    static ConnectWorker worker;

    @BeforeAll
    static void start() {
        worker = ConnectWorker.start();
    }

    @AfterAll
    static void stop() {
        worker.close();
    }

    @Test
    void workerIsUpWithItsBroker() {
        assertTrue(worker.cluster().anyWorkersHealthy());
        worker.kafka().createTopic("topic-for-connect", 1);
        assertTrue(worker.bootstrapServers().contains(":"));
    }
}
