#!/bin/sh
# scripts/doc.sh [OUTPUT_DIR] - build the API reference with doxygen from
# doc/Doxyfile (default output: build-doc/).  Used by `ninja -C build doc`.
set -eu
root=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
out=${1:-$root/build-doc}
if ! command -v doxygen >/dev/null 2>&1; then
    echo "doc: doxygen is not installed (apt-get install doxygen); it is optional" >&2
    exit 1
fi
version=$(sed -n "s/^[[:space:]]*version[[:space:]]*:[[:space:]]*'\([^']*\)'.*/\1/p" "$root/meson.build" | head -n 1)
mkdir -p "$out"
cd "$root"
{ cat doc/Doxyfile; echo "PROJECT_NUMBER = $version"; echo "OUTPUT_DIRECTORY = $out"; } | doxygen -
echo "doc: $out/html/index.html, man pages in $out/man/man3"
