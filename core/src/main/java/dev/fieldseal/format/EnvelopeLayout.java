package dev.fieldseal.format;

import dev.fieldseal.cipher.AesGcm;
import dev.fieldseal.cipher.CipherSuite;
import dev.fieldseal.format.DecryptionException.Reason;
import dev.fieldseal.kms.Edek;
import dev.fieldseal.kms.KekRef;
import dev.fieldseal.kms.WrapAlgorithm;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * Wire format v1 of one encrypted value (see {@code docs/wire-format.md}):
 *
 * <pre>
 *  magic   FE 46 53        0xFE never occurs in UTF-8, so no text value starts like this
 *  version 01
 *  suite   01 AES-256-GCM | 02 AES-SIV
 *  keymode 00 EDEK inline (field placement) | 01 DEK reference (header placement)
 *  key     inline:    EDEK block = varint len, key id UTF-8, varint len, version UTF-8,
 *                                  wrap algorithm byte, varint len, wrapped DEK
 *          reference: 8 bytes, the first 8 bytes of SHA-256(EDEK block)
 *  nonce   12 bytes (GCM only)
 *  body    GCM: ciphertext || 16-byte tag;  SIV: 16-byte synthetic IV || ciphertext
 * </pre>
 *
 * Associated data = the first 5 bytes (magic, version, suite) || UTF-8 of the canonical field
 * path. The key block is deliberately not bound: re-keying replaces it and leaves the body
 * byte-identical, and a swapped EDEK cannot help an attacker (it yields another key, so the tag fails).
 */
public final class EnvelopeLayout {

    public static final byte[] MAGIC = {(byte) 0xFE, 0x46, 0x53};
    public static final byte VERSION = 1;
    public static final byte KEY_INLINE = 0;
    public static final byte KEY_REFERENCE = 1;
    public static final int DEK_REF_LENGTH = 8;
    /** magic + version + suite + key mode. */
    public static final int PREFIX_LENGTH = 6;
    /** The text (base64) form of every envelope starts with this: base64 of the magic. */
    public static final String TEXT_PREFIX = "/kZT";

    static final int MAX_KEY_ID = 2048;
    static final int MAX_VERSION = 256;
    static final int MAX_WRAPPED = 1024;

    private EnvelopeLayout() {
    }

    /** True if the bytes start with the magic; says nothing about validity. */
    public static boolean hasMagic(byte[] b) {
        return b != null && b.length >= MAGIC.length && b[0] == MAGIC[0] && b[1] == MAGIC[1] && b[2] == MAGIC[2];
    }

    /** True if a string looks like the base64 text form of an envelope. */
    public static boolean hasTextMagic(String s) {
        return s != null && s.startsWith(TEXT_PREFIX);
    }

    /** The associated data for a value of {@code suite} at {@code path}. */
    public static byte[] aad(CipherSuite suite, String path) {
        byte[] p = path.getBytes(StandardCharsets.UTF_8);
        byte[] aad = new byte[5 + p.length];
        System.arraycopy(MAGIC, 0, aad, 0, 3);
        aad[3] = VERSION;
        aad[4] = suite.code();
        System.arraycopy(p, 0, aad, 5, p.length);
        return aad;
    }

