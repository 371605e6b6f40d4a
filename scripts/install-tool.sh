#!/usr/bin/env bash
# Installs the dotnet tool NAME at VERSION into the repository's ignored tool folder .tools/NAME/ unless that version is
# already there, and prints the executable's path. Nothing is installed globally.
#   scripts/install-tool.sh garnet-server 2.2.12   the race's second peer (load-tests/run-perf.sh, scripts/test.sh)
#   scripts/install-tool.sh dotnet-stack 10.0.750501   the managed stacks of a gate a test found hung (scripts/test.sh)
set -euo pipefail
[[ $# -eq 2 ]] || { echo "usage: $0 NAME VERSION" >&2; exit 2; }
name="$1"
version="$2"
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="$root/.tools/${name%-server}"
exe="$dir/$name"

installed=""
if [[ -x "$exe" ]]; then
    installed="$(dotnet tool list --tool-path "$dir" 2>/dev/null | awk -v n="$name" '$1 == n { print $2 }')"
fi

if [[ "$installed" != "$version" ]]; then
    echo "Installing $name $version into $dir" >&2
    if [[ -n "$installed" ]]; then
        dotnet tool uninstall --tool-path "$dir" "$name" >/dev/null
    fi
    dotnet tool install --tool-path "$dir" "$name" --version "$version" >/dev/null
fi

echo "$exe"
