#!/usr/bin/env python3
"""check_lexicon.py FILE.tsv... — review aid for lexicon files (format in lexicons/README.md).

Reports malformed lines, values out of range, unknown tags, duplicates within and across the
given files, and counts entries per file. Exit status 1 when a line is malformed.
"""
import re
import sys

KNOWN_TAGS = {"negator", "booster", "contrast", "concession", "symptom", "relief", "result",
              "clinical", "side-effect", "drug", "slang", "acronym", "idiom", "emoji", "emoticon",
              "care", "mwe", "misspelling", "profanity", "sarcasm", "condition", "measure",
              "comparative", "laughter",
              # cue lexicons (lexicons/cues-*.tsv)
              "misinfo", "crisis", "health-info", "identifier", "reaction", "org", "wait",
              "billing", "staff", "communication", "cleanliness", "access", "food", "parking",
              "medication", "outcome", "records",
              # reviewer tags of cues-misinfo.tsv (what kind of cue a line is)
              "official", "cure", "conspiracy", "source", "subject", "antivax", "viral", "domain",
              "authority", "urgency", "hedge", "correction", "advice", "personal", "absolute",
              "sensational", "political", "lay"}
VALUED = {"booster", "clinical", "measure"}


def main(paths):
    bad = 0
    seen = {}
    total = 0
    for path in paths:
        count = 0
        with open(path, encoding="utf-8") as f:
            for no, line in enumerate(f, 1):
                line = line.rstrip("\n")
                if not line.strip() or line.lstrip().startswith("#"):
                    continue
                cols = line.split("\t")
                where = f"{path}:{no}"
                if len(cols) not in (2, 3) or not cols[0].strip():
                    print(f"{where}: expected term<TAB>valence[<TAB>tags]: {line!r}")
                    bad += 1
                    continue
                term = cols[0]
                if term != term.strip() or "  " in term:
                    print(f"{where}: stray spaces in term {term!r}")
                    bad += 1
                try:
                    v = float(cols[1])
                except ValueError:
                    print(f"{where}: valence is not a number: {cols[1]!r}")
                    bad += 1
                    continue
                if not -4 <= v <= 4:
                    print(f"{where}: valence {v} outside -4..4")
                    bad += 1
                if len(cols) == 3:
                    for tag in cols[2].split(","):
                        name, _, val = tag.partition("=")
                        if not re.fullmatch(r"[a-z][a-z-]*", name):
                            print(f"{where}: bad tag {tag!r}")
                            bad += 1
                        elif name not in KNOWN_TAGS:
                            print(f"{where}: unknown tag {name!r} (allowed, but check spelling)")
                        if name in VALUED:
                            try:
                                float(val)
                            except ValueError:
                                print(f"{where}: tag {name} needs a number: {tag!r}")
                                bad += 1
                key = " ".join(term.lower().split())
                if key in seen:
                    print(f"{where}: duplicate of {seen[key]} ({term!r})")
                else:
                    seen[key] = where
                count += 1
        print(f"{path}: {count} entries")
        total += count
    print(f"total: {total} entries, {len(seen)} distinct")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
