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
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "== libdesurv: bench_iter"
"$build/bench/bench_iter" "$@" | tee "$tmp/lib.txt"
echo
echo "== scikit-learn: sklearn_nmf.py"
"$python" "$here/sklearn_nmf.py" "$@" | tee "$tmp/sk.txt"
echo
# The machine's speed drifts between the two programs, so each time is set
# against the floor measured in its own program's run.
echo "== alpha = 0 against scikit-learn, each as a multiple of its own run's floor"
awk 'FNR == NR && /^[SML] +[0-9]+x[0-9]+, [0-9]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+/ {
         lib[$1] = $6; next }
     FNR != NR && /^[SML] +[0-9]+x[0-9]+, [0-9]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ \|/ {
         if ($1 in lib)
             printf "%s  libdesurv %.2fx floor, scikit-learn %.2fx floor: libdesurv %.2fx faster\n",
                    $1, lib[$1], $6, $6 / lib[$1] }' "$tmp/lib.txt" "$tmp/sk.txt"
echo
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
