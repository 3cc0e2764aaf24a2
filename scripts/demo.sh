#!/bin/sh
# scripts/demo.sh [desurv demo options] - set up, build, and run `desurv demo`:
# a quick cross-validated tuning of DeSurv on the bundled TCGA-PAAD cohort
# (options are passed on, e.g. --data DIR, --out DIR, --threads N).
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
if ! meson compile -C "$B" cli/desurv; then
    echo "demo: could not build cli/desurv (see above)" >&2
    exit 1
fi
threads=$(nproc 2>/dev/null || echo 1)
echo "+ $B/cli/desurv demo --threads $threads $*"
exec "$B/cli/desurv" demo --threads "$threads" "$@"
