"""Turn reader output into validated Points, the same way for every format.

:func:`normalise_chunk` checks a :class:`~flighttrace.io._base.RawChunk`
column by column (never row by row), sends rows that fail to the quarantine
with every reason that applies, and returns the good rows as a pyarrow table
with dictionary-encoded strings. :func:`assemble` concatenates the tables of
all files, sorts by aircraft and time, and marks exact duplicates.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Final

import numpy as np
import orjson
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from flighttrace.geo import wrap_360
from flighttrace.io._base import RawChunk, ReadContext, truncate_raw
from flighttrace.io._gather import gathered_column
from flighttrace.io.bounds import SizeLimits
from flighttrace.schema import POINTS, POINTS_COLUMNS, POSITION_SOURCES

__all__ = ["Limits", "NormalisedChunk", "assemble", "normalise_chunk", "points_from_table", "squawk_text", "unify_types"]

EPOCH_1990_NS: Final = 631_152_000 * 10**9
MAX_EPOCH_S: Final = 9.2e9
"""Largest absolute epoch time (s) that fits int64 nanoseconds; larger values are quarantined."""
STRING_COLUMNS: Final = ("callsign", "squawk", "registration", "typecode")
FLOAT32_COLUMNS: Final = ("alt_ft", "gs_kt", "track_deg", "vrate_fpm")
_POS_SOURCE_TYPE: Final = pa.dictionary(pa.int8(), pa.string())
_CLEAN_DICT_TYPE: Final = pa.dictionary(pa.int32(), pa.string())
_HEX_DIGITS: Final = "0123456789abcdef"


@lru_cache(maxsize=1)
def _constant_arrays() -> tuple[pa.Array, pa.Array]:
    """The dictionaries every chunk shares (built once; Arrow arrays are immutable): no text, and the position sources."""
    return pa.array([], pa.string()), pa.array(list(POSITION_SOURCES))


@dataclass(frozen=True)
class Limits:
    """Plausibility limits applied to every record.

    Parameters
    ----------
    min_time_ns
        Earliest accepted time, ns since the epoch (default 1990-01-01 UTC).
    max_future_s
        Records later than the time of reading plus this many seconds are
        quarantined as "in the future". Default 3,600 s.
    alt_ft
        Accepted barometric altitude range, ft. Default [-2,000, 100,000].
    gs_kt
        Accepted ground speed range, kt. Default [0, 2,500].
    vrate_fpm
        Accepted absolute vertical rate, ft/min. Default 60,000.
    size
        Size limits that bound memory and time per file (see
        :class:`~flighttrace.io.bounds.SizeLimits`).
    """

    min_time_ns: int = EPOCH_1990_NS
    max_future_s: float = 3600.0
    alt_ft: tuple[float, float] = (-2000.0, 100_000.0)
    gs_kt: tuple[float, float] = (0.0, 2500.0)
    vrate_fpm: float = 60_000.0
    size: SizeLimits = field(default_factory=SizeLimits)


@dataclass
class NormalisedChunk:
    """Validated rows of one chunk and what happened to the others."""

    table: pa.Table | None
    quarantine: list[tuple[str, int | None, str, str]] = field(default_factory=list)
    rows_read: int = 0
    rows_kept: int = 0
    rows_quarantined: int = 0
    rows_filtered: int = 0
    lines_state: int = 0


def _as_float(values: Any, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Return (float64 array, mask of values that were present but not numbers)."""
    if values is None:
        return np.full(n, np.nan), np.zeros(n, dtype=bool)
    if isinstance(values, (pa.Array, pa.ChunkedArray)):
        values = values.to_numpy(zero_copy_only=False)
    arr = np.asarray(values)
    if arr.dtype.kind in "fiu":
        return arr.astype(np.float64, copy=False), np.zeros(n, dtype=bool)
    if arr.dtype.kind == "b":
        return arr.astype(np.float64), np.zeros(n, dtype=bool)
    ser = pd.Series(arr, dtype=object)
    num = pd.to_numeric(ser, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    nan_at = np.flatnonzero(np.isnan(num))  # only these can be present but not numbers: their text is looked at, not every row's
    bad = np.zeros(len(num), dtype=bool)
    if len(nan_at):
        sub = ser.iloc[nan_at]
        bad[nan_at] = sub.notna().to_numpy() & (sub.astype(str).str.strip() != "").to_numpy()
    return num, bad


def _as_nullable_bool(values: Any, n: int) -> pa.Array:
    if values is None:
        return pa.nulls(n, pa.bool_())
    if isinstance(values, (pa.Array, pa.ChunkedArray)):
        return pa.array(values, type=pa.bool_()) if not isinstance(values, pa.ChunkedArray) else values.combine_chunks().cast(pa.bool_())
    arr = np.asarray(values)
    if arr.dtype.kind == "b":
        return pa.array(arr, type=pa.bool_())
    if arr.dtype.kind in "fiu":
        f = arr.astype(np.float64)
        return pa.array(f != 0, mask=np.isnan(f), type=pa.bool_())
    ser = pd.Series(arr, dtype=object)
    mask = ser.isna().to_numpy()
    vals = np.zeros(n, dtype=bool)
    vals[~mask] = ser[~mask].astype(bool).to_numpy()
    return pa.array(vals, mask=mask, type=pa.bool_())


def _clean_dictionary(codes: np.ndarray, uniques: np.ndarray, word: Callable[[str], str] | None = None) -> pa.DictionaryArray:
    """Strip the distinct values, map empty ones to null, merge values that become equal; ``word`` rewrites each stripped value."""
    if (word is None and all(type(u) is str and u and u == u.strip() for u in uniques)) and len(set(uniques)) == len(uniques):
        # already clean (the common case): no re-factorising
        idx32 = codes.astype(np.int32, copy=False)
        return pa.DictionaryArray.from_arrays(pa.array(idx32, mask=idx32 < 0 if (idx32 < 0).any() else None), pa.array(uniques, type=pa.string()))
    # each distinct value cleaned once; equal cleaned values share the code of the first (a handful of values: a dict, not a factorise)
    slot: dict[str, int] = {}
    lut = np.full(len(uniques) + 1, -1, dtype=np.int32)  # code -1 (missing) indexes the trailing -1
    for i, u in enumerate(uniques):
        text = None if u is None or (not isinstance(u, str) and pd.isna(u)) else (str(u).strip() or None)
        if text is not None:
            lut[i] = slot.setdefault(text if word is None else word(text), len(slot))
    idx = lut[codes]
    return pa.DictionaryArray.from_arrays(pa.array(idx, mask=idx < 0, type=pa.int32()), pa.array(list(slot), type=pa.string()))


_WHOLE_CODE: Final = re.compile(r"[0-9]{1,4}(?:\.0*)?", re.ASCII)
"""A squawk written as a number: up to four digits, perhaps with a zero fraction (``400``, ``7700.0``)."""


def squawk_text(text: str) -> str:
    """A squawk with the leading zeros that writing it as a number lost put back; any other text unchanged.

    A Mode A code is four octal digits. A column of codes that went through
    a number (an integer column, or a float column with gaps as pandas writes
    it, then saved as text) comes back as ``400`` or ``400.0``; both stand
    for ``0400``. Text that is not such a number (``7700``, ``12345``,
    ``77A0``) is kept as written.

    Examples
    --------
    >>> squawk_text("400.0"), squawk_text("7700"), squawk_text("7700.5")
    ('0400', '7700', '7700.5')
    """
    if _WHOLE_CODE.fullmatch(text):
        return text.partition(".")[0].zfill(4)
    return text


def _as_string(values: Any, n: int, word: Callable[[str], str] | None = None) -> pa.Array:
    """Strip padding, map empty strings to null, dictionary-encode; work per distinct value (``word`` rewrites each, as :func:`squawk_text`)."""
    if values is None:  # the column is absent: all null, an empty dictionary (no text to encode)
        return pa.DictionaryArray.from_arrays(pa.nulls(n, pa.int32()), _constant_arrays()[0])
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if isinstance(values, pa.Array) and not isinstance(values, pa.DictionaryArray):
        values = pc.dictionary_encode(values if values.type == pa.string() else values.cast(pa.string()))
    if isinstance(values, pa.DictionaryArray):
        if values.type == _CLEAN_DICT_TYPE and not values.dictionary.null_count:
            words = values.dictionary.to_pylist()  # a handful of distinct values
            if all(w and w == w.strip() and (word is None or word(w) == w) for w in words) and len(set(words)) == len(words):
                return values  # already clean, non-empty and distinct: the array is what the cleaning would build
        indices = pc.fill_null(values.indices, -1) if values.indices.null_count else values.indices  # no float round trip for the nulls
        codes = indices.to_numpy(zero_copy_only=False).astype(np.int64)
        uniques = np.asarray(values.dictionary.to_pylist(), dtype=object)
        return _clean_dictionary(codes, uniques, word)
    codes, uniques = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=True)
    return _clean_dictionary(codes, np.asarray(uniques, dtype=object), word)


