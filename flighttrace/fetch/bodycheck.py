"""Checks that a fetched body is what the request expects, before it counts as evidence.

A server can answer 200 with something that is not the data asked for: an
empty body, a login or error page in HTML, a gzip file cut short on the
server's disk, or a body shorter than the ``Content-Length`` it announced.
Such a body is kept byte for byte in the archive's quarantine folder (see
:mod:`flighttrace.fetch.archive`), logged as ``failed`` with the reason this
module gives, and asked for again on the next run.

The checks read the file in blocks: a gzip body is inflated as a stream
(every member, with its CRC), and only the first
:data:`JSON_PARSE_MAX_BYTES` of the text are kept to be parsed, so memory
stays bounded whatever the server sends.
"""

from __future__ import annotations

import gzip
import json
import os
import zlib
from pathlib import Path
from typing import Final

__all__ = ["GZIP_MAGIC", "INFLATE_MAX_BYTES", "JSON_PARSE_MAX_BYTES", "json_body_problem", "length_problem"]

GZIP_MAGIC: Final = b"\x1f\x8b"
"""The first two bytes of a gzip stream."""
JSON_PARSE_MAX_BYTES: Final = 64 * 1024 * 1024
"""Largest text (bytes, after gunzip) parsed in full to check it is JSON; of
a longer one only the first character is checked."""
INFLATE_MAX_BYTES: Final = 8 * 1024**3
"""Most bytes a gzip body is inflated to while it is checked; a body that
inflates further is accepted unchecked beyond this point (bytes)."""
_BLOCK: Final = 1 << 20


def _inflated_head(path: Path) -> tuple[bytes, bool, str]:
    """The first :data:`JSON_PARSE_MAX_BYTES` of a gzip body, whether there is more, and a problem."""
    kept = bytearray()
    total = 0
    try:
        with gzip.open(path, "rb") as fh:
            while block := fh.read(_BLOCK):
                total += len(block)
                if len(kept) <= JSON_PARSE_MAX_BYTES:
                    kept += block[: JSON_PARSE_MAX_BYTES + 1 - len(kept)]
                if total > INFLATE_MAX_BYTES:
                    break
    except EOFError:
        return b"", False, "the gzip body is cut short (its stream ends before the end marker)"
    except (OSError, zlib.error) as exc:
        return b"", False, f"the gzip body is damaged ({exc})"
    more = len(kept) > JSON_PARSE_MAX_BYTES
    return bytes(kept[:JSON_PARSE_MAX_BYTES]), more, ""


def _plain_head(path: Path) -> tuple[bytes, bool]:
    with open(path, "rb") as fh:
        data = fh.read(JSON_PARSE_MAX_BYTES + 1)
    return data[:JSON_PARSE_MAX_BYTES], len(data) > JSON_PARSE_MAX_BYTES


def json_body_problem(path: str | os.PathLike[str]) -> str:
    """Why a saved body is not JSON (plain or gzip-compressed), or ``""`` when it is.

    Parameters
    ----------
    path
        The body as received.

    Returns
    -------
    str
        ``""`` for a good body; otherwise one line: "empty body …", "the gzip
        body is cut short …", "an HTML or XML page …", "not valid JSON (…)".
        Never a byte of the body itself.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "b.json"
    >>> _ = f.write_bytes(b"<!DOCTYPE html><html><body>Sign in</body></html>")
    >>> json_body_problem(f)
    'an HTML or XML page where JSON was expected'
    >>> _ = f.write_bytes(b'{"ac": []}')
    >>> json_body_problem(f)
    ''
    """
    p = Path(path)
    if p.stat().st_size == 0:
        return "empty body where JSON was expected"
    with open(p, "rb") as fh:
        magic = fh.read(len(GZIP_MAGIC))
    if magic == GZIP_MAGIC:
        text, more, problem = _inflated_head(p)
        if problem:
            return problem
        where = "the gzip body (once inflated)"
    else:
        text, more = _plain_head(p)
        where = "the body"
    stripped = text.lstrip()
    if not stripped:
        return f"{where} holds only white space where JSON was expected" if text else f"{where} is empty where JSON was expected"
    if stripped[:1] == b"<":
        return "an HTML or XML page where JSON was expected"
    if more:  # too long to parse here: the first character must open an object or an array
        return "" if stripped[:1] in (b"{", b"[") else f"{where} does not start like JSON"
    try:
        json.loads(text)
    except ValueError as exc:
        return f"{where} is not valid JSON ({str(exc)[:200]})"
    return ""


def length_problem(size: int, content_length: str | None) -> str:
    """Why ``size`` received bytes disagree with the announced ``Content-Length``, or ``""``.

    Examples
    --------
    >>> length_problem(20, "132")
    'the body is shorter than its Content-Length (20 of 132 bytes)'
    >>> length_problem(132, "132")
    ''
    """
    if content_length is None:
        return ""
    try:
        announced = int(content_length.strip())
    except ValueError:
        return ""
    if size < announced:
        return f"the body is shorter than its Content-Length ({size} of {announced} bytes)"
    if size > announced:
        return f"the body is longer than its Content-Length ({size}, announced {announced} bytes)"
    return ""
