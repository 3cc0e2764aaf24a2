#!/bin/sh
# scripts/test.sh - set up, build and run the whole test suite.
#
# Stages (each in its own build directory, $DESURV_BUILDDIR defaults to
# ./build):
#   default    OpenBLAS, release build:       meson test  (unit, build, python, r, examples)
#   valgrind   same build, memcheck:          meson test --setup=valgrind
#   reference  -Dblas=reference:              meson test  (in $B-reference)
#   sanitize   -Db_sanitize=address,undefined, debug build, ASan+LSan+UBSan:
#                                             meson test  (in $B-sanitize, examples
#                                             excluded); this
#                                             also runs the desurv command's
#                                             malformed-input corpus sanitized
#   clivalgrind  (with DESURV_LONG=1, or named in DESURV_STAGES) the desurv
#              command's malformed-input and validate tests with the binary
#              itself under memcheck
#              (DESURV_CLI_WRAPPER; several minutes)
# Every stage runs even if an earlier one failed; the summary lists them and
# the exit status is non-zero when any failed.
#
# Environment:
#   DESURV_QUICK=1       only the default stage
#   DESURV_STAGES="..."  explicit list of stages, e.g. "default sanitize"
#   DESURV_LONG=1        also run the long tests: meson suite 'long' (skipped
#                        by default) and, under valgrind, the Check test
#                        cases tagged "slow" (skipped by --setup=valgrind)
#   DESURV_BUILDDIR=dir  base name of the build directories
# Python binding tests run inside `meson test` (suite 'python') with
# /usr/bin/python3; see scripts/run-python-tests.sh.  R package tests (suite
# 'r') install bindings/r into $B/r-lib; see scripts/run-r-tests.sh.
set -u
DESURV_ROOT=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
. "$DESURV_ROOT/scripts/lib.sh"
cd "$DESURV_ROOT"
B=${DESURV_BUILDDIR:-build}

if [ -n "${DESURV_STAGES:-}" ]; then
    stages=$DESURV_STAGES
elif [ "${DESURV_QUICK:-0}" = 1 ]; then
    stages="default"
else
    stages="default valgrind reference sanitize"
    [ "${DESURV_LONG:-0}" = 1 ] && stages="$stages clivalgrind"
fi
suite_args="--no-suite long"
[ "${DESURV_LONG:-0}" = 1 ] && suite_args=""

desurv_setup || { echo "test: scripts/setup.sh failed" >&2; exit 1; }

# build_and_test BUILDDIR [meson test args...] -- options are taken from $opts
build_and_test() {
    _b=$1
    shift
    # shellcheck disable=SC2086
    desurv_configure "$_b" $opts && meson compile -C "$_b" &&
        meson test -C "$_b" --print-errorlogs $suite_args "$@"
}

run_stage() {
    case $1 in
    default)
        opts="-Dblas=openblas -Db_sanitize=none -Dtests=true"
        build_and_test "$B" ;;
    valgrind)
        opts="-Dblas=openblas -Db_sanitize=none -Dtests=true"
        if [ "${DESURV_LONG:-0}" = 1 ]; then
            build_and_test "$B" --setup=valgrindfull
        else
            build_and_test "$B" --setup=valgrind
        fi ;;
    reference)
        opts="-Dblas=reference -Db_sanitize=none -Dtests=true"
        build_and_test "$B-reference" ;;
    sanitize)
        # CK_FORK=no: Check runs the tests in-process, so ASan/LSan see them.
        opts="-Dblas=openblas -Db_sanitize=address,undefined -Dbuildtype=debug -Dtests=true"
        (
            export ASAN_OPTIONS=detect_leaks=1
            export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
            export CK_FORK=no
            # the examples run in the default and reference stages; under
            # an -O0 sanitizer build tune_sim alone would take minutes
            build_and_test "$B-sanitize" --no-suite examples
        ) ;;
    clivalgrind)
        opts="-Dblas=openblas -Db_sanitize=none -Dtests=true"
        (
            export OPENBLAS_NUM_THREADS=1
            export DESURV_CLI_WRAPPER="valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect"
            # the malformed-input corpus and validate; the end-to-end suite's
            # demo and SIGINT timing do not survive memcheck's slowdown
            build_and_test "$B" --timeout-multiplier 20 cli-malformed cli-validate
        ) ;;
    *)
        echo "test: unknown stage '$1' (default valgrind reference sanitize clivalgrind)" >&2
        return 2 ;;
    esac
}

summary=""
failed=0
for s in $stages; do
    echo
    echo "=== stage: $s ==="
    t0=$(date +%s)
    if run_stage "$s"; then r=ok; else r=FAILED; failed=1; fi
    t=$(($(date +%s) - t0))
    summary="$summary$(printf '  %-10s %-7s %4ds' "$s" "$r" "$t")
"
done
echo
echo "=== summary ==="
printf '%s' "$summary"
exit $failed
