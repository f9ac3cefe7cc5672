package dev.fieldseal.keyselect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fieldseal.config.FieldsealConfig;
import dev.fieldseal.dek.KekAllowlistProbe;
import dev.fieldseal.field.FieldPath;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class KekTemplateTest {

    static final String VAULT = "https://contoso.vault.azure.net";
    static final String TEMPLATE = VAULT + "/keys/tenant-${value.tenant.id}";

    static RecordFields value(Object tenantId) {
        return path -> path != null && path.equals(FieldPath.parse("tenant.id")) ? tenantId : null;
    }

    static KeySelection selection(String kekId, String... more) {
        java.util.Map<String, Object> p = new java.util.HashMap<>(Map.of("kek.id", kekId));
        for (int i = 0; i < more.length; i += 2) {
            p.put(more[i], more[i + 1]);
        }
        return KeySelection.of(new FieldsealConfig(p));
    }

    @Test
    void placeholdersAreFilledFromTheTopicKeyAndValue() throws Exception {
        KekTemplate t = KekTemplate.parse("https://Contoso.vault.azure.net:443/keys/${topic}-${key}-${value.tenant.id}",
                false);
        assertEquals(VAULT + "/keys/orders-K1-42", t.resolve("orders", RecordFields.whole("K1"),
                value(BigInteger.valueOf(42))));
        assertEquals(VAULT + "/keys/tenant-acme-7", KekTemplate.parse(TEMPLATE, false).resolve("t",
                RecordFields.NONE, value("acme-7")));
    }

    @Test
    void valuesThatAreNotKeyNameCharactersAreRefusedNamingTheFieldNotTheValue() {
        KeySelection s = selection(TEMPLATE);
        for (Object bad : List.of("acme/../other", "a?x=1", "a@evil.example", "a%2Fb", "a.b", "a_b", "", "é",
                "x".repeat(121), 1.5, true)) {
            KeySelectionException e = assertThrows(KeySelectionException.class,
                    () -> s.keyIdFor("t", RecordFields.NONE, value(bad)), String.valueOf(bad));
            assertTrue(e.getMessage().contains("${value.tenant.id}") && e.getMessage().contains(TEMPLATE),
                    e.getMessage());
            if (bad instanceof String str && str.length() > 3) {
                assertFalse(e.getMessage().contains(str), e.getMessage());
            }
        }
    }

    @Test
    void aMissingFieldFailsOrFallsBackAsConfigured() {
        KeySelectionException e = assertThrows(KeySelectionException.class,
                () -> selection(TEMPLATE).keyIdFor("orders", RecordFields.NONE, value(null)));
        assertTrue(e.getMessage().contains("${value.tenant.id}") && e.getMessage().contains("kek.template.missing"),
                e.getMessage());
        KeySelection fb = selection(TEMPLATE, "kek.template.missing", "fallback",
                "kek.template.fallback.id", VAULT + "/keys/unassigned");
        assertEquals(VAULT + "/keys/unassigned", fb.keyIdFor("orders", RecordFields.NONE, value(null)));
        // an invalid value never falls back
        assertThrows(KeySelectionException.class, () -> fb.keyIdFor("orders", RecordFields.NONE, value("a/b")));
        assertThrows(ConfigException.class, () -> selection(TEMPLATE, "kek.template.missing", "fallback"));
    }

    @Test
    void placeholdersStandOnlyInTheKeyName() {
        for (String bad : List.of("https://${value.vault}.vault.azure.net/keys/pii",
                "https://contoso.vault.azure.net/${value.x}/pii", VAULT + "/keys/${value.a}/v1",
                VAULT + "/keys/t-${value.items[*].id}", VAULT + "/keys/t-${other}", VAULT + "/keys/t-${value.a",
                "http://contoso.vault.azure.net/keys/t-${value.a}", VAULT + "/keys/t_${value.a}")) {
            assertThrows(ConfigException.class, () -> selection(bad), bad);
        }
    }

    @Test
    void aTemplateCannotReadAFieldItsOwnSideSeals() {
        var sealed = dev.fieldseal.field.FieldSelection.of(List.of(FieldPath.parse("tenant")), List.of());
        assertThrows(ConfigException.class, () -> selection(TEMPLATE).refuseSealedFields(KekTemplate.Source.VALUE,
                sealed));
        selection(TEMPLATE).refuseSealedFields(KekTemplate.Source.KEY, sealed); // the other side: not this host's
    }

    @Test
    void anAllowlistTemplateAllowsExactlyTheKeysTheTemplateCanName() {
        for (String entry : List.of(TEMPLATE, VAULT + "/keys/tenant-*")) {
            KekAllowlistProbe a = new KekAllowlistProbe(List.of(entry));
            assertTrue(a.allows(VAULT + "/keys/tenant-acme-7"), entry);
            assertTrue(a.allows("https://CONTOSO.vault.azure.net/keys/TENANT-acme"), entry);
            for (String forged : List.of(VAULT + "/keys/other", VAULT + "/keys/tenant-a/../other",
                    VAULT + "/keys/tenant-a?x=1", VAULT + "/keys/tenant-a#x", VAULT + "/keys/tenant-a%2Fb",
                    VAULT + "/keys/tenant-a@evil.example", "https://evil.example/keys/tenant-a",
                    "https://contoso.vault.azure.net.evil.example/keys/tenant-a",
                    "https://contoso.vault.azure.net:8443/keys/tenant-a", "http://contoso.vault.azure.net/keys/tenant-a",
                    "https://user@contoso.vault.azure.net/keys/tenant-a", VAULT + "/keys/tenant-" + "a".repeat(200),
                    VAULT + "/keys/tenant-a/version", VAULT + "/secrets/tenant-a")) {
                assertFalse(a.allows(forged), entry + " allowed " + forged);
            }
        }
    }
}
