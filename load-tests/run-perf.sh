#!/usr/bin/env bash
# The standard performance set (load-tests/README.md, "Performance"): builds Release, starts a gate of its own
# (Release, temporary data directory, a port the system picks, metrics off), runs
#   unary at 64 workers · check at maximum load, then at half of it (p99; paced open loop by the direct HTTP/2 client,
#   --direct, unless HALF_LOAD_CLIENT=channel) · probe (the same CheckBatch paced from
#   python grpcio, an independent client) · race against redis-server and garnet-server, on CheckBatch · the same race
#   with the gate's side pipelined on CheckStream (race-stream) · mo ·
#   mixed (checks at maximum while MO arrives at MIXED_MO_RPS) · lag (a replica of the gate started after the runs
#   above, following its change stream; primary ack -> replica verdict)
# and prints every summary. Runs are short on purpose: on the 2-core build machine client and server share the
# cores, so 10 s per run after 3 s of warm-up is enough to be stable and short enough to repeat.
#
# Environment (all optional):
#   DURATION=10s WARMUP=3s        per run
#   CONCURRENCY=16 CONNECTIONS=2  check, race and mo workers / HTTP/2 connections
#   DATASET=1000000               opt-outs loaded before the checks
#   ROUNDS=3                      race rounds (gate, redis, gate, garnet) of DURATION each
#   RACE_PEERS=redis,garnet       the race's peers; redis-server (apt) and garnet-server (into .tools/garnet/) are installed
#                                 when missing, as is python3-grpcio for the probe
#   RACE_ARGS=--compact           more race options: by default the gate's batches go as recipients_e164 (packed
#                                 integers; the peers get the same numbers as members); RACE_ARGS= races text recipients
#   RACE_STREAM=1                 also race-stream (RACE_STREAM=0: only the CheckBatch race)
#   RACE_CLIENT=direct            the races' gate side on the direct HTTP/2 client (--direct), as bare as the peers' RESP
#                                 client; channel: on Grpc.Net.Client
#   OUT=<dir>                     where the summaries and JSON reports go (default: a new temporary directory)
#   MIXED_MO_RPS=2000             MO messages per second during `mixed`
#   LAG_SAMPLES=300               samples of `lag`
#   NO_REPLICA=1                  skip the replica and `lag`
#   SKIP_BUILD=1                  use the binaries already built
#   HALF_LOAD_CLIENT=direct       the half-load run's client: direct (Http2/, no thread pool) or channel (Grpc.Net.Client's
#                                 GrpcChannel on HttpClient, closed loop of CONCURRENCY workers)
#   PROBE_STEPS="1:1000 1:3000 2:5000"  processes:calls/s of the python grpcio latency probe after `check`
#   SERVER_DIR=<dir>              run the OptOutGate.Server.dll in <dir> (for example built from a clean checkout)
#                                 instead of src/OptOutGate.Server/bin/Release/net10.0
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
DURATION="${DURATION:-10s}"
WARMUP="${WARMUP:-3s}"
CONCURRENCY="${CONCURRENCY:-16}"
CONNECTIONS="${CONNECTIONS:-2}"
DATASET="${DATASET:-1000000}"
ROUNDS="${ROUNDS:-3}"
OUT="${OUT:-$(mktemp -d -t optoutgate-perf.XXXXXX)}"
mkdir -p "$OUT"

if [[ -z "${SKIP_BUILD:-}" ]]; then
    [[ -n "${SERVER_DIR:-}" ]] || dotnet build "$root/src/OptOutGate.Server" -c Release -nologo -v q
    dotnet build "$root/load-tests/OptOutGate.LoadTests" -c Release -nologo -v q
fi

server_dir="${SERVER_DIR:-$root/src/OptOutGate.Server/bin/Release/net10.0}"
RACE_PEERS="${RACE_PEERS:-redis,garnet}"
garnet_server=garnet-server
# The peers and the probe's client, installed when missing (a fresh machine has neither Redis nor grpcio).
if [[ ",$RACE_PEERS," == *,redis,* ]] && ! command -v redis-server >/dev/null; then
    "$root/scripts/install-debian.sh" redis-server
fi
/usr/bin/python3 -c 'import grpc' 2>/dev/null || "$root/scripts/install-debian.sh" python3-grpcio
if [[ ",$RACE_PEERS," == *,garnet,* ]]; then
    # Microsoft Garnet, the race's second peer: a dotnet tool, into the repository's ignored .tools/garnet/.
    garnet_server="$("$root/scripts/install-garnet.sh")"
fi
# This VM exposes no CPU cache sizes, so the runtime gives a workstation-GC process a 2 MB gen0 budget: the load
# generator then collected about 33 times a second at full load. A 64 MB budget (only settable by environment) makes
# that about once a second, and the maximum it drives rises (load-tests/README.md, "Profile").
lt=(env "DOTNET_GCgen0size=${LT_GEN0SIZE:-0x4000000}" dotnet "$root/load-tests/OptOutGate.LoadTests/bin/Release/net10.0/OptOutGate.LoadTests.dll")
data="$(mktemp -d -t optoutgate-perf-data.XXXXXX)"
# shellcheck source=../scripts/gate-process.sh
source "$root/scripts/gate-process.sh"
gate_pid=""
replica_pid=""

stop() {
    local pid=$1
    if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 1 300); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    fi
}

cleanup() {
    local code=$?
    stop "$replica_pid"
    stop "$gate_pid"
    stop "${primary_pid:-}"
    rm -rf "$data"
    exit "$code"
}
trap cleanup EXIT INT TERM

