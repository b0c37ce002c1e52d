"""A fast, multithreaded path through a clean CSV file, with the robust path taking over where it is not clean.

:class:`~flighttrace.io.csvstream.CsvStream` parses a CSV as text on one
thread, so that any row, however damaged, keeps its number and its text.
Nearly every real file needs none of that care. :class:`FastCsv` reads such
a file block by block and has pyarrow parse each block on all cores:

- the blocks end where :class:`~flighttrace.io.csvstream.CsvStream`'s own
  blocks end (at the last line end before every multiple of the block size,
  counted from the start of the file), so a reader converts exactly the same
  blocks of rows either way;
- a block is parsed here only when it is plain: ASCII, no CR, no line longer
  than the line limit, and exactly one row per line (no blank line, no line
  end inside quotes, every row with the header's number of fields; shown
  without counting lines when the block has no quote and a column misses
  no value, see :func:`_one_row_per_line`). The
  first block that is not, or a stream error, ends the fast path: that block
  and the rest of the stream are handed to a
  :class:`~flighttrace.io.csvstream.CsvStream` (:meth:`FastCsv.rest`), its
  rows numbered on from the rows already read, exactly as the robust path
  alone would number them;
- the columns named as numeric are parsed as float64 straight away, but only
  in a block without a space or a tab (pyarrow's number parser trims them
  where Arrow's cast from text, which the robust path uses, refuses them);
  when a value of such a column is not a number, the block is parsed again
  with those columns as text. Every other column is text, as in the robust
  path (some of it dictionary-encoded, values in first-appearance order, as
  encoding the text gives them), so the readers' conversions see the same
  values and flag the same ones;
- the next block is read and parsed in a thread while the reader converts
  the current one.

Memory stays bounded: at most three blocks of bytes (the one converted, the
one parsed ahead, the one being read) and their parsed columns at a time. A
block longer than :data:`JOIN_BYTES` is read straight into one buffer of its
size, so its bytes are not copied again to join the pieces read.
After a fall-back part way through a file, the robust path cuts its blocks
counting from the fall-back point, not from the start of the file. Row
numbers, texts and values do not depend on where blocks end, with two
exceptions: the reasons are grouped once a column holds more than twenty
distinct bad values in one block, and a block of times written as ISO text
is read by Arrow when every time in it is, by pandas otherwise.
"""

from __future__ import annotations

import csv
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO, Final

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from flighttrace.io._base import ReadContext
from flighttrace.io.cleanlines import _Replay
from flighttrace.io.csvstream import HEAD_BYTES, prefetched, row_text, split_header
from flighttrace.io.lines import READ_BYTES

__all__ = ["CODED", "LINE_INDEX_BYTES", "PARSE_BLOCK_BYTES", "FastBlock", "FastCsv", "line_counts", "plain_block"]

JOIN_BYTES: int = READ_BYTES
"""A block is first read in pieces of :data:`~flighttrace.io.lines.READ_BYTES` up to this many bytes; when the stream goes on
past them, the block is read into one buffer of its size (no copy of the whole block to join pieces). Tests shrink it."""
STEP_BYTES: int = 4 << 20
"""Bytes asked of the stream at a time when a block is read into its buffer (at most one read of the stream under it each)."""
PARSE_BLOCK_BYTES: int = 1 << 20
"""Bytes per piece that pyarrow's threads parse in parallel within a block."""
LINE_INDEX_BYTES: int = 1 << 18
"""Bytes per piece of a block's line index: a block's line ends are counted per piece, so that the rows to quarantine are found
by searching only the pieces that hold them."""
CODED: Final = pa.dictionary(pa.int32(), pa.string())
"""Type of the text columns parsed dictionary-encoded."""
_ERRORS: Final = (EOFError, OSError, zlib.error)
"""Stream errors that end the fast path (the robust path reports them, after the rows before them)."""


