"""OpenSky Network: historical state vectors (CSV, Parquet) and REST JSON.

Four formats (formats.md §3):

``opensky_csv``
    The historical ``state_vectors_data4`` table exported as CSV (§3.2):
    ``time, icao24, lat, lon, velocity, heading, vertrate, callsign,
    onground, alert, spi, squawk, baroaltitude, geoaltitude, lastposupdate,
    lastcontact, serials, hour`` in SI units (m, m/s), converted here to ft,
    kt and ft/min. ``heading`` is the track over ground. The same rows as
    exported by pyopensky / traffic (``timestamp, icao24, latitude,
    longitude, groundspeed, track, vertical_rate, callsign, onground, alert,
    spi, squawk, altitude, geoaltitude, last_position, lastseen, hour``) are
    already in ft, kt and ft/min and are not converted. Units are decided
    per column by its name, and the manifest notes say which variant was
    read. Rows persist up to 300 s after coverage is lost, so a row is
    ``stale`` when its position or its last contact is more than
    :data:`STALE_AFTER_S` older than its ``time``.
``opensky_parquet``
    The same columns in a Parquet file; ``time`` may be integer seconds or an
    Arrow timestamp.
``opensky_states``
    REST ``/states/all``: ``{"time": …, "states": [[icao24, callsign,
    origin_country, time_position, last_contact, lon, lat, baro_altitude,
    on_ground, velocity, true_track, vertical_rate, sensors, geo_altitude,
    squawk, spi, position_source(, category)], …]}``. **Longitude comes
    before latitude.** The time of a point is ``time_position``.
``opensky_tracks``
    REST ``/tracks/all``: ``{"icao24", "startTime", "endTime", "callsign",
    "path": [[time, latitude, longitude, baro_altitude, true_track,
    on_ground], …]}``. **Latitude comes before longitude** here. The
    documentation's misspelled ``calllsign`` is accepted too.

State vectors do not say how a position was obtained, so
``position_source`` is ``"unknown"`` unless a ``position_source`` column or
field (0 ADS-B, 1 ASTERIX, 2 MLAT, 3 FLARM) is present.

The REST JSON readers are in :mod:`flighttrace.io.opensky_json`. The
simulator's writers for all four formats are in
:mod:`flighttrace.sim.writers.opensky`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO, Final

import numpy as np
import orjson
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from flighttrace.io._base import FormatError, RawChunk, ReadContext, ReaderSpec
from flighttrace.io.csvfast import CODED, FastCsv
from flighttrace.io.csvstream import UTF8_REASON, CsvStream

__all__ = [
    "FT_PER_M",
    "KT_PER_MPS",
    "FPM_PER_MPS",
    "STALE_AFTER_S",
    "CSV_BLOCK_BYTES",
    "FAST_CSV",
    "STATE_VECTOR_COLUMNS",
    "PYOPENSKY_COLUMNS",
    "POSITION_SOURCE_CODES",
    "read_state_vectors_csv",
    "read_state_vectors_parquet",
    "state_vector_names",
    "SPECS",
]

FT_PER_M: Final = 1.0 / 0.3048
"""Feet per metre (the international foot is exactly 0.3048 m)."""
KT_PER_MPS: Final = 3600.0 / 1852.0
"""Knots per metre per second (the nautical mile is exactly 1,852 m)."""
FPM_PER_MPS: Final = 60.0 / 0.3048
"""Feet per minute per metre per second."""
STALE_AFTER_S: Final = 15.0
"""A position or contact older than this (s) at the row's time makes the row stale."""
CSV_BLOCK_BYTES: int = 8 << 20
"""Bytes of CSV parsed per block; a file is never held whole. A block of broken rows, each judged as text, takes about
45 times its size in memory while it is converted (5,000,000 broken rows peaked at 979 MB with 16 MB blocks, 612 MB with
8 MB, 427 MB with 4 MB); clean files read as fast with 8 MB as with 16 MB, 3-4 % slower with 4 MB. Tests shrink it."""
FAST_CSV: bool = True
"""Read plain CSV blocks on the multithreaded fast path (:mod:`flighttrace.io.csvfast`); tests turn it off to compare."""

