"""The exceptions of the medtone binding.

Every failure reported by the C library becomes a :class:`MedtoneError` subclass that carries the
C status (``err.status``, a :class:`Status`) and, where the library gives one, the detail message
(``err.detail``), which for a file names the file and the line: ``"ours.tsv:12: valence out of
range"``. Each subclass also derives from the built-in exception a Python programmer would expect,
so ``except OSError`` catches a lexicon file that cannot be read and ``except MemoryError`` an
allocation failure.
"""
from __future__ import annotations

import enum
from typing import Dict, Optional, Type

__all__ = [
    "Status",
    "MedtoneError",
    "NoMemory",
    "InvalidArgument",
    "MedtoneIOError",
    "LexiconIOError",
    "ParseError",
    "GzipError",
    "TooLarge",
    "NotFound",
    "InternalError",
    "LibraryNotFoundError",
    "VersionError",
]


class Status(enum.IntEnum):
    """The C library's ``medtone_status`` values (stable; new codes are only appended)."""

    OK = 0
    NOMEM = 1
    INVALID_ARG = 2
    IO = 3
    PARSE = 4
    GZIP = 5
    TOO_LARGE = 6
    NOT_FOUND = 7
    INTERNAL = 8


class MedtoneError(Exception):
    """Base class of every error raised by the binding.

    Attributes:
        status: the C status (a :class:`Status`, or a plain ``int`` for a code newer than this
            binding), or ``None`` for errors that do not come from a C call (library loading).
        detail: the library's description of what failed (``"ours.tsv:3: ..."``), or ``""``.
    """

    status: Optional[int]
    detail: str

    def __init__(self, message: str, status: Optional[int] = None, detail: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.detail = detail

    def __reduce__(self):  # keep status and detail across pickling (Dask ships exceptions)
        return (_rebuild_error, (type(self), str(self), self.status, self.detail))


def _rebuild_error(cls: type, message: str, status: Optional[int], detail: str) -> "MedtoneError":
    return cls(message, status, detail)


class NoMemory(MedtoneError, MemoryError):
    """MEDTONE_ERR_NOMEM: an allocation failed; nothing was changed."""


class InvalidArgument(MedtoneError, ValueError):
    """MEDTONE_ERR_INVALID_ARG: an unknown option, a value out of range, a bad name or id."""


class MedtoneIOError(MedtoneError, OSError):
    """MEDTONE_ERR_IO: a file (lexicon, cues, entities, state) could not be read or written."""


#: The name the first releases used; lexicon files are the common case.
LexiconIOError = MedtoneIOError


class ParseError(MedtoneError, ValueError):
    """MEDTONE_ERR_PARSE: malformed input; the message names the file and the line."""


class GzipError(MedtoneError, OSError):
    """MEDTONE_ERR_GZIP: a gzip stream is corrupt or truncated (like ``gzip.BadGzipFile``)."""


class TooLarge(MedtoneError, ValueError):
    """MEDTONE_ERR_TOO_LARGE: an input exceeds a limit documented in the C header."""


class NotFound(MedtoneError, LookupError):
    """MEDTONE_ERR_NOT_FOUND: a named thing (flag, layer, entity) does not exist."""


class InternalError(MedtoneError, RuntimeError):
    """MEDTONE_ERR_INTERNAL: a bug in medtone; please report it."""


class LibraryNotFoundError(MedtoneError, ImportError):
    """libmedtone could not be loaded; the message lists every place that was tried."""


class VersionError(MedtoneError, ImportError):
    """The loaded libmedtone has a version this binding does not support."""


_BY_STATUS: Dict[int, Type[MedtoneError]] = {
    Status.NOMEM: NoMemory,
    Status.INVALID_ARG: InvalidArgument,
    Status.IO: MedtoneIOError,
    Status.PARSE: ParseError,
    Status.GZIP: GzipError,
    Status.TOO_LARGE: TooLarge,
    Status.NOT_FOUND: NotFound,
    Status.INTERNAL: InternalError,
}


def error_for(status: int, message: str, detail: str = "") -> MedtoneError:
    """The exception for a failed C call: ``message`` is the C status text, ``detail`` the
    object's last error (may be empty)."""
    try:
        code: int = Status(status)
    except ValueError:
        code = status
    cls = _BY_STATUS.get(status, MedtoneError)
    text = f"{detail} ({message})" if detail else message
    return cls(text, code, detail)
