package dev.fieldseal.failure;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fieldseal.format.Envelope;
import dev.fieldseal.format.EnvelopeLayout;
import dev.fieldseal.kms.Edek;
import dev.fieldseal.metrics.DecryptAudit;
import dev.fieldseal.metrics.FieldsealMetrics;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One host's failure policy, handed to the decrypting walkers: for a value that cannot be opened
 * it classifies the failure ({@link FailureClass#of}), counts it ({@code failures{cause=<class>}},
 * and {@code fields-masked} or {@code fields-left-sealed}), and then throws the host's own error,
 * leaves the sealed value, or returns the mask. A retriable Key Vault failure always throws. An
 * exception that is not a decryption failure (a bug) is rethrown as it is and never replaced.
 */
public final class OnFailure {

    private static final OnFailure RETHROW = new OnFailure(FailurePolicy.FAIL, null, null, null);

    private final FailurePolicy policy;
    private final String maskText;
    private final FieldsealMetrics metrics;
    private final Function<DecryptFailure, RuntimeException> hostError;

    /**
     * @param maskText the text masked strings get (null: {@link Masks#TEXT}; JSON without a schema: null)
     * @param hostError turns a failure the policy does not replace into the host's exception
     */
    public OnFailure(FailurePolicy policy, String maskText, FieldsealMetrics metrics,
            Function<DecryptFailure, RuntimeException> hostError) {
        this.policy = policy;
        this.maskText = maskText;
        this.metrics = metrics;
        this.hostError = hostError;
    }

    /** The walkers' default: core's own exception propagates unchanged and nothing is counted. */
    public static OnFailure rethrow() {
        return RETHROW;
    }

    public FailurePolicy policy() {
        return policy;
    }

    /** The host's mask text as configured (null when unset). */
    public String maskText() {
        return maskText;
    }

    /**
     * Decides for one value.
     *
     * @param path the canonical path of the value
     * @param sealed the value as found (base64 text, envelope bytes, a JSON text node)
     * @param mask the masked value of the field's original type, made only when masking
     * @return {@code sealed} itself (left sealed) or the mask
     */
    public <T> T resolve(String path, T sealed, Supplier<T> mask, RuntimeException failure) {
        FailureClass c = FailureClass.of(failure);
        if (hostError == null || c == null) {
            throw failure;
        }
        metrics.failure(c.metricCause());
        if (policy == FailurePolicy.FAIL || c.retriable()) {
            metrics.audit().notOpened(c.metricCause(), DecryptAudit.Outcome.REFUSED);
            throw hostError.apply(new DecryptFailure(path, c, keyOf(sealed), failure));
        }
        if (policy == FailurePolicy.CIPHERTEXT) {
            metrics.fieldLeftSealed();
            metrics.audit().notOpened(c.metricCause(), DecryptAudit.Outcome.LEFT_SEALED);
            return sealed;
        }
        metrics.fieldMasked();
        metrics.audit().notOpened(c.metricCause(), DecryptAudit.Outcome.MASKED);
        return mask.get();
    }

    /** The key id and version a sealed value names, read from its envelope without decrypting. */
    public static String keyOf(Object sealed) {
        try {
            byte[] envelope;
            if (sealed instanceof byte[] b) {
                envelope = EnvelopeLayout.hasMagic(b) ? b : Base64.getDecoder().decode(b);
            } else if (sealed instanceof ByteBuffer bb) {
                envelope = new byte[bb.remaining()];
                bb.duplicate().get(envelope);
            } else {
                String text = sealed instanceof JsonNode n ? n.asText() : String.valueOf(sealed);
                envelope = Base64.getDecoder().decode(text);
            }
            Envelope env = EnvelopeLayout.parse(envelope);
            Edek edek = env.edek();
            if (edek == null) {
                return "key named in the record's fieldseal.edek header";
            }
            return "key " + abbreviate(edek.kek().keyId()) + " version " + abbreviate(edek.kek().version());
        } catch (RuntimeException e) {
            return "key unknown (the value is not a well-formed envelope)";
        }
    }

    /** Attacker-controlled text: keep messages short. */
    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }
}
