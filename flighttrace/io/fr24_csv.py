"""The FlightRadar24 "Download CSV" export (``fr24_csv``; see :mod:`flighttrace.io.fr24`).

Lines are read in blocks of whole lines, parsed with pyarrow's CSV reader and
converted on whole columns; a line that cannot be parsed is quarantined with
its own line number.
"""

from __future__ import annotations

import csv as _csv
import re
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO, Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from flighttrace.io._base import FormatError, RawChunk, ReadContext, ReaderSpec
from flighttrace.io.bounds import mb
from flighttrace.io.fr24_common import (
    CSV_COLUMNS,
    CSV_COLUMNS_OLD,
    addressed,
    assemble,
    beyond_ns,
    fr24_columns,
    ground_note,
    ground_state,
    iso_seconds,
    np_bool,
    resolve_hex,
    text_numbers,
)
from flighttrace.io.lines import LineGuard

__all__ = ["read_csv", "sniff_csv", "SPEC"]

_CSV_BLOCK_BYTES_PER_ROW: Final = 64
"""Bytes read per preferred chunk row (FR24 CSV lines are about 60 bytes)."""

# CSV

_CSV_SNIFF: Final = re.compile(
    rb'^"?timestamp"?[ \t]*,[ \t]*(?:"?utc"?[ \t]*,[ \t]*)?"?callsign"?[ \t]*,[ \t]*"?position"?[ \t]*,', re.IGNORECASE
)


def sniff_csv(head: bytes) -> bool:
    return _CSV_SNIFF.match(head.lstrip(b"\xef\xbb\xbf \t\r\n")) is not None


def _csv_header(line: bytes) -> tuple[str, ...]:
    text = line.decode("utf-8", "replace").lstrip("\ufeff")
    names = tuple(f.strip().strip('"').strip().lower() for f in text.split(","))
    for cols in (CSV_COLUMNS, CSV_COLUMNS_OLD):
        if names == tuple(c.lower() for c in cols):
            return cols
    raise FormatError(
        f"FR24 CSV header must be {','.join(CSV_COLUMNS)!r} (or the older one without UTC); found {text.strip()[:100]!r}"
    )


def _line_blocks(stream: LineGuard, size: int) -> Iterator[bytes]:
    """Blocks of whole lines, ``\\r\\n`` and lone ``\\r`` turned into ``\\n`` (as the CSV parser splits)."""
    rest: list[bytes] = []
    while True:
        data = stream.read(size)
        if not data:
            if rest:
                yield _newlines(b"".join(rest))
            return
        cut = data.rfind(b"\n") + 1
        if cut == 0:
            rest.append(data)
            continue
        block = b"".join([*rest, data[:cut]]) if rest else data[:cut]
        rest = [data[cut:]] if cut < len(data) else []
        yield _newlines(block)


def _newlines(block: bytes) -> bytes:
    if b"\r" not in block:
        return block
    return block.replace(b"\r\n", b"\n").replace(b"\r", b"\n")


class _Lines:
    """Line boundaries of a block, found on the whole byte array."""

    def __init__(self, block: bytes) -> None:
        self.block = block
        arr = np.frombuffer(block, dtype=np.uint8)
        self.arr = arr
        ends = np.flatnonzero(arr == 10)
        if len(arr) and arr[-1] != 10:
            ends = np.append(ends, len(arr))
        self.ends = ends
        self.starts = np.empty_like(ends)
        if len(ends):
            self.starts[0] = 0
            self.starts[1:] = ends[:-1] + 1
        # blank: empty or spaces/tabs only; only lines that start with a blank byte need a closer look
        length = ends - self.starts
        first = arr[np.minimum(self.starts, max(len(arr) - 1, 0))] if len(arr) else np.empty(0, dtype=np.uint8)
        maybe = np.flatnonzero((length == 0) | (first == 32) | (first == 9))
        self.blank = np.zeros(len(ends), dtype=bool)
        self.blank[maybe] = [not block[self.starts[k] : ends[k]].strip(b" \t") for k in maybe]
        quotes = np.flatnonzero(arr == 34)
        per_line = np.searchsorted(quotes, ends) - np.searchsorted(quotes, self.starts)
        self.odd_quotes = (per_line % 2) == 1

    def __len__(self) -> int:
        return len(self.ends)

    def text(self, k: int) -> str:
        return self.block[self.starts[k] : self.ends[k]].decode("utf-8", "replace")

    def select(self, keep: np.ndarray) -> bytes:
        """The bytes of the lines where ``keep`` is true (with their newlines)."""
        if keep.all():
            return self.block
        seg = np.append(self.starts[1:], len(self.arr)) - self.starts
        byte_line = np.repeat(np.arange(len(self)), seg)
        return self.arr[keep[byte_line]].tobytes()


