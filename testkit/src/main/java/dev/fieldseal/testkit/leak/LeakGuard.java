package dev.fieldseal.testkit.leak;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.Core;
import org.apache.logging.log4j.core.Filter;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;
import org.apache.logging.log4j.core.config.plugins.Plugin;
import org.apache.logging.log4j.core.config.plugins.PluginAttribute;
import org.apache.logging.log4j.core.config.plugins.PluginElement;
import org.apache.logging.log4j.core.config.plugins.PluginFactory;

/**
 * A log4j2 appender that records every event it is given (logger, level, message, and the whole
 * stack trace with every cause's message) to a file under {@code target/}, and a registry of
 * secrets — plaintext test values and key material in every usual text form (hex, base64,
 * base64url) — that must never appear there.
 *
 * <p>Recording goes to a buffered file rather than memory, so a module's whole run at level ALL is
 * kept without bounding what can be checked; the check reads the file once, at the end of the run
 * ({@link LeakGuardSession}), against every secret registered until then, so key material that a
 * test only learns late (an unwrapped DEK, a private key) is still looked for in earlier lines.
 * Exceptions that tests catch themselves can be added with {@link #record(String, Throwable)}.
 *
 * <p>Configure in {@code log4j2-test.xml}: {@code <LeakGuard name="leaks" file="target/leakguard/events.log"/>}
 * and reference it from the loggers to watch, at level ALL.
 */
@Plugin(name = "LeakGuard", category = Core.CATEGORY_NAME, elementType = Appender.ELEMENT_TYPE, printObject = true)
public final class LeakGuard extends AbstractAppender {

    static final int MIN_SECRET = LeakSecrets.MIN_LENGTH;

    private static final Object LOCK = new Object();
    private static final AtomicLong EVENTS = new AtomicLong();
    private static Writer out;
    private static Path file;

    private LeakGuard(String name, Filter filter) {
        super(name, filter, null, true, Property.EMPTY_ARRAY);
    }

    @PluginFactory
    public static LeakGuard create(@PluginAttribute("name") String name, @PluginAttribute("file") String path,
                                   @PluginElement("Filter") Filter filter) {
        synchronized (LOCK) {
            if (out == null) {
                open(Path.of(path == null ? "target/leakguard/events.log" : path));
            }
        }
        return new LeakGuard(name == null ? "leaks" : name, filter);
    }

