#!/bin/sh
# check-install.sh BUILDDIR PREFIX LIBDIR INCLUDEDIR VERSION SANFLAGS BLAS SMOKE_C QUICKSTART_C SRCROOT CC...
# Install into a temporary DESTDIR with `meson install --destdir`, check the
# installed files, then build programs against the installed tree using only
# pkg-config (PKG_CONFIG_PATH into the destdir) and run them with
# LD_LIBRARY_PATH pointing into the destdir:
#   - tests/build/smoke.c (always)
#   - examples/quickstart.c (when it exists)
# and check (check-blas.sh) that the installed library still loads the BLAS
# it was configured with.
set -eu
builddir=$1 prefix=$2 libdir=$3 includedir=$4 version=$5 sanflags=$6 blas=$7
smoke_c=$8 quickstart_c=$9
shift 9
srcroot=$1
shift
# "$@" is now the C compiler command.

dest=$(mktemp -d "${TMPDIR:-/tmp}/desurv-install.XXXXXX")
trap 'rm -rf "$dest"' EXIT
status=0
fail() { echo "FAIL: $*"; status=1; }

echo "+ meson install -C $builddir --no-rebuild --destdir $dest"
meson install -C "$builddir" --no-rebuild --destdir "$dest" >"$dest.log" 2>&1 || {
    cat "$dest.log"; rm -f "$dest.log"; echo "FAIL: meson install"; exit 1; }
rm -f "$dest.log"

L=$dest$libdir
I=$dest$includedir
for f in "$I/desurv/desurv.h" "$I/desurv/desurv_version.h" "$L/libdesurv.so" \
         "$L/libdesurv.so.0" "$L/libdesurv.so.$version" "$L/pkgconfig/desurv.pc"; do
    [ -e "$f" ] || fail "not installed: ${f#"$dest"}"
done
if find "$dest" -name 'libdesurv_internal*' | grep -q .; then
    fail "the internal static library was installed"
fi
[ "$status" -eq 0 ] || exit 1

# pkg-config, as a user of the installed tree would call it; the .pc file
# says prefix=$prefix, so point prefix into the destdir.  (pkg-config applies
# --define-variable to every package it reads, so a dependency whose .pc
# uses ${prefix} gets a harmless non-existent -I under the destdir.)
export PKG_CONFIG_PATH="$L/pkgconfig"
pc() { pkg-config --define-variable=prefix="$dest$prefix" "$@"; }
got=$(pc --modversion desurv)
[ "$got" = "$version" ] || fail "pkg-config --modversion desurv = '$got', expected '$version'"
cflags=$(pc --cflags desurv)
libs=$(pc --libs desurv)
echo "pkg-config --cflags: $cflags"
echo "pkg-config --libs:   $libs"
# The private requirements (BLAS, LAPACKE) must resolve for static linking.
pc --static --libs desurv >/dev/null || fail "pkg-config --static --libs desurv"

run_prog() { # name source
    name=$1 src=$2
    exe=$dest/$name
    # shellcheck disable=SC2086
    if ! "$cc_first" $cc_rest $sanflags $cflags "$src" -o "$exe" $libs -lm; then
        fail "$name: does not build against the installed tree"
        return
    fi
    if ! LD_LIBRARY_PATH="$L" ldd "$exe" | grep -q "libdesurv\.so\.0 => $L/"; then
        fail "$name: does not load libdesurv from the destdir"
    fi
    echo "+ (cd $srcroot && LD_LIBRARY_PATH=$L $exe)"
    if ! (cd "$srcroot" && LD_LIBRARY_PATH="$L" "$exe"); then
        fail "$name: failed when run against the installed library"
    fi
}

cc_first=$1
shift
cc_rest="$*"
run_prog smoke "$smoke_c"
if [ -x "$dest/smoke" ]; then
    LD_LIBRARY_PATH="$L" sh "$(dirname "$0")/check-blas.sh" "$blas" "$L/libdesurv.so.0" "$dest/smoke" ||
        fail "installed library: wrong BLAS/LAPACK"
fi
if [ -f "$quickstart_c" ]; then
    run_prog quickstart "$quickstart_c"
else
    echo "note: $quickstart_c does not exist yet; only the smoke program was run"
fi

[ "$status" -eq 0 ] && echo "ok: installed tree is usable through pkg-config"
exit "$status"