STATE_VECTOR_COLUMNS: Final[tuple[str, ...]] = (
    "time", "icao24", "lat", "lon", "velocity", "heading", "vertrate", "callsign", "onground",
    "alert", "spi", "squawk", "baroaltitude", "geoaltitude", "lastposupdate", "lastcontact", "serials", "hour",
)
"""Columns of ``state_vectors_data4`` in table order (SI units)."""
PYOPENSKY_COLUMNS: Final[tuple[str, ...]] = (
    "timestamp", "icao24", "latitude", "longitude", "groundspeed", "track", "vertical_rate", "callsign", "onground",
    "alert", "spi", "squawk", "altitude", "geoaltitude", "last_position", "lastseen", "hour",
)
"""Columns of a pyopensky / traffic history export (ft, kt, ft/min)."""
POSITION_SOURCE_CODES: Final[dict[int, str]] = {0: "adsb", 1: "other", 2: "mlat", 3: "other"}
"""OpenSky ``position_source`` (0 ADS-B, 1 ASTERIX, 2 MLAT, 3 FLARM) → ``position_source``."""

_SOURCE_LUT: Final = np.array([POSITION_SOURCE_CODES[k] for k in range(4)] + ["unknown"], dtype=object)
"""``position_source`` by code 0–3, then "unknown" for anything else (index 4)."""
_MAX_REASONS: Final = 20
"""Distinct bad values named one by one per column and chunk; the rest share one reason."""
_TRUE: Final = pa.array(["true", "t", "1", "1.0", "yes", "y"])
_FALSE: Final = pa.array(["false", "f", "0", "0.0", "no", "n"])

# ---------------------------------------------------------------------------
# column layout (CSV and Parquet)

# Points field (or helper field) → candidate source columns with their factor to
# flighttrace units, in order of preference (state_vectors_data4 name first).
_FIELDS: Final[dict[str, tuple[tuple[str, float], ...]]] = {
    "time": (("time", 1.0), ("timestamp", 1.0)),
    "icao24": (("icao24", 1.0),),
    "lat": (("lat", 1.0), ("latitude", 1.0)),
    "lon": (("lon", 1.0), ("longitude", 1.0)),
    "alt_ft": (("baroaltitude", FT_PER_M), ("altitude", 1.0)),
    "gs_kt": (("velocity", KT_PER_MPS), ("groundspeed", 1.0)),
    "track_deg": (("heading", 1.0), ("track", 1.0)),
    "vrate_fpm": (("vertrate", FPM_PER_MPS), ("vertical_rate", 1.0)),
    "callsign": (("callsign", 1.0),),
    "on_ground": (("onground", 1.0),),
    "squawk": (("squawk", 1.0),),
    "position_source": (("position_source", 1.0),),
    "lastposupdate": (("lastposupdate", 1.0), ("last_position", 1.0)),
    "lastcontact": (("lastcontact", 1.0), ("lastseen", 1.0)),
}
_REQUIRED: Final = ("time", "icao24", "lat", "lon")
_FLOAT_FIELDS: Final = ("time", "lat", "lon", "alt_ft", "gs_kt", "track_deg", "vrate_fpm", "lastposupdate", "lastcontact")
"""Fields whose CSV columns the fast path parses as float64 (the robust path casts their text the same way)."""
_CODED_FIELDS: Final = ("icao24", "callsign", "squawk", "on_ground")
"""Text fields whose CSV columns the fast path parses dictionary-encoded (the normaliser encodes their text the same way)."""
_SI_ONLY: Final = frozenset(STATE_VECTOR_COLUMNS) - frozenset(PYOPENSKY_COLUMNS)
_PYOPENSKY_ONLY: Final = frozenset(PYOPENSKY_COLUMNS) - frozenset(STATE_VECTOR_COLUMNS)
_UNIT_NAMES: Final = {FT_PER_M: "m→ft", KT_PER_MPS: "m/s→kt", FPM_PER_MPS: "m/s→ft/min"}


def _clean_name(name: str) -> str:
    return name.strip().strip('"').strip().lstrip("\ufeff").lower()


@dataclass(frozen=True)
class _Layout:
    """Where each field sits in a table and how to convert it.

    Parameters
    ----------
    cols
        Field → (column index, source column name, factor to flighttrace units).
    variant
        ``"state_vectors_data4"``, ``"pyopensky"`` or ``"mixed"``.
    note
        What the manifest notes say about the columns and their units.
    """

    cols: dict[str, tuple[int, str, float]]
    variant: str
    note: str


