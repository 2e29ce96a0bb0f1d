#!/bin/sh
# check_exports.sh LIB MAP INCLUDE_DIR — the ABI contract in one check:
#   the dynamic symbols LIB defines == the names in MAP == the MEDTONE_API functions in INCLUDE_DIR.
set -eu
lib=$1 map=$2 inc=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBRVW]$/ {print $3}' | sed 's/@.*//' |
  grep -v '^MEDTONE_0$' | sort -u > "$tmp/exported"
sed -n '/global:/,/local:/p' "$map" | grep -o '[a-z_0-9]*;' | tr -d ';' | sort -u > "$tmp/map"
grep -rhoE '^MEDTONE_API[^(]*\(' "$inc" | sed -E 's/.*[ *]([a-z_0-9]+)\($/\1/' | sort -u > "$tmp/header"
status=0
if ! diff -u "$tmp/map" "$tmp/exported" > "$tmp/d1"; then
  echo "exported symbols differ from $map:"; cat "$tmp/d1"; status=1
fi
if ! diff -u "$tmp/header" "$tmp/map" > "$tmp/d2"; then
  echo "MEDTONE_API declarations differ from $map:"; cat "$tmp/d2"; status=1
fi
if grep -v '^medtone_' "$tmp/exported"; then
  echo "exported symbols without the medtone_ prefix (above)"; status=1
fi
n=$(wc -l < "$tmp/exported")
if [ "$n" -eq 0 ]; then echo "no symbols exported"; status=1; fi
[ $status -eq 0 ] && echo "abi_exports: $n symbols, map and headers agree"
exit $status
