package dev.fieldseal.model.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.fieldseal.field.FieldSelection;
import dev.fieldseal.registry.RegistryJson;

/**
 * The schema ids of {@code json-confluent} values as they are sealed and opened: sealing writes
 * the id of the encrypted schema derived from the writer's ({@link EncryptedJsonSchema}), registered
 * under the output topic's subject; opening writes the id of the plaintext schema the encrypted one
 * was derived from. The framing next to the JSON walkers, which do the fields. Each mapping is
 * cached per (topic, id), bounded, so a steady stream costs no registry call and no schema walk.
 */
public final class ConfluentJson {

    private record TopicId(String topic, int id) {
    }

    private final RegistryJson registry;
    private final FieldSelection selection;
    private final Cache<TopicId, Integer> sealedIds;
    private final Cache<TopicId, Integer> openedIds;

    public ConfluentJson(RegistryJson registry, FieldSelection selection, int capacity) {
        this.registry = registry;
        this.selection = selection;
        this.sealedIds = Caffeine.newBuilder().maximumSize(capacity).build();
        this.openedIds = Caffeine.newBuilder().maximumSize(capacity).build();
    }

    public RegistryJson registry() {
        return registry;
    }

    /** The id of the encrypted schema of values written with {@code plainId}, for {@code topic}. */
    public int sealedId(String topic, int plainId) {
        return sealedIds.get(new TopicId(topic, plainId),
                k -> registry.idFor(topic, EncryptedJsonSchema.encrypted(registry.schema(plainId), selection)));
    }

    /** The id of the encrypted schema derived from {@code plain}, for {@code topic}. */
    public int sealedId(String topic, JsonNode plain) {
        return registry.idFor(topic, EncryptedJsonSchema.encrypted(plain, selection));
    }

    /**
     * The id of the plaintext schema of values written with {@code sealedId}, for {@code topic}
     * ({@code sealedId} itself when that schema has no encrypted property).
     */
    public int openedId(String topic, int sealedId) {
        return openedIds.get(new TopicId(topic, sealedId), k -> {
            JsonNode schema = registry.schema(sealedId);
            return EncryptedJsonSchema.hasEncryptedFields(schema)
                    ? registry.idFor(topic, EncryptedJsonSchema.plaintext(schema)) : sealedId;
        });
    }
}
