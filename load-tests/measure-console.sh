#!/usr/bin/env bash
# Time to first byte of the web console's list pages with a large list loaded (README, "Web console").
#
# Builds Release, starts the real server (API keys off, loopback, temporary data folder, ports the system picks,
# metrics off), loads ENTRIES opt-outs through the load generator (`load`: Admin.AddOptOuts, 10,000 per call; sender
# LOADTEST, one index entry and one history record each), signs in to the console with curl (the sign-in form and its
# antiforgery token, as a browser posts it), then requests each page REQUESTS times and prints curl's
# time_starttransfer (request sent → first byte of the answer) as median, p90 and max, in milliseconds, with the page's
# size:
#   optouts          /console/unsubscribed                        the opted-out list, first page (50 rows)
#   optouts-sender   /console/unsubscribed?sender=LOADTEST        filtered by sender
#   optouts-page-40  the 40th page of that list, reached through the pages' own "Next page" tokens
#   optouts-range    /console/unsubscribed?sender=LOADTEST&from=<today>&to=<today>   a date range
#   records          /console/records                             every change, newest first (50 rows)
#   records-sender   /console/records?sender=LOADTEST
#   records-number   /console/records?number=<a loaded number>    one number's history
#   overview         /console                                     reads up to 20,000 history records for its chart
#
# Environment (all optional): ENTRIES=1000000, REQUESTS=20, OUT=<dir> (logs; default a new temporary directory),
# SKIP_BUILD=1 (use the binaries already built).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
ENTRIES="${ENTRIES:-1000000}"
REQUESTS="${REQUESTS:-20}"
OUT="${OUT:-$(mktemp -d -t optoutgate-console.XXXXXX)}"
mkdir -p "$OUT"

if [[ -z "${SKIP_BUILD:-}" ]]; then
    dotnet build "$root/src/OptOutGate.Server" -c Release -nologo -v q
    dotnet build "$root/load-tests/OptOutGate.LoadTests" -c Release -nologo -v q
fi

lt=(dotnet "$root/load-tests/OptOutGate.LoadTests/bin/Release/net10.0/OptOutGate.LoadTests.dll")
data="$(mktemp -d -t optoutgate-console-data.XXXXXX)"
jar="$OUT/cookies.txt"
gate_pid=""

cleanup() {
    local code=$?
    if [[ -n "$gate_pid" ]]; then
        kill -TERM "$gate_pid" 2>/dev/null || true
        { wait "$gate_pid"; } 2>/dev/null || true
    fi
    rm -rf "$data"
    exit "$code"
}
trap cleanup EXIT

# shellcheck source=../scripts/gate-process.sh
source "$root/scripts/gate-process.sh"
start_gate "$root/src/OptOutGate.Server/bin/Release/net10.0" "$OUT/gate.log" --Gate:HttpPort=0 --Gate:MetricsPort=-1 \
    --Gate:DataDirectory="$data" --Engine:ExpectedEntries="$ENTRIES"
base="$gate_http_address"
"${lt[@]}" wait-ready --address "$gate_address" -t 120s
echo "console: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); loading $ENTRIES opt-outs; logs in $OUT"
"${lt[@]}" load --address "$gate_address" --dataset "$ENTRIES" -t 120s 2>&1 | grep -v -E '^load: [0-9,]+/' | tee "$OUT/load.txt"

# Sign in as a browser does: the form's antiforgery token and cookie, then the session cookie.
token="$(curl -s -c "$jar" -b "$jar" "$base/console/signin" | sed -n 's/.*name="__RequestVerificationToken" type="hidden" value="\([^"]*\)".*/\1/p' | head -1)"
[[ -n "$token" ]] || { echo "console: no antiforgery token on the sign-in page" >&2; exit 1; }
status="$(curl -s -o /dev/null -w '%{http_code}' -c "$jar" -b "$jar" --data-urlencode "__RequestVerificationToken=$token" --data "returnUrl=/console" "$base/console/signin")"
[[ "$status" == 302 ]] || { echo "console: sign-in answered $status" >&2; exit 1; }

# The 40th page of the sender's list, by following the pages' own tokens (what a user clicking "Next page" does).
next="/console/unsubscribed?sender=LOADTEST"
for _ in $(seq 1 39); do
    next="$(curl -s -b "$jar" "$base$next" | sed -n 's/.*<a href="\([^"]*\)" id="next">.*/\1/p' | sed 's/&amp;/\&/g' | head -1)"
    [[ -n "$next" ]] || { echo "console: the list ended before page 40" >&2; exit 1; }
done
number="$(curl -s -b "$jar" "$base/console/unsubscribed?sender=LOADTEST&reveal=1" | grep -o '+[0-9]\{8,15\}' | grep -v '^+1LOAD' | head -1)"
today="$(date -u +%Y-%m-%d)"

measure() {
    local name=$1 path=$2
    local times=() size="" status
    for _ in $(seq 1 "$REQUESTS"); do
        read -r status ttfb size < <(curl -s -o /dev/null -b "$jar" -w '%{http_code} %{time_starttransfer} %{size_download}\n' "$base$path")
        [[ "$status" == 200 ]] || { echo "console: $path answered $status" >&2; exit 1; }
        times+=("$ttfb")
    done
    printf '%s\n' "${times[@]}" | sort -g | awk -v name="$name" -v size="$size" -v n="$REQUESTS" '
        { t[NR] = $1 * 1000 }
        END { printf "console: %-16s median %7.1f ms  p90 %7.1f ms  max %7.1f ms  (%d requests, %d bytes)\n", name, t[int((n + 1) / 2)], t[int(n * 0.9 + 0.5)], t[n], n, size }'
}

measure optouts "/console/unsubscribed"
measure optouts-sender "/console/unsubscribed?sender=LOADTEST"
measure optouts-page-40 "$next"
measure optouts-range "/console/unsubscribed?sender=LOADTEST&from=$today&to=$today"
measure records "/console/records"
measure records-sender "/console/records?sender=LOADTEST"
measure records-number "/console/records?number=$(python3 -c 'import urllib.parse, sys; print(urllib.parse.quote(sys.argv[1]))' "$number")"
measure overview "/console"
echo "console: ENTRIES=$ENTRIES, load average $(cut -d' ' -f1-3 /proc/loadavg) after the runs"
