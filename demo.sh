#!/usr/bin/env bash
# The fieldseal demo in one command: builds what it needs, then runs an in-JVM Kafka broker, a
# Connect worker with EncryptFields, consumers with DecryptingDeserializer, and a local HTTPS
# stand-in for Azure Key Vault. Pass --kek-id https://<vault>.vault.azure.net/keys/<name> to use a
# real Key Vault key instead (DefaultAzureCredential).
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -d demo/target/lib ] || [ -n "${FIELDSEAL_REBUILD:-}" ]; then
  echo "Building fieldseal (first run only; about 2 minutes) ..."
  mvn -B -q -DskipTests install -pl demo -am
fi
exec java -Dsun.net.httpserver.nodelay=true -Djdk.httpclient.allowRestrictedHeaders=content-length \
  -cp "demo/target/classes:demo/target/lib/*" dev.fieldseal.demo.Demo "$@"
