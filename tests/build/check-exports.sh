#!/bin/sh
# check-exports.sh LIBRARY MAPFILE HEADER SONAME
# The ABI has three descriptions that must agree exactly:
#   1. the dynamic symbols libdesurv.so defines   (nm -D --defined-only)
#   2. the names in the linker version script      (lib/libdesurv.map)
#   3. the DESURV_API declarations of the header   (include/desurv/desurv.h)
# and every exported symbol must carry a DESURV_x.y version node, and the
# SONAME must be the expected one.
set -eu
lib=$1 map=$2 header=$3 soname=$4
tmp=$(mktemp -d "${TMPDIR:-/tmp}/desurv-exports.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
status=0

# 1. Exported: defined dynamic symbols, minus the version-node marker
#    symbols (type A), without the @@NODE suffix.
nm -D --defined-only "$lib" >"$tmp/nm.raw"
awk '$2 != "A" { print $3 }' "$tmp/nm.raw" >"$tmp/nm.versioned"
sed 's/@.*//' "$tmp/nm.versioned" | sort -u >"$tmp/exported"
# Every exported symbol is bound to a DESURV_ node.
if grep -v '@@*DESURV_[0-9][0-9.]*$' "$tmp/nm.versioned" >"$tmp/unversioned"; then
    echo "FAIL: exported symbols without a DESURV_x.y version node:"
    sed 's/^/    /' "$tmp/unversioned"
    status=1
fi

# 2. Version script: names listed under global: (comments stripped, any
#    number of nodes; everything after local: up to the closing brace is
#    ignored).
sed -e 's#/\*.*\*/##g' -e 's/#.*//' "$map" | tr ';' '\n' | awk '
    /global:/ { g = 1; sub(/.*global:/, "") }
    /local:/  { g = 0 }
    /}/       { g = 0 }
    g { gsub(/[ \t]/, ""); if ($0 != "") print }' | sort -u >"$tmp/map"

# 3. Header: the identifier before the first "(" on each line that starts
#    with DESURV_API (the #define lines do not start with it).
grep -E '^[[:space:]]*DESURV_API[[:space:]]' "$header" >"$tmp/decl.lines" || true
if grep -v '(' "$tmp/decl.lines" >"$tmp/decl.bad"; then
    echo "FAIL: DESURV_API declarations must have the function name and '(' on the DESURV_API line:"
    sed 's/^/    /' "$tmp/decl.bad"
    status=1
fi
sed -n 's/^[[:space:]]*DESURV_API[^(]*[^A-Za-z0-9_]\([A-Za-z_][A-Za-z0-9_]*\)[[:space:]]*(.*/\1/p' \
    "$tmp/decl.lines" | sort -u >"$tmp/header"

compare() { # name-a file-a name-b file-b
    if ! cmp -s "$2" "$4"; then
        echo "FAIL: $1 != $3"
        comm -23 "$2" "$4" | sed "s/^/    only in $1: /"
        comm -13 "$2" "$4" | sed "s/^/    only in $3: /"
        status=1
    fi
}
compare "library exports" "$tmp/exported" "version script" "$tmp/map"
compare "version script" "$tmp/map" "header" "$tmp/header"

if [ ! -s "$tmp/header" ]; then
    echo "FAIL: no DESURV_API declarations found in $header"
    status=1
fi

# SONAME
got=$(readelf -d "$lib" | sed -n 's/.*(SONAME).*\[\(.*\)\].*/\1/p')
if [ "$got" != "$soname" ]; then
    echo "FAIL: SONAME is '$got', expected '$soname'"
    status=1
fi

n=$(wc -l <"$tmp/header")
[ "$status" -eq 0 ] && echo "ok: $n symbols exported = version script = header; SONAME $got"
exit "$status"
