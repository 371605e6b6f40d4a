#!/usr/bin/env bash
# Validates both interop clients against the @grpc/grpc-js reference server (node/reference_server.js).
# Exit 0 only if both clients pass every case of "all" (plus half_duplex) against it.
#   bash tests/interop/selftest.sh
set -euo pipefail
# The standard health and reflection protos: Debian's grpc-proto package unless INTEROP_PROTO_ROOT names a folder.
if [ -z "${INTEROP_PROTO_ROOT:-}" ] && [ -f /usr/share/grpc-proto/grpc/health/v1/health.proto ]; then
    export INTEROP_PROTO_ROOT=/usr/share/grpc-proto
fi
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here/node"
[ -d node_modules/@grpc/grpc-js ] || npm ci --no-audit --no-fund >/dev/null
out="$(mktemp)"
node reference_server.js --host 127.0.0.1 --port 0 >"$out" &
server=$!
trap 'kill $server 2>/dev/null || true; rm -f "$out"' EXIT
for _ in $(seq 1 100); do grep -q '^LISTENING ' "$out" && break; sleep 0.1; done
port="$(sed -n 's/^LISTENING //p' "$out")"
[ -n "$port" ] || { echo "reference server did not start" >&2; exit 2; }
rc=0
echo "== node client vs reference server (port $port)"
node interop_client.js --host 127.0.0.1 --port "$port" --test_case all,half_duplex || rc=1
echo "== python client vs reference server (port $port)"
"$here/python/run.sh" --host 127.0.0.1 --port "$port" --test_case all,half_duplex || rc=1
exit $rc
