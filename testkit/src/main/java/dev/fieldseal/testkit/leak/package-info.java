/** Checks that no plaintext test value and no key material reaches a log line or an exception message. */
package dev.fieldseal.testkit.leak;
