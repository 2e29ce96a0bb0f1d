#!/bin/sh
# check_abi.sh [--update] [LIB] — compares the ABI of libmedtone.so against the stored baseline
# abi/libmedtone.so.0.abi (written by abidw) and fails on an incompatible change.
#
#   LIB       the shared library to check; without it the script builds one (RelWithDebInfo, so
#             that it has the debug information abidiff reads) in build/abi.
#   --update  writes LIB's ABI as the new baseline instead (the release step, docs/RELEASING.md).
#
# abidiff's exit status is a bit field: 1 error, 2 usage error, 4 some ABI change, 8 an
# incompatible change (a function or variable removed, a type changed in a way that breaks
# callers). New functions are an ABI change but a compatible one, so 4 alone passes (the report
# is printed, so a reviewer sees what was added). 8 fails, unless the library's SONAME differs
# from the baseline's: an incompatible change is exactly what a new major version is for, and
# the release then refreshes the baseline. Types not defined in the public headers are private
# (handles are opaque), so changes inside them are not ABI changes.
#
# Exit status: 0 compatible, 1 incompatible or broken, 77 cannot check (no abidiff, or a library
# without debug information); ctest reports 77 as skipped.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
baseline="$src/abi/libmedtone.so.0.abi"
update=0
if [ "${1:-}" = "--update" ]; then
  update=1
  shift
fi

if ! command -v abidiff > /dev/null || ! command -v abidw > /dev/null; then
  echo "check_abi: abidiff/abidw not found (Debian: abigail-tools); not checked"
  exit 77
fi

if [ $# -ge 1 ]; then
  lib=$1
  bindir=$(cd "$(dirname "$lib")/.." && pwd) # the build tree: its include/ holds version.h
else
  bindir=$src/build/abi
  cmake -S "$src" -B "$bindir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMEDTONE_BUILD_TESTS=OFF \
    -DMEDTONE_BUILD_BENCH=OFF > /dev/null
  cmake --build "$bindir" -j"$(nproc)" --target medtone > /dev/null
  lib=$bindir/src/libmedtone.so
fi
lib=$(readlink -f "$lib")
if ! readelf -S "$lib" | grep -q '\.debug_info'; then
  echo "check_abi: $lib has no debug information (build RelWithDebInfo or Debug); not checked"
  exit 77
fi

# The public headers: the source tree's and the generated version.h.
headers="--headers-dir2 $src/include"
[ -d "$bindir/include" ] && headers="$headers --headers-dir2 $bindir/include"

soname_of_lib() {
  readelf -d "$1" | sed -n 's/.*(SONAME).*\[\(.*\)\].*/\1/p'
}

if [ $update -eq 1 ]; then
  hd="--headers-dir $src/include"
  [ -d "$bindir/include" ] && hd="$hd --headers-dir $bindir/include"
  # No paths or source locations: the file changes only when the ABI does.
  # shellcheck disable=SC2086
  abidw $hd --drop-private-types --no-corpus-path --no-comp-dir-path --no-show-locs \
    --out-file "$baseline.tmp" "$lib"
  # Translation units are named by absolute paths: keep them relative to the trees.
  top=$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$bindir/CMakeCache.txt" 2> /dev/null || :)
  sed -e "s|path='${top:-$src}/|path='|" -e "s|path='$bindir/|path='build/|" "$baseline.tmp" \
    > "$baseline"
  rm -f "$baseline.tmp"
  echo "check_abi: wrote $baseline ($(soname_of_lib "$lib"), $(grep -c '<elf-symbol ' "$baseline") symbols)"
  exit 0
fi

if [ ! -f "$baseline" ]; then
  echo "check_abi: no baseline $baseline; make one with: sh tests/abi/check_abi.sh --update LIB"
  exit 1
fi

old_soname=$(sed -n "s/.*<abi-corpus[^>]* soname='\([^']*\)'.*/\1/p" "$baseline" | head -n 1)
new_soname=$(soname_of_lib "$lib")
report=$(mktemp)
trap 'rm -f "$report"' EXIT
set +e
# shellcheck disable=SC2086
abidiff $headers --drop-private-types "$baseline" "$lib" > "$report" 2>&1
status=$?
set -e

if [ $((status & 3)) -ne 0 ]; then
  cat "$report"
  echo "check_abi: abidiff failed (status $status)"
  exit 1
fi
if [ $((status & 8)) -ne 0 ]; then
  cat "$report"
  if [ -n "$old_soname" ] && [ "$old_soname" != "$new_soname" ]; then
    echo "check_abi: incompatible changes, allowed because the SONAME changed" \
      "($old_soname -> $new_soname); refresh the baseline (docs/RELEASING.md)"
    exit 0
  fi
  echo "check_abi: INCOMPATIBLE ABI change against $baseline with the same SONAME" \
    "($new_soname). Keep the old interface, or bump MEDTONE_SOVERSION (docs/RELEASING.md)."
  exit 1
fi
if [ $((status & 4)) -ne 0 ]; then
  cat "$report"
  echo "check_abi: compatible ABI changes only (additions) against $new_soname"
  exit 0
fi
echo "check_abi: ABI identical to the baseline ($new_soname)"
exit 0
