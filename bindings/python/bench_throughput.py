#!/usr/bin/env python3
"""bench_throughput.py — texts per second: Analyzer.analyze_many against `medtone batch`.

    MEDTONE_LIBRARY=build/src/libmedtone.so.0 python3 bindings/python/bench_throughput.py \\
        --cli build/medtone shared/data/*.tsv

Reads the "text" column of every TSV given (a header line naming it), then times, best of
--repeat runs and interleaved so that both see the same machine load:
  - the C command: `medtone batch --threads 1 FILES > /dev/null` (the whole process: reading,
    scoring, writing JSON lines);
  - Python: `analyzer.analyze_many(texts, threads=N)` over the texts already in memory, each
    full Result (scores, terms, every flag with its evidence) used and dropped as a pipeline
    would, for N = 1 and 2; the same keeping every Result in a list (the garbage collector then
    scans a growing heap); and with an analyzer made with flags=False.
Prints a Markdown table with wall-clock throughput and throughput per CPU-second (the fairer
number on a busy machine; for threads=2 only the wall clock shows the gain). Use the library the
command was built with (same build tree).
"""
from __future__ import annotations

import argparse
import os
import resource
import subprocess
import time
from typing import Callable, Dict, List, Tuple

import medtone


def read_texts(paths: List[str]) -> List[str]:
    texts = []
    for path in paths:
        with open(path, encoding="utf-8", errors="replace") as f:
            head = f.readline().rstrip("\n").split("\t")
            if "text" not in head:
                continue
            col = head.index("text")
            for line in f:
                row = line.rstrip("\n").split("\t")
                if len(row) > col:
                    texts.append(row[col])
    return texts


def measure(fn: Callable[[], None]) -> Tuple[float, float]:
    """(wall seconds, CPU seconds of this process and its children) of one call."""
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    c0, t0 = time.process_time(), time.perf_counter()
    fn()
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu += (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    return wall, cpu


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cli", required=True, help="the medtone command of the same build")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("files", nargs="+")
    args = ap.parse_args()
    files = [f for f in args.files if not f.endswith("_meta.tsv")]
    texts = read_texts(files)
    n = len(texts)
    with medtone.Analyzer() as full, medtone.Analyzer(flags=False) as plain:
        def stream(an: medtone.Analyzer, threads: int) -> None:
            for r in an.analyze_many(texts, threads=threads):  # use each result, then drop it
                r.compound

        runs = {
            "C `medtone batch --threads 1`": lambda: subprocess.run(
                [args.cli, "batch", "--threads", "1", "--format", "tsv", *files],
                stdout=subprocess.DEVNULL, check=True),
            "Python analyze_many, threads=1": lambda: stream(full, 1),
            "Python analyze_many, threads=2": lambda: stream(full, 2),
            "Python list(analyze_many), threads=1 (all results kept)": lambda: list(
                full.analyze_many(texts)),
            "Python analyze_many, threads=1, flags=False": lambda: stream(plain, 1),
        }
        for fn in runs.values():  # warm-up: page cache, C result growth, caches
            fn()
        wall: Dict[str, float] = {name: float("inf") for name in runs}
        cpu: Dict[str, float] = {name: float("inf") for name in runs}
        for _ in range(args.repeat):  # interleaved, so that all see the same load
            for name, fn in runs.items():
                w, c = measure(fn)
                wall[name], cpu[name] = min(wall[name], w), min(cpu[name], c)
    ref = "C `medtone batch --threads 1`"
    print(f"{n} texts from {len(files)} files; libmedtone {medtone.version()}; "
          f"{os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.1f}; best of "
          f"{args.repeat}\n")
    print("| run | texts/s (wall) | texts per CPU-second | CPU time vs C |")
    print("|---|---:|---:|---:|")
    for name in runs:
        print(f"| {name} | {n / wall[name]:,.0f} | {n / cpu[name]:,.0f} | "
              f"{cpu[name] / cpu[ref]:.2f}x |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