    /** Starts recording to {@code f} (also used by tests of the checker itself). */
    static void open(Path f) {
        try {
            Files.createDirectories(f.toAbsolutePath().getParent());
            String name = f.getFileName().toString();
            int dot = name.lastIndexOf('.');
            String pid = "-" + ProcessHandle.current().pid();
            file = f.resolveSibling(dot < 0 ? name + pid : name.substring(0, dot) + pid + name.substring(dot));
            removeStale(f.toAbsolutePath().getParent(), dot < 0 ? name : name.substring(0, dot));
            out = new BufferedWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8), 1 << 16);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Recordings of earlier runs (their process is gone) are tens of megabytes each: drop them. */
    private static void removeStale(Path dir, String stem) throws IOException {
        try (var files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                String n = p.getFileName().toString();
                if (!n.startsWith(stem + "-")) {
                    continue;
                }
                String digits = n.substring(stem.length() + 1).replaceAll("\\D.*", "");
                if (!digits.isEmpty() && ProcessHandle.of(Long.parseLong(digits)).isEmpty()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    @Override
    public void append(LogEvent event) {
        StringBuilder b = new StringBuilder(256);
        b.append(event.getLevel()).append(' ').append(event.getLoggerName()).append(" [")
                .append(event.getThreadName()).append("] ");
        b.append(event.getMessage() == null ? "null" : event.getMessage().getFormattedMessage());
        if (event.getThrown() != null) {
            b.append('\n').append(stackTrace(event.getThrown()));
        }
        write(b);
    }

    /** Adds an exception a test caught (its messages and stack, with every cause) to what is checked. */
    public static void record(String where, Throwable t) {
        write(new StringBuilder("CAUGHT ").append(where).append('\n').append(stackTrace(t)));
    }

    /** Adds any text a test produced (e.g. a message shown to users) to what is checked. */
    public static void recordText(String where, String text) {
        write(new StringBuilder("TEXT ").append(where).append(' ').append(text));
    }

    private static void write(CharSequence text) {
        synchronized (LOCK) {
            if (out == null) {
                return;
            }
            try {
                out.append(text).append('\n');
                EVENTS.incrementAndGet();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** The whole stack with causes, as text to scan (into a string, never to a console or log). */
    static String stackTrace(Throwable t) {
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        return w.toString();
    }

    // ---- secrets (kept in LeakSecrets, which has no logging dependency, so the double can feed it) ----

    /** @see LeakSecrets#secret */
    public static void secret(String label, String value) {
        LeakSecrets.secret(label, value);
    }

    /** @see LeakSecrets#secretBytes */
    public static void secretBytes(String label, byte[] key) {
        LeakSecrets.secretBytes(label, key);
    }

    static Map<String, String> secrets() {
        return LeakSecrets.all();
    }

    /** The file events go to, flushed; null if no LeakGuard appender was configured. */
    public static Path flush() {
        synchronized (LOCK) {
            if (out == null) {
                return null;
            }
            try {
                out.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return file;
        }
    }

    public static long events() {
        return EVENTS.get();
    }

    /**
     * Every line of {@code f} containing a secret, as {@code "line N (logger ...): <label>"} — the
     * secret itself is never repeated in the report.
     */
    public static List<String> findLeaks(Path f, Map<String, String> secrets) {
        List<String> found = new ArrayList<>();
        if (f == null || secrets.isEmpty()) {
            return found;
        }
        // index every secret by its first MIN_SECRET chars: one hash lookup per line position, whatever the count
        Map<String, List<String>> byPrefix = new java.util.HashMap<>();
        for (String s : secrets.keySet()) {
            byPrefix.computeIfAbsent(s.substring(0, MIN_SECRET), k -> new ArrayList<>()).add(s);
        }
        try (BufferedReader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
            String line;
            long n = 0;
            String event = "";
            while ((line = r.readLine()) != null) {
                n++;
                if (!line.isEmpty() && !Character.isWhitespace(line.charAt(0)) && !line.startsWith("Caused by")) {
                    event = line.length() > 80 ? line.substring(0, 80) : line;
                }
                for (int i = 0; i + MIN_SECRET <= line.length(); i++) {
                    List<String> candidates = byPrefix.get(line.substring(i, i + MIN_SECRET));
                    if (candidates == null) {
                        continue;
                    }
                    for (String s : candidates) {
                        if (line.startsWith(s, i)) {
                            found.add("line " + n + " of " + f.getFileName() + ": " + secrets.get(s)
                                    + " (in the event starting '" + redact(event, secrets) + "')");
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return found;
    }

    /**
     * Registers the secrets of a {@code label=value} properties resource (each module's
     * {@code leakguard-secrets.properties}: the plaintext values its tests use).
     */
    static void loadSecrets(String resource) {
        try (var in = Thread.currentThread().getContextClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                return;
            }
            java.util.Properties p = new java.util.Properties();
            p.load(new java.io.InputStreamReader(in, StandardCharsets.UTF_8));
            p.stringPropertyNames().forEach(label -> secret(label, p.getProperty(label)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Forgets every secret and stops recording (for the checker's own tests). */
    static void reset() {
        LeakSecrets.clear();
        synchronized (LOCK) {
            EVENTS.set(0);
            if (out != null) {
                try {
                    out.close();
                } catch (IOException ignored) {
                    // a scratch file
                }
            }
            out = null;
            file = null;
        }
    }

    private static String redact(String text, Map<String, String> secrets) {
        String out = text;
        for (String s : secrets.keySet()) {
            out = out.replace(s, "<" + secrets.get(s) + ">");
        }
        return out;
    }
}