def _normalise_hex(values: Any, n: int) -> tuple[np.ndarray, list[str], list[str | None]]:
    """Factorise icao24 values; return (codes, normalised categories, reason per category).

    Work is done per distinct value, never per row.
    """
    if isinstance(values, (pa.Array, pa.ChunkedArray)):
        enc = pc.dictionary_encode(values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values)
        indices = pc.fill_null(enc.indices, -1) if enc.indices.null_count else enc.indices
        codes = indices.to_numpy(zero_copy_only=False).astype(np.int64)
        uniques = np.asarray(enc.dictionary.to_pylist(), dtype=object)
    else:
        codes, uniques = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=True)
    norm: list[str] = []
    reasons: list[str | None] = []
    for u in uniques:
        s = str(u).strip().lower()
        if s.startswith("~"):
            reasons.append(f"non-ICAO address {s!r} (TIS-B or anonymous): no airframe identity")
        elif len(s) == 6 and not s.strip(_HEX_DIGITS):  # nothing left once hex digits are stripped: six hex digits
            reasons.append(None)
        else:
            reasons.append(f"icao24 {str(u)[:40]!r} is not 6 hex digits")
        norm.append(s)
    return codes, norm, reasons


def _distinct(cats: list[str], codes: np.ndarray) -> tuple[list[str], np.ndarray]:
    """Categories made distinct (two values that differ only in case or padding are one address) and the codes remapped."""
    if len(set(cats)) == len(cats):
        return cats, codes
    slot: dict[str, int] = {}
    remap = np.array([slot.setdefault(c, len(slot)) for c in cats] + [-1], dtype=np.int64)
    return list(slot), remap[codes]  # code -1 (missing) indexes the trailing -1


