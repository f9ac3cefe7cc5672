package dev.fieldseal.failure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fieldseal.kms.KmsException;
import dev.fieldseal.metrics.FieldsealMetrics;
import org.junit.jupiter.api.Test;

/**
 * A value the unwrap guard held back is retried, never masked or passed on, under every policy,
 * and counted as {@code failures{cause=rate-limited}}.
 */
class RateLimitedPolicyTest {

    static final class HostError extends RuntimeException {
        final DecryptFailure failure;

        HostError(DecryptFailure f) {
            super(f.message());
            this.failure = f;
        }
    }

    @Test
    void rateLimitedIsRetriableUnderEveryPolicyAndCounted() {
        KmsException limited = new KmsException(KmsException.Reason.RATE_LIMITED, "held back");
        assertEquals(FailureClass.RATE_LIMITED, FailureClass.of(limited));
        assertEquals("rate-limited", FailureClass.RATE_LIMITED.metricCause());
        for (FailurePolicy policy : FailurePolicy.values()) {
            FieldsealMetrics metrics = new FieldsealMetrics();
            OnFailure on = new OnFailure(policy, null, metrics, HostError::new);
            HostError e = assertThrows(HostError.class, () -> on.resolve("ssn", "sealed", () -> "masked", limited));
            assertSame(FailureClass.RATE_LIMITED, e.failure.failureClass(), policy.name());
            assertTrue(e.failure.failureClass().retriable());
            assertEquals(0, metrics.get(FieldsealMetrics.FIELDS_MASKED) + metrics.get(FieldsealMetrics.FIELDS_LEFT_SEALED),
                    policy.name());
            assertEquals(1, metrics.get(FieldsealMetrics.FAILURES + "{cause=rate-limited}"), metrics.snapshot().toString());
        }
    }
}
