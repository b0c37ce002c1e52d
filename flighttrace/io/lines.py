"""Whole lines out of a byte stream, in bounded memory and linear time.

:class:`LineGuard` sits between the decompressed stream and a line-based
reader (OpenSky CSV, FR24 CSV, SBS):

- line ends are made ``\\n``: ``\\r\\n`` and a lone ``\\r`` (old Mac
  exports) alike, so a file with CR-only line ends is read line by line,
  not as one long line;
- it hands over whole lines only (the last line of the stream excepted);
- a line longer than ``max_line_bytes`` is never held whole: its first
  bytes are kept for the quarantine, the rest is skipped as it streams past,
  and the reader gets one short marker line in its place
  (:meth:`LineGuard.overlong_line`), so every line keeps its number;
- a damaged compressed stream: the whole lines read before the damage are
  handed over, the line the damage cut is kept in :attr:`LineGuard.cut_line`,
  then the error is raised.

Every byte is copied a bounded number of times, whatever the line lengths:
time is linear in the input.
"""

from __future__ import annotations

import secrets
import zlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Final

import numpy as np

from flighttrace.io._base import RAW_MAX_CHARS
from flighttrace.io.bounds import mb

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["BOM", "MAX_CHUNK_BYTES", "READ_BYTES", "UTF8_NOTE", "LineGuard", "line_batches", "newline_ends", "text_lines"]

READ_BYTES: Final = 1 << 20
"""Bytes read from the stream at a time, B."""
_HEAD_BYTES: Final = 4 * RAW_MAX_CHARS
"""Bytes of an over-long line kept for its quarantine row."""
MAX_CHUNK_BYTES: Final = 1 << 28
"""A run of lines is cut early once it reaches this many bytes (hostile files of long lines), B."""
_NEWLINE: Final = 0x0A
"""The byte that ends a line."""
BOM: Final = b"\xef\xbb\xbf"
"""UTF-8 byte-order mark, dropped from the start of a file."""
UTF8_NOTE: Final = "text that is not valid UTF-8 was replaced with U+FFFD"
"""Manifest note when a line held bytes that are not UTF-8."""