def _worded(mask: np.ndarray, head: str, values: np.ndarray, tail: str, *, iso: bool = False) -> np.ndarray:
    """``head + value + tail`` at the rows of ``mask`` (``None`` elsewhere): only the rows a reason applies to are worded.

    ``iso``: the values are ns since the epoch, written as ISO times.
    """
    out = np.full(len(mask), None, dtype=object)
    idx = np.flatnonzero(mask)
    if len(idx):
        out[idx] = (_iso(values[idx]) if iso else np.char.add(head, values[idx].astype(str)).astype(object)) + tail
    return out


def _iso(ns: np.ndarray) -> np.ndarray:
    return np.datetime_as_string(ns.astype("datetime64[ns]"), unit="s").astype(object) + "Z"


def _raw_texts(chunk: RawChunk, idx: np.ndarray) -> list[str]:
    if len(idx) == 0:
        return []
    if chunk.raw is not None:
        try:
            return [truncate_raw(t) for t in chunk.raw(idx)]
        except Exception as exc:  # a broken raw() must not lose the rows
            return [f"<raw text unavailable: {exc}>"] * len(idx)
    out = []
    for i in idx:
        rec = {}
        for k, v in chunk.columns.items():
            try:
                x = v[int(i)]
                rec[k] = x.as_py() if hasattr(x, "as_py") else x
            except Exception:
                rec[k] = None
        out.append(truncate_raw(orjson.dumps(rec, default=str, option=orjson.OPT_SERIALIZE_NUMPY).decode()))
    return out


Checks = list[tuple[np.ndarray, Any]]
"""``(mask, reason)`` pairs: the rows of ``mask`` fail with ``reason`` (one string, or an object array of per-row strings)."""


def normalise_chunk(
    chunk: RawChunk,
    ctx: ReadContext,
    source: str,
    *,
    run_time_ns: int,
    limits: Limits = Limits(),
) -> NormalisedChunk:
    """Validate one chunk; return its good rows as a table and the rest as quarantine.

    Parameters
    ----------
    chunk
        Reader output.
    ctx
        The reader context (``src_file``, ``icao24`` selection).
    source
        Format name, stored in the ``source`` column.
    run_time_ns
        The time of reading, ns since the epoch; later records are "in the future".
    limits
        Plausibility limits.

    Returns
    -------
    NormalisedChunk
        The kept rows (pyarrow table with the Points columns in order), the
        quarantine rows ``(src_file, src_row, reason, raw)`` and the counts.
    """
    out = NormalisedChunk(table=None, lines_state=chunk.lines_state)
    for row, reason, raw in chunk.quarantine:
        out.quarantine.append((ctx.src_file, int(row), reason, truncate_raw(raw)))
    n = len(chunk)
    out.rows_read = chunk.rows_read
    out.rows_quarantined = len(chunk.quarantine)
    if n == 0:
        return out
    cols = chunk.columns
    src_row = np.asarray(chunk.src_row, dtype=np.int64)
    # the reader's own reasons come first: they name the field as the format spells it
    checks: Checks = [(np.asarray(mask, dtype=bool), reason) for mask, reason in chunk.problems]
    codes, cats, filtered = _hex_checks(cols.get("icao24"), n, ctx.icao24, checks)
    t_ns = _time_checks(cols.get("time"), n, limits, run_time_ns, checks)
    floats = _value_checks(cols, n, limits, checks)
    bad_any = np.zeros(n, dtype=bool)
    for mask, _ in checks:
        bad_any |= mask
    bad_any &= ~filtered
    bad_idx = np.flatnonzero(bad_any)
    if len(bad_idx):
        raws = _raw_texts(chunk, bad_idx)
        for j, (i, why) in enumerate(zip(bad_idx.tolist(), _reasons(checks, bad_any, bad_idx), strict=True)):
            out.quarantine.append((ctx.src_file, int(src_row[i]), why, raws[j]))
    out.rows_quarantined += len(bad_idx)
    out.rows_filtered = int(filtered.sum())
    good = ~bad_any & ~filtered
    k = int(good.sum())
    out.rows_kept = k
    if k:
        out.table = _good_table(cols, None if k == n else np.flatnonzero(good), k, codes, cats, t_ns, floats, src_row, source, ctx.src_file)
    return out


