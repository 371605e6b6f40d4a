#!/usr/bin/env bash
# Replication lag from the primary's commit to a replica's CheckBatch answer changing, under a steady MO
# write load at the primary: the whole local cluster (primary, two replicas, redis-server) through Redis and then
# through the direct change stream, and a primary with a single replica on the direct stream (fewer processes sharing
# the two cores). Uses scripts/cluster.sh and the
# load generator's `lag` scenario (each sample: Admin.AddOptOuts at the primary, then CheckBatch at the replica back to
# back until the verdict turns BLOCKED_OPTED_OUT; latency from the primary's acknowledgement).
#
# LAG_ARGS=--use-min-sequence asks once per sample with min_sequence set (the replica answers when it has applied the
# write) instead of polling back to back, which on 2 cores takes CPU from the replica it measures.
#
#   scripts/measure-lag.sh            SAMPLES=500 MO_RPS=500 CLUSTER_DIR=./cluster-lag LAG_ARGS=
set -euo pipefail
cd "$(dirname "$0")/.."

SAMPLES=${SAMPLES:-500}
MO_RPS=${MO_RPS:-500}
export CLUSTER_DIR=${CLUSTER_DIR:-./cluster-lag}
dotnet build src/OptOutGate.Server -c Release -v q -nologo >/dev/null
dotnet build load-tests/OptOutGate.LoadTests -c Release -v q -nologo >/dev/null
# A 64 MB gen0 budget for the load generators (run-perf.sh says why): the lag probe's own collections otherwise delay it.
LT=(env "DOTNET_GCgen0size=${LT_GEN0SIZE:-0x4000000}" dotnet load-tests/OptOutGate.LoadTests/bin/Release/net10.0/OptOutGate.LoadTests.dll)
PRIMARY=http://127.0.0.1:${PRIMARY_PORT:-50061}
REPLICA=http://127.0.0.1:${REPLICA1_PORT:-50062}

measure() {
    local label=$1
    rm -rf "$CLUSTER_DIR"
    scripts/cluster.sh start >/dev/null
    # Steady writes for the whole measurement: MO messages at MO_RPS.
    "${LT[@]}" mo --address "$PRIMARY" -r "$MO_RPS" -z 600s -c 2 >"$CLUSTER_DIR/mo-load.txt" 2>&1 &
    local load=$!
    sleep 3
    echo "== $label: $SAMPLES samples, $MO_RPS MO/s steady load at the primary"
    # shellcheck disable=SC2086 # LAG_ARGS is a list of options
    "${LT[@]}" lag --address "$PRIMARY" --replica "$REPLICA" -n "$SAMPLES" ${LAG_ARGS:-} 2>/dev/null | sed -n '/Latency distribution/,/^$/p'
    kill "$load" 2>/dev/null || true
    wait "$load" 2>/dev/null || true
    scripts/cluster.sh stop >/dev/null
}

measure "through Redis"
NO_REDIS=1 measure "through the change stream"
REPLICAS=1 NO_REDIS=1 measure "one replica, through the change stream"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
