#!/usr/bin/env bash
# Webhook figures (README "Webhooks", load-tests/README.md): on one gate this script starts itself,
#   1. mo                      StreamMo MO/s without a webhook subscription (HELP and NONE leave no record)
#   2. mo --reply-callback     the same with a reply-callback subscription: every MO recorded and delivered, one
#                              event per POST (the default) and batches of up to 100 (--webhook-batch 100); and
#                              first with the subscription paused: the cost of recording alone
#   3. webhook -r 500          MO STOPs paced at 500/s: acknowledgement → receiver latency (p50, p99)
# with the load average before each run. Environment: DURATION (10s), WARMUP (3s), RATE (500), MO_ARGS ("-c 2
# --in-flight 32"), OUT (results folder), NO_BUILD=1, SERVER_DIR (an OptOutGate.Server.dll folder).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
DURATION="${DURATION:-10s}"
WARMUP="${WARMUP:-3s}"
RATE="${RATE:-500}"
MO_ARGS="${MO_ARGS:--c 2 --in-flight 32}"
OUT="${OUT:-$(mktemp -d /tmp/optoutgate-webhooks-XXXXXX)}"
mkdir -p "$OUT"

if [[ -z "${NO_BUILD:-}" ]]; then
    [[ -n "${SERVER_DIR:-}" ]] || dotnet build "$root/src/OptOutGate.Server" -c Release -nologo -v q
    dotnet build "$root/load-tests/OptOutGate.LoadTests" -c Release -nologo -v q
fi

server_dir="${SERVER_DIR:-$root/src/OptOutGate.Server/bin/Release/net10.0}"
lt=(dotnet "$root/load-tests/OptOutGate.LoadTests/bin/Release/net10.0/OptOutGate.LoadTests.dll")
data=$(mktemp -d /tmp/optoutgate-webhooks-data-XXXXXX)
gate_pid=""
cleanup() {
    if [[ -n "$gate_pid" ]]; then
        kill -TERM "$gate_pid" 2>/dev/null || true
        wait "$gate_pid" 2>/dev/null || true
    fi
    rm -rf "$data"
}
trap cleanup EXIT INT TERM

# shellcheck source=../scripts/gate-process.sh
source "$root/scripts/gate-process.sh"
start_gate "$server_dir" "$OUT/gate.log" --Gate:MetricsPort=-1 --Gate:HttpPort=-1 --Gate:DataDirectory="$data" \
    --Webhooks:AllowedPrivateHosts:0=127.0.0.1 \
    --Logging:LogLevel:Default=Warning --Logging:LogLevel:Microsoft.Hosting.Lifetime=Warning
address="$gate_address"

echo "webhooks: gate pid $gate_pid on $address, results in $OUT, $(nproc) cores"
"${lt[@]}" wait-ready --address "$address" -t 120s

status=0
run() {
    local name=$1
    shift
    echo
    echo "== $name: $*   (uptime:$(uptime | sed 's/.*load average//'))"
    "${lt[@]}" "$@" --address "$address" -z "$DURATION" --warmup "$WARMUP" --json "$OUT/$name.json" | tee "$OUT/$name.txt" || status=1
}

# shellcheck disable=SC2086
run mo mo $MO_ARGS --name "mo, no webhook"
# shellcheck disable=SC2086
run mo-reply-callback-paused mo $MO_ARGS --reply-callback --webhook-paused --name "mo, reply callback paused (every MO recorded, none delivered)"
# shellcheck disable=SC2086
run mo-reply-callback mo $MO_ARGS --reply-callback --name "mo, reply callback (every MO recorded), 1 event per POST"
# shellcheck disable=SC2086
run mo-reply-callback-batch mo $MO_ARGS --reply-callback --webhook-batch 100 --name "mo, reply callback (every MO recorded), batches of 100"
run webhook webhook -r "$RATE" -c 2 --in-flight 8 --mo-sender WEBHOOKLT --name "MO STOP at $RATE/s, webhook"
echo
echo "webhooks: load average after the runs:$(uptime | sed 's/.*load average//')"
exit "$status"