def _hex_checks(values: Any, n: int, selection: Any, checks: Checks) -> tuple[np.ndarray, list[str], np.ndarray]:
    """The icao24 column: (codes, normalised categories, rows left out by the ``icao24`` selection); its reasons added to ``checks``."""
    codes, cats, hex_reasons = _normalise_hex(values, n)
    hex_bad_cat = np.array([r is not None for r in hex_reasons] + [True], dtype=bool)
    hex_bad = hex_bad_cat[codes]  # code -1 (missing) maps to the last entry
    missing_hex = codes < 0
    checks.append((missing_hex, "icao24 missing"))
    if any(r is not None for r in hex_reasons):
        reason_arr = np.array(hex_reasons + [None], dtype=object)
        checks.append((hex_bad & ~missing_hex, reason_arr[codes]))
    filtered = np.zeros(n, dtype=bool)
    if selection is not None:
        keep_cat = np.array([c in selection for c in cats] + [False], dtype=bool)
        filtered = ~hex_bad & ~keep_cat[codes]
    return codes, cats, filtered


def _time_checks(values: Any, n: int, limits: Limits, run_time_ns: int, checks: Checks) -> np.ndarray:
    """The time column as int64 ns (0 where it fails); its reasons added to ``checks``."""
    t, t_bad = _as_float(values, n)
    t_missing = np.isnan(t)
    # beyond ±9.2e9 s the ns conversion would wrap: such values are not seconds (often milliseconds)
    t_huge = ~t_missing & (np.abs(t) >= MAX_EPOCH_S)
    t_ok = ~t_missing & ~t_huge
    t_ns = np.zeros(n, dtype=np.int64)
    t_ns[t_ok] = np.round(t[t_ok] * 1e6).astype(np.int64) * 1000
    checks.append((t_missing & ~t_bad, "time missing"))
    checks.append((t_bad, "time is not a number"))
    if t_huge.any():
        checks.append((t_huge, _worded(t_huge, "time ", t, " s is out of range (milliseconds given as seconds?)")))
    early = t_ok & (t_ns < limits.min_time_ns)
    if early.any():
        checks.append((early, _worded(early, "", t_ns, " is before 1990-01-01 (time)", iso=True)))
    late = t_ok & (t_ns > run_time_ns + int(limits.max_future_s * 1e9))
    if late.any():
        checks.append((late, _worded(late, "", t_ns, " is in the future (time)", iso=True)))
    return t_ns


def _value_checks(cols: dict[str, Any], n: int, limits: Limits, checks: Checks) -> dict[str, np.ndarray]:
    """Position and the float columns as float64; their reasons (not numbers, missing, out of range) added to ``checks``."""
    floats: dict[str, np.ndarray] = {}
    not_number: dict[str, np.ndarray] = {}
    for name in ("lat", "lon", *FLOAT32_COLUMNS):
        v, bad = _as_float(cols.get(name), n)
        floats[name] = v
        not_number[name] = bad
        if bad.any():
            checks.append((bad, f"{name} is not a number"))
    lat, lon = floats["lat"], floats["lon"]
    for name, lo, hi in (("lat", -90.0, 90.0), ("lon", -180.0, 180.0)):
        v = floats[name]
        nan = np.isnan(v)
        checks.append((nan & ~not_number[name], f"{name} missing"))
        out_of = ~nan & ((v < lo) | (v > hi)) | np.isinf(v)
        if out_of.any():
            checks.append((out_of, _worded(out_of, f"{name} ", v, f" outside [{lo:g}, {hi:g}] deg")))
    null_island = (lat == 0.0) & (lon == 0.0)
    if null_island.any():
        checks.append((null_island, "lat/lon exactly 0,0 (a missing position written as zeros)"))
    for name, (lo, hi), unit in (
        ("alt_ft", limits.alt_ft, "ft"),
        ("gs_kt", limits.gs_kt, "kt"),
        ("vrate_fpm", (-limits.vrate_fpm, limits.vrate_fpm), "ft/min"),
    ):
        v = floats[name]
        bad = ~np.isnan(v) & ((v < lo) | (v > hi))
        if bad.any():
            checks.append((bad, _worded(bad, f"{name} ", v, f" outside [{lo:g}, {hi:g}] {unit}")))
    endless = np.isinf(floats["track_deg"])  # any finite angle is wrapped to [0, 360); an infinite one has no direction
    if endless.any():
        checks.append((endless, _worded(endless, "track_deg ", floats["track_deg"], " is not an angle")))
    return floats


