"""OpenSky state vectors as a JSON table written by pandas: the traffic library's samples and ``to_json`` exports.

The traffic library (X. Olive) ships its sample flights as gzipped JSON
written by pandas, and ``Flight.to_json`` / ``Traffic.to_json`` write the same:
one record per state vector with pyopensky's columns (``timestamp`` in
milliseconds since 1970, ``latitude``, ``longitude``, ``altitude`` in ft,
``groundspeed`` in kt, ``track``, ``vertical_rate`` in ft/min, ``callsign``,
``onground``, ``squawk`` …). OpenSky's own ``state_vectors_data4`` names (SI
units) are read too. The columns are recognised and converted exactly as in
an OpenSky CSV or Parquet file (:mod:`flighttrace.io.opensky`), so the same
values give the same points and the same quarantine reasons whatever the
container.

pandas lays a table out in JSON in several ways (its ``orient``):

``records`` (``[{"timestamp": …, "icao24": …}, …]``)
    Read as it streams, in blocks (:mod:`flighttrace.io.jsonstream`), with no
    limit on the file's size: a record that cannot be parsed costs itself.
``records`` with ``lines=True`` (JSON Lines: one record per line)
    Read as it streams, :attr:`~flighttrace.io._base.ReadContext.chunk_rows`
    lines at a time; a line that cannot be parsed costs itself, and a line
    longer than :attr:`~flighttrace.io.bounds.SizeLimits.line_bytes` is
    quarantined without being kept.
``columns`` (pandas' default for a frame), ``index``, ``split``, ``table``
    One document that has to be parsed whole, within the document limit
    (:attr:`~flighttrace.io.bounds.SizeLimits.document_bytes`).

A record that is not a JSON object is quarantined; so is a value that is not
what its column holds (``"latitude": true`` is not a number).
"""

from __future__ import annotations

import functools
import itertools
import operator
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, BinaryIO, Final

import numpy as np
import orjson
import pyarrow as pa

from flighttrace.io._base import FormatError, RawChunk, ReadContext, ReaderSpec
from flighttrace.io.jsonrecords import BOM, parse_run, record_reason, record_text
from flighttrace.io.jsonrows import json_text
from flighttrace.io.jsonstream import array_runs
from flighttrace.io.lines import LineGuard, line_batches
from flighttrace.io.opensky import _columns_from_table, _hand_over, _Layout, _layout, _value_problems, state_vector_names
from flighttrace.io.opensky_json import _json_strings

__all__ = ["SPECS", "read_traffic_json"]

_NUMERIC: Final = frozenset({"time", "lat", "lon", "alt_ft", "gs_kt", "track_deg", "vrate_fpm", "lastposupdate", "lastcontact"})
"""Fields whose values are numbers (or times): a JSON ``true`` there is not taken as 1."""
_TIMES: Final = ("time", "lastposupdate", "lastcontact")
"""Fields that are times (integers in them are told apart by their size: seconds, milliseconds …)."""
_NONE: Final = type(None)
_KEY: Final = re.compile(rb'"((?:[^"\\]|\\.){1,64})"\s*:')
"""A key of a JSON object (up to 64 characters)."""
_EXACT: Final = 2.0**53
"""Floats below this are whole numbers exactly (float64's 53-bit significand)."""
_PEEK_BYTES: Final = 4096
"""Bytes peeked at to tell JSON Lines (an object first) from an array of records."""
_SNIFF_RECORDS: Final = 3
"""Records of the head whose keys the sniff reads."""


def _sniff(head: bytes) -> bool:
    """Whether the content starts as records whose keys name a state-vector table: an array of them, or one per line.

    For an array, the keys of the records in the head are read (up to the
    closing brace of the third record, or the head's end); for JSON Lines
    (pandas' ``lines=True``), the first line is parsed, and must be a record of
    plain values (a whole table in pandas' ``columns`` layout written on one
    line is an object of objects: it is parsed as a document instead). Arrays
    and lines of other records are left to the other JSON readers.
    """
    text = head.removeprefix(BOM).lstrip()
    if text.startswith(b"{"):
        return _first_line_is_a_record(text)
    if not text.startswith(b"[") or text[1:].lstrip()[:1] != b"{":
        return False
    cut = text.find(b"}", 0)
    for _ in range(_SNIFF_RECORDS - 1):
        nxt = text.find(b"}", cut + 1) if cut >= 0 else -1
        cut = nxt if nxt >= 0 else cut
    keys = {m.group(1).decode("utf-8", "replace") for m in _KEY.finditer(text[: cut + 1 if cut >= 0 else len(text)])}
    return state_vector_names(keys)


