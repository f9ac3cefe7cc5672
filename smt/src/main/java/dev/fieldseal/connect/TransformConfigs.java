package dev.fieldseal.connect;

import dev.fieldseal.config.FieldsealConfig;
import dev.fieldseal.rotation.RotationEventsSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.ConfigKey;
import org.apache.kafka.common.config.ConfigException;

/**
 * The transforms' {@link ConfigDef}s: the shared {@link FieldsealConfig#CONFIG_DEF}, un-prefixed.
 * On the encrypting side {@code kek.id} has no default, so Connect's REST validation reports it
 * missing before the connector starts; the decrypting side may name its keys with
 * {@code kek.allowed} instead. A transform gets none of the worker's Kafka settings, so with
 * {@code rotation.events.topic} set, {@code rotation.events.consumer.bootstrap.servers} is
 * required, and REST validation says so on that key.
 */
final class TransformConfigs {

    static final ConfigDef ENCRYPT = transformDef(FieldsealConfig.CONFIG_DEF, true);
    static final ConfigDef DECRYPT = transformDef(FieldsealConfig.CONFIG_DEF, false);

    private TransformConfigs() {
    }

    private static ConfigDef transformDef(ConfigDef shared, boolean requireKekId) {
        ConfigDef def = new ConfigDef();
        for (ConfigKey k : shared.configKeys().values()) {
            if (requireKekId && k.name.equals(FieldsealConfig.KEK_ID)) {
                def.define(new ConfigKey(k.name, k.type, ConfigDef.NO_DEFAULT_VALUE, k.validator, k.importance,
                        k.documentation + " Required.", k.group, k.orderInGroup, k.width, k.displayName,
                        k.dependents, k.recommender, k.internalConfig));
            } else if (k.name.equals(FieldsealConfig.ROTATION_EVENTS_TOPIC)) {
                def.define(new ConfigKey(k.name, k.type, k.defaultValue, k.validator, k.importance, k.documentation,
                        k.group, k.orderInGroup, k.width, k.displayName,
                        List.of(FieldsealConfig.ROTATION_EVENTS_BOOTSTRAP_SERVERS), k.recommender, k.internalConfig));
            } else if (k.name.equals(FieldsealConfig.ROTATION_EVENTS_BOOTSTRAP_SERVERS)) {
                def.define(new ConfigKey(k.name, k.type, k.defaultValue, k.validator, k.importance, k.documentation,
                        k.group, k.orderInGroup, k.width, k.displayName, k.dependents, new RequiredWithTopic(),
                        k.internalConfig));
            } else {
                def.define(k);
            }
        }
        return def;
    }

    /**
     * A key's validator sees only its own value; ConfigDef's validation hands recommenders the whole
     * parsed config and reports what they throw as the key's error, which is how Connect's REST
     * validation shows a requirement that depends on another key.
     */
    static final class RequiredWithTopic implements ConfigDef.Recommender {
        @Override
        public List<Object> validValues(String name, Map<String, Object> parsed) {
            Object topic = parsed.get(FieldsealConfig.ROTATION_EVENTS_TOPIC);
            Object brokers = parsed.get(name);
            boolean topicSet = topic != null && !topic.toString().isBlank();
            boolean brokersSet = brokers instanceof List<?> l ? !l.isEmpty() : brokers != null;
            if (topicSet && !brokersSet) {
                throw new ConfigException(RotationEventsSettings.missingBootstrapMessage());
            }
            return new ArrayList<>();
        }

        @Override
        public boolean visible(String name, Map<String, Object> parsed) {
            return true;
        }
    }
}
