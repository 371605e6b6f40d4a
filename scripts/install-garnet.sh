#!/usr/bin/env bash
# Installs Microsoft Garnet's server (the dotnet tool garnet-server, GARNET_VERSION, default the race's 2.2.12) into the
# repository's ignored tool folder .tools/garnet/ unless that version is already there, and prints the executable's
# path. Nothing is installed globally. Used by load-tests/run-perf.sh (the race's second peer) and scripts/test.sh
# (the race's peer tests).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
version="${GARNET_VERSION:-2.2.12}"
dir="$root/.tools/garnet"
exe="$dir/garnet-server"

installed=""
if [[ -x "$exe" ]]; then
    installed="$(dotnet tool list --tool-path "$dir" 2>/dev/null | awk '$1 == "garnet-server" { print $2 }')"
fi

if [[ "$installed" != "$version" ]]; then
    echo "Installing garnet-server $version into $dir" >&2
    if [[ -n "$installed" ]]; then
        dotnet tool uninstall --tool-path "$dir" garnet-server >/dev/null
    fi
    dotnet tool install --tool-path "$dir" garnet-server --version "$version" >/dev/null
fi

echo "$exe"
