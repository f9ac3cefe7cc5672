package dev.fieldseal.keyselect;

/**
 * A record whose key template cannot name a valid key: a field the template reads is missing
 * (under {@code kek.template.missing=fail}), or gives a value that is not a valid key name. The
 * record is not sealed, under any key. The message names the template and the field, never the value.
 */
public final class KeySelectionException extends RuntimeException {

    public KeySelectionException(String message) {
        super(message);
    }
}
