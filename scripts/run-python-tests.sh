#!/bin/sh
# run-python-tests.sh SRCROOT LIBDESURV
# Hook for the Python binding's tests (bindings/python/).  Registered as the
# meson test 'python' (suite 'python'), so `meson test` runs it.
#   - Interpreter: Debian's /usr/bin/python3 (numpy, pytest are Debian
#     packages installed by scripts/setup.sh; there is no PyPI here).  Set
#     DESURV_PYTHON to use another one.
#   - The binding finds the freshly built library through DESURV_LIBRARY
#     (its loader's override variable) and is imported from the source tree.
#   - Exit 77 (meson: skipped) while there are no Python tests.
set -eu
src=$1 lib=$2
py=${DESURV_PYTHON:-/usr/bin/python3}
pkgdir=$src/bindings/python
if ! find "$pkgdir" \( -name 'test_*.py' -o -name '*_test.py' \) 2>/dev/null | grep -q .; then
    echo "no Python tests under bindings/python yet: skipped"
    exit 77
fi
if ! "$py" -c 'import pytest, numpy' 2>/dev/null; then
    echo "$py lacks pytest or numpy (run scripts/setup.sh)"
    exit 1
fi
# meson may pass a path relative to the build directory (the current one
# here): make it absolute before leaving for the package directory.
case $lib in
/*) ;;
*) lib=$(pwd)/$lib ;;
esac
export DESURV_LIBRARY="$lib"
# A sanitizer build of the library (scripts/test.sh stage 'sanitize') needs
# the ASan runtime loaded first into the (unsanitized) interpreter; leak
# checking is off there because the interpreter's own allocations are not
# ours to judge (the C suites check the library's leaks).
# The BLAS and LAPACK the library was linked with are preloaded too: numpy
# is imported first and binds the soname libblas.so.3 to the system's
# default (OpenBLAS), which the library would then share in-process, so a
# -Dblas=reference build would silently run on OpenBLAS and differ from the
# desurv command in the last bits.  Preloaded, numpy and the library both
# use the configured one (a no-op for the default OpenBLAS build).
blas=$(ldd "$lib" 2>/dev/null | awk '/lib(blas|lapack)\.so/ {print $3}' | paste -sd: -)
if [ -n "$blas" ]; then
    export LD_PRELOAD="$blas${LD_PRELOAD:+:$LD_PRELOAD}"
fi
asan=$(ldd "$lib" 2>/dev/null | awk '/libasan/ {print $3}')
if [ -n "$asan" ]; then
    export LD_PRELOAD="$asan${LD_PRELOAD:+:$LD_PRELOAD}"
    export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
fi
export PYTHONPATH="$pkgdir${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONDONTWRITEBYTECODE=1
cd "$pkgdir"
exec "$py" -m pytest -q -p no:cacheprovider .
