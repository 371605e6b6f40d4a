#!/usr/bin/env bash
# Before/after figures of two builds on one machine in one run (load-tests/README.md, "Grpc.AspNetCore and
# Grpc.Net.Client against the home-made layer"). The builds take turns (before, after, before, after, ...): each turn
# starts that build's server freshly on an empty data folder and drives it with ONE load generator (the same for both
# builds) through the standard set's runs
#   unary (Health/Check, 64 workers, 1 connection) · check (1M opt-outs, CheckBatch at maximum load, then the half-load
#   p99, paced open loop by the direct HTTP/2 client) · race (against redis-server) · mo (StreamMo durable MO/s)
# then, when both builds carry the benchmarks, each build's in-process CheckBatchBenchmarks (BenchmarkDotNet, bytes
# allocated per call), again alternating. `uptime` is printed before and after each pair, and the end prints every
# figure of every turn, each build's range and whether "after" is worse than "before" beyond the run-to-run spread.
#
#   BEFORE=/work/before AFTER=/work/after ROUNDS=2 scripts/compare-servers.sh
#
# BEFORE and AFTER are build folders, each holding server/ (OptOutGate.Server.dll and its appsettings.json),
# loadtests/ (OptOutGate.LoadTests.dll) and optionally bench/ (OptOutGate.Benchmarks.dll); a folder holding
# OptOutGate.Server.dll itself is taken as a server folder alone. To make one from any checkout (a clean clone, or
# `git worktree add /tmp/old <commit>`):
#   for p in src/OptOutGate.Server:server load-tests/OptOutGate.LoadTests:loadtests tests/OptOutGate.Benchmarks:bench; do
#       dotnet build "<checkout>/${p%%:*}" -c Release -nologo -v q -o "<build folder>/${p##*:}"; done
#
# Environment: BEFORE, AFTER (build folders; AFTER defaults to this checkout's Release output), GENERATOR (after,
# before or the path of an OptOutGate.LoadTests.dll; default after: the newer generator against both servers),
# ROUNDS (turns of each build, default 2), DURATION=10s WARMUP=3s CONCURRENCY=16 CONNECTIONS=2 DATASET=1000000,
# RACE_ROUNDS=3, RUNS="unary check race mo", BENCH=1 (0: no benchmarks), OUT=<dir>.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
BEFORE="${BEFORE:?build folder of the first build (server/, loadtests/, bench/)}"
AFTER="${AFTER:-$root/src/OptOutGate.Server/bin/Release/net10.0}"
GENERATOR="${GENERATOR:-after}"
ROUNDS="${ROUNDS:-2}"
DURATION="${DURATION:-10s}"
WARMUP="${WARMUP:-3s}"
CONCURRENCY="${CONCURRENCY:-16}"
CONNECTIONS="${CONNECTIONS:-2}"
DATASET="${DATASET:-1000000}"
RACE_ROUNDS="${RACE_ROUNDS:-3}"
RUNS="${RUNS:-unary check race mo}"
BENCH="${BENCH:-1}"
OUT="${OUT:-$(mktemp -d -t optoutgate-compare.XXXXXX)}"
mkdir -p "$OUT"

# server/, loadtests/ and bench/ of a build folder; a bare server folder has only the first.
part() {
    local build=$1 name=$2
    if [[ -f "$build/OptOutGate.Server.dll" ]]; then
        [[ $name == server ]] && echo "$build" || echo ""
    elif [[ -d "$build/$name" ]]; then
        echo "$build/$name"
    else
        echo ""
    fi
}

case "$GENERATOR" in
    before | after)
        generator_build="$BEFORE"
        [[ "$GENERATOR" == before ]] || generator_build="$AFTER"
        generator_dir="$(part "$generator_build" loadtests)"
        [[ -n "$generator_dir" ]] || generator_dir="$root/load-tests/OptOutGate.LoadTests/bin/Release/net10.0"
        LOADTESTS="$generator_dir/OptOutGate.LoadTests.dll"
        ;;
    *) LOADTESTS="$GENERATOR" ;;
esac
for build in "$BEFORE" "$AFTER"; do
    [[ -f "$(part "$build" server)/OptOutGate.Server.dll" ]] || { echo "compare: no OptOutGate.Server.dll in $build (or $build/server)" >&2; exit 2; }
done
[[ -f "$LOADTESTS" ]] || { echo "compare: no load generator at $LOADTESTS" >&2; exit 2; }
bench_before="$(part "$BEFORE" bench)"
bench_after="$(part "$AFTER" bench)"
if [[ "$BENCH" != 1 || ! -f "$bench_before/OptOutGate.Benchmarks.dll" || ! -f "$bench_after/OptOutGate.Benchmarks.dll" ]]; then
    bench_before=""
    bench_after=""
