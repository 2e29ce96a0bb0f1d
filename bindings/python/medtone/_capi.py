"""Loading libmedtone and declaring the C functions the binding calls.

This is the only module that touches ctypes declarations. Every function the binding uses is
listed in :data:`_CORE` or :data:`_REPUTATION` with its result and argument types, so ctypes never
guesses (a guessed ``int`` result would truncate pointers on 64-bit machines).

Two handles to the same library are kept. Calls that do real work (analyze, tokenize, load a
lexicon, merge, save...) go through a :class:`ctypes.CDLL`, which releases the GIL for the
duration of the call, so Python threads analyze in parallel. The many small accessors that only
read a field (``medtone_result_compound``...) go through a :class:`ctypes.PyDLL`, which keeps the
GIL: for a call that takes nanoseconds, releasing and re-taking the GIL would cost more than the
call and make threads fight over it.

Where the library comes from, in this order:

1. an explicit path given to :func:`load_library` (``medtone.load_library(path)``);
2. the ``MEDTONE_LIBRARY`` environment variable;
3. a copy installed inside the package (``medtone/_lib/libmedtone.so.0``, see setup.py);
4. the system loader: ``ctypes.util.find_library("medtone")``, then ``libmedtone.so.0``.

An explicit path or ``MEDTONE_LIBRARY`` is a decision, not a hint: when it cannot be loaded, the
binding says so instead of quietly falling back to another copy.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import os
import threading
from ctypes import (
    POINTER,
    c_char_p,
    c_double,
    c_int,
    c_int64,
    c_long,
    c_size_t,
    c_uint,
    c_void_p,
)
from typing import Callable, Dict, List, Optional, Sequence, Tuple, Union

from ._errors import LibraryNotFoundError, MedtoneError, Status, VersionError, error_for

__all__ = ["load_library", "library_path", "lib", "SUPPORTED_MAJOR", "MIN_VERSION"]

#: The binding speaks ABI major 0 (libmedtone.so.0) ...
SUPPORTED_MAJOR = 0
#: ... from version 0.1.0 on (medtone_version() = major * 10000 + minor * 100 + patch).
MIN_VERSION = 100

_PKG_LIB_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_lib")
_SONAME = "libmedtone.so.0"

_size_p = POINTER(c_size_t)

# name: (restype, argtypes, slow). slow=True: through CDLL (releases the GIL), else through PyDLL.
_Sig = Tuple[Optional[type], Sequence[type], bool]
_CORE: Dict[str, _Sig] = {
    # version and status
    "medtone_version": (c_uint, (), False),
    "medtone_version_string": (c_char_p, (), False),
    "medtone_status_str": (c_char_p, (c_int,), False),
    # tokenizer
    "medtone_tokens_new": (c_void_p, (), False),
    "medtone_tokens_free": (None, (c_void_p,), False),
    "medtone_tokenize": (c_int, (c_char_p, c_size_t, c_void_p), True),
    "medtone_tokens_count": (c_size_t, (c_void_p,), False),
    "medtone_token_kind_of": (c_int, (c_void_p, c_size_t), False),
    "medtone_token_offset": (c_size_t, (c_void_p, c_size_t), False),
    "medtone_token_length": (c_size_t, (c_void_p, c_size_t), False),
    "medtone_token_flags": (c_uint, (c_void_p, c_size_t), False),
    "medtone_token_repeat": (c_size_t, (c_void_p, c_size_t), False),
    "medtone_token_normalized": (c_char_p, (c_void_p, c_size_t, _size_p), False),
    "medtone_token_kind_name": (c_char_p, (c_int,), False),
    # options
    "medtone_options_new": (c_void_p, (), False),
    "medtone_options_free": (None, (c_void_p,), False),
    "medtone_options_set_int": (c_int, (c_void_p, c_int, c_long), False),
    "medtone_options_set_threshold": (c_int, (c_void_p, c_size_t, c_double), False),
    # analyzer
    "medtone_analyzer_new": (c_int, (c_void_p, POINTER(c_void_p)), True),
    "medtone_analyzer_free": (None, (c_void_p,), True),
    "medtone_analyzer_load_lexicon": (c_int, (c_void_p, c_char_p), True),
    "medtone_analyzer_load_lexicon_data": (c_int, (c_void_p, c_char_p, c_char_p, c_size_t), True),
    "medtone_analyzer_load_cues": (c_int, (c_void_p, c_char_p), True),
    "medtone_analyzer_load_cues_data": (c_int, (c_void_p, c_char_p, c_char_p, c_size_t), True),
    "medtone_analyzer_last_error": (c_char_p, (c_void_p,), False),
    "medtone_analyzer_layer_count": (c_size_t, (c_void_p,), False),
    "medtone_analyzer_layer_name": (c_char_p, (c_void_p, c_size_t), False),
    "medtone_analyzer_term_count": (c_size_t, (c_void_p,), False),
    # results
    "medtone_result_new": (c_void_p, (), False),
    "medtone_result_free": (None, (c_void_p,), False),
    "medtone_analyze": (c_int, (c_void_p, c_char_p, c_size_t, c_void_p), True),
    "medtone_result_compound": (c_double, (c_void_p,), False),
    "medtone_result_positive": (c_double, (c_void_p,), False),
    "medtone_result_neutral": (c_double, (c_void_p,), False),
    "medtone_result_negative": (c_double, (c_void_p,), False),
    "medtone_result_tokens": (c_void_p, (c_void_p,), False),
    "medtone_result_term_count": (c_size_t, (c_void_p,), False),
    "medtone_result_term_offset": (c_size_t, (c_void_p, c_size_t), False),
    "medtone_result_term_length": (c_size_t, (c_void_p, c_size_t), False),
    "medtone_result_term_entry": (c_char_p, (c_void_p, c_size_t), False),
    "medtone_result_term_layer": (c_char_p, (c_void_p, c_size_t), False),
    "medtone_result_term_valence": (c_double, (c_void_p, c_size_t), False),
    "medtone_result_term_contribution": (c_double, (c_void_p, c_size_t), False),
    "medtone_result_term_rules": (c_uint, (c_void_p, c_size_t), False),
    "medtone_rule_name": (c_char_p, (c_uint,), False),
    # flags
    "medtone_flag_count": (c_size_t, (), False),
    "medtone_flag_name": (c_char_p, (c_size_t,), False),
    "medtone_flag_find": (c_int, (c_char_p, _size_p), False),
    "medtone_flag_default_threshold": (c_double, (c_size_t,), False),
    "medtone_result_flag_score": (c_double, (c_void_p, c_size_t), False),
    "medtone_result_flag_fired": (c_int, (c_void_p, c_size_t), False),
    "medtone_result_flag_sentiment": (c_double, (c_void_p, c_size_t), False),
    "medtone_result_evidence_count": (c_size_t, (c_void_p, c_size_t), False),
    "medtone_result_evidence_offset": (c_size_t, (c_void_p, c_size_t, c_size_t), False),
    "medtone_result_evidence_length": (c_size_t, (c_void_p, c_size_t, c_size_t), False),
    "medtone_result_evidence_cue": (c_char_p, (c_void_p, c_size_t, c_size_t), False),
}

# include/medtone/reputation.h: present in libraries from the release that added it. The binding
# declares them when the loaded library exports them (see Library.has_reputation).
_REPUTATION: Dict[str, _Sig] = {
    # entities
    "medtone_entity_kind_name": (c_char_p, (c_int,), False),
    "medtone_entity_kind_find": (c_int, (c_char_p, POINTER(c_int)), False),
    "medtone_entities_new": (c_void_p, (), False),
    "medtone_entities_free": (None, (c_void_p,), True),
    "medtone_entities_add": (c_int, (c_void_p, c_char_p, c_char_p, c_int, _size_p), False),
    "medtone_entities_add_alias": (c_int, (c_void_p, c_size_t, c_char_p), False),
    "medtone_entities_load": (c_int, (c_void_p, c_char_p), True),
    "medtone_entities_load_data": (c_int, (c_void_p, c_char_p, c_char_p, c_size_t), True),
    "medtone_entities_last_error": (c_char_p, (c_void_p,), False),
    "medtone_entities_count": (c_size_t, (c_void_p,), False),
    "medtone_entity_id": (c_char_p, (c_void_p, c_size_t), False),
    "medtone_entity_name": (c_char_p, (c_void_p, c_size_t), False),
    "medtone_entity_kind_of": (c_int, (c_void_p, c_size_t), False),
    "medtone_entity_alias_count": (c_size_t, (c_void_p, c_size_t), False),
    "medtone_entity_alias": (c_char_p, (c_void_p, c_size_t, c_size_t), False),
    "medtone_entities_find": (c_int, (c_void_p, c_char_p, _size_p), False),
    "medtone_entities_match": (c_int, (c_void_p, c_void_p, _size_p, c_size_t, _size_p), False),
    "medtone_entities_next_mention": (
        c_int, (c_void_p, c_void_p, _size_p, _size_p, _size_p, _size_p), False),
    # aggregator
    "medtone_aggregator_new": (c_int, (c_void_p, POINTER(c_void_p)), False),
    "medtone_aggregator_free": (None, (c_void_p,), True),
    "medtone_aggregator_set_option": (c_int, (c_void_p, c_int, c_double), False),
    "medtone_aggregator_get_option": (c_int, (c_void_p, c_int, POINTER(c_double)), False),
    "medtone_aggregator_add": (c_int, (c_void_p, c_size_t, c_int64, c_void_p, c_char_p), False),
    "medtone_aggregator_merge": (c_int, (c_void_p, c_void_p), True),
    "medtone_aggregator_empty": (c_int, (c_void_p,), False),
    "medtone_aggregator_bucket_count": (c_size_t, (c_void_p,), False),
    "medtone_aggregator_bucket_start": (c_int64, (c_void_p, c_size_t), False),
    "medtone_aggregator_stat": (c_double, (c_void_p, c_size_t, c_size_t, c_int), False),
    "medtone_aggregator_flag_count": (c_double, (c_void_p, c_size_t, c_size_t, c_size_t), False),
    "medtone_aggregator_flag_sentiment": (
        c_double, (c_void_p, c_size_t, c_size_t, c_size_t), False),
    "medtone_aggregator_save": (c_int, (c_void_p, c_char_p), True),
    "medtone_aggregator_load": (c_int, (c_void_p, c_char_p), True),
    "medtone_aggregator_load_data": (c_int, (c_void_p, c_char_p, c_char_p, c_size_t), True),
    "medtone_aggregator_last_error": (c_char_p, (c_void_p,), False),
    # alerts
    "medtone_alert_kind_name": (c_char_p, (c_int,), False),
    "medtone_aggregator_alerts": (c_int, (c_void_p, POINTER(c_void_p)), True),
    "medtone_alerts_free": (None, (c_void_p,), False),
    "medtone_alerts_count": (c_size_t, (c_void_p,), False),
    "medtone_alert_kind_of": (c_int, (c_void_p, c_size_t), False),
    "medtone_alert_entity": (c_size_t, (c_void_p, c_size_t), False),
    "medtone_alert_bucket": (c_size_t, (c_void_p, c_size_t), False),
    "medtone_alert_bucket_start": (c_int64, (c_void_p, c_size_t), False),
    "medtone_alert_score": (c_double, (c_void_p, c_size_t), False),
    "medtone_alert_value": (c_double, (c_void_p, c_size_t), False),
    "medtone_alert_baseline": (c_double, (c_void_p, c_size_t), False),
    "medtone_alert_post_count": (c_size_t, (c_void_p, c_size_t), False),
    "medtone_alert_post_id": (c_char_p, (c_void_p, c_size_t, c_size_t), False),
}


class Library:
    """One loaded libmedtone: its path, version, and every declared function as an attribute
    (``L.medtone_analyze(...)``)."""

    path: str
    version: int
    version_string: str
    has_reputation: bool

    def __init__(self, path: str, slow: ctypes.CDLL, fast: ctypes.PyDLL) -> None:
        self.path = path
        self._slow = slow
        self._fast = fast
        # The version first: a library of another major fails as such, not as a missing symbol.
        self._declare({k: _CORE[k] for k in ("medtone_version", "medtone_version_string")})
        self.version = int(self.medtone_version())
        self.version_string = self.medtone_version_string().decode("ascii", "replace")
        _check_version(self)
        self._declare(_CORE)
        self.has_reputation = all(hasattr(slow, name) for name in _REPUTATION)
        if self.has_reputation:
            self._declare(_REPUTATION)

    def _declare(self, table: Dict[str, _Sig]) -> None:
        for name, (restype, argtypes, slow) in table.items():
            dll = self._slow if slow else self._fast
            try:
                fn = getattr(dll, name)
            except AttributeError:
                raise LibraryNotFoundError(
                    f"{self.path} does not export {name}: not a libmedtone this binding "
                    "can use") from None
            fn.restype = restype
            fn.argtypes = list(argtypes)
            setattr(self, name, fn)

    def status_message(self, status: int) -> str:
        """The C library's text for a status code."""
        return self.medtone_status_str(status).decode("utf-8", "replace")

    def check(self, status: int, detail: Union[Callable[[], bytes], None] = None) -> None:
        """Raises the :class:`MedtoneError` subclass for a failed status; ``detail`` returns the
        object's last-error text."""
        if status == Status.OK:
            return
        text = ""
        if detail is not None:
            raw = detail()
            text = raw.decode("utf-8", "replace") if raw else ""
        raise error_for(status, self.status_message(status), text)


