#!/bin/bash
# One-shot (apache/kafka image): creates the demo topics and writes sample plaintext customers.
# The Streams app creates no topics besides its own internal ones, so they must exist before it starts.
set -euo pipefail
BOOTSTRAP=${BOOTSTRAP:-kafka:9092}
BIN=/opt/kafka/bin

existing=$("$BIN/kafka-topics.sh" --bootstrap-server "$BOOTSTRAP" --list)
first_run=true
if grep -qx customers <<< "$existing"; then
  first_run=false
fi
for t in customers customers.sealed fieldseal.dlq crm.ssn.sealed; do
  "$BIN/kafka-topics.sh" --bootstrap-server "$BOOTSTRAP" --create --if-not-exists \
    --topic "$t" --partitions 1 --replication-factor 1
done
# Sample data once per broker volume, so a second 'up' does not duplicate it.
if [ "$first_run" = true ]; then
  "$BIN/kafka-console-producer.sh" --bootstrap-server "$BOOTSTRAP" --topic customers < /init/customers.jsonl
  echo "Wrote $(wc -l < /init/customers.jsonl) sample customers to 'customers'"
fi