def plain_block(data: bytes | bytearray, max_line_bytes: int, end: int | None = None) -> bool:
    """Whether ``data[:end]`` (whole lines) is ASCII, has no CR and no line longer than ``max_line_bytes``.

    Parameters
    ----------
    data
        Bytes; ``data[:end]`` ends at a line end (or at the end of the file).
    max_line_bytes
        Longest line allowed, B (line end excluded).
    end
        Where the lines end (all of ``data`` when ``None``). Only the ASCII
        test looks at the whole of ``data``, so bytes after ``end`` that
        are not ASCII make the lines count as not plain (never the other way).
    """
    n = len(data) if end is None else end
    if not data.isascii() or data.find(b"\r", 0, n) >= 0:
        return False
    limit, p = max_line_bytes, 0
    while p + limit < n:  # one step per limit's worth of bytes (the line guard's own test)
        q = data.rfind(b"\n", p, p + limit + 1)
        if q < 0:
            return False
        p = q + 1
    return True


def line_counts(data: bytes | bytearray | memoryview, end: int) -> np.ndarray:
    """Line ends in ``data[:end]`` counted before every multiple of :data:`LINE_INDEX_BYTES`, and in all (the last value).

    ``counts[j]`` is the number of line ends in ``data[: j * LINE_INDEX_BYTES]``
    for every such multiple below ``end``; ``counts[-1]`` the number in
    ``data[:end]``. Counting piece by piece (with numpy, about five times as
    fast as ``bytes.count``) costs what one count of the whole does, and
    finds any line end later by searching one piece.
    """
    raw = np.frombuffer(data, dtype=np.uint8, count=end)
    per_piece = [np.count_nonzero(raw[a : a + LINE_INDEX_BYTES] == 10) for a in range(0, end, LINE_INDEX_BYTES)]
    return np.concatenate([[0], np.cumsum(per_piece, dtype=np.int64)]).astype(np.int64)


def _one_row_per_line(buf: bytes | bytearray, cut: int, table: pa.Table) -> tuple[bool, np.ndarray | None]:
    """Whether ``table``, parsed from ``buf[:cut]`` with blank lines kept as rows (:func:`_options`), has one row per line, none blank;
    and the block's line index (:func:`line_counts`) when the line ends had to be counted for that (``None`` when not).

    A blank line is parsed as a row with every field missing, and a line end
    inside quotes joins two lines into one row. So a table with a column
    that misses no value has no blank line, and a block without a quote has
    one row per line: nothing is counted then. Otherwise the line ends are
    counted, piece by piece (the count is then kept: a row to quarantine is
    found from it without counting again), and searched for two in a row
    (with numpy: several times faster than ``bytes.count`` and ``bytes.find``).
    """
    no_blank = any(c.null_count == 0 for c in table.columns)
    if no_blank and buf.find(b'"', 0, cut) < 0:
        return True, None
    counts = line_counts(buf, cut)
    lines = int(counts[-1]) + (buf[cut - 1] != 10)
    if table.num_rows != lines:
        return False, None
    if no_blank:
        return True, counts
    ends = np.frombuffer(buf, dtype=np.uint8, count=cut) == 10
    return not (ends[0] or (ends[1:] & ends[:-1]).any()), counts


