# Sourced by the measuring scripts (load-tests/run-perf.sh, measure-webhooks.sh, measure-console.sh, race-floor.sh,
# load-tests/profile/profile-check.sh): starts a gate from its build folder on ports the system picks.
#
#   start_gate <server dir> <log file> [gate options...]
#
# runs `dotnet OptOutGate.Server.dll --Gate:Port=0 <options>` from <server dir> (its content root, where
# appsettings.json is) in the background, waits (up to GATE_START_TIMEOUT seconds, default 120) for the "Listening:"
# line the gate logs once Kestrel has bound its ports, and sets gate_pid, gate_address (gRPC, http://127.0.0.1:P) and
# gate_http_address (the JSON/REST API and console: pass --Gate:HttpPort=0 for one, else "off"). Binding port 0 leaves
# no window between choosing a free port and binding it in which another process could take the port, as a port
# chosen beforehand does (the tests bind port 0 for the same reason). The options must not set Gate:Port.

start_gate() {
    local dir=$1 log=$2
    shift 2
    # The line is logged at Information by the Kestrel set-up's category, whatever level the caller sets by default.
    (cd "$dir" && exec dotnet OptOutGate.Server.dll --Gate:Port=0 "$@" \
        --Logging:LogLevel:OptOutGate.Server.Hosting.KestrelSetup=Information) >"$log" 2>&1 &
    gate_pid=$!
    local line="" tenths=0
    # The JSON log line holds the message and its template ("... on {GrpcAddress} ..."): the first with an address.
    until line="$(grep -o 'Listening: gRPC on https\{0,1\}://[^,]*, JSON/REST API and console on [^,]*' "$log" 2>/dev/null | head -n 1)" \
        && [[ -n "$line" ]]; do
        if ! kill -0 "$gate_pid" 2>/dev/null; then
            echo "start_gate: the gate (pid $gate_pid) exited before listening; the end of $log:" >&2
            tail -5 "$log" >&2
            return 1
        fi
        if (( tenths >= ${GATE_START_TIMEOUT:-120} * 10 )); then
            echo "start_gate: the gate (pid $gate_pid) did not listen within ${GATE_START_TIMEOUT:-120} s; see $log" >&2
            return 1
        fi
        sleep 0.1
        tenths=$((tenths + 1))
    done
    gate_address="${line#Listening: gRPC on }"
    gate_address="${gate_address%%,*}"
    gate_http_address="${line##*console on }"
}

# Sets the script's exit trap to stop the gate start_gate started (if it still runs) and remove the paths given (its
# temporary data directory), whatever ends the script; the exit code stays the script's.
#
#   stop_gate_at_exit <path>...
stop_gate_at_exit() {
    gate_exit_paths=("$@")
    trap _stop_gate_at_exit EXIT INT TERM
}

_stop_gate_at_exit() {
    local code=$?
    if [[ -n "${gate_pid:-}" ]] && kill -0 "$gate_pid" 2>/dev/null; then
        kill -TERM "$gate_pid" 2>/dev/null || true
        wait "$gate_pid" 2>/dev/null || true
    fi
    rm -rf "${gate_exit_paths[@]}"
    exit "$code"
}
