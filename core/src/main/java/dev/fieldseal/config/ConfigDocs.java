package dev.fieldseal.config;

import java.util.Collection;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.ConfigDef;

/**
 * Renders a {@link ConfigDef} as a Markdown table for {@code docs/configuration.md}, between
 * {@code <!-- generated:NAME -->} and {@code <!-- end:NAME -->} markers, so each module keeps
 * its own section true to its code (a test per module compares them).
 */
public final class ConfigDocs {

    private ConfigDocs() {
    }

    public static String table(ConfigDef def) {
        return table(def, new ConfigDef());
    }

    /** The table of the keys {@code def} adds to {@code base} (e.g. a host's own keys over the shared ones). */
    public static String table(ConfigDef def, ConfigDef base) {
        StringBuilder sb = new StringBuilder("| key | type | default | valid values | description |\n")
                .append("|---|---|---|---|---|\n");
        Collection<ConfigDef.ConfigKey> keys = def.configKeys().values();
        for (ConfigDef.ConfigKey k : keys) {
            if (base.names().contains(k.name)) {
                continue;
            }
            sb.append("| `").append(k.name).append("` | ").append(k.type.name().toLowerCase())
                    .append(" | ").append(defaultText(k)).append(" | ")
                    .append(k.validator == null ? "" : escape(k.validator.toString())).append(" | ")
                    .append(escape(k.documentation)).append(" |\n");
        }
        return sb.toString();
    }

    private static String defaultText(ConfigDef.ConfigKey k) {
        if (!k.hasDefault()) {
            return "(required)";
        }
        if (k.defaultValue == null) {
            return "";
        }
        String s = ConfigDef.convertToString(k.defaultValue, k.type);
        return s == null || s.isEmpty() ? "\"\"" : "`" + s + "`";
    }

    private static String escape(String s) {
        return s == null ? "" : s.replace("|", "\\|").replace("\n", " ");
    }

    /** The generated section named {@code name} inside a document, or null if absent. */
    public static String section(String document, String name) {
        Matcher m = Pattern.compile("<!-- generated:" + Pattern.quote(name) + " -->\n(.*?)<!-- end:"
                + Pattern.quote(name) + " -->", Pattern.DOTALL).matcher(document);
        return m.find() ? m.group(1) : null;
    }

    /** Prints the table of the shared settings (used to regenerate the doc). */
    public static void main(String[] args) {
        System.out.print(table(FieldsealConfig.CONFIG_DEF));
    }
}
