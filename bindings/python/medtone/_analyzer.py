"""The analyzer: lexicons and rules in, :class:`~medtone.Result` values out.

One C analyzer is shared by every thread (the library only reads it while analyzing). C result
objects belong to one thread at a time, so each Python thread that calls :meth:`Analyzer.analyze`
gets its own, kept in a thread-local slot and reused for every text, and
:meth:`Analyzer.analyze_many` gives each of its worker threads one. ctypes releases the GIL while
``medtone_analyze`` runs, so threads analyze in parallel.
"""
from __future__ import annotations

import ctypes
import numbers
import os
import queue
import threading
import weakref
from dataclasses import dataclass
from typing import (
    TYPE_CHECKING,
    Any,
    Callable,
    Dict,
    Iterable,
    Iterator,
    List,
    Mapping,
    Optional,
    Tuple,
    Union,
)

from . import _capi
from ._errors import InvalidArgument, MedtoneError, NoMemory
from ._pool import ordered_chunks
from ._text import Spans, TextLike, coerce
from ._types import Evidence, Flag, FlagInfo, FrozenMap, Result, Term, Token, TokenFlag

if TYPE_CHECKING:  # pragma: no cover
    from .reputation import Entities

__all__ = [
    "Analyzer",
    "AnalyzerSpec",
    "LexiconSource",
    "flags",
    "rules",
    "token_kinds",
    "tokenize",
    "version",
]

# medtone_option values (stable ABI; the C library has no names for them).
_OPT_EMBEDDED_LEXICONS = 1
_OPT_NEGATION_SCOPE = 2
_OPT_FLAGS = 3

# Index arguments as ready-made C values: ctypes converts these faster than Python ints, which
# matters on the accessor-heavy hot path (about a quarter of each small call).
_IDX: Tuple[ctypes.c_size_t, ...] = tuple(ctypes.c_size_t(i) for i in range(256))

_LONG_MIN = -(2 ** (8 * ctypes.sizeof(ctypes.c_long) - 1))
_LONG_MAX = -_LONG_MIN - 1

#: A lexicon to load: a file path (plain or gzip), or ``(name, data)`` with the file's content.
LexiconSource = Union[str, "os.PathLike[str]", Tuple[str, Union[str, bytes]]]


# ------------------------------------------------------------------------------------------------
# Library-wide metadata, read from the C library once per loaded library
# ------------------------------------------------------------------------------------------------

class _Meta:
    """Names the C library enumerates (flags, rules, token kinds), read once."""

    def __init__(self, L: _capi.Library) -> None:
        n = L.medtone_flag_count()
        self.flags: Tuple[FlagInfo, ...] = tuple(
            FlagInfo(i, L.medtone_flag_name(i).decode("utf-8"),
                     L.medtone_flag_default_threshold(i))
            for i in range(n))
        self.flag_names: Tuple[str, ...] = tuple(f.name for f in self.flags)
        self.rule_bits: Tuple[Tuple[int, str], ...] = tuple(
            (1 << b, name) for b in range(32)
            for name in [L.medtone_rule_name(1 << b).decode("utf-8")] if name != "unknown")
        self._rules_cache: Dict[int, Tuple[str, ...]] = {0: ()}
        kinds: Dict[int, str] = {}
        for k in range(256):  # kinds are only ever appended; stop at the first unknown one
            name = L.medtone_token_kind_name(k).decode("utf-8")
            if name == "unknown":
                break
            kinds[k] = name
        self.token_kinds: Dict[int, str] = kinds

    def rules(self, bits: int) -> Tuple[str, ...]:
        names = self._rules_cache.get(bits)
        if names is None:
            names = tuple(name for bit, name in self.rule_bits if bits & bit)
            unknown = bits & ~sum(bit for bit, _ in self.rule_bits)
            if unknown:  # a rule newer than the names we read: keep it visible
                names += tuple(f"rule-0x{1 << b:x}" for b in range(32) if unknown & (1 << b))
            self._rules_cache[bits] = names
        return names


_meta_lock = threading.Lock()
_metas: Dict[int, _Meta] = {}


def _meta(L: _capi.Library) -> _Meta:
    m = _metas.get(id(L))
    if m is None:
        with _meta_lock:
            m = _metas.get(id(L))
            if m is None:
                m = _metas[id(L)] = _Meta(L)
    return m


