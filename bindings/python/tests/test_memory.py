"""Memory: repeated calls do not grow the process. The C result objects are reused, Python
values are released, and every C object the binding makes is freed."""
from __future__ import annotations

import gc
import os
from typing import List

import medtone
from medtone import Analyzer

PAGE = os.sysconf("SC_PAGE_SIZE")
MB = 1 << 20


def rss() -> int:
    """Resident bytes, from /proc/self/statm (second field, in pages)."""
    gc.collect()
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE


def test_100k_analyze_calls_do_not_grow_rss(corpus: List[str]) -> None:
    texts = corpus[:1000]
    with Analyzer() as an:
        for t in texts * 3:  # warm-up: the C result reaches its largest size, caches fill
            an.analyze(t, tokens=True)
        before = rss()
        n = 0
        while n < 100_000:
            for t in texts:
                an.analyze(t)
            n += len(texts)
        grown = rss() - before
    assert grown < 4 * MB, f"RSS grew {grown / MB:.1f} MB over {n} analyze calls"


def test_repeated_objects_are_freed(corpus: List[str]) -> None:
    texts = corpus[:50]

    def cycle() -> None:
        with Analyzer(lexicons=[("x", "zorblax\t2\n")]) as an:
            list(an.analyze_many(texts, threads=3, chunk_size=5))
            an.analyze(texts[0], tokens=True)
            medtone.tokenize(texts[1])
        gen = Analyzer().analyze_many(texts, threads=2)
        next(gen)
        gen.close()  # an abandoned stream frees its pool and C results

    for _ in range(20):  # warm-up
        cycle()
    before = rss()
    for _ in range(100):
        cycle()
    grown = rss() - before
    assert grown < 8 * MB, f"RSS grew {grown / MB:.1f} MB over 100 analyzer life cycles"
