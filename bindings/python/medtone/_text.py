"""Text in and spans out: str/bytes to UTF-8 bytes, and byte offsets to str indexes.

The C library takes UTF-8 bytes and reports byte offsets. Python users slice ``str``, so every
span is also given in characters. For ``bytes`` input that is not valid UTF-8 the library reads
each byte that does not begin a valid, shortest-form sequence as one U+FFFD spanning that one byte;
:func:`decode` reads bytes exactly that way, so character offsets agree with the library's.
"""
from __future__ import annotations

import codecs
from typing import Optional, Tuple, Union

__all__ = ["TextLike", "coerce", "decode", "Spans"]

TextLike = Union[str, bytes, bytearray, memoryview]

_HANDLER = "medtone-one-byte-replace"


def _one_byte(err: UnicodeError) -> Tuple[str, int]:
    # Python's own "replace" turns a maximal ill-formed subsequence ("\xe2\x82") into one U+FFFD;
    # the library turns each of its bytes into one. Replace one byte and resume at the next.
    if not isinstance(err, UnicodeDecodeError):
        raise err
    return "\ufffd", err.start + 1


codecs.register_error(_HANDLER, _one_byte)


def decode(raw: bytes) -> str:
    """Decodes UTF-8 the way the library reads it: each invalid byte becomes one U+FFFD."""
    return raw.decode("utf-8", _HANDLER)


def coerce(text: object, what: str = "text") -> Tuple[bytes, Optional[str]]:
    """The UTF-8 bytes of ``text`` and the ``str`` when it was one.

    Raises:
        TypeError: ``text`` is None or neither str nor a bytes-like object.
        UnicodeEncodeError: a str holds a lone surrogate (it has no UTF-8 form).
    """
    if isinstance(text, str):
        return text.encode("utf-8"), text
    if isinstance(text, bytes):
        return text, None
    if isinstance(text, (bytearray, memoryview)):
        return bytes(text), None
    raise TypeError(f"{what} must be str or bytes, not {type(text).__name__}")


class Spans:
    """Maps the library's byte offsets in one text to ``str`` indexes and span texts.

    Offsets are asked for mostly in increasing order (terms, tokens, evidence are in text order),
    so each lookup decodes only the bytes since the previous one.
    """

    __slots__ = ("raw", "text", "identity", "_b", "_c")

    def __init__(self, raw: bytes, text: Optional[str]) -> None:
        self.raw = raw
        self.text = decode(raw) if text is None else text
        # Equal lengths mean one byte per character everywhere (every valid multi-byte sequence
        # is one character of two or more bytes; every invalid byte is one character).
        self.identity = len(raw) == len(self.text)
        self._b = 0
        self._c = 0

    def char(self, off: int) -> int:
        """The str index of byte offset ``off`` (a character boundary)."""
        if self.identity:
            return off
        b, c = self._b, self._c
        if off < b:
            b = c = 0
        c += len(decode(self.raw[b:off]))
        self._b, self._c = off, c
        return c
