"""Reputation: who is mentioned (:class:`Entities`), how they fare bucket by bucket
(:class:`Aggregator`), and what needs a person's attention (:meth:`Aggregator.alerts`).

Mirrors ``include/medtone/reputation.h``::

    from medtone import Analyzer
    from medtone.reputation import Entities, Aggregator

    ents = Entities.from_file("entities.tsv")        # id, name, kind, aliases
    agg = Aggregator(ents, bucket_days=7)
    with Analyzer() as an:
        for text, when, post_id in posts:
            agg.add(an, text, when, post_id)          # analyzes, finds the entities, counts
    agg.stat("st-mary", "mean")                       # all buckets together
    [agg.stat("st-mary", "reputation", b) for b in range(len(agg.buckets))]
    for alert in agg.alerts(): ...

The C aggregator reads the library's result object of an analysis, which the binding reuses from
text to text, so posts are added through :meth:`Aggregator.add` / :meth:`Aggregator.add_many`
(they analyze and count in one step) rather than from a :class:`~medtone.Result`.

Every statistic is kept as integer sums, so aggregators filled by different threads, processes
or machines merge exactly (:meth:`Aggregator.merge`); :mod:`medtone.dask` relies on that.
"""
from __future__ import annotations

import ctypes
import datetime as _dt
import math
import numbers
import os
import queue
import tempfile
import threading
from dataclasses import dataclass
from itertools import islice
from typing import (
    Any,
    Dict,
    Iterable,
    Iterator,
    List,
    Mapping,
    Optional,
    Sequence,
    Tuple,
    Union,
)

from . import _capi
from ._analyzer import Analyzer, _CObject, _new_result, flag_index
from ._errors import InvalidArgument, MedtoneError, NoMemory, NotFound, Status
from ._pool import ordered_chunks
from ._text import Spans, TextLike
from ._types import Mention, Result

__all__ = [
    "ALL_BUCKETS",
    "AGGREGATOR_OPTIONS",
    "Aggregator",
    "Alert",
    "Entities",
    "Entity",
    "STATS",
    "Time",
    "alert_kinds",
    "entity_kinds",
]

#: Pass as ``bucket`` (or leave ``bucket=None``) to ask about all buckets together.
ALL_BUCKETS = None
_C_ALL_BUCKETS = ctypes.c_size_t(-1).value

#: Aggregator settings by name -> ``medtone_agg_option`` value (stable ABI; see the header for
#: ranges and defaults). The C library has no names for them.
AGGREGATOR_OPTIONS: Mapping[str, int] = {
    "bucket_days": 1,
    "top_posts": 2,
    "half_life_days": 3,
    "prior_mean": 4,
    "prior_weight": 5,
    "wilson_z": 6,
    "alert_window": 7,
    "alert_threshold": 8,
    "min_volume": 9,
    "min_flagged": 10,
}
_SHAPE_OPTIONS = ("bucket_days", "top_posts")

#: Statistic names, in ``medtone_stat`` order (stable ABI; see the header for the formulas).
STATS: Tuple[str, ...] = (
    "volume", "positive", "neutral", "negative", "mean", "stddev", "net", "bayes", "wilson",
    "share_of_voice", "share_positive", "share_negative", "reputation",
)
_STAT_INDEX = {name: i for i, name in enumerate(STATS)}

#: A time: Unix seconds (int or float), or a datetime (naive ones are taken as UTC) or a date.
Time = Union[int, float, _dt.datetime, _dt.date]


def _lib() -> _capi.Library:
    L = _capi.lib()
    if not L.has_reputation:
        raise MedtoneError(f"{L.path} (libmedtone {L.version_string}) has no reputation API; "
                           "it needs a library built with include/medtone/reputation.h")
    return L


def _names(fn: Any) -> Tuple[str, ...]:
    out = []
    for k in range(256):  # values are only ever appended; stop at the first unknown one
        name = fn(k).decode("utf-8")
        if name == "unknown":
            break
        out.append(name)
    return tuple(out)


def entity_kinds() -> Tuple[str, ...]:
    """The entity kinds, in ``medtone_entity_kind`` order, named by the C library."""
    return _names(_lib().medtone_entity_kind_name)


