#!/bin/sh
# test_report.sh MEDTONE SOURCE_DIR — `medtone report` end to end: usage errors, the summary and
# its alerts on a synthetic storm, rows it cannot aggregate, JSON that does not depend on the
# thread count, gzip and standard input, saved states, and the HTML report: escaped, with inline
# SVG charts, and rendered by headless Chromium into a screenshot that is checked not to be
# blank. Chromium is installed by tools/install-deps.sh; without it this test fails.
# Prints "N passed, N failed".
set -u
bin=$1 src=$2
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
  if grep -q -- "$1" "$2"; then ok; else bad "$3: no '$1' in $2"; head -c 800 "$2"; echo; fi
}
expect_no_grep() { # pattern, file, description
  if grep -q -- "$1" "$2"; then bad "$3: '$1' found in $2"; else ok; fi
}

# ----- the fixture: four entities, eight weeks from Monday 2026-01-05, a storm in week 6 -----
E=$tmp/entities.tsv
P=$tmp/posts.jsonl
printf '# test entities\nid\tname\tkind\taliases\n' > "$E"
printf 'acme\tAcme General Hospital\thospital\tAcme General|Acme|@AcmeGeneral\n' >> "$E"
printf 'bolt\tBolt Street Clinic\tclinic\tBolt Street|#BoltStreet\n' >> "$E"
printf 'drkim\tDr. Jae Kim\tdoctor\tDr Kim\n' >> "$E"
printf 'rival\tRival Health\tcompetitor\t@RivalHealth\n' >> "$E"
t0=1767571200 # 2026-01-05T00:00:00Z, a Monday
n=0
post() { # seconds since t0, text; the time is written four ways in turn
  n=$((n + 1)); t=$((t0 + $1))
  case $((n % 4)) in
  0) ts="\"created_at\":\"$(date -u -d "@$t" +%Y-%m-%dT%H:%M:%SZ)\"" ;;
  1) ts="\"time\":$t" ;;
  2) ts="\"created_at\":\"$(date -u -d "@$((t - 18000))" +%Y-%m-%dT%H:%M:%S)-05:00\"" ;;
  3) ts="\"timestamp\":\"$t\"" ;;
  esac
  printf '{"id":"p%d",%s,"text":"%s"}\n' "$n" "$ts" "$2" >> "$P"
}
: > "$P"
w=0
while [ $w -lt 8 ]; do
  base=$((w * 604800))
  i=0
  while [ $i -lt 12 ]; do
    s=$((base + 3600 + i * 40000))
    case $((i % 4)) in
    0) post $s "The nurses at Acme General were wonderful and so kind to my dad" ;;
    1) post $s "Great care at Acme, quick and friendly" ;;
    2) post $s "Acme fixed my bill in one call, excellent service" ;;
    3) post $s "Waited hours at Acme and the receptionist was rude. Awful" ;;
    esac
    i=$((i + 1))
  done
  post $((base + 7200)) "Bolt Street Clinic is the best, lovely staff"
  post $((base + 90000)) "#BoltStreet got me in the same day, great doctors"
  post $((base + 180000)) "Dr Kim explained everything and was very kind"
  post $((base + 270000)) "@RivalHealth was fine I guess"
  w=$((w + 1))
done
i=0
while [ $i -lt 40 ]; do # the storm: week 6
  post $((6 * 604800 + 600 + i * 9000)) "Acme ER was horrible tonight, a terrible wait and an awful surprise bill. Disgusting"
  i=$((i + 1))
done
post $((3 * 604800 + 5000)) "Someone is threatening staff with a knife in the <b>Acme</b> ER lobby right now & police are coming"
printf '{"id":"nt1","text":"Acme is great"}\n' >> "$P"
printf '{"id":"bt1","created_at":"yesterday","text":"Acme is great"}\n' >> "$P"
printf '{"id":"um1","time":%d,"text":"Nothing about anyone we track"}\n' $((t0 + 100)) >> "$P"

