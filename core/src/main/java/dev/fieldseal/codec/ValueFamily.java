package dev.fieldseal.codec;

/**
 * Which data model a plaintext was encoded from. It is the first byte of every plaintext and
 * doubles as the layout version: a changed layout gets a new code, old codes stay decodable.
 */
public enum ValueFamily {
    CONNECT(1),
    AVRO(2),
    JSON(3);

    private final byte code;

    ValueFamily(int code) {
        this.code = (byte) code;
    }

    public byte code() {
        return code;
    }

    /** The family of a plaintext, read from its first byte. */
    public static ValueFamily of(byte[] plaintext) {
        if (plaintext == null || plaintext.length == 0) {
            throw new CodecException("empty plaintext: no value family byte");
        }
        return ofCode(plaintext[0]);
    }

    static ValueFamily ofCode(byte code) {
        switch (code) {
            case 1: return CONNECT;
            case 2: return AVRO;
            case 3: return JSON;
            default: throw new CodecException("unknown value family code " + (code & 0xFF));
        }
    }
}