def _layout(names: Sequence[str], what: str, first_line: str) -> _Layout:
    """Map a header to fields; raise :class:`FormatError` when it is not OpenSky's.

    Parameters
    ----------
    names
        Column names as found (any case).
    what
        ``"CSV"`` or ``"Parquet"``, for messages.
    first_line
        The header as found, quoted in the message when nothing is recognised.

    Returns
    -------
    _Layout

    Notes
    -----
    A header is taken for OpenSky's when it names ``icao24`` or at least two
    of the time, latitude and longitude columns; otherwise the message lists
    the expected columns and quotes the first line.
    """
    clean = [_clean_name(n) for n in names]
    core = sum(bool(set(clean) & {src for src, _ in _FIELDS[f]}) for f in _REQUIRED)
    if "icao24" not in clean and core < 2:
        raise FormatError(
            f"no OpenSky header: expected columns {', '.join(STATE_VECTOR_COLUMNS)} "
            f"(or pyopensky's {', '.join(PYOPENSKY_COLUMNS)}); first line was {first_line[:120]!r}"
        )
    # traffic's frames name pyopensky's columns and may add the aircraft's own "heading" (a Comm-B reply), which is not
    # state_vectors_data4's "heading" (the track angle): with pyopensky's time column, pyopensky's names come first
    py_named = "timestamp" in clean and "time" not in clean
    si = bool(_SI_ONLY.intersection(clean) - ({"heading"} if py_named else set()))
    py = bool(_PYOPENSKY_ONLY.intersection(clean))
    variant = "mixed" if si and py else "pyopensky" if py else "state_vectors_data4"
    position = {n: i for i, n in reversed(list(enumerate(clean)))}  # first occurrence wins
    cols: dict[str, tuple[int, str, float]] = {}
    for field_name, named in _FIELDS.items():
        candidates = named[::-1] if py_named else named
        for src, factor in candidates:
            if src in position:
                cols[field_name] = (position[src], src, factor)
                break
    missing = [f for f in _REQUIRED if f not in cols]
    if missing:
        pick = 1 if variant == "pyopensky" else 0
        label = [_FIELDS[f][min(pick, len(_FIELDS[f]) - 1)][0] for f in missing]
        raise FormatError(f"OpenSky {what} header lacks column(s): {', '.join(label)}")
    converted = [f"{src} {_UNIT_NAMES[factor]}" for _, src, factor in cols.values() if factor != 1.0]
    kept = [src for f, (_, src, factor) in cols.items() if factor == 1.0 and f in ("alt_ft", "gs_kt", "vrate_fpm")]
    if variant == "state_vectors_data4":
        note = "OpenSky state_vectors_data4 columns in SI units"
    elif variant == "pyopensky":
        note = "pyopensky/traffic history columns, already in ft, kt and ft/min"
    else:
        note = "OpenSky columns with both state_vectors_data4 and pyopensky names"
    parts = []
    if converted:
        parts.append("converted " + ", ".join(converted))
    if kept:
        parts.append("taken as ft, kt, ft/min: " + ", ".join(kept))
    if parts:
        note += " (" + "; ".join(parts) + ")"
    return _Layout(cols=cols, variant=variant, note=note)


# ---------------------------------------------------------------------------
# vectorised conversions of Arrow columns


def _value_problems(values: np.ndarray, bad: np.ndarray, label: str, what: str) -> list[tuple[np.ndarray, str]]:
    """One ``(mask, reason)`` per distinct bad value, naming it; the rest share a reason.

    Parameters
    ----------
    values
        Object array of the values as found.
    bad
        Rows whose value is present but unusable.
    label
        Source column name.
    what
        End of the reason, e.g. ``"is not a number"``.
    """
    idx = np.flatnonzero(bad)
    if not len(idx):
        return []
    codes, uniques = pd.factorize(pd.Series(values[idx], dtype=object).astype(str), use_na_sentinel=False)
    out: list[tuple[np.ndarray, str]] = []
    for k, u in enumerate(uniques[:_MAX_REASONS]):
        mask = np.zeros(len(bad), dtype=bool)
        mask[idx[codes == k]] = True
        out.append((mask, f"{label} {str(u)[:40]!r} {what}"))
    if len(uniques) > _MAX_REASONS:
        mask = np.zeros(len(bad), dtype=bool)
        mask[idx[codes >= _MAX_REASONS]] = True
        out.append((mask, f"{label} {what} (one of {len(uniques) - _MAX_REASONS} further bad values)"))
    return out


_PLAIN_NUMBER: Final = r"^[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$"
"""A number as Arrow's cast reads it: sign, digits, a decimal point, an exponent; no space, no thousands separator."""