# ----- usage -----
expect_status 0 "report --help" "$bin" report --help
expect_grep "usage: medtone report" "$tmp/out" "help text"
expect_status 0 "medtone --help lists report" "$bin" --help
expect_grep "report" "$tmp/out" "report in the command list"
expect_status 2 "unknown option" "$bin" report -E "$E" --no-such-option "$P"
expect_grep "no-such-option" "$tmp/err" "names the bad option"
expect_status 2 "no --entities" "$bin" report "$P"
expect_grep "entities" "$tmp/err" "asks for --entities"
expect_status 2 "bad --bucket" "$bin" report -E "$E" --bucket month "$P"
expect_status 2 "bad --threads" "$bin" report -E "$E" --threads 0 "$P"
printf 'x\tX\tclinik\n' > "$tmp/bad.tsv"
expect_status 1 "bad entities file" "$bin" report -E "$tmp/bad.tsv" "$P"
expect_grep "bad.tsv:1: unknown kind 'clinik'" "$tmp/err" "entity errors name file and line"
expect_status 1 "missing input" "$bin" report -E "$E" "$tmp/none.jsonl"
expect_grep "none.jsonl" "$tmp/err" "names the missing input"

# ----- the summary -----
expect_status 0 "report" "$bin" report -E "$E" "$P"
cp "$tmp/out" "$tmp/summary"
expect_grep "Acme General Hospital" "$tmp/summary" "entity table"
expect_grep "2026-02-16  acme .*volume" "$tmp/summary" "volume alert in the storm week"
expect_grep "2026-02-16  acme .*negativity" "$tmp/summary" "negativity alert in the storm week"
expect_grep "2026-01-26  acme .*crisis" "$tmp/summary" "crisis alert"
expect_no_grep "bolt .*volume" "$tmp/summary" "no alert on a steady entity"
expect_grep "1 post without a timestamp" "$tmp/summary" "counts posts without a time"
expect_grep "1 post with a bad timestamp" "$tmp/summary" "counts posts with a bad time"
expect_grep "1 post without a tracked entity" "$tmp/summary" "counts posts about nobody"
expect_grep "without a timestamp.*posts.jsonl:" "$tmp/err" "stderr names where"
expect_grep "bad timestamp.*posts.jsonl:" "$tmp/err" "stderr names where (bad time)"

# ----- JSON: valid, the same whatever the thread count, from gzip and standard input -----
"$bin" report -E "$E" --json --threads 1 "$P" > "$tmp/j1" 2>/dev/null
"$bin" report -E "$E" --json --threads 2 "$P" > "$tmp/j2" 2>/dev/null
"$bin" report -E "$E" --json --threads 5 "$P" > "$tmp/j5" 2>/dev/null
python3 -m json.tool "$tmp/j1" > /dev/null 2>&1 && ok || bad "--json is valid JSON"
cmp -s "$tmp/j1" "$tmp/j2" && cmp -s "$tmp/j1" "$tmp/j5" && ok || bad "JSON independent of threads"
gzip -c "$P" > "$tmp/posts.jsonl.gz"
"$bin" report -E "$E" --json "$tmp/posts.jsonl.gz" > "$tmp/jgz" 2>/dev/null
cmp -s "$tmp/j1" "$tmp/jgz" && ok || bad ".gz input reads like plain"
python3 - "$tmp/j1" <<'EOF' && ok || bad "JSON content"
import json, sys
d = json.load(open(sys.argv[1]))
acme = [e for e in d["entities"] if e["id"] == "acme"][0]
storm = acme["buckets"][6]
assert len(d["buckets"]) == 8 and d["buckets"][0]["start"] == "2026-01-05", d["buckets"][:1]
assert storm["posts"] == 52 and storm["negative"] >= 40, storm
assert acme["posts"] == 12 * 8 + 40 + 1, acme["posts"]
assert d["not_aggregated"] == {"no_entity": 1, "no_time": 1, "bad_time": 1, "malformed": 0,
                               "failed": 0}, d["not_aggregated"]
kinds = sorted(a["kind"] for a in d["alerts"] if a["entity"] == "acme")
assert kinds == ["crisis", "negativity", "volume"], kinds
assert all(a["posts"] for a in d["alerts"])
EOF
"$bin" report -E "$E" --json < "$P" > "$tmp/jstdin" 2>/dev/null
cmp -s "$tmp/j1" "$tmp/jstdin" && ok || bad "standard input reads like a file"
"$bin" report -E "$E" --bucket day --json "$P" > "$tmp/jday" 2>/dev/null
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d['bucket_days']==1 and len(d['buckets'])>40" "$tmp/jday" && ok || bad "daily buckets"

# ----- malformed rows: counted, named, exit status 1, the report is still written -----
cp "$P" "$tmp/broken.jsonl"
printf 'not json at all\n{"id":"nt","time":1767571200}\n' >> "$tmp/broken.jsonl"
expect_status 1 "malformed rows" "$bin" report -E "$E" "$tmp/broken.jsonl"
expect_grep "2 posts malformed.*broken.jsonl:" "$tmp/err" "malformed rows named"
expect_grep "Acme General Hospital" "$tmp/out" "summary despite malformed rows"