def _reasons(checks: Checks, bad_any: np.ndarray, bad_idx: np.ndarray) -> list[str]:
    """Every reason that applies to each row of ``bad_idx`` (in the order of ``checks``), joined with "; "."""
    reasons: list[list[str]] = [[] for _ in range(len(bad_idx))]
    pos = np.full(len(bad_any), -1, dtype=np.int64)
    pos[bad_idx] = np.arange(len(bad_idx))
    for mask, reason in checks:
        hit = np.flatnonzero(mask & bad_any)
        if not len(hit):
            continue
        if isinstance(reason, str):
            for p in pos[hit]:
                reasons[p].append(reason)
        else:
            for p, r in zip(pos[hit], reason[hit], strict=True):
                reasons[p].append(str(r))
    return ["; ".join(r) for r in reasons]


def _position_source_codes(ps: Any, k: int, sel: Callable[[Any], Any]) -> np.ndarray:
    """The ``position_source`` codes (of :data:`POSITION_SOURCES`) of the kept rows; anything else is unknown."""
    unknown = POSITION_SOURCES.index("unknown")
    if ps is None:
        return np.full(k, unknown, dtype=np.int8)
    if isinstance(ps, pa.DictionaryArray) and ps.dictionary.equals(pa.array(list(POSITION_SOURCES))) and not ps.indices.null_count:
        return np.asarray(sel(ps).indices.to_numpy(zero_copy_only=False), dtype=np.int8)  # already the canonical codes
    ps_c, ps_u = pd.factorize(np.asarray(sel(ps), dtype=object), use_na_sentinel=True)
    lut = np.array([POSITION_SOURCES.index(u) if u in POSITION_SOURCES else unknown for u in ps_u] + [unknown], dtype=np.int8)
    return np.asarray(lut[ps_c])


def _good_table(cols: dict[str, Any], gidx: np.ndarray | None, k: int, codes: np.ndarray, cats: list[str], t_ns: np.ndarray,
                floats: dict[str, np.ndarray], src_row: np.ndarray, source: str, src_file: str) -> pa.Table:
    """The Points table of the kept rows ``gidx`` (``None``: every row), ``k`` of them."""

    def sel(a: Any) -> Any:
        if gidx is None or a is None:
            return a
        if isinstance(a, (pa.Array, pa.ChunkedArray)):
            return a.take(pa.array(gidx))
        return np.asarray(a, dtype=object if not isinstance(a, np.ndarray) else a.dtype)[gidx]

    table_cats, table_codes = _distinct(cats, codes)
    hex_codes = table_codes if gidx is None else table_codes[gidx]
    arrays: dict[str, pa.Array] = {
        "icao24": pa.DictionaryArray.from_arrays(pa.array(hex_codes.astype(np.int32)), pa.array(table_cats, type=pa.string())),
        "time": pa.array(t_ns if gidx is None else t_ns[gidx], type=pa.timestamp("ns", tz="UTC")),
        "lat": pa.array(floats["lat"] if gidx is None else floats["lat"][gidx]),
        "lon": pa.array(floats["lon"] if gidx is None else floats["lon"][gidx]),
    }
    for name in FLOAT32_COLUMNS:
        v = floats[name] if gidx is None else floats[name][gidx]
        if name == "track_deg":
            v = wrap_360(v)
        arrays[name] = pa.array(v.astype(np.float32))
    arrays["on_ground"] = _as_nullable_bool(sel(cols.get("on_ground")), k)
    for name in STRING_COLUMNS:
        arrays[name] = _as_string(sel(cols.get(name)), k, squawk_text if name == "squawk" else None)
    arrays["military"] = _as_nullable_bool(sel(cols.get("military")), k)
    ps_codes = _position_source_codes(cols.get("position_source"), k, sel)
    arrays["position_source"] = pa.DictionaryArray.from_arrays(pa.array(ps_codes.astype(np.int32)), _constant_arrays()[1])
    for name in ("stale", "new_leg"):
        v = cols.get(name)
        arrays[name] = pa.array(np.zeros(k, dtype=bool) if v is None else np.asarray(sel(v), dtype=bool))
    zeros = pa.array(np.zeros(k, dtype=np.int32))
    arrays["source"] = pa.DictionaryArray.from_arrays(zeros, pa.array([source]))
    arrays["src_file"] = pa.DictionaryArray.from_arrays(zeros, pa.array([src_file]))
    arrays["src_row"] = pa.array(src_row if gidx is None else src_row[gidx], type=pa.int64())
    return pa.table([arrays[c] for c in POINTS_COLUMNS], names=list(POINTS_COLUMNS))


