#!/usr/bin/env bash
# How far the transport alone lets the gate go against Garnet (load-tests/README.md, "The transport floor"): one gate
# of its own (Release, temporary data directory, a port the system picks), 1M opt-outs loaded for the race's sender,
# then the race on CheckStream against garnet-server in turns:
#   lookup  the race as run-perf.sh runs it (--compact --stream): the batches' sender holds the opt-outs;
#   floor   the same batches from a sender that holds no entry at all, so that the gate answers each one through the
#           check's no-scope path (every number still read and walked through the numbering plan, every verdict
#           written, no filter probe, no index read): the gate's whole cost but the lookup.
# Garnet answers the same SMISMEMBERs on its loaded set in both. If the floor's ratio is under 2x, no work on the
# lookup can bring the race to 2x on this transport.
#
# Environment (all optional): TURNS="lookup floor lookup floor" DATASET=1000000 DURATION=8s ROUNDS=2
#   STREAM_CLIENT=direct (the gate's streams on the direct HTTP/2 client, as run-perf.sh runs them; channel: Grpc.Net.Client)
#   OUT=<dir> (race outputs and summary.txt; default a new temporary directory)  SKIP_BUILD=1
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
DATASET="${DATASET:-1000000}"
OUT="${OUT:-$(mktemp -d -t optoutgate-floor.XXXXXX)}"
mkdir -p "$OUT"

if [[ -z "${SKIP_BUILD:-}" ]]; then
    dotnet build "$root/src/OptOutGate.Server" -c Release -nologo -v q
    dotnet build "$root/load-tests/OptOutGate.LoadTests" -c Release -nologo -v q
fi

garnet="$("$root/scripts/install-garnet.sh")"
lt=(env DOTNET_GCgen0size=0x4000000 dotnet "$root/load-tests/OptOutGate.LoadTests/bin/Release/net10.0/OptOutGate.LoadTests.dll")
data="$(mktemp -d -t optoutgate-floor-data.XXXXXX)"
# shellcheck source=../../scripts/gate-process.sh
source "$root/scripts/gate-process.sh"
gate_pid=""
stop_gate_at_exit "$data"

start_gate "$root/src/OptOutGate.Server/bin/Release/net10.0" "$OUT/gate.log" --Gate:MetricsPort=-1 --Gate:HttpPort=-1 \
    --Gate:DataDirectory="$data" --Logging:LogLevel:Default=Warning --Logging:LogLevel:Microsoft.Hosting.Lifetime=Warning
echo "race-floor: gate pid $gate_pid on $gate_address; results in $OUT"
"${lt[@]}" wait-ready --address "$gate_address" -t 120s >/dev/null

# A sender no batch of the dataset names: it has no scope, hence no entry, on this gate.
floor_sender="+18005559999"
stream_client=()
[[ "${STREAM_CLIENT:-direct}" == channel ]] || stream_client=(--direct)
load=()
for turn in ${TURNS:-lookup floor lookup floor}; do
    case "$turn" in
        lookup) side=("${load[@]}") ;;
        floor) side=(--no-load --sender "$floor_sender" --opted-out-share 0) ;;
        *) echo "race-floor: unknown turn $turn (lookup or floor)" >&2; exit 2 ;;
    esac
    out="$OUT/race-$turn-$(date +%H%M%S).txt"
    echo "== $turn $(date +%T), load average $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/summary.txt"
    "${lt[@]}" race --address "$gate_address" -c 16 --connections 2 --dataset "$DATASET" -z "${DURATION:-8s}" --warmup 3s \
        --rounds "${ROUNDS:-2}" --peers garnet --garnet-server "$garnet" --gate-pid "$gate_pid" --compact --stream "${stream_client[@]}" \
        "${side[@]}" >"$out" 2>&1 || { tail -5 "$out" >&2; exit 1; }
    grep -E "^Race:|Server CPU|Generator CPU" "$out" | tee -a "$OUT/summary.txt"
    # The first lookup turn loaded the opt-outs; later ones reuse them.
    load=(--no-load)
done