def _parse_lines(lines: _Lines, parse: np.ndarray, names: tuple[str, ...]) -> tuple[pa.Table, np.ndarray, list[tuple[int, int]]]:
    """Parse the lines where ``parse`` is true with pyarrow's CSV reader.

    Returns
    -------
    table : pyarrow.Table
        String columns of the rows that have the right number of fields.
    good : numpy.ndarray
        Their line indices within the block.
    invalid : list of (line index, number of fields)
        Lines with the wrong number of fields.
    """
    kept = np.flatnonzero(parse)
    sub = lines.select(parse)
    found: list[tuple[int | None, int]] = []

    def on_invalid(row: Any) -> str:
        found.append((row.number, int(row.actual_columns)))
        return "skip"

    try:
        table: pa.Table | None = pacsv.read_csv(
            pa.BufferReader(sub),
            read_options=pacsv.ReadOptions(column_names=list(names), use_threads=False, block_size=max(len(sub) + 1, 1 << 20)),
            parse_options=pacsv.ParseOptions(invalid_row_handler=on_invalid, newlines_in_values=False),
            convert_options=pacsv.ConvertOptions(
                column_types={c: pa.string() for c in names}, strings_can_be_null=False, quoted_strings_can_be_null=False
            ),
        )
    except pa.ArrowInvalid:
        table = None
    nums = [num for num, _ in found]
    if (
        table is not None
        and table.num_rows + len(found) == len(kept)
        and all(num is not None and 1 <= num <= len(kept) for num in nums)
        and len(set(nums)) == len(nums)
    ):
        inv_pos = np.asarray(nums, dtype=np.int64) - 1
        good_mask = np.ones(len(kept), dtype=bool)
        good_mask[inv_pos] = False
        return table, kept[good_mask], [(int(kept[p]), a) for p, (_, a) in zip(inv_pos, found, strict=True)]
    # A quote opened inside a field joined lines: parse this block line by line
    # so that every record keeps its own line number.
    rows: list[list[str]] = []
    good: list[int] = []
    invalid: list[tuple[int, int]] = []
    for k in kept:
        try:
            fields = next(_csv.reader([lines.text(int(k))]), [])
        except _csv.Error:
            fields = []
        if len(fields) == len(names):
            rows.append(fields)
            good.append(int(k))
        else:
            invalid.append((int(k), len(fields)))
    cols = list(zip(*rows, strict=True)) if rows else [()] * len(names)
    table = pa.table({c: pa.array(list(v), type=pa.string()) for c, v in zip(names, cols, strict=True)})
    return table, np.asarray(good, dtype=np.int64), invalid


def _csv_chunk(
    table: pa.Table,
    names: tuple[str, ...],
    src_row: np.ndarray,
    raw: Callable[[np.ndarray], list[str]],
    quarantine: list[tuple[int, str, str]],
    hexid: str | None,
    stats: dict[str, int],
) -> RawChunk:
    """Convert the string columns of one block into a chunk."""
    n = table.num_rows

    def col(name: str) -> pa.Array:
        return pc.utf8_trim_whitespace(table.column(name).combine_chunks())

    ts, ts_bad = text_numbers(col("Timestamp"))
    time = ts.copy()
    fatal: list[tuple[np.ndarray, str]] = [(ts_bad, "Timestamp is not a number")]
    if "UTC" in names:
        utc = col("UTC")
        utc_present = np_bool(pc.greater(pc.utf8_length(utc), 0))
        utc_t = iso_seconds(utc)
        use = np.isnan(ts) & ~ts_bad & utc_present
        time[use] = utc_t[use]
        fatal.append((use & np.isnan(utc_t), "UTC is not an ISO 8601 time"))
        stats["utc_used"] += int((use & ~np.isnan(utc_t)).sum())
        stats["disagree"] += int((np.abs(ts - utc_t) > 1.0).sum())
    fatal.append((beyond_ns(time), "Timestamp is outside the years 1678–2261 (milliseconds instead of seconds?)"))

    pos = col("Position")
    pos_present = np_bool(pc.greater(pc.utf8_length(pos), 0))
    parts = pc.extract_regex(pos, r"^(?P<lat>[^,]*),(?P<lon>[^,]*)$")
    fatal.append((pos_present & np_bool(parts.is_null()), 'Position is not "lat,lon"'))
    lat, lat_bad = text_numbers(pc.struct_field(parts, "lat"))
    lon, lon_bad = text_numbers(pc.struct_field(parts, "lon"))
    fatal.append((lat_bad, "Position latitude is not a number"))
    fatal.append((lon_bad, "Position longitude is not a number"))

    alt_raw, alt_bad = text_numbers(col("Altitude"))
    gs, gs_bad = text_numbers(col("Speed"))
    track, track_bad = text_numbers(col("Direction"))
    alt, on_ground, odd = ground_state(alt_raw, gs)
    stats["odd_zero"] += int(odd.sum())
    problems = [
        (alt_bad, "Altitude is not a number"),
        (gs_bad, "Speed is not a number"),
        (track_bad, "Direction is not a number"),
    ]
    columns = fr24_columns(n, hexid, time, lat, lon, alt, on_ground, gs, track, callsign=col("Callsign"))
    # a header line again (exports joined with cat): one clear reason instead of every field's
    again = np_bool(pc.equal(pc.utf8_lower(col("Timestamp")), "timestamp")) & np_bool(pc.equal(pc.utf8_lower(pos), "position"))
    if again.any():
        fatal = [(m & ~again, r) for m, r in fatal] + [(again, "the header line again (were several exports joined?)")]
        problems = [(m & ~again, r) for m, r in problems]
    return addressed(assemble(columns, src_row, raw, fatal, problems, quarantine), hexid, "FR24 CSV")