def _first_line_is_a_record(text: bytes) -> bool:
    """Whether the first line of ``text`` is a JSON object of plain values naming a state-vector table (one line of JSON Lines)."""
    end = text.find(b"\n")
    if end < 0:
        return False  # no whole line in the head: a document, or a line too long to tell
    try:
        first = orjson.loads(text[:end])
    except orjson.JSONDecodeError:
        return False
    return isinstance(first, dict) and state_vector_names(first) and not any(isinstance(v, (dict, list)) for v in first.values())


def _orient(obj: Any) -> str | None:
    """Which of pandas' layouts a parsed document is, when its columns name a state-vector table; ``None`` otherwise."""
    if isinstance(obj, list):
        heads = [r for r in itertools.islice(obj, 64) if isinstance(r, dict)]
        return "records" if heads and state_vector_names(set().union(*heads)) else None
    if not isinstance(obj, dict):
        return None
    if isinstance(obj.get("data"), list) and isinstance(obj.get("schema"), dict):
        return "table" if _orient(obj["data"]) == "records" else None
    if isinstance(obj.get("columns"), list) and isinstance(obj.get("data"), list):
        return "split" if state_vector_names(obj["columns"]) else None
    values = list(itertools.islice(obj.values(), 64))
    if not values or not all(isinstance(v, dict) for v in values):
        return None
    if state_vector_names(obj):
        return "columns"
    return "index" if state_vector_names(set().union(*values)) else None


def _match(obj: Any) -> bool:
    return _orient(obj) is not None


def _arrow(values: Sequence[Any], numeric: bool) -> pa.Array:
    """A column of JSON values as an Arrow array the OpenSky conversions take.

    Numbers stay numbers (integers as int64, so that a time's unit is told by
    its size), texts text, booleans booleans; a column that mixes kinds, or
    holds arrays or objects, or (``numeric``) booleans, becomes text, each
    value as its JSON text (a whole float as its integer's), and its values
    that are not what the column holds are then quarantined with their reason.
    """
    kinds = set(map(type, values)) - {_NONE}
    try:
        if not kinds:
            return pa.nulls(len(values), pa.string())
        if kinds <= {int, float}:
            return pa.array(values, type=pa.float64() if float in kinds else pa.int64())
        if kinds == {str}:
            return pa.array(values, type=pa.string())
        if kinds == {bool} and not numeric:
            return pa.array(values, type=pa.bool_())
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
        pass  # an integer past int64: as text, read as a number from there
    if float in kinds:  # a whole number written by pandas as a float reads as its integer's text: 7700.0 as "7700"
        values = [int(v) if type(v) is float and v.is_integer() and abs(v) < _EXACT else v for v in values]
    return pa.array(_json_strings(values), type=pa.string())


def _int_times(values: Sequence[Any]) -> tuple[pa.Array, np.ndarray] | None:
    """A time column of integers (milliseconds, as pandas writes times) with a few values of other kinds: the integers (null
    elsewhere) and the mask of the others; ``None`` when there is no integer or one is past int64.

    As text, the whole column would lose its unit (told by the integers' size): one bad value would cost every row.
    """
    is_int = np.fromiter((type(v) is int for v in values), dtype=bool, count=len(values))
    if not is_int.any():
        return None
    others = ~is_int & np.fromiter((v is not None for v in values), dtype=bool, count=len(values))
    try:
        return pa.array([v if ok else None for v, ok in zip(values, is_int.tolist(), strict=True)], type=pa.int64()), others
    except (pa.ArrowInvalid, OverflowError):
        return None


def _chunk(
    n: int, names: list[str], column: Callable[[str], Sequence[Any]], layout: _Layout, rows: np.ndarray,
    raw: Callable[[np.ndarray], list[str]], quarantine: list[tuple[int, str, str]], notes: set[str],
) -> RawChunk:
    """The chunk of ``n`` records whose column ``name`` is ``column(name)``."""
    if not n:
        return RawChunk.only_quarantine(quarantine)
    used = {i: f for f, (i, _, _) in layout.cols.items()}
    arrays: list[pa.Array | None] = [None] * len(names)
    odd: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # time field → (its values as found, rows of another kind than its integers)
    for i, f in used.items():
        values = column(names[i])
        arr = _arrow(values, f in _NUMERIC)
        if f in _TIMES and pa.types.is_string(arr.type) and (got := _int_times(values)) is not None:
            arr, others = got
            odd[f] = (_json_strings(values), others)
        arrays[i] = arr
    cols, problems = _columns_from_table(arrays, layout, notes)
    for f, (texts, others) in odd.items():
        if f == "time":  # the framework quarantines these rows as "time is not a number"
            cols["time"] = _hand_over(np.asarray(cols["time"], dtype=np.float64), others, functools.partial(np.asarray, texts))
        else:
            problems += _value_problems(texts, others, layout.cols[f][1], "is neither epoch seconds nor an ISO 8601 time")
    return RawChunk(columns=cols, src_row=rows, raw=raw, quarantine=quarantine, problems=problems)


