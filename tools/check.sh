#!/bin/sh
# check.sh — the README's second command, and what CI runs (.ci/run): builds from a clean tree with
# warnings as errors and runs every test, then again under AddressSanitizer + UBSan.
set -eu
cd "$(dirname "$0")/.."
sh tools/install-deps.sh
jobs=$(nproc)

run_suite() { # name, extra cmake flags...
  dir=build/check-$1
  shift
  rm -rf "$dir"
  cmake -S . -B "$dir" -DMEDTONE_WERROR=ON "$@" > /dev/null
  cmake --build "$dir" -j"$jobs"
  ctest --test-dir "$dir" --output-on-failure -j"$jobs"
}

echo "== release build, all tests"
run_suite release -DCMAKE_BUILD_TYPE=RelWithDebInfo
echo "== AddressSanitizer + UndefinedBehaviorSanitizer build, all tests"
export ASAN_OPTIONS=detect_leaks=1
run_suite asan -DCMAKE_BUILD_TYPE=Debug -DMEDTONE_SANITIZE=ON \
  -DMEDTONE_BUILD_BENCH=OFF
echo "check: all suites passed"
