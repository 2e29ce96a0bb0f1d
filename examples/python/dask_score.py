#!/usr/bin/env python3
"""dask_score.py — score a corpus of posts with medtone on a Dask cluster.

    # a local cluster of 4 worker processes, the sample posts and entities
    python3 examples/python/dask_score.py --workers 4

    # an existing cluster (the workers need the medtone package and libmedtone too)
    python3 examples/python/dask_score.py --scheduler tcp://10.0.0.5:8786 posts.jsonl

    # check that the distributed results equal one process's, bit for bit
    python3 examples/python/dask_score.py --workers 2 --check

Input files: JSON lines with "text" (and optional "id" and "created_at" or "time"), TSV with a
header naming a "text" column (and optional "id", "time"), or plain text, one post per line.
With --entities (id<TAB>name<TAB>kind<TAB>aliases, see examples/data/entities.tsv) and times,
every partition also fills a reputation aggregator on its worker, and the aggregators are merged
exactly into one: the script prints each entity's volume, mean sentiment and reputation, and the
alerts.

Each worker builds its analyzer once and keeps it (medtone.dask.worker_analyzer); partitions are
scored with Analyzer.analyze_many.
"""
from __future__ import annotations

import argparse
import collections
import datetime as dt
import json
import logging
import os
import sys
import time
from typing import Any, List, Optional, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "data")


def parse_time(value: Any) -> Optional[dt.datetime]:
    """ISO 8601 text or Unix seconds; None when absent or unreadable ("last Tuesday")."""
    if value is None or value == "":
        return None
    try:
        if isinstance(value, (int, float)):
            return dt.datetime.fromtimestamp(value, dt.timezone.utc)
        text = str(value).strip()
        if text.replace(".", "", 1).isdigit():
            return dt.datetime.fromtimestamp(float(text), dt.timezone.utc)
        when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        return when if when.tzinfo else when.replace(tzinfo=dt.timezone.utc)
    except (ValueError, OverflowError, OSError):
        return None


