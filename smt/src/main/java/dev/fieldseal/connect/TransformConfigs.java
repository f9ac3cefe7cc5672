package dev.fieldseal.connect;

import dev.fieldseal.config.FieldsealConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.ConfigKey;

/**
 * The transforms' {@link ConfigDef}s: the shared {@link FieldsealConfig#CONFIG_DEF}, un-prefixed.
 * On the encrypting side {@code kek.id} has no default, so Connect's REST validation reports it
 * missing before the connector starts; the decrypting side may name its keys with
 * {@code kek.allowed} instead.
 */
final class TransformConfigs {

    static final ConfigDef ENCRYPT = withRequiredKekId(FieldsealConfig.CONFIG_DEF);
    static final ConfigDef DECRYPT = new ConfigDef(FieldsealConfig.CONFIG_DEF);

    private TransformConfigs() {
    }

    private static ConfigDef withRequiredKekId(ConfigDef shared) {
        ConfigDef def = new ConfigDef();
        for (ConfigKey k : shared.configKeys().values()) {
            if (k.name.equals(FieldsealConfig.KEK_ID)) {
                def.define(new ConfigKey(k.name, k.type, ConfigDef.NO_DEFAULT_VALUE, k.validator, k.importance,
                        k.documentation + " Required.", k.group, k.orderInGroup, k.width, k.displayName,
                        k.dependents, k.recommender, k.internalConfig));
            } else {
                def.define(k);
            }
        }
        return def;
    }
}
