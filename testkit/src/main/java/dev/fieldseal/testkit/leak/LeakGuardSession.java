package dev.fieldseal.testkit.leak;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;

/**
 * Runs the leak check when the test run (the JUnit launcher session of a surefire fork) ends, over
 * everything {@link LeakGuard} recorded during the run, and fails the run if a secret appears.
 * Registered per module in {@code src/test/resources/META-INF/services}; also records the
 * exceptions of failed tests (as {@link TestExecutionListener}) so their messages are checked too.
 *
 * <p>A failure here is thrown out of the launcher session, which surefire reports as an error of
 * the forked test run, so the build fails even though every test passed.
 */
public final class LeakGuardSession implements LauncherSessionListener, TestExecutionListener {

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        LeakGuard.loadSecrets("leakguard-secrets.properties");
    }

    @Override
    public void executionFinished(TestIdentifier test, TestExecutionResult result) {
        result.getThrowable().ifPresent(t -> LeakGuard.record("test " + test.getDisplayName(), t));
    }

    @Override
    public void launcherSessionClosed(LauncherSession session) {
        Path f = LeakGuard.flush();
        if (f == null) {
            return;
        }
        List<String> leaks = LeakGuard.findLeaks(f, LeakGuard.secrets());
        String summary = "LeakGuard: " + LeakGuard.events() + " log events and caught exceptions checked against "
                + LeakGuard.secrets().size() + " secret forms, " + leaks.size() + " leak(s)";
        try {
            Files.writeString(f.resolveSibling("report.txt"), summary + "\n" + String.join("\n", leaks) + "\n");
        } catch (java.io.IOException ignored) {
            // the report file is a convenience; the exception below carries the same text
        }
        System.out.println(summary);
        if (!leaks.isEmpty()) {
            throw new AssertionError(summary + ":\n" + String.join("\n", leaks.subList(0, Math.min(50, leaks.size()))));
        }
    }
}