_lock = threading.Lock()
_library: Optional[Library] = None
_tried: List[str] = []
_in_use = False


def _candidates(path: Optional[Union[str, os.PathLike]]) -> Tuple[List[Tuple[str, str]], bool]:
    """(where, what to dlopen) pairs in order, and whether the choice was explicit."""
    if path is not None:
        return [("the path given to load_library()", os.fspath(path))], True
    env = os.environ.get("MEDTONE_LIBRARY")
    if env:
        return [("MEDTONE_LIBRARY", env)], True
    found: List[Tuple[str, str]] = []
    bundled = os.path.join(_PKG_LIB_DIR, _SONAME)
    if os.path.exists(bundled):
        found.append(("the copy inside the package", bundled))
    else:
        _tried.append(f"the copy inside the package: {bundled}: not installed")
    name = ctypes.util.find_library("medtone")
    if name:
        found.append(("ctypes.util.find_library('medtone')", name))
    else:
        _tried.append("ctypes.util.find_library('medtone'): nothing found")
    found.append(("the system loader", _SONAME))
    return found, False


def _open(where_what: Tuple[str, str]) -> Library:
    where, what = where_what
    try:
        slow = ctypes.CDLL(what)
        fast = ctypes.PyDLL(what)
    except OSError as e:
        raise LibraryNotFoundError(f"{where}: {what}: {e}") from None
    # The file actually mapped, for messages and library_path().
    real = os.path.abspath(what) if os.path.sep in what else (_mapped_path(what) or what)
    return Library(real, slow, fast)