class _Records:
    """Records (JSON objects) of a table; those that are not objects go to :attr:`quarantine`."""

    def __init__(self, records: list[Any], rows: np.ndarray, quarantine: list[tuple[int, str, str]]) -> None:
        ok = np.fromiter(map(dict.__instancecheck__, records), dtype=bool, count=len(records))
        self.quarantine = list(quarantine)
        if not ok.all():
            for i in np.flatnonzero(~ok).tolist():  # the records that are not objects
                self.quarantine.append((int(rows[i]), "record is not a JSON object", json_text(records[i])))
            self.quarantine.sort()
            records = [records[i] for i in np.flatnonzero(ok).tolist()]
            rows = rows[ok]
        self.records, self.rows = records, rows

    def names(self) -> list[str]:
        """The keys of the records, in the order they first appear."""
        return list(dict.fromkeys(itertools.chain.from_iterable(self.records)))

    def column(self, name: str) -> list[Any]:
        """The values of key ``name`` (``None`` where a record lacks it)."""
        return list(map(operator.methodcaller("get", name), self.records))

    def raw(self, idx: np.ndarray) -> list[str]:
        """JSON text of the records at positions ``idx``."""
        return [json_text(self.records[int(i)]) for i in idx]


def _layout_of(names: list[str]) -> _Layout:
    return _layout(names, "JSON", ", ".join(names[:20]))


def _record_chunks(runs: Iterable[_Records], ctx: ReadContext, how: str) -> Iterator[RawChunk]:
    """A chunk per run of records; the columns are named by the keys of the first run that has a record (``how`` goes into the note)."""
    layout: _Layout | None = None
    names: list[str] = []
    notes: set[str] = set()
    seen = False
    for recs in runs:
        if layout is None and recs.records:
            names = recs.names()
            layout = _layout_of(names)
            ctx.notes.append(f"{layout.note}; {how}")
        if layout is None:
            yield RawChunk.only_quarantine(recs.quarantine)
            continue
        seen = True
        yield _chunk(len(recs.records), names, recs.column, layout, recs.rows, recs.raw, recs.quarantine, notes)
    ctx.notes.extend(sorted(notes))
    if not seen:
        yield RawChunk.only_quarantine([])


def _streamed(stream: BinaryIO, ctx: ReadContext) -> Iterator[RawChunk]:
    """A ``records`` array read as it streams: one chunk per block of records."""
    runs = (_Records(run.records, run.rows, run.quarantine) for run in array_runs(stream, ctx))
    return _record_chunks(runs, ctx, "pandas JSON, orient 'records', read as it streams")


def _json_lines(stream: BinaryIO, ctx: ReadContext) -> Iterator[RawChunk]:
    """JSON Lines (pandas' ``orient="records", lines=True``): ``ctx.chunk_rows`` lines at a time, ``src_row`` the line's index."""
    return _record_chunks(_line_runs(stream, ctx), ctx, "pandas JSON Lines")


def _line_runs(stream: BinaryIO, ctx: ReadContext) -> Iterator[_Records]:
    """The records of the lines, a run of ``ctx.chunk_rows`` lines at a time."""
    guard = LineGuard(stream, ctx.size.line_bytes)
    first = 0
    for data in line_batches(guard, max(1, int(ctx.chunk_rows)), max_line_chars=ctx.size.line_bytes):
        lines = data.split(b"\n")
        if lines and not lines[-1]:
            lines.pop()  # the line end of the last line
        if first == 0 and lines and lines[0].startswith(BOM):
            lines[0] = lines[0][len(BOM) :]
            ctx.notes.append("UTF-8 byte-order mark at the start of the JSON Lines ignored")
        records, rows, quarantine = _parse_lines(lines, first, guard)
        first += len(lines)
        yield _Records(records, rows, quarantine)


