"""readsb / tar1090 / adsb.lol / ADS-B Exchange trace files.

``trace_full_<hex>.json`` and ``trace_recent_<hex>.json`` as written by
readsb's ``generateTraceJson`` (formats.md §1): a JSON object with ``icao``,
optional ``r`` (registration), ``t`` (type), ``dbFlags`` (bit 1 = military),
a reference ``timestamp`` (s) and ``trace``, an array of points::

    [dt, lat, lon, alt, gs, track, flags, vrate, details, type, geom_alt, geom_rate, ias, roll(, rId)]

Absolute time is ``timestamp + dt``. ``alt`` is feet or the string
``"ground"`` (→ ``on_ground=True``); when readsb had no barometric altitude
it writes the geometric one and sets flag 8, and that value is kept in
``alt_ft``. Flag 1 is "stale", flag 2 "new leg" (readsb's heuristic, a hint).
``details`` objects appear on some points only; their ``flight`` (callsign)
and ``squawk`` are carried forward. ``type`` (``adsb_icao``, ``mlat`` …)
gives ``position_source``. Files from before 2022 have 8–9 element points
without ``type``. Files are gzip even when named ``.json``; the dispatcher
decompresses by magic bytes.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from operator import itemgetter
from typing import Any

import numpy as np
import orjson
import pandas as pd
import pyarrow as pa

from flighttrace.io._base import FormatError, RawChunk, ReadContext, ReaderSpec
from flighttrace.io.jsonrecords import booleans_among
from flighttrace.schema import POSITION_SOURCES

__all__ = ["read_trace", "SPECS", "SOURCE_TYPES"]

SOURCE_TYPES: dict[str, str] = {
    "adsb_icao": "adsb",
    "adsb_icao_nt": "adsb",
    "adsr_icao": "adsb",
    "adsb_other": "adsb",
    "adsr_other": "adsb",
    "adsc": "other",
    "mlat": "mlat",
    "tisb_icao": "other",
    "tisb_other": "other",
    "tisb_trackfile": "other",
    "mode_s": "other",
    "other": "other",
    "unknown": "unknown",
}
"""readsb source-type strings (formats.md §1.5, idx 9) → ``position_source``."""


def _match(obj: Any) -> bool:
    return isinstance(obj, dict) and "trace" in obj and ("timestamp" in obj or "icao" in obj)


def _to_float(col: Any, booleans: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Column of JSON values → (float64, mask of present non-numbers, mask of ``true`` / ``false``).

    ``None`` becomes NaN in numpy's own C conversion; only a column holding
    something else (a string, an object) takes the slower per-value path.
    A JSON boolean is never a number: it is NaN here, with its own mask
    (looked for only when ``booleans``: the document may hold some).
    """
    try:
        num = np.array(col, dtype=np.float64)
        if num.shape != (len(col),):
            raise ValueError("nested arrays are not numbers")
        bad = np.zeros(len(col), dtype=bool)
    except (TypeError, ValueError, OverflowError):
        ser = pd.Series(np.array(col, dtype=object), dtype=object)
        kinds = ser.map(type)
        scalar = kinds.isin([int, float, str]).to_numpy()
        num = pd.to_numeric(ser.where(scalar, None), errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan, copy=True)
        bad = ser.notna().to_numpy() & np.isnan(num) & ~(kinds == bool).to_numpy()  # noqa: E721 - elementwise, on a Series of types
    bools = booleans_among(col, num) if booleans else np.zeros(len(num), dtype=bool)
    if bools.any():
        num = num.copy()
        num[bools] = np.nan
    return num, bad, bools