def alert_kinds() -> Tuple[str, ...]:
    """The alert kinds, in ``medtone_alert_kind`` order, named by the C library."""
    return _names(_lib().medtone_alert_kind_name)


def _utf8(s: object, what: str) -> bytes:
    if not isinstance(s, str):
        raise TypeError(f"{what} must be a str, not {type(s).__name__}")
    return s.encode("utf-8")


def _seconds(when: object) -> int:
    """Unix seconds of a time (see :data:`Time`)."""
    if isinstance(when, bool):
        raise TypeError("a time must be Unix seconds or a datetime, not bool")
    if isinstance(when, numbers.Integral):
        return int(when)
    if isinstance(when, numbers.Real):
        if not math.isfinite(when):
            raise InvalidArgument(f"a time must be finite, not {when!r}", Status.INVALID_ARG)
        return math.floor(when)
    if isinstance(when, _dt.datetime):
        if when.tzinfo is None:
            when = when.replace(tzinfo=_dt.timezone.utc)
        return math.floor(when.timestamp())
    if isinstance(when, _dt.date):
        return int(_dt.datetime(when.year, when.month, when.day,
                                tzinfo=_dt.timezone.utc).timestamp())
    raise TypeError(f"a time must be Unix seconds, a datetime or a date, "
                    f"not {type(when).__name__}")


# ------------------------------------------------------------------------------------------------
# Entities
# ------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Entity:
    """A registered entity: index in its registry, unique id, display name, kind, and aliases
    as given (the display name first)."""

    index: int
    id: str
    name: str
    kind: str
    aliases: Tuple[str, ...]


