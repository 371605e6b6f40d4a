#!/usr/bin/env bash
# Where the half-load p99 goes, hop by hop (load-tests/README.md, "The tail, hop by hop"): one gate of its own (Release,
# temporary data directory, ports the system picks) with its call timeline on (Gate:CallTimelinePath), 1M opt-outs
# loaded, then `check --find-half-load --direct --timeline`: the maximum, then the paced open-loop run at half of it,
# each of whose calls the direct client records with its connection's bytes. The gate writes its timeline when it
# stops; `timeline` joins both by connection port, stream and byte count on the machine's shared monotonic clock and
# prints each hop's percentiles and the p99 calls' hops.
#
# Environment (all optional): DATASET=1000000 DURATION=10s RPS=<calls/s> (a paced run at that rate instead of half of
#   the maximum)  PIN=1 (the gate on CPU 1, the load generator on CPU 0, with taskset)  NICE=<n> (the load generator
#   under `nice -n <n>`)  OUT=<dir> (default a new temporary directory)  SKIP_BUILD=1
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
DATASET="${DATASET:-1000000}"
DURATION="${DURATION:-10s}"
OUT="${OUT:-$(mktemp -d -t optoutgate-tail.XXXXXX)}"
mkdir -p "$OUT"

if [[ -z "${SKIP_BUILD:-}" ]]; then
    dotnet build "$root/src/OptOutGate.Server" -c Release -nologo -v q
    dotnet build "$root/load-tests/OptOutGate.LoadTests" -c Release -nologo -v q
fi

client_cpu=()
[[ -z "${PIN:-}" ]] || client_cpu=(taskset -c 0)

lt=(env DOTNET_GCgen0size=0x4000000 ${NICE:+nice -n "$NICE"} "${client_cpu[@]}" dotnet "$root/load-tests/OptOutGate.LoadTests/bin/Release/net10.0/OptOutGate.LoadTests.dll")
data="$(mktemp -d -t optoutgate-tail-data.XXXXXX)"
# shellcheck source=../../scripts/gate-process.sh
source "$root/scripts/gate-process.sh"
gate_pid=""
stop_gate_at_exit "$data"

server="$OUT/server"
rm -rf "$OUT/gate-timeline" "$server"
cp -r "$root/src/OptOutGate.Server/bin/Release/net10.0" "$server"
start_gate "$server" "$OUT/gate.log" --Gate:MetricsPort=-1 --Gate:HttpPort=-1 --Gate:DataDirectory="$data" \
    --Gate:CallTimelinePath="$OUT/gate-timeline" --Gate:CallTimelineCalls=400000 \
    --Logging:LogLevel:Default=Warning --Logging:LogLevel:Microsoft.Hosting.Lifetime=Warning \
    --Logging:LogLevel:OptOutGate.Server.Diagnostics=Information
if [[ -n "${PIN:-}" ]]; then
    # Pinned once started (every thread, -a), as the load generator is from its start: the gate's runtime has sized
    # itself for the machine's two cores (a gate started under taskset sees one, and its maximum falls to a third).
    taskset -a -p -c 1 "$gate_pid" >/dev/null
fi
echo "tail-timeline: gate pid $gate_pid on $gate_address${PIN:+ (pinned: gate on CPU 1, load generator on CPU 0)}; results in $OUT"
"${lt[@]}" wait-ready --address "$gate_address" -t 120s >/dev/null

pace=(--find-half-load)
[[ -z "${RPS:-}" ]] || pace=(-r "$RPS")
echo "tail-timeline: load average $(cut -d' ' -f1-3 /proc/loadavg)"
# One generator process for the maximum and the paced run, as run-perf.sh measures half load: the paced run then
# starts warm (a fresh process's first seconds are later at its slots). Its summary's "Machine CPU" line tells how busy
# the machine was over the paced run and how much the hypervisor took (steal).
"${lt[@]}" check --address "$gate_address" --dataset "$DATASET" -z "$DURATION" "${pace[@]}" --direct \
    --timeline "$OUT/client.csv" | tee "$OUT/check.txt"

kill -TERM "$gate_pid"
wait "$gate_pid" || true
gate_pid=""
if [[ ! -f "$OUT/gate-timeline/calls.csv" ]]; then
    echo "tail-timeline: the gate wrote no timeline; see $OUT/gate.log" >&2
    exit 1
fi

"${lt[@]}" timeline --timeline "$OUT/client.csv" --gate-timeline "$OUT/gate-timeline" | tee "$OUT/tail.txt"