fi

# The same gen0 budget as run-perf.sh gives the generator (this VM exposes no cache sizes: 2 MB otherwise).
lt=(env "DOTNET_GCgen0size=${LT_GEN0SIZE:-0x4000000}" dotnet "$LOADTESTS")
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
gate_pid=""
data=""
status=0

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
    for run in $RUNS; do
        local args
        case $run in
            unary) args=(unary "${common[@]}" -c 64 --connections 1) ;;
            check) args=(check "${common[@]}" -c "$CONCURRENCY" --connections "$CONNECTIONS" --dataset "$DATASET" --find-half-load --direct) ;;
            race) args=(race "${common[@]}" -c "$CONCURRENCY" --connections "$CONNECTIONS" --dataset "$DATASET" --no-load
                --rounds "$RACE_ROUNDS" --peers redis --gate-pid "$gate_pid") ;;
            mo) args=(mo "${common[@]}" -c 2 --connections 1 --in-flight 32) ;;
            *) echo "compare: unknown run $run" >&2; exit 2 ;;
        esac
        # race runs after check on the same gate: check loaded the dataset that race (--no-load) expects.
        echo "=== $label round $round $run: OptOutGate.LoadTests ${args[*]} (load average $(loadavg), $(date +%H:%M:%S))"
        if ! "${lt[@]}" "${args[@]}" --json "$OUT/$label-$round-$run.json" >"$OUT/$label-$round-$run.txt" 2>&1; then
            echo "=== $label round $round $run: failed, see $OUT/$label-$round-$run.txt"
            status=1
        fi
        grep -E '^  Requests/sec|^  Recipients/sec|^  99 % in|^Race:|^From the send|^Target' "$OUT/$label-$round-$run.txt" || true
    done
    stop_gate
}

# BenchmarkDotNet's short job (1 launch, 3 warm-ups, 3 iterations) applied to the benchmark's own in-process job:
# `--job short` would add a second, out-of-process job, which needs the project's sources to build.
bench() {
    local label=$1 dir=$2 round=$3
    echo "=== $label round $round bench: OptOutGate.Benchmarks --filter '*CheckBatchBenchmarks*' --launchCount 1 --warmupCount 3 --iterationCount 3 (load average $(loadavg), $(date +%H:%M:%S))"
    if ! (cd "$OUT" && dotnet "$dir/OptOutGate.Benchmarks.dll" --filter '*CheckBatchBenchmarks*' --launchCount 1 --warmupCount 3 \
        --iterationCount 3 --artifacts "$OUT/$label-$round-bench" >"$OUT/$label-$round-bench.txt" 2>&1); then
        echo "=== $label round $round bench: failed, see $OUT/$label-$round-bench.txt"
        status=1
    fi
    grep -E '^\| *(Generated|WireInGeneratedOut|Wire|Marshaller) ' "$OUT/$label-$round-bench.txt" || true
}

pair() {
    local what=$1 round=$2
    echo "--- round $round $what, before the pair: $(uptime)"
    "$what" before "$3" "$round"
    "$what" after "$4" "$round"
    echo "--- round $round $what, after the pair: $(uptime)"
}

echo "compare: $(nproc) cores; before $BEFORE, after $AFTER, generator $LOADTESTS (for both); results in $OUT"
echo "compare: $(uptime)"
for round in $(seq 1 "$ROUNDS"); do
    pair turn "$round" "$(part "$BEFORE" server)" "$(part "$AFTER" server)"
    if [[ -n "$bench_before" ]]; then
        pair bench "$round" "$bench_before" "$bench_after"
    fi
done
echo "compare: $(uptime) after the runs; summaries in $OUT"
echo

# Every figure of every turn, each build's range, and "worse" only when after's best is worse than before's worst.
python3 - "$OUT" "$ROUNDS" <<'PY'
import csv, glob, json, os, re, sys

out, rounds = sys.argv[1], int(sys.argv[2])

def load(label, r, run):
    try:
        with open(os.path.join(out, f"{label}-{r}-{run}.json")) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None

def text(label, r, run):
    try:
        with open(os.path.join(out, f"{label}-{r}-{run}.txt")) as f:
            return f.read()
    except OSError:
        return ""

def p99(summary):
    return next((x["latency"] / 1e6 for x in summary["latencyDistribution"] if x["percentage"] == 99), None)

