package dev.fieldseal.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/**
 * Every line the {@code fieldseal.audit} logger writes while it is open, as the operator's log
 * file would hold them (the message is the JSON event). Attaches an appender to that logger's
 * configuration (declaring the logger at INFO if the test configuration does not).
 */
public final class AuditLines implements AutoCloseable {

    public static final String LOGGER = "fieldseal.audit";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final LoggerContext context;
    private final LoggerConfig config;
    private final AbstractAppender appender;

    private AuditLines() {
        context = (LoggerContext) LogManager.getContext(false);
        Configuration cfg = context.getConfiguration();
        LoggerConfig lc = cfg.getLoggerConfig(LOGGER);
        if (!LOGGER.equals(lc.getName())) {
            lc = new LoggerConfig(LOGGER, Level.INFO, false);
            cfg.addLogger(LOGGER, lc);
        }
        config = lc;
        appender = new AbstractAppender("audit-lines-" + UUID.randomUUID(), null, null, true, Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                lines.add(event.getMessage().getFormattedMessage());
            }
        };
        appender.start();
        config.addAppender(appender, Level.INFO, null);
        context.updateLoggers();
    }

    /** Starts capturing. */
    public static AuditLines capture() {
        return new AuditLines();
    }

    /** The raw lines so far. */
    public List<String> lines() {
        return List.copyOf(lines);
    }

    /** The lines so far, parsed (each must be one JSON object). */
    public List<JsonNode> events() {
        List<JsonNode> out = new ArrayList<>();
        for (String l : lines) {
            try {
                out.add(JSON.readTree(l));
            } catch (IOException e) {
                throw new UncheckedIOException("An audit line is not JSON", e);
            }
        }
        return out;
    }

    /** The events so far that match. */
    public List<JsonNode> events(Predicate<JsonNode> filter) {
        return events().stream().filter(filter).toList();
    }

    /** The sum of one count field over the matching events. */
    public long sum(String field, Predicate<JsonNode> filter) {
        return events(filter).stream().mapToLong(e -> e.path(field).asLong()).sum();
    }

    @Override
    public void close() {
        config.removeAppender(appender.getName());
        appender.stop();
        context.updateLoggers();
    }
}