def _altitude(col: Sequence[Any], booleans: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The ``alt`` column → (feet as float64, ``"ground"`` mask, mask of present non-numbers, booleans included)."""
    if "ground" not in col:  # a scan in C: no object array to compare when no point is on the ground
        alt, bad, bools = _to_float(col, booleans)
        return alt, np.zeros(len(alt), dtype=bool), bad | bools
    obj = np.array(col, dtype=object)
    ground = obj == "ground"
    obj[ground] = None
    alt, bad, bools = _to_float(obj, booleans)
    return alt, ground, bad | bools


def _dictionary(codes: np.ndarray, values: Any) -> pa.DictionaryArray:
    """A dictionary array from int codes (-1 = missing) and its distinct values."""
    idx = codes.astype(np.int32, copy=False)
    missing = idx < 0
    indices = pa.array(idx, mask=missing) if missing.any() else pa.array(idx)
    return pa.DictionaryArray.from_arrays(indices, pa.array(values, type=pa.string()))


def _constant(value: Any, n: int) -> pa.DictionaryArray:
    """One string (or missing) for every row, without an object per row."""
    if not isinstance(value, str):
        return _dictionary(np.full(n, -1, dtype=np.int32), [])
    return _dictionary(np.zeros(n, dtype=np.int32), [value])


def _carry(dets: list[dict[str, Any]], idx: np.ndarray, key: str, n: int) -> pa.DictionaryArray:
    """Carry ``details[key]`` forward from the points that have a details object.

    Only the details objects are looked at (``dets``, those of the points
    ``idx``: a small share of the points); the forward fill works on integer
    codes, so no object is made per point. A details object without the key
    (or with ``null``) does not reset the value; points before the first
    value have none.
    """
    if len(idx) == 0:
        return _dictionary(np.full(n, -1, dtype=np.int32), [])
    vals = list(map(dict.get, dets, itertools.repeat(key)))
    # distinct values in order of appearance (a non-string is kept as its text; the framework strips and checks strings)
    try:
        uniq = list(dict.fromkeys(vals))
    except TypeError:  # an unhashable value (a hostile file): compare texts instead
        vals = [None if v is None else str(v) for v in vals]
        uniq = list(dict.fromkeys(vals))
    lookup = {v: (-1 if v is None else i) for i, v in enumerate(u for u in uniq if u is not None)}
    lookup[None] = -1
    small = np.fromiter(map(lookup.__getitem__, vals), dtype=np.int64, count=len(vals))
    present = small >= 0
    if not present.any():
        return _dictionary(np.full(n, -1, dtype=np.int32), [])
    at = idx[present]
    pos = np.full(n, -1, dtype=np.int64)
    pos[at] = np.arange(len(at))
    np.maximum.accumulate(pos, out=pos)
    filled = np.where(pos >= 0, small[present][np.maximum(pos, 0)], -1)
    values = [u if isinstance(u, str) else str(u) for u in uniq if u is not None]
    return _dictionary(filled, values)


_UNKNOWN_SOURCE: int = POSITION_SOURCES.index("unknown")


class _SourceCodes(dict[Any, int]):
    """Source-type value → code of :data:`POSITION_SOURCES`, each distinct value worked out on first sight."""

    def __missing__(self, v: Any) -> int:
        code = _UNKNOWN_SOURCE if v is None else POSITION_SOURCES.index(SOURCE_TYPES.get(str(v), "other"))
        self[v] = code
        return code


_KNOWN_SOURCE_CODES: dict[Any, int] = {None: _UNKNOWN_SOURCE, **{k: POSITION_SOURCES.index(v) for k, v in SOURCE_TYPES.items()}}
"""The codes of the source types readsb writes (and ``null``), as :class:`_SourceCodes` works them out."""


def _source_codes(values: Sequence[Any]) -> np.ndarray:
    """readsb source-type strings → codes of :data:`POSITION_SOURCES` (``null`` → unknown, any other value → other).

    A trace holds a handful of distinct source types: each is looked up once
    and the points are mapped through a dict in C, in one pass.
    """
    try:
        return np.fromiter(map(_KNOWN_SOURCE_CODES.__getitem__, values), dtype=np.int8, count=len(values))  # a plain dict's lookup, in C
    except (KeyError, TypeError):  # a value readsb does not write (or a hostile file's): the general path below
        pass
    try:
        return np.fromiter(map(_SourceCodes().__getitem__, values), dtype=np.int8, count=len(values))
    except TypeError:  # an unhashable value (a hostile file)
        values = [v if v is None or isinstance(v, str) else str(v) for v in values]
        return np.fromiter(map(_SourceCodes().__getitem__, values), dtype=np.int8, count=len(values))


_N_COLS = 10
"""Point elements the reader uses: offset … source type (the rest are not in the Points table)."""


def _columns(pts: list[Any], lens: np.ndarray) -> list[Sequence[Any]]:
    """The first :data:`_N_COLS` elements of every point, column by column (``None`` where a point is short).

    When every point has them, the columns are the first :data:`_N_COLS` of
    ``zip(*points)``, transposed in C (the later elements are never
    gathered); only files whose points are shorter than :data:`_N_COLS` for
    some points (the 8–9-element points of old files, or a mix) pad with
    ``None``.
    """
    n = len(pts)
    shortest = int(lens.min())
    if shortest >= _N_COLS:
        return list(itertools.islice(zip(*pts, strict=False), _N_COLS))  # points longer than the shortest: extras unused
    cols: list[Sequence[Any]]
    if shortest == int(lens.max()):
        cols = [list(map(itemgetter(i), pts)) for i in range(shortest)]
    else:
        cols = [list(c) for c in itertools.islice(itertools.zip_longest(*pts, fillvalue=None), _N_COLS)]
    return cols + [[None] * n for _ in range(_N_COLS - len(cols))]


def read_trace(obj: dict[str, Any], ctx: ReadContext) -> Iterator[RawChunk]:
    """Read a parsed readsb trace document.

    Parameters
    ----------
    obj
        The parsed JSON object.
    ctx
        Reader context.

    Yields
    ------
    RawChunk
        One chunk for the whole trace (trace files hold one aircraft-day).
    """
    ts = obj.get("timestamp")
    if isinstance(ts, bool) or not isinstance(ts, (int, float)):
        raise FormatError(f"readsb trace without a numeric 'timestamp' (found {ts!r:.40})")
    trace = obj.get("trace")
    if not isinstance(trace, list):
        raise FormatError(f"readsb trace whose 'trace' is not an array (found {type(trace).__name__})")
    n_all = len(trace)
    if n_all == 0:
        yield RawChunk.only_quarantine([])
        return
    lens = _point_lengths(trace)
    ok = lens >= 8
    bad_rows = [
        (int(i), "trace point is not an array of at least 8 values", orjson.dumps(trace[i], default=str).decode())
        for i in np.flatnonzero(~ok)
    ]
    rows = np.flatnonzero(ok)
    pts = trace if len(rows) == n_all else [trace[i] for i in rows]
    n = len(pts)
    if n == 0:
        yield RawChunk.only_quarantine(bad_rows)
        return
    columns, problems = _point_columns(_columns(pts, lens[rows]), n, ctx.json_booleans)
    columns["time"] = float(ts) + columns["time"]  # the offsets, made absolute
    columns.update(_aircraft_columns(obj, n))

    def raw(idx: np.ndarray) -> list[str]:
        return [orjson.dumps(pts[int(i)], default=str).decode() for i in idx]

    yield RawChunk(columns=columns, src_row=rows.astype(np.int64), raw=raw, quarantine=bad_rows, problems=problems)


def _point_lengths(trace: list[Any]) -> np.ndarray:
    """How many elements each point has (0 for a point that is not an array)."""
    n_all = len(trace)
    if set(map(type, trace)) == {list}:  # every point an array: the common case
        return np.fromiter(map(len, trace), dtype=np.int64, count=n_all)
    is_list = np.fromiter(map(type, trace), dtype=object, count=n_all) == list  # noqa: E721 - elementwise, on an array of types
    lens = np.zeros(n_all, dtype=np.int64)
    lens[is_list] = np.fromiter(map(len, itertools.compress(trace, is_list)), dtype=np.int64, count=int(is_list.sum()))
    return lens


def _point_columns(cols: list[Sequence[Any]], n: int, booleans: bool) -> tuple[dict[str, Any], list[tuple[np.ndarray, str]]]:
    """The Points columns the trace's points give (``time`` still the offset, s), and the reader's problems.

    ``booleans``: the document holds ``true`` or ``false`` somewhere (only then are they looked for among the numbers).
    """
    problems: list[tuple[np.ndarray, str]] = []

    def number(i: int, what: str) -> np.ndarray:
        v, bad, bools = _to_float(cols[i], booleans)
        if bad.any():
            problems.append((bad, f"{what} is not a number"))
        if bools.any():
            problems.append((bools, f"{what} is true or false, not a number"))
        return v

    dt = number(0, "time offset")
    lat = number(1, "lat")
    lon = number(2, "lon")
    alt, ground, bad = _altitude(cols[3], booleans)
    if bad.any():
        problems.append((bad, 'alt is neither a number nor "ground"'))
    gs = number(4, "gs")
    track = number(5, "track")
    flags_f = number(6, "flags")
    # flags are a small bitfield: anything else (inf, negative, huge) carries no flag bits
    with np.errstate(invalid="ignore"):
        flags_ok = np.isfinite(flags_f) & (flags_f >= 0) & (flags_f < 2**16)
    flags = np.where(flags_ok, flags_f, 0).astype(np.int64)
    vrate = number(7, "vertical rate")
    details = cols[8]
    has = np.flatnonzero(np.fromiter(map(isinstance, details, itertools.repeat(dict)), dtype=bool, count=n))
    dets = list(map(details.__getitem__, has.tolist()))  # the details objects, looked up once for both fields
    columns: dict[str, Any] = {
        "time": dt,
        "lat": lat,
        "lon": lon,
        "alt_ft": alt,
        "on_ground": np.where(ground, 1.0, np.where(np.isnan(alt), np.nan, 0.0)),
        "gs_kt": gs,
        "track_deg": track,
        "vrate_fpm": vrate,
        "callsign": _carry(dets, has, "flight", n),
        "squawk": _carry(dets, has, "squawk", n),
        "position_source": pa.DictionaryArray.from_arrays(pa.array(_source_codes(cols[9])), pa.array(list(POSITION_SOURCES))),
        "stale": (flags & 1).astype(bool),
        "new_leg": (flags & 2).astype(bool),
    }
    return columns, problems


def _aircraft_columns(obj: dict[str, Any], n: int) -> dict[str, Any]:
    """The columns the document gives once for every point: address, registration, type and the military flag."""
    icao, db = obj.get("icao"), obj.get("dbFlags")
    return {
        "icao24": _constant(icao if isinstance(icao, str) else None, n),
        "registration": _constant(obj.get("r"), n),
        "typecode": _constant(obj.get("t"), n),
        "military": np.full(n, bool(db & 1), dtype=bool) if isinstance(db, int) and not isinstance(db, bool) else None,
    }


SPECS = (
    ReaderSpec(
        name="readsb_trace",
        kind="json",
        func=read_trace,
        description="readsb / tar1090 / adsb.lol / ADS-B Exchange trace_full / trace_recent JSON (gzip or plain)",
        match=_match,
    ),
)
