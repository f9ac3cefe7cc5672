package dev.fieldseal.codec;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Bounds-checked cursor over a plaintext. Every length is checked against the bytes that remain
 * before anything is allocated, so forged lengths fail fast with a {@link CodecException}.
 */
final class PlaintextReader {
    final byte[] buf;
    private int pos;
    private final int end;

    PlaintextReader(byte[] buf, int off, int end) {
        this.buf = buf;
        this.pos = off;
        this.end = end;
    }

    int position() {
        return pos;
    }

    int remaining() {
        return end - pos;
    }

    boolean atEnd() {
        return pos == end;
    }

    static CodecException truncated() {
        return new CodecException("truncated plaintext");
    }

    int readByte() {
        if (pos >= end) {
            throw truncated();
        }
        return buf[pos++] & 0xFF;
    }

    long readUVarint() {
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = readByte();
            if (shift == 63 && (b & 0xFE) != 0) {
                break;
            }
            result |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return result;
            }
        }
        throw new CodecException("malformed varint");
    }

    long readSVarint() {
        long v = readUVarint();
        return (v >>> 1) ^ -(v & 1);
    }

    int readSVarint32() {
        long v = readSVarint();
        if (v != (int) v) {
            throw new CodecException("varint out of int range");
        }
        return (int) v;
    }

    /** A length or count that must fit in what remains (each unit at least one byte). */
    int readLength() {
        long n = readUVarint();
        if (n < 0 || n > remaining()) {
            throw new CodecException("length exceeds the remaining plaintext");
        }
        return (int) n;
    }

    /** A count of items that may encode to zero bytes; allowed up to {@code zeroSizeCap} beyond what remains. */
    int readCount(boolean zeroSizeItems, int zeroSizeCap) {
        long n = readUVarint();
        if (n < 0 || (n > remaining() && !(zeroSizeItems && n <= zeroSizeCap))) {
            throw new CodecException("count exceeds the remaining plaintext");
        }
        return (int) n;
    }

    float readFloat() {
        return Float.intBitsToFloat((int) readFixed(4));
    }

    double readDouble() {
        return Double.longBitsToDouble(readFixed(8));
    }

    private long readFixed(int n) {
        if (end - pos < n) {
            throw truncated();
        }
        long v = 0;
        for (int i = 0; i < n; i++) {
            v |= (long) (buf[pos++] & 0xFF) << (8 * i);
        }
        return v;
    }

    byte[] readRaw(int n) {
        if (n < 0 || end - pos < n) {
            throw truncated();
        }
        byte[] out = Arrays.copyOfRange(buf, pos, pos + n);
        pos += n;
        return out;
    }

    byte[] readLenBytes() {
        return readRaw(readLength());
    }

    String readString() {
        int n = readLength();
        String s = new String(buf, pos, n, StandardCharsets.UTF_8);
        pos += n;
        return s;
    }

    BigInteger readBigInteger() {
        int n = readLength();
        if (n == 0) {
            throw new CodecException("empty integer");
        }
        BigInteger v = new BigInteger(buf, pos, n);
        pos += n;
        return v;
    }

    void skip(int n) {
        if (n < 0 || end - pos < n) {
            throw truncated();
        }
        pos += n;
    }
}
