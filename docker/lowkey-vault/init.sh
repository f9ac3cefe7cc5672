#!/bin/sh
# One-shot set-up of the lowkey-vault emulator for the local compose stack (curlimages/curl image).
#
# 1. Saves the emulator's TLS certificate as a PEM file for fieldseal's azure.tls.ca.file.
#    lowkey-vault serves a self-signed certificate built into its image (CN=lowkey-vault.local, SANs
#    lowkey-vault, *.lowkey-vault, localhost, 127.0.0.1, ...). It is read here from the TLS handshake
#    (trust on first use: acceptable for a local emulator on the compose network, never for a real
#    vault), then checked: every later call verifies the server against this PEM *and* its host name.
# 2. Creates the RSA key $KEY_NAME with wrapKey/unwrapKey through the Key Vault REST API, unless it
#    exists. lowkey-vault answers a request without an Authorization header with the Key Vault bearer
#    challenge (401) and accepts any bearer token, so a fixed dummy token is sent. It keeps keys in
#    memory only: when the keyvault container is recreated, the key (and with it every DEK wrapped by
#    it) is gone, and this script makes a new one.
set -eu

VAULT_URL=${VAULT_URL:-https://lowkey-vault:8443}
KEY_NAME=${KEY_NAME:-customer-pii}
CA_FILE=${CA_FILE:-/certs/lowkey-vault-ca.pem}
API="api-version=7.4"
AUTH="Authorization: Bearer local-emulator-dummy-token"

echo "Waiting for the Key Vault emulator at $VAULT_URL ..."
tries=0
until curl -fsk -o /dev/null "$VAULT_URL/ping"; do
  tries=$((tries + 1))
  if [ "$tries" -ge 120 ]; then
    echo "The Key Vault emulator did not answer $VAULT_URL/ping within 120 s" >&2
    exit 1
  fi
  sleep 1
done

# %{certs} (curl >= 7.88, OpenSSL builds) prints the server's chain with a PEM block per certificate.
mkdir -p "$(dirname "$CA_FILE")"
curl -sSk -o /dev/null -w '%{certs}' "$VAULT_URL/ping" \
  | sed -n '/-----BEGIN CERTIFICATE-----/,/-----END CERTIFICATE-----/p' \
  | sed 's/^.*-----BEGIN CERTIFICATE-----/-----BEGIN CERTIFICATE-----/' > "$CA_FILE.tmp"
if ! grep -q -- '-----BEGIN CERTIFICATE-----' "$CA_FILE.tmp"; then
  echo "Could not read the emulator's certificate from $VAULT_URL" >&2
  exit 1
fi
chmod 644 "$CA_FILE.tmp"
mv "$CA_FILE.tmp" "$CA_FILE"
# Fails here, not later in Connect or Streams, if the certificate does not fit the host name.
curl -fsS --cacert "$CA_FILE" -o /dev/null "$VAULT_URL/ping"
echo "Saved the emulator's certificate to $CA_FILE"

if curl -fsS --cacert "$CA_FILE" -H "$AUTH" -o /dev/null "$VAULT_URL/keys/$KEY_NAME?$API" 2>/dev/null; then
  echo "Key $VAULT_URL/keys/$KEY_NAME exists"
else
  curl -fsS --cacert "$CA_FILE" -H "$AUTH" -H "Content-Type: application/json" -X POST \
    -d '{"kty":"RSA","key_size":2048,"key_ops":["wrapKey","unwrapKey"]}' \
    -o /dev/null "$VAULT_URL/keys/$KEY_NAME/create?$API"
  echo "Created RSA key $VAULT_URL/keys/$KEY_NAME"
fi
# The current key version (kid), as fieldseal will see it.
curl -fsS --cacert "$CA_FILE" -H "$AUTH" "$VAULT_URL/keys/$KEY_NAME?$API" | sed -n 's/.*"kid" *: *"\([^"]*\)".*/\1/p'
echo
