package dev.fieldseal.kms;

/**
 * How a DEK was wrapped. Recorded in every EDEK so the unwrapping side never has to look up the
 * key type first. The code is the byte used by the wire format and must never change.
 */
public enum WrapAlgorithm {
    /** RSA-OAEP with SHA-256 and MGF1-SHA-256 (Key Vault's {@code RSA-OAEP-256}). */
    RSA_OAEP_256((byte) 1, "RSA-OAEP-256"),
    /** AES key wrap, RFC 3394, 256-bit KEK (Key Vault's {@code A256KW}). */
    A256KW((byte) 2, "A256KW");

    private final byte code;
    private final String jwaName;

    WrapAlgorithm(byte code, String jwaName) {
        this.code = code;
        this.jwaName = jwaName;
    }

    public byte code() {
        return code;
    }

    /** The algorithm's name in Key Vault's REST API (JWA). */
    public String jwaName() {
        return jwaName;
    }

    public static WrapAlgorithm fromCode(byte code) {
        for (WrapAlgorithm a : values()) {
            if (a.code == code) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown wrap algorithm code " + (code & 0xff));
    }
}