class LineGuard:
    """A read-only byte stream of whole, bounded lines (see the module docstring).

    Parameters
    ----------
    raw
        The decompressed stream.
    max_line_bytes
        Longest line passed on, B.
    block
        Bytes read from ``raw`` at a time.
    """

    def __init__(self, raw: Any, max_line_bytes: int, *, block: int = READ_BYTES) -> None:
        self._read = getattr(raw, "read1", raw.read)
        self._max = max_line_bytes
        self._block = block
        self._out = bytearray()
        self._pos = 0  # read position in _out
        self._tail = b""  # the unfinished last line (at most max_line_bytes)
        self._drop_lf = False  # the last block ended with CR: a LF right after it belongs to it
        self._skipping = False  # inside an over-long line
        self._skip_head = b""
        self._skip_len = 0
        self._eof = False
        self._error: BaseException | None = None
        self.marker = b"flighttrace-overlong-line-" + secrets.token_hex(6).encode() + b"-"
        """Start of the marker lines that stand for over-long lines."""
        self.overlong: dict[int, tuple[str, int]] = {}
        """Marker number → (start of the line as text, its length in bytes)."""
        self.cut_line = ""
        """The line a damaged stream cut short (not handed over)."""
        self.replaced_cr = False
        """Whether any CR line end was turned into LF."""

    # -- the stream interface the readers use

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        """``n`` bytes (fewer at the end, or ``READ_BYTES`` for ``n < 0``); ``b""`` only at the end.

        A stream error is raised once the lines before it have been handed over.
        """
        want = n if n is not None and n > 0 else self._block
        while len(self._out) - self._pos < want and self._fill():
            pass
        return self._take(n)

    def read1(self, n: int = -1) -> bytes:
        """Up to ``n`` bytes, filling at most once when nothing is buffered."""
        while self._pos >= len(self._out) and self._fill():
            pass
        return self._take(n)

    def _take(self, n: int | None) -> bytes:
        if self._pos >= len(self._out):
            if self._error is not None:
                raise self._error
            return b""
        end = len(self._out) if n is None or n < 0 else min(len(self._out), self._pos + n)
        data = bytes(self._out[self._pos : end])
        self._pos = end
        if self._pos >= len(self._out):
            self._out.clear()
            self._pos = 0
        return data

    def peek(self, n: int = 1) -> bytes:
        """At least ``n`` bytes ahead when the stream has them, without consuming them."""
        while len(self._out) - self._pos < n and self._fill():
            pass
        return bytes(self._out[self._pos :])

    def close(self) -> None:
        self._out.clear()

    # -- over-long lines

    def is_marker(self, line: bytes | str) -> bool:
        """Whether ``line`` is a marker line standing for an over-long line."""
        m = self.marker if isinstance(line, bytes) else self.marker.decode()
        return line.startswith(m)  # type: ignore[arg-type]

    def overlong_line(self, line: bytes | str) -> tuple[str, str] | None:
        """``(reason, raw text)`` for a marker line, or ``None`` for any other line."""
        text = line.decode("ascii", "replace") if isinstance(line, bytes) else line
        m = self.marker.decode()
        if not text.startswith(m):
            return None
        try:
            head, length = self.overlong[int(text[len(m) :].strip())]
        except (ValueError, KeyError):
            return None
        reason = f"line is longer than {mb(self._max)} (limit line_bytes): {length:,} bytes, not read"
        return reason, head + f"… [{length:,} bytes in all]"

    def _marker_line(self, head: bytes, length: int) -> bytes:
        k = len(self.overlong)
        self.overlong[k] = (head[:_HEAD_BYTES].decode("utf-8", "backslashreplace")[:RAW_MAX_CHARS], length)
        return self.marker + str(k).encode() + b"\n"

    # -- filling

    def _fill(self) -> bool:
        """Read one block; append whole lines to the output. False at the end (or after a stream error)."""
        if self._eof:
            return False
        try:
            data = self._read(self._block)
        except (EOFError, OSError, zlib.error) as exc:
            self._error = exc
            self._eof = True
            self.cut_line = self._tail.decode("utf-8", "replace")
            self._tail = b""
            return False
        if not data:
            self._eof = True
            if self._skipping:
                self._out += self._marker_line(self._skip_head, self._skip_len)
                self._skipping = False
            elif self._tail:
                self._out += self._tail
                self._tail = b""
            return bool(len(self._out) - self._pos)
        data = self._line_ends(data)
        if self._skipping:
            k = data.find(b"\n")
            if len(self._skip_head) < _HEAD_BYTES:
                self._skip_head += data[: min(_HEAD_BYTES - len(self._skip_head), len(data) if k < 0 else k)]
            if k < 0:
                self._skip_len += len(data)
                return True
            self._skip_len += k
            self._out += self._marker_line(self._skip_head, self._skip_len)
            self._skipping = False
            data = data[k + 1 :]
        self._split(self._tail + data if self._tail else data)
        return True

    def _line_ends(self, data: bytes) -> bytes:
        if self._drop_lf:
            self._drop_lf = False
            if data[:1] == b"\n":
                data = data[1:]
        if b"\r" in data:
            self.replaced_cr = True
            self._drop_lf = data.endswith(b"\r")
            data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        return data

    def _split(self, buf: bytes) -> None:
        """Move the whole lines of ``buf`` to the output, replacing over-long ones; keep the rest as the tail."""
        limit = self._max
        start = 0  # first byte not yet moved
        p = 0  # start of the line being checked
        while p + limit < len(buf):
            q = buf.rfind(b"\n", p, p + limit + 1)
            if q >= 0:
                p = q + 1
                continue
            # the line starting at p is longer than the limit
            self._out += buf[start:p]
            k = buf.find(b"\n", p + limit + 1)
            if k < 0:
                self._skipping, self._skip_head, self._skip_len = True, buf[p : p + _HEAD_BYTES], len(buf) - p
                self._tail = b""
                return
            self._out += self._marker_line(buf[p : p + _HEAD_BYTES], k - p)
            start = p = k + 1
        last = buf.rfind(b"\n", start)
        if last < 0:
            self._tail = buf[start:]
            return
        self._out += buf[start : last + 1]
        self._tail = buf[last + 1 :]


