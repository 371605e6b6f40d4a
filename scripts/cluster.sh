#!/usr/bin/env bash
# A local OptOutGate cluster on loopback: redis-server, one primary and two replicas, each with its own data folder,
# pid file and log. Keys are off (loopback only), so every call runs as tenant "default".
#
#   scripts/cluster.sh start     build the server if needed, start everything, wait until every node is Serving
#   scripts/cluster.sh status    what runs, and each node's health and applied sequence
#   scripts/cluster.sh stop      SIGTERM every node (replicas first), then redis
#
# Settings (environment): CLUSTER_DIR (default ./cluster-data), CONFIGURATION (Release), REDIS_PORT (6391),
# PRIMARY_PORT (50061), REPLICA1_PORT (50062), REPLICA2_PORT (50063); metrics on METRICS_BASE + 1, 2, 3 (default
# 9161-9163), the JSON/REST API on HTTP_BASE + 1, 2, 3 (default 8161-8163). NO_REDIS=1 runs the replicas on the change stream alone; REPLICAS=1 starts only replica1.
set -euo pipefail
cd "$(dirname "$0")/.."

CLUSTER_DIR=${CLUSTER_DIR:-./cluster-data}
CONFIGURATION=${CONFIGURATION:-Release}
REDIS_PORT=${REDIS_PORT:-6391}
PRIMARY_PORT=${PRIMARY_PORT:-50061}
REPLICA1_PORT=${REPLICA1_PORT:-50062}
REPLICA2_PORT=${REPLICA2_PORT:-50063}
METRICS_BASE=${METRICS_BASE:-9160}
HTTP_BASE=${HTTP_BASE:-8160}
SERVER_DLL="src/OptOutGate.Server/bin/${CONFIGURATION}/net10.0/OptOutGate.Server.dll"
REPLICAS=${REPLICAS:-2}
NODES=(primary replica1)
[ "$REPLICAS" = 1 ] || NODES+=(replica2)

mkdir -p "$CLUSTER_DIR"
CLUSTER_DIR=$(cd "$CLUSTER_DIR" && pwd)

port_of() {
    case "$1" in
        primary) echo "$PRIMARY_PORT" ;;
        replica1) echo "$REPLICA1_PORT" ;;
        replica2) echo "$REPLICA2_PORT" ;;
    esac
}

metrics_of() {
    case "$1" in
        primary) echo $((METRICS_BASE + 1)) ;;
        replica1) echo $((METRICS_BASE + 2)) ;;
        replica2) echo $((METRICS_BASE + 3)) ;;
    esac
}

# The JSON/REST API of each node on HTTP_BASE + 1, 2, 3 (default 8161-8163).
http_of() {
    case "$1" in
        primary) echo $((HTTP_BASE + 1)) ;;
        replica1) echo $((HTTP_BASE + 2)) ;;
        replica2) echo $((HTTP_BASE + 3)) ;;
    esac
}

running() {
    local pidfile="$CLUSTER_DIR/$1.pid"
    [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null
}

wait_for_log() {
    local node=$1 text=$2 seconds=${3:-60}
    for _ in $(seq $((seconds * 10))); do
        grep -q "$text" "$CLUSTER_DIR/$node.log" 2>/dev/null && return 0
        running "$node" || { echo "$node exited; see $CLUSTER_DIR/$node.log" >&2; tail -20 "$CLUSTER_DIR/$node.log" >&2; return 1; }
        sleep 0.1
    done
    echo "$node did not log '$text' within ${seconds}s; see $CLUSTER_DIR/$node.log" >&2
    return 1
}

start_redis() {
    if [ -n "${NO_REDIS:-}" ] || running redis; then return 0; fi
    command -v redis-server >/dev/null || scripts/install-debian.sh redis-server
    redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
        --daemonize yes --pidfile "$CLUSTER_DIR/redis.pid" --logfile "$CLUSTER_DIR/redis.log"
    for _ in $(seq 50); do
        [ -s "$CLUSTER_DIR/redis.pid" ] && break
        sleep 0.1
    done
    echo "redis     127.0.0.1:$REDIS_PORT"
}

start_node() {
    local node=$1
    running "$node" && { echo "$node already running (pid $(cat "$CLUSTER_DIR/$node.pid"))"; return 0; }
    local args=(
        "--Gate:Port=$(port_of "$node")"
        "--Gate:MetricsPort=$(metrics_of "$node")"
        "--Gate:HttpPort=$(http_of "$node")"
        "--Gate:DataDirectory=$CLUSTER_DIR/$node"
        "--Engine:CheckpointInterval=00:00:30"
    )
    [ -z "${NO_REDIS:-}" ] && args+=("--Replication:Redis=127.0.0.1:$REDIS_PORT")
    if [ "$node" != primary ]; then
        args+=("--Replication:Role=Replica" "--Replication:PrimaryAddress=http://127.0.0.1:$PRIMARY_PORT")
    fi

    mkdir -p "$CLUSTER_DIR/$node"
    Logging__Console__FormatterName=simple Logging__Console__FormatterOptions__SingleLine=true \
        nohup dotnet "$SERVER_DLL" "${args[@]}" >"$CLUSTER_DIR/$node.log" 2>&1 &
    echo $! >"$CLUSTER_DIR/$node.pid"
    echo "$node  127.0.0.1:$(port_of "$node") (JSON :$(http_of "$node"), metrics :$(metrics_of "$node")/metrics, data $CLUSTER_DIR/$node)"
}

stop_pid() {
    local name=$1 pidfile="$CLUSTER_DIR/$1.pid"
    [ -f "$pidfile" ] || return 0
    local pid
    pid=$(cat "$pidfile")
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid"
        for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$pid" 2>/dev/null && { echo "$name did not stop in 30 s; sending SIGKILL" >&2; kill -KILL "$pid"; }
        echo "stopped $name"
    fi
    rm -f "$pidfile"
}

case "${1:-}" in
    start)
        [ -f "$SERVER_DLL" ] || dotnet build src/OptOutGate.Server -c "$CONFIGURATION"
        start_redis
        start_node primary
        wait_for_log primary "readiness is now Serving"
        start_node replica1
        [ "$REPLICAS" = 1 ] || start_node replica2
        wait_for_log replica1 "readiness is now Serving"
        [ "$REPLICAS" = 1 ] || wait_for_log replica2 "readiness is now Serving"
        echo "cluster serving; logs and data in $CLUSTER_DIR"
        ;;
    stop)
        stop_pid replica2
        stop_pid replica1
        stop_pid primary
        stop_pid redis
        ;;
    status)
        if running redis; then echo "redis     running (pid $(cat "$CLUSTER_DIR/redis.pid")) 127.0.0.1:$REDIS_PORT"; else echo "redis     stopped"; fi
        for node in "${NODES[@]}"; do
            if running "$node"; then
                state=$(grep -o 'readiness is now [A-Za-z]*' "$CLUSTER_DIR/$node.log" | tail -1 | awk '{print $4}')
                lag=""
                [ "$node" != primary ] && lag=$(curl -sf "http://127.0.0.1:$(metrics_of "$node")/metrics" 2>/dev/null | grep -E '^optoutgate_replica_lag_sequences' | awk '{print $2}' || true)
                echo "$node  running (pid $(cat "$CLUSTER_DIR/$node.pid")) 127.0.0.1:$(port_of "$node") ${state:-?}${lag:+, lag $lag sequences}"
            else
                echo "$node  stopped"
            fi
        done
        ;;
    *)
        echo "usage: $0 start|stop|status" >&2
        exit 2
        ;;
esac
