package dev.fieldseal.streams.inspect;

import dev.fieldseal.scan.Located;
import java.util.List;

/**
 * What reading one record key or value found: its envelopes; whether it could not be read in
 * its format (then nothing can be said about it); plaintext values at {@code --expect-sealed} paths.
 */
record Decoded(List<Located> envelopes, boolean unreadable, int plaintext) {
    static final Decoded NONE = new Decoded(List.of(), false, 0);
    static final Decoded UNREADABLE = new Decoded(List.of(), true, 0);
}
