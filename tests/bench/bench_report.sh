#!/bin/sh
# bench_report.sh MEDTONE [N] — times `medtone report` (text summary, then with --html) on N
# synthetic posts (default 1,000,000) made by tools/make_synthetic_posts.py, and prints posts/s.
# The posts are cached in $TMPDIR (or /tmp) between runs. Not a ctest: run it by hand, e.g.
#   sh tests/bench/bench_report.sh build/medtone
set -eu
bin=$1 n=${2:-1000000}
src=$(cd "$(dirname "$0")/../.." && pwd)
dir=${TMPDIR:-/tmp}/medtone-bench-report
mkdir -p "$dir"
posts=$dir/posts-$n.jsonl
if [ ! -s "$posts" ]; then
  echo "bench_report: writing $n synthetic posts to $posts"
  python3 "$src/tools/make_synthetic_posts.py" "$n" > "$posts.tmp"
  mv "$posts.tmp" "$posts"
fi
echo "bench_report: $(wc -l < "$posts") posts, $(du -m "$posts" | cut -f1) MB, $(nproc) cores"
run() { # label, extra options...
  label=$1; shift
  t0=$(date +%s.%N)
  "$bin" report --entities "$src/examples/data/entities.tsv" "$@" "$posts" > "$dir/out.txt" 2> "$dir/err.txt"
  t1=$(date +%s.%N)
  python3 -c "import sys; s=float(sys.argv[2])-float(sys.argv[1]); n=int(sys.argv[3]); print('bench_report: %-14s %6.1f s  %9.0f posts/s' % (sys.argv[4], s, n / s))" "$t0" "$t1" "$n" "$label"
}
run "summary"
run "summary+html" --html "$dir/report.html"
grep -c "" "$dir/out.txt" > /dev/null
tail -n 4 "$dir/out.txt"
