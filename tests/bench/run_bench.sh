#!/bin/sh
# run_bench.sh — the whole benchmark in one run: bench_all (library stages, analyzer construction)
# and then the `medtone` command on the same corpus.
#
#     sh tests/bench/run_bench.sh [BUILD_DIR] [CORPUS]
#
# BUILD_DIR is a Release build of this tree (default: ./build); CORPUS is what bench_all takes (a
# folder of .tsv files, a .tsv, or a file of one text per line; default: ../shared/data next to
# the repository). Environment: MB (corpus size, default 50), REPEAT (runs per stage, default 3).
# Prints MB/s and texts/s for `cat`, the library stages, and `medtone batch` at 1 and 2 threads,
# by wall clock and by CPU time (user + system). A benchmark, not a test: it never fails on speed.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-build}
corpus=${2:-$here/../../../shared/data}
mb=${MB:-50}
repeat=${REPEAT:-3}
bench=$build/tests/bench/bench_all
cli=$build/medtone
for f in "$bench" "$cli"; do
  [ -x "$f" ] || { echo "run_bench.sh: $f not found (build first: cmake --build $build)" >&2; exit 1; }
done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/medtone-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
lines=$tmp/corpus.txt

echo "== machine: $(nproc) cores, $(uname -m), load $(cut -d' ' -f1-3 /proc/loadavg)"
"$bench" --mb "$mb" --repeat "$repeat" --write-lines "$lines" "$corpus"

bytes=$(wc -c < "$lines")
texts=$(wc -l < "$lines")

# best (smallest) wall and CPU seconds of REPEAT runs of a command, its output to /dev/null; the
# CPU time (user + system, from wait4) counts the command and its children.
best() { # label, command...
  label=$1; shift
  i=0
  : > "$tmp/times"
  while [ "$i" -lt "$repeat" ]; do
    i=$((i + 1))
    "$bench" --exec "$@" >> "$tmp/times" || { echo "run_bench.sh: failed: $*" >&2; exit 1; }
  done
  awk -v l="$label" -v by="$bytes" -v n="$texts" '
    NR == 1 || $1 < w { w = $1 } NR == 1 || $2 < c { c = $2 }
    END { if (w <= 0) w = 1e-6; if (c <= 0) c = 1e-6
          printf "%-26s %8.1f %8.1f %11.0f %11.0f   (%.2f s wall, %.2f s CPU)\n", l, by/w/1e6,
                 by/c/1e6, n/w, n/c, w, c
          print w > "/dev/stderr" }' "$tmp/times" 2> "$tmp/last_wall"
}

echo
echo "the medtone command on the same corpus: $texts texts, $(awk -v b="$bytes" 'BEGIN{printf "%.1f", b/1e6}') MB, best of $repeat"
printf "%-26s %8s %8s %11s %11s\n" "" "MB/s" "MB/s" "texts/s" "texts/s"
printf "%-26s %8s %8s %11s %11s\n" "command" "wall" "CPU" "wall" "CPU"
best "cat FILE > /dev/null" cat "$lines"
cat_wall=$(cat "$tmp/last_wall")
best "cat FILE | cat" sh -c 'cat "$1" | cat' sh "$lines"
pipe_wall=$(cat "$tmp/last_wall")
best "medtone batch -t 1" "$cli" batch --format lines --threads 1 "$lines"
b1=$(cat "$tmp/last_wall")
best "medtone batch -t 2" "$cli" batch --format lines --threads 2 "$lines"
b2=$(cat "$tmp/last_wall")
awk -v c="$cat_wall" -v p="$pipe_wall" -v b1="$b1" -v b2="$b2" 'BEGIN{
  printf "\nbatch -t 1 takes %.1fx the time of cat > /dev/null, %.1fx of cat | cat; ", b1/c, b1/p
  printf "batch -t 2 is %.2fx as fast as -t 1\n", b1/b2 }'