class Entities:
    """A registry of entities (hospitals, clinics, doctors, drugs, brands, competitors) and
    their aliases: names, @handles, #hashtags, misspellings.

    Building it (:meth:`add`, :meth:`add_alias`, :meth:`load`) changes it; do that from one
    thread. Once built it may be shared by any number of threads and aggregators. Pass it to
    :meth:`medtone.Analyzer.analyze` (``entities=``) to find mentions in a text.
    """

    def __init__(self) -> None:
        L = _lib()
        h = L.medtone_entities_new()
        if not h:
            raise NoMemory("out of memory: medtone_entities_new", Status.NOMEM)
        self._L = L
        self._obj = _CObject(h, L.medtone_entities_free)
        self._ids: List[str] = []
        self._index: Dict[str, int] = {}
        self._lock = threading.RLock()  # building, and the id cache (read by analyzing threads)

    @classmethod
    def from_file(cls, path: Union[str, "os.PathLike[str]"]) -> "Entities":
        """A registry loaded from a file (see :meth:`load`)."""
        e = cls()
        e.load(path)
        return e

    @classmethod
    def from_data(cls, data: Union[str, bytes], name: Optional[str] = None) -> "Entities":
        """A registry loaded from a file's content (see :meth:`load_data`)."""
        e = cls()
        e.load_data(data, name)
        return e

    # -- building --------------------------------------------------------------------------------

    def _h(self) -> int:
        h = self._obj.h
        if not h:
            raise MedtoneError("the entity registry is closed")
        return h

    def _fail(self, st: int) -> None:
        h = self._obj.h
        self._L.check(st, lambda: self._L.medtone_entities_last_error(h))

    def _sync(self) -> None:
        """Reads the ids of entities added since the last look (entities are only appended)."""
        L, h = self._L, self._h()
        with self._lock:
            for i in range(len(self._ids), L.medtone_entities_count(h)):
                eid = L.medtone_entity_id(h, i).decode("utf-8")
                self._ids.append(eid)
                self._index[eid] = i

    def add(self, id: str, name: str, kind: str = "other",
            aliases: Iterable[str] = ()) -> int:
        """Adds an entity and its aliases; returns its index.

        Raises:
            InvalidArgument: an id or name outside the limits, an id already used, a name or
                alias that already names another entity (the message says which). When an
                alias fails, the entity stays added with the aliases before it.
            NotFound: an unknown ``kind`` (see :func:`entity_kinds`).
        """
        bid, bname = _utf8(id, "an entity id"), _utf8(name, "an entity name")
        if isinstance(aliases, str):
            raise TypeError("aliases takes a list of str, not one str")
        balias = [_utf8(a, "an alias") for a in aliases]
        k = self._kind(kind)
        L = self._L
        with self._lock:
            idx = ctypes.c_size_t()
            st = L.medtone_entities_add(self._h(), bid, bname, k, ctypes.byref(idx))
            if st:
                self._fail(st)
            self._sync()
            for a in balias:
                st = L.medtone_entities_add_alias(self._h(), idx.value, a)
                if st:
                    self._fail(st)
        return int(idx.value)

    def _kind(self, kind: str) -> int:
        if not isinstance(kind, str):
            raise TypeError(f"an entity kind must be a str, not {type(kind).__name__}")
        out = ctypes.c_int()
        st = self._L.medtone_entity_kind_find(kind.encode("utf-8"), ctypes.byref(out))
        if st:
            self._L.check(st, lambda: (f"unknown entity kind {kind!r}; kinds: "
                                       f"{', '.join(entity_kinds())}").encode("utf-8"))
        return int(out.value)

    def add_alias(self, entity: Union[int, str], alias: str) -> None:
        """Adds an alias to an entity (by index or id). Adding one it already has does nothing.

        Raises:
            InvalidArgument: an alias outside the limits or one that names another entity.
            NotFound: no such entity.
        """
        b = _utf8(alias, "an alias")
        with self._lock:
            st = self._L.medtone_entities_add_alias(self._h(), self.index(entity), b)
            if st:
                self._fail(st)

    def load(self, path: Union[str, "os.PathLike[str]"]) -> None:
        """Adds the entities of a file (plain or gzip), one per line:
        ``id<TAB>name<TAB>kind[<TAB>alias|alias|...]``. All or nothing.

        Raises:
            MedtoneIOError, GzipError, ParseError (naming the file and the line), TooLarge.
        """
        if path is None or not isinstance(path, (str, bytes, os.PathLike)):
            raise TypeError(f"path must be a path, not {type(path).__name__}")
        with self._lock:
            st = self._L.medtone_entities_load(self._h(), os.fsencode(path))
            if st:
                self._fail(st)
            self._sync()

    def load_data(self, data: Union[str, bytes], name: Optional[str] = None) -> None:
        """As :meth:`load`, from a file's content; ``name`` names it in messages."""
        if isinstance(data, str):
            data = data.encode("utf-8")
        if not isinstance(data, (bytes, bytearray)):
            raise TypeError(f"data must be str or bytes, not {type(data).__name__}")
        data = bytes(data)
        bname = None if name is None else _utf8(name, "name")
        with self._lock:
            st = self._L.medtone_entities_load_data(self._h(), bname, data, len(data))
            if st:
                self._fail(st)
            self._sync()

    @property
    def last_error(self) -> str:
        """The description of the last failed add, add_alias or load, or ``""``."""
        return self._L.medtone_entities_last_error(self._h()).decode("utf-8", "replace")

    # -- reading ---------------------------------------------------------------------------------

    def __len__(self) -> int:
        return int(self._L.medtone_entities_count(self._h()))

    def index(self, entity: Union[int, str]) -> int:
        """The index of an entity given by id (``medtone_entities_find``) or by index.

        Raises:
            NotFound: no such entity.
        """
        if isinstance(entity, str):
            i = self._index.get(entity)
            if i is not None:
                return i
            out = ctypes.c_size_t()
            st = self._L.medtone_entities_find(self._h(), entity.encode("utf-8"),
                                               ctypes.byref(out))
            if st:
                self._L.check(st, lambda: f"no entity with id {entity!r}".encode("utf-8"))
            return int(out.value)
        if isinstance(entity, numbers.Integral) and not isinstance(entity, bool):
            if 0 <= entity < len(self):
                return int(entity)
            raise NotFound(f"no entity with index {entity}", Status.NOT_FOUND)
        raise TypeError(f"an entity is an id (str) or an index (int), "
                        f"not {type(entity).__name__}")

    def __contains__(self, entity: object) -> bool:
        try:
            self.index(entity)  # type: ignore[arg-type]
        except (NotFound, TypeError):
            return False
        return True

    def __getitem__(self, entity: Union[int, str]) -> Entity:
        L, h = self._L, self._h()
        i = self.index(entity)
        return Entity(
            i,
            L.medtone_entity_id(h, i).decode("utf-8"),
            L.medtone_entity_name(h, i).decode("utf-8"),
            L.medtone_entity_kind_name(L.medtone_entity_kind_of(h, i)).decode("utf-8"),
            tuple(L.medtone_entity_alias(h, i, k).decode("utf-8")
                  for k in range(L.medtone_entity_alias_count(h, i))))

    def __iter__(self) -> Iterator[Entity]:
        for i in range(len(self)):
            yield self[i]

    def id(self, index: int) -> str:
        """The id of the entity at ``index``."""
        if not 0 <= index < len(self._ids):
            self._sync()
        return self._ids[index]

    def _read(self, r: int, spans: Spans) -> Tuple[Tuple[str, ...], Tuple[Mention, ...]]:
        """The entities and mentions in the analysis held by C result ``r``."""
        L, h = self._L, self._h()
        cap = len(self._ids) or 1
        out = (ctypes.c_size_t * cap)()
        found = ctypes.c_size_t()
        L.check(L.medtone_entities_match(h, r, out, cap, ctypes.byref(found)))
        if found.value > cap:  # entities were added since we last looked
            self._sync()
            cap = found.value
            out = (ctypes.c_size_t * cap)()
            L.check(L.medtone_entities_match(h, r, out, cap, ctypes.byref(found)))
        ids = tuple(self.id(out[i]) for i in range(found.value))
        mentions = []
        if found.value:
            cursor, ent, off, ln = (ctypes.c_size_t() for _ in range(4))
            nxt = L.medtone_entities_next_mention
            while True:
                st = nxt(h, r, ctypes.byref(cursor), ctypes.byref(ent), ctypes.byref(off),
                         ctypes.byref(ln))
                if st == Status.NOT_FOUND:
                    break
                L.check(st)
                start, end = off.value, off.value + ln.value
                cs, ce = spans.char(start), spans.char(end)
                mentions.append(Mention(self.id(ent.value), int(ent.value), start, end, cs, ce,
                                        spans.text[cs:ce]))
        return ids, tuple(mentions)

    # -- life cycle ------------------------------------------------------------------------------

    def close(self) -> None:
        """Frees the registry. Aggregators made over it must not be used afterwards."""
        self._obj.close()

    def __enter__(self) -> "Entities":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __reduce__(self) -> Tuple[Any, Tuple[Any, ...]]:
        # Travels as its entities, rebuilt on arrival (so it reaches Dask workers).
        return (_rebuild_entities, (tuple((e.id, e.name, e.kind, e.aliases) for e in self),))

    def __repr__(self) -> str:
        if not self._obj.h:
            return "<medtone.reputation.Entities (closed)>"
        return f"<medtone.reputation.Entities {len(self)} entities>"


