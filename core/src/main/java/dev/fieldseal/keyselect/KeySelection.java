package dev.fieldseal.keyselect;

import dev.fieldseal.config.FieldsealConfig;
import dev.fieldseal.field.FieldPath;
import dev.fieldseal.field.FieldSelection;
import java.util.Locale;
import org.apache.kafka.common.config.ConfigException;

/**
 * Which key seals a record: {@code kek.id} itself, or the key its template names for the record's
 * topic, key and value; a record whose template field is absent or null follows
 * {@code kek.template.missing} ({@code fail}, or {@code fallback} to {@code kek.template.fallback.id}).
 * A value that cannot name a valid key is always refused: it is never sealed under another key.
 * Immutable; thread-safe.
 */
public final class KeySelection {

    private final KekTemplate template;
    private final String fallback;

    private KeySelection(KekTemplate template, String fallback) {
        this.template = template;
        this.fallback = fallback;
    }

    /**
     * From {@code kek.id}, {@code kek.template.missing} and {@code kek.template.fallback.id}.
     *
     * @throws ConfigException if the template or the fallback is not valid, or they do not fit together
     */
    public static KeySelection of(FieldsealConfig config) {
        String kekId = config.requireKekId();
        String missing = config.getString(FieldsealConfig.KEK_TEMPLATE_MISSING);
        String fallback = config.getString(FieldsealConfig.KEK_TEMPLATE_FALLBACK_ID);
        boolean falls = FieldsealConfig.TEMPLATE_MISSING_FALLBACK.equals(missing);
        if (!KekTemplate.isTemplate(kekId)) {
            return new KeySelection(null, null);
        }
        KekTemplate t;
        try {
            t = KekTemplate.parse(kekId, false);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(FieldsealConfig.KEK_ID, kekId, e.getMessage());
        }
        if (falls && (fallback == null || fallback.isBlank())) {
            throw new ConfigException(FieldsealConfig.KEK_TEMPLATE_FALLBACK_ID, null, FieldsealConfig.KEK_TEMPLATE_MISSING
                    + "=fallback needs the key to fall back to: set " + FieldsealConfig.KEK_TEMPLATE_FALLBACK_ID + ".");
        }
        if (falls) {
            if (KekTemplate.isTemplate(fallback)) {
                throw new ConfigException(FieldsealConfig.KEK_TEMPLATE_FALLBACK_ID, fallback, "The fallback key is a "
                        + "key id, not a template.");
            }
            try {
                KekTemplate.parse(fallback, false);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(FieldsealConfig.KEK_TEMPLATE_FALLBACK_ID, fallback, e.getMessage());
            }
        }
        return new KeySelection(t, falls ? fallback.trim() : null);
    }

    /** Whether the key depends on the record (kek.id is a template). */
    public boolean perRecord() {
        return template != null;
    }

    /** The template, or null when kek.id names one key. */
    public KekTemplate template() {
        return template;
    }

    /** {@code kek.template.fallback.id} when {@code kek.template.missing=fallback}, else null. */
    public String fallback() {
        return fallback;
    }

    /** Whether the template reads the record value (a host without the value must refuse it at start). */
    public boolean reads(KekTemplate.Source source) {
        return template != null && template.reads(source);
    }

    /**
     * Refuses a template that reads a field this host seals on the same side: the key name, and with
     * it the value, would travel in clear in the {@code fieldseal.kek.id} header.
     *
     * @param side the side the host seals (the key or the value)
     * @param sealed the selection it seals there
     * @throws ConfigException naming the placeholder and the field
     */
    public void refuseSealedFields(KekTemplate.Source side, FieldSelection sealed) {
        if (template == null) {
            return;
        }
        for (KekTemplate.Placeholder p : template.placeholders()) {
            if (p.source() != side || p.path() == null) {
                continue;
            }
            FieldSelection node = sealed;
            for (FieldPath.Segment seg : p.path().segments()) {
                node = node == null ? null : node.field(seg.name());
                if (node != null && node.selected()) {
                    throw new ConfigException(FieldsealConfig.KEK_ID, template.text(), p.text() + " reads a field "
                            + "that is sealed (" + node.path() + "): its value would travel in clear as part of "
                            + "the key id in the fieldseal.kek.id header. Name the key by a field that is not sealed.");
                }
            }
        }
    }

    /**
     * The key id for one record.
     *
     * @param topic the record's topic (null if the host has none: {@code ${topic}} is then missing)
     * @throws KeySelectionException if the record cannot name a valid key and may not fall back
     */
    public String keyIdFor(String topic, RecordFields key, RecordFields value) {
        try {
            return template.resolve(topic, key, value);
        } catch (KekTemplate.MissingField m) {
            if (fallback != null) {
                return fallback;
            }
            String what = m.placeholder().source().name().toLowerCase(Locale.ROOT);
            throw new KeySelectionException("Key template '" + template + "': " + m.placeholder().text() + " is "
                    + (m.placeholder().path() == null ? "null" : "missing or null") + " in the record " + what
                    + (topic == null ? "" : " (topic '" + topic + "')") + ", and " + FieldsealConfig.KEK_TEMPLATE_MISSING
                    + "=fail: the record is not sealed (set " + FieldsealConfig.KEK_TEMPLATE_MISSING + "=fallback and "
                    + FieldsealConfig.KEK_TEMPLATE_FALLBACK_ID + " to seal such records under one key).");
        }
    }
}
