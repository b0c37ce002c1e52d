"""FlightRadar24 exports: CSV, KML and flight-playback JSON (formats.md §4).

Three readers, each with a writer that produces the same bytes FR24 would
(used by the simulator for real-format fixtures):

``fr24_csv``
    The "Download CSV" export. Header
    ``Timestamp,UTC,Callsign,Position,Altitude,Speed,Direction``, or the older
    six columns without ``UTC``. ``Position`` is *one* quoted field
    ``"lat,lon"``; it is read with a real CSV parser (pyarrow) and split on
    whole columns. ``Timestamp`` (Unix s) is authoritative; ``UTC`` is used
    only where ``Timestamp`` is empty. ``Altitude`` is pressure altitude in ft
    (re 1013 hPa), ``Speed`` ground speed in kt, ``Direction`` the track in
    degrees. There is no vertical rate. ``src_row`` is the 0-based line
    number (the header is line 0), so line ``src_row + 1`` in an editor.
``fr24_kml``
    The KML export. Only the ``Folder`` named ``Route`` is read: one
    ``Placemark`` per fix with ``TimeStamp/when`` (ISO 8601),
    ``Point/coordinates`` = ``lon,lat,alt`` with the altitude in **metres**,
    and speed and heading scraped from the HTML ``description``. The
    ``Trail`` folder (line segments between fixes) is ignored. The
    ``Document`` name ``"FZ981/FDB981"`` gives the callsign (after the
    slash) and the description card the registration and ICAO type.
    ``src_row`` is the Placemark's index within the Route folder. Documents
    with a DTD are refused: FR24 never writes one, and entity declarations
    are the way to make an XML parser expand without bound.
``fr24_json``
    The unofficial ``flight-playback.json`` document:
    ``result.response.data.flight`` with ``identification.callsign``,
    ``aircraft.identification.modes`` (the ICAO hex), ``registration``,
    ``aircraft.model.code`` and ``track[]`` (``heading`` is the ground
    track; ``squawk`` ``"0"`` means unknown). ``src_row`` is the index in
    ``track``.

**The ICAO address.** FR24 CSV and KML exports carry none. It is taken, in
this order, from (1) the caller's ``icao24=`` selection when it holds exactly
one hex, (2) a ``hex<6 hex>``, ``icao<6 hex>`` or ``icao24<6 hex>`` token in
the file name (``-`` or ``_`` allowed after the prefix; a bare 6-character
token is never taken, since a date such as ``230901`` would pass), or
(3) nowhere: every record is then quarantined with a reason that says how to
fix it. When the file name names a different aircraft than a one-hex
selection, the file name wins (the rows are then filtered out by the
selection) so that no file is ever attributed to the wrong airframe. The
manifest notes say where the hex came from.

**The ground.** FR24 writes altitude 0 on the ground. A record with altitude
0 and ground speed at most :data:`GROUND_MAX_KT` is ``on_ground=True`` with
``alt_ft`` NaN; altitude 0 at a higher (or unknown) speed cannot be the
ground nor a real altitude, so ``alt_ft`` is NaN and ``on_ground`` NA, and
the manifest notes how many such records there were. Any other altitude is
airborne (``on_ground=False``).

What every format shares (hex validation, NaN or out-of-range positions,
times before 1990 or in the future, absurd values, de-duplication) is done by
:mod:`flighttrace.io._normalise`, not here. The readers reject a record
themselves only when its time or position cannot be parsed from the text,
with a reason that names the FR24 field.
"""

from __future__ import annotations

import csv as _csv
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator, Sequence
from itertools import repeat
from typing import Any, BinaryIO, Final

import numpy as np
import orjson
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from flighttrace.io._base import FormatError, RawChunk, ReadContext, ReaderSpec
from flighttrace.io.bounds import BoundedReader, LimitExceeded, mb
from flighttrace.io.lines import LineGuard

__all__ = [
    "SPECS",
    "read_csv",
    "read_kml",
    "read_playback",
    "hex_from_fr24_name",
    "CSV_COLUMNS",
    "CSV_COLUMNS_OLD",
    "GROUND_MAX_KT",
    "M_PER_FT",
    "FT_PER_M",
]

# ---------------------------------------------------------------------------
# units and constants

