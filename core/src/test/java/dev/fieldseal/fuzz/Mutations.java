package dev.fieldseal.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import java.util.Arrays;

/** Fuzzer-driven edits of a known-good input: the fuzzer picks positions, bytes and lengths. */
final class Mutations {

    private Mutations() {
    }

    static byte[] apply(byte[] original, FuzzedDataProvider in) {
        byte[] b = original.clone();
        int edits = in.consumeInt(0, 8);
        for (int i = 0; i < edits && b.length > 0; i++) {
            switch (in.consumeInt(0, 3)) {
                case 0 -> b[in.consumeInt(0, b.length - 1)] = in.consumeByte();
                case 1 -> b = Arrays.copyOf(b, in.consumeInt(0, b.length));
                case 2 -> {
                    byte[] tail = in.consumeBytes(in.consumeInt(0, 64));
                    byte[] longer = Arrays.copyOf(b, b.length + tail.length);
                    System.arraycopy(tail, 0, longer, b.length, tail.length);
                    b = longer;
                }
                default -> {
                    int at = in.consumeInt(0, b.length - 1);
                    b[at] ^= (byte) (1 << in.consumeInt(0, 7));
                }
            }
        }
        return b;
    }
}