def unify_types(tables: list[pa.Table]) -> list[pa.Table]:
    """Cast dictionary columns to one index type so tables can be concatenated."""
    if all(not pa.types.is_dictionary(f.type) or f.type.index_type == pa.int32() for t in tables for f in t.schema):
        return tables  # the common case: normalise_chunk writes int32 codes
    fixed = []
    for t in tables:
        cols = []
        for col in t.columns:
            if pa.types.is_dictionary(col.type) and col.type.index_type != pa.int32():
                col = col.cast(pa.dictionary(pa.int32(), col.type.value_type))
            cols.append(col)
        fixed.append(pa.table(cols, names=t.column_names))
    return fixed


def tidy_categories(s: pd.Series) -> pd.Series:
    """Sort a categorical's categories and drop unused ones, with one remap of its codes.

    pandas' ``reorder_categories`` and ``remove_unused_categories`` each rehash
    the values; this does both with numpy on the codes.
    """
    cats = np.asarray(s.cat.categories, dtype=object)
    if not len(cats):
        return s  # nothing to sort or drop
    codes = s.cat.codes.to_numpy()
    if len(cats) == 1 and (codes >= 0).any():
        return s  # one category, used
    # counts shifted by one (missing, -1, counts in slot 0): no masked copy of the codes
    used = np.bincount(np.add(codes, 1, dtype=np.promote_types(codes.dtype, np.int32)), minlength=len(cats) + 1)[1:] > 0
    keep = np.flatnonzero(used)
    order = keep[np.argsort(cats[keep].astype(str), kind="stable")]
    if len(order) == len(cats) and (order == np.arange(len(cats))).all():
        return s
    remap = np.full(len(cats) + 1, -1, dtype=codes.dtype)  # the codes' own width: new codes are fewer than the old
    remap[order] = np.arange(len(order))
    new_codes = remap[codes]  # code -1 (missing) indexes the trailing -1
    # keep the categories' own dtype, so the result does not depend on whether a reorder happened
    cat = pd.Categorical.from_codes(new_codes, categories=pd.Index(cats[order], dtype=s.cat.categories.dtype), validate=False)
    return pd.Series(cat, index=s.index, name=s.name)


def points_from_table(table: pa.Table) -> pd.DataFrame:
    """Convert a Points pyarrow table to pandas with the canonical dtypes.

    Parameters
    ----------
    table
        A table with the Points columns (dictionary-encoded strings).

    Returns
    -------
    pandas.DataFrame
        Categories sorted, nullable booleans, UTC times.
    """
    # split_blocks + self_destruct: each column is converted and its Arrow buffers released in turn
    df = table.to_pandas(types_mapper={pa.bool_(): pd.BooleanDtype()}.get, split_blocks=True, self_destruct=True)
    for c in POINTS:
        df[c.name] = _canonical(c, df[c.name])
    return df


def _canonical(c: Any, s: pd.Series) -> pd.Series:
    """Column ``s`` with the dtype of the Points column ``c`` (a :class:`~flighttrace.schema.Column`): categories sorted, unused ones dropped."""
    if c.dtype == "bool":
        return s.astype(bool)
    if isinstance(c.dtype, pd.CategoricalDtype):
        if not isinstance(s.dtype, pd.CategoricalDtype):
            s = s.astype("category")
        return s.cat.set_categories(c.dtype.categories)
    if c.dtype == "category":
        if not isinstance(s.dtype, pd.CategoricalDtype):
            s = s.astype("category")
        return tidy_categories(s)
    if c.dtype == "int64":
        return s.astype(np.int64)
    if isinstance(c.dtype, pd.DatetimeTZDtype):
        return s.astype(c.dtype)
    return s


