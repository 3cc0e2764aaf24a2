#!/bin/sh
# scripts/setup.sh - install everything libdesurv needs from Debian's archive.
#
# Idempotent: checks each package with dpkg-query and does nothing at all
# (no apt-get update either) when every one is installed.  Otherwise runs
# `apt-get update` and then installs only the missing ones.  Needs root: as
# root it calls apt-get directly, otherwise through sudo.  Non-interactive
# (safe in CI without a terminal).  Why each package is needed: README.md,
# "Dependencies".
set -eu

# Build and test the library.
PKGS_BUILD="meson ninja-build pkg-config gcc g++ binutils
libopenblas-dev liblapacke-dev libblas-dev liblapack-dev
check zlib1g-dev valgrind"
# Python binding and its tests (Debian's /usr/bin/python3; no PyPI).
PKGS_PYTHON="python3-numpy python3-pytest python3-matplotlib python3-pandas python3-sklearn python3-tqdm
python3-pip python3-setuptools"
# Regenerating the golden files in tests/golden (R survival / glmnet).
PKGS_GOLDEN="r-base-core r-cran-survival r-cran-glmnet"
# R package (bindings/r): compiling its C glue (R headers, R CMD INSTALL)
# and its testthat tests (meson suite 'r').
PKGS_R="r-base-dev r-cran-testthat"

missing=""
for p in $PKGS_BUILD $PKGS_PYTHON $PKGS_GOLDEN $PKGS_R; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
        missing="$missing $p"
done
if [ -z "$missing" ]; then
    echo "setup: all packages present"
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
else
    echo "setup: need root (or sudo) to install:$missing" >&2
    exit 1
fi

echo "setup: installing$missing"
# shellcheck disable=SC2086
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q </dev/null
# shellcheck disable=SC2086
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing </dev/null
