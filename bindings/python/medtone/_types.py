"""The immutable values the binding returns: results, terms, flags, evidence, tokens.

They are plain data copied out of the C objects (which are reused from text to text), so they may
be kept, compared, hashed, pickled and sent to other processes. A :class:`Result` is a frozen
dataclass; the many small records inside it (:class:`Term`, :class:`Flag`, :class:`Evidence`,
:class:`Token`) are named tuples, which Python builds several times faster and which the garbage
collector stops scanning once they hold only plain values: a program that keeps a million
results pays for it. Every span is given twice:
``start``/``end`` are byte offsets into the UTF-8 text (what the C library reports), and
``char_start``/``char_end`` index the Python ``str``, so ``result.text[t.char_start:t.char_end]``
is the span's text.
"""
from __future__ import annotations

import enum
import sys
from dataclasses import dataclass, field
from typing import Any, Dict, Iterator, Mapping, NamedTuple, Optional, Tuple, TypeVar

__all__ = [
    "FrozenMap",
    "Evidence",
    "Flag",
    "Term",
    "Token",
    "TokenFlag",
    "Mention",
    "Result",
    "FlagInfo",
]

_DC: Dict[str, Any] = {"frozen": True}
if sys.version_info >= (3, 10):
    _DC["slots"] = True

K = TypeVar("K")
V = TypeVar("V")


class FrozenMap(Mapping[K, V]):
    """A read-only, hashable, picklable mapping that keeps insertion order.

    Stored as a tuple of keys, a tuple of values and a key -> position index. Results share the
    keys and the index (every result has the same flags), so a result's flags cost one small
    object and one tuple.
    """

    __slots__ = ("_keys", "_vals", "_index", "_h")

    def __init__(self, items: Any = ()) -> None:
        d: Dict[K, V] = dict(items)
        self._keys: Tuple[K, ...] = tuple(d)
        self._vals: Tuple[V, ...] = tuple(d.values())
        self._index: Dict[K, int] = {k: i for i, k in enumerate(self._keys)}
        self._h: Optional[int] = None

    @classmethod
    def _shared(cls, keys: Tuple[K, ...], index: Dict[K, int],
                vals: Tuple[V, ...]) -> "FrozenMap[K, V]":
        """A map over keys and an index made once and shared (never changed afterwards)."""
        m = cls.__new__(cls)
        m._keys, m._vals, m._index, m._h = keys, vals, index, None
        return m

    def __getitem__(self, key: K) -> V:
        return self._vals[self._index[key]]

    def __iter__(self) -> Iterator[K]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def __contains__(self, key: object) -> bool:
        return key in self._index

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FrozenMap):
            if self._keys == other._keys:
                return self._vals == other._vals
            return dict(zip(self._keys, self._vals)) == dict(zip(other._keys, other._vals))
        if isinstance(other, Mapping):
            return dict(zip(self._keys, self._vals)) == dict(other)
        return NotImplemented

    def __hash__(self) -> int:
        if self._h is None:
            self._h = hash(frozenset(zip(self._keys, self._vals)))
        return self._h

    def __repr__(self) -> str:
        return f"FrozenMap({dict(zip(self._keys, self._vals))!r})"

    def __reduce__(self) -> Tuple[type, Tuple[Tuple[Tuple[K, V], ...]]]:
        return (FrozenMap, (tuple(zip(self._keys, self._vals)),))


class TokenFlag(enum.IntFlag):
    """Token flags (the C ``MEDTONE_TOKEN_*`` bits; values are part of the stable ABI)."""

    NONE = 0
    ALLCAPS = 0x01  #: a word of two or more letters, all upper case
    ELONGATED = 0x02  #: a letter repeated three or more times: "soooo"
    NEGATION = 0x04  #: a negation word: not, no, never, don't
    CONTRACTION = 0x08  #: a contraction: don't, I'm, it's
    INVALID_UTF8 = 0x10  #: the token stands for one invalid byte (U+FFFD)


class Evidence(NamedTuple):
    """One piece of evidence behind a flag: a span of the text and the cue that matched there
    (a lexicon entry such as ``"big pharma"`` or a rule such as ``"phone-number"``)."""

    start: int
    end: int
    char_start: int
    char_end: int
    text: str
    cue: str


