#!/usr/bin/env bash
# Installs Microsoft Garnet's server (the dotnet tool garnet-server, GARNET_VERSION, default the race's 2.2.12) into the
# repository's ignored tool folder .tools/garnet/ unless that version is already there, and prints the executable's
# path. Used by load-tests/run-perf.sh (the race's second peer) and scripts/test.sh (the race's peer tests).
set -euo pipefail
exec "$(dirname "$0")/install-tool.sh" garnet-server "${GARNET_VERSION:-2.2.12}"