def _split_numbers(text: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """A text column whose cast failed: float64 where a value is a plain number (:data:`_PLAIN_NUMBER`, one Arrow cast of those
    alone; NaN elsewhere), and the mask of the other values present.

    Only those others are then read one by one, so a block with a few bad
    values costs those values, not all of its rows (a broken time every
    20,000 rows made a 284,502-row file 3.7 times slower to read). The plain
    numbers are parsed as the column's own cast parses them when it succeeds.
    """
    plain = pc.fill_null(pc.match_substring_regex(text, _PLAIN_NUMBER), False)
    m = plain.to_numpy(zero_copy_only=False)
    v = np.full(len(text), np.nan)
    if m.any():
        v[m] = pc.cast(text.filter(plain), pa.float64()).to_numpy(zero_copy_only=False)
    return v, ~m & text.is_valid().to_numpy(zero_copy_only=False)


def _placed(values: np.ndarray, idx: np.ndarray, n: int) -> np.ndarray:
    """An object array of length ``n`` holding ``values`` at positions ``idx`` (None elsewhere)."""
    out = np.empty(n, dtype=object)
    out[idx] = values
    return out


def _plain(arr: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Combine chunks, decode dictionaries, give all-null columns a text type."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if pa.types.is_dictionary(arr.type):
        arr = arr.cast(arr.type.value_type)
    if pa.types.is_null(arr.type):
        arr = pa.nulls(len(arr), pa.string())
    return arr


def _is_text(t: pa.DataType) -> bool:
    return pa.types.is_string(t) or pa.types.is_large_string(t)


def _numbers(arr: pa.Array, label: str, factor: float = 1.0) -> tuple[np.ndarray, list[tuple[np.ndarray, str]]]:
    """Any Arrow column → float64 (NaN when missing) times ``factor``, and problems.

    Fast path: one Arrow cast. Only when it fails (a text value that is not a
    number) are the values parsed one by one with pandas.
    """
    arr = _plain(arr)
    t = arr.type
    if pa.types.is_timestamp(t) or pa.types.is_date(t) or pa.types.is_duration(t):
        return np.full(len(arr), np.nan), [(arr.is_valid().to_numpy(zero_copy_only=False), f"{label} is a time, not a number")]
    try:
        v = pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False)
        problems: list[tuple[np.ndarray, str]] = []
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
        text_arr = _strings(arr)
        v, other = _split_numbers(text_arr)
        idx = np.flatnonzero(other)  # the values that are not plain numbers, read one by one
        obj = text_arr.take(pa.array(idx)).to_numpy(zero_copy_only=False)
        ser = pd.Series(obj, dtype=object)
        sub = pd.to_numeric(ser, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan, copy=True)
        text = ser.astype(str).str.strip()
        literal_nan = text.str.lower().isin(["nan", "-nan", "+nan"]).to_numpy()
        v[idx] = sub
        bad = np.zeros(len(v), dtype=bool)
        bad[idx] = (text != "").to_numpy() & np.isnan(sub) & ~literal_nan
        problems = _value_problems(_placed(obj, idx, len(v)), bad, label, "is not a number")
    if factor != 1.0:
        with np.errstate(over="ignore"):  # a value too large after the change of unit becomes inf: the range checks quarantine it
            v = v * factor
    return v, problems


def _castable_to_string(t: pa.DataType) -> bool:
    return pa.types.is_binary(t) or pa.types.is_large_binary(t) or pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_boolean(t)


def _times(arr: pa.Array, label: str, notes: set[str]) -> tuple[np.ndarray, np.ndarray, list[tuple[np.ndarray, str]]]:
    """Epoch seconds, Arrow timestamps or ISO 8601 text → float seconds.

    Returns
    -------
    seconds : numpy.ndarray
        float64, NaN when missing or unparseable.
    bad : numpy.ndarray
        Rows whose value is present but neither a number nor an ISO time.
    problems : list
        Reasons for the bad rows, naming the values.
    """
    arr = _plain(arr)
    t = arr.type
    n = len(arr)
    none: list[tuple[np.ndarray, str]] = []
    if pa.types.is_timestamp(t):
        per_s = {"s": 1, "ms": 10**3, "us": 10**6, "ns": 10**9}[t.unit]
        if t.tz is None:
            notes.add(f"{label}: Arrow timestamps without a zone taken as UTC")
        return _int_seconds(arr.cast(pa.int64()), np.full(n, per_s, dtype=np.int64)), np.zeros(n, dtype=bool), none
    if pa.types.is_integer(t):
        ints = arr.cast(pa.int64())
        mag = np.abs(pc.fill_null(ints, 0).to_numpy(zero_copy_only=False))
        per = np.select([mag >= 10**17, mag >= 10**14, mag >= 10**11], [10**9, 10**6, 10**3], 1).astype(np.int64)
        if (per > 1).any():
            units = sorted({_UNIT_OF[int(p)] for p in np.unique(per[per > 1])})
            notes.add(f"{label}: integer times in {' and '.join(units)} since 1970 (told by their size) converted to seconds")
        return _int_seconds(ints, per), np.zeros(n, dtype=bool), none
    if pa.types.is_date(t):
        secs = pc.cast(pc.cast(arr, pa.timestamp("s")), pa.int64())
        return pc.cast(secs, pa.float64()).to_numpy(zero_copy_only=False), np.zeros(n, dtype=bool), none
    if not _is_text(t):
        v, probs = _numbers(arr, label)
        bad = np.zeros(n, dtype=bool)
        for m, _ in probs:
            bad |= m
        return v, bad, probs
    try:
        return pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False), np.zeros(n, dtype=bool), none
    except pa.ArrowInvalid:
        pass
    v, other = _split_numbers(arr)
    if not (~other & arr.is_valid().to_numpy(zero_copy_only=False)).any():  # no plain number: perhaps ISO 8601 text throughout
        for typ, note in ((pa.timestamp("ns", "UTC"), None), (pa.timestamp("ns"), f"{label}: ISO times without a zone taken as UTC")):
            try:
                ns = pc.cast(pc.cast(arr, typ), pa.int64()).to_numpy(zero_copy_only=False)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                continue
            if note:
                notes.add(note)
            valid = arr.is_valid().to_numpy(zero_copy_only=False)
            return np.where(valid, ns / 1e9, np.nan), np.zeros(n, dtype=bool), none
    # mixed or bad values: the ones that are not plain numbers, value by value
    idx = np.flatnonzero(other)
    obj = arr.take(pa.array(idx)).to_numpy(zero_copy_only=False)
    ser = pd.Series(obj, dtype=object)
    text = ser.astype(str).str.strip()
    sub_v = pd.to_numeric(ser, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan, copy=True)
    literal_nan = text.str.lower().isin(["nan", "-nan", "+nan"]).to_numpy()
    sub_rest = (text != "").to_numpy() & np.isnan(sub_v) & ~literal_nan
    if sub_rest.any():
        sub = text[sub_rest]
        parsed = pd.to_datetime(sub, format="ISO8601", utc=True, errors="coerce")
        ok = parsed.notna().to_numpy()
        if ok.any():
            stamps = pd.DatetimeIndex(parsed[ok]).as_unit("ns").asi8
            ridx = np.flatnonzero(sub_rest)
            sub_v[ridx[ok]] = stamps / 1e9
            if (~sub[ok].str.contains(r"(?:Z|[+-]\d\d:?\d\d)$", regex=True)).any():
                notes.add(f"{label}: ISO times without a zone taken as UTC")
            sub_rest[ridx[ok]] = False
    v[idx] = sub_v
    rest = np.zeros(n, dtype=bool)
    rest[idx] = sub_rest
    return v, rest, _value_problems(_placed(obj, idx, n), rest, label, "is neither epoch seconds nor an ISO 8601 time")


