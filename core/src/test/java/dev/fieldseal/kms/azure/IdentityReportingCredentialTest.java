package dev.fieldseal.kms.azure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenRequestContext;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/** The audit learns the identity's object id from the tokens the credential returns, and nothing else. */
class IdentityReportingCredentialTest {

    private static String jwt(String payload) {
        Base64.Encoder b = Base64.getUrlEncoder().withoutPadding();
        return b.encodeToString("{\"alg\":\"RS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + b.encodeToString(payload.getBytes(StandardCharsets.UTF_8)) + ".c2lnbmF0dXJl";
    }

    @Test
    void theOidClaimOfEachNewTokenIsReportedOnce() {
        String token = jwt("{\"aud\":\"https://vault.azure.net\",\"oid\":\"6f1e2d3c-0000-4000-8000-00000000abcd\"}");
        List<String> seen = new ArrayList<>();
        IdentityReportingCredential c = new IdentityReportingCredential(
                r -> Mono.just(new AccessToken(token, OffsetDateTime.now().plusHours(1))), seen::add);
        TokenRequestContext ctx = new TokenRequestContext().addScopes("https://vault.azure.net/.default");
        AccessToken got = c.getToken(ctx).block();
        c.getToken(ctx).block();
        assertEquals(token, got.getToken(), "the token reaches the SDK unchanged");
        assertEquals(List.of("6f1e2d3c-0000-4000-8000-00000000abcd"), seen);
    }

    @Test
    void tokensThatAreNotJwtsOrLackTheClaimGiveNoObjectId() {
        assertNull(IdentityReportingCredential.objectId("emulator"));
        assertNull(IdentityReportingCredential.objectId("a.b.c"));
        assertNull(IdentityReportingCredential.objectId(jwt("{\"sub\":\"x\"}")));
        assertNull(IdentityReportingCredential.objectId(jwt("{\"oid\":42}")));
        assertNull(IdentityReportingCredential.objectId(null));
    }
}