    /** The wire form of an EDEK. */
    public static byte[] edekBlock(Edek edek) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 + edek.wrappedKeyLength());
        writeBytes(out, edek.kek().keyId().getBytes(StandardCharsets.UTF_8));
        writeBytes(out, edek.kek().version().getBytes(StandardCharsets.UTF_8));
        out.write(edek.algorithm().code());
        writeBytes(out, edek.wrappedKey());
        return out.toByteArray();
    }

    /** The 8-byte reference of an EDEK block: the first 8 bytes of its SHA-256. */
    public static byte[] dekRef(byte[] edekBlock) {
        try {
            return Arrays.copyOf(MessageDigest.getInstance("SHA-256").digest(edekBlock), DEK_REF_LENGTH);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads one EDEK block starting at {@code r}'s position. */
    public static Edek readEdek(Reader r) {
        String keyId = r.utf8(MAX_KEY_ID, "key id");
        String version = r.utf8(MAX_VERSION, "key version");
        byte alg = r.u8("wrap algorithm");
        WrapAlgorithm wrap;
        try {
            wrap = WrapAlgorithm.fromCode(alg);
        } catch (IllegalArgumentException e) {
            throw malformed("unknown wrap algorithm " + (alg & 0xff));
        }
        byte[] wrapped = r.bytes(MAX_WRAPPED, "wrapped key");
        if (keyId.isEmpty() || version.isEmpty() || wrapped.length == 0) {
            throw malformed("empty key reference");
        }
        return new Edek(new KekRef(keyId, version), wrap, wrapped);
    }

    /** Parses an EDEK block as written by {@link #edekBlock}. */
    public static Edek parseEdekBlock(byte[] block) {
        Reader r = new Reader(block, 0);
        Edek e = readEdek(r);
        if (r.pos != block.length) {
            throw malformed("trailing bytes after the EDEK");
        }
        return e;
    }

    /**
     * Parses an envelope's structure (no decryption).
     *
     * @throws DecryptionException MALFORMED or UNSUPPORTED_VERSION
     */
    public static Envelope parse(byte[] b) {
        return parse(b, null);
    }

    /**
     * {@link #parse(byte[])}, taking an inline EDEK that is byte-for-byte the one {@code memo} read
     * last from there instead of parsing it again (values of a record and of consecutive records
     * mostly share one DEK).
     */
    public static Envelope parse(byte[] b, EdekMemo memo) {
        if (!hasMagic(b)) {
            throw malformed("not a fieldseal value (no magic prefix)");
        }
        if (b.length < PREFIX_LENGTH) {
            throw malformed("truncated header");
        }
        if (b[3] != VERSION) {
            throw new DecryptionException(Reason.UNSUPPORTED_VERSION, "Encrypted value has wire-format version "
                    + (b[3] & 0xff) + "; this fieldseal reads version " + VERSION + ". Upgrade the reader.");
        }
        CipherSuite suite = CipherSuite.fromCode(b[4]);
        if (suite == null) {
            throw malformed("unknown cipher suite " + (b[4] & 0xff));
        }
        Reader r = new Reader(b, PREFIX_LENGTH);
        Edek edek = null;
        byte[] ref = null;
        int keyStart = r.pos;
        if (b[5] == KEY_INLINE) {
            edek = memo == null ? readEdek(r) : memo.read(r);
        } else if (b[5] == KEY_REFERENCE) {
            ref = r.fixed(DEK_REF_LENGTH, "DEK reference");
        } else {
            throw malformed("unknown key mode " + (b[5] & 0xff));
        }
        int keyEnd = r.pos;
        int nonceOffset = r.pos;
        if (suite == CipherSuite.AES_256_GCM) {
            r.skip(AesGcm.NONCE_LENGTH, "nonce");
        }
        int bodyLength = b.length - r.pos;
        int minBody = suite == CipherSuite.AES_256_GCM ? AesGcm.TAG_LENGTH : 16;
        if (bodyLength < minBody) {
            throw malformed("truncated ciphertext");
        }
        return new Envelope(b, suite, edek, ref, keyStart, keyEnd, nonceOffset, r.pos, bodyLength);
    }

    static DecryptionException malformed(String what) {
        return new DecryptionException(Reason.MALFORMED, "Malformed encrypted value: " + what + ".");
    }

    static void writeVarint(ByteArrayOutputStream out, int v) {
        while ((v & ~0x7F) != 0) {
            out.write((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        out.write(v);
    }

    static void writeBytes(ByteArrayOutputStream out, byte[] b) {
        writeVarint(out, b.length);
        out.write(b, 0, b.length);
    }

    /** Bounds-checked reading: every length is checked against both a limit and the bytes left. */
    /**
     * The last inline EDEK read, with its bytes: a value whose EDEK block is identical gets the same
     * {@link Edek} instance without decoding it again (the strings, the wrapped-key copy and the hash
     * otherwise cost about as much as the decryption of a short field). Thread-safe; holds one entry.
     */
    public static final class EdekMemo {
        private record Last(byte[] block, Edek edek) {
        }

        private volatile Last last;

        Edek read(Reader r) {
            int start = r.pos;
            Last l = last;
            // The block is self-delimiting: bytes equal to a block parsed before parse the same way.
            if (l != null && r.b.length - start >= l.block.length
                    && Arrays.equals(l.block, 0, l.block.length, r.b, start, start + l.block.length)) {
                r.pos = start + l.block.length;
                return l.edek;
            }
            Edek edek = readEdek(r);
            last = new Last(Arrays.copyOfRange(r.b, start, r.pos), edek);
            return edek;
        }
    }

    public static final class Reader {
        private final byte[] b;
        private int pos;

        public Reader(byte[] b, int pos) {
            this.b = b;
            this.pos = pos;
        }

        public int position() {
            return pos;
        }

        byte u8(String what) {
            if (pos >= b.length) {
                throw malformed("truncated " + what);
            }
            return b[pos++];
        }

        int varint(int max, String what) {
            int v = 0;
            for (int shift = 0; shift < 32; shift += 7) {
                int x = u8(what) & 0xff;
                v |= (x & 0x7F) << shift;
                if ((x & 0x80) == 0) {
                    if (v < 0 || v > max) {
                        throw malformed(what + " length " + Integer.toUnsignedString(v) + " exceeds " + max);
                    }
                    return v;
                }
            }
            throw malformed("bad length of " + what);
        }

        byte[] fixed(int n, String what) {
            if (b.length - pos < n) {
                throw malformed("truncated " + what);
            }
            byte[] out = Arrays.copyOfRange(b, pos, pos + n);
            pos += n;
            return out;
        }

        void skip(int n, String what) {
            if (b.length - pos < n) {
                throw malformed("truncated " + what);
            }
            pos += n;
        }

        byte[] bytes(int max, String what) {
            return fixed(varint(max, what), what);
        }

        String utf8(int max, String what) {
            return new String(bytes(max, what), StandardCharsets.UTF_8);
        }
    }
}