M_PER_FT: Final = 0.3048
"""Metres per foot (exact, by definition)."""
FT_PER_M: Final = 1.0 / M_PER_FT
"""Feet per metre: KML coordinates hold metres, Points hold feet."""
KMH_PER_KT: Final = 1.852
"""Kilometres per hour per knot (exact)."""
MPH_PER_KT: Final = 1.852 / 1.609344
"""Statute miles per hour per knot."""
MS_PER_FPM: Final = M_PER_FT / 60.0
"""Metres per second per foot per minute."""
GROUND_MAX_KT: Final = 100.0
"""Altitude 0 at a ground speed up to this many knots means "on the ground"."""
MAX_EPOCH_S: Final = 9.2e9
"""Times this many seconds or more from the epoch (outside 1678–2261) cannot be
held in int64 ns; a Unix time in milliseconds read as seconds lands here."""
CSV_COLUMNS: Final[tuple[str, ...]] = ("Timestamp", "UTC", "Callsign", "Position", "Altitude", "Speed", "Direction")
"""Header of the FR24 CSV export."""
CSV_COLUMNS_OLD: Final[tuple[str, ...]] = ("Timestamp", "Callsign", "Position", "Altitude", "Speed", "Direction")
"""Header of the older FR24 CSV export, without ``UTC``."""
KML_NS: Final = "http://www.opengis.net/kml/2.2"
"""The KML namespace FR24 writes."""
PROLOG_MAX_BYTES: Final = 1 << 20
"""A KML whose root element does not start within this many bytes is refused."""
_CSV_BLOCK_BYTES_PER_ROW: Final = 64
"""Bytes read per preferred chunk row (FR24 CSV lines are about 60 bytes)."""

# ---------------------------------------------------------------------------
# the ICAO address of files that carry none

_NAME_HEX: Final = re.compile(r"(?<![a-z])(?:icao24|icao|hex)[-_]?([0-9a-f]{6})(?![0-9a-f])", re.IGNORECASE)
_HEX6: Final = re.compile(r"[0-9a-f]{6}")


def hex_from_fr24_name(name: str) -> str | None:
    """Return the ICAO hex named in a file name by a ``hex``/``icao``/``icao24`` token.

    Parameters
    ----------
    name
        A path or label; only its last component (after ``/``, ``\\`` or the
        ``!`` of a tar member) is searched.

    Returns
    -------
    str or None
        The lowercase hex, or ``None`` when the name has no such token.

    Examples
    --------
    >>> hex_from_fr24_name("fr24/AZQ6224_hex600864_2023-09-01.csv")
    '600864'
    >>> hex_from_fr24_name("icao24-600864.kml")
    '600864'
    >>> hex_from_fr24_name("AZQ6224_230901.csv") is None
    True
    """
    base = re.split(r"[/\\!]", name)[-1]
    m = _NAME_HEX.search(base)
    return m.group(1).lower() if m else None


def _resolve_hex(ctx: ReadContext, what: str) -> str | None:
    """The hex for a file without one (see the module docstring); notes its origin."""
    from_name = hex_from_fr24_name(ctx.src_file)
    sel = sorted(ctx.icao24) if ctx.icao24 else []
    single = sel[0] if len(sel) == 1 and _HEX6.fullmatch(sel[0]) else None
    if single is not None and from_name in (None, single):
        ctx.notes.append(f"icao24 {single} taken from the icao24= selection ({what} carries no ICAO address)")
        return single
    if from_name is not None:
        if single is not None:
            ctx.notes.append(
                f"icao24 {from_name} taken from the file name, not from the icao24= selection {single}: the file names another aircraft"
            )
        else:
            ctx.notes.append(f"icao24 {from_name} taken from the file name ({what} carries no ICAO address)")
        return from_name
    return None


def _no_address_reason(what: str) -> str:
    return f"{what} has no ICAO address: put hex<ICAO hex> in the file name or pass icao24=<hex>"


# ---------------------------------------------------------------------------
# helpers shared by the readers

_NUM_RE: Final = r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$"
_NAN_RE: Final = r"^[+-]?nan$"
_ISO_RE: Final = r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?$"
_ISO_ZONE_RE: Final = r"(?:Z|[+-]\d{2}(?::?\d{2})?)$"
_GROUND_NOTE: Final = (
    "{n} record(s) with altitude 0 at more than {kt:g} kt or an unknown speed: altitude taken as unknown "
    "and the ground state as not said (FR24 writes 0 on the ground)"
)


