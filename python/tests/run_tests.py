"""Runs the binding's unittest tests and prints one line per test in the
format of tests/run.sh: ``PASS python/NAME``, ``FAIL python/NAME: why`` or
``SKIP python/NAME: why``.  The exit status is 0 even when tests fail (the
FAIL lines carry the verdict); it is non-zero only when the tests could not
be loaded at all.

Usage: python3 run_tests.py [PATTERN]   (default pattern: test_*.py)
"""

import os
import sys
import unittest

PREFIX = "python/"


class LineResult(unittest.TestResult):
    """Prints each outcome as soon as it is known."""

    def _name(self, test):
        return PREFIX + test.id().rsplit(".", 1)[-1]

    def addSuccess(self, test):
        super().addSuccess(test)
        print("PASS " + self._name(test), flush=True)

    def _fail(self, test, err, kind):
        text = self._exc_info_to_string(err, test).strip().splitlines()
        where = [line.strip() for line in text if line.strip().startswith("File ")]
        why = "%s: %s" % (kind, text[-1] if text else "?")
        if where:
            why += " (" + where[-1] + ")"
        print("FAIL %s: %s" % (self._name(test), why), flush=True)
        sys.stderr.write("\n".join(text) + "\n")

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._fail(test, err, "failed")

    def addError(self, test, err):
        super().addError(test, err)
        self._fail(test, err, "error")

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        print("SKIP %s: %s" % (self._name(test), reason), flush=True)

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        print("FAIL %s: unexpected success" % self._name(test), flush=True)

    def addExpectedFailure(self, test, err):
        super().addExpectedFailure(test, err)
        print("PASS " + self._name(test), flush=True)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    pattern = sys.argv[1] if len(sys.argv) > 1 else "test_*.py"
    suite = unittest.defaultTestLoader.discover(here, pattern=pattern, top_level_dir=here)
    result = LineResult()
    suite.run(result)
    if result.testsRun == 0:
        print("FAIL python/load: no tests found")
    return 0


if __name__ == "__main__":
    sys.exit(main())
