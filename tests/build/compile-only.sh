#!/bin/sh
# compile-only.sh SOURCE COMPILER [ARGS...]
# Compile SOURCE to a throw-away object with the given compiler command and
# flags; the test passes when the compiler does (warnings are errors by the
# caller's -Werror).  Used for the public-header tests (C99, C++11).
set -eu
src=$1
shift
obj=$(mktemp "${TMPDIR:-/tmp}/desurv-hdr.XXXXXX")
trap 'rm -f "$obj"' EXIT
echo "+ $* -c $src -o <tmp>"
"$@" -c "$src" -o "$obj"
echo "ok: $(basename "$src") compiles"
