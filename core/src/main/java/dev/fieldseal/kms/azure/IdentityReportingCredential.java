package dev.fieldseal.kms.azure;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Base64;
import java.util.function.Consumer;
import reactor.core.publisher.Mono;

/**
 * The configured credential, telling the audit log which Entra ID object (user, service principal
 * or managed identity) this process reads as: the {@code oid} claim of each access token the
 * credential returns for Key Vault. Nothing extra is requested, and the token itself goes nowhere
 * but to the SDK; only the object id is read from its payload. Tokens that are not JWTs (the
 * emulator's dummy) give no object id.
 */
final class IdentityReportingCredential implements TokenCredential {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** A token's payload is a few KB; anything far larger is not parsed. */
    private static final int MAX_PAYLOAD = 64 * 1024;

    private final TokenCredential delegate;
    private final Consumer<String> objectId;
    private volatile String last;

    IdentityReportingCredential(TokenCredential delegate, Consumer<String> objectId) {
        this.delegate = delegate;
        this.objectId = objectId;
    }

    @Override
    public Mono<AccessToken> getToken(TokenRequestContext request) {
        return delegate.getToken(request).doOnNext(this::report);
    }

    @Override
    public AccessToken getTokenSync(TokenRequestContext request) {
        AccessToken t = delegate.getTokenSync(request);
        report(t);
        return t;
    }

    private void report(AccessToken token) {
        String oid = token == null ? null : objectId(token.getToken());
        if (oid != null && !oid.equals(last)) {
            last = oid;
            objectId.accept(oid);
        }
    }

    /** The {@code oid} claim of a JWT, or null when the text is not a JWT or has none. Never throws. */
    static String objectId(String jwt) {
        if (jwt == null) {
            return null;
        }
        int a = jwt.indexOf('.');
        int b = a < 0 ? -1 : jwt.indexOf('.', a + 1);
        if (b < 0 || b - a - 1 > MAX_PAYLOAD) {
            return null;
        }
        try {
            JsonNode claims = JSON.readTree(Base64.getUrlDecoder().decode(jwt.substring(a + 1, b)));
            JsonNode oid = claims == null ? null : claims.get("oid");
            return oid != null && oid.isTextual() && oid.asText().length() <= 64 ? oid.asText() : null;
        } catch (RuntimeException | java.io.IOException e) {
            return null; // not ours to judge: the SDK uses the token as it is
        }
    }
}
