package dev.fieldseal.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fieldseal.testkit.KafkaBroker;
import dev.fieldseal.testkit.KeyVaultDouble;

/** {@code fieldseal inspect} over a sealed topic: records/s, peak heap, Key Vault requests. */
final class InspectRun {

    private InspectRun() {
    }

    /** Runs inspect over {@code topic} and reports what it measured. */
    interface Launcher {
        ObjectNode run(KeyVaultDouble vault, KafkaBroker broker, String topic, int records) throws Exception;

        static Launcher childJvm() {
            return null; // not yet: the inspect subcommand is not on this branch
        }
    }
}
