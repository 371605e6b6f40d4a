#!/usr/bin/env bash
# Where a CheckBatch's cycles go (load-tests/README.md): starts a gate of its own (Release, temporary data directory,
# a port the system picks) with perf maps on, loads DATASET opt-outs, runs `check` at maximum load (16 workers, 2
# connections) and, over WINDOW seconds in the middle of it, samples both processes with `perf record -g`, counts
# their context switches with `perf stat`, and reads their CPU time from /proc; then prints CPU per call for the gate
# and the generator and each one's split into parts (categorize.py). Short on purpose: DURATION 8 s after WARMUP 5 s.
#
# Environment (all optional): DATASET=1000000 DURATION=8s WARMUP=5s WINDOW=5 CONCURRENCY=16 CONNECTIONS=2
#   OUT=<dir> (perf data, perf script, summaries; default a new temporary directory)  SKIP_BUILD=1
#   SERVER_DIR=<dir> (an OptOutGate.Server.dll built elsewhere, e.g. before a change)
#   CHECK_ARGS="--compact" (more options of the measured `check`, e.g. the compact request form)
#   CHECK_COMMAND=check-stream (the measured run on CheckStream: with CONCURRENCY=2 CHECK_ARGS="--compact --in-flight 8"
#     it is the race's --stream side, 2 streams of 8 batches in flight; "per call" is then per batch)
# Needs perf (apt-get install -y linux-perf) and /usr/bin/python3.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
DATASET="${DATASET:-1000000}"
DURATION="${DURATION:-8s}"
WARMUP="${WARMUP:-5s}"
WINDOW="${WINDOW:-5}"
OUT="${OUT:-$(mktemp -d -t optoutgate-profile.XXXXXX)}"
mkdir -p "$OUT"
command -v perf >/dev/null || { echo "profile: needs perf (apt-get install -y linux-perf)" >&2; exit 2; }

if [[ -z "${SKIP_BUILD:-}" ]]; then
    [[ -n "${SERVER_DIR:-}" ]] || dotnet build "$root/src/OptOutGate.Server" -c Release -nologo -v q
    dotnet build "$root/load-tests/OptOutGate.LoadTests" -c Release -nologo -v q
fi

server_dir="${SERVER_DIR:-$root/src/OptOutGate.Server/bin/Release/net10.0}"
# Perf maps name JIT-compiled methods in /tmp/perf-<pid>.map; with W^X on, the runtime executes JIT code through a
# second mapping (memfd:doublemapper) that those maps do not cover.
export DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0
lt=(env DOTNET_GCgen0size=0x4000000 dotnet "$root/load-tests/OptOutGate.LoadTests/bin/Release/net10.0/OptOutGate.LoadTests.dll")
data="$(mktemp -d -t optoutgate-profile-data.XXXXXX)"
# shellcheck source=../../scripts/gate-process.sh
source "$root/scripts/gate-process.sh"
gate_pid=""
stop_gate_at_exit "$data"

start_gate "$server_dir" "$OUT/gate.log" --Gate:MetricsPort=-1 --Gate:HttpPort=-1 --Gate:DataDirectory="$data" \
    --Logging:LogLevel:Default=Warning --Logging:LogLevel:Microsoft.Hosting.Lifetime=Warning
address="$gate_address"
echo "profile: gate pid $gate_pid on $address; load average $(cut -d' ' -f1-3 /proc/loadavg); results in $OUT"
"${lt[@]}" wait-ready --address "$address" -t 120s >/dev/null
"${lt[@]}" load --address "$address" --dataset "$DATASET" 2>&1 | tail -1
# The gate's first calls run unoptimized code: one run first, so that the measured one finds it tiered up.
"${lt[@]}" check --address "$address" --no-load --dataset "$DATASET" -z "$DURATION" --warmup 2s >/dev/null 2>&1

ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
"${lt[@]}" "${CHECK_COMMAND:-check}" --address "$address" --no-load --dataset "$DATASET" -z "$DURATION" --warmup "$WARMUP" \
    -c "${CONCURRENCY:-16}" --connections "${CONNECTIONS:-2}" ${CHECK_ARGS:-} --json "$OUT/check.json" >"$OUT/check.txt" 2>/dev/null &
client_pid=$!
sleep "$(( ${WARMUP%s} + 1 ))"
gate0=$(ticks "$gate_pid"); client0=$(ticks "$client_pid"); started=$(date +%s.%N)
perf stat -e context-switches --per-thread -p "$gate_pid,$client_pid" -o "$OUT/context-switches.txt" -- sleep "$WINDOW" >/dev/null 2>&1 &
stat_pid=$!
perf record -B -g -F 999 -p "$gate_pid,$client_pid" -o "$OUT/perf.data" -- sleep "$WINDOW" >/dev/null 2>&1
wait "$stat_pid" || true
gate1=$(ticks "$gate_pid"); client1=$(ticks "$client_pid"); ended=$(date +%s.%N)
gate_tids=" $(ls "/proc/$gate_pid/task" | tr '\n' ' ') "
wait "$client_pid"

hz=$(getconf CLK_TCK)
rps=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["rps"])' "$OUT/check.json")
seconds=$(python3 -c "print(round($ended - $started, 2))")
calls=$(python3 -c "print($rps * $seconds)")
gate_us=$(python3 -c "print(round(($gate1 - $gate0) / $hz * 1e6 / $calls, 1))")
client_us=$(python3 -c "print(round(($client1 - $client0) / $hz * 1e6 / $calls, 1))")
switches=$(awk -v tids="$gate_tids" -v calls="$calls" '
    match($0, /-[0-9]+[ \t]+[0-9]+[ \t]+context-switches/) {
        split(substr($0, RSTART + 1, RLENGTH - 1), f, /[ \t]+/)
        if (index(tids, " " f[1] " ")) g += f[2]; else c += f[2]
    }
    END { printf "gate %.2f, generator %.2f context switches per call", g / calls, c / calls }' "$OUT/context-switches.txt")

echo
grep -E "Requests/sec|Recipients/sec|99 % in" "$OUT/check.txt"
echo "CPU per call over ${seconds} s: gate $gate_us µs, generator $client_us µs; $switches; load average $(cut -d' ' -f1-3 /proc/loadavg)"
perf script -i "$OUT/perf.data" -F pid,tid,ip,sym,dso 2>/dev/null >"$OUT/perf.script"
/usr/bin/python3 "$here/categorize.py" "$OUT/perf.script" "$gate_pid=gate:$gate_us" "$client_pid=generator:$client_us"