def version() -> str:
    """The version of the loaded C library, e.g. ``"0.1.0"`` (``medtone_version_string``)."""
    return _capi.lib().version_string


def flags() -> Tuple[FlagInfo, ...]:
    """Every flag the loaded library raises, in index order, with its default threshold (read
    from the C enumeration: a newer library's new flags appear without a new binding)."""
    return _meta(_capi.lib()).flags


def rules() -> Tuple[str, ...]:
    """The names of the scoring rules a :class:`~medtone.Term` can list, in bit order."""
    return tuple(name for _, name in _meta(_capi.lib()).rule_bits)


def token_kinds() -> Tuple[str, ...]:
    """The names of the token kinds, in the C enumeration's order."""
    return tuple(_meta(_capi.lib()).token_kinds.values())


# ------------------------------------------------------------------------------------------------
# C objects owned by Python objects
# ------------------------------------------------------------------------------------------------

class _CObject:
    """Owns one C handle and frees it exactly once (explicitly, or when garbage collected)."""

    __slots__ = ("h", "_free", "__weakref__")

    def __init__(self, h: int, free: Callable[[int], None]) -> None:
        self.h: Optional[int] = h
        self._free = free

    def close(self) -> None:
        h, self.h = self.h, None
        if h:
            self._free(h)

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # pragma: no cover - interpreter shutdown
            pass


def _new_result(L: _capi.Library) -> _CObject:
    h = L.medtone_result_new()
    if not h:
        raise NoMemory("out of memory: medtone_result_new", _capi.Status.NOMEM)
    return _CObject(h, L.medtone_result_free)


def _new_tokens(L: _capi.Library) -> _CObject:
    h = L.medtone_tokens_new()
    if not h:
        raise NoMemory("out of memory: medtone_tokens_new", _capi.Status.NOMEM)
    return _CObject(h, L.medtone_tokens_free)


# ------------------------------------------------------------------------------------------------
# Reading C objects into Python values
# ------------------------------------------------------------------------------------------------

def _read_tokens(L: _capi.Library, meta: _Meta, toks: int, spans: Spans) -> Tuple[Token, ...]:
    count = L.medtone_tokens_count(toks)
    offset, length = L.medtone_token_offset, L.medtone_token_length
    kind_of, tflags, repeat = L.medtone_token_kind_of, L.medtone_token_flags, L.medtone_token_repeat
    normalized = L.medtone_token_normalized
    kinds = meta.token_kinds
    text = spans.text
    char = spans.char
    out = []
    for i in range(count):
        off = offset(toks, i)
        end = off + length(toks, i)
        cs, ce = char(off), char(end)
        k = kind_of(toks, i)
        # A normalized form never holds a NUL (NULs separate tokens), so the C string is whole.
        norm = normalized(toks, i, None).decode("utf-8", "replace")
        out.append(Token(off, end, cs, ce, text[cs:ce], kinds.get(k, f"kind-{k}"), norm,
                         TokenFlag(tflags(toks, i)), repeat(toks, i)))
    return tuple(out)


