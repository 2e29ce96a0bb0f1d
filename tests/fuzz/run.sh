#!/bin/sh
# run.sh [SECONDS] — builds the libFuzzer targets (clang, ASan + UBSan) in a build directory of
# their own and runs each for SECONDS (default 60), one after the other. Fails when any target
# crashes, leaks, times out or breaks an invariant; the input that did it is left in
# $MEDTONE_FUZZ_DIR/artifacts/ (see tests/fuzz/README.md for turning it into a regression test).
#
#   MEDTONE_FUZZ_DIR      build and work folder (default build/fuzz)
#   MEDTONE_FUZZ_TARGETS  which targets (default: every fuzz_*.c here that CMake builds)
#   MEDTONE_FUZZ_JOBS     build jobs (default nproc)
# The corpora grow in $MEDTONE_FUZZ_DIR/corpus/<target>, seeded from tests/fuzz/corpus/<target>;
# the checked-in seeds are never written to.
set -eu
seconds=${1:-60}
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
dir=${MEDTONE_FUZZ_DIR:-$src/build/fuzz}
jobs=${MEDTONE_FUZZ_JOBS:-$(nproc)}
targets=${MEDTONE_FUZZ_TARGETS:-$(cd "$here" && ls fuzz_*.c | sed 's/^fuzz_//; s/\.c$//')}

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
CC=${CC:-clang} cmake -S "$src" -B "$dir/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DMEDTONE_FUZZ=ON -DMEDTONE_BUILD_TESTS=OFF -DMEDTONE_BUILD_BENCH=OFF > /dev/null
for t in $targets; do
  cmake --build "$dir/build" -j"$jobs" --target "fuzz_$t" > "$dir/build-$t.log" 2>&1 ||
    { cat "$dir/build-$t.log"; echo "run.sh: building fuzz_$t failed"; exit 1; }
done

# Inputs longer than this take the time of many short ones without finding more.
max_len() {
  case $1 in
    lexicon) echo 16384 ;;
    *) echo 4096 ;;
  esac
}

status=0
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
for t in $targets; do
  mkdir -p "$dir/corpus/$t" "$dir/artifacts"
  regress=
  [ -d "$here/regressions/$t" ] && regress="$here/regressions/$t"
  echo "== fuzz_$t for ${seconds}s"
  # MEDTONE_FUZZ_SEED fixes libFuzzer's seed (CI uses it, so a run repeats what was seen);
  # without it every run explores anew, which is how long local runs find new bugs.
  if "$dir/build/tests/fuzz/fuzz_$t" -max_total_time="$seconds" -max_len="$(max_len "$t")" \
       ${MEDTONE_FUZZ_SEED:+-seed=$MEDTONE_FUZZ_SEED} -timeout=20 -rss_limit_mb=2048 -print_final_stats=1 \
       -dict="$here/medtone.dict" -artifact_prefix="$dir/artifacts/$t-" \
       "$dir/corpus/$t" "$here/corpus/$t" $regress > "$dir/$t.log" 2>&1; then
    grep -E '^stat::number_of_executed_units|^Done' "$dir/$t.log" | tr '\n' ' '
    echo
  else
    tail -40 "$dir/$t.log"
    echo "run.sh: fuzz_$t FAILED; input in $dir/artifacts/"
    status=1
  fi
done
exit $status
