"""Stream a CSV file through pyarrow, block by block, whatever its bytes.

:class:`CsvStream` reads a header and then blocks of rows as Arrow string
columns, for readers that convert whole columns (OpenSky state vectors,
FR24 granular exports):

- line ends are normalised and over-long lines stand aside
  (:class:`~flighttrace.io.lines.LineGuard`), so a file with CR line ends
  or a line of a gigabyte is read in linear time and bounded memory;
- bytes that are not UTF-8 are replaced with U+FFFD before pyarrow sees
  them (:class:`Utf8Guard`), and the rows that held them are named;
- rows with the wrong number of fields are quarantined with their line's
  text, and every good row keeps its 0-based data-row number;
- the next block is parsed in a thread while the reader converts the
  current one (:func:`prefetched`);
- a damaged compressed stream: the rows before the damage are read, the
  row it cut is quarantined, then the error is raised.
"""

from __future__ import annotations

import collections
import csv
import io
import queue
import threading
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO, Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from flighttrace.io._base import FormatError, RawChunk, ReadContext
from flighttrace.io.bounds import mb
from flighttrace.io.cleanlines import CleanLines

__all__ = ["UTF8_REASON", "CsvBlock", "CsvStream", "Utf8Guard", "prefetched", "row_text", "split_header"]

UTF8_REASON: Final = "row is not valid UTF-8 text (invalid bytes shown as U+FFFD)"
"""Quarantine reason of a row that held bytes that are not UTF-8."""
HEAD_BYTES: Final = 1 << 16
"""Bytes looked at for the header line."""


def row_text(fields: Sequence[str | None]) -> str:
    """Join fields back into a CSV line, quoting those that need it."""
    out = []
    for f in fields:
        if f is None:
            out.append("")
        elif any(c in f for c in ',"\n\r'):
            out.append('"' + f.replace('"', '""') + '"')
        else:
            out.append(f)
    return ",".join(out)


def split_header(head: bytes) -> tuple[str, int]:
    """The header line (first non-blank line) and the physical lines up to and including it."""
    lines = head.split(b"\n")
    for i, line in enumerate(lines):
        if line.strip(b"\xef\xbb\xbf \t\r"):
            return line.decode("utf-8", errors="replace").lstrip("\ufeff").rstrip("\r"), i + 1
    return "", len(lines)


class Utf8Guard(io.RawIOBase):
    """Pass a byte stream through, replacing invalid UTF-8 with U+FFFD.

    pyarrow cannot hand a malformed row that holds invalid UTF-8 to the
    invalid-row handler (it fails the whole file instead), so the bytes are
    made valid before parsing. ASCII blocks, the normal case, pass untouched
    after one ``bytes.isascii`` check. :attr:`replaced` tells whether
    anything was replaced, so that only then are rows searched for U+FFFD.
    """

    def __init__(self, raw: Any, chunk: int = 1 << 20) -> None:
        super().__init__()
        self._raw = raw
        self._read = getattr(raw, "read1", raw.read)
        self._chunk = chunk
        self._pending = b""  # an incomplete character held back for the next read
        self._out = memoryview(b"")
        self.replaced = False
        self.error: BaseException | None = None
        self.cut = ""  # the line a damaged stream cut short (not parsed)
        self._tail = b""  # the unfinished last line, held back
        self._eof = False

    def readable(self) -> bool:
        return True

    @staticmethod
    def _complete(buf: bytes) -> int:
        """Length of ``buf`` without a trailing, incomplete UTF-8 sequence."""
        n = len(buf)
        for i in range(1, min(3, n) + 1):
            byte = buf[n - i]
            if byte & 0xC0 == 0x80:  # continuation byte: look further back
                continue
            if byte >= 0xC0:
                need = 2 if byte < 0xE0 else 3 if byte < 0xF0 else 4
                return n - i if i < need else n
            return n
        return n

    def _fill(self) -> bool:
        if self._eof:
            return False
        try:
            # read1: a damaged compressed stream still hands over what came before the damage
            data = self._read(self._chunk)
        except (EOFError, OSError, zlib.error) as exc:
            # end the text at the last whole line, so the parser reads every row before the damage;
            # the reader raises the error once those rows are out
            self.error = exc
            data = b""
        if not data:
            out = b""
            if self._pending:
                out, self._pending = self._pending.decode("utf-8", errors="replace").encode(), b""
                self.replaced = True
            if self.error is None:
                out = self._tail + out  # a last line without a line break is whole
            else:
                self.cut = (self._tail + out).decode("utf-8", errors="replace")
                out = b""
            self._tail = b""
            self._eof = True
            self._out = memoryview(out)
            return bool(out)
        if not self._pending and data.isascii():
            out = data
        else:
            buf = self._pending + data
            cut = self._complete(buf)
            head, self._pending = buf[:cut], buf[cut:]
            try:
                head.decode("utf-8")
                out = head
            except UnicodeDecodeError:
                out = head.decode("utf-8", errors="replace").encode()
                self.replaced = True
        # hold the unfinished last line back until the text after it arrives (or the stream ends)
        if self._tail:
            out = self._tail + out
        k = out.rfind(b"\n")
        self._tail = out[k + 1 :]
        self._out = memoryview(out[: k + 1])
        return True

    def readinto(self, b: Any) -> int:
        while not len(self._out):
            if not self._fill():
                return 0
        k = min(len(b), len(self._out))
        b[:k] = self._out[:k]
        self._out = self._out[k:]
        return k


