#!/bin/sh
# check-blas.sh KIND BINARY...
# Verify with ldd (i.e. with the dynamic loader itself) which BLAS/LAPACK the
# given binaries load.  Debian installs every BLAS as libblas.so.3 and
# selects one with update-alternatives, so "linked against the reference
# BLAS" is only true if the run-time resolution says so.
#   openblas:  libopenblas.so.0 is loaded.
#   reference: libblas.so.3 and liblapack.so.3 resolve to .../blas/ and
#              .../lapack/ (Debian's reference builds) and no libopenblas is
#              loaded.
set -eu
kind=$1
shift
status=0
for bin in "$@"; do
    out=$(ldd "$bin")
    name=$(basename "$bin")
    if echo "$out" | grep -q 'not found'; then
        echo "FAIL: $name: unresolved libraries:"
        echo "$out" | grep 'not found'
        status=1
    fi
    case $kind in
    openblas)
        if ! echo "$out" | grep -q 'libopenblas\.so'; then
            echo "FAIL: $name does not load libopenblas"
            status=1
        fi
        ;;
    reference)
        if echo "$out" | grep -q 'openblas'; then
            echo "FAIL: $name loads OpenBLAS in a reference build:"
            echo "$out" | grep openblas
            status=1
        fi
        if ! echo "$out" | grep -q 'libblas\.so\.3 => [^ ]*/blas/libblas\.so\.3'; then
            echo "FAIL: $name: libblas.so.3 is not the reference BLAS"
            status=1
        fi
        if ! echo "$out" | grep -q 'liblapack\.so\.3 => [^ ]*/lapack/liblapack\.so\.3'; then
            echo "FAIL: $name: liblapack.so.3 is not the reference LAPACK"
            status=1
        fi
        ;;
    *)
        echo "check-blas.sh: unknown kind '$kind'" >&2
        exit 2
        ;;
    esac
    echo "$name:"
    echo "$out" | grep -E 'blas|lapack' | sed 's/ (0x[0-9a-f]*)//; s/^[[:space:]]*/    /'
done
[ "$status" -eq 0 ] && echo "ok: $kind BLAS/LAPACK loaded by: $*"
exit "$status"
