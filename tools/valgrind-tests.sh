#!/bin/sh
# valgrind-tests.sh BUILD_DIR — runs every unit test (tests/unit/test_*.c) of a build under
# valgrind memcheck: an invalid read or write, a use of uninitialized memory or a leak of any
# kind fails it. tools/check.sh runs it on the release build. Tests run two (or
# MEDTONE_VALGRIND_JOBS) at a time; each log goes to BUILD_DIR/valgrind/ and is printed when the
# test fails.
#
# MEDTONE_UNDER_VALGRIND=1 is set for the tests: the ones with big workloads (test_hell,
# test_threads) then run smaller ones, since valgrind is some 50 times slower. Nothing is
# skipped.
set -eu
if [ "${1:-}" = "--one" ]; then # internal: one test, called through xargs below
  t=$2
  start=$(date +%s)
  if valgrind --error-exitcode=1 --leak-check=full --show-leak-kinds=all \
       --errors-for-leak-kinds=definite,indirect,possible \
       "$MEDTONE_VG_BUILD/tests/$t" > "$MEDTONE_VG_BUILD/valgrind/$t.log" 2>&1; then
    echo "  ok    $t ($(($(date +%s) - start)) s)"
  else
    echo "  FAIL  $t ($(($(date +%s) - start)) s)"
    touch "$MEDTONE_VG_BUILD/valgrind/$t.failed"
  fi
  exit 0
fi

build=$(cd "${1:?usage: valgrind-tests.sh BUILD_DIR}" && pwd)
src=$(cd "$(dirname "$0")/.." && pwd)
jobs=${MEDTONE_VALGRIND_JOBS:-$(nproc)}
rm -rf "$build/valgrind"
mkdir -p "$build/valgrind"
tests=$(cd "$src/tests/unit" && ls test_*.c | sed 's/\.c$//')
for t in $tests; do
  [ -x "$build/tests/$t" ] || { echo "valgrind-tests: $build/tests/$t is not built"; exit 1; }
done

export MEDTONE_UNDER_VALGRIND=1 MEDTONE_TEST_DATA="$src/tests/data" MEDTONE_SOURCE_DIR="$src"
export MEDTONE_VG_BUILD="$build"
echo "$tests" | xargs -P "$jobs" -n 1 sh "$0" --one

status=0
for t in $tests; do
  [ -e "$build/valgrind/$t.failed" ] || continue
  echo "== valgrind log of $t (last 60 lines; all of it in $build/valgrind/$t.log)"
  tail -n 60 "$build/valgrind/$t.log"
  status=1
done
[ $status -eq 0 ] && echo "valgrind-tests: $(echo "$tests" | wc -w) unit tests clean"
exit $status
