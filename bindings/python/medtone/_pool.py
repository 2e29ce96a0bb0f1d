"""Chunks of an iterable worked on by a thread pool, results in input order.

``analyze_many`` and ``Aggregator.add_many`` both read an iterable of any length in chunks,
hand each chunk to a worker thread (the C calls release the GIL) and take the results back in
input order, with a bounded number of chunks in flight so that memory stays flat.
"""
from __future__ import annotations

from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from itertools import islice
from typing import Callable, Deque, Iterable, Iterator, List, TypeVar

T = TypeVar("T")
R = TypeVar("R")

#: Chunks in flight per thread: enough to keep every thread busy while the caller consumes.
IN_FLIGHT_PER_THREAD = 4


def ordered_chunks(items: Iterable[T], work: Callable[[List[T]], R], threads: int,
                   chunk_size: int, name: str) -> Iterator[R]:
    """Yields ``work(chunk)`` for consecutive chunks of ``items``, in order, computed on
    ``threads`` threads named ``name``. An exception of ``work`` is raised when its chunk's turn
    comes. When the generator ends or is closed (call ``close()`` before freeing what ``work``
    uses), the chunks not started are cancelled and the running ones are waited for."""
    source = iter(items)
    pending: Deque["Future[R]"] = deque()
    pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix=name)
    try:
        exhausted = False
        while True:
            while not exhausted and len(pending) < IN_FLIGHT_PER_THREAD * threads:
                chunk = list(islice(source, chunk_size))
                if not chunk:
                    exhausted = True
                    break
                pending.append(pool.submit(work, chunk))
            if not pending:
                break
            yield pending.popleft().result()
    finally:
        for fut in pending:
            fut.cancel()
        pool.shutdown(wait=True)