def _mapped_path(soname: str) -> Optional[str]:
    """Where the dynamic loader found `soname` (Linux: /proc/self/maps), or None."""
    try:
        with open("/proc/self/maps", encoding="utf-8", errors="replace") as maps:
            for line in maps:
                fields = line.split(None, 5)
                if len(fields) < 6:
                    continue
                base = os.path.basename(fields[5].strip())
                if base == soname or base.startswith(soname + "."):
                    return fields[5].strip()
    except OSError:
        return None
    return None


def _check_version(L: Library) -> None:
    major = L.version // 10000
    if major != SUPPORTED_MAJOR or L.version < MIN_VERSION:
        raise VersionError(
            f"{L.path} is libmedtone {L.version_string} (medtone_version() = {L.version}); this "
            f"binding supports {SUPPORTED_MAJOR}.{MIN_VERSION // 100 % 100}.x up to the next "
            "major version")


def load_library(path: Optional[Union[str, "os.PathLike[str]"]] = None) -> Library:
    """Loads libmedtone and checks its version; returns the loaded :class:`Library`.

    With ``path``, loads exactly that file (a process can switch libraries only before the first
    analyzer, token list or registry is made). Without it, returns the library already loaded or
    searches: ``MEDTONE_LIBRARY``, the copy inside the package, then the system loader.

    Raises:
        LibraryNotFoundError: nothing could be loaded; the message lists every attempt.
        VersionError: the library's major version is not the one this binding speaks.
        MedtoneError: ``path`` names another library while one is already in use.
    """
    global _library
    with _lock:
        if path is None and _library is not None:
            return _library
        if path is not None and _library is not None:
            if _same_file(os.fspath(path), _library.path):
                return _library
            if _in_use:
                raise MedtoneError(
                    f"libmedtone is already in use from {_library.path}; call "
                    "medtone.load_library() before making analyzers")
        _tried.clear()
        candidates, explicit = _candidates(path)
        for cand in candidates:
            try:
                L = _open(cand)
            except LibraryNotFoundError as e:
                _tried.append(str(e))
                if explicit:
                    break
                continue
            _library = L
            return L
        tried = "\n  ".join(_tried)
        hint = ("" if explicit else
                "\nSet MEDTONE_LIBRARY=/path/to/libmedtone.so.0, call "
                "medtone.load_library(path), or install the C library.")
        raise LibraryNotFoundError(f"cannot load libmedtone; tried:\n  {tried}{hint}")


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def lib() -> Library:
    """The loaded library (loading it on first use), marked as in use from then on."""
    global _in_use
    L = _library if _library is not None else load_library()
    _in_use = True
    return L


def library_path() -> Optional[str]:
    """The file of the loaded libmedtone, or None when none is loaded yet."""
    return _library.path if _library is not None else None


def try_load_at_import() -> Optional[LibraryNotFoundError]:
    """Called by ``import medtone``: loads the library when it can be found. A library that is
    found but unusable (wrong version, wrong file named by MEDTONE_LIBRARY) fails the import;
    a library found nowhere does not, so that ``medtone.load_library(path)`` can still name one.
    Returns the not-found error, kept for the first use."""
    try:
        load_library()
    except LibraryNotFoundError as e:
        if os.environ.get("MEDTONE_LIBRARY"):
            raise
        return e
    return None
