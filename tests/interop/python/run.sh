#!/usr/bin/env bash
# Runs the python interop client with Debian's interpreter; all arguments are passed through.
#   tests/interop/python/run.sh --host 127.0.0.1 --port 50051 --test_case all
# The client generates its stubs itself (grpc_tools.protoc) into a fresh temporary folder, or into
# --gen_dir DIR (e.g. tests/interop/python/gen, which is gitignored).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
py=/usr/bin/python3
if ! "$py" -c 'import grpc, grpc_tools.protoc' 2>/dev/null; then
  echo "ERROR: $py cannot import grpc / grpc_tools: apt-get install -y python3-grpcio python3-grpc-tools" >&2
  exit 2
fi
exec "$py" "$here/interop_client.py" "$@"
