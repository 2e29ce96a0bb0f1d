#!/bin/sh
# demo.sh — the README's first command: installs what is needed, builds medtone, and runs it on the
# bundled sample posts (examples/data/).
set -eu
cd "$(dirname "$0")/.."
sh tools/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DMEDTONE_BUILD_TESTS=OFF > /dev/null
cmake --build build -j"$(nproc)"
echo
echo "== medtone score --explain (one post, explained)"
./build/medtone score --explain "Waited 3 hours in the ER and the receptionist was rude, but Dr. Patel was amazing and my scan came back clear!"
echo
echo "== medtone batch examples/data/posts.jsonl (first 5 of $(wc -l < examples/data/posts.jsonl) posts)"
./build/medtone batch examples/data/posts.jsonl > build/posts.scored.jsonl
head -n 5 build/posts.scored.jsonl
echo "... all scores in build/posts.scored.jsonl"
echo
echo "== medtone report: reputation per entity, week by week, with alerts ($(wc -l < examples/data/report-posts.jsonl) posts)"
./build/medtone report --entities examples/data/entities.tsv --html build/report.html \
  examples/data/report-posts.jsonl
echo "... charts, share of voice and the posts behind each alert in build/report.html"