def from_send_p99(label, r):
    m = re.search(r"p99 ([0-9.]+) (ms|µs|us|s)\b", text(label, r, "check").split("From the send", 1)[-1]) if "From the send" in text(label, r, "check") else None
    if not m:
        return None
    return float(m.group(1)) * {"ms": 1, "µs": 1e-3, "us": 1e-3, "s": 1e3}[m.group(2)]

def race_ratio(label, r):
    d = load(label, r, "race")
    if not d:
        return None
    gate = next(x for x in d if x["name"].startswith("gate"))
    redis = next(x for x in d if x["name"].startswith("redis"))
    return gate["recipientsPerSecond"] / redis["recipientsPerSecond"]

def race_gate(label, r, key):
    d = load(label, r, "race")
    return next(x for x in d if x["name"].startswith("gate"))[key] if d else None

def gate_cpu(label, r):
    m = re.search(r"Server CPU:\s+([0-9.]+) µs per call \(gate", text(label, r, "race"))
    return float(m.group(1)) if m else None

def bench(label, r, method, entries, column):
    for path in glob.glob(os.path.join(out, f"{label}-{r}-bench", "results", "*CheckBatchBenchmarks-report.csv")):
        with open(path) as f:
            for row in csv.DictReader(f):
                if row["Method"] == method and row["Entries"].replace(",", "") == entries:
                    v = row[column].replace(",", "")
                    m = re.match(r"([0-9.]+) ?(ns|us|μs|µs|ms|B|KB)?", v)
                    if not m:
                        return None
                    scale = {"ns": 1e-3, "us": 1, "μs": 1, "µs": 1, "ms": 1e3, "B": 1, "KB": 1024, None: 1}[m.group(2)]
                    return float(m.group(1)) * scale
    return None

def get(path, key):
    def f(label, r):
        d = load(label, r, path)
        if d is None:
            return None
        s = d[key] if isinstance(d, list) else d
        return s
    return f

figures = [
    ("unary Health/Check calls/s", True, lambda l, r: (get("unary", 0)(l, r) or {}).get("rps")),
    ("CheckBatch maximum load, recipients/s", True, lambda l, r: (get("check", 0)(l, r) or {}).get("recipientsPerSecond")),
    ("CheckBatch maximum load, p99 ms", False, lambda l, r: p99(get("check", 0)(l, r)) if get("check", 0)(l, r) else None),
    ("half load p99 ms, from the slot", False, lambda l, r: p99(get("check", 1)(l, r)) if get("check", 1)(l, r) else None),
    ("half load p99 ms, from the send", False, from_send_p99),
    ("half load calls/s", None, lambda l, r: (get("check", 1)(l, r) or {}).get("rps")),
    ("race gate/redis ratio", True, race_ratio),
    ("race gate recipients/s", True, lambda l, r: race_gate(l, r, "recipientsPerSecond")),
    ("race gate CPU µs per CheckBatch", False, gate_cpu),
    ("StreamMo durable MO/s", True, lambda l, r: (get("mo", 0)(l, r) or {}).get("rps")),
]
for entries in ("1000000", "10000000"):
    for method in ("Wire", "Marshaller"):
        figures.append((f"bench {method} {int(entries) // 1000000}M: bytes allocated/call", False, lambda l, r, m=method, e=entries: bench(l, r, m, e, "Allocated")))
        figures.append((f"bench {method} {int(entries) // 1000000}M: mean µs/call", False, lambda l, r, m=method, e=entries: bench(l, r, m, e, "Mean")))

def fmt(v):
    if v is None:
        return "–"
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:.2f}"

print(f"{'figure':44} | {'before (each round)':30} | {'after (each round)':30} | verdict")
for name, higher_better, read in figures:
    b = [read("before", r) for r in range(1, rounds + 1)]
    a = [read("after", r) for r in range(1, rounds + 1)]
    bs, as_ = [v for v in b if v is not None], [v for v in a if v is not None]
    verdict = ""
    if bs and as_ and higher_better is not None:
        if higher_better:
            verdict = "after worse beyond the spread" if max(as_) < min(bs) else "after better beyond the spread" if min(as_) > max(bs) else "within the spread"
        else:
            verdict = "after worse beyond the spread" if min(as_) > max(bs) else "after better beyond the spread" if max(as_) < min(bs) else "within the spread"
    print(f"{name:44} | {' / '.join(fmt(v) for v in b):30} | {' / '.join(fmt(v) for v in a):30} | {verdict}")
PY
exit "$status"
