"""medtone: sentiment with explanations and flags with evidence for health-care social text.

A pure-ctypes binding of the C library libmedtone::

    import medtone

    with medtone.Analyzer() as an:
        r = an.analyze("not very good, but no more pain since the surgery!")
        r.compound, r.label               # (0.27, 'positive')
        [(t.text, t.rules) for t in r.terms]
        print(an.explain("the nurse was GREAT"))
        for r in an.analyze_many(texts, threads=4):   # input order, C speed per thread
            ...

Submodules: :mod:`medtone.reputation` (entities, aggregation, alerts), :mod:`medtone.pandas`
(score a DataFrame column) and :mod:`medtone.dask` (score a corpus on a Dask cluster).

The C library is found through, in order: :func:`load_library` with a path, the
``MEDTONE_LIBRARY`` environment variable, a copy installed inside this package, and the system
loader. See README.md next to this package.
"""
from __future__ import annotations

from ._analyzer import (
    Analyzer,
    AnalyzerSpec,
    LexiconSource,
    flag_index,
    flags,
    rules,
    token_kinds,
    tokenize,
    version,
)
from ._capi import MIN_VERSION, SUPPORTED_MAJOR, library_path, load_library, try_load_at_import
from ._errors import (
    GzipError,
    InternalError,
    InvalidArgument,
    LexiconIOError,
    LibraryNotFoundError,
    MedtoneError,
    MedtoneIOError,
    NoMemory,
    NotFound,
    ParseError,
    Status,
    TooLarge,
    VersionError,
)
from ._text import decode
from ._types import Evidence, Flag, FlagInfo, FrozenMap, Mention, Result, Term, Token, TokenFlag

__version__ = "0.1.0"

__all__ = [
    "Analyzer",
    "AnalyzerSpec",
    "Evidence",
    "Flag",
    "FlagInfo",
    "FrozenMap",
    "GzipError",
    "InternalError",
    "InvalidArgument",
    "LexiconIOError",
    "LexiconSource",
    "LibraryNotFoundError",
    "MedtoneError",
    "MedtoneIOError",
    "Mention",
    "NoMemory",
    "NotFound",
    "ParseError",
    "Result",
    "Status",
    "Term",
    "Token",
    "TokenFlag",
    "TooLarge",
    "VersionError",
    "decode",
    "flag_index",
    "flags",
    "library_path",
    "load_library",
    "rules",
    "token_kinds",
    "tokenize",
    "version",
    "MIN_VERSION",
    "SUPPORTED_MAJOR",
]

# Load the library now when it can be found, so that a wrong version (or a wrong
# MEDTONE_LIBRARY) fails the import itself; when it is nowhere to be found, the import succeeds
# and the first use raises LibraryNotFoundError listing every place tried, unless
# load_library(path) names it first.
try_load_at_import()
