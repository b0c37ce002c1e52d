"""A JSON array of records read as it streams, block by block, in bounded memory.

A table written by pandas (``DataFrame.to_json(orient="records")``, as the
traffic library writes its samples) is one JSON array of objects, tens of
megabytes for a day of state vectors: too large to parse whole within the
document limit (:attr:`~flighttrace.io.bounds.SizeLimits.document_bytes`), and
needlessly so, since each record stands alone. :func:`array_runs` reads such
an array a block at a time:

1. each block's bytes are scanned with numpy for the strings and for the
   brackets and commas outside them (as :mod:`flighttrace.io.jsonrecords`
   scans a whole document); what the scan needs to know about the bytes
   before the block (inside a string or not, after a backslash or not, how
   deep) is carried from one block to the next (:class:`_Scan`), so a block
   may end anywhere, even inside a string;
2. the commas one level inside the array separate its records: the records
   that end in the block are parsed with orjson in one call, a run that fails
   being halved until its bad records are alone (they are quarantined with
   their reason and text, the others kept);
3. the bytes of a record not yet ended are kept for the next block; a record
   longer than :attr:`~flighttrace.io.bounds.SizeLimits.line_bytes` is not
   kept at all: it is quarantined, and the reading goes on after it.

At most one block and one unfinished record are held at a time.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO, Final

import numpy as np

from flighttrace.io._base import RAW_MAX_CHARS, FormatError, ReadContext
from flighttrace.io.bounds import mb
from flighttrace.io.jsonrecords import BOM, DEPTH_STEP, parse_run, record_reason, record_text, structural

__all__ = ["ARRAY_BLOCK_BYTES", "ArrayRun", "array_runs"]

ARRAY_BLOCK_BYTES: int = 8 << 20
"""Bytes of the array read and scanned at a time. Tests shrink it, so that records and strings straddle blocks."""
_COMMA: Final = ord(",")
_OPEN: Final = ord("[")
_CLOSE: Final = ord("]")
_BACKSLASH: Final = ord("\\")
_WHITESPACE: Final = b" \t\r\n"
_HEAD_BYTES: Final = 4 * RAW_MAX_CHARS
"""Bytes of a record too long to keep that are kept for its quarantine row: as many as :func:`~flighttrace.io.jsonrecords.record_text` looks at."""
_AFTER_BYTES: Final = 200
"""Bytes after the array's closing bracket looked at for text that is not white space."""
_NO_ROWS: Final = np.zeros(0, dtype=np.int64)


@dataclass
class ArrayRun:
    """The records of the array that ended in one block.

    Parameters
    ----------
    records
        The records parsed, in order.
    rows
        Their index in the array (int64).
    quarantine
        ``(index, reason, text)`` of the records that could not be parsed.
    """

    records: list[Any]
    rows: np.ndarray
    quarantine: list[tuple[int, str, str]] = field(default_factory=list)


