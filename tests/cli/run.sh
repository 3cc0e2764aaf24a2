#!/bin/sh
# run.sh SCRIPT DESURV SOURCE_ROOT - run one test script of the desurv
# command with Debian's python3 (standard library only); skipped (77, as
# meson understands it) when python3 is missing.  meson starts this shell,
# not python, so that a test setup's wrapper (valgrind) never wraps the
# interpreter; set DESURV_CLI_WRAPPER (e.g. "valgrind -q --error-exitcode=99")
# to run the desurv binary itself under a wrapper.
if ! command -v python3 >/dev/null 2>&1; then
    echo "python3 not found: skipped"
    exit 77
fi
# No __pycache__ in the source tree.
# Debian's interpreter first: the python3 first on PATH may be another build.
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
PYTHONDONTWRITEBYTECODE=1 exec "$PY" "$@"
