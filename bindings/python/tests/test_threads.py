"""analyze_many and threads: input order, equality with one-by-one analysis, streaming, errors in
the middle of a stream, early exits, and one analyzer shared by many Python threads."""
from __future__ import annotations

import itertools
import threading
from typing import Iterator, List

import pytest

import medtone
from medtone import Analyzer


def test_threads_equal_sequential(analyzer: Analyzer, corpus: List[str]) -> None:
    texts = corpus * 3
    one_by_one = [analyzer.analyze(t) for t in texts]
    assert list(analyzer.analyze_many(texts)) == one_by_one
    assert list(analyzer.analyze_many(texts, threads=4)) == one_by_one
    assert list(analyzer.analyze_many(texts, threads=3, chunk_size=7)) == one_by_one
    assert any(r.fired for r in one_by_one) and any(r.terms for r in one_by_one)


def test_threads_with_tokens_and_bytes(analyzer: Analyzer, corpus: List[str]) -> None:
    texts = [t.encode() if i % 2 else t for i, t in enumerate(corpus[:400])]
    expected = [analyzer.analyze(t, tokens=True) for t in texts]
    assert list(analyzer.analyze_many(texts, threads=4, tokens=True)) == expected


def test_streams_lazily_in_order(analyzer: Analyzer) -> None:
    pulled = []

    def endless() -> Iterator[str]:
        for i in itertools.count():
            pulled.append(i)
            yield f"post {i}: the care was great" if i % 2 else f"post {i}: awful wait"

    it = analyzer.analyze_many(endless(), threads=2, chunk_size=8)
    first = list(itertools.islice(it, 50))
    assert [r.text.split(":")[0] for r in first] == [f"post {i}" for i in range(50)]
    assert [r.label for r in first[:2]] == ["negative", "positive"]
    assert len(pulled) < 50 + 4 * 2 * 8 + 8  # read ahead by a bounded window only
    it.close()  # stops the pool and frees its C results


def test_empty_input(analyzer: Analyzer) -> None:
    assert list(analyzer.analyze_many([], threads=4)) == []
    assert list(analyzer.analyze_many(iter(()))) == []


def test_a_bad_text_raises_in_its_turn(analyzer: Analyzer) -> None:
    texts = ["good"] * 100 + [None] + ["bad"] * 100
    for threads in (1, 4):
        got = []
        with pytest.raises(TypeError):
            for r in analyzer.analyze_many(texts, threads=threads, chunk_size=16):
                got.append(r)
        assert len(got) == 100 and all(r.text == "good" for r in got)


@pytest.mark.parametrize("bad", [0, -1])
def test_bad_thread_counts(analyzer: Analyzer, bad: int) -> None:
    with pytest.raises(ValueError):
        analyzer.analyze_many(["x"], threads=bad)


def test_bad_arguments(analyzer: Analyzer) -> None:
    with pytest.raises(TypeError):
        analyzer.analyze_many("one text")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        analyzer.analyze_many(["x"], threads="2")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        analyzer.analyze_many(["x"], threads=2, chunk_size=0)


def test_one_analyzer_many_python_threads(analyzer: Analyzer, corpus: List[str]) -> None:
    texts = corpus[:300]
    expected = [analyzer.analyze(t) for t in texts]
    failures: List[str] = []
    barrier = threading.Barrier(6)

    def worker(k: int) -> None:
        barrier.wait()
        for _ in range(2):
            got = [analyzer.analyze(t) for t in texts]
            if got != expected:
                failures.append(f"thread {k}: analyze differs")
            got = list(analyzer.analyze_many(texts, threads=2))
            if got != expected:
                failures.append(f"thread {k}: analyze_many differs")
            if [t.text for t in medtone.tokenize(texts[k])] != [t.text for t in
                                                                 analyzer.tokenize(texts[k])]:
                failures.append(f"thread {k}: tokenize differs")

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures


def test_generator_resumed_from_another_thread(analyzer: Analyzer) -> None:
    it = analyzer.analyze_many(["great", "awful", "fine"])
    first = next(it)
    out: list = []
    t = threading.Thread(target=lambda: out.extend(it))
    t.start()
    t.join()
    assert [first.label] + [r.label for r in out] == ["positive", "negative", "positive"]
