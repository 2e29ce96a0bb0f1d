#!/bin/sh
# test_cli.sh MEDTONE SOURCE_DIR — the medtone command's behaviour: exit statuses, output formats,
# input formats, order and errors. Prints "N passed, N failed".
set -u
bin=$1 src=$2
data=$src/tests/data
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 failn=0
ok() { pass=$((pass + 1)); }
bad() { failn=$((failn + 1)); echo "FAIL: $*"; }
expect_status() { # expected, description, command...
  want=$1 what=$2; shift 2
  "$@" > "$tmp/out" 2> "$tmp/err"; got=$?
  if [ "$got" -eq "$want" ]; then ok; else bad "$what: exit $got, wanted $want"; cat "$tmp/err"; fi
}
expect_grep() { # pattern, file, description
  if grep -q -- "$1" "$2"; then ok; else bad "$3: no '$1' in output"; head -c 600 "$2"; echo; fi
}

# usage and help
expect_status 2 "no command" "$bin"
expect_status 2 "unknown command" "$bin" frobnicate
expect_status 0 "--help" "$bin" --help
expect_grep "batch" "$tmp/out" "help lists commands"
expect_status 0 "--version" "$bin" --version
expect_grep "^medtone [0-9]" "$tmp/out" "version printed"
for c in tokenize score batch eval; do
  expect_status 0 "$c --help" "$bin" $c --help
  expect_grep "usage: medtone $c" "$tmp/out" "$c help text"
  expect_status 2 "$c unknown option" "$bin" $c --no-such-option
  expect_grep "no-such-option" "$tmp/err" "$c names the bad option"
done

# tokenize
expect_status 0 "tokenize" "$bin" tokenize "Sooo happy :) #NotHappy https://cdc.gov/flu."
expect_grep '"kind":"emoticon"' "$tmp/out" "emoticon token"
expect_grep '"normalized":"nothappy"' "$tmp/out" "hashtag normalized"
expect_grep '"kind":"url"' "$tmp/out" "url token"
printf 'one line\nsecond line\n' | "$bin" tokenize > "$tmp/tok" 2>&1
[ "$(wc -l < "$tmp/tok")" -eq 2 ] && ok || bad "tokenize reads one text per stdin line"

# score
expect_status 0 "score" "$bin" score "The nurses were amazing"
expect_grep "positive" "$tmp/out" "score labels a positive text"
expect_status 0 "score --explain" "$bin" score --explain "not very good"
expect_grep "negated" "$tmp/out" "explain shows the rule"
expect_status 0 "score --json" "$bin" score --json --explain "no more pain"
expect_grep '"rules":\["relief"' "$tmp/out" "json explanation has relief"

# lexicon errors name file and line
printf '#@ layer mine\ngood\t2\nbroken line without tab\n' > "$tmp/bad.tsv"
expect_status 1 "bad lexicon" "$bin" score --lexicon "$tmp/bad.tsv" "good"
expect_grep "bad.tsv:3" "$tmp/err" "error names file and line"
expect_status 1 "missing lexicon" "$bin" score --lexicon "$tmp/none.tsv" "good"
expect_grep "none.tsv" "$tmp/err" "error names the missing file"
printf '#@ layer mine\nwidget\t3\n' > "$tmp/mine.tsv"
expect_status 0 "user lexicon" "$bin" score --json --explain --lexicon "$tmp/mine.tsv" "widget"
expect_grep '"layer":"mine"' "$tmp/out" "user layer used"

# batch: lines, JSONL, TSV, gzip, order with threads, errors
printf 'great care\nrude staff\n\nthe clinic is on Main St\n' > "$tmp/lines.txt"
expect_status 0 "batch lines" "$bin" batch "$tmp/lines.txt"
[ "$(wc -l < "$tmp/out")" -eq 4 ] && ok || bad "batch keeps every line, blank ones too"
expect_grep '"id":2,.*"label":"negative"' "$tmp/out" "batch line ids and labels"
i=0; : > "$tmp/many.jsonl"
while [ $i -lt 3000 ]; do
  printf '{"id":"p%d","text":"post %d was %s"}\n' $i $i "$([ $((i % 2)) -eq 0 ] && echo great || echo awful)" >> "$tmp/many.jsonl"
  i=$((i + 1))
