/** Test support shared by every module: a Key Vault double over HTTPS, in-JVM Kafka and Connect. */
package dev.fieldseal.testkit;
