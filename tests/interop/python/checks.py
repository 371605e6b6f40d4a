"""The OK/FAIL line format the repository's python clients report in (tests read these lines)."""

import sys


class Checks:
    """Counts checks and prints "OK: <name>" or "FAIL: <name>: <reason>", one line each, flushed at once."""

    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, name, ok, reason=""):
        if ok:
            self.passed += 1
            print("OK: " + name)
        else:
            self.failed += 1
            print("FAIL: %s: %s" % (name, reason))
        sys.stdout.flush()

    def summary(self):
        """Prints "N passed, N failed"; returns the exit code (0 when nothing failed)."""
        print("%d passed, %d failed" % (self.passed, self.failed))
        return 0 if self.failed == 0 else 1