def prefetched(reader: Any) -> Iterator[pa.RecordBatch]:
    """The reader's batches, the next one parsed in a thread while the caller converts the current one.

    Arrow parses CSV without holding the GIL and the conversions release it
    too, so on two cores parsing and converting overlap. One batch is held
    ahead at most; an error in the parser is raised here, after the batches
    before it.
    """
    slot: queue.Queue[Any] = queue.Queue(maxsize=1)
    stop = threading.Event()
    done = object()

    def work() -> None:
        try:
            for batch in reader:
                while not stop.is_set():
                    try:
                        slot.put(batch, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            slot.put(done)
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer
            slot.put(exc)

    thread = threading.Thread(target=work, name="flighttrace-csv", daemon=True)
    thread.start()
    try:
        while True:
            item = slot.get()
            if item is done:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        thread.join()


@dataclass
class CsvBlock:
    """One block of rows: string columns in header order and what the parser rejected."""

    columns: list[pa.Array]
    src_row: np.ndarray
    quarantine: list[tuple[int, str, str]]
    replaced: np.ndarray | None
    """Rows where a watched column holds U+FFFD (bytes that were not UTF-8), or ``None``."""

    def raw(self, idx: np.ndarray) -> list[str]:
        """The rows ``idx`` (positions in this block) as CSV text."""
        take = pa.array(np.asarray(idx, dtype=np.int64))
        fields = [c.take(take).to_pylist() for c in self.columns]
        return [row_text(r) for r in zip(*fields, strict=True)]


class CsvStream:
    """A CSV file read as blocks of string columns (see the module docstring).

    Parameters
    ----------
    stream
        The decompressed content.
    ctx
        Reader context (its line limit).
    row_offset
        Data rows before this stream's first one (read elsewhere, e.g. by
        :class:`~flighttrace.io.csvfast.FastCsv`): every row number is
        counted on from it.

    Attributes
    ----------
    header : str
        The header line as found.
    names : list of str
        The column names, as written.
    """

    def __init__(self, stream: BinaryIO, ctx: ReadContext, row_offset: int = 0) -> None:
        # whole lines as read while they need no guard; CR line ends made LF, over-long lines set aside and
        # bytes that are not UTF-8 replaced from the first line that needs it on
        self._src = CleanLines(stream, ctx.size.line_bytes, Utf8Guard)
        self.header, self._skip = split_header(self._src.peek(HEAD_BYTES))
        if self._src.is_marker(self.header):
            raise FormatError(f"the first line is longer than {mb(ctx.size.line_bytes)} (limit line_bytes): not a CSV header")
        try:
            self.names = next(csv.reader([self.header]))
        except (csv.Error, StopIteration):
            self.names = self.header.split(",")
        self._bad_index: list[int] = []  # data-row index of rows the parser rejected, ascending
        self._pending: collections.deque[tuple[int, str, str]] = collections.deque()  # filled by the parsing thread
        self._good = 0  # good rows handed over so far
        self._offset = row_offset

    def _on_invalid(self, row: Any) -> str:
        num = row.number
        bad = self._bad_index
        idx = int(num) - self._skip - 1 if num is not None else (bad[-1] + 1 if bad else 0)
        bad.append(idx)
        overlong = self._src.overlong_line(row.text)
        if overlong is not None:
            self._pending.append((idx, *overlong))
        else:
            self._pending.append((idx, f"CSV row has {row.actual_columns} field(s), the header has {row.expected_columns}", row.text))
        return "skip"

    def blocks(self, block_bytes: int, watch: Sequence[int]) -> Iterator[CsvBlock]:
        """Blocks of about ``block_bytes``; ``watch``: the columns whose U+FFFD make a row "not UTF-8"."""
        internal = [f"c{i}" for i in range(len(self.names))]
        reader = pacsv.open_csv(
            self._src,
            read_options=pacsv.ReadOptions(use_threads=False, block_size=block_bytes, skip_rows=self._skip, column_names=internal),
            parse_options=pacsv.ParseOptions(invalid_row_handler=self._on_invalid, newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types={c: pa.string() for c in internal}, null_values=[""], strings_can_be_null=True, quoted_strings_can_be_null=True
            ),
        )
        for batch in prefetched(reader):
            n = batch.num_rows
            if n == 0:
                continue
            columns: list[pa.Array] = list(batch.columns)
            replaced = None
            if self._src.replaced:
                replaced = np.zeros(n, dtype=bool)
                for i in watch:
                    replaced |= pc.fill_null(pc.match_substring(columns[i], "\ufffd"), False).to_numpy(zero_copy_only=False)
                replaced = replaced if replaced.any() else None
            g = np.arange(self._good, self._good + n, dtype=np.int64)
            if self._bad_index:
                b = np.sort(np.asarray(self._bad_index, dtype=np.int64))
                src_row = g + np.searchsorted(b - np.arange(len(b), dtype=np.int64), g, side="right")
            else:
                src_row = g
            self._good += n
            # rows the parser rejected so far (possibly some of the next block already: their src_row is absolute)
            quarantine = self._shifted([self._pending.popleft() for _ in range(len(self._pending))])
            yield CsvBlock(columns=columns, src_row=src_row + self._offset, quarantine=quarantine, replaced=replaced)

    def _shifted(self, rows: list[tuple[int, str, str]]) -> list[tuple[int, str, str]]:
        """Rejected rows with their numbers counted on from the row offset."""
        return [(i + self._offset, why, text) for i, why, text in rows] if self._offset else rows

    def finish(self) -> Iterator[RawChunk]:
        """The rows rejected after the last block (and an empty chunk for a file without rows); then a stream error, if any."""
        src = self._src
        cut = src.cut
        if src.error is not None and cut:
            self._pending.append((self._good + len(self._bad_index), "row cut short where the compressed stream is damaged", cut))
        if self._pending:
            yield RawChunk.only_quarantine(self._shifted(list(self._pending)))
        elif self._good + self._offset == 0 and src.error is None:
            yield RawChunk.only_quarantine([])
        if src.error is not None:
            raise src.error
