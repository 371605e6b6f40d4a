#!/usr/bin/env bash
# Installs everything the tests need on a fresh Debian 12 machine, then runs every test.
#   redis-server        real Redis for replica and race tests
#   python3-grpcio      Python gRPC (C-core), an independent client for interop tests
#   python3-grpc-tools  its code generator
#   grpc-proto          grpc.health.v1 and grpc.reflection .proto files as gRPC publishes them, for those clients
#   prometheus          promtool, which validates the /metrics exposition
#   grpc-proto          the standard health and reflection .proto files (/usr/share/grpc-proto) for independent clients
#   npm ci              @grpc/grpc-js and @grpc/proto-loader, a second independent client
#   garnet-server       Microsoft Garnet (a dotnet tool, in .tools/garnet/), the race's second peer
#   dotnet-stack        a dotnet tool (in .tools/dotnet-stack/): a test that finds a gate process hung prints its stacks
#   chromium            the browser the web console's tests drive through Playwright (which cannot download one here)
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v redis-server >/dev/null 2>&1 || need_apt+=(redis-server)
command -v promtool >/dev/null 2>&1 || need_apt+=(prometheus)
/usr/bin/python3 -c 'import grpc' >/dev/null 2>&1 || need_apt+=(python3-grpcio)
/usr/bin/python3 -c 'import grpc_tools.protoc' >/dev/null 2>&1 || need_apt+=(python3-grpc-tools)
[ -f /usr/share/grpc-proto/grpc/health/v1/health.proto ] || need_apt+=(grpc-proto)
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
[ ${#need_apt[@]} -eq 0 ] || scripts/install-debian.sh "${need_apt[@]}"

if [ -f tests/interop/node/package-lock.json ]; then
    (cd tests/interop/node && npm ci --no-audit --no-fund --loglevel=error)
fi

# The interop tests and the server-process tests find the peers through these.
export OPTOUTGATE_PYTHON=/usr/bin/python3
OPTOUTGATE_GARNET_SERVER="$(scripts/install-garnet.sh)"
export OPTOUTGATE_GARNET_SERVER
OPTOUTGATE_DOTNET_STACK="$(scripts/install-tool.sh dotnet-stack 10.0.750501)"
export OPTOUTGATE_DOTNET_STACK
export OPTOUTGATE_NODE="$(command -v node)"
# Playwright drives /usr/bin/chromium; it must not try to fetch a browser build of its own.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

# The closing line's parser is checked first against captured output, crashed test hosts included.
scripts/test-summary/check.sh

# The build, the test runner and the tests run without the JIT's instrumented tier (profile-guided optimization): for
# processes that live seconds to minutes it recompiles more than it gains. The build: 38-43 s with it, 24-28 s without
# (clean clone, compiler server cold, same machine and hour). The tests' own settings: tests/tests.runsettings.
export DOTNET_TieredPGO=0

# One compiler server for the whole build (some machines turn it off with UseSharedCompilation=false in the
# environment): each of the eight projects' compilations otherwise starts and warms up a compiler of its own (40 s
# instead of 46 here, both with the instrumented tier). It is stopped before the tests so that it holds no memory or
# CPU while they run.
dotnet build OptOutGate.sln -c Release -warnaserror -p:UseSharedCompilation=true
dotnet build-server shutdown >/dev/null 2>&1 || true

# One plain closing line ("N passed, N failed, N skipped, N aborted") summed over every test assembly, for people
# and for CI. A test host that crashes prints no summary of its own: the line names it, and the script fails.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
dotnet test OptOutGate.sln -c Release --no-build "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
awk -f scripts/test-summary/summarize.awk "$log"
summary_status=$?
set -e
[ "$status" -ne 0 ] || status=$summary_status
exit "$status"
