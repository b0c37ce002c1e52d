"""Text from files, servers and users, made safe to print on one line of a terminal.

A message may quote a file's first line, a file name or a server's answer.
Those can hold anything: a JPEG's header bytes, a terminal escape sequence,
a carriage return that overwrites the line, a right-to-left override that
reverses a file name. :func:`printable` writes every such character as a
Python escape (``\\x1b``, ``\\ufffd``), so that what is printed is plain,
visible text; letters of every script are kept as they are.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

__all__ = ["printable"]

_UNSAFE_CATEGORIES: Final = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
"""Controls, format characters (bidi overrides, zero-width), surrogates, private use, unassigned, line and paragraph separators."""

_REPLACEMENT: Final = "\ufffd"
"""What a decoder puts for bytes that are not text: shown escaped, it says that raw bytes were there."""

_ASCII_SAFE: Final = re.compile(r"[ -~]*")


def _escape(ch: str) -> str:
    code = ord(ch)
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def printable(text: object, *, limit: int | None = None) -> str:
    """``text`` with every non-printing character escaped, on one line.

    Parameters
    ----------
    text
        Anything; it is turned into a string first.
    limit
        Cut the result to this many characters (with ``…``), for texts that
        may be long.

    Returns
    -------
    str
        The text with controls (tab, newline, escape, NUL, DEL, C1), format
        characters (bidi overrides, zero-width joiners), surrogates, private-use
        and unassigned code points, line separators and U+FFFD written as
        ``\\xNN`` / ``\\uNNNN`` escapes; spaces and every letter, digit and
        symbol kept.

    Examples
    --------
    >>> printable("\\xff\\xd8 JFIF\\x00\\x10 \\x1b[31mred")
    'ÿØ JFIF\\\\x00\\\\x10 \\\\x1b[31mred'
    >>> printable("Внуково")
    'Внуково'
    """
    s = str(text)
    if _ASCII_SAFE.fullmatch(s) is None:
        s = "".join(_escape(ch) if ch == _REPLACEMENT or unicodedata.category(ch) in _UNSAFE_CATEGORIES else ch for ch in s)
    if limit is not None and len(s) > limit:
        s = s[: max(limit - 1, 0)] + "…"
    return s