def read_csv(stream: BinaryIO, ctx: ReadContext) -> Iterator[RawChunk]:
    """Read an FR24 CSV export, one chunk per block of about ``ctx.chunk_rows`` lines.

    A ``stream`` reader (:mod:`flighttrace.io._base`). The export carries no
    ICAO address: ``ctx.src_file`` or ``ctx.icao24`` gives it
    (:func:`~flighttrace.io.fr24_common.resolve_hex`).

    Raises
    ------
    FormatError
        When the first non-blank line is not an FR24 header.
    """
    hexid = resolve_hex(ctx, "FR24 CSV")
    names: tuple[str, ...] | None = None
    line0 = 0
    stats = {"odd_zero": 0, "disagree": 0, "utc_used": 0, "utf8": 0}
    block_size = int(min(max(ctx.chunk_rows * _CSV_BLOCK_BYTES_PER_ROW, 1 << 16), 1 << 26))
    guard = LineGuard(stream, ctx.size.line_bytes)  # CR line ends made LF; over-long lines stand aside
    try:
        for block in _line_blocks(guard, block_size):
            try:
                block.decode("utf-8")
            except UnicodeDecodeError:
                block = block.decode("utf-8", "replace").encode("utf-8")
                stats["utf8"] += 1
            lines = _Lines(block)
            parse = ~lines.blank
            if names is None:
                first = np.flatnonzero(parse)
                if not len(first):
                    line0 += len(lines)
                    continue
                k0 = int(first[0])
                if guard.is_marker(block[lines.starts[k0] : lines.ends[k0]]):
                    raise FormatError(f"the first line is longer than {mb(ctx.size.line_bytes)} (limit line_bytes): not an FR24 CSV header")
                names = _csv_header(block[lines.starts[k0] : lines.ends[k0]])
                parse[k0] = False
            quarantine = _overlong_lines(guard, block, lines, parse, line0)
            quarantine += [
                (line0 + int(k), 'unbalanced double quote (Position must be one quoted "lat,lon" field)', lines.text(int(k)))
                for k in np.flatnonzero(parse & lines.odd_quotes)
            ]
            parse &= ~lines.odd_quotes
            kept = np.flatnonzero(parse)
            if not len(kept):
                if quarantine:
                    yield RawChunk.only_quarantine(quarantine)
                line0 += len(lines)
                continue
            table, good, invalid = _parse_lines(lines, parse, names)
            for k, found in invalid:
                hint = ' (is Position "lat,lon" quoted?)' if found == len(names) + 1 else ""
                quarantine.append((line0 + k, f"expected {len(names)} fields, found {found}{hint}", lines.text(k)))

            def raw(idx: np.ndarray, lines: _Lines = lines, good: np.ndarray = good) -> list[str]:
                return [lines.text(int(k)) for k in good[np.asarray(idx, dtype=np.int64)]]

            yield _csv_chunk(table, names, line0 + good, raw, quarantine, hexid, stats)
            line0 += len(lines)
        if names is None:
            raise FormatError(f"FR24 CSV without a header line (expected {','.join(CSV_COLUMNS)!r})")
    finally:
        _csv_notes(ctx, stats)


def _overlong_lines(guard: LineGuard, block: bytes, lines: _Lines, parse: np.ndarray, line0: int) -> list[tuple[int, str, str]]:
    """Quarantine rows for the marker lines standing for over-long lines; they are taken out of ``parse``."""
    if guard.marker not in block:
        return []
    out = []
    at = block.find(guard.marker)
    while at >= 0:
        k = int(np.searchsorted(lines.starts, at, side="right")) - 1
        found = guard.overlong_line(lines.text(k)) if lines.starts[k] == at else None
        if found is not None and parse[k]:
            parse[k] = False
            out.append((line0 + k, *found))
        at = block.find(guard.marker, at + 1)
    return out


def _csv_notes(ctx: ReadContext, stats: dict[str, int]) -> None:
    if stats["odd_zero"]:
        ctx.notes.append(ground_note(stats["odd_zero"]))
    if stats["utc_used"]:
        ctx.notes.append(f"{stats['utc_used']} record(s) without Timestamp: time taken from UTC")
    if stats["disagree"]:
        ctx.notes.append(f"{stats['disagree']} record(s) where UTC differs from Timestamp by more than 1 s: Timestamp used")
    if stats["utf8"]:
        ctx.notes.append("text that is not valid UTF-8 was replaced with U+FFFD")


# ---------------------------------------------------------------------------


SPEC: ReaderSpec = ReaderSpec(name="fr24_csv", kind="stream", func=read_csv, sniff=sniff_csv,
                              description="FlightRadar24 CSV export (Timestamp,UTC,Callsign,Position,Altitude,Speed,Direction; hex from the file name or icao24=)")