def _rebuild_entities(rows: Sequence[Tuple[str, str, str, Tuple[str, ...]]]) -> Entities:
    e = Entities()
    for eid, name, kind, aliases in rows:
        e.add(eid, name, kind, [a for a in aliases if a != name])
    return e


# ------------------------------------------------------------------------------------------------
# Aggregator and alerts
# ------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Alert:
    """Something that needs a person: ``kind`` is "volume", "negativity", "misinfo" or "crisis"
    (see the header for the rules), for one entity and bucket.

    Attributes:
        score: the robust z-score (crisis: the number of crisis posts).
        value: the bucket's value (volume, negative share, misinfo count, crisis count).
        baseline: the median of the baseline buckets (0 for crisis).
        post_ids: the ids of the posts behind it, strongest first.
    """

    kind: str
    entity: str
    entity_index: int
    bucket: int
    bucket_start: int
    score: float
    value: float
    baseline: float
    post_ids: Tuple[str, ...]

    @property
    def bucket_time(self) -> _dt.datetime:
        """The bucket's start as an aware UTC datetime."""
        return _dt.datetime.fromtimestamp(self.bucket_start, _dt.timezone.utc)


_Post = Union[Tuple[TextLike, Time], Tuple[TextLike, Time, Optional[str]]]


class Aggregator:
    """Reputation per entity and time bucket, kept as exact integer sums.

    Args:
        entities: the registry (kept alive by the aggregator; may grow between uses).
        **options: settings by name (see :data:`AGGREGATOR_OPTIONS` and the header):
            ``bucket_days`` (1 or 7), ``top_posts``, ``half_life_days``, ``prior_mean``,
            ``prior_weight``, ``wilson_z``, ``alert_window``, ``alert_threshold``,
            ``min_volume``, ``min_flagged``.

    Raises:
        InvalidArgument: an unknown option or a value out of range.

    Changing calls (add, merge, load, set_option) are serialized by a lock, so threads may
    share an aggregator; :meth:`add_many` with ``threads > 1`` instead gives each thread its own
    aggregator and merges them at the end.
    """

    def __init__(self, entities: Entities, **options: float) -> None:
        if not isinstance(entities, Entities):
            raise TypeError(f"entities must be a medtone.reputation.Entities, "
                            f"not {type(entities).__name__}")
        L = _lib()
        out = ctypes.c_void_p()
        L.check(L.medtone_aggregator_new(entities._h(), ctypes.byref(out)))
        self._L = L
        self._entities = entities
        self._obj = _CObject(out.value, L.medtone_aggregator_free)  # type: ignore[arg-type]
        self._lock = threading.RLock()
        for name, value in options.items():
            self.set_option(name, value)

    # -- settings --------------------------------------------------------------------------------

    def _h(self) -> int:
        h = self._obj.h
        if not h:
            raise MedtoneError("the aggregator is closed")
        return h

    def _fail(self, st: int) -> None:
        h = self._obj.h
        self._L.check(st, lambda: self._L.medtone_aggregator_last_error(h))

    @staticmethod
    def _option(name: str) -> int:
        try:
            return AGGREGATOR_OPTIONS[name]
        except (KeyError, TypeError):
            raise InvalidArgument(f"unknown aggregator option {name!r}; options: "
                                  f"{', '.join(AGGREGATOR_OPTIONS)}", Status.INVALID_ARG) from None

    def set_option(self, name: str, value: float) -> None:
        """Changes one setting. ``bucket_days`` and ``top_posts`` only while empty.

        Raises:
            InvalidArgument: unknown name, value out of range, or a shape option once posts
                were added (the aggregator is then unchanged).
        """
        opt = self._option(name)
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(f"option {name!r} takes a number, not {type(value).__name__}")
        with self._lock:
            st = self._L.medtone_aggregator_set_option(self._h(), opt, float(value))
            if st:
                self._L.check(st, lambda: f"{name} = {value!r}".encode("utf-8"))

    def get_option(self, name: str) -> float:
        """The current value of a setting."""
        opt = self._option(name)
        out = ctypes.c_double()
        self._L.check(self._L.medtone_aggregator_get_option(self._h(), opt, ctypes.byref(out)))
        return float(out.value)

    @property
    def options(self) -> Dict[str, float]:
        """Every setting by name."""
        return {name: self.get_option(name) for name in AGGREGATOR_OPTIONS}

    @property
    def entities(self) -> Entities:
        """The registry this aggregator counts for."""
        return self._entities

    # -- adding ----------------------------------------------------------------------------------

    def _add_c(self, r: int, result: Result, when: int, post_id: Optional[bytes],
               targets: Optional[Sequence[int]]) -> None:
        idx = targets
        if idx is None:
            idx = [self._entities.index(e) for e in (result.entities or ())]
        add = self._L.medtone_aggregator_add
        with self._lock:
            h = self._h()
            for e in idx:
                st = add(h, e, when, r, post_id)
                if st:
                    self._fail(st)

    def _targets(self, entities: Optional[Iterable[Union[int, str]]]) -> Optional[List[int]]:
        if entities is None:
            return None
        if isinstance(entities, (str, int)):
            entities = [entities]
        return [self._entities.index(e) for e in entities]

    def add(self, analyzer: Analyzer, text: TextLike, when: Time,
            post_id: Optional[str] = None,
            entities: Optional[Iterable[Union[int, str]]] = None) -> Result:
        """Analyzes one post and counts it for every entity it mentions (or for ``entities``,
        ids or indexes, when given: for posts gathered about a known entity).

        Args:
            when: the post's time (see :data:`Time`).
            post_id: named in alerts when the post ranks among its bucket's top posts.

        Returns:
            The post's :class:`~medtone.Result`, with ``entities`` and ``mentions``.
        """
        if not isinstance(analyzer, Analyzer):
            raise TypeError(f"analyzer must be a medtone.Analyzer, not {type(analyzer).__name__}")
        t = _seconds(when)
        pid = None if post_id is None else _utf8(post_id, "post_id")
        targets = self._targets(entities)
        return analyzer._analyze_with(
            text, lambda r, res: self._add_c(r, res, t, pid, targets), entities=self._entities)

    def add_many(self, analyzer: Analyzer, posts: Iterable[_Post], threads: int = 1,
                 chunk_size: int = 64) -> int:
        """Analyzes and counts many posts, each a tuple ``(text, when)`` or
        ``(text, when, post_id)``; returns how many posts were read.

        The posts are counted into staging aggregators (one per thread) that are merged into
        this one at the end; the merge is exact, so the sums are the same as adding one by one.
        All or nothing: when a post fails (a wrong type, an id too long), this aggregator is
        left as it was.
        """
        if not isinstance(analyzer, Analyzer):
            raise TypeError(f"analyzer must be a medtone.Analyzer, not {type(analyzer).__name__}")
        if not isinstance(threads, numbers.Integral) or isinstance(threads, bool) or threads < 1:
            raise ValueError("threads must be a positive int")

        def unpack(post: Any) -> Tuple[TextLike, int, Optional[bytes]]:
            if not isinstance(post, tuple) or len(post) not in (2, 3):
                raise TypeError("each post is a tuple (text, when) or (text, when, post_id)")
            pid = post[2] if len(post) == 3 else None
            return post[0], _seconds(post[1]), None if pid is None else _utf8(pid, "post_id")

        # Every worker thread fills its own aggregator; they are merged in only when all posts
        # were read, so a bad post leaves this aggregator as it was (all or nothing).
        shape = {k: self.get_option(k) for k in _SHAPE_OPTIONS}
        slots: "queue.SimpleQueue[Tuple[_CObject, Aggregator]]" = queue.SimpleQueue()
        owned = [(_new_result(analyzer._L), Aggregator(self._entities, **shape))
                 for _ in range(int(threads))]
        for s in owned:
            slots.put(s)

        def work(chunk: List[Any]) -> int:
            res, agg = slots.get()  # never blocks: at most `threads` chunks run at once
            try:
                for post in chunk:
                    text, t, pid = unpack(post)
                    result = analyzer._run(res.h, text, False, self._entities)  # type: ignore
                    agg._add_c(res.h, result, t, pid, None)  # type: ignore[arg-type]
                return len(chunk)
            finally:
                slots.put((res, agg))

        n = 0
        chunks = ordered_chunks(posts, work, int(threads), chunk_size, "medtone-agg")
        try:
            if threads == 1:
                source = iter(posts)
                n = sum(work(chunk) for chunk in iter(lambda: list(islice(source, chunk_size)),
                                                      []))
            else:
                n = sum(chunks)
            staged = owned[0][1]
            for _, agg in owned[1:]:
                staged.merge(agg)
            self.merge(staged)
        finally:
            chunks.close()  # every worker is done with its aggregator before they are freed
            for res, agg in owned:
                res.close()
                agg.close()
        return n

    def merge(self, other: "Aggregator") -> None:
        """Adds everything ``other`` holds into this aggregator (``other`` is unchanged).
        Entities are matched by id. Exact, and all or nothing.

        Raises:
            InvalidArgument: different bucket or list lengths, or ``other is self``.
            NotFound: ``other`` holds posts of an entity id this registry lacks.
        """
        if not isinstance(other, Aggregator):
            raise TypeError(f"can only merge an Aggregator, not {type(other).__name__}")
        with self._lock, other._lock:
            st = self._L.medtone_aggregator_merge(self._h(), other._h())
            if st:
                self._fail(st)

    # -- state files -----------------------------------------------------------------------------

    def save(self, path: Union[str, "os.PathLike[str]"]) -> None:
        """Saves the sums to a file (gzip-compressed, versioned; entities named by id).

        Raises:
            MedtoneIOError: the file cannot be written (no partial file is left).
        """
        if path is None or not isinstance(path, (str, bytes, os.PathLike)):
            raise TypeError(f"path must be a path, not {type(path).__name__}")
        with self._lock:
            st = self._L.medtone_aggregator_save(self._h(), os.fsencode(path))
            if st:
                self._fail(st)

    def load(self, path: Union[str, "os.PathLike[str]"]) -> None:
        """Adds the sums of a saved file, as :meth:`merge` would (into an empty aggregator:
        a plain load). Checked entirely before anything changes.

        Raises:
            MedtoneIOError, GzipError, ParseError, NotFound, InvalidArgument.
        """
        if path is None or not isinstance(path, (str, bytes, os.PathLike)):
            raise TypeError(f"path must be a path, not {type(path).__name__}")
        with self._lock:
            st = self._L.medtone_aggregator_load(self._h(), os.fsencode(path))
            if st:
                self._fail(st)

    def load_data(self, data: bytes, name: Optional[str] = None) -> None:
        """As :meth:`load`, from a saved file's bytes."""
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError(f"data must be bytes, not {type(data).__name__}")
        data = bytes(data)
        bname = None if name is None else _utf8(name, "name")
        with self._lock:
            st = self._L.medtone_aggregator_load_data(self._h(), bname, data, len(data))
            if st:
                self._fail(st)

    def to_bytes(self) -> bytes:
        """The saved state as bytes (what :meth:`save` writes)."""
        with tempfile.TemporaryDirectory(prefix="medtone-") as d:
            path = os.path.join(d, "state.mtagg")
            self.save(path)
            with open(path, "rb") as f:
                return f.read()

    @classmethod
    def from_bytes(cls, entities: Entities, data: bytes, **options: float) -> "Aggregator":
        """An aggregator over ``entities`` holding the state ``data`` (from :meth:`to_bytes`),
        with the given non-shape settings."""
        agg = cls(entities, **{k: v for k, v in options.items() if k not in _SHAPE_OPTIONS})
        agg.load_data(data)
        return agg

    @property
    def last_error(self) -> str:
        """The description of the last failed merge, save or load, or ``""``."""
        return self._L.medtone_aggregator_last_error(self._h()).decode("utf-8", "replace")

    # -- reading ---------------------------------------------------------------------------------

    @property
    def empty(self) -> bool:
        """Whether no post was added yet."""
        return bool(self._L.medtone_aggregator_empty(self._h()))

    @property
    def buckets(self) -> Tuple[int, ...]:
        """The start of every bucket in Unix seconds (UTC midnight; Mondays for weeks), from the
        earliest bucket holding a post to the latest, empty ones included."""
        L, h = self._L, self._h()
        return tuple(int(L.medtone_aggregator_bucket_start(h, b))
                     for b in range(L.medtone_aggregator_bucket_count(h)))

    def _bucket(self, bucket: Optional[int]) -> int:
        if bucket is None:
            return _C_ALL_BUCKETS
        if isinstance(bucket, bool) or not isinstance(bucket, numbers.Integral):
            raise TypeError(f"a bucket is an int index or None, not {type(bucket).__name__}")
        if bucket < 0:
            raise InvalidArgument(f"bucket {bucket} is negative", Status.INVALID_ARG)
        return int(bucket)

    def stat(self, entity: Union[int, str], stat: str = "mean",
             bucket: Optional[int] = None) -> float:
        """A statistic (one of :data:`STATS`) of one entity in one bucket (``None``: all
        buckets together). An empty bucket gives 0."""
        try:
            s = _STAT_INDEX[stat]
        except (KeyError, TypeError):
            raise InvalidArgument(f"unknown statistic {stat!r}; statistics: {', '.join(STATS)}",
                                  Status.INVALID_ARG) from None
        return float(self._L.medtone_aggregator_stat(self._h(), self._entities.index(entity),
                                                     self._bucket(bucket), s))

    def flag_count(self, entity: Union[int, str], flag: str,
                   bucket: Optional[int] = None) -> int:
        """How many of the entity's posts in the bucket fired ``flag`` (a name from
        :func:`medtone.flags`)."""
        return int(self._L.medtone_aggregator_flag_count(
            self._h(), self._entities.index(entity), self._bucket(bucket), flag_index(flag)))

    def flag_sentiment(self, entity: Union[int, str], flag: str,
                       bucket: Optional[int] = None) -> float:
        """The mean flag sentiment of those posts (for an aspect: what they said about it)."""
        return float(self._L.medtone_aggregator_flag_sentiment(
            self._h(), self._entities.index(entity), self._bucket(bucket), flag_index(flag)))

    def table(self, stats: Sequence[str] = STATS) -> List[Dict[str, Any]]:
        """One row per entity and bucket (buckets with posts only): ``entity``,
        ``bucket``, ``bucket_start`` and the statistics named (all by default). Ready for
        ``pandas.DataFrame(agg.table())``."""
        rows = []
        for b, start in enumerate(self.buckets):
            for e in range(len(self._entities)):
                if not self.stat(e, "volume", b):
                    continue
                row: Dict[str, Any] = {"entity": self._entities.id(e), "bucket": b,
                                       "bucket_start": start}
                for s in stats:
                    row[s] = self.stat(e, s, b)
                rows.append(row)
        return rows

    def alerts(self) -> Tuple[Alert, ...]:
        """The alerts under the current settings, by bucket, then entity, then kind."""
        L = self._L
        out = ctypes.c_void_p()
        with self._lock:
            L.check(L.medtone_aggregator_alerts(self._h(), ctypes.byref(out)))
        a = out.value
        try:
            kinds = alert_kinds()
            alerts = []
            for i in range(L.medtone_alerts_count(a)):
                k = L.medtone_alert_kind_of(a, i)
                e = int(L.medtone_alert_entity(a, i))
                alerts.append(Alert(
                    kinds[k] if 0 <= k < len(kinds) else f"kind-{k}",
                    self._entities.id(e), e,
                    int(L.medtone_alert_bucket(a, i)), int(L.medtone_alert_bucket_start(a, i)),
                    float(L.medtone_alert_score(a, i)), float(L.medtone_alert_value(a, i)),
                    float(L.medtone_alert_baseline(a, i)),
                    tuple(L.medtone_alert_post_id(a, i, j).decode("utf-8", "replace")
                          for j in range(L.medtone_alert_post_count(a, i)))))
            return tuple(alerts)
        finally:
            L.medtone_alerts_free(a)

    # -- life cycle ------------------------------------------------------------------------------

    def close(self) -> None:
        """Frees the aggregator. Idempotent."""
        self._obj.close()

    def __enter__(self) -> "Aggregator":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __reduce__(self) -> Tuple[Any, Tuple[Any, ...]]:
        # Travels as its registry, settings and saved state (so it reaches Dask workers and
        # comes back from them); rebuilt with load_data on arrival.
        state = None if self.empty else self.to_bytes()
        return (_rebuild_aggregator, (self._entities, self.options, state))

    def __repr__(self) -> str:
        if not self._obj.h:
            return "<medtone.reputation.Aggregator (closed)>"
        return (f"<medtone.reputation.Aggregator {len(self._entities)} entities, "
                f"{len(self.buckets)} buckets>")


def _rebuild_aggregator(entities: Entities, options: Dict[str, float],
                        state: Optional[bytes]) -> Aggregator:
    if state is None:
        return Aggregator(entities, **options)
    return Aggregator.from_bytes(entities, state, **options)