_UNIT_OF: Final = {10**3: "milliseconds", 10**6: "microseconds", 10**9: "nanoseconds"}
"""Name of a time unit by ticks per second."""


def _int_seconds(ints: pa.Array, per_s: np.ndarray) -> np.ndarray:
    """Integer ticks (``per_s`` per second, row by row) → float seconds, NaN for null.

    Whole seconds and the fraction are divided apart, so that a nanosecond
    count above 2**53 (every one since 1970-04-15) loses nothing a float
    second can hold: the time is exact to the microsecond the Points table keeps.
    """
    v = pc.fill_null(ints, 0).to_numpy(zero_copy_only=False).astype(np.int64, copy=False)
    whole, frac = np.divmod(v, per_s)
    out = whole.astype(np.float64) + frac / per_s
    if ints.null_count:
        out[~ints.is_valid().to_numpy(zero_copy_only=False)] = np.nan
    return out


def _booleans(arr: pa.Array, label: str) -> tuple[np.ndarray, list[tuple[np.ndarray, str]]]:
    """true/false/True/1/0 (or Arrow booleans) → float 1/0, NaN when not said."""
    if _is_coded(arr):  # already encoded: its distinct texts are judged as they stand
        enc = arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
        return _judged_flags(enc, label, lambda: _plain(enc).to_numpy(zero_copy_only=False))
    arr = _plain(arr)
    t = arr.type
    if pa.types.is_boolean(t) or pa.types.is_integer(t) or pa.types.is_floating(t):
        f = pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False)
        return np.where(np.isnan(f), np.nan, (f != 0).astype(np.float64)), []
    if not _is_text(t):
        arr = arr.cast(pa.string()) if _castable_to_string(t) else pa.array(list(map(str, arr.to_pylist())))
    # a flag column holds a handful of distinct texts: judge each once, then map the rows by their codes
    text = arr
    return _judged_flags(pc.dictionary_encode(text), label, lambda: text.to_numpy(zero_copy_only=False))


