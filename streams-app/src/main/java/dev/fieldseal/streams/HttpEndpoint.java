package dev.fieldseal.streams;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.fieldseal.config.FieldsealConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.apache.kafka.common.config.ConfigException;

/**
 * {@code GET /health}: 200 when Kafka Streams is RUNNING or REBALANCING and the KEK check
 * ({@link KekHealth}) succeeded recently, else 503; the JSON body says which check runs and which
 * part failed. {@code GET /metrics}: Prometheus text ({@link AppMeters}). Listens on {@code http.bind.address}
 * (every interface by default, as container probes need).
 */
final class HttpEndpoint implements AutoCloseable {

    /** What /health reports. */
    record Health(boolean up, ObjectNode body) {
    }

    private final HttpServer server;
    private final ExecutorService executor;

    /**
     * @param bindAddress a host name or IP literal ({@code 0.0.0.0}: every interface)
     * @throws ConfigException if the name does not resolve
     * @throws IOException if the address cannot be bound (port taken, address not of this host)
     */
    HttpEndpoint(String bindAddress, int port, Supplier<Health> health, Supplier<String> metrics) throws IOException {
        InetSocketAddress at = new InetSocketAddress(bindAddress, port);
        if (at.isUnresolved()) {
            throw new ConfigException(FieldsealConfig.PREFIX + StreamsAppConfig.HTTP_BIND_ADDRESS, bindAddress,
                    "The host name does not resolve to an address of this host.");
        }
        server = HttpServer.create(at, 0);
        executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "fieldseal-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/health", ex -> {
            Health h = health.get();
            respond(ex, h.up() ? 200 : 503, "application/json",
                    RecordTransformer.JSON.writeValueAsBytes(h.body()));
        });
        server.createContext("/metrics", ex -> respond(ex, 200, AppMeters.CONTENT_TYPE,
                metrics.get().getBytes(StandardCharsets.UTF_8)));
        server.createContext("/", ex -> respond(ex, 404, "text/plain", "not found\n".getBytes(StandardCharsets.UTF_8)));
    }

    void start() {
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    InetSocketAddress address() {
        return server.getAddress();
    }

    private static void respond(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        try (ex) {
            ex.getResponseHeaders().set("Content-Type", type);
            boolean head = "HEAD".equals(ex.getRequestMethod());
            ex.sendResponseHeaders(status, head ? -1 : body.length);
            if (!head) {
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(body);
                }
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
