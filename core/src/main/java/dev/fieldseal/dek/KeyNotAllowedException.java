package dev.fieldseal.dek;

import dev.fieldseal.format.DecryptionException;
import dev.fieldseal.kms.KekRef;

/** A value names a KEK outside {@code kek.allowed}; it was refused without contacting anything. */
public class KeyNotAllowedException extends DecryptionException {

    public KeyNotAllowedException(KekRef kek, KekAllowlist allowed) {
        super(Reason.KEY_NOT_ALLOWED, "Value is wrapped by key " + abbreviate(kek.keyId()) + " version "
                + abbreviate(kek.version()) + ", which is not in kek.allowed (" + allowed
                + "); it was not contacted. Add the key to kek.allowed if this process should read it.");
    }

    /** Attacker-controlled text: keep messages short. */
    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }
}