class _Reader:
    """Copies one analysis out of a C result into a :class:`Result`. Built once per analyzer,
    with every C function bound to a local name: this is the binding's hot path."""

    def __init__(self, L: _capi.Library, with_flags: bool, thresholds: Mapping[str, float]) -> None:
        self.L = L
        self.meta = _meta(L)
        self.with_flags = with_flags
        # (index as a C value, whether a zero score may fire it) per flag, in flag order
        self.flag_table = tuple((ctypes.c_size_t(f.index), thresholds[f.name] <= 0.0)
                                for f in self.meta.flags)
        self.flag_names = self.meta.flag_names
        self.flag_index = {name: i for i, name in enumerate(self.flag_names)}
        self._layers: Dict[bytes, str] = {}
        self._quiet: Dict[Tuple[float, bool], Flag] = {}

    def read(self, r: int, spans: Spans, want_tokens: bool) -> Result:
        L = self.L
        compound = L.medtone_result_compound(r)
        text = spans.text
        identity = spans.identity
        char = spans.char
        terms: Tuple[Term, ...] = ()
        nterms = L.medtone_result_term_count(r)
        if nterms:
            t_off, t_len = L.medtone_result_term_offset, L.medtone_result_term_length
            t_entry, t_layer = L.medtone_result_term_entry, L.medtone_result_term_layer
            t_val, t_con = L.medtone_result_term_valence, L.medtone_result_term_contribution
            t_rules = L.medtone_result_term_rules
            layers = self._layers
            rules = self.meta.rules
            out = []
            for i in (_IDX[:nterms] if nterms <= 256 else range(nterms)):
                off = t_off(r, i)
                end = off + t_len(r, i)
                if identity:
                    cs, ce = off, end
                else:
                    cs, ce = char(off), char(end)
                lb = t_layer(r, i)
                layer = layers.get(lb)
                if layer is None:
                    layer = layers.setdefault(lb, lb.decode("utf-8", "replace"))
                out.append(Term(off, end, cs, ce, text[cs:ce],
                                t_entry(r, i).decode("utf-8", "replace"), layer,
                                t_val(r, i), t_con(r, i), rules(t_rules(r, i))))
            terms = tuple(out)
        flag_map: FrozenMap[str, Flag] = _NO_FLAGS
        if self.with_flags:
            flag_map = FrozenMap._shared(self.flag_names, self.flag_index,
                                         self._read_flags(r, spans))
        tokens = None
        if want_tokens:
            tokens = _read_tokens(L, self.meta, L.medtone_result_tokens(r), spans)
        label = "positive" if compound >= 0.05 else "negative" if compound <= -0.05 else "neutral"
        return Result(text, compound, L.medtone_result_positive(r), L.medtone_result_neutral(r),
                      L.medtone_result_negative(r), label, terms, flag_map, tokens)

    def _read_flags(self, r: int, spans: Spans) -> Tuple[Flag, ...]:
        L = self.L
        f_score, f_fired = L.medtone_result_flag_score, L.medtone_result_flag_fired
        f_count = L.medtone_result_evidence_count
        quiet, silent = self._quiet, _SILENT
        out: List[Flag] = []
        for idx, zero_fires in self.flag_table:
            score = f_score(r, idx)
            n = f_count(r, idx)
            if not (score or n or zero_fires):
                out.append(silent)  # most flags of most texts
                continue
            # "A score >= threshold fires it" (medtone.h), and the library fires no flag whose
            # score is 0: ask the library only about the others.
            fired = (f_fired(r, idx) != 0) if (score or zero_fires) else False
            if not n:
                # No evidence: the header fixes the flag's sentiment at 0, so flags without
                # evidence share one value per (score, fired).
                key = (score, fired)
                flag = quiet.get(key)
                if flag is None:
                    flag = Flag(score, fired, 0.0, ())
                    if len(quiet) < 256:
                        quiet[key] = flag
                out.append(flag)
                continue
            e_off, e_len = L.medtone_result_evidence_offset, L.medtone_result_evidence_length
            e_cue = L.medtone_result_evidence_cue
            text, char = spans.text, spans.char
            ev = []
            for j in (_IDX[:n] if n <= 256 else range(n)):
                off = e_off(r, idx, j)
                end = off + e_len(r, idx, j)
                cs, ce = char(off), char(end)
                ev.append(Evidence(off, end, cs, ce, text[cs:ce],
                                   e_cue(r, idx, j).decode("utf-8", "replace")))
            out.append(Flag(score, fired, L.medtone_result_flag_sentiment(r, idx), tuple(ev)))
        return tuple(out)


_SILENT = Flag(0.0, False, 0.0, ())
_NO_FLAGS: FrozenMap[str, Flag] = FrozenMap()


# ------------------------------------------------------------------------------------------------
# Analyzer
# ------------------------------------------------------------------------------------------------

def _source(item: object, what: str) -> Union[str, Tuple[str, bytes]]:
    """A lexicon source normalized for loading and for the spec: an absolute path, or
    (name, bytes)."""
    if isinstance(item, tuple):
        if len(item) != 2 or not isinstance(item[0], str) or \
                not isinstance(item[1], (str, bytes, bytearray)):
            raise TypeError(f"{what} given as a tuple must be (name: str, data: str | bytes)")
        data = item[1].encode("utf-8") if isinstance(item[1], str) else bytes(item[1])
        return (item[0], data)
    if item is None or not isinstance(item, (str, bytes, os.PathLike)):
        raise TypeError(f"{what} must be a path or a (name, data) tuple, "
                        f"not {type(item).__name__}")
    return os.path.abspath(os.fsdecode(item))