done
"$bin" batch --threads 1 "$tmp/many.jsonl" > "$tmp/t1" 2>/dev/null
"$bin" batch --threads 2 "$tmp/many.jsonl" > "$tmp/t2" 2>/dev/null
"$bin" batch --threads 7 "$tmp/many.jsonl" > "$tmp/t7" 2>/dev/null
cmp -s "$tmp/t1" "$tmp/t2" && cmp -s "$tmp/t1" "$tmp/t7" && ok || bad "batch output independent of threads"
[ "$(wc -l < "$tmp/t2")" -eq 3000 ] && ok || bad "batch writes every row"
head -n 1 "$tmp/t2" | grep -q '"id":"p0"' && tail -n 1 "$tmp/t2" | grep -q '"id":"p2999"' && ok || bad "batch keeps input order"
gzip -c "$tmp/many.jsonl" > "$tmp/many.jsonl.gz"
"$bin" batch "$tmp/many.jsonl.gz" > "$tmp/tgz" 2>/dev/null
cmp -s "$tmp/t1" "$tmp/tgz" && ok || bad "batch reads .gz like plain"
head -c 2000 "$tmp/many.jsonl.gz" > "$tmp/trunc.jsonl.gz"
expect_status 1 "truncated gzip" "$bin" batch "$tmp/trunc.jsonl.gz"
expect_grep "truncated" "$tmp/err" "truncated gzip reported"
printf '{"id":1,"text":"good"}\n{"id":2,"text":\n{"id":3,"text":"bad \\u00e9\\ud83d\\ude00"}\n{"id":4}\n' > "$tmp/mixed.jsonl"
expect_status 1 "batch with malformed rows" "$bin" batch "$tmp/mixed.jsonl"
[ "$(wc -l < "$tmp/out")" -eq 4 ] && ok || bad "a malformed row still gets an output row"
expect_grep '"id":2,"error"' "$tmp/out" "malformed JSON reported in its row"
expect_grep '"id":4,"error"' "$tmp/out" "missing text reported in its row"
expect_grep '"id":3,"compound"' "$tmp/out" "escapes decoded"
printf 'id\ttext\tsource\na1\tgreat nurses\tweb\na2\tawful wait\tapp\n' > "$tmp/posts.tsv"
expect_status 0 "batch tsv" "$bin" batch "$tmp/posts.tsv"
expect_grep '"id":"a2".*"label":"negative"' "$tmp/out" "tsv id and text columns"
expect_status 1 "batch missing file" "$bin" batch "$tmp/nope.jsonl"
expect_grep "nope.jsonl" "$tmp/err" "missing input named"
expect_status 0 "batch explain" "$bin" batch --explain "$tmp/lines.txt"
expect_grep '"terms":\[' "$tmp/out" "batch explanation"
expect_status 2 "batch bad threads" "$bin" batch --threads 0 "$tmp/lines.txt"

# flags: explained for people, in JSONL for machines, filters in batch
expect_status 0 "score flags" "$bin" score --explain "Started lisinopril and now I can't stop coughing"
expect_grep "flag ade" "$tmp/out" "explain lists a fired flag"
expect_grep "lisinopril" "$tmp/out" "explain shows the flag's evidence"
printf '{"id":"a","text":"The ER staff ignored me for six hours, worst hospital ever"}\n{"id":"b","text":"Lovely sunny day at the park"}\n{"id":"c","text":"Call me at 555-867-5309 about my HIV results, my name is John Carter"}\n' > "$tmp/flags.jsonl"
expect_status 0 "batch flags" "$bin" batch "$tmp/flags.jsonl"
expect_grep '"id":"a".*"flags":{[^}]*"negative"' "$tmp/out" "batch writes fired flags"
expect_grep '"id":"b".*"flags":{}' "$tmp/out" "no flags on a calm post"
expect_status 0 "batch only flagged" "$bin" batch --only-flagged "$tmp/flags.jsonl"
if grep -q '"id":"b"' "$tmp/out"; then bad "--only-flagged drops unflagged posts"; else ok; fi
expect_status 0 "batch --flag" "$bin" batch --flag negative "$tmp/flags.jsonl"
[ "$(wc -l < "$tmp/out")" -eq 1 ] && ok || bad "--flag keeps only posts with that flag"
expect_status 2 "batch unknown flag" "$bin" batch --flag nosuchflag "$tmp/flags.jsonl"
expect_status 0 "batch no flags" "$bin" batch --no-flags "$tmp/flags.jsonl"
if grep -q '"negative":{' "$tmp/out"; then bad "--no-flags raises none"; else ok; fi

# eval
expect_status 0 "eval score" "$bin" eval "$data/eval/score.tsv"
expect_grep "pearson_r" "$tmp/out" "score metrics"
expect_status 0 "eval classes json" "$bin" eval --json "$data/eval/classes.tsv" "$data/eval/rating.tsv"
expect_grep '"macro_f1"' "$tmp/out" "3-class metric"
expect_grep '"spearman_rho"' "$tmp/out" "rating metric"
expect_status 1 "eval bad label" "$bin" eval "$data/eval/badlabel.tsv"
expect_grep "badlabel.tsv:3" "$tmp/err" "bad label names file and line"
expect_status 2 "eval no file" "$bin" eval
expect_status 0 "eval predictions" "$bin" eval --predictions "$tmp/pred.tsv" "$data/eval/score.tsv"
[ "$(wc -l < "$tmp/pred.tsv")" -eq 5 ] && ok || bad "predictions file has one row per text"

echo "$pass passed, $failn failed"
[ "$failn" -eq 0 ]
