"""Helpers shared by the tests of the desurv command (standard library only).

Every test script is run as  python3 SCRIPT DESURV_BINARY SOURCE_ROOT.
DESURV_CLI_WRAPPER in the environment (e.g. "valgrind -q --error-exitcode=99")
is put in front of every desurv invocation.
"""
import csv
import json
import os
import shlex
import subprocess
import sys
import tempfile
import unittest

DESURV = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else "desurv"
SRC = os.path.abspath(sys.argv[2]) if len(sys.argv) > 2 else "."
WRAPPER = shlex.split(os.environ.get("DESURV_CLI_WRAPPER", ""))


def run(*args, stdin=None, cwd=None, env=None, timeout=240):
    """Runs desurv ARGS; returns (exit code, stdout, stderr)."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    p = subprocess.run(WRAPPER + [DESURV] + [str(a) for a in args], input=stdin,
                       capture_output=True, cwd=cwd, env=full_env, timeout=timeout)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def read_tsv(path):
    """Header and rows of a TSV file (the quoting desurv writes is CSV-style)."""
    with open(path, newline="") as f:
        rows = list(csv.reader(f, delimiter="\t"))
    return rows[0], rows[1:]


def read_json(path):
    with open(path) as f:
        return json.load(f)


def numbers(cells):
    """Floats of a list of cells ("NA" -> nan); raises on anything else."""
    return [float("nan") if c == "NA" else float(c) for c in cells]


class TempDirCase(unittest.TestCase):
    """A test case with a fresh temporary directory self.tmp."""

    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="desurv-cli-")
        self.tmp = self._tmp.name

    def tearDown(self):
        self._tmp.cleanup()

    def path(self, *parts):
        return os.path.join(self.tmp, *parts)


def main():
    """unittest.main on the script's own arguments removed."""
    unittest.main(argv=[sys.argv[0], "-v"], verbosity=2)
