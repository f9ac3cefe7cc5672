package dev.fieldseal.streams;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * {@code fieldseal.http.bind.address}: the endpoint listens where it is told (127.0.0.1 is not
 * reachable through another address of this host; the default is), and a value that is neither a
 * host name nor an IP address is refused with a message naming the key.
 */
class HttpBindAddressTest {

    private static HttpEndpoint endpoint(String bind) throws IOException {
        HttpEndpoint e = new HttpEndpoint(bind, 0,
                () -> new HttpEndpoint.Health(true, RecordTransformer.JSON.createObjectNode()), () -> "");
        e.start();
        return e;
    }

    /** An IPv4 address of this host other than loopback, if it has one. */
    private static Optional<InetAddress> otherAddress() throws SocketException {
        for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!ni.isUp() || ni.isLoopback()) {
                continue;
            }
            for (InetAddress a : Collections.list(ni.getInetAddresses())) {
                if (a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
                    return Optional.of(a);
                }
            }
        }
        return Optional.empty();
    }

    private static boolean accepts(InetAddress host, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 5_000);
            return true;
        } catch (ConnectException refused) {
            return false;
        } catch (IOException e) {
            throw new AssertionError("connecting to " + host + ":" + port, e);
        }
    }

    @Test
    void loopbackBindingIsReachableOnlyThroughLoopback() throws Exception {
        Optional<InetAddress> other = otherAddress();
        Assumptions.assumeTrue(other.isPresent(), "this host has no non-loopback IPv4 address");
        try (HttpEndpoint e = endpoint("127.0.0.1")) {
            assertEquals(InetAddress.getByName("127.0.0.1"), e.address().getAddress());
            assertTrue(accepts(InetAddress.getByName("127.0.0.1"), e.port()));
            assertEquals(false, accepts(other.get(), e.port()), "reachable through " + other.get());
        }
    }

    @Test
    void defaultBindingListensOnEveryInterface() throws Exception {
        Optional<InetAddress> other = otherAddress();
        Assumptions.assumeTrue(other.isPresent(), "this host has no non-loopback IPv4 address");
        String dflt = (String) StreamsAppConfig.CONFIG_DEF.configKeys().get(StreamsAppConfig.HTTP_BIND_ADDRESS)
                .defaultValue;
        assertEquals("0.0.0.0", dflt);
        try (HttpEndpoint e = endpoint(dflt)) {
            assertTrue(e.address().getAddress().isAnyLocalAddress());
            assertTrue(accepts(InetAddress.getByName("127.0.0.1"), e.port()));
            assertTrue(accepts(other.get(), e.port()), "reachable through " + other.get());
        }
    }

    private static Map<String, String> minimal(String bind) {
        Map<String, String> p = new HashMap<>();
        p.put("application.id", "x");
        p.put("bootstrap.servers", "b:9092");
        p.put("fieldseal.kek.id", "local:k");
        p.put("fieldseal.routes", "a");
        p.put("fieldseal.route.a.input", "in");
        p.put("fieldseal.route.a.output", "out");
        p.put("fieldseal.route.a.fields", "ssn");
        p.put("fieldseal.http.bind.address", bind);
        return p;
    }

    @Test
    void hostNamesAndIpAddressesAreAcceptedOthersRefusedNamingTheKey() {
        for (String ok : new String[] {"0.0.0.0", "127.0.0.1", "10.1.2.3", "::", "::1", "[::1]", "fe80::1",
                "localhost", "streams-0.streams.svc.cluster.local", "my-host."}) {
            assertEquals(ok, assertDoesNotThrow(() -> AppSettings.parse(minimal(ok)), ok).httpBindAddress());
        }
        for (String bad : new String[] {"", "256.0.0.1", "1.2.3", "1.2.3.4:8080", "http://localhost", "a..b",
                "-host", "host_name", "::g", "[::1", "0.0.0.0 127.0.0.1", "x".repeat(64)}) {
            ConfigException e = assertThrows(ConfigException.class, () -> AppSettings.parse(minimal(bad)), bad);
            assertTrue(e.getMessage().contains("http.bind.address") && e.getMessage().contains("host name or IP"),
                    e.getMessage());
        }
    }
}
