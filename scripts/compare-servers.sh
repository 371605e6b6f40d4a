#!/usr/bin/env bash
# Before/after figures of two server builds on one machine in one run (issue 14, "Measure and report"): the servers
# take turns (A B A B ...), each freshly started on an empty data folder, and each turn runs the same load generator's
#   unary (Health/Check, 64 workers, 1 connection) · check (CheckBatch at maximum load, then the half-load p99, paced
#   open loop by the direct HTTP/2 client) · race (against redis-server) · mo (StreamMo durable MO/s)
# as load-tests/run-perf.sh does. Every summary goes to OUT; the load average is printed before each run.
#
#   BEFORE=/work/before/server AFTER=src/OptOutGate.Server/bin/Release/net10.0 \
#   LOADTESTS=/work/before/loadtests/OptOutGate.LoadTests.dll ROUNDS=2 scripts/compare-servers.sh
#
# Environment: BEFORE, AFTER (folders holding OptOutGate.Server.dll), LOADTESTS (the generator's dll), ROUNDS (turns
# of each server, default 2), DURATION=10s WARMUP=3s CONCURRENCY=16 CONNECTIONS=2 DATASET=1000000, OUT=<dir>.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
BEFORE="${BEFORE:?folder of the first server build}"
AFTER="${AFTER:-$root/src/OptOutGate.Server/bin/Release/net10.0}"
LOADTESTS="${LOADTESTS:-$root/load-tests/OptOutGate.LoadTests/bin/Release/net10.0/OptOutGate.LoadTests.dll}"
ROUNDS="${ROUNDS:-2}"
DURATION="${DURATION:-10s}"
WARMUP="${WARMUP:-3s}"
CONCURRENCY="${CONCURRENCY:-16}"
CONNECTIONS="${CONNECTIONS:-2}"
DATASET="${DATASET:-1000000}"
OUT="${OUT:-$(mktemp -d -t optoutgate-compare.XXXXXX)}"
mkdir -p "$OUT"
lt=(env "DOTNET_GCgen0size=${LT_GEN0SIZE:-0x4000000}" dotnet "$LOADTESTS")
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
gate_pid=""
data=""

stop_gate() {
    if [[ -n "$gate_pid" ]] && kill -0 "$gate_pid" 2>/dev/null; then
        kill -TERM "$gate_pid" 2>/dev/null || true
        for _ in $(seq 1 300); do
            kill -0 "$gate_pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$gate_pid" 2>/dev/null || true
        wait "$gate_pid" 2>/dev/null || true
    fi
    gate_pid=""
    [[ -z "$data" ]] || rm -rf "$data"
    data=""
}
trap 'stop_gate' EXIT INT TERM

turn() {
    local label=$1 dir=$2 round=$3
    local port address
    port="$(free_port)"
    address="http://127.0.0.1:$port"
    data="$(mktemp -d -t optoutgate-compare-data.XXXXXX)"
    (cd "$dir" && exec dotnet OptOutGate.Server.dll --Gate:Port="$port" --Gate:MetricsPort=-1 --Gate:HttpPort=-1 --Gate:DataDirectory="$data" \
        --Logging:LogLevel:Default=Warning --Logging:LogLevel:Microsoft.Hosting.Lifetime=Warning) >"$OUT/$label-$round-gate.log" 2>&1 &
    gate_pid=$!
    "${lt[@]}" wait-ready --address "$address" -t 120s >/dev/null
    local common=(--address "$address" -z "$DURATION" --warmup "$WARMUP")
    for run in unary check race mo; do
        local args
        case $run in
            unary) args=(unary "${common[@]}" -c 64 --connections 1) ;;
            check) args=(check "${common[@]}" -c "$CONCURRENCY" --connections "$CONNECTIONS" --dataset "$DATASET" --find-half-load --direct) ;;
            race) args=(race "${common[@]}" -c "$CONCURRENCY" --connections "$CONNECTIONS" --dataset "$DATASET" --no-load --rounds 3) ;;
            mo) args=(mo "${common[@]}" -c 2 --connections 1 --in-flight 32) ;;
        esac
        echo "=== $label round $round $run (load average $(cut -d' ' -f1-3 /proc/loadavg), $(date +%H:%M:%S))"
        "${lt[@]}" "${args[@]}" --json "$OUT/$label-$round-$run.json" >"$OUT/$label-$round-$run.txt" 2>&1 || echo "=== $label $run: exit code $?"
        grep -E 'Requests/sec|recipients/s|MO/s|p99|99 %|ratio|half' "$OUT/$label-$round-$run.txt" | head -12 || true
    done
    stop_gate
}

echo "compare: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); before $BEFORE, after $AFTER, generator $LOADTESTS; results in $OUT"
for round in $(seq 1 "$ROUNDS"); do
    turn before "$BEFORE" "$round"
    turn after "$AFTER" "$round"
done
echo "compare: load average $(cut -d' ' -f1-3 /proc/loadavg) after the runs; summaries in $OUT"