class Flag(NamedTuple):
    """A flag's outcome for one text: its score in [0, 1], whether it fired at the analyzer's
    threshold, the sentiment tied to it in [-1, 1] (for an aspect: what the post says about that
    aspect), and the evidence."""

    score: float
    fired: bool
    sentiment: float
    evidence: Tuple[Evidence, ...] = ()


class Term(NamedTuple):
    """One lexicon match that carried valence, with what the rules made of it.

    Attributes:
        start, end: byte span in the UTF-8 text.
        char_start, char_end: the same span as ``str`` indexes.
        text: the span as written in the text.
        entry: the lexicon entry that matched (normalized, e.g. ``"bedside manner"``).
        layer: the name of the lexicon layer the entry came from.
        valence: the entry's valence as written in the lexicon (-4..4).
        contribution: what it finally contributed after every rule, same scale.
        rules: the names of the rules that changed it, e.g. ``("negated", "boosted")``.
    """

    start: int
    end: int
    char_start: int
    char_end: int
    text: str
    entry: str
    layer: str
    valence: float
    contribution: float
    rules: Tuple[str, ...]


class Token(NamedTuple):
    """One token of the tokenizer.

    Attributes:
        kind: the token kind's name from the C library (``"word"``, ``"emoji"``, ``"dose"``...).
        normalized: the form used for lexicon lookup (NFKC, case folded, elongation squashed).
        flags: :class:`TokenFlag` bits.
        repeat: how many marks a punctuation token holds (``"!!!"`` -> 3); 1 otherwise.
    """

    start: int
    end: int
    char_start: int
    char_end: int
    text: str
    kind: str
    normalized: str
    flags: TokenFlag
    repeat: int


@dataclass(**_DC)
class Mention:
    """A mention of a registered entity in an analyzed text (see :mod:`medtone.reputation`)."""

    entity: str  #: the entity's id
    index: int  #: the entity's index in its registry
    start: int
    end: int
    char_start: int
    char_end: int
    text: str


@dataclass(**_DC)
class Result:
    """The analysis of one text.

    Attributes:
        text: the text analyzed, as ``str`` (bytes input is decoded the way the library reads
            it: each byte that is not valid UTF-8 becomes one U+FFFD, so offsets never shift).
        compound: overall sentiment in [-1, 1].
        positive, neutral, negative: shares of the text's weight, each in [0, 1].
        label: ``"positive"`` (compound >= 0.05), ``"negative"`` (<= -0.05) or ``"neutral"``.
        terms: the explanation, one :class:`Term` per lexicon match, in text order.
        flags: flag name -> :class:`Flag`, every flag the library has (empty when the analyzer
            was made with ``flags=False``).
        tokens: the tokens, when asked for with ``tokens=True``, else ``None``.
        entities: the ids of the registered entities the text mentions, in order of first
            mention, when analyzed with ``entities=`` (see :mod:`medtone.reputation`), else
            ``None``.
        mentions: every such mention with its span, in text order, likewise.
    """

    text: str
    compound: float
    positive: float
    neutral: float
    negative: float
    label: str
    terms: Tuple[Term, ...]
    flags: FrozenMap[str, Flag] = field(default_factory=FrozenMap)
    tokens: Optional[Tuple[Token, ...]] = None
    entities: Optional[Tuple[str, ...]] = None
    mentions: Optional[Tuple[Mention, ...]] = None

    @property
    def fired(self) -> Tuple[str, ...]:
        """The names of the flags that fired, in flag order."""
        return tuple(name for name, f in self.flags.items() if f.fired)

    def to_dict(self) -> Dict[str, Any]:
        """The scores and fired flags as a flat dict (for JSON, pandas and the like)."""
        return {
            "compound": self.compound,
            "positive": self.positive,
            "neutral": self.neutral,
            "negative": self.negative,
            "label": self.label,
            "fired": list(self.fired),
        }


@dataclass(**_DC)
class FlagInfo:
    """A flag the library raises: its index (stable for ABI major 0), name, default threshold."""

    index: int
    name: str
    default_threshold: float