# ----- saved state: save, load, merge -----
expect_status 0 "--save" "$bin" report -E "$E" --save "$tmp/state" "$P"
expect_status 0 "--load" "$bin" report -E "$E" --load "$tmp/state"
sed -n '/^entity/,$p' "$tmp/summary" > "$tmp/table1"
sed -n '/^entity/,$p' "$tmp/out" > "$tmp/table2"
cmp -s "$tmp/table1" "$tmp/table2" && ok || bad "a saved state reports the same"
expect_status 0 "--load twice" "$bin" report -E "$E" --json --load "$tmp/state" --load "$tmp/state"
python3 -c "
import json,sys
d=json.load(open(sys.argv[1])); a=[e for e in d['entities'] if e['id']=='acme'][0]
assert a['posts']==2*(12*8+40+1), a['posts']" "$tmp/out" && ok || bad "loading twice adds up"
head -c 100 "$tmp/state" > "$tmp/cut.state"
expect_status 1 "truncated state" "$bin" report -E "$E" --load "$tmp/cut.state"
expect_grep "cut.state" "$tmp/err" "names the bad state file"

# ----- HTML -----
expect_status 0 "--html" "$bin" report -E "$E" --html "$tmp/report.html" "$P"
H=$tmp/report.html
expect_grep "<!DOCTYPE html>" "$H" "an HTML document"
svgs=$(grep -o "<svg" "$H" | wc -l)
[ "$svgs" -ge 5 ] && ok || bad "inline SVG charts: $svgs"
expect_grep "Share of voice" "$H" "share of voice section"
expect_grep 'id="alert-' "$H" "alert details"
expect_grep "&lt;b&gt;" "$H" "post text escaped"
expect_no_grep "<b>Acme</b>" "$H" "no raw markup from a post"
expect_grep 'class="ev"' "$H" "evidence highlighted"
expect_grep 'class="ent' "$H" "entity mentions highlighted"
expect_no_grep "<script" "$H" "no script"
expect_no_grep "https\?://" "$H" "nothing fetched from the network"

# ----- render it: headless Chromium must draw a page that is not blank -----
if [ ! -x /usr/bin/chromium ]; then
  bad "/usr/bin/chromium is missing (tools/install-deps.sh installs it)"
else
  png=$tmp/report.png
  timeout 120 /usr/bin/chromium --headless --no-sandbox --disable-gpu \
    --disable-background-networking --disable-component-update --disable-sync --no-first-run \
    --user-data-dir="$(mktemp -d "$tmp/chrome.XXXXXX")" --screenshot="$png" \
    --window-size=1200,2000 "file://$H" > "$tmp/chrome.log" 2>&1
  if [ ! -s "$png" ]; then
    bad "chromium wrote no screenshot"; tail -5 "$tmp/chrome.log"
  else
    python3 - "$png" <<'EOF' && ok || bad "the screenshot is blank or malformed"
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
assert len(data) > 20000, "suspiciously small: %d bytes" % len(data)
pos, idat = 8, b""
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    pos += 12 + n
    if kind == b"IHDR":
        w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
    elif kind == b"IDAT":
        idat += body
assert (w, h) == (1200, 2000), (w, h)
assert depth == 8 and ctype in (2, 6), (depth, ctype)
bpp = 3 if ctype == 2 else 4
raw, stride = zlib.decompress(idat), w * bpp
prev, colors, inked, i = bytearray(stride), set(), 0, 0
for y in range(h):  # undo the PNG row filters
    f, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
    i += 1 + stride
    for x in range(stride):
        a = line[x - bpp] if x >= bpp else 0
        b = prev[x]
        c = prev[x - bpp] if x >= bpp else 0
        if f == 1: line[x] = (line[x] + a) & 255
        elif f == 2: line[x] = (line[x] + b) & 255
        elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
        elif f == 4:
            pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    if y % 4 == 0:
        for x in range(0, w, 3):
            px = bytes(line[x * bpp:x * bpp + 3])
            colors.add(px)
            inked += min(px) < 200
    prev = line
sampled = (h // 4) * (w // 3)
assert len(colors) > 50, "only %d colours" % len(colors)
assert inked > sampled * 0.02, "almost nothing drawn: %d of %d" % (inked, sampled)
EOF
  fi
fi

echo "report: $pass passed, $failn failed"
[ "$failn" -eq 0 ]
