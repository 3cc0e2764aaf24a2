#!/bin/sh
# Build bench_iter in its own build directory and run both benchmarks:
# libdesurv per-iteration time vs the BLAS floor, then scikit-learn's MU NMF.
#
#   bench/run.sh [--shapes S,M,L] [--reps N]      (arguments go to both)
#
# BLAS threading: OPENBLAS_NUM_THREADS (and GOTO_/OMP_NUM_THREADS, which
# OpenBLAS also reads) are unset, so OpenBLAS uses every core, for both
# programs.  BUILD_DIR (default build-bench) and PYTHON (default
# /usr/bin/python3, Debian's, with numpy and scikit-learn) can be overridden.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
build=${BUILD_DIR:-"$root/build-bench"}
python=${PYTHON:-/usr/bin/python3}

unset OPENBLAS_NUM_THREADS GOTO_NUM_THREADS OMP_NUM_THREADS

if [ ! -f "$build/build.ninja" ]; then
    meson setup "$build" "$root" -Dbuildtype=release
fi
ninja -C "$build" bench/bench_iter >/dev/null

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "== libdesurv: bench_iter"
"$build/bench/bench_iter" "$@"
echo
echo "== scikit-learn: sklearn_nmf.py"
"$python" "$here/sklearn_nmf.py" "$@"
echo
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