def _np_bool(arr: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """A pyarrow boolean array as numpy, nulls as False."""
    return np.asarray(arr.fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)


def _as_arrow_strings(values: Any) -> pa.Array:
    """Strings (pyarrow, pandas or object numpy; None/NaN missing) → trimmed pyarrow strings."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if not isinstance(values, pa.Array):
        values = pa.array(np.asarray(values, dtype=object), type=pa.string(), from_pandas=True)
    return pc.utf8_trim_whitespace(values)


def _num(values: Any) -> tuple[np.ndarray, np.ndarray]:
    """Parse decimal numbers from text on a whole column.

    Parameters
    ----------
    values
        Strings (pyarrow or object array; missing or empty means "not given").

    Returns
    -------
    numbers : numpy.ndarray
        float64, NaN where missing or not a number (a literal ``nan`` is NaN).
    bad : numpy.ndarray
        True where text is present but is not a finite number.
    """
    s = _as_arrow_strings(values)
    present = _np_bool(pc.greater(pc.utf8_length(s), 0))
    ok = pc.match_substring_regex(s, _NUM_RE)
    nums = pc.cast(pc.if_else(ok, s, pa.scalar(None, pa.string())), pa.float64())
    out = np.array(nums.to_numpy(zero_copy_only=False), dtype=np.float64)  # writable copy
    is_nan = _np_bool(pc.match_substring_regex(s, _NAN_RE, ignore_case=True))
    bad = (present & ~_np_bool(ok) & ~is_nan) | np.isinf(out)
    out[np.isinf(out)] = np.nan
    return out, bad


def _json_num(values: Sequence[Any]) -> tuple[np.ndarray, np.ndarray]:
    """JSON values → (float64, mask of present values that are not finite numbers)."""
    n = len(values)
    is_bool = np.fromiter(map(isinstance, values, repeat(bool)), dtype=bool, count=n)
    try:
        if is_bool.any():
            raise TypeError("booleans are not numbers")
        out = np.array(values, dtype=np.float64)
        if out.shape != (n,):
            raise TypeError("nested arrays are not numbers")
        bad = np.zeros(n, dtype=bool)
    except (TypeError, ValueError, OverflowError):
        ser = pd.Series(values, dtype=object)
        is_num = np.fromiter(map(isinstance, ser, repeat((int, float, str))), dtype=bool, count=n) & ~is_bool
        out = np.array(
            pd.to_numeric(ser.where(is_num, None), errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan), dtype=np.float64
        )
        bad = ser.notna().to_numpy() & np.isnan(out)
    inf = np.isinf(out)
    if inf.any():
        out[inf] = np.nan
        bad |= inf
    return out, bad


def _iso_seconds(values: Any) -> np.ndarray:
    """ISO 8601 strings → float Unix seconds (naive taken as UTC), NaN where unparseable."""
    strings = _as_arrow_strings(values)
    ok = _np_bool(pc.match_substring_regex(strings, _ISO_RE))
    out = np.full(len(strings), np.nan)
    if ok.any():
        s = pd.Series(np.asarray(strings.filter(pa.array(ok)).to_numpy(zero_copy_only=False), dtype=object), dtype=object)
        t = pd.to_datetime(s, utc=True, errors="coerce", format="ISO8601")
        good = t.notna().to_numpy()
        us = t[good].dt.as_unit("us").array.asi8
        idx = np.flatnonzero(ok)[good]
        out[idx] = us / 1e6
    return out


def _ground(alt: np.ndarray, gs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Apply FR24's "altitude 0 on the ground" convention.

    Parameters
    ----------
    alt
        Altitude in ft as FR24 gives it (0 on the ground).
    gs
        Ground speed in kt.

    Returns
    -------
    alt_ft : numpy.ndarray
        The altitude with the zeros replaced by NaN.
    on_ground : numpy.ndarray
        1.0 on the ground, 0.0 airborne, NaN not said.
    odd : numpy.ndarray
        Altitude 0 at more than :data:`GROUND_MAX_KT` or unknown speed.
    """
    zero = alt == 0.0
    slow = zero & (gs <= GROUND_MAX_KT)
    odd = zero & ~slow
    on_ground = np.where(np.isnan(alt), np.nan, 0.0)
    on_ground[slow] = 1.0
    on_ground[odd] = np.nan
    return np.where(zero, np.nan, alt), on_ground, odd


def _take(values: Any, keep: np.ndarray) -> Any:
    if values is None:
        return None
    if isinstance(values, (pa.Array, pa.ChunkedArray)):
        return values.take(pa.array(keep, type=pa.int64()))
    arr = values if isinstance(values, np.ndarray) else np.asarray(values, dtype=object)
    return arr[keep]


def _assemble(
    columns: dict[str, Any],
    src_row: np.ndarray,
    raw: Callable[[np.ndarray], list[str]],
    fatal: Sequence[tuple[np.ndarray, str]],
    problems: list[tuple[np.ndarray, str]],
    quarantine: list[tuple[int, str, str]],
) -> RawChunk:
    """Build a chunk, moving rows whose time or position cannot be parsed to the reader's quarantine.

    Parameters
    ----------
    columns
        Points columns for all parsed rows.
    src_row
        Their ``src_row``.
    raw
        Raw text of rows by position in ``columns``.
    fatal
        ``(mask, reason)``: rows that cannot become a point at all; all the
        reasons that apply are joined.
    problems
        ``(mask, reason)`` for the framework (the row parses, a value is bad).
    quarantine
        Records already rejected.

    Returns
    -------
    RawChunk
    """
    n = len(src_row)
    bad = np.zeros(n, dtype=bool)
    for mask, _ in fatal:
        bad |= mask
    if not bad.any():
        return RawChunk(columns=columns, src_row=src_row, raw=raw, quarantine=quarantine, problems=[p for p in problems if p[0].any()])
    idx = np.flatnonzero(bad)
    pos = np.cumsum(bad) - 1
    reasons: list[list[str]] = [[] for _ in range(len(idx))]
    for mask, reason in fatal:
        for p in pos[np.flatnonzero(mask)]:  # loop over bad rows only
            reasons[p].append(reason)
    texts = raw(idx)
    quarantine = quarantine + [(int(src_row[i]), "; ".join(r), t) for i, r, t in zip(idx, reasons, texts, strict=True)]
    keep = np.flatnonzero(~bad)
    kept_raw = raw

    def raw_kept(j: np.ndarray) -> list[str]:
        return kept_raw(keep[np.asarray(j, dtype=np.int64)])

    return RawChunk(
        columns={k: _take(v, keep) for k, v in columns.items()},
        src_row=src_row[keep],
        raw=raw_kept,
        quarantine=quarantine,
        problems=[(m[keep], r) for m, r in problems if m[keep].any()],
    )


def _without_address(chunk: RawChunk, reason: str) -> RawChunk:
    """Every parsed record of ``chunk`` quarantined with ``reason`` (loop over bad rows)."""
    n = len(chunk)
    texts = chunk.raw(np.arange(n)) if (n and chunk.raw is not None) else [""] * n
    rows = [(int(r), reason, t) for r, t in zip(chunk.src_row, texts, strict=True)]
    return RawChunk.only_quarantine(chunk.quarantine + rows)


# ---------------------------------------------------------------------------
# CSV

_CSV_SNIFF: Final = re.compile(
    rb'^"?timestamp"?[ \t]*,[ \t]*(?:"?utc"?[ \t]*,[ \t]*)?"?callsign"?[ \t]*,[ \t]*"?position"?[ \t]*,', re.IGNORECASE
)


def _sniff_csv(head: bytes) -> bool:
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


def _line_blocks(stream: BinaryIO, size: int) -> Iterator[bytes]:
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

    ts, ts_bad = _num(col("Timestamp"))
    time = ts.copy()
    fatal: list[tuple[np.ndarray, str]] = [(ts_bad, "Timestamp is not a number")]
    if "UTC" in names:
        utc = col("UTC")
        utc_present = _np_bool(pc.greater(pc.utf8_length(utc), 0))
        utc_t = _iso_seconds(utc)
        use = np.isnan(ts) & ~ts_bad & utc_present
        time[use] = utc_t[use]
        fatal.append((use & np.isnan(utc_t), "UTC is not an ISO 8601 time"))
        stats["utc_used"] += int((use & ~np.isnan(utc_t)).sum())
        stats["disagree"] += int((np.abs(ts - utc_t) > 1.0).sum())
    far = np.abs(time) >= MAX_EPOCH_S
    fatal.append((far, "Timestamp is outside the years 1678–2261 (milliseconds instead of seconds?)"))
    time[far] = np.nan

    pos = col("Position")
    pos_present = _np_bool(pc.greater(pc.utf8_length(pos), 0))
    parts = pc.extract_regex(pos, r"^(?P<lat>[^,]*),(?P<lon>[^,]*)$")
    fatal.append((pos_present & _np_bool(parts.is_null()), 'Position is not "lat,lon"'))
    lat, lat_bad = _num(pc.struct_field(parts, "lat"))
    lon, lon_bad = _num(pc.struct_field(parts, "lon"))
    fatal.append((lat_bad, "Position latitude is not a number"))
    fatal.append((lon_bad, "Position longitude is not a number"))

    alt_raw, alt_bad = _num(col("Altitude"))
    gs, gs_bad = _num(col("Speed"))
    track, track_bad = _num(col("Direction"))
    alt, on_ground, odd = _ground(alt_raw, gs)
    stats["odd_zero"] += int(odd.sum())
    problems = [
        (alt_bad, "Altitude is not a number"),
        (gs_bad, "Speed is not a number"),
        (track_bad, "Direction is not a number"),
    ]
    columns: dict[str, Any] = {
        "icao24": np.full(n, hexid, dtype=object),
        "time": time,
        "lat": lat,
        "lon": lon,
        "alt_ft": alt,
        "on_ground": on_ground,
        "gs_kt": gs,
        "track_deg": track,
        "callsign": col("Callsign"),
    }
    # a header line again (exports joined with cat): one clear reason instead of every field's
    again = _np_bool(pc.equal(pc.utf8_lower(col("Timestamp")), "timestamp")) & _np_bool(pc.equal(pc.utf8_lower(pos), "position"))
    if again.any():
        fatal = [(m & ~again, r) for m, r in fatal] + [(again, "the header line again (were several exports joined?)")]
        problems = [(m & ~again, r) for m, r in problems]
    chunk = _assemble(columns, src_row, raw, fatal, problems, quarantine)
    if hexid is None:
        return _without_address(chunk, _no_address_reason("FR24 CSV"))
    return chunk


def read_csv(stream: BinaryIO, ctx: ReadContext) -> Iterator[RawChunk]:
    """Read an FR24 CSV export.

    Parameters
    ----------
    stream
        The decompressed content.
    ctx
        Reader context (``src_file`` and ``icao24`` give the ICAO address).

    Yields
    ------
    RawChunk
        One chunk per block of about ``ctx.chunk_rows`` lines.

    Raises
    ------
    FormatError
        When the first non-blank line is not an FR24 header.
    """
    hexid = _resolve_hex(ctx, "FR24 CSV")
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
        ctx.notes.append(_GROUND_NOTE.format(n=stats["odd_zero"], kt=GROUND_MAX_KT))
    if stats["utc_used"]:
        ctx.notes.append(f"{stats['utc_used']} record(s) without Timestamp: time taken from UTC")
    if stats["disagree"]:
        ctx.notes.append(f"{stats['disagree']} record(s) where UTC differs from Timestamp by more than 1 s: Timestamp used")
    if stats["utf8"]:
        ctx.notes.append("text that is not valid UTF-8 was replaced with U+FFFD")


# ---------------------------------------------------------------------------
# KML

_KML_SNIFF: Final = re.compile(rb"<kml[\s>/:]|opengis\.net/kml|earth\.google\.com/kml", re.IGNORECASE)
_ROOT_START: Final = re.compile(rb"<[A-Za-z_:]")
_COMMENT: Final = re.compile(rb"<!--.*?-->|<\?.*?\?>", re.DOTALL)
"""Comments and processing instructions: what may precede a DTD besides white space."""
_DTD: Final = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_COORD_RE: Final = r"^\s*(?P<lon>[^,\s]+)\s*,\s*(?P<lat>[^,\s]+)\s*(?:,\s*(?P<alt>[^,\s]+)\s*)?$"
_SPEED_RE: Final = r"(?i)<b>\s*Speed:\s*</b>\s*(?:</span>)?\s*(?:<span[^>]*>)?\s*([-+]?\d+(?:\.\d+)?)\s*kts?\b"
_HEADING_RE: Final = r"(?i)<b>\s*Heading:\s*</b>\s*(?:</span>)?\s*(?:<span[^>]*>)?\s*([-+]?\d+(?:\.\d+)?)\s*(?:&deg;|°|&#176;)"
_CARD_REG: Final = re.compile(r"Registration\s*(?:<[^<>]*>\s*)*([A-Z0-9][A-Z0-9-]{1,11})\s*<", re.IGNORECASE)
_CARD_TYPE: Final = re.compile(r"Aircraft\s*<span[^<>]*>\s*\(\s*([A-Z0-9]{2,4})\s*\)\s*</span>", re.IGNORECASE)


def _sniff_kml(head: bytes) -> bool:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return text[:1] == b"<" and _KML_SNIFF.search(text) is not None


class _PrologGuard:
    """A byte stream that refuses XML with a DTD before the parser sees it.

    Entity declarations (only possible in a DTD) are how an XML document
    expands without bound ("billion laughs"); FR24 never writes a DTD.
    """

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self._pending = b""
        self._checked = False

    def read(self, size: int = -1) -> bytes:
        if not self._checked:
            self._check()
        if self._pending:
            out, self._pending = self._pending, b""
            return out
        return self._stream.read(size)

    def _check(self) -> None:
        parts: list[bytes] = []
        total = 0
        while True:
            data = self._stream.read(1 << 16)
            parts.append(data)
            total += len(data)
            buf = b"".join(parts)
            stripped = _COMMENT.sub(b"", buf)
            m = _ROOT_START.search(stripped)
            if m is not None or not data or total > PROLOG_MAX_BYTES:
                break
        prolog = stripped[: m.start()] if m is not None else stripped
        if _DTD.search(prolog):
            raise FormatError(
                "KML with a document type declaration (<!DOCTYPE …>) refused: FR24 never writes one, "
                "and its entity declarations can expand without bound"
            )
        if m is None and total > PROLOG_MAX_BYTES:
            raise FormatError(f"XML without a root element in its first {PROLOG_MAX_BYTES} bytes")
        self._pending = buf
        self._checked = True


class _LocalNames(dict[Any, str]):
    """Tag → local name (namespace dropped), computed once per distinct tag."""

    def __missing__(self, tag: Any) -> str:
        name = tag[tag.rfind("}") + 1 :] if isinstance(tag, str) else ""
        self[tag] = name
        return name


class _Placemarks:
    """Route placemarks collected as text, converted per chunk on whole columns."""

    def __init__(self, local: _LocalNames, max_text: int) -> None:
        self.local = local
        self.max_text = max_text
        self.too_long: list[int] = []  # positions of placemarks holding a text longer than max_text
        self.rows: list[int] = []
        self.names: list[str | None] = []
        self.whens: list[str | None] = []
        self.coords: list[str | None] = []
        self.descs: list[str | None] = []

    def __len__(self) -> int:
        return len(self.rows)

    def add(self, index: int, elem: ET.Element) -> None:
        """Keep the text of one placemark's name, description, TimeStamp/when and Point/coordinates."""
        local = self.local
        name = desc = when = coords = None
        for child in elem:
            kind = local[child.tag]
            if kind == "TimeStamp":
                when = next((c.text for c in child if local[c.tag] == "when"), None)
            elif kind == "Point":
                coords = next((c.text for c in child if local[c.tag] == "coordinates"), None)
            elif kind == "description":
                desc = child.text
            elif kind == "name":
                name = child.text
        texts = (name, desc, when, coords)
        if any(t is not None and len(t) > self.max_text for t in texts):
            self.too_long.append(len(self.rows))
            name = desc = when = coords = None  # never parsed, never kept whole
        self.rows.append(index)
        self.names.append(name)
        self.whens.append(when)
        self.coords.append(coords)
        self.descs.append(desc)

    def raw(self, idx: np.ndarray) -> list[str]:
        return [
            orjson.dumps(
                {"name": self.names[i], "when": self.whens[i], "coordinates": self.coords[i], "description": self.descs[i]}
            ).decode()
            for i in np.asarray(idx, dtype=np.int64)
        ]


def _kml_chunk(pm: _Placemarks, meta: dict[str, str | None], hexid: str | None, stats: dict[str, int]) -> RawChunk:
    """Convert collected placemarks to a chunk, column by column."""
    n = len(pm)
    when = pd.Series(pm.whens, dtype=object)
    no_when = (when.isna() | (when.astype(str).str.strip() == "")).to_numpy(dtype=bool)
    time = _iso_seconds(when)
    naive = ~np.isnan(time) & ~when.str.strip().str.contains(_ISO_ZONE_RE).fillna(False).to_numpy(dtype=bool)
    stats["naive"] += int(naive.sum())
    far = np.abs(time) >= MAX_EPOCH_S
    time[far] = np.nan

    coords = pd.Series(pm.coords, dtype=object)
    no_coord = (coords.isna() | (coords.astype(str).str.strip() == "")).to_numpy(dtype=bool)
    parts = coords.str.extract(_COORD_RE)
    lon, lon_bad = _num(parts["lon"])
    lat, lat_bad = _num(parts["lat"])
    alt_m, alt_bad = _num(parts["alt"])
    fatal = [
        (no_when, "Placemark has no TimeStamp/when"),
        (~no_when & np.isnan(time) & ~far, "TimeStamp/when is not an ISO 8601 date-time"),
        (far, "TimeStamp/when is outside the years 1678–2261"),
        (no_coord, "Placemark has no Point/coordinates"),
        (~no_coord & parts["lon"].isna().to_numpy(), 'Point/coordinates is not "lon,lat,alt"'),
        (lon_bad, "Point/coordinates longitude is not a number"),
        (lat_bad, "Point/coordinates latitude is not a number"),
    ]
    if pm.too_long:
        long_text = np.zeros(n, dtype=bool)
        long_text[pm.too_long] = True
        fatal = [(m & ~long_text, r) for m, r in fatal]
        fatal.append((long_text, f"Placemark holds a text longer than {mb(pm.max_text)} (limit string_bytes)"))
    desc = pd.Series(pm.descs, dtype=object)
    gs, _ = _num(desc.str.extract(_SPEED_RE, expand=False))
    track, _ = _num(desc.str.extract(_HEADING_RE, expand=False))
    alt, on_ground, odd = _ground(alt_m * FT_PER_M, gs)
    stats["odd_zero"] += int(odd.sum())
    columns: dict[str, Any] = {
        "icao24": np.full(n, hexid, dtype=object),
        "time": time,
        "lat": lat,
        "lon": lon,
        "alt_ft": alt,
        "on_ground": on_ground,
        "gs_kt": gs,
        "track_deg": track,
        "callsign": np.full(n, meta.get("callsign"), dtype=object),
        "registration": np.full(n, meta.get("registration"), dtype=object),
        "typecode": np.full(n, meta.get("typecode"), dtype=object),
    }
    chunk = _assemble(
        columns,
        np.asarray(pm.rows, dtype=np.int64),
        pm.raw,
        fatal,
        [(alt_bad, "Point/coordinates altitude is not a number")],
        [],
    )
    if hexid is None:
        return _without_address(chunk, _no_address_reason("FR24 KML"))
    return chunk


def _document_meta(name: str | None, card: str | None, ctx: ReadContext) -> dict[str, str | None]:
    """Callsign from ``"flight/callsign"``; registration and type from the HTML card."""
    meta: dict[str, str | None] = {"callsign": None, "registration": None, "typecode": None}
    for what, text in (("name", name), ("description", card)):
        if text is not None and len(text) > ctx.size.string_bytes:
            ctx.notes.append(f"Document {what} longer than {mb(ctx.size.string_bytes)} (limit string_bytes): not read")
    name = name if name is None or len(name) <= ctx.size.string_bytes else None
    card = card if card is None or len(card) <= ctx.size.string_bytes else None
    if name is not None:
        flight, slash, callsign = name.strip().partition("/")
        if slash and callsign.strip():
            meta["callsign"] = callsign.strip()
        else:
            ctx.notes.append(f"Document name {name.strip()[:40]!r} has no '/<callsign>': callsign not set")
    if card:
        m = _CARD_REG.search(card)
        if m:
            meta["registration"] = m.group(1)
        m = _CARD_TYPE.search(card)
        if m:
            meta["typecode"] = m.group(1)
    return meta


def read_kml(stream: BinaryIO, ctx: ReadContext) -> Iterator[RawChunk]:
    """Read an FR24 KML export (the ``Route`` folder only).

    Parameters
    ----------
    stream
        The decompressed content.
    ctx
        Reader context (``src_file`` and ``icao24`` give the ICAO address).

    Yields
    ------
    RawChunk
        One chunk per ``ctx.chunk_rows`` placemarks.

    Raises
    ------
    FormatError
        For a DTD, XML that is not well-formed (after the placemarks before
        the fault were yielded), or a KML without a ``Route`` folder.
    """
    hexid = _resolve_hex(ctx, "FR24 KML")
    stats = {"odd_zero": 0, "naive": 0}
    local = _LocalNames()
    pm = _Placemarks(local, ctx.size.string_bytes)
    stack: list[ET.Element] = []  # open elements outside placemarks
    folders: list[str | None] = []  # names of the open folders
    inside = 0  # depth inside the current Placemark (its children need no bookkeeping)
    route_index = 0
    seen_route = False
    doc_name: str | None = None
    doc_card: str | None = None
    meta: dict[str, str | None] | None = None
    try:
        try:
            whole = BoundedReader(stream, ctx.size.document_bytes, "KML document")
            for event, elem in ET.iterparse(_PrologGuard(whole), events=("start", "end")):  # type: ignore[arg-type]  # noqa: S314 - DTDs refused above
                if inside:
                    inside += 1 if event == "start" else -1
                    if inside:
                        continue
                kind = local[elem.tag]
                if event == "start":
                    stack.append(elem)
                    if kind == "Placemark":
                        inside = 1
                    elif kind == "Folder":
                        folders.append(None)
                    continue
                stack.pop()
                parent = local[stack[-1].tag] if stack else ""
                if kind == "Placemark":
                    if folders and folders[-1] == "Route":
                        pm.add(route_index, elem)
                        route_index += 1
                        if len(pm) >= ctx.chunk_rows:
                            meta = meta or _document_meta(doc_name, doc_card, ctx)
                            yield _kml_chunk(pm, meta, hexid, stats)
                            pm = _Placemarks(local, ctx.size.string_bytes)
                elif kind == "name":
                    if parent == "Folder" and folders:
                        folders[-1] = (elem.text or "").strip()
                        seen_route |= folders[-1] == "Route"
                    elif parent == "Document" and doc_name is None:
                        doc_name = elem.text or ""
                elif kind == "description" and parent == "Document" and doc_card is None:
                    doc_card = elem.text or ""
                elif kind == "Folder" and folders:
                    folders.pop()
                if parent in ("kml", "Document", "Folder"):
                    elem.clear()
                    stack[-1].remove(elem)
        except ET.ParseError as exc:
            if len(pm):
                yield _kml_chunk(pm, meta or _document_meta(doc_name, doc_card, ctx), hexid, stats)
            raise FormatError(f"KML is not well-formed XML ({exc})") from exc
        except LimitExceeded:
            if len(pm):
                yield _kml_chunk(pm, meta or _document_meta(doc_name, doc_card, ctx), hexid, stats)
            raise
        except LookupError as exc:  # the XML declaration names an encoding Python does not know
            if len(pm):
                yield _kml_chunk(pm, meta or _document_meta(doc_name, doc_card, ctx), hexid, stats)
            raise FormatError(f"KML declares an unknown character encoding ({exc})") from exc
        if not seen_route:
            raise FormatError("KML without a Folder named 'Route': not a FlightRadar24 KML export")
        if len(pm):
            yield _kml_chunk(pm, meta or _document_meta(doc_name, doc_card, ctx), hexid, stats)
    finally:
        if stats["odd_zero"]:
            ctx.notes.append(_GROUND_NOTE.format(n=stats["odd_zero"], kt=GROUND_MAX_KT))
        if stats["naive"]:
            ctx.notes.append(f"{stats['naive']} TimeStamp/when value(s) without a time zone taken as UTC")


# ---------------------------------------------------------------------------
# flight-playback JSON


def _dig(obj: Any, *keys: str) -> Any:
    for k in keys:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(k)
    return obj


def _match_playback(obj: Any) -> bool:
    return isinstance(_dig(obj, "result", "response", "data", "flight", "track"), list)


def _nested(df: pd.DataFrame, key: str, sub: str | None) -> list[Any]:
    """Column ``key`` of the track frame; ``sub`` picks a member of nested objects."""
    if key not in df.columns:
        return [None] * len(df)
    col = df[key]
    if sub is None:
        return col.tolist()
    is_dict = np.fromiter(map(isinstance, col, repeat(dict)), dtype=bool, count=len(col))
    if not is_dict.any():
        return col.tolist()
    out = col.to_numpy(dtype=object, copy=True)
    out[is_dict] = col[is_dict].str.get(sub).to_numpy(dtype=object)
    return out.tolist()


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def read_playback(obj: dict[str, Any], ctx: ReadContext) -> Iterator[RawChunk]:
    """Read a parsed FR24 flight-playback document.

    Parameters
    ----------
    obj
        The parsed JSON (``result.response.data.flight``).
    ctx
        Reader context.

    Yields
    ------
    RawChunk
        One chunk for the flight's track.
    """
    flight = _dig(obj, "result", "response", "data", "flight")
    track = _dig(flight, "track")
    if not isinstance(track, list):
        raise FormatError("FR24 playback JSON whose result.response.data.flight.track is not an array")
    notice = _dig(obj, "_api", "copyright")
    if isinstance(notice, str) and notice.strip():
        ctx.notes.append(f"the document states: {notice.strip()[:200]}")
    modes = _str_or_none(_dig(flight, "aircraft", "identification", "modes"))
    hexid = modes.strip() if modes else _resolve_hex(ctx, "FR24 playback JSON")
    callsign = _str_or_none(_dig(flight, "identification", "callsign"))
    registration = _str_or_none(_dig(flight, "aircraft", "identification", "registration"))
    typecode = _str_or_none(_dig(flight, "aircraft", "model", "code"))

    n_all = len(track)
    is_obj = np.fromiter(map(isinstance, track, repeat(dict)), dtype=bool, count=n_all)
    bad_rows = [
        (int(i), "track point is not an object", orjson.dumps(track[i], default=str).decode()) for i in np.flatnonzero(~is_obj)
    ]
    rows = np.flatnonzero(is_obj)
    pts = track if len(rows) == n_all else [track[i] for i in rows]
    n = len(pts)
    if n == 0:
        yield RawChunk.only_quarantine(bad_rows)
        return
    df = pd.DataFrame.from_records(pts) if any(pts) else pd.DataFrame(index=range(n))

    t, t_bad = _json_num(_nested(df, "timestamp", None))
    lat, lat_bad = _json_num(_nested(df, "latitude", None))
    lon, lon_bad = _json_num(_nested(df, "longitude", None))
    alt_raw, alt_bad = _json_num(_nested(df, "altitude", "feet"))
    gs, gs_bad = _json_num(_nested(df, "speed", "kts"))
    vrate, vr_bad = _json_num(_nested(df, "verticalSpeed", "fpm"))
    track_deg, trk_bad = _json_num(_nested(df, "heading", None))
    far = np.abs(t) >= MAX_EPOCH_S
    t[far] = np.nan
    sq = pd.Series(_nested(df, "squawk", None), dtype=object)
    is_str = np.fromiter(map(isinstance, sq, repeat(str)), dtype=bool, count=n)
    squawk = sq.where(is_str & (sq.astype(str).str.strip() != "0"), None).to_numpy(dtype=object)
    alt, on_ground, odd = _ground(alt_raw, gs)
    if odd.any():
        ctx.notes.append(_GROUND_NOTE.format(n=int(odd.sum()), kt=GROUND_MAX_KT))

    def raw(idx: np.ndarray) -> list[str]:
        return [orjson.dumps(pts[int(i)], default=str).decode() for i in idx]

    columns: dict[str, Any] = {
        "icao24": np.full(n, hexid, dtype=object),
        "time": t,
        "lat": lat,
        "lon": lon,
        "alt_ft": alt,
        "on_ground": on_ground,
        "gs_kt": gs,
        "track_deg": track_deg,
        "vrate_fpm": vrate,
        "callsign": np.full(n, callsign, dtype=object),
        "squawk": squawk,
        "registration": np.full(n, registration, dtype=object),
        "typecode": np.full(n, typecode, dtype=object),
    }
    fatal = [
        (t_bad, "timestamp is not a number"),
        (far, "timestamp is outside the years 1678–2261 (milliseconds instead of seconds?)"),
        (lat_bad, "latitude is not a number"),
        (lon_bad, "longitude is not a number"),
    ]
    problems = [
        (alt_bad, "altitude.feet is not a number"),
        (gs_bad, "speed.kts is not a number"),
        (vr_bad, "verticalSpeed.fpm is not a number"),
        (trk_bad, "heading is not a number"),
    ]
    chunk = _assemble(columns, rows.astype(np.int64), raw, fatal, problems, bad_rows)
    if hexid is None:
        chunk = _without_address(chunk, _no_address_reason("FR24 playback JSON"))
    yield chunk


SPECS: tuple[ReaderSpec, ...] = (
    ReaderSpec(
        name="fr24_json",
        kind="json",
        func=read_playback,
        description="FlightRadar24 flight-playback JSON (result.response.data.flight.track)",
        match=_match_playback,
    ),
    ReaderSpec(
        name="fr24_csv",
        kind="stream",
        func=read_csv,
        description="FlightRadar24 CSV export (Timestamp,UTC,Callsign,Position,Altitude,Speed,Direction; hex from the file name or icao24=)",
        sniff=_sniff_csv,
    ),
    ReaderSpec(
        name="fr24_kml",
        kind="stream",
        func=read_kml,
        description="FlightRadar24 KML export (Route folder; hex from the file name or icao24=)",
        sniff=_sniff_kml,
    ),
)
