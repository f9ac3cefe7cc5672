#!/bin/sh
# One-shot: registers (or updates) every connector config in this folder through Connect's REST API.
# The connector's name is the file name without .json; the file is the flat config map that
# PUT /connectors/<name>/config expects. PUT is idempotent, so running it again changes nothing.
set -eu
CONNECT_URL=${CONNECT_URL:-http://connect:8083}
cd "$(dirname "$0")"
for f in *.json; do
  name=${f%.json}
  echo "Registering connector $name from $f"
  curl -fsS --retry 10 --retry-connrefused --retry-delay 3 -X PUT -H "Content-Type: application/json" \
    --data @"$f" "$CONNECT_URL/connectors/$name/config"
  echo
done
sleep 5
for f in *.json; do
  curl -fsS "$CONNECT_URL/connectors/${f%.json}/status"
  echo
done