def read_posts(paths: List[str]) -> List[Tuple[str, Optional[str], Optional[dt.datetime]]]:
    """(text, id, time) for every post of the files."""
    posts = []
    for path in paths:
        with open(path, encoding="utf-8", errors="replace") as f:
            first = f.readline()
            f.seek(0)
            if path.endswith(".jsonl") or first.lstrip().startswith("{"):
                for n, line in enumerate(f, 1):
                    if line.strip():
                        o = json.loads(line)
                        posts.append((o["text"], str(o.get("id", f"{path}:{n}")),
                                      parse_time(o.get("created_at", o.get("time")))))
            elif "\t" in first and "text" in first.rstrip("\n").split("\t"):
                head = f.readline().rstrip("\n").split("\t")
                col = {name: i for i, name in enumerate(head)}
                for n, line in enumerate(f, 2):
                    row = line.rstrip("\n").split("\t")
                    if len(row) != len(head):
                        continue
                    posts.append((row[col["text"]],
                                  row[col["id"]] if "id" in col else f"{path}:{n}",
                                  parse_time(row[col["time"]]) if "time" in col else None))
            else:
                posts += [(line.rstrip("\n"), f"{path}:{n}", None)
                          for n, line in enumerate(f, 1) if line.strip()]
    return posts


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="*", help="posts (default: the sample posts in examples/data)")
    where = ap.add_mutually_exclusive_group()
    where.add_argument("--scheduler", metavar="ADDRESS", help="connect to this Dask scheduler")
    where.add_argument("--workers", type=int, default=2,
                       help="start a LocalCluster with N worker processes (default 2)")
    ap.add_argument("--threads-per-worker", type=int, default=1)
    ap.add_argument("--partitions", type=int, help="partitions (default: 4 per worker thread)")
    ap.add_argument("--entities", metavar="FILE", help="entity registry for reputation")
    ap.add_argument("--bucket-days", type=int, choices=(1, 7), default=7)
    ap.add_argument("--lexicon", action="append", default=[], metavar="FILE",
                    help="an extra lexicon layer (repeatable; must exist on the workers)")
    ap.add_argument("--check", action="store_true",
                    help="also score in this process and compare, bit for bit")
    args = ap.parse_args()

    import medtone
    import medtone.dask as mdask
    from dask.distributed import Client, LocalCluster

    files = args.files
    entities_path = args.entities
    if not files:
        report = os.path.join(DATA, "report-posts.jsonl")
        files = [report if os.path.exists(report) else os.path.join(DATA, "posts.jsonl")]
        default_ents = os.path.join(DATA, "entities.tsv")
        if entities_path is None and os.path.exists(report) and os.path.exists(default_ents):
            entities_path = default_ents
    posts = read_posts(files)
    if not posts:
        print("dask_score: no posts", file=sys.stderr)
        return 1
    texts = [p[0] for p in posts]
    spec = medtone.AnalyzerSpec(lexicons=tuple(os.path.abspath(x) for x in args.lexicon))

    ents = None
    times = None
    if entities_path:
        from medtone.reputation import Entities

        untimed = sum(p[2] is None for p in posts)
        if untimed:
            print(f"dask_score: {untimed} posts have no readable time: scored, not counted",
                  file=sys.stderr)
        ents = Entities.from_file(entities_path)
        times = [p[2] for p in posts]

    if args.scheduler:
        cluster = None
        client = Client(args.scheduler)
    else:
        cluster = LocalCluster(n_workers=args.workers, threads_per_worker=args.threads_per_worker,
                               processes=True, dashboard_address=None,
                               silence_logs=logging.ERROR)
        client = Client(cluster)
    try:
        t0 = time.perf_counter()
        corpus = mdask.score_corpus(texts, times=times, post_ids=[p[1] for p in posts],
                                    entities=ents, spec=spec, client=client,
                                    npartitions=args.partitions, bucket_days=args.bucket_days)
        elapsed = time.perf_counter() - t0
        results = corpus.results or []
        workers = len(client.scheduler_info()["workers"])
        print(f"{corpus.count} posts scored on {workers} workers in {elapsed:.2f} s "
              f"({corpus.count / elapsed:.0f} posts/s, cluster overhead included)")

        labels = collections.Counter(r.label for r in results)
        print("labels: " + ", ".join(f"{k} {labels[k]}" for k in ("positive", "neutral",
                                                                    "negative")))
        fired = collections.Counter(name for r in results for name in r.fired)
        if fired:
            print("flags fired: " + ", ".join(f"{k} {v}" for k, v in fired.most_common()))
        worst = sorted(zip(results, posts), key=lambda x: x[0].compound)[:3]
        print("most negative:")
        for r, (_, pid, _) in worst:
            print(f"  {r.compound:+.3f} {pid}: {r.text[:90]}")

        if corpus.aggregator is not None:
            agg = corpus.aggregator
            print(f"\nreputation ({len(agg.buckets)} buckets of {args.bucket_days} days):")
            print(f"  {'entity':<16} {'posts':>6} {'mean':>7} {'reputation':>10} "
                  f"{'negative':>8}")
            for e in agg.entities:
                n = agg.stat(e.id, "volume")
                if n:
                    print(f"  {e.id:<16} {n:>6.0f} {agg.stat(e.id, 'mean'):>+7.3f} "
                          f"{agg.stat(e.id, 'reputation'):>+10.3f} "
                          f"{agg.stat(e.id, 'negative'):>8.0f}")
            alerts = agg.alerts()
            print(f"alerts: {len(alerts)}")
            for a in alerts:
                print(f"  {a.bucket_time:%Y-%m-%d} {a.kind:<10} {a.entity:<16} value "
                      f"{a.value:.3g} (baseline {a.baseline:.3g}); posts: "
                      f"{', '.join(a.post_ids[:3])}")

        if args.check:
            with spec.build() as an:
                local = list(an.analyze_many(texts, entities=ents)) if ents else \
                    list(an.analyze_many(texts))
            same = local == results
            print(f"\ncheck: distributed results {'equal' if same else 'DIFFER FROM'} "
                  "single-process results")
            if ents is not None:
                from medtone.reputation import Aggregator

                with medtone.Analyzer(lexicons=list(spec.lexicons)) as an:
                    single = Aggregator(ents, bucket_days=args.bucket_days)
                    single.add_many(an, [(p[0], p[2], p[1]) for p in posts if p[2]])
                agg_same = single.to_bytes() == corpus.aggregator.to_bytes()
                print(f"check: merged aggregator {'equals' if agg_same else 'DIFFERS FROM'} "
                      "the single-process one")
                same = same and agg_same
            if not same:
                return 1
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