def _judged_flags(enc: pa.DictionaryArray, label: str, values: Callable[[], np.ndarray]) -> tuple[np.ndarray, list[tuple[np.ndarray, str]]]:
    """A dictionary-encoded flag column → float 1/0 (NaN when not said) and problems; ``values()``: the rows' texts."""
    low = pc.utf8_lower(pc.utf8_trim_whitespace(enc.dictionary))
    d_yes = np.append(pc.fill_null(pc.is_in(low, value_set=_TRUE), False).to_numpy(zero_copy_only=False), False)
    d_no = np.append(pc.fill_null(pc.is_in(low, value_set=_FALSE), False).to_numpy(zero_copy_only=False), False)
    d_present = np.append(pc.fill_null(pc.greater(pc.utf8_length(low), 0), False).to_numpy(zero_copy_only=False), False)
    codes = enc.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64) if enc.indices.null_count else enc.indices.to_numpy().astype(np.int64)
    yes, no, present = d_yes[codes], d_no[codes], d_present[codes]  # code -1 (null) takes the appended False
    out = np.where(yes, 1.0, np.where(no, 0.0, np.nan))
    bad = present & ~yes & ~no
    if not bad.any():
        return out, []
    return out, _value_problems(values(), bad, label, "is not a boolean (true/false/1/0)")


def _source_codes(v: np.ndarray) -> np.ndarray:
    """OpenSky position_source numbers → index into :data:`_SOURCE_LUT` (4 = unknown)."""
    known = np.isin(v, [0.0, 1.0, 2.0, 3.0])
    return np.where(known, np.nan_to_num(v, nan=4.0), 4.0).astype(np.int64)


def _position_sources(arr: pa.Array) -> np.ndarray:
    """OpenSky codes 0–3 (or flighttrace names) → ``position_source`` values."""
    arr = _plain(arr)
    v, _ = _numbers(arr, "position_source")
    out = _SOURCE_LUT[_source_codes(v)]
    if _is_text(arr.type):
        names = pc.utf8_lower(pc.utf8_trim_whitespace(arr)).to_numpy(zero_copy_only=False)
        named = np.isin(names, ["adsb", "mlat", "other"])
        out[named] = names[named]
    return out


def _strings(arr: pa.Array) -> pa.Array:
    """A text column as Arrow strings (integers become text; nothing is padded)."""
    arr = _plain(arr)
    if _is_text(arr.type):
        return arr
    if _castable_to_string(arr.type):
        return arr.cast(pa.string())
    return pa.array([None if x is None else str(x) for x in arr.to_pylist()], type=pa.string())


def _squawks(arr: pa.Array, coded: bool = False) -> pa.Array:
    """Squawk as text: a number becomes its digits (``7700.0`` → ``7700``, a NaN a gap), and the leading zeros an integer
    lost are put back for every reader at once, when the points are normalised (:func:`~flighttrace.io._normalise.squawk_text`)."""
    if coded and _is_coded(arr):
        return _texts(arr, coded)
    arr = _plain(arr)
    if pa.types.is_floating(arr.type):  # a column of codes with gaps, written by pandas as floats (7700.0, NaN)
        arr = pc.if_else(pc.is_nan(arr), pa.scalar(None, arr.type), arr)
    return _strings(arr)


def _is_coded(arr: pa.Array | pa.ChunkedArray) -> bool:
    return bool(arr.type == CODED)


def _texts(arr: pa.Array | pa.ChunkedArray, coded: bool) -> pa.Array:
    """A text column; with ``coded``, a dictionary-encoded one (:data:`~flighttrace.io.csvfast.CODED`) is kept encoded.

    The normaliser judges such a column per distinct value, exactly as the
    text it stands for (its values in first-appearance order, as Arrow's
    ``dictionary_encode`` of the text would give them).
    """
    if coded and _is_coded(arr):
        return arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
    return _strings(arr)


def _union(problems: list[tuple[np.ndarray, str]], n: int) -> np.ndarray:
    """Rows flagged by any of ``problems``."""
    out = np.zeros(n, dtype=bool)
    for mask, _ in problems:
        out |= mask
    return out


def _hand_over(values: np.ndarray, bad: np.ndarray, originals: Callable[[], np.ndarray]) -> np.ndarray:
    """Put the unparseable values back for the framework to judge.

    The framework reports a NaN ``time`` as "time missing"; a value that is
    present but not a number must instead be reported as "time is not a
    number", which the framework does when it gets the text itself.
    """
    if not bad.any():
        return values
    out = values.astype(object)
    out[bad] = originals()[bad]
    return out


