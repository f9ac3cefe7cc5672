package dev.fieldseal.codec;

import java.math.BigInteger;
import java.util.Arrays;

/**
 * Growable output buffer for the codecs. One instance per thread is reused (see {@link #local()}),
 * so an encode allocates only its result array.
 */
final class PlaintextWriter {
    private static final int RETAIN_LIMIT = 64 * 1024;
    private static final ThreadLocal<PlaintextWriter> LOCAL = ThreadLocal.withInitial(PlaintextWriter::new);

    private byte[] buf = new byte[256];
    private int pos;
    private boolean inUse;

    /** A reset writer for this thread; a fresh one if this thread's writer is busy (re-entrant use). */
    static PlaintextWriter local() {
        PlaintextWriter w = LOCAL.get();
        if (w.inUse) {
            w = new PlaintextWriter();
        }
        w.inUse = true;
        w.pos = 0;
        return w;
    }

    /** Copies out the bytes written and releases the writer. */
    byte[] finish() {
        byte[] out = Arrays.copyOf(buf, pos);
        release();
        return out;
    }

    void release() {
        inUse = false;
        if (buf.length > RETAIN_LIMIT) {
            buf = new byte[256];
        }
        pos = 0;
    }

    int position() {
        return pos;
    }

    private void ensure(int n) {
        if (buf.length - pos < n) {
            long want = Math.max((long) buf.length * 2, (long) pos + n);
            if (want > Integer.MAX_VALUE - 16) {
                throw new CodecException("encoded value too large");
            }
            buf = Arrays.copyOf(buf, (int) want);
        }
    }

    void writeByte(int b) {
        ensure(1);
        buf[pos++] = (byte) b;
    }

    void writeBytes(byte[] b, int off, int len) {
        ensure(len);
        System.arraycopy(b, off, buf, pos, len);
        pos += len;
    }

    /** Unsigned LEB128. */
    void writeUVarint(long v) {
        ensure(10);
        while ((v & ~0x7FL) != 0) {
            buf[pos++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        buf[pos++] = (byte) v;
    }

    /** Zigzag then unsigned LEB128. */
    void writeSVarint(long v) {
        writeUVarint((v << 1) ^ (v >> 63));
    }

    void writeFloat(float f) {
        writeFixed(Float.floatToRawIntBits(f), 4);
    }

    void writeDouble(double d) {
        writeFixed(Double.doubleToRawLongBits(d), 8);
    }

    /** Little-endian, n bytes. */
    private void writeFixed(long bits, int n) {
        ensure(n);
        for (int i = 0; i < n; i++) {
            buf[pos++] = (byte) (bits >>> (8 * i));
        }
    }

    /** Length-prefixed bytes. */
    void writeLenBytes(byte[] b) {
        writeUVarint(b.length);
        writeBytes(b, 0, b.length);
    }

    /** Length-prefixed two's-complement big-endian integer, as {@link BigInteger#toByteArray()}. */
    void writeBigInteger(BigInteger v) {
        writeLenBytes(v.toByteArray());
    }

    /**
     * Length-prefixed UTF-8. The JDK's encoder (an unpaired surrogate becomes '?') copies an ASCII
     * string's bytes with a vectorized intrinsic, which is faster than encoding char by char in
     * place even with the intermediate array (S2's 256-char field: about 10% of the SMT's encrypt).
     */
    void writeString(String s) {
        byte[] utf8 = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        writeUVarint(utf8.length);
        writeBytes(utf8, 0, utf8.length);
    }
}