@dataclass
class FastBlock:
    """One block of rows parsed on the fast path (the same fields as :class:`~flighttrace.io.csvstream.CsvBlock`).

    ``columns`` holds every column in header order; the columns not asked for
    are ``None``. ``replaced`` is always ``None`` (a fast block is ASCII).
    """

    columns: list[pa.Array | None]
    src_row: np.ndarray
    quarantine: list[tuple[int, str, str]]
    replaced: None
    data: memoryview
    n_columns: int
    _ends: np.ndarray | None = None

    _counts: np.ndarray | None = None
    """Line ends counted before every multiple of :data:`LINE_INDEX_BYTES` (:func:`line_counts`); counted on first use when ``None``."""

    @property
    def line_ends(self) -> np.ndarray:
        """Positions of the line ends in :attr:`data` (the last line may have none).

        Found on first use.
        """
        if self._ends is None:
            self._ends = np.flatnonzero(np.frombuffer(self.data, dtype=np.uint8) == 10)
        return self._ends

    def _line_end_at(self, m: np.ndarray) -> np.ndarray:
        """Positions of the ``m``-th line ends (0-based); ``len(data)`` where the data ends without one.

        With the block's line index (:attr:`_counts`), only the pieces of
        :data:`LINE_INDEX_BYTES` that hold the wanted line ends are searched:
        a block with a few rows to quarantine is not scanned whole.
        """
        n = len(self.data)
        if self._ends is not None:
            return np.append(self._ends, n)[m]
        if self._counts is None:
            self._counts = line_counts(self.data, n)
        counts = self._counts
        out = np.full(len(m), n, dtype=np.int64)
        inside = m < counts[-1]
        wanted = m[inside]
        piece = np.searchsorted(counts, wanted, side="right") - 1
        found = np.empty(len(piece), dtype=np.int64)
        raw = np.frombuffer(self.data, dtype=np.uint8)
        for j in np.unique(piece).tolist():  # one search per piece that holds a wanted line end
            a = j * LINE_INDEX_BYTES
            local = np.flatnonzero(raw[a : a + LINE_INDEX_BYTES] == 10)
            sel = piece == j
            found[sel] = a + local[wanted[sel] - counts[j]]
        out[inside] = found
        return out

    def raw(self, idx: np.ndarray) -> list[str]:
        """The rows ``idx`` (positions in this block) as CSV text, as the robust path gives them.

        The rows' lines are parsed again, every field as text, and joined
        with :func:`~flighttrace.io.csvstream.row_text`. Lines without a
        quote are that text already (ASCII, no CR, fields that need no
        quotes) and are given as they are, without a parse: a parse here
        would wait for the threads that parse the next block.
        """
        idx = np.asarray(idx, dtype=np.int64)
        if not len(idx):
            return []
        starts, ends = self._line_spans(idx)
        texts = [bytes(self.data[a:b]) for a, b in zip(starts.tolist(), ends.tolist(), strict=True)]
        if not any(b'"' in t for t in texts):
            return [t.decode("ascii") for t in texts]
        lines = b"\n".join(texts) + b"\n"
        names = [f"c{i}" for i in range(self.n_columns)]
        options = _options(names, {}, threads=False)
        options["read_options"].block_size = max(len(lines), 1 << 12)  # a few lines: no buffer of a whole parse block (1 ms each)
        table = pacsv.read_csv(pa.py_buffer(lines), **options)
        fields = [c.to_pylist() for c in table.columns]
        return [row_text(r) for r in zip(*fields, strict=True)]

    def _line_spans(self, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Start and end (line end excluded) in :attr:`data` of the lines ``idx``."""
        ends = self._line_end_at(idx)  # the last line may end with the data
        before = self._line_end_at(np.maximum(idx, 1) - 1)
        return np.where(idx == 0, 0, before + 1), ends


def _options(
    names: list[str], types: dict[str, pa.DataType], *, threads: bool, include: list[str] | None = None, blank_rows: bool = False
) -> dict[str, Any]:
    """pyarrow CSV options: the robust path's (text columns, ``""`` as null), with ``types`` for some columns.

    ``blank_rows``: a blank line is a row with every field missing (pyarrow skips it otherwise).
    """
    return {
        "read_options": pacsv.ReadOptions(use_threads=threads, block_size=PARSE_BLOCK_BYTES, column_names=names),
        "parse_options": pacsv.ParseOptions(newlines_in_values=False, ignore_empty_lines=not blank_rows),
        "convert_options": pacsv.ConvertOptions(
            column_types={c: types.get(c, pa.string()) for c in names},
            include_columns=include,
            null_values=[""],
            strings_can_be_null=True,
            quoted_strings_can_be_null=True,
        ),
    }


class FastCsv:
    """A CSV file read on the fast path while it is plain (see the module docstring).

    Parameters
    ----------
    stream
        The decompressed content.
    ctx
        Reader context (its line limit).

    Attributes
    ----------
    usable : bool
        Whether the file starts with a plain header line on its first line;
        when not, nothing is parsed here and :meth:`rest` gives the whole file.
    header : str
        The header line (when usable).
    names : list of str
        The column names, as written (when usable).
    rows : int
        Data rows handed out so far.
    done : bool
        Whether the whole file was read here (else :meth:`rest` has the rest).
    """

    def __init__(self, stream: BinaryIO, ctx: ReadContext) -> None:
        self._raw = stream
        self._read1 = getattr(stream, "read1", stream.read)
        self._max = ctx.size.line_bytes
        self._pieces: list[bytes | bytearray] = []  # bytes read and not handed out, from a line start
        self._held = 0
        self._pos = 0  # offset in the file of the first held byte
        self._eof = False
        self._error: BaseException | None = None
        self.rows = 0
        self.done = False
        self.header, self.names, self.usable = "", [], False
        self._fill(HEAD_BYTES)
        head = b"".join(self._pieces)
        self._pieces = [head] if head else []
        k = head.find(b"\n")
        line = head[: k if k >= 0 else len(head)]
        if k < 0 or k >= HEAD_BYTES or self._error is not None or len(line) > self._max:
            return  # no whole header line within the bytes the robust path looks at: it says what is wrong
        header, skip = split_header(line + b"\n")
        if skip != 1 or not plain_block(line, self._max):
            return
        self.header = header
        try:
            self.names = next(csv.reader([header]))
        except (csv.Error, StopIteration):
            self.names = header.split(",")
        self._pieces = [head[k + 1 :]]
        self._held -= k + 1
        self._pos = k + 1
        self._head_line = head[: k + 1]
        self.usable = True

    def _fill(self, upto: int) -> None:
        """Read pieces until ``upto`` bytes are held, the end, or a stream error."""
        while self._held < upto and not self._eof and self._error is None:
            try:
                data = self._read1(READ_BYTES)
            except _ERRORS as exc:
                self._error = exc
                return
            if not data:
                self._eof = True
                return
            self._pieces.append(data)
            self._held += len(data)

    def _take(self, want: int) -> bytes | bytearray:
        """The held bytes and those after them, ``want`` bytes in all (fewer at the end, or at a stream error); nothing stays held.

        Up to :data:`JOIN_BYTES`, the pieces read are joined; a stream that
        goes on past them is read on into one buffer of ``want`` bytes.
        """
        self._fill(min(want, JOIN_BYTES))
        if self._held >= want or self._eof or self._error is not None:
            buf: bytes | bytearray = b"".join(self._pieces)
        else:
            buf = bytearray(want)
            p = 0
            for piece in self._pieces:
                buf[p : p + len(piece)] = piece
                p += len(piece)
            p = self._read_into(buf, p)
            if p < want:
                try:
                    del buf[p:]
                except BufferError:  # a view of it is still held somewhere: copy the bytes read
                    buf = buf[:p]
        self._pieces, self._held = [], 0
        return buf

    def _read_into(self, buf: bytearray, p: int) -> int:
        """Read into ``buf[p:]`` until it is full, the end, or a stream error; return the end of the bytes read.

        Each read asks at most :data:`STEP_BYTES` (and reads the stream under
        it at most once), so that a stream error loses no more of what came
        before it than :meth:`_fill` would.
        """
        readinto = getattr(self._raw, "readinto1", None) or getattr(self._raw, "readinto")  # noqa: B009 - BinaryIO does not name it
        with memoryview(buf) as view:
            while p < len(buf):
                try:
                    n = readinto(view[p : p + STEP_BYTES])
                except _ERRORS as exc:
                    self._error = exc
                    break
                if not n:
                    self._eof = True
                    break
                p += n
        return p

    def rest(self) -> Any:
        """The stream for the robust path: the header line, the bytes not handed out, the rest of the file, then the stream error."""
        held = b"".join(self._pieces)
        self._pieces, self._held = [], 0
        head = (self._head_line if self.usable else b"") + held
        return _Replay(head, self._raw, self._error)

    def _parse(self, data: pa.Buffer, types: dict[str, pa.DataType], include: list[str]) -> pa.Table | None:
        """``data`` parsed with ``types`` for some columns; ``None`` when a row does not fit or a value does not convert."""
        names = [f"c{i}" for i in range(len(self.names))]
        try:
            return pacsv.read_csv(data, **_options(names, types, threads=True, include=include, blank_rows=True))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
            return None

    def _plain_table(
        self, buf: bytes | bytearray, cut: int, include: list[str], floats: dict[str, pa.DataType], texts: dict[str, pa.DataType]
    ) -> tuple[pa.Table, np.ndarray | None] | None:
        """``buf[:cut]`` parsed, one row per line, and its line index when one was made (:func:`_one_row_per_line`); ``None`` when it is not plain."""
        if not plain_block(buf, self._max, cut):
            return None
        data = pa.py_buffer(memoryview(buf)[:cut])
        spaced = buf.find(b" ", 0, cut) >= 0 or buf.find(b"\t", 0, cut) >= 0
        table = self._parse(data, texts if spaced else {**texts, **floats}, include)
        if table is None and floats and not spaced:
            table = self._parse(data, texts, include)
        if table is None:
            return None
        one, counts = _one_row_per_line(buf, cut, table)
        return (table, counts) if one else None

    def blocks(self, block_bytes: int, used: Sequence[int], numeric: Sequence[int], coded: Sequence[int] = ()) -> Iterator[FastBlock]:
        """Plain blocks ending where the robust path's end; stops at the first that is not plain (``done`` stays False).

        The next block is read and parsed in a thread while the caller
        converts the current one (:func:`~flighttrace.io.csvstream.prefetched`).
        Parameters as for :meth:`_blocks`.
        """
        yield from prefetched(self._blocks(block_bytes, used, numeric, coded))

    def _blocks(self, block_bytes: int, used: Sequence[int], numeric: Sequence[int], coded: Sequence[int]) -> Iterator[FastBlock]:
        """The plain blocks, read and parsed here.

        Parameters
        ----------
        block_bytes
            The robust path's block size, B.
        used
            Columns to parse (the others are ``None`` in the blocks).
        numeric
            Columns to parse as float64 when the block has no space or tab.
        coded
            Text columns to parse dictionary-encoded (int32 codes, values in
            the order they first appear: the order Arrow's
            ``dictionary_encode`` gives the same text column).
        """
        if not self.usable:
            return
        include = [f"c{i}" for i in sorted(used)]
        floats = {f"c{i}": pa.float64() for i in numeric if i in set(used)}
        texts = {f"c{i}": CODED for i in coded if i in set(used) and i not in set(numeric)}
        k = 1
        while True:
            end = k * block_bytes  # the robust path's k-th block ends at the last line end before this offset
            while end <= self._pos:
                k += 1
                end = k * block_bytes
            buf = self._take(end - self._pos)
            if self._error is not None:
                self._pieces, self._held = [buf], len(buf)
                return
            if not buf:
                self.done = True
                return
            cut = len(buf) if self._eof and len(buf) <= end - self._pos else buf.rfind(b"\n", 0, end - self._pos) + 1
            parsed = self._plain_table(buf, cut, include, floats, texts) if cut > 0 else None
            if parsed is None:
                self._pieces, self._held = [buf], len(buf)
                return
            table, counts = parsed
            data = memoryview(buf)[:cut]
            lines = table.num_rows
            self._pieces = [buf[cut:]] if cut < len(buf) else []
            self._held = len(buf) - cut
            self._pos += cut
            by_name = dict(zip(table.column_names, table.columns, strict=True))
            columns = [by_name[f"c{i}"].combine_chunks() if f"c{i}" in by_name else None for i in range(len(self.names))]
            src_row = np.arange(self.rows, self.rows + lines, dtype=np.int64)
            self.rows += lines
            yield FastBlock(columns=columns, src_row=src_row, quarantine=[], replaced=None, data=data, n_columns=len(self.names), _counts=counts)
            k += 1
