"""Score a corpus on a Dask cluster (dask and distributed are imported only when this module is).

    from dask.distributed import Client, LocalCluster
    import medtone.dask as mdask

    with LocalCluster(n_workers=4, threads_per_worker=1) as cluster, Client(cluster) as client:
        corpus = mdask.score_corpus(texts, times=times, post_ids=ids, entities=ents,
                                    client=client, npartitions=32, bucket_days=7)
        corpus.results          # one medtone.Result per text, in input order
        corpus.aggregator       # a medtone.reputation.Aggregator: every partition's, merged

How it runs: the texts are split into partitions; each worker builds its analyzer once, from an
:class:`~medtone.AnalyzerSpec` (a small, hashable value: paths and settings), and keeps it for
every later partition and call (:func:`worker_analyzer`); each partition is scored with
:meth:`~medtone.Analyzer.analyze_many`. With times and entities, each partition also fills its
own aggregator, and the aggregators are merged pairwise up a tree with the C library's exact
merge, so the result equals one aggregator fed every post. Lexicon paths in the spec must exist
on the workers (or give lexicons as ``(name, data)``, which travel with the spec).
"""
from __future__ import annotations

import functools
import threading
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple, Union

try:
    import dask.bag as _db
    import dask.dataframe as _dd
    import distributed as _distributed
except ImportError as e:  # pragma: no cover - exercised only without dask
    raise ImportError("medtone.dask needs dask and distributed "
                      "(Debian: apt-get install python3-dask python3-distributed)") from e

from ._analyzer import Analyzer, AnalyzerSpec
from ._types import Result

__all__ = [
    "Corpus",
    "aggregate",
    "score_corpus",
    "score_dataframe",
    "score_texts",
    "worker_analyzer",
    "worker_builds",
]

# ------------------------------------------------------------------------------------------------
# The worker-local cache
# ------------------------------------------------------------------------------------------------

_cache_lock = threading.Lock()
_analyzers: Dict[Tuple[Optional[str], AnalyzerSpec], Analyzer] = {}
_registries: Dict[Tuple[Optional[str], Any], Any] = {}
_builds: Dict[Optional[str], int] = {}


def _worker_address() -> Optional[str]:
    try:
        return _distributed.get_worker().address
    except ValueError:  # not running inside a Dask worker
        return None


def worker_analyzer(spec: Optional[AnalyzerSpec] = None) -> Analyzer:
    """The analyzer for ``spec`` on the current Dask worker, built on the worker's first call
    and reused for every later task (an analyzer is read-only and thread-safe, so the worker's
    threads share it). Outside a worker, one per process."""
    spec = spec if spec is not None else AnalyzerSpec()
    key = (_worker_address(), spec)
    an = _analyzers.get(key)
    if an is None:
        with _cache_lock:
            an = _analyzers.get(key)
            if an is None:
                an = _analyzers[key] = spec.build()
                _builds[key[0]] = _builds.get(key[0], 0) + 1
    return an


def worker_builds() -> Dict[Optional[str], int]:
    """How many analyzers were built in this process, per worker address (None outside a
    worker). Run it on every worker with ``client.run(medtone.dask.worker_builds)``."""
    with _cache_lock:
        return dict(_builds)


def _worker_entities(rows: Tuple[Tuple[str, str, str, Tuple[str, ...]], ...]) -> Any:
    from .reputation import _rebuild_entities

    key = (_worker_address(), rows)
    ents = _registries.get(key)
    if ents is None:
        with _cache_lock:
            ents = _registries.get(key)
            if ents is None:
                ents = _registries[key] = _rebuild_entities(rows)
    return ents


# ------------------------------------------------------------------------------------------------
# Partitions
# ------------------------------------------------------------------------------------------------

@dataclass
class Corpus:
    """What :func:`score_corpus` returns.

    Attributes:
        results: one :class:`~medtone.Result` per text in input order (None when
            ``keep_results=False``).
        aggregator: every partition's aggregator merged into one (None without entities).
        count: how many texts were scored.
    """

    results: Optional[List[Result]]
    aggregator: Any
    count: int


def _partition(rows: Iterable[Tuple[Any, Any, Any]], spec: AnalyzerSpec, keep: bool,
               entity_rows: Optional[Tuple[Any, ...]], options: Dict[str, float]) -> Corpus:
    """Scores one partition on a worker: the worker's analyzer, analyze_many, and (with
    entities) a partition aggregator."""
    rows = list(rows)
    an = worker_analyzer(spec)
    if entity_rows is None:
        results = list(an.analyze_many([r[0] for r in rows]))
        return Corpus(results if keep else None, None, len(rows))
    from .reputation import Aggregator

    ents = _worker_entities(entity_rows)
    agg = Aggregator(ents, **options)
    results = []
    for text, when, pid in rows:
        # a post without a time is scored (and its mentions found) but not counted
        r = an.analyze(text, entities=ents) if when is None else agg.add(an, text, when, pid)
        if keep:
            results.append(r)
    return Corpus(results if keep else None, agg, len(rows))


def _combine(parts: Sequence[Corpus]) -> Corpus:
    """Joins partition outputs in order; aggregators merged with the C merge (exact)."""
    parts = list(parts)
    results: Optional[List[Result]] = None
    if parts and parts[0].results is not None:
        results = [r for p in parts for r in (p.results or ())]
    agg = None
    for p in parts:
        if p.aggregator is None:
            continue
        if agg is None:
            agg = p.aggregator
        else:
            agg.merge(p.aggregator)
    return Corpus(results, agg, sum(p.count for p in parts))


