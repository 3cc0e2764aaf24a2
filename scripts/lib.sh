# scripts/lib.sh - helpers shared by scripts/demo.sh and scripts/test.sh
# (sourced, not run).  POSIX sh.

# Install the Debian packages (scripts/setup.sh uses sudo itself, and only
# when it is not root and something is missing).
desurv_setup() {
    sh "$DESURV_ROOT/scripts/setup.sh"
}

# desurv_configure BUILDDIR [-Dopt=value ...]
# Configure BUILDDIR with the given options: `meson setup` the first time,
# `meson configure` afterwards (cheap; ninja then regenerates if needed).
desurv_configure() {
    _dir=$1
    shift
    if [ -f "$_dir/meson-private/coredata.dat" ]; then
        if [ $# -gt 0 ]; then
            meson configure "$_dir" "$@" >/dev/null
        fi
    else
        meson setup "$_dir" "$@"
    fi
}
