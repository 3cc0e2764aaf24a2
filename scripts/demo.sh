#!/bin/sh
# scripts/demo.sh [DATA_DIR] - set up, build, and fit DeSurv to the bundled
# TCGA-PAAD data (examples/fit_paad.c; DATA_DIR defaults to data/tcga_paad).
#
# On a fresh machine this installs the Debian packages (scripts/setup.sh,
# with sudo only when not root), configures the build directory (default
# ./build, or $DESURV_BUILDDIR) and builds what the example needs.
set -eu
DESURV_ROOT=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
. "$DESURV_ROOT/scripts/lib.sh"
cd "$DESURV_ROOT"
B=${DESURV_BUILDDIR:-build}

desurv_setup
desurv_configure "$B"
if ! meson compile -C "$B" examples/fit_paad; then
    echo "demo: could not build examples/fit_paad (see above)" >&2
    exit 1
fi
data=${1:-data/tcga_paad}
[ $# -gt 0 ] && shift
echo "+ $B/examples/fit_paad $data $*"
exec "$B/examples/fit_paad" "$data" "$@"
