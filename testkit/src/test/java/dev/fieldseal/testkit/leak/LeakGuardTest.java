package dev.fieldseal.testkit.leak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.impl.Log4jLogEvent;
import org.apache.logging.log4j.message.SimpleMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The checker catches leaks planted in a scratch recording, and the end-of-run check fails the run for them. */
class LeakGuardTest {

    @TempDir
    Path dir;

    @AfterEach
    void forget() {
        LeakGuard.reset();
    }

    private static void log(LeakGuard appender, String logger, String message, Throwable t) {
        appender.append(Log4jLogEvent.newBuilder().setLoggerName(logger).setLevel(Level.TRACE)
                .setMessage(new SimpleMessage(message)).setThrown(t).build());
    }

    @Test
    void findsEveryFormOfAPlantedSecretInMessagesAndNestedCauses() throws Exception {
        LeakGuard.open(dir.resolve("events.log"));
        LeakGuard appender = LeakGuard.create("scratch", null, null);
        byte[] dek = new byte[32];
        new SecureRandom().nextBytes(dek);
        LeakGuard.secretBytes("planted DEK", dek);
        LeakGuard.secret("planted plaintext", "ssn-987-65-4321");

        log(appender, "scratch.clean", "an ordinary line about key https://v/keys/pii version abc", null);
        Path f = LeakGuard.flush();
        assertEquals(List.of(), LeakGuard.findLeaks(f, LeakGuard.secrets()));

        log(appender, "scratch.hex", "dek=" + HexFormat.of().formatHex(dek).toUpperCase(), null);
        log(appender, "scratch.cause", "failed", new IllegalStateException("outer",
                new RuntimeException("inner " + Base64.getUrlEncoder().withoutPadding().encodeToString(dek))));
        LeakGuard.record("a caught exception", new IllegalArgumentException("bad value ssn-987-65-4321"));
        f = LeakGuard.flush();
        List<String> leaks = LeakGuard.findLeaks(f, LeakGuard.secrets());
        assertEquals(3, leaks.size(), leaks.toString());
        assertTrue(leaks.get(0).contains("planted DEK (HEX)"), leaks.get(0));
        assertTrue(leaks.get(1).contains("planted DEK (base64url)"), leaks.get(1));
        assertTrue(leaks.get(2).contains("planted plaintext"), leaks.get(2));
        String report = String.join("\n", leaks);
        assertFalse(report.contains("ssn-987-65-4321") || report.contains(HexFormat.of().formatHex(dek)),
                "the report must not repeat the secret");
    }

    @Test
    void theEndOfRunCheckFailsTheRunWhenALeakWasRecordedAndPassesOtherwise() throws Exception {
        LeakGuard.open(dir.resolve("events.log"));
        LeakGuard appender = LeakGuard.create("scratch", null, null);
        LeakGuard.secret("planted client secret", "s3cr3t-client-value");
        log(appender, "scratch", "nothing to see", null);
        LeakGuardSession session = new LeakGuardSession();
        session.launcherSessionClosed(null);

        log(appender, "com.azure.scratch", "token request with client_secret=s3cr3t-client-value", null);
        AssertionError e = assertThrows(AssertionError.class, () -> session.launcherSessionClosed(null));
        assertTrue(e.getMessage().contains("1 leak(s)") && e.getMessage().contains("planted client secret"),
                e.getMessage());
        assertFalse(e.getMessage().contains("s3cr3t-client-value"));
        assertTrue(Files.readString(dir.resolve("report.txt")).contains("planted client secret"));
    }

    @Test
    void recordingsOfEndedRunsAreRemovedAndTheCurrentOneKept() throws Exception {
        Path stale = Files.writeString(dir.resolve("events-2147483000.log"), "old run");
        Path other = Files.writeString(dir.resolve("report.txt"), "kept");
        LeakGuard.open(dir.resolve("events.log"));
        assertFalse(Files.exists(stale));
        assertTrue(Files.exists(other));
        assertTrue(Files.exists(dir.resolve("events-" + ProcessHandle.current().pid() + ".log")));
    }

    @Test
    void refusesSecretsTooShortToMatchReliably() {
        assertThrows(IllegalArgumentException.class, () -> LeakGuard.secret("short", "1234"));
    }
}
