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
# a line over MEDTONE_ANALYZE_MAX_BYTES (128 MiB): an error in its row, the rows around it scored
{ echo "great care"; head -c 134217729 /dev/zero | tr '\0' 'a'; echo; echo "rude staff"; } |
  "$bin" batch --threads 2 > "$tmp/out" 2> "$tmp/err"
[ $? -eq 1 ] && ok || bad "batch with a too large line exits 1"
[ "$(wc -l < "$tmp/out")" -eq 3 ] && ok || bad "a too large line still gets its output row"
expect_grep '"id":2,"error":"text too large: 134217729 bytes, the limit is 134217728"' "$tmp/out" \
  "too large line reported in its row"
expect_grep '"id":1,.*"label":"positive"' "$tmp/out" "the row before a too large line is scored"
expect_grep '"id":3,.*"label":"negative"' "$tmp/out" "the row after a too large line is scored"
expect_grep "1 row(s) could not be scored" "$tmp/err" "the too large row is counted"

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
printf 'id\tlabel\ttext\n1\t2.5\tkind nurses\n2\tnan\trude staff\n' > "$tmp/nanlabel.tsv"
expect_status 1 "eval nan label" "$bin" eval "$tmp/nanlabel.tsv"
expect_grep "nanlabel.tsv:3: label 'nan'" "$tmp/err" "a score label must be a finite number"
expect_status 2 "train number option" "$bin" train --target misinfo --out "$tmp/x.tsv" --l2 1e999 "$data/train/misinfo.tsv"
expect_grep "takes a number" "$tmp/err" "an option's number must be finite"
expect_status 2 "eval no file" "$bin" eval
expect_status 0 "eval predictions" "$bin" eval --predictions "$tmp/pred.tsv" "$data/eval/score.tsv"
[ "$(wc -l < "$tmp/pred.tsv")" -eq 5 ] && ok || bad "predictions file has one row per text"

# train: learn a layer from labeled rows (tests/data/train/), use it, and refuse bad data
td=$data/train
expect_status 0 "train --help" "$bin" train --help
expect_grep "usage: medtone train" "$tmp/out" "train help text"
expect_status 2 "train without target" "$bin" train --out "$tmp/l.tsv" "$td/misinfo.tsv"
expect_status 2 "train unknown target" "$bin" train --target nosuch --out "$tmp/l.tsv" "$td/misinfo.tsv"
expect_status 2 "train no file" "$bin" train --target misinfo --out "$tmp/l.tsv"
expect_status 2 "train bad setting" "$bin" train --target misinfo --folds 1 --out "$tmp/l.tsv" "$td/misinfo.tsv"
expect_status 2 "train unknown option" "$bin" train --no-such-option
expect_status 0 "train misinfo" env SOURCE_DATE_EPOCH=86400 "$bin" train --target misinfo --out "$tmp/l1.tsv" "$td/misinfo.tsv"
expect_grep "epoch 1/10" "$tmp/err" "progress on stderr"
expect_grep "with the learned layer" "$tmp/out" "summary names the cross-validated measures"
expect_grep "^#@ target misinfo" "$tmp/l1.tsv" "layer names its flag"
expect_grep "^# date: 1970-01-02" "$tmp/l1.tsv" "SOURCE_DATE_EPOCH fixes the date"
expect_grep "misinfo.tsv (60 rows)" "$tmp/l1.tsv" "header names the data"
expect_grep "	learned$" "$tmp/l1.tsv" "lines carry the learned tag"
SOURCE_DATE_EPOCH=86400 "$bin" train -q --target misinfo --out "$tmp/l2.tsv" "$td/misinfo.tsv.gz" > /dev/null 2>&1
if cmp -s "$tmp/l1.tsv" "$tmp/l2.tsv"; then bad "the header names the .gz file"; else ok; fi
sed 's/misinfo.tsv.gz/misinfo.tsv/' "$tmp/l2.tsv" > "$tmp/l3.tsv"
cmp -s "$tmp/l1.tsv" "$tmp/l3.tsv" && ok || bad "same data and seed, same layer (plain or .gz)"
expect_status 0 "eval with the layer" "$bin" eval --cues "$tmp/l1.tsv" "$td/misinfo.tsv"
expect_grep "f1" "$tmp/out" "eval reads the learned layer"
expect_status 0 "explain a learned flag" "$bin" score --explain --cues "$tmp/l1.tsv" "BREAKING: 5G towers are spreading the virus"
expect_grep ' are spreading$' "$tmp/out" "a learned term is evidence"
expect_status 0 "train sentiment" "$bin" train -q --target sentiment --json --out "$tmp/s.tsv" "$td/ratings.tsv"
expect_grep '"spearman"' "$tmp/out" "json summary"
expect_status 0 "score with a sentiment layer" "$bin" score --explain --lexicon "$tmp/s.tsv" "not effective"
expect_grep "learned-sentiment" "$tmp/out" "the learned layer explains the score"
expect_status 1 "train missing label" "$bin" train -q --target misinfo --out "$tmp/x.tsv" "$td/missing_label.tsv"
expect_grep "missing_label.tsv:3: missing label" "$tmp/err" "missing label names file and line"
expect_status 1 "train malformed line" "$bin" train -q --target misinfo --out "$tmp/x.tsv" "$td/malformed.tsv"
expect_grep "malformed.tsv:3:" "$tmp/err" "malformed line names file and line"
expect_status 1 "train bad label" "$bin" train -q --target sentiment --out "$tmp/x.tsv" "$td/misinfo.tsv"
expect_grep "misinfo.tsv:2: label 'reliable'" "$tmp/err" "bad label names file and line"
expect_status 1 "train one class" "$bin" train -q --target misinfo --out "$tmp/x.tsv" "$td/one_class.tsv"
expect_grep "both labels" "$tmp/err" "one class is refused"
expect_status 1 "train empty input" "$bin" train -q --target misinfo --out "$tmp/x.tsv" "$td/empty.tsv"
expect_grep "no rows" "$tmp/err" "empty input is refused"
expect_status 1 "train missing file" "$bin" train -q --target misinfo --out "$tmp/x.tsv" "$td/none.tsv"
expect_status 1 "train unwritable out" "$bin" train -q --target misinfo --out "$tmp/no/such/dir.tsv" "$td/misinfo.tsv"
# more rows than --memory holds: the files are read again, once per pass
awk 'BEGIN { print "id\tlabel\ttext"; for (i = 0; i < 16000; i++)
  printf "%d\t%s\tpost %d about the clinic %s and some more words to make it longer\n", i,
    (i % 2 ? "misinfo" : "reliable"), i % 97, (i % 2 ? "zorbly" : "plain") }' > "$tmp/big.tsv"
expect_status 0 "train streaming" "$bin" train --target misinfo --memory 1 --epochs 1 --folds 0 --out "$tmp/big-layer.tsv" "$tmp/big.tsv"
expect_grep "reading the data again" "$tmp/err" "streaming re-reads the files"
expect_grep "^zorbly	" "$tmp/big-layer.tsv" "streaming learns the signal"

echo "$pass passed, $failn failed"
[ "$failn" -eq 0 ]
