package dev.fieldseal.kms.azure;

import dev.fieldseal.config.FieldsealConfig;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.ConfigException;

/**
 * A Key Vault / Managed HSM key identifier, {@code https://<host>[:port]/keys/<name>[/<version>]}.
 * Any https host is accepted (Azure's vault and HSM domains, emulators on localhost); plain
 * http is refused because the bearer token would travel in clear.
 *
 * @param vaultUrl {@code https://host[:port]}, no trailing slash
 * @param name the key name
 * @param version the version, or null for "the newest enabled version"
 */
public record KeyVaultKeyId(String vaultUrl, String name, String version) {

    private static final Pattern NAME = Pattern.compile("[0-9A-Za-z-]{1,127}");
    private static final Pattern VERSION = Pattern.compile("[0-9A-Za-z]{1,64}");
    private static final String FORM = "https://<vault>.vault.azure.net/keys/<name>[/<version>] "
            + "(or https://<hsm>.managedhsm.azure.net/keys/<name>, or any https:// host serving the Key Vault API)";

    /**
     * Parses a key id.
     *
     * @throws IllegalArgumentException with a message saying what form is expected
     */
    public static KeyVaultKeyId parse(String keyId) {
        if (keyId == null || keyId.isBlank()) {
            throw new IllegalArgumentException("Empty Key Vault key id; expected " + FORM + ".");
        }
        String s = keyId.trim();
        if (s.regionMatches(true, 0, "http://", 0, 7)) {
            throw new IllegalArgumentException("Key id '" + s + "' uses plain http: Key Vault tokens must not travel "
                    + "in clear, use https (for an emulator, trust its CA with " + FieldsealConfig.AZURE_TLS_CA_FILE
                    + ").");
        }
        URI uri;
        try {
            uri = new URI(s);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("Key id '" + s + "' is not a URL; expected " + FORM + ".");
        }
        if (!"https".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null || uri.getRawQuery() != null
                || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException("Key id '" + s + "' is not a Key Vault key identifier; expected "
                    + FORM + ".");
        }
        String path = uri.getPath() == null ? "" : uri.getPath();
        if (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        String[] p = path.split("/", -1);
        // "", "keys", name [, version]
        if (p.length < 3 || p.length > 4 || !p[0].isEmpty() || !"keys".equals(p[1])) {
            throw new IllegalArgumentException("Key id '" + s + "' does not name a key (the path must be "
                    + "/keys/<name> or /keys/<name>/<version>); expected " + FORM + ".");
        }
        if (!NAME.matcher(p[2]).matches()) {
            throw new IllegalArgumentException("Key id '" + s + "' has an invalid key name '" + p[2]
                    + "': Key Vault names are 1-127 letters, digits and dashes.");
        }
        String version = p.length == 4 ? p[3] : null;
        if (version != null && !VERSION.matcher(version).matches()) {
            throw new IllegalArgumentException("Key id '" + s + "' has an invalid key version '" + version + "'.");
        }
        String host = uri.getHost().toLowerCase(Locale.ROOT);
        String authority = uri.getPort() < 0 || uri.getPort() == 443 ? host : host + ":" + uri.getPort();
        return new KeyVaultKeyId("https://" + authority, p[2], version);
    }

    /** Like {@link #parse} but reports a bad value as a {@link ConfigException} on {@code kek.id}. */
    public static KeyVaultKeyId parseConfig(String keyId) {
        try {
            return parse(keyId);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(FieldsealConfig.KEK_ID, keyId, e.getMessage());
        }
    }

    /** {@code https://host/keys/name}: what follows rotation and what records carry in their header. */
    public String versionless() {
        return vaultUrl + "/keys/" + name;
    }

    /** The full id of this key with the given version. */
    public String withVersion(String v) {
        return versionless() + "/" + v;
    }

    public boolean pinned() {
        return version != null;
    }

    @Override
    public String toString() {
        return version == null ? versionless() : withVersion(version);
    }
}
