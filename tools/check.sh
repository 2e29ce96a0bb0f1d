#!/bin/sh
# check.sh — the README's second command, and what CI runs (.ci/run): builds from a clean tree with
# warnings as errors and runs every test, then again under AddressSanitizer + UBSan; then the
# thread tests under ThreadSanitizer, every unit test under valgrind, and each fuzz target for
# MEDTONE_CHECK_FUZZ_SECONDS (default 45). About 9 minutes on a 2-core machine; CI allows 90.
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
echo "== ThreadSanitizer build: one analyzer shared by 8 threads, the scorer, the tokenizer"
dir=build/check-tsan
rm -rf "$dir"
CC=${MEDTONE_TSAN_CC:-clang} cmake -S . -B "$dir" -DMEDTONE_WERROR=ON \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMEDTONE_TSAN=ON -DMEDTONE_BUILD_BENCH=OFF > /dev/null
cmake --build "$dir" -j"$jobs" --target test_threads test_score test_tokenize
TSAN_OPTIONS=halt_on_error=1 ctest --test-dir "$dir" --output-on-failure -j"$jobs" \
  -R '^(test_threads|test_score|test_tokenize)$'
echo "== valgrind memcheck: every unit test of the release build"
sh tools/valgrind-tests.sh build/check-release
fuzz_seconds=${MEDTONE_CHECK_FUZZ_SECONDS:-45}
echo "== fuzzing: every libFuzzer target for $fuzz_seconds s (tests/fuzz/run.sh)"
rm -rf build/check-fuzz
MEDTONE_FUZZ_SEED=${MEDTONE_FUZZ_SEED:-1} MEDTONE_FUZZ_DIR=build/check-fuzz sh tests/fuzz/run.sh "$fuzz_seconds"
echo "check: all suites passed"
