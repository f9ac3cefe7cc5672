/**
 * Key Vault rotation events for every host: {@link dev.fieldseal.rotation.RotationEventsListener}
 * reads {@code Microsoft.KeyVault.KeyNewVersionCreated} events from a Kafka topic and hands each
 * rotated key id to a handler ({@link dev.fieldseal.rotation.SealerRefresh} on the encrypting side,
 * {@link dev.fieldseal.rotation.ReaderNotice} on the decrypting side);
 * {@link dev.fieldseal.rotation.RotationEventsSettings} turns the shared config into the consumer's.
 */
package dev.fieldseal.rotation;
