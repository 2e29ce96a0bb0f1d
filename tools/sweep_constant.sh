#!/bin/sh
# sweep_constant.sh — measures a scorer constant against labeled data, one value at a time.
#
# usage: tools/sweep_constant.sh [-b BUILD] [-f SOURCE] NAME "V1 V2 ..." FILE.tsv...
#
# For each value V it rewrites the line `#define NAME ...` of SOURCE (default src/score.c) to
# `#define NAME V`, rebuilds the `medtone` command in BUILD (default build, configured already),
# runs `medtone eval --json --no-flags FILE.tsv...` and prints one row of the metrics `eval`
# reports for each file (Pearson r and weighted F1 for score labels, macro-F1 for 3-class labels,
# Spearman rho and binned macro-F1 for ratings). The source line is put back as it was at the end,
# also when interrupted, and the command rebuilt from it. This is how the constants of src/score.c were chosen; the sweeps are
# recorded in docs/tuning-tweets.md and docs/tuning-druglib.md.
#
# Example: tools/sweep_constant.sh QUESTION_WEIGHT "0.5 0.75 1" ../shared/data/vader_tweets.tsv
set -eu
cd "$(dirname "$0")/.."
build=build
src=src/score.c
while getopts b:f: opt; do
    case $opt in
    b) build=$OPTARG ;;
    f) src=$OPTARG ;;
    *) echo "usage: $0 [-b BUILD] [-f SOURCE] NAME \"V1 V2 ...\" FILE.tsv..." >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
if [ $# -lt 3 ]; then
    echo "usage: $0 [-b BUILD] [-f SOURCE] NAME \"V1 V2 ...\" FILE.tsv..." >&2
    exit 2
fi
name=$1
values=$2
shift 2
if ! grep -q "^#define $name " "$src"; then
    echo "$0: no '#define $name' line in $src" >&2
    exit 1
fi
backup=$(mktemp)
cp "$src" "$backup"
restore() {
    cp "$backup" "$src"
    rm -f "$backup"
    cmake --build "$build" --target medtone_cli > /dev/null || true # the binary matches the source again
}
trap 'restore; exit 130' INT TERM
trap restore EXIT

for v in $values; do
    sed "s|^#define $name .*|#define $name $v|" "$backup" > "$src"
    cmake --build "$build" --target medtone_cli > /dev/null
    printf '%s=%s' "$name" "$v"
    "$build/medtone" eval --json --no-flags "$@" | python3 -c '
import json, sys
keys = ("pearson_r", "weighted_f1", "macro_f1", "spearman_rho", "binned_macro_f1")
for line in sys.stdin:
    o = json.loads(line)
    name = o["file"].rsplit("/", 1)[-1].split(".")[0]
    print("  " + name + " " + " ".join("%s %.4f" % (k, o[k]) for k in keys if k in o), end="")
print()'
done
