package dev.fieldseal.bench;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import org.junit.jupiter.api.Test;
import org.openjdk.jmh.infra.Blackhole;

/** Runs every benchmark method once, without JMH, so a broken benchmark fails the build. */
class BenchSmokeTest {

    private static Blackhole blackhole() {
        return new Blackhole("Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.");
    }

    @Test
    void connectBenchmarksRunOnEveryShapeAndForm() {
        for (String shape : new String[] {"S1", "S2"}) {
            for (String form : new String[] {"struct", "map"}) {
                ConnectBench b = new ConnectBench();
                b.shape = shape;
                b.form = form;
                b.setup();
                try {
                    assertNotNull(b.passThrough());
                    assertNotNull(b.maskField());
                    assertNotNull(b.encrypt());
                    assertNotNull(b.decrypt());
                    b.gcmEncrypt(blackhole());
                    b.gcmDecrypt(blackhole());
                } finally {
                    b.tearDown();
                }
            }
        }
    }

    @Test
    void serdeBenchmarksRun() {
        SerdeBench b = new SerdeBench();
        b.setup();
        try {
            assertNotNull(b.plainDeserializer());
            assertNotNull(b.decryptingDeserializer());
            b.gcmDecrypt(blackhole());
        } finally {
            b.tearDown();
        }
    }
}
