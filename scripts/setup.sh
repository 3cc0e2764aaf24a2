#!/bin/sh
# Install everything libdesurv needs from Debian's archive.  Idempotent: does
# nothing when every package is already present.  Run as root (or via sudo).
set -eu
PKGS="meson ninja-build pkg-config gcc g++ make \
libopenblas-dev liblapacke-dev libblas-dev liblapack-dev \
check zlib1g-dev valgrind \
r-base-core r-cran-survival r-cran-glmnet \
python3-numpy python3-sklearn python3-pytest python3-matplotlib python3-pandas"
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -z "$missing" ]; then
  echo "setup: all packages present"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else
    echo "setup: need root to install:$missing" >&2; exit 1; fi
else SUDO=""; fi
echo "setup: installing$missing"
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q
# shellcheck disable=SC2086
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
