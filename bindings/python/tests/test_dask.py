"""medtone.dask on a real LocalCluster of two worker processes: distributed results equal
single-process results, each worker builds its analyzer once, aggregators merge exactly."""
from __future__ import annotations

import datetime as dt
import json
import logging
import subprocess
import sys
from pathlib import Path
from typing import List

import pandas as pd
import pytest

import dask.dataframe as dd
from distributed import Client, LocalCluster

import medtone.dask as mdask
from medtone import Analyzer, AnalyzerSpec
from medtone.pandas import score
from medtone.reputation import Aggregator, Entities

from test_reputation import REGISTRY, posts


@pytest.fixture(scope="module")
def client():
    # Processes, as in production: every task's inputs and Results travel pickled. The workers
    # inherit MEDTONE_LIBRARY from this process.
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None, silence_logs=logging.ERROR) as cluster, \
            Client(cluster) as c:
        yield c


def test_distributed_results_equal_single_process(client: Client, corpus: List[str]) -> None:
    texts = corpus * 2
    with Analyzer() as an:
        expected = list(an.analyze_many(texts))
    got = mdask.score_texts(texts, client=client, npartitions=12)
    assert got == expected
    builds = client.run(mdask.worker_builds)
    assert len(builds) == 2
    for addr, per_worker in builds.items():  # once per worker, however many partitions
        assert per_worker == {addr: 1}
    again = mdask.score_texts(texts[:100], client=client, npartitions=6)
    assert again == expected[:100]
    assert client.run(mdask.worker_builds) == builds


def test_spec_travels_with_in_memory_lexicons(client: Client) -> None:
    spec = AnalyzerSpec(lexicons=(("ours", b"zorblax\t-3\n"),), negation_scope=1,
                        thresholds=(("crisis", 0.9),), flags=True)
    texts = ["the zorblax clinic", "not at all really good", "I want to die"] * 20
    with spec.build() as an:
        expected = list(an.analyze_many(texts))
    assert expected[0].compound < 0
    assert mdask.score_texts(texts, spec=spec, client=client, npartitions=4) == expected


def test_distributed_aggregation_equals_single_process(client: Client) -> None:
    stream = posts(12)
    ents = Entities.from_data(REGISTRY)
    texts = [p[0] for p in stream]
    times = [p[1] for p in stream]
    ids = [p[2] for p in stream]
    with Analyzer() as an:
        single = Aggregator(ents, bucket_days=1)
        results = [single.add(an, t, w, i) for t, w, i in stream]
    corpus = mdask.score_corpus(texts, times=times, post_ids=ids, entities=ents, client=client,
                                npartitions=7, split_every=2, bucket_days=1)
    assert corpus.count == len(stream)
    assert corpus.results == results
    merged = corpus.aggregator
    assert isinstance(merged, Aggregator)
    assert merged.to_bytes() == single.to_bytes()  # the very same sums
    assert merged.table() == single.table()
    assert merged.alerts() == single.alerts() and any(a.kind == "crisis" for a in merged.alerts())
    only = mdask.aggregate(texts, times, ents, post_ids=ids, client=client, npartitions=5,
                           bucket_days=1)
    assert only.to_bytes() == single.to_bytes()


def test_score_dataframe(client: Client, corpus: List[str]) -> None:
    df = pd.DataFrame({"text": corpus[:300], "n": range(300)})
    ddf = dd.from_pandas(df, npartitions=5)
    lazy = mdask.score_dataframe(ddf, "text", flags=["crisis", "privacy"], prefix="mt_")
    got = client.compute(lazy).result()
    expected = score(df, "text", flags=["crisis", "privacy"], prefix="mt_")
    pd.testing.assert_frame_equal(got, expected)
    with pytest.raises(KeyError):
        mdask.score_dataframe(ddf, "body")
    with pytest.raises(ValueError):
        mdask.score_dataframe(ddf.assign(label="x"), "text")


def test_argument_errors() -> None:
    with pytest.raises(ValueError):
        mdask.score_corpus(["a"], entities=Entities.from_data(REGISTRY))  # no times
    with pytest.raises(ValueError):
        mdask.score_corpus(["a", "b"], times=[1])
    with pytest.raises(TypeError):
        mdask.score_corpus(["a"], spec={"flags": False})  # type: ignore[arg-type]


def test_without_a_cluster_uses_the_local_scheduler() -> None:
    # No client given and none current in this call: dask's default scheduler, same answers.
    texts = ["great care!", "awful wait", "I want to die"]
    with Analyzer() as an:
        assert mdask.score_texts(texts, npartitions=2) == list(an.analyze_many(texts))
    assert mdask.worker_analyzer() is mdask.worker_analyzer(AnalyzerSpec())


def test_example_script_against_a_scheduler(client: Client, source_dir: Path,
                                            tmp_path: Path) -> None:
    posts_file = tmp_path / "posts.jsonl"
    with open(posts_file, "w") as f:
        for text, when, pid in posts(6):
            stamp = dt.datetime.fromtimestamp(when, dt.timezone.utc).isoformat()
            f.write(json.dumps({"id": pid, "created_at": stamp, "text": text}) + "\n")
    ents = tmp_path / "entities.tsv"
    ents.write_text(REGISTRY)
    script = source_dir / "examples" / "python" / "dask_score.py"
    p = subprocess.run([sys.executable, str(script), "--scheduler",
                        client.scheduler_info()["address"], "--entities", str(ents),
                        "--bucket-days", "1", "--check", str(posts_file)],
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stdout + p.stderr
    out = p.stdout
    assert f"{len(posts(6))} posts scored on 2 workers" in out
    assert "check: distributed results equal single-process results" in out
    assert "check: merged aggregator equals the single-process one" in out
    assert "crisis" in out and "st-mary" in out