def _columns_from_table(
    columns: Sequence[pa.Array], layout: _Layout, notes: set[str], coded: bool = False
) -> tuple[dict[str, Any], list[tuple[np.ndarray, str]]]:
    """Convert one block of OpenSky columns to RawChunk columns and problems.

    Parameters
    ----------
    columns
        The block's columns, in header order.
    layout
        Which column is which.
    notes
        Assumptions found on the way are added here.
    coded
        Keep text columns that come dictionary-encoded (the CSV fast path's) encoded.
    """
    cols: dict[str, Any] = {}
    problems: list[tuple[np.ndarray, str]] = []
    L = layout.cols

    def col(f: str) -> pa.Array:
        return columns[L[f][0]]

    _, time_name, _ = L["time"]
    t, t_bad, _ = _times(col("time"), time_name, notes)
    cols["time"] = _hand_over(t, t_bad, lambda: _strings(col("time")).to_numpy(zero_copy_only=False))
    cols["icao24"] = _texts(col("icao24"), coded)
    for f in ("lat", "lon", "alt_ft", "gs_kt", "track_deg", "vrate_fpm"):
        if f in L:
            _, name, factor = L[f]
            v, probs = _numbers(col(f), name, factor)
            cols[f] = v
            problems += probs
    if "callsign" in L:
        cols["callsign"] = _texts(col("callsign"), coded)
    if "squawk" in L:
        cols["squawk"] = _squawks(col("squawk"), coded)
    if "on_ground" in L:
        v, probs = _booleans(col("on_ground"), L["on_ground"][1])
        cols["on_ground"] = v
        problems += probs
    if "position_source" in L:
        cols["position_source"] = _position_sources(col("position_source"))
    stale = np.zeros(len(t), dtype=bool)
    for f in ("lastposupdate", "lastcontact"):
        if f in L:
            name = L[f][1]
            last, _, probs = _times(col(f), name, notes)
            problems += probs
            with np.errstate(invalid="ignore"):
                stale |= (t - last) > STALE_AFTER_S
    cols["stale"] = stale
    return cols, problems


# ---------------------------------------------------------------------------
# CSV


def _sniff_names(head: bytes) -> set[str]:
    line = head.lstrip(b"\xef\xbb\xbf \t\r\n").split(b"\n", 1)[0]
    return {_clean_name(x) for x in line.decode("utf-8", errors="replace").split(",")}


def state_vector_names(names: Iterable[Any]) -> bool:
    """Whether column names are a state-vector table's: an ICAO address, a latitude and a time, in either naming (any case)."""
    clean = {_clean_name(str(n)) for n in names}
    return "icao24" in clean and bool(clean & {"lat", "latitude"}) and bool(clean & {"time", "timestamp"})


def _sniff_csv(head: bytes) -> bool:
    return state_vector_names(_sniff_names(head))


def read_state_vectors_csv(stream: BinaryIO, ctx: ReadContext) -> Iterator[RawChunk]:
    """Read an OpenSky state-vector CSV block by block.

    Parameters
    ----------
    stream
        Decompressed content.
    ctx
        Reader context; notes say which column variant was read.

    Yields
    ------
    RawChunk
        One chunk per block of :data:`CSV_BLOCK_BYTES`. ``src_row`` is the
        0-based data row (header and blank lines excluded) across the file.

    Raises
    ------
    FormatError
        When the header is not OpenSky's or lacks a required column.

    Notes
    -----
    Plain blocks (ASCII, one row per line, every row whole) are parsed on
    all cores, the numeric columns straight to numbers
    (:class:`~flighttrace.io.csvfast.FastCsv`); from the first block that is
    not plain on, the robust path (:class:`~flighttrace.io.csvstream.CsvStream`,
    every column as text) reads the rest. Both give the same blocks of rows
    and the same columns to :func:`_columns_from_table`, so the points, the
    quarantine and its reasons are the same either way.
    """
    fast = FastCsv(stream, ctx) if FAST_CSV else None
    if fast is None or not fast.usable:
        csv_in = CsvStream(fast.rest() if fast is not None else stream, ctx)
        layout = _layout(csv_in.names, "CSV", csv_in.header)
        ctx.notes.append(layout.note)
        yield from _text_chunks(csv_in, layout, set(), ctx)
        return
    layout = _layout(fast.names, "CSV", fast.header)
    ctx.notes.append(layout.note)
    used = sorted({i for i, _, _ in layout.cols.values()})
    numeric = [layout.cols[f][0] for f in _FLOAT_FIELDS if f in layout.cols]
    coded = [layout.cols[f][0] for f in _CODED_FIELDS if f in layout.cols]
    notes: set[str] = set()
    for block in fast.blocks(CSV_BLOCK_BYTES, used, numeric, coded):
        cols, problems = _columns_from_table(block.columns, layout, notes, coded=True)
        yield RawChunk(columns=cols, src_row=block.src_row, raw=block.raw, quarantine=block.quarantine, problems=problems)
    if fast.done:
        ctx.notes.extend(sorted(notes))
        if fast.rows == 0:
            yield RawChunk.only_quarantine([])  # as the robust path marks a file without rows
        return
    # the first block that is not plain, and everything after it, take the robust path
    yield from _text_chunks(CsvStream(fast.rest(), ctx, row_offset=fast.rows), layout, notes, ctx)