@dataclass(frozen=True)
class AnalyzerSpec:
    """Everything needed to build an :class:`Analyzer`, as a hashable, picklable value.

    Send a spec (not an analyzer) to other processes: ``spec.build()`` makes the analyzer there.
    Paths are absolute, so they must exist wherever the spec is built; lexicons given as
    ``(name, data)`` travel with the spec.
    """

    lexicons: Tuple[Union[str, Tuple[str, bytes]], ...] = ()
    cues: Tuple[Union[str, Tuple[str, bytes]], ...] = ()
    flags: bool = True
    thresholds: Tuple[Tuple[str, float], ...] = ()
    negation_scope: int = 3
    embedded: bool = True

    def build(self) -> "Analyzer":
        """A new analyzer made from this spec."""
        return Analyzer(lexicons=self.lexicons, cues=self.cues, flags=self.flags,
                        thresholds=dict(self.thresholds), negation_scope=self.negation_scope,
                        embedded=self.embedded)


class Analyzer:
    """Scores texts: sentiment with explanations, and flags with evidence.

    Args:
        lexicons: extra sentiment lexicon layers, applied in order on top of the built-in ones:
            file paths (plain or gzip) or ``(name, data)`` tuples holding a file's content.
        cues: extra cue lexicon layers for the flags, the same way.
        flags: raise the flags (``False`` scores sentiment only, and faster).
        thresholds: flag name -> threshold in [0, 1] at which it fires, instead of its default
            (see :func:`medtone.flags`).
        negation_scope: how many words after a negation it reaches, 0..16.
        embedded: start from the lexicon layers built into the library (``False`` starts empty).

    Raises:
        TypeError: an argument of the wrong type.
        NotFound: a threshold for a flag the library does not have.
        InvalidArgument: a value out of range.
        LexiconIOError, ParseError, GzipError, TooLarge: a lexicon could not be loaded; the
            message names the file and the line.

    An analyzer is read-only once made: share it between threads freely. Use it as a context
    manager, or call :meth:`close`, to free the C memory at a known time.
    """

    def __init__(self, lexicons: Iterable[LexiconSource] = (), cues: Iterable[LexiconSource] = (),
                 flags: bool = True, thresholds: Optional[Mapping[str, float]] = None,
                 negation_scope: int = 3, embedded: bool = True) -> None:
        self._h: Optional[int] = None
        if isinstance(lexicons, (str, bytes, os.PathLike)) or isinstance(cues, (str, bytes)):
            raise TypeError("lexicons and cues take a list of paths, not one path")
        if not isinstance(negation_scope, numbers.Integral) or isinstance(negation_scope, bool):
            raise TypeError(f"negation_scope must be an int, not {type(negation_scope).__name__}")
        if thresholds is None:
            thresholds = {}
        if not isinstance(thresholds, Mapping):
            raise TypeError("thresholds must be a mapping of flag name to threshold")
        lex = tuple(_source(x, "a lexicon") for x in lexicons)
        cue = tuple(_source(x, "a cue lexicon") for x in cues)
        L = _capi.lib()
        meta = _meta(L)
        thr: Dict[str, float] = {}
        for name, value in thresholds.items():
            if not isinstance(name, str):
                raise TypeError(f"a threshold's flag name must be a str, not {type(name).__name__}")
            if isinstance(value, bool) or not isinstance(value, numbers.Real):
                raise TypeError(f"the threshold of {name!r} must be a number")
            thr[name] = float(value)
        self._L = L
        self._spec = AnalyzerSpec(lex, cue, bool(flags), tuple(thr.items()), int(negation_scope),
                                  bool(embedded))
        self._thresholds = {f.name: f.default_threshold for f in meta.flags}
        opts = L.medtone_options_new()
        if not opts:
            raise NoMemory("out of memory: medtone_options_new", _capi.Status.NOMEM)
        try:
            self._set_int(opts, _OPT_EMBEDDED_LEXICONS, 1 if embedded else 0, "embedded")
            self._set_int(opts, _OPT_NEGATION_SCOPE, int(negation_scope), "negation_scope")
            self._set_int(opts, _OPT_FLAGS, 1 if flags else 0, "flags")
            for name, value in thr.items():
                idx = flag_index(name)
                st = L.medtone_options_set_threshold(opts, idx, value)
                if st:
                    L.check(st, lambda: f"threshold of {name!r}: {value!r}".encode())
                self._thresholds[name] = value
            h = ctypes.c_void_p()
            L.check(L.medtone_analyzer_new(opts, ctypes.byref(h)))
        finally:
            L.medtone_options_free(opts)
        self._h = h.value
        self._lock = threading.Lock()
        self._local = threading.local()
        self._results: "weakref.WeakSet[_CObject]" = weakref.WeakSet()
        self._reader = _Reader(L, bool(flags), self._thresholds)
        try:
            for src in lex:
                self._load(src, cues=False)
            for src in cue:
                self._load(src, cues=True)
        except BaseException:
            self.close()
            raise

    def _set_int(self, opts: int, option: int, value: int, what: str) -> None:
        if not _LONG_MIN <= value <= _LONG_MAX:
            raise InvalidArgument(f"{what}: {value} is out of range", _capi.Status.INVALID_ARG)
        st = self._L.medtone_options_set_int(opts, option, value)
        if st:
            self._L.check(st, lambda: f"{what} = {value!r}".encode())

    # -- loading ---------------------------------------------------------------------------------

    def _handle(self) -> int:
        h = self._h
        if not h:
            raise MedtoneError("the analyzer is closed")
        return h

    def _load(self, src: Union[str, Tuple[str, bytes]], cues: bool) -> None:
        L, h = self._L, self._handle()
        if isinstance(src, tuple):
            name, data = src
            fn = L.medtone_analyzer_load_cues_data if cues else L.medtone_analyzer_load_lexicon_data
            st = fn(h, name.encode("utf-8"), data, len(data))
        else:
            fn = L.medtone_analyzer_load_cues if cues else L.medtone_analyzer_load_lexicon
            st = fn(h, os.fsencode(src))
        if st:
            L.check(st, lambda: L.medtone_analyzer_last_error(h))

    def load_lexicon(self, source: LexiconSource) -> None:
        """Adds a sentiment lexicon layer on top (a path, or ``(name, data)``). Changes the
        analyzer: not while other threads analyze with it. On failure the analyzer is as before
        and the exception names the file and the line."""
        src = _source(source, "a lexicon")
        with self._lock:
            self._load(src, cues=False)
            self._spec = _replace(self._spec, lexicons=self._spec.lexicons + (src,))

    def load_cues(self, source: LexiconSource) -> None:
        """Adds a cue lexicon layer for the flags (a path, or ``(name, data)``); as
        :meth:`load_lexicon`."""
        src = _source(source, "a cue lexicon")
        with self._lock:
            self._load(src, cues=True)
            self._spec = _replace(self._spec, cues=self._spec.cues + (src,))

    # -- facts -----------------------------------------------------------------------------------

    @property
    def spec(self) -> AnalyzerSpec:
        """The arguments this analyzer was made with (plus layers loaded since), as a hashable
        value that rebuilds an equal analyzer (``spec.build()``), also in another process."""
        return self._spec

    @property
    def layers(self) -> Tuple[str, ...]:
        """The lexicon layers' names in merge order (bottom first)."""
        L, h = self._L, self._handle()
        return tuple(L.medtone_analyzer_layer_name(h, i).decode("utf-8", "replace")
                     for i in range(L.medtone_analyzer_layer_count(h)))

    @property
    def term_count(self) -> int:
        """The number of distinct terms after merging the layers."""
        return int(self._L.medtone_analyzer_term_count(self._handle()))

    @property
    def thresholds(self) -> Dict[str, float]:
        """Flag name -> the threshold at which it fires for this analyzer."""
        return dict(self._thresholds)

    @property
    def flags_enabled(self) -> bool:
        """Whether this analyzer raises flags."""
        return self._spec.flags

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return not self._h

    # -- analysis --------------------------------------------------------------------------------

    def _thread_result(self) -> int:
        self._handle()  # a closed analyzer makes no new C result
        res = getattr(self._local, "result", None)
        if res is None or not res.h:
            res = _new_result(self._L)
            self._local.result = res
            self._results.add(res)
        return res.h  # type: ignore[return-value]

    def _run(self, r: int, text: object, tokens: bool,
             entities: Optional["Entities"]) -> Result:
        raw, s = coerce(text)
        st = self._L.medtone_analyze(self._handle(), raw, len(raw), r)
        if st:
            self._L.check(st)
        spans = Spans(raw, s)
        result = self._reader.read(r, spans, tokens)
        if entities is not None:
            ids, mentions = entities._read(r, spans)
            result = _replace(result, entities=ids, mentions=mentions)
        return result

    def analyze(self, text: TextLike, *, tokens: bool = False,
                entities: Optional["Entities"] = None) -> Result:
        """Analyzes one text (``str``, or UTF-8 ``bytes``; invalid bytes are read as U+FFFD).

        Args:
            tokens: also return the tokens (``result.tokens``).
            entities: a :class:`medtone.reputation.Entities` registry: also report which
                entities the text mentions (``result.entities``, ``result.mentions``).

        Raises:
            TypeError: ``text`` is None or not text.
        """
        if entities is not None:
            _check_entities(entities)
        return self._run(self._thread_result(), text, tokens, entities)

    def _analyze_with(self, text: object, then: Callable[[int, Result], None], *,
                      tokens: bool = False, entities: Optional["Entities"] = None) -> Result:
        """Analyzes ``text`` and calls ``then(c_result, result)`` while the C result still holds
        the analysis (for the aggregator, which reads the C result)."""
        r = self._thread_result()
        result = self._run(r, text, tokens, entities)
        then(r, result)
        return result

    def analyze_many(self, texts: Iterable[TextLike], threads: int = 1, *, tokens: bool = False,
                     entities: Optional["Entities"] = None,
                     chunk_size: int = 64) -> Iterator[Result]:
        """Analyzes every text of ``texts`` and yields the results in input order, as they are
        ready (the input is read lazily, so it may be a generator over a large file).

        Args:
            threads: how many threads analyze at once. Each thread has its own C result object;
                the GIL is released while the library works, so threads scale on many cores.
            tokens, entities: as for :meth:`analyze`.
            chunk_size: how many texts one thread takes at a time (threads > 1).

        A text that is not ``str`` or ``bytes`` raises TypeError when its turn comes, after the
        results before it were yielded. Do not close the analyzer while iterating.
        """
        if isinstance(texts, (str, bytes)):
            raise TypeError("analyze_many takes an iterable of texts; use analyze() for one text")
        if not isinstance(threads, numbers.Integral) or isinstance(threads, bool):
            raise TypeError(f"threads must be an int, not {type(threads).__name__}")
        if threads < 1:
            raise ValueError("threads must be at least 1")
        if not isinstance(chunk_size, numbers.Integral) or chunk_size < 1:
            raise ValueError("chunk_size must be a positive int")
        if entities is not None:
            _check_entities(entities)
        self._handle()
        if threads == 1:
            return self._many_serial(texts, tokens, entities)
        return self._many_threaded(texts, int(threads), tokens, entities, int(chunk_size))

    def _many_serial(self, texts: Iterable[TextLike], tokens: bool,
                     entities: Optional["Entities"]) -> Iterator[Result]:
        for text in texts:
            # the thread-local result of whichever thread resumes the generator
            yield self._run(self._thread_result(), text, tokens, entities)

    def _many_threaded(self, texts: Iterable[TextLike], threads: int, tokens: bool,
                       entities: Optional["Entities"], chunk_size: int) -> Iterator[Result]:
        free: "queue.SimpleQueue[_CObject]" = queue.SimpleQueue()
        owned = [_new_result(self._L) for _ in range(threads)]
        for res in owned:
            free.put(res)

        def work(chunk: List[TextLike]) -> Tuple[List[Result], Optional[BaseException]]:
            res = free.get()  # never blocks: at most `threads` chunks run at once
            out: List[Result] = []
            try:
                for t in chunk:
                    out.append(self._run(res.h, t, tokens, entities))  # type: ignore[arg-type]
                return out, None
            except Exception as e:  # handed over after the results before it
                return out, e
            finally:
                free.put(res)

        chunks = ordered_chunks(texts, work, threads, chunk_size, "medtone")
        try:
            for done, error in chunks:
                yield from done
                if error is not None:
                    raise error
        finally:
            chunks.close()  # every worker is done with the results before they are freed
            for res in owned:
                res.close()

    def tokenize(self, text: TextLike) -> Tuple[Token, ...]:
        """The tokens of ``text`` (the same as :func:`medtone.tokenize`)."""
        return tokenize(text)

    def explain(self, text: TextLike) -> str:
        """A readable, multi-line explanation of the score of ``text``: the scores, each term
        with its lexicon entry, layer, valence, final contribution and rules, and the flags that
        fired with their evidence."""
        r = self.analyze(text)
        lines = [f"{r.compound:+.3f} {r.label}  (positive {r.positive:.2f}, neutral "
                 f"{r.neutral:.2f}, negative {r.negative:.2f})",
                 f"  text: {_clip(r.text, 100)}"]
        if r.terms:
            lines.append(f"  {'term':<22} {'entry':<22} {'layer':<12} {'valence':>7} "
                         f"{'final':>7}  rules")
            for t in r.terms:
                lines.append(f"  {_clip(t.text, 22):<22} {_clip(t.entry, 22):<22} "
                             f"{_clip(t.layer, 12):<12} {t.valence:+7.2f} "
                             f"{t.contribution:+7.2f}  {', '.join(t.rules) or '-'}")
        else:
            lines.append("  (no word of the text is in the lexicons)")
        fired = [(name, f) for name, f in r.flags.items() if f.fired]
        if fired:
            lines.append("  flags:")
            for name, f in fired:
                ev = "; ".join(f"{_clip(e.text, 30)!r} ({e.cue})" for e in f.evidence)
                lines.append(f"    {name} {f.score:.2f} (sentiment {f.sentiment:+.2f})"
                             + (f": {ev}" if ev else ""))
        elif self.flags_enabled:
            lines.append("  flags: none fired")
        return "\n".join(lines)

    # -- life cycle ------------------------------------------------------------------------------

    def close(self) -> None:
        """Frees the C analyzer and every C result made for it. Idempotent. The analyzer must not
        be in use by another thread; afterwards its methods raise :class:`MedtoneError`."""
        h, self._h = self._h, None
        if not h:
            return
        for res in list(getattr(self, "_results", ())):
            res.close()
        self._L.medtone_analyzer_free(h)

    def __enter__(self) -> "Analyzer":
        self._handle()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # pragma: no cover - interpreter shutdown
            pass

    def __reduce__(self) -> Tuple[Callable[[], "Analyzer"], Tuple[()]]:
        # An analyzer travels as its spec and is rebuilt on arrival.
        return (self._spec.build, ())

    def __repr__(self) -> str:
        if not self._h:
            return "<medtone.Analyzer (closed)>"
        return (f"<medtone.Analyzer {len(self.layers)} layers, {self.term_count} terms, "
                f"flags={'on' if self.flags_enabled else 'off'}>")


