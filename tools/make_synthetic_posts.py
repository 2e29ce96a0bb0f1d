#!/usr/bin/env python3
"""make_synthetic_posts.py — many posts for timing `medtone report` (tests/bench/bench_report.sh).

    python3 tools/make_synthetic_posts.py [N] [SEED] > posts.jsonl

Writes N (default 1,000,000) JSON lines about the entities of examples/data/entities.tsv, built
from the sentence parts of make_sample_posts.py, spread over 52 weeks from 2025-03-03 with a
storm for one entity every few months, in the same mix of time formats. Deterministic for a seed.
"""
import datetime as dt
import json
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_sample_posts as parts  # noqa: E402


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    rnd = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 1)
    ents = parts.load_entities()
    ids = list(parts.VOLUME)
    weights = [parts.VOLUME[i] for i in ids]
    start = dt.datetime(2025, 3, 3, tzinfo=dt.timezone.utc)
    span = 52 * 7 * 86400
    pools = {
        "doctor": (parts.DOC_POS, parts.DOC_NEG, parts.DOC_NEU),
        "drug": (parts.DRUG_POS, parts.DRUG_NEG, parts.DRUG_NEU),
    }
    site = (parts.SITE_POS, parts.SITE_NEG, parts.SITE_NEU)
    storms = {(w, rnd.choice(ids)) for w in range(4, 52, 9)}
    names = {i: [ents[i]["name"]] + ents[i]["aliases"] for i in ids}
    out = sys.stdout
    write = out.write
    for k in range(n):
        sec = rnd.randrange(span)
        week = sec // (7 * 86400)
        eid = rnd.choices(ids, weights)[0]
        pos, neg, neu = pools.get(ents[eid]["kind"], site)
        r = rnd.random()
        if (week, eid) in storms and r < 0.8:
            pool = parts.STORM
        else:
            pool = pos if r < 0.5 else neg if r < 0.8 else neu
        text = rnd.choice(pool).format(
            e=rnd.choice(names[eid]), f="", wait=rnd.choice(parts.WAITS),
            bill=rnd.choice(parts.BILLS), staff=rnd.choice(parts.STAFF),
            fam=rnd.choice(parts.FAMILY)) + rnd.choice(parts.TAGS)
        t = start + dt.timedelta(seconds=sec)
        if k % 5 == 4:
            row = '{"id":"s%d","time":%d,"text":%s}\n' % (k, int(t.timestamp()),
                                                          json.dumps(text, ensure_ascii=False))
        else:
            row = '{"id":"s%d","created_at":"%s","text":%s}\n' % (
                k, t.strftime("%Y-%m-%dT%H:%M:%SZ"), json.dumps(text, ensure_ascii=False))
        write(row)


if __name__ == "__main__":
    main()