# --------------------------------------------------------------------------- runs of whole lines


def newline_ends(data: bytes) -> np.ndarray:
    """Offsets just after each ``\\n`` in ``data``."""
    return np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == _NEWLINE) + 1


def line_batches(stream: Any, chunk_rows: int, *, max_line_chars: int, read_bytes: int = READ_BYTES, max_chunk_bytes: int = MAX_CHUNK_BYTES) -> Iterator[bytes]:
    """Split a byte stream into runs of ``chunk_rows`` whole lines.

    Each yielded byte string holds whole lines, each ended by ``\\n`` except
    possibly the very last line of the stream. The stream is read
    ``read_bytes`` at a time; a line that spans blocks is kept only up to
    ``max_line_chars`` + 1 bytes (enough to tell that it is too long), and a
    run is cut early once it holds ``max_chunk_bytes``, so memory stays
    bounded whatever the content. ``stream`` is usually a :class:`LineGuard`
    (the readers of line formats read through one).
    """
    cap = max_line_chars + 1
    pieces: list[bytes] = []
    n_lines = 0
    n_bytes = 0
    tail = b""  # the start of a line whose end has not been read yet

    def flush(final: bool) -> Iterator[bytes]:
        nonlocal pieces, n_lines, n_bytes
        data = b"".join(pieces)
        ends = newline_ends(data)
        if final and data and not data.endswith(b"\n"):
            ends = np.append(ends, len(data))
        start = 0
        n_full = len(ends) // chunk_rows
        for c in range(n_full):
            cut = int(ends[(c + 1) * chunk_rows - 1])
            yield data[start:cut]
            start = cut
        rest = data[start:]
        if rest and (final or len(rest) >= max_chunk_bytes):
            yield rest
            rest = b""
        pieces, n_lines, n_bytes = ([rest] if rest else []), len(ends) - n_full * chunk_rows if rest else 0, len(rest)

    while True:
        try:
            block = stream.read(read_bytes)
        except (EOFError, OSError, zlib.error):
            # a damaged compressed stream: hand over the whole lines read before the damage (every piece
            # ends with a line end; the line it cut short is still in ``tail``), then let the error be reported
            yield from flush(final=True)
            raise
        if not block:
            break
        last_nl = block.rfind(b"\n")
        if last_nl < 0:
            if len(tail) < cap:
                tail = (tail + block)[:cap]
            continue
        complete = tail + block[: last_nl + 1]
        tail = block[last_nl + 1 :][:cap]
        pieces.append(complete)
        n_lines += int(np.count_nonzero(np.frombuffer(complete, dtype=np.uint8) == _NEWLINE))
        n_bytes += len(complete)
        if n_lines >= chunk_rows or n_bytes >= max_chunk_bytes:
            yield from flush(final=False)
    if tail:
        pieces.append(tail)
    if pieces:
        yield from flush(final=True)


def text_lines(data: bytes, *, first: bool, notes: set[str]) -> pa.Array:
    """A run of whole lines (from :func:`line_batches`) as one Arrow string array, line ends trimmed, without a copy per line.

    Bytes that are not UTF-8 are replaced with U+FFFD (never raised on), and
    :data:`UTF8_NOTE` is added to ``notes``; the byte-order mark is dropped
    from the file's ``first`` run.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        data.decode("utf-8")
    except UnicodeDecodeError:  # hostile or damaged bytes: replace, never raise
        data = data.decode("utf-8", errors="replace").encode("utf-8")
        notes.add(UTF8_NOTE)
    if first and data.startswith(BOM):
        data = data[len(BOM):]
    ends = newline_ends(data)
    if not data.endswith(b"\n"):
        ends = np.append(ends, len(data))
    offsets = np.concatenate([[0], ends]).astype(np.int64)
    return pc.utf8_rtrim(pa.LargeStringArray.from_buffers(len(ends), pa.py_buffer(offsets), pa.py_buffer(data)), characters="\r\n")