def _clip(s: str, n: int) -> str:
    s = s.replace("\n", " ")
    return s if len(s) <= n else s[: n - 1] + "…"


def _replace(obj: Any, **changes: Any) -> Any:
    import dataclasses

    return dataclasses.replace(obj, **changes)


def _check_entities(entities: object) -> None:
    from .reputation import Entities

    if not isinstance(entities, Entities):
        raise TypeError(f"entities must be a medtone.reputation.Entities, "
                        f"not {type(entities).__name__}")


def flag_index(name: str) -> int:
    """The index of a flag by name (``medtone_flag_find``).

    Raises:
        NotFound: the library has no such flag.
    """
    if not isinstance(name, str):
        raise TypeError(f"a flag name must be a str, not {type(name).__name__}")
    L = _capi.lib()
    idx = ctypes.c_size_t()
    st = L.medtone_flag_find(name.encode("utf-8"), ctypes.byref(idx))
    if st:
        L.check(st, lambda: f"no flag named {name!r}".encode("utf-8"))
    return int(idx.value)


_tls = threading.local()


def tokenize(text: TextLike) -> Tuple[Token, ...]:
    """Splits ``text`` into tokens (``medtone_tokenize``): kind, spans, normalized form, flags.
    Needs no analyzer. Each thread reuses one C token list.

    Raises:
        TypeError: ``text`` is None or not text.
    """
    raw, s = coerce(text)
    L = _capi.lib()
    toks = getattr(_tls, "tokens", None)
    if toks is None:
        toks = _tls.tokens = _new_tokens(L)
    st = L.medtone_tokenize(raw, len(raw), toks.h)
    if st:
        L.check(st)
    return _read_tokens(L, _meta(L), toks.h, Spans(raw, s))
