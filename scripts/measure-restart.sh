#!/usr/bin/env bash
# Whole-server restart time (DESIGN.md "Speed and size targets": 10 million entries loaded and serving in under 10 s).
#
# Builds Release, starts the real server (OptOutGate.Server.dll from its output folder, temporary data folder, free
# port, metrics off), loads ENTRIES opt-outs through the load generator (`load`: Admin.AddOptOuts, 10,000 per call),
# then measures three restarts, each from the moment the new process is started:
#   kill  SIGKILL right after loading, restart: crash recovery, replaying the records after the last checkpoint the
#         server took while loading (Engine:CheckpointEveryRecords, default every 500,000 records, or
#         Engine:CheckpointInterval, default 5 min). LOAD_GATE_ARGS="--Engine:CheckpointEveryRecords=0
#         --Engine:CheckpointInterval=0" takes none, so the whole log is replayed.
#   term  SIGTERM (drain, final checkpoint, saved maps and snapshots), restart: a clean restart.
#   kill2 SIGKILL of that process, restart: a crash right after a checkpoint (nothing to replay).
# For each: seconds to health SERVING and to the first CheckBatch that answers BLOCKED_OPTED_OUT for the first, middle
# and last loaded numbers (`wait-loaded` of the load generator polls both every 10 ms from before the server listens),
# RSS after the restart, and the recovery phases the server logs. Also the data folder's size.
#
# Environment (all optional):
#   ENTRIES=10000000            opt-outs to load (one change-log record and one index entry each)
#   EXPECTED_ENTRIES=$ENTRIES   Engine:ExpectedEntries (index sizing); 0 = the server's default (1 Mi)
#   GATE_ARGS=""                more server arguments for every start (for example --Engine:CheckpointEveryRecords=500000)
#   LOAD_GATE_ARGS=""           more server arguments for the server that loads the dataset
#   LOAD_PARALLELISM=4          AddOptOuts calls in flight while loading
#   OUT=<dir>                   logs and results (default: a new temporary directory)
#   DATA=<dir>                  data folder to use and keep (default: a temporary one, deleted at the end)
#   SKIP_LOAD=1                 DATA already holds ENTRIES opt-outs (from an earlier run with DATA): skip the load
#                               and the first SIGKILL restart
#   SKIP_BUILD=1                use the binaries already built
#   SERVER_DIR=<dir>            run the OptOutGate.Server.dll in <dir> (for example built from an older commit, for a
#                               before/after comparison) instead of src/OptOutGate.Server/bin/Release/net10.0
#   TIMEOUT=300s                longest wait for one restart
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
ENTRIES="${ENTRIES:-10000000}"
EXPECTED_ENTRIES="${EXPECTED_ENTRIES:-$ENTRIES}"
read -r -a gate_args <<<"${GATE_ARGS:-}"
read -r -a load_gate_args <<<"${LOAD_GATE_ARGS:-}"
LOAD_PARALLELISM="${LOAD_PARALLELISM:-4}"
TIMEOUT="${TIMEOUT:-300s}"
OUT="${OUT:-$(mktemp -d -t optoutgate-restart.XXXXXX)}"
mkdir -p "$OUT"

if [[ -z "${SKIP_BUILD:-}" ]]; then
    [[ -n "${SERVER_DIR:-}" ]] || dotnet build "$root/src/OptOutGate.Server" -c Release -nologo -v q
    dotnet build "$root/load-tests/OptOutGate.LoadTests" -c Release -nologo -v q
fi

server_dir="${SERVER_DIR:-$root/src/OptOutGate.Server/bin/Release/net10.0}"
lt=(dotnet "$root/load-tests/OptOutGate.LoadTests/bin/Release/net10.0/OptOutGate.LoadTests.dll")
keep_data=1
if [[ -z "${DATA:-}" ]]; then
    DATA="$(mktemp -d -t optoutgate-restart-data.XXXXXX)"
    keep_data=""
fi
mkdir -p "$DATA"
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
address="http://127.0.0.1:$port"
gate_pid=""

stop_gate() {
    local signal=$1
    [[ -n "$gate_pid" ]] || return 0
    kill -"$signal" "$gate_pid" 2>/dev/null || true
    for _ in $(seq 1 1200); do
        kill -0 "$gate_pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$gate_pid" 2>/dev/null || true
    # Braces: bash reports a job ended by a signal on the shell's own stderr, which a plain 2>/dev/null on wait misses.
    { wait "$gate_pid"; } 2>/dev/null || true
    gate_pid=""
}

cleanup() {
    local code=$?
    stop_gate TERM
    [[ -n "$keep_data" ]] || rm -rf "$DATA"
    exit "$code"
}
trap cleanup EXIT INT TERM

engine_args=("${gate_args[@]}")
[[ "$EXPECTED_ENTRIES" == 0 ]] || engine_args+=(--Engine:ExpectedEntries="$EXPECTED_ENTRIES")

# Starts the gate; its log goes to $OUT/gate-<name>.log. Sets gate_pid and start_ms (just before the exec).
start_gate() {
    local name=$1
    shift
    start_ms=$(date +%s%3N)
    # The server reads appsettings.json from its content root: start it from its output folder.
    (cd "$server_dir" && exec dotnet OptOutGate.Server.dll \
        --Gate:Port="$port" --Gate:MetricsPort=-1 --Gate:HttpPort=-1 --Gate:DataDirectory="$DATA" "${engine_args[@]}" "$@" \
        --Logging:Console:FormatterName=simple --Logging:Console:FormatterOptions:SingleLine=true \
        --Logging:Console:FormatterOptions:TimestampFormat="HH:mm:ss.fff " \
        --Logging:LogLevel:Microsoft.Hosting.Lifetime=Warning) >"$OUT/gate-$name.log" 2>&1 &
    gate_pid=$!
}

