#!/bin/sh
# check-sources.sh LIBDIR SOURCE...
# Every C file under lib/ is compiled into the library: the SOURCE list
# (lib_sources of lib/meson.build) names exactly the .c files in LIBDIR.
# A file someone added but forgot to list would otherwise go unnoticed
# until a symbol in it is needed.
set -eu
dir=$(cd "$1" && pwd -P)
shift
tmp=$(mktemp -d "${TMPDIR:-/tmp}/desurv-sources.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
(cd "$dir" && find . -name '*.c' | sed 's#^\./##' | sort) >"$tmp/present"
for f in "$@"; do
    f=$(cd "$(dirname "$f")" && pwd -P)/$(basename "$f")
    case $f in
    "$dir"/*) echo "${f#"$dir"/}" ;;
    *) echo "$f" ;;
    esac
done | sort >"$tmp/listed"
if cmp -s "$tmp/present" "$tmp/listed"; then
    echo "ok: lib_sources lists all $(wc -l <"$tmp/listed") C files of lib/"
    exit 0
fi
comm -23 "$tmp/present" "$tmp/listed" | sed 's/^/FAIL: not in lib_sources (lib\/meson.build): /'
comm -13 "$tmp/present" "$tmp/listed" | sed 's/^/FAIL: listed but missing: /'
exit 1
