#!/bin/sh
# run-r-tests.sh SRCROOT LIBDESURV BUILDROOT
# The R package's tests (bindings/r): registered as the meson test 'r'
# (suite 'r'), so `meson test` and scripts/test.sh run it.
#   - Needs Debian's R (r-base-dev: Rscript, headers, R CMD INSTALL) and
#     testthat (r-cran-testthat); scripts/setup.sh installs both.  Without
#     either the test is skipped (exit 77) with a message saying which.
#   - The package is copied to BUILDROOT/r-pkg (R CMD INSTALL builds in
#     the source directory; the copy keeps the checkout clean and build
#     directories independent) and installed into the temporary library
#     BUILDROOT/r-lib against the freshly built library of this build
#     directory (configure's DESURV_BUILD_DIR), then testthat runs the
#     tests in bindings/r/tests/testthat with that library first in
#     .libPaths().
#   - The tests compare with the Python binding (Debian's /usr/bin/python3,
#     DESURV_PYTHON to override) and the desurv command of the same build
#     directory, so both get the same library and BLAS.
set -eu
src=$1 lib=$2 build=$3
case $lib in /*) ;; *) lib=$(pwd)/$lib ;; esac
case $build in /*) ;; *) build=$(pwd)/$build ;; esac

if ! command -v Rscript >/dev/null 2>&1 || ! command -v R >/dev/null 2>&1; then
    echo "R is not installed (Rscript not found): R package tests skipped (scripts/setup.sh installs r-base-dev)"
    exit 77
fi
if ! Rscript -e 'quit(status = !requireNamespace("testthat", quietly = TRUE))' >/dev/null 2>&1; then
    echo "the R package testthat is not installed: R package tests skipped (scripts/setup.sh installs r-cran-testthat)"
    exit 77
fi
if [ ! -f /usr/share/R/include/R.h ] && [ ! -f "$(R RHOME)/include/R.h" ]; then
    echo "R's headers are missing (install r-base-dev, scripts/setup.sh)"
    exit 1
fi

# The BLAS/LAPACK the library was linked with, and in sanitizer builds the
# ASan runtime, are preloaded into R, for the reasons given in
# scripts/run-python-tests.sh: R itself links libblas.so.3 (Debian's
# alternative), which would otherwise also serve the library's BLAS calls.
blas=$(ldd "$lib" 2>/dev/null | awk '/lib(blas|lapack)\.so/ {print $3}' | paste -sd: -)
preload=$blas
asan=$(ldd "$lib" 2>/dev/null | awk '/libasan/ {print $3}')
if [ -n "$asan" ]; then
    preload="$asan${preload:+:$preload}"
    export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
fi

# The glue is C11 and warning-free with the project's warnings (R CMD
# INSTALL compiles it with R's own flags).
rinc=$(R RHOME)/include
[ -f "$rinc/R.h" ] || rinc=/usr/share/R/include
cc=${CC:-cc}
if ! $cc -std=c11 -Wall -Wextra -pedantic -Werror -fsyntax-only -I"$rinc" \
        -I"$src/include" -I"$build" "$src/bindings/r/src/desurv_r.c"; then
    echo "bindings/r/src/desurv_r.c does not compile warning-free as C11"
    exit 1
fi

pkg=$build/r-pkg
rlib=$build/r-lib
rm -rf "$pkg" "$rlib"
mkdir -p "$rlib"
cp -R "$src/bindings/r" "$pkg"
# --no-test-load: the load test would run without the preloads below.
DESURV_BUILD_DIR=$build R CMD INSTALL --no-test-load --no-multiarch -l "$rlib" "$pkg" \
    >"$build/r-install.log" 2>&1 || {
    cat "$build/r-install.log"
    echo "R CMD INSTALL failed"
    exit 1
}

export R_LIBS="$rlib"
export DESURV_LIBRARY="$lib"
export DESURV_CLI="$build/cli/desurv"
export DESURV_PYTHON="${DESURV_PYTHON:-/usr/bin/python3}"
export DESURV_PYTHONPATH="$src/bindings/python"
export DESURV_SRC="$src"
export DESURV_R_PKG="$pkg"
export PYTHONDONTWRITEBYTECODE=1
if [ -n "$preload" ]; then
    export LD_PRELOAD="$preload${LD_PRELOAD:+:$LD_PRELOAD}"
fi
cd "$pkg/tests"
exec Rscript --vanilla -e '
library(testthat)
library(desurv, lib.loc = Sys.getenv("R_LIBS"))
cat("desurv", as.character(packageVersion("desurv")), "over libdesurv", desurv_version(), "\n")
res <- test_dir("testthat", package = "desurv", load_package = "installed",
                reporter = ProgressReporter$new(show_praise = FALSE), stop_on_failure = TRUE)
'