def _parse_lines(lines: list[bytes], first: int, guard: LineGuard) -> tuple[list[Any], np.ndarray, list[tuple[int, str, str]]]:
    """The records of a run of lines (line ``first`` first): (records, their line indices, quarantine rows).

    One parse for the whole run; when it fails, the lines are parsed in halves
    until the bad ones are alone. Blank lines are skipped.
    """
    try:
        return orjson.loads(b"[" + b",".join(lines) + b"]"), np.arange(first, first + len(lines), dtype=np.int64), []
    except orjson.JSONDecodeError:
        pass
    keep = [i for i, line in enumerate(lines) if line.strip()]  # the slow path only: a run with a bad or blank line
    joined = b",".join(lines[i] for i in keep)
    lengths = np.fromiter((len(lines[i]) for i in keep), dtype=np.int64, count=len(keep))
    stops = np.cumsum(lengths + 1) - 1
    spans = np.column_stack([stops - lengths, stops])
    out: list[Any] = []
    bad: list[int] = []
    if keep:
        parse_run(joined, spans, 0, len(keep), out, bad)
    quarantine = []
    for k in bad:
        line = lines[keep[k]]
        found = guard.overlong_line(line)
        reason, text = found if found is not None else (record_reason(line, False, None), record_text(line))
        quarantine.append((first + keep[k], reason, text))
    failed = set(bad)
    good = [k for k in range(len(keep)) if k not in failed]
    return [out[k] for k in good], np.asarray([first + keep[k] for k in good], dtype=np.int64), quarantine


def _document(obj: Any, ctx: ReadContext) -> Iterator[RawChunk]:
    """A table parsed whole (any of pandas' layouts): one chunk."""
    orient = _orient(obj)
    if orient is None:
        raise FormatError("not a state-vector table: its columns do not name icao24, a time and a latitude")
    notes: set[str] = set()
    if orient in ("records", "table", "index"):
        items = obj if orient == "records" else obj["data"] if orient == "table" else list(obj.values())
        recs = _Records(items, np.arange(len(items), dtype=np.int64), [])
        if not recs.records:
            yield RawChunk.only_quarantine(recs.quarantine)
            return
        names = recs.names()
        layout = _layout_of(names)
        ctx.notes.append(f"{layout.note}; pandas JSON, orient {orient!r}")
        yield _chunk(len(recs.records), names, recs.column, layout, recs.rows, recs.raw, recs.quarantine, notes)
    else:
        names, columns, n = _columnar(obj, orient)
        layout = _layout_of(names)
        ctx.notes.append(f"{layout.note}; pandas JSON, orient {orient!r}")

        def raw(idx: np.ndarray) -> list[str]:
            return [json_text({k: columns[k][int(i)] for k in names}) for i in idx]

        yield _chunk(n, names, lambda name: columns[name], layout, np.arange(n, dtype=np.int64), raw, [], notes)
    ctx.notes.extend(sorted(notes))


def _columnar(obj: dict[str, Any], orient: str) -> tuple[list[str], dict[str, list[Any]], int]:
    """(names, values by name, rows) of a ``columns`` or ``split`` document; rows follow the first column's index."""
    if orient == "split":
        names = [str(c) for c in obj["columns"]]
        rows = [r if isinstance(r, list) else [r] for r in obj["data"]]
        cols = list(itertools.zip_longest(*rows, fillvalue=None)) if rows else [() for _ in names]
        return names, {name: list(cols[i]) if i < len(cols) else [None] * len(rows) for i, name in enumerate(names)}, len(rows)
    names = [str(k) for k in obj]
    index = list(next(iter(obj.values())))
    columns: dict[str, list[Any]] = {}
    for key, name in zip(obj, names, strict=True):  # one pass per column
        col = obj[key]
        columns[name] = list(col.values()) if list(col) == index else list(map(col.get, index))
    return names, columns, len(index)


def read_traffic_json(source: BinaryIO | Any, ctx: ReadContext) -> Iterator[RawChunk]:
    """Read state vectors from a JSON table written by pandas (traffic's samples and exports).

    Parameters
    ----------
    source
        The decompressed stream of records, an array or JSON Lines (read as
        it streams), or a document already parsed (any of pandas' layouts).
    ctx
        Reader context; the notes say which columns and units were read.

    Yields
    ------
    RawChunk
        ``src_row`` is the record's index in the array (its position in the
        table for the other layouts).

    Raises
    ------
    FormatError
        When the columns do not name a state-vector table.
    """
    if hasattr(source, "read"):
        head = source.peek(_PEEK_BYTES) if hasattr(source, "peek") else b""
        lines = head.removeprefix(BOM).lstrip()[:1] == b"{"
        yield from _json_lines(source, ctx) if lines else _streamed(source, ctx)
    else:
        yield from _document(source, ctx)


SPECS: tuple[ReaderSpec, ...] = (
    ReaderSpec(
        name="traffic_json",
        kind="stream",
        func=read_traffic_json,
        description="OpenSky state vectors as a JSON table written by pandas: traffic's samples and to_json exports "
                    "(records, as an array or JSON Lines, read as they stream; columns, index, split or table within the document limit)",
        sniff=_sniff,
        match=_match,
        json_stream=True,
    ),
)