def score_corpus(texts: Sequence[Union[str, bytes]], *, times: Optional[Sequence[Any]] = None,
                 post_ids: Optional[Sequence[Optional[str]]] = None, entities: Any = None,
                 spec: Optional[AnalyzerSpec] = None, npartitions: Optional[int] = None,
                 client: Optional["_distributed.Client"] = None, keep_results: bool = True,
                 split_every: int = 8, **aggregator_options: float) -> Corpus:
    """Scores ``texts`` on the cluster and, when ``entities`` (a
    :class:`medtone.reputation.Entities`) and ``times`` are given, aggregates reputation.

    Args:
        times: per text, its time (Unix seconds or datetime); needed with ``entities``. A post
            whose time is None is scored but not counted.
        post_ids: per text, an id for alerts (optional).
        spec: how to build the analyzer (default: built-in lexicons).
        npartitions: how many partitions (default: 4 per worker thread, at least 1).
        client: the Dask client (default: the current one, else Dask's default scheduler).
        keep_results: bring every Result back (False: only the aggregator and the count).
        split_every: how many partition outputs each merge task combines.
        **aggregator_options: settings for each partition's aggregator (``bucket_days=1``...).
    """
    spec = spec if spec is not None else AnalyzerSpec()
    if not isinstance(spec, AnalyzerSpec):
        raise TypeError(f"spec must be a medtone.AnalyzerSpec, not {type(spec).__name__}")
    texts = list(texts)
    entity_rows = None
    if entities is not None:
        from .reputation import Entities

        if not isinstance(entities, Entities):
            raise TypeError("entities must be a medtone.reputation.Entities")
        if times is None:
            raise ValueError("aggregating by entity needs times")
        entity_rows = entities.__reduce__()[1][0]
    if times is not None and len(times) != len(texts):
        raise ValueError("times must have one value per text")
    if post_ids is not None and len(post_ids) != len(texts):
        raise ValueError("post_ids must have one value per text")
    rows = list(zip(texts, times if times is not None else [None] * len(texts),
                    post_ids if post_ids is not None else [None] * len(texts)))
    if npartitions is None:
        npartitions = max(1, 4 * _threads(client))
    npartitions = max(1, min(int(npartitions), len(rows) or 1))
    bag = _db.from_sequence(rows, npartitions=npartitions)
    per_partition = functools.partial(_partition, spec=spec, keep=keep_results,
                                      entity_rows=entity_rows, options=dict(aggregator_options))
    total = bag.reduction(per_partition, _combine, split_every=split_every)
    if client is not None:
        return client.compute(total).result()
    return total.compute()


def _threads(client: Optional["_distributed.Client"]) -> int:
    if client is None:
        try:
            client = _distributed.get_client()
        except ValueError:
            return 1
    try:
        return max(1, sum(client.nthreads().values()))
    except Exception:  # pragma: no cover - a client without workers yet
        return 1


def score_texts(texts: Sequence[Union[str, bytes]], *, spec: Optional[AnalyzerSpec] = None,
                npartitions: Optional[int] = None,
                client: Optional["_distributed.Client"] = None) -> List[Result]:
    """One :class:`~medtone.Result` per text, in input order, scored on the cluster."""
    out = score_corpus(texts, spec=spec, npartitions=npartitions, client=client)
    assert out.results is not None
    return out.results


def aggregate(texts: Sequence[Union[str, bytes]], times: Sequence[Any], entities: Any, *,
              post_ids: Optional[Sequence[Optional[str]]] = None,
              spec: Optional[AnalyzerSpec] = None, npartitions: Optional[int] = None,
              client: Optional["_distributed.Client"] = None,
              **aggregator_options: float) -> Any:
    """The reputation of ``entities`` over the corpus: one aggregator per partition, built on
    the workers, merged exactly into one :class:`medtone.reputation.Aggregator`."""
    out = score_corpus(texts, times=times, post_ids=post_ids, entities=entities, spec=spec,
                       npartitions=npartitions, client=client, keep_results=False,
                       **aggregator_options)
    return out.aggregator


# ------------------------------------------------------------------------------------------------
# Dask DataFrames
# ------------------------------------------------------------------------------------------------

def _score_frame(pdf: Any, column: str, spec: AnalyzerSpec, flags: Tuple[str, ...],
                 prefix: str) -> Any:
    from .pandas import score

    return score(pdf, column, analyzer=worker_analyzer(spec), flags=list(flags), prefix=prefix)


def score_dataframe(ddf: "_dd.DataFrame", column: str = "text", *,
                    spec: Optional[AnalyzerSpec] = None, flags: Union[bool, Iterable[str]] = (),
                    prefix: str = "") -> "_dd.DataFrame":
    """A lazy Dask DataFrame: ``ddf`` with the scores of ``ddf[column]`` in new columns, as
    :func:`medtone.pandas.score` makes them, computed partition by partition on the workers
    with each worker's cached analyzer."""
    from .pandas import _empty_frame, _flag_list

    spec = spec if spec is not None else AnalyzerSpec()
    names = tuple(_flag_list(flags))
    if names and not spec.flags:
        raise ValueError("flag columns asked for, but the spec has flags=False")
    if column not in ddf.columns:
        raise KeyError(f"no column {column!r} in the DataFrame")
    new = _empty_frame(names, prefix)
    taken = [c for c in new.columns if c in ddf.columns]
    if taken:
        raise ValueError(f"columns already present: {', '.join(map(str, taken))}; "
                         "pass a prefix")
    meta = ddf._meta.join(new.set_axis(ddf._meta.index[:0], axis=0))
    return ddf.map_partitions(_score_frame, column, spec, names, prefix, meta=meta)