def _order_keys(
    icao24: pa.DictionaryArray, time: pa.Array | pa.ChunkedArray, src_file: pa.DictionaryArray, src_row: pa.Array | pa.ChunkedArray,
    file_order: dict[str, int],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Sort keys from the Arrow columns: icao24 ranked as text (as the sorted categories will be), time (ns), file rank, row."""
    hex_values = np.asarray(icao24.dictionary.to_pylist(), dtype=object)
    rank = np.empty(len(hex_values), dtype=np.int64)
    rank[np.argsort(hex_values.astype(str), kind="stable")] = np.arange(len(hex_values))
    hex_rank = rank[icao24.indices.to_numpy(zero_copy_only=False)]
    t = time.cast(pa.int64()).to_numpy(zero_copy_only=False)
    file_rank = np.asarray([file_order[f] for f in src_file.dictionary.to_pylist()], dtype=np.int64)[src_file.indices.to_numpy(zero_copy_only=False)]
    return hex_rank, t, file_rank, src_row.to_numpy(zero_copy_only=False)


def _point_order(hex_codes: np.ndarray, t: np.ndarray, file_rank: np.ndarray, src_row: np.ndarray) -> np.ndarray:
    """The row order by (icao24, time, file rank, src_row), as cheaply as the input allows.

    Rows usually arrive in input order (files in order, rows ascending in
    each) with each aircraft's times ascending: then a stable sort by
    aircraft alone gives the full order, an order of magnitude faster than a
    four-key sort. The result is the same in every case.
    """
    n = len(hex_codes)
    if n < 2:
        return np.arange(n)
    in_input_order = bool(np.all((file_rank[1:] > file_rank[:-1]) | ((file_rank[1:] == file_rank[:-1]) & (src_row[1:] >= src_row[:-1]))))
    if not in_input_order:
        return np.lexsort((src_row, narrow_codes(file_rank), t, narrow_codes(hex_codes)))
    order = np.argsort(narrow_codes(hex_codes), kind="stable")
    h, tt = hex_codes[order], t[order]
    same = h[1:] == h[:-1]
    if np.any(same & (tt[1:] < tt[:-1])):
        # times out of order within an aircraft; ties keep input order (both sorts are stable)
        order = _by_aircraft_then_time(hex_codes, t)
    return order


def narrow_codes(codes: np.ndarray) -> np.ndarray:
    """Non-negative integer codes in the narrowest unsigned type that holds them (``uint8`` or ``uint16``), else unchanged.

    A stable sort of 8- or 16-bit integers is NumPy's radix sort, several
    times faster than the merge sort of wider ones; the order is the same.
    """
    if len(codes) == 0 or codes.dtype.kind not in "iu":
        return codes
    lo, hi = int(codes.min()), int(codes.max())
    if lo < 0 or hi > np.iinfo(np.uint16).max:
        return codes
    return codes.astype(np.uint8 if hi <= np.iinfo(np.uint8).max else np.uint16)


def _by_aircraft_then_time(hex_codes: np.ndarray, t: np.ndarray) -> np.ndarray:
    """``np.lexsort((t, hex_codes))``, as one stable sort of a combined key when it fits in int64 (several times faster).

    The key is ``rank × span + (t − t_min)``, ``span`` the time range plus
    one; ranks are small non-negative integers, so it fits whenever
    ``(max rank + 1) × span`` stays below 2**62.
    """
    t0, t1, top = int(t.min()), int(t.max()), int(hex_codes.max())
    span = t1 - t0 + 1
    if int(hex_codes.min()) < 0 or (top + 1) * span >= 1 << 62:
        return np.lexsort((t, hex_codes))
    key = hex_codes.astype(np.int64)  # built in place: one temporary, not three
    key *= span
    key += t.astype(np.int64, copy=False) - t0  # (t - t_min) first: both terms stay below 2**62
    return np.argsort(key, kind="stable")


def assemble(tables: list[pa.Table], file_order: dict[str, int]) -> tuple[pd.DataFrame, pd.Series]:
    """Concatenate per-chunk tables, sort by (icao24, time), drop exact duplicates.

    Two records are duplicates when icao24, time, lat, lon and alt_ft are all
    equal. The first in input order (files sorted by path, then row) is kept.

    Parameters
    ----------
    tables
        Output of :func:`normalise_chunk` for every chunk of every file.
    file_order
        Rank of each ``src_file`` in input order.

    Returns
    -------
    points : pandas.DataFrame
        The Points table, sorted, index reset.
    duplicates : pandas.Series
        Number of duplicate records dropped, per ``src_file``.
    """
    from flighttrace.schema import empty_points

    kept = [t for t in tables if t is not None and t.num_rows]
    tables.clear()  # the caller's list no longer pins the chunks: memory is released as columns convert
    if not kept:
        return empty_points(), pd.Series(dtype=np.int64)
    table = pa.concat_tables(unify_types(kept))  # no copy: each column is the chunks' arrays
    del kept
    n = table.num_rows
    columns: dict[str, Any] = dict(zip(table.column_names, table.columns, strict=True))
    del table
    for name in ("icao24", "src_file"):  # one dictionary for all chunks: the codes of the sort keys
        columns[name] = pa.chunked_array([columns[name].unify_dictionaries().combine_chunks()])
    hex_codes, src_file = columns["icao24"].chunk(0), columns["src_file"].chunk(0)
    hex_rank, t, file_rank, src_row = _order_keys(hex_codes, columns["time"], src_file, columns["src_row"], file_order)
    order = _point_order(hex_rank, t, file_rank, src_row)
    del file_rank, src_row, hex_codes
    dup = _duplicates(hex_rank[order], t[order], columns["lat"], columns["lon"], columns["alt_ft"], order)
    del hex_rank, t
    dup_counts = _per_file(src_file, order[dup]) if dup.any() else pd.Series(dtype=np.int64)
    del src_file
    keep: np.ndarray | None = order[~dup] if dup.any() else order
    del order, dup
    if keep is not None and len(keep) == n and (np.diff(keep) == 1).all():
        keep = None  # already in order, nothing left out
    # each column gathered from its chunks in the final order (one copy), then its chunks released
    frame: dict[str, Any] = {}
    for c in POINTS:
        frame[c.name] = _canonical(c, pd.Series(gathered_column(columns.pop(c.name), keep), name=c.name, copy=False))
    df = pd.DataFrame(frame, copy=False)  # categories sorted, unused ones (duplicates only) dropped
    del frame
    return own_columns(df), dup_counts.astype(np.int64)


def _duplicates(hex_sorted: np.ndarray, t_sorted: np.ndarray, lat: pa.ChunkedArray, lon: pa.ChunkedArray, alt: pa.ChunkedArray,
                order: np.ndarray) -> np.ndarray:
    """Rows (in sorted order) equal to an earlier one in icao24, time, lat, lon and alt_ft (a missing altitude equals a missing one).

    Only the rows that share their aircraft and time with a neighbour are
    compared, with their values fetched from the Arrow columns (``order``
    maps sorted positions to rows).
    """
    n = len(order)
    same_key = np.zeros(n, dtype=bool)
    same_key[1:] = (hex_sorted[1:] == hex_sorted[:-1]) & (t_sorted[1:] == t_sorted[:-1])
    cand = same_key.copy()
    cand[:-1] |= same_key[1:]
    dup = np.zeros(n, dtype=bool)
    if cand.any():
        rows = pa.array(order[cand])
        alt_c = alt.take(rows).to_numpy(zero_copy_only=False)
        sub = pd.DataFrame({
            "icao24": hex_sorted[cand], "time": t_sorted[cand],
            "lat": lat.take(rows).to_numpy(zero_copy_only=False), "lon": lon.take(rows).to_numpy(zero_copy_only=False),
            "alt_ft": np.where(np.isnan(alt_c), alt_c.dtype.type(-1e30), alt_c),
        })
        dup[np.flatnonzero(cand)] = sub.duplicated(keep="first").to_numpy()
    return dup


def _per_file(src_file: pa.DictionaryArray, rows: np.ndarray) -> pd.Series:
    """How many of ``rows`` each file holds (files with none left out)."""
    codes = src_file.indices.to_numpy(zero_copy_only=False)[rows].astype(np.int64)
    names = src_file.dictionary.to_pylist()
    counts = np.bincount(codes, minlength=len(names))
    hit = np.flatnonzero(counts)
    return pd.Series(counts[hit], index=pd.Index([names[i] for i in hit], dtype=object), dtype=np.int64)


def own_columns(df: pd.DataFrame) -> pd.DataFrame:
    """Give every column a writeable buffer of its own.

    Arrow hands numeric columns to pandas without a copy, and those arrays
    are read-only: ``points.loc[i, "lat"] = ...`` would fail with
    "assignment destination is read-only" (pandas does not copy such a
    block on write). A column still on an Arrow buffer (one the row
    reordering did not copy already) is copied, one column at a time, so
    the peak is the frame plus one column.

    Parameters
    ----------
    df
        A frame built by :func:`points_from_table`; changed in place.

    Returns
    -------
    pandas.DataFrame
        The same frame.
    """
    for name in list(df.columns):
        arr = df[name].array
        base = getattr(arr, "_ndarray", None)  # numpy-backed and datetime extension arrays
        if isinstance(base, np.ndarray) and not base.flags.writeable:
            df[name] = df[name].copy(deep=True)
    return df
