package dev.fieldseal.kms.azure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class RotationEventsTest {

    private static final String DATA = """
            {"Id":"https://myvault.vault.azure.net/keys/pii/1f2e3d4c5b6a","VaultName":"myvault","ObjectType":"Key",
             "ObjectName":"pii","Version":"1f2e3d4c5b6a","NBF":null,"EXP":null}""";

    private static final String EVENT_GRID = """
            {"id":"e1","topic":"/subscriptions/s/resourceGroups/g/providers/Microsoft.KeyVault/vaults/myvault",
             "subject":"pii","eventType":"Microsoft.KeyVault.KeyNewVersionCreated","eventTime":"2026-11-28T10:00:00Z",
             "data":%s,"dataVersion":"1","metadataVersion":"1"}""".formatted(DATA);

    private static final String CLOUD_EVENT = """
            {"specversion":"1.0","id":"c1","source":"/subscriptions/s/resourceGroups/g/providers/Microsoft.KeyVault/vaults/myvault",
             "type":"Microsoft.KeyVault.KeyNewVersionCreated","subject":"orders","time":"2026-11-28T10:00:00Z",
             "datacontenttype":"application/json",
             "data":{"Id":"https://myvault.vault.azure.net/keys/orders/abc","VaultName":"myvault","ObjectType":"Key",
                     "ObjectName":"orders","Version":"abc"}}""";

    private static final String OTHER = """
            {"specversion":"1.0","id":"c2","source":"/x","type":"Microsoft.KeyVault.SecretNewVersionCreated",
             "data":{"Id":"https://myvault.vault.azure.net/secrets/s/1","VaultName":"myvault","ObjectName":"s"}}""";

    @Test
    void eventGridSchemaSingleEvent() {
        assertEquals(List.of("https://myvault.vault.azure.net/keys/pii"), RotationEvents.keysToRefresh(EVENT_GRID));
    }

    @Test
    void cloudEventSingleAndBytes() {
        assertEquals(List.of("https://myvault.vault.azure.net/keys/orders"), RotationEvents.keysToRefresh(CLOUD_EVENT));
        assertEquals(List.of("https://myvault.vault.azure.net/keys/orders"),
                RotationEvents.keysToRefresh(CLOUD_EVENT.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void arraysOfBothSchemasWithOtherTypesIgnoredAndDuplicatesRemoved() {
        String batch = "[" + EVENT_GRID + "," + OTHER + "," + CLOUD_EVENT + "," + EVENT_GRID + "]";
        assertEquals(List.of("https://myvault.vault.azure.net/keys/pii", "https://myvault.vault.azure.net/keys/orders"),
                RotationEvents.keysToRefresh(batch));
        assertEquals(List.of(), RotationEvents.keysToRefresh("[" + OTHER + "]"));
        assertEquals(List.of(), RotationEvents.keysToRefresh("{\"eventType\":\"Microsoft.Storage.BlobCreated\"}"));
    }

    @Test
    void fallsBackToVaultAndObjectNames() {
        String e = """
                {"eventType":"Microsoft.KeyVault.KeyNewVersionCreated","data":{"VaultName":"other","ObjectName":"k"}}""";
        assertEquals(List.of("https://other.vault.azure.net/keys/k"), RotationEvents.keysToRefresh(e));
    }

    @Test
    void notJsonIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> RotationEvents.keysToRefresh("not json"));
    }
}
