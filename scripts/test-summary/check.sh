#!/usr/bin/env bash
# Checks summarize.awk against captured `dotnet test` output: the closing line and the exit status for a clean run,
# a failed test, an assembly the filter left empty, and test hosts that crashed (the crash that once printed
# "1083 passed, 0 failed"). scripts/test.sh runs it first, so a summary that hides a crash fails CI.
set -euo pipefail
cd "$(dirname "$0")"

failures=0
expect() { # log, expected line, expected exit status
    local line status
    set +e
    line=$(awk -f summarize.awk "testdata/$1")
    status=$?
    set -e
    if [ "$line" != "$2" ] || [ "$status" != "$3" ]; then
        echo "test-summary: $1: got \"$line\" (exit $status), expected \"$2\" (exit $3)" >&2
        failures=$((failures + 1))
    fi
}

expect all-passed.log "3 passed, 0 failed, 1 skipped, 0 aborted" 0
expect filter-matches-one-assembly.log "1 passed, 0 failed, 0 skipped, 0 aborted" 0
expect one-failed.log "1 passed, 1 failed, 1 skipped, 0 aborted" 1
expect host-crashed.log "1 passed, 1 failed, 1 skipped, 1 aborted (Crash: test host crashed)" 1
expect load-tests-host-crashed.log \
    "1083 passed, 0 failed, 0 skipped, 1 aborted (OptOutGate.LoadTests.Tests: test host crashed)" 1
expect aborted-no-summary.log "0 passed, 0 failed, 0 skipped, 1 aborted (assembly unknown: test run aborted)" 1

[ "$failures" -eq 0 ] || exit 1