class _Scan:
    """What a scan of JSON bytes knows at the end of a block: inside a string or not, after an odd run of backslashes in one, how deep.

    :meth:`feed` scans the next block as if the blocks before it were still
    there: a block that starts inside a string is scanned behind an opening
    quote (and a backslash, when the last block ended on one that escapes
    the next byte), and depths go on from where the last block left them.
    """

    def __init__(self) -> None:
        self.in_string = False
        self.escaped = False
        self.depth = 0

    def feed(self, data: bytes) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Offsets in ``data`` of the brackets and commas outside strings, those characters, and the depth after each."""
        prefix = (b'"\\' if self.escaped else b'"') if self.in_string else b""
        buf = prefix + data if prefix else data
        arr = np.frombuffer(buf, dtype=np.uint8)
        q, pos, char = structural(arr)
        level = self.depth + np.cumsum(DEPTH_STEP[char], dtype=np.int64)
        if len(level):
            self.depth = int(level[-1])
        self.in_string = len(q) % 2 == 1
        if self.in_string and len(arr) and arr[-1] == _BACKSLASH:
            not_backslash = np.flatnonzero(arr != _BACKSLASH)  # the prefix's quote is one, so never empty
            self.escaped = (len(arr) - 1 - int(not_backslash[-1])) % 2 == 1
        else:
            self.escaped = False
        return pos - len(prefix), char, level


class _Blocks:
    """The stream read in blocks of about ``size`` bytes, a UTF-8 byte-order mark at its start left out."""

    def __init__(self, stream: BinaryIO, size: int) -> None:
        self._read = getattr(stream, "read1", stream.read)
        self._size = max(1, size)
        first = self._block()
        while 0 < len(first) < len(BOM) and BOM.startswith(first) and (more := self._block()):
            first += more  # a block shorter than the mark: enough bytes to tell
        self._first: bytes | None = first.removeprefix(BOM) or self._block()  # never empty before the end

    def next(self) -> bytes:
        """The next block (``b""`` at the end)."""
        if self._first is not None:
            first, self._first = self._first, None
            return first
        return self._block()

    def _block(self) -> bytes:
        parts: list[bytes] = []
        got = 0
        while got < self._size:
            data = self._read(self._size - got)
            if not data:
                break
            parts.append(data)
            got += len(data)
        return b"".join(parts)


def array_runs(stream: BinaryIO, ctx: ReadContext, *, block_bytes: int | None = None) -> Iterator[ArrayRun]:
    """The records of the JSON array that ``stream`` holds, a block's worth at a time.

    Parameters
    ----------
    stream
        The decompressed content; it starts (after a byte-order mark and
        white space) with the array's ``[``.
    ctx
        Reader context: the longest record kept (:attr:`~flighttrace.io.bounds.SizeLimits.line_bytes`);
        notes are added to it.
    block_bytes
        Bytes read at a time (:data:`ARRAY_BLOCK_BYTES` when ``None``).

    Yields
    ------
    ArrayRun
        The records that ended in each block (none is yielded for a block
        where no record ended).

    Raises
    ------
    FormatError
        When the content does not start with a JSON array.
    """
    blocks = _Blocks(stream, ARRAY_BLOCK_BYTES if block_bytes is None else block_bytes)
    scan = _Scan()
    limit = ctx.size.line_bytes
    held = b""  # the bytes from the current record's start (or from the content's start, before the array's "[")
    held_at = 0  # offset in the stream of held[0]
    start: int | None = None  # offset of the current record's first byte; None until the array's "[" is found
    index = 0  # the current record's index in the array
    skipped: tuple[bytes, int] | None = None  # a record past the limit: its first bytes and its length so far
    while data := blocks.next():
        at = held_at + len(held)  # offset of data[0]
        pos, char, level = scan.feed(data)
        pos = pos + at
        if start is None:
            start = _array_start(data, pos, char, at)
            if start is None:  # white space only so far: nothing to keep
                held_at = at + len(data)
                continue
        inside = pos >= start
        close = pos[inside & (char == _CLOSE) & (level == 0)]
        end = int(close[0]) if len(close) else None
        seps = pos[inside & (char == _COMMA) & (level == 1)]
        if end is not None:
            seps = seps[seps < end]
        if skipped is not None:  # the record being skipped ends at the first comma (or at the array's end)
            stop = int(seps[0]) if len(seps) else end
            if stop is None:
                skipped = (skipped[0], skipped[1] + len(data))
                held, held_at = b"", at + len(data)
                continue
            yield ArrayRun([], _NO_ROWS, [(index, _too_long(limit, skipped[1] + stop - at), record_text(skipped[0]))])
            index, start, skipped, seps = index + 1, stop + 1, None, seps[1:] if len(seps) else seps
            if stop == end:
                _trailing(data[end + 1 - at :], blocks, ctx)
                return
        held = held[start - held_at :] + data if start < at else data[start - at :]
        held_at = start
        ends = np.append(seps, end) if end is not None else seps
        run, index, start = _run(held, held_at, start, ends, index, limit, closing=end is not None)
        if run is not None:
            yield run
        if end is not None:
            _trailing(held[end + 1 - held_at :], blocks, ctx)
            return
        held, held_at = held[start - held_at :], start
        if len(held) > limit:  # a record longer than the limit, not ended yet: skipped, not held
            skipped, held, held_at = (held[:_HEAD_BYTES], len(held)), b"", held_at + len(held)
    if start is None:
        raise FormatError("the content is not a JSON array (no '[' before its end)")
    ctx.notes.append("the JSON array is cut short: the content ends before its closing bracket")
    yield from _last(held, held_at, start, skipped, index, limit)


def _array_start(buf: bytes, pos: np.ndarray, char: np.ndarray, buf_at: int) -> int | None:
    """Offset just after the array's ``[`` (``buf``, a block that starts at offset ``buf_at``, after nothing but white space);
    ``None`` when the block holds only white space.

    Raises
    ------
    FormatError
        When anything but white space comes before a ``[`` (:class:`_Blocks` leaves a byte-order mark out).
    """
    if not len(pos):
        if buf.strip(_WHITESPACE):
            raise FormatError("the content is not a JSON array of records")
        return None
    p = int(pos[0])
    if char[0] != _OPEN or buf[: p - buf_at].strip(_WHITESPACE):
        raise FormatError("the content is not a JSON array of records")
    return p + 1


def _too_long(limit: int, n: int) -> str:
    return f"record longer than {mb(limit)} (limit line_bytes): {n:,} bytes, not read"


def _run(held: bytes, held_at: int, start: int, ends: np.ndarray, index: int, limit: int, *, closing: bool) -> tuple[ArrayRun | None, int, int]:
    """The records of ``held`` that end at ``ends`` (offsets in the stream, ascending): (their run, the next index, the next record's start)."""
    stops = ends - held_at
    starts = np.concatenate([[start - held_at], stops[:-1] + 1]).astype(np.int64)
    nxt = int(ends[-1]) + 1 if len(ends) else start
    if closing and len(stops) and not held[int(starts[-1]) : int(stops[-1])].strip(_WHITESPACE):
        starts, stops = starts[:-1], stops[:-1]  # "[]", or nothing after the last comma
    n = len(stops)
    if not n:
        return None, index, nxt
    spans = np.column_stack([starts, stops])
    long_ones = np.flatnonzero(stops - starts > limit).tolist()
    out: list[Any] = []
    bad: list[int] = []
    lo = 0
    for i in [*long_ones, n]:  # runs between the records too long to parse (usually one run: the whole block)
        if lo < i:
            parse_run(held, spans, lo, i, out, bad)
        if i < n:
            out.append(None)
        lo = i + 1
    quarantine = [(index + i, record_reason(held[starts[i] : stops[i]], False, None), record_text(held[starts[i] : stops[i]])) for i in bad]
    quarantine += [(index + i, _too_long(limit, int(stops[i] - starts[i])), record_text(held[starts[i] : starts[i] + _HEAD_BYTES])) for i in long_ones]
    if not quarantine:
        return ArrayRun(out, np.arange(index, index + n, dtype=np.int64)), index + n, nxt
    failed = np.zeros(n, dtype=bool)
    failed[bad + long_ones] = True
    keep = np.flatnonzero(~failed)
    return ArrayRun([out[i] for i in keep.tolist()], keep + index, sorted(quarantine)), index + n, nxt


def _trailing(rest: bytes, blocks: _Blocks, ctx: ReadContext) -> None:
    """Note what follows the array's ``]`` when it is not white space (the first :data:`_AFTER_BYTES` bytes after it are looked at)."""
    while len(rest) < _AFTER_BYTES and (more := blocks.next()):
        rest += more
    rest = rest[:_AFTER_BYTES]
    if rest.strip(_WHITESPACE):
        text = rest.decode("utf-8", "backslashreplace").strip()
        ctx.notes.append(f"text after the JSON array's closing bracket ignored (it starts {text[:80]!r})")


def _last(held: bytes, held_at: int, start: int, skipped: tuple[bytes, int] | None, index: int, limit: int) -> Iterator[ArrayRun]:
    """The record the content ended inside, quarantined as cut short (nothing when only white space was left)."""
    if skipped is not None:
        head, n = skipped
        yield ArrayRun([], _NO_ROWS, [(index, _too_long(limit, n) + "; the content ends inside it", record_text(head))])
        return
    piece = held[start - held_at :]
    if piece.strip(_WHITESPACE):
        yield ArrayRun([], _NO_ROWS, [(index, record_reason(piece, True, None), record_text(piece))])