def _text_chunks(csv_in: CsvStream, layout: _Layout, notes: set[str], ctx: ReadContext) -> Iterator[RawChunk]:
    """The robust path: ``csv_in``'s blocks as chunks; ``notes`` (those of earlier blocks too) go into ``ctx.notes`` at the end."""
    used = sorted({i for i, _, _ in layout.cols.values()})
    for block in csv_in.blocks(CSV_BLOCK_BYTES, used):
        cols, problems = _columns_from_table(block.columns, layout, notes)
        if block.replaced is not None:
            problems.append((block.replaced, UTF8_REASON))
        yield RawChunk(columns=cols, src_row=block.src_row, raw=block.raw, quarantine=block.quarantine, problems=problems)
    ctx.notes.extend(sorted(notes))
    yield from csv_in.finish()


# ---------------------------------------------------------------------------
# Parquet


def _match_parquet(names: Any) -> bool:
    return isinstance(names, (list, tuple)) and state_vector_names(names)


def read_state_vectors_parquet(stream: BinaryIO, ctx: ReadContext) -> Iterator[RawChunk]:
    """Read OpenSky state vectors from Parquet, one record batch at a time.

    Parameters
    ----------
    stream
        Seekable Parquet content.
    ctx
        Reader context (``chunk_rows`` sets the batch size).

    Yields
    ------
    RawChunk
        One chunk per record batch; ``src_row`` is the row index in the file.
        Only the columns flighttrace uses are read; a quarantined row's raw
        text is those columns as a JSON object.

    Raises
    ------
    FormatError
        When the columns are not OpenSky's or a required one is missing.
    """
    try:
        pf = pq.ParquetFile(stream)
    except Exception as exc:
        raise FormatError(f"unreadable Parquet file: {exc}") from exc
    names = list(pf.schema_arrow.names)
    layout = _layout(names, "Parquet", ", ".join(names))
    ctx.notes.append(layout.note)
    used = sorted({i for i, _, _ in layout.cols.values()})
    read_names = [names[i] for i in used]
    local = {i: k for k, i in enumerate(used)}
    layout = _Layout(cols={f: (local[i], s, fa) for f, (i, s, fa) in layout.cols.items()}, variant=layout.variant, note=layout.note)
    notes: set[str] = set()
    start = 0
    any_rows = False
    for batch in pf.iter_batches(batch_size=max(1, ctx.chunk_rows), columns=read_names, use_threads=True):
        n = batch.num_rows
        if n == 0:
            continue
        any_rows = True
        cols, problems = _columns_from_table(batch.columns, layout, notes)

        def raw(idx: np.ndarray, batch: pa.RecordBatch = batch) -> list[str]:
            rows = batch.take(pa.array(np.asarray(idx, dtype=np.int64))).to_pylist()
            return [orjson.dumps(r, default=str, option=orjson.OPT_NON_STR_KEYS).decode() for r in rows]

        yield RawChunk(columns=cols, src_row=np.arange(start, start + n, dtype=np.int64), raw=raw, problems=problems)
        start += n
    ctx.notes.extend(sorted(notes))
    if not any_rows:
        yield RawChunk.only_quarantine([])


# ---------------------------------------------------------------------------
# REST JSON (the readers are in flighttrace.io.opensky_json)


def _match_states(obj: Any) -> bool:
    return isinstance(obj, dict) and "states" in obj and "time" in obj


def _match_tracks(obj: Any) -> bool:
    return isinstance(obj, dict) and "path" in obj and "icao24" in obj


SPECS: tuple[ReaderSpec, ...] = (
    ReaderSpec(
        name="opensky_csv",
        kind="stream",
        func=read_state_vectors_csv,
        description="OpenSky historical state vectors (state_vectors_data4) as CSV, SI or pyopensky/traffic column names",
        sniff=_sniff_csv,
    ),
    ReaderSpec(
        name="opensky_parquet",
        kind="parquet",
        func=read_state_vectors_parquet,
        description="OpenSky historical state vectors (state_vectors_data4) as Parquet",
        match=_match_parquet,
    ),
)
