package dev.fieldseal.dek;

import dev.fieldseal.kms.KekRef;
import java.util.List;

/** Asks a {@link KekAllowlist} about key ids, as an EDEK naming them would. */
public final class KekAllowlistProbe {

    private final KekAllowlist allowlist;

    public KekAllowlistProbe(List<String> entries) {
        this.allowlist = new KekAllowlist(entries);
    }

    public boolean allows(String keyId) {
        return allowlist.allows(new KekRef(keyId, "0123456789abcdef"));
    }
}