start_gate "$server_dir" "$OUT/gate.log" --Gate:MetricsPort=-1 --Gate:HttpPort=-1 --Gate:DataDirectory="$data/primary" \
    --Logging:LogLevel:Default=Warning --Logging:LogLevel:Microsoft.Hosting.Lifetime=Warning
address="$gate_address"
port="${address##*:}"

echo "perf: gate pid $gate_pid on $address, data $data, results in $OUT"
echo "perf: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) before the runs"
"${lt[@]}" wait-ready --address "$address" -t 120s

status=0
run() {
    local name=$1
    shift
    echo
    echo "=== $name: OptOutGate.LoadTests $* (load average $(cut -d' ' -f1-3 /proc/loadavg))"
    if "${lt[@]}" "$@" --json "$OUT/$name.json" | tee "$OUT/$name.txt"; then
        :
    else
        local code=${PIPESTATUS[0]}
        echo "=== $name: exit code $code"
        status=1
    fi
}

common=(--address "$address" -z "$DURATION" --warmup "$WARMUP")
run unary unary "${common[@]}" -c 64 --connections 1
half_client=()
[[ "${HALF_LOAD_CLIENT:-direct}" == channel ]] || half_client=(--direct)
run check check "${common[@]}" -c "$CONCURRENCY" --connections "$CONNECTIONS" --dataset "$DATASET" --find-half-load "${half_client[@]}"

# The same CheckBatch latency from an independent client (python grpcio: gRPC's C core), with the dataset just loaded:
# it tells the gate's own tail from the .NET generator's (load-tests/README.md, "Half load"). Skipped without grpcio.
# Its batch is ghz's (ghz-data), written here for this DATASET with check's defaults (1,000 recipients, 2 % = 20 opted
# out), so that the probe's batch hits exactly the opt-outs `check` loaded.
# 10s -> 10, 2m -> 120 (the generator's duration syntax, for the probe's --duration in seconds).
seconds_of() {
    case "$1" in
        *s) echo "${1%s}" ;;
        *m) echo $((${1%m} * 60)) ;;
        *) echo "$1" ;;
    esac
}

probe() {
    local processes=$1 rate=$2
    echo
    echo "=== probe: latency_probe.py --rate $rate --processes $processes (load average $(cut -d' ' -f1-3 /proc/loadavg))"
    if ! /usr/bin/python3 "$here/python/latency_probe.py" --address "127.0.0.1:$port" --rate "$rate" --processes "$processes" \
        --duration "$(seconds_of "$DURATION")" --batch "$OUT/ghz-data/check-batch.json" --expect-blocked 20 \
        | tee "$OUT/probe-$rate.txt"; then
        echo "=== probe at $rate calls/s: failed"
        status=1
    fi
}
if /usr/bin/python3 -c 'import grpc' 2>/dev/null; then
    "${lt[@]}" ghz-data --out "$OUT/ghz-data" --dataset "$DATASET" >/dev/null
    for step in ${PROBE_STEPS:-1:1000 1:3000 2:5000}; do
        probe "${step%%:*}" "${step##*:}"
    done
else
    echo "=== probe: skipped (needs /usr/bin/python3 with grpcio)"
fi
race_client=()
[[ "${RACE_CLIENT:-direct}" == channel ]] || race_client=(--direct)
run race race "${common[@]}" -c "$CONCURRENCY" --connections "$CONNECTIONS" --dataset "$DATASET" --no-load --rounds "$ROUNDS" \
    --peers "$RACE_PEERS" --garnet-server "$garnet_server" --gate-pid "$gate_pid" ${RACE_ARGS---compact} "${race_client[@]}"
# The same race with the gate's batches on CheckStream, one stream per connection: as many batches in flight on each as
# the peers have pipelined SMISMEMBERs per socket (what a dispatcher that pipelines gets), on a client as bare as theirs.
if [[ "${RACE_STREAM:-1}" != 0 ]]; then
    run race-stream race "${common[@]}" -c "$CONCURRENCY" --connections "$CONNECTIONS" --dataset "$DATASET" --no-load --rounds "$ROUNDS" \
        --peers "$RACE_PEERS" --garnet-server "$garnet_server" --gate-pid "$gate_pid" ${RACE_ARGS---compact} --stream "${race_client[@]}"
fi
run mo mo "${common[@]}" -c 2 --connections 1 --in-flight 32
run mixed mixed "${common[@]}" -c "$CONCURRENCY" --connections "$CONNECTIONS" --dataset "$DATASET" --no-load --mo-rps "${MIXED_MO_RPS:-2000}"

if [[ -z "${NO_REPLICA:-}" ]]; then
    # A replica started now: it bootstraps from the gate (everything the runs above wrote), and is SERVING only once
    # caught up. It follows the change stream directly (no Redis here; scripts/measure-lag.sh measures both paths).
    primary_pid=$gate_pid
    start_gate "$server_dir" "$OUT/replica.log" --Gate:MetricsPort=-1 --Gate:HttpPort=-1 \
        --Gate:DataDirectory="$data/replica" \
        --Replication:Role=Replica --Replication:PrimaryAddress="$address" \
        --Logging:LogLevel:Default=Warning --Logging:LogLevel:Microsoft.Hosting.Lifetime=Warning
    replica_pid=$gate_pid
    replica_address="$gate_address"
    gate_pid=$primary_pid
    echo
    echo "perf: replica pid $replica_pid on $replica_address"
    "${lt[@]}" wait-ready --address "$replica_address" -t 300s
    run lag lag --address "$address" --replica "$replica_address" -n "${LAG_SAMPLES:-300}"
fi

echo
echo "perf: load average $(cut -d' ' -f1-3 /proc/loadavg) after the runs; summaries and JSON in $OUT"
exit "$status"
