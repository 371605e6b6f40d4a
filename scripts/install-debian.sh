#!/usr/bin/env bash
# Installs the Debian packages named that are not installed yet (apt-get, through sudo when not root), so that every
# script the README names runs on a fresh machine: scripts/test.sh (its whole list), load-tests/run-perf.sh
# (redis-server for the race, python3-grpcio for the latency probe), scripts/cluster.sh (redis-server).
#   scripts/install-debian.sh redis-server python3-grpcio
set -euo pipefail
missing=()
for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[[ ${#missing[@]} -gt 0 ]] || exit 0

echo "Installing Debian packages: ${missing[*]}" >&2
sudo=()
[[ "$(id -u)" -eq 0 ]] || sudo=(sudo)
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