rss() { awk '/^VmRSS/ { printf "%.0f MiB", $2 / 1024 }' "/proc/$gate_pid/status" 2>/dev/null || echo "?"; }

data_size() {
    local parts=""
    for d in log index checkpoints mo; do
        [[ -d "$DATA/$d" ]] && parts+=" $d $(du -sh "$DATA/$d" | cut -f1)"
    done
    echo "$(du -sh "$DATA" | cut -f1) (${parts# })"
}

declare -A serving first rss_after
results=()

# Starts the gate and waits until it serves the loaded entries; records the two times and the RSS.
restart() {
    local name=$1
    start_gate "$name"
    local pid=$gate_pid
    local times
    if ! times="$("${lt[@]}" wait-loaded --address "$address" --dataset "$ENTRIES" -t "$TIMEOUT" 2>>"$OUT/wait-$name.err")"; then
        echo "restart: $name: the gate did not serve the dataset within $TIMEOUT (log: $OUT/gate-$name.log)" >&2
        cat "$OUT/wait-$name.err" >&2
        exit 1
    fi

    local serving_ms first_ms
    serving_ms=$(sed -n 's/^serving_unix_ms=//p' <<<"$times")
    first_ms=$(sed -n 's/^first_check_unix_ms=//p' <<<"$times")
    serving[$name]=$(awk -v a="$serving_ms" -v b="$start_ms" 'BEGIN { printf "%.2f", (a - b) / 1000 }')
    first[$name]=$(awk -v a="$first_ms" -v b="$start_ms" 'BEGIN { printf "%.2f", (a - b) / 1000 }')
    # RSS once the MO ledger (started at SERVING) and the first calls have settled.
    sleep 2
    rss_after[$name]=$(rss)
    results+=("$name")
    echo "restart: $name: SERVING after ${serving[$name]} s, first CheckBatch with the dataset after ${first[$name]} s, RSS ${rss_after[$name]} (pid $pid)"
    phases "$OUT/gate-$name.log" "$start_ms"
}

# The recovery phases the server logged, in seconds from the process start (log times are UTC HH:mm:ss.fff).
phases() {
    python3 - "$1" "$2" <<'PY'
import datetime, re, sys
log, start_ms = sys.argv[1], int(sys.argv[2])
start = datetime.datetime.fromtimestamp(start_ms / 1000, datetime.timezone.utc)
wanted = re.compile(r"Now listening|Opening the gate engine|Change log opened|Checkpoint at sequence .* loaded|Entry index (recovered|created)|"
                    r"No usable checkpoint|Gate engine open:|readiness is now Serving|MO ledger ready|Checkpoint after")
for line in open(log, errors="replace"):
    m = re.match(r"(\d\d):(\d\d):(\d\d)\.(\d{3}) \w+: (\S+?)\[\d+\] (.*)", line)
    if not m or not wanted.search(m.group(6)):
        continue
    at = start.replace(hour=int(m.group(1)), minute=int(m.group(2)), second=int(m.group(3)), microsecond=int(m.group(4)) * 1000)
    print(f"    {(at - start).total_seconds():7.2f} s  {m.group(5).split('.')[-1]}: {m.group(6)[:200]}")
PY
}

echo "restart: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); ENTRIES=$ENTRIES EXPECTED_ENTRIES=$EXPECTED_ENTRIES; data $DATA; logs in $OUT"

if [[ -z "${SKIP_LOAD:-}" ]]; then
    start_gate load "${load_gate_args[@]}"
    "${lt[@]}" wait-ready --address "$address" -t "$TIMEOUT"
    load_started=$(date +%s%3N)
    "${lt[@]}" load --address "$address" --dataset "$ENTRIES" --load-parallelism "$LOAD_PARALLELISM" -t 120s 2>&1 \
        | grep -v -E '^load: [0-9,]+/' | tee "$OUT/load.txt"
    echo "restart: loaded $ENTRIES in $(awk -v a="$(date +%s%3N)" -v b="$load_started" 'BEGIN { printf "%.1f", (a - b) / 1000 }') s; RSS $(rss)"
    checkpoints=$(grep -c -E "Checkpoint at sequence [0-9]+ taken in" "$OUT/gate-load.log" || true)
    echo "restart: $checkpoints checkpoints taken while loading: $(grep -E "Checkpoint at sequence [0-9]+ taken in" "$OUT/gate-load.log" | sed -E 's/.*sequence ([0-9]+) taken in ([0-9]+) ms.*/\1 (\2 ms)/' | tr '\n' ' ')"
    echo "restart: SIGKILL after loading (no clean shutdown)"
    stop_gate KILL
    restart kill
fi

echo "restart: SIGTERM (drain, final checkpoint) at load average $(cut -d' ' -f1-3 /proc/loadavg)"
term_started=$(date +%s%3N)
stop_gate TERM
echo "restart: shutdown took $(awk -v a="$(date +%s%3N)" -v b="$term_started" 'BEGIN { printf "%.1f", (a - b) / 1000 }') s; data folder $(data_size)"
restart term

echo "restart: SIGKILL (after a clean start, nothing to replay) at load average $(cut -d' ' -f1-3 /proc/loadavg)"
stop_gate KILL
restart kill2

echo
echo "restart summary: ENTRIES=$ENTRIES, data folder $(data_size), load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '  %-6s %12s %22s %10s\n' restart "SERVING (s)" "first CheckBatch (s)" RSS
for name in "${results[@]}"; do
    printf '  %-6s %12s %22s %10s\n' "$name" "${serving[$name]}" "${first[$name]}" "${rss_after[$name]}"
done
