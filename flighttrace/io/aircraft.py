"""readsb / dump1090 ``aircraft.json`` snapshots and v2 API responses.

Two JSON shapes, both one snapshot of every aircraft a receiver (or an
aggregator) tracks at one moment (formats.md §2.1–2.3):

``aircraft_json``
    ``{"now": s, "messages": n, "aircraft": [...]}`` as written by readsb,
    dump1090-fa and dump1090-mutability, and the readsb API's non-jv2
    envelope ``{"now", "aircraft", "resultCount", "ptime"}``.
``v2_api``
    The jv2 / "ADSBx v2" shape of readsb's API, adsb.lol, airplanes.live and
    ADS-B Exchange: ``{"ac": [...], "msg", "now", "total", "ctime", "ptime"}``.
    readsb writes ``now`` and ``ctime`` in milliseconds, airplanes.live
    documents seconds: a value above :data:`NOW_MS_THRESHOLD` is taken as ms.

Each aircraft entry is one record (``src_row`` = its index in the array).
Position time is ``now − seen_pos``; an entry whose regular position is
missing but that carries ``lastPosition {lat, lon, seen_pos}`` (readsb: the
position is older than 60 s) gives that position, marked ``stale``. An entry
without any position is still a record and is quarantined with the reason
"no position in this snapshot".
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Iterator
from typing import Any, Final

import numpy as np
import pandas as pd

from flighttrace.cells import none_where
from flighttrace.io._base import FormatError, RawChunk, ReadContext, ReaderSpec
from flighttrace.io.jsonrows import select_records
from flighttrace.io.readsb import SOURCE_TYPES

__all__ = ["read_aircraft_json", "read_v2", "SPECS", "NOW_MS_THRESHOLD"]

NOW_MS_THRESHOLD: Final = 1e11
"""A ``now`` / ``ctime`` above this is milliseconds since the epoch, not seconds
(1e11 s is the year 5138; 1e11 ms is March 1973)."""

MS_PER_S: Final = 1000.0
"""Milliseconds per second."""

NO_POSITION: Final = "no position in this snapshot"
"""Quarantine reason for an entry with neither lat/lon nor lastPosition."""

_KEYS: Final = (
    "hex", "type", "flight", "r", "t", "dbFlags", "alt_baro", "altitude", "gs", "speed", "track",
    "baro_rate", "vert_rate", "geom_rate", "squawk", "lat", "lon", "seen_pos", "seen", "mlat", "tisb",
    "lastPosition",
)
"""Entry keys the reader uses (others are ignored; the raw entry keeps them)."""


MLAT_FIELDS: Final = ("lat", "lon", "nic", "rc", "track", "gs")
"""The ``mlat`` list written for multilaterated positions (fields readsb takes from MLAT)."""

LAT_LON_DECIMALS: Final = 6
"""Decimal places of lat/lon, deg (readsb prints ``%f``)."""

SPEED_DECIMALS: Final = 1
"""Decimal places of gs (kt) and track (deg), as readsb prints them."""

SEEN_DECIMALS: Final = 3
"""Decimal places of ``seen_pos`` / ``seen``, s."""


# --------------------------------------------------------------------------- helpers


def _is_number(x: Any) -> bool:
    """A JSON number (``true`` / ``false`` are not)."""
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _now_seconds(value: Any, key: str, ctx: ReadContext) -> float:
    """``now`` / ``ctime`` in seconds, detecting milliseconds by magnitude."""
    now = float(value)
    if not np.isfinite(now):
        raise FormatError(f"'{key}' is not a finite number (found {value!r:.40})")
    if now > NOW_MS_THRESHOLD:
        ctx.notes.append(f"'{key}' {value!r:.20} is above {NOW_MS_THRESHOLD:g}, read as milliseconds")
        now /= MS_PER_S
    if not 0.0 <= now <= NOW_MS_THRESHOLD:
        raise FormatError(f"'{key}' {value!r:.40} is not a time in seconds or milliseconds since 1970")
    return now


def _objects(col: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """A frame column as (object array, mask of missing values: absent key or null)."""
    arr = col.to_numpy(dtype=object, copy=True)
    return arr, np.asarray(pd.isna(arr), dtype=bool)


def _num(col: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A frame column as (float64, present mask, mask of present values that are not numbers)."""
    if col.dtype.kind in "fiu":
        v = col.to_numpy(dtype=np.float64, copy=True)
        return v, ~np.isnan(v), np.zeros(len(v), dtype=bool)
    arr, missing = _objects(col)
    bools = np.fromiter(map(isinstance, arr, itertools.repeat(bool)), dtype=bool, count=len(arr))
    num = pd.to_numeric(pd.Series(arr, dtype=object), errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan, copy=True)
    num[bools] = np.nan  # JSON true / false are not numbers
    return num, ~missing, ~missing & np.isnan(num)


def _strings(col: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """A frame column as (object array of str / None, mask of present non-strings)."""
    arr, missing = _objects(col)
    is_str = np.fromiter(map(isinstance, arr, itertools.repeat(str)), dtype=bool, count=len(arr))
    out = none_where(~is_str, arr)
    return out, ~missing & ~is_str


def _prefer(first: tuple[np.ndarray, np.ndarray, np.ndarray], second: tuple[np.ndarray, np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row: the first spelling's (value, present, bad) when present, else the second's."""
    v1, p1, b1 = first
    v2, p2, b2 = second
    return np.where(p1, v1, v2), p1 | p2, np.where(p1, b1, b2)


def _lists_containing(col: pd.Series, item: str) -> np.ndarray:
    """Rows whose value is a list containing ``item`` (readsb ``mlat`` / ``tisb``)."""
    arr, _ = _objects(col)
    is_list = np.fromiter(map(isinstance, arr, itertools.repeat(list)), dtype=bool, count=len(arr))
    out = np.zeros(len(arr), dtype=bool)
    if is_list.any():
        idx = np.flatnonzero(is_list)
        out[idx] = np.fromiter(map(operator.contains, arr[idx], itertools.repeat(item)), dtype=bool, count=len(idx))
    return out


def _match_aircraft(obj: Any) -> bool:
    """aircraft.json shape: an object with ``now`` and ``aircraft``."""
    return isinstance(obj, dict) and "aircraft" in obj and "now" in obj


def _match_v2(obj: Any) -> bool:
    """v2 API shape: an object with ``ac`` and ``now`` or ``ctime``."""
    return isinstance(obj, dict) and "ac" in obj and ("now" in obj or "ctime" in obj)


# --------------------------------------------------------------------------- reader


class _Problems(list[tuple[np.ndarray, str]]):
    """``(mask, reason)`` pairs for the framework; a mask that flags nothing is left out."""

    def flag(self, mask: np.ndarray, reason: str) -> None:
        if mask.any():
            self.append((mask, reason))


def _altitude(df: pd.DataFrame, problems: _Problems) -> tuple[np.ndarray, np.ndarray]:
    """Altitude (ft) and ground state: alt_baro (readsb, dump1090-fa) or altitude (dump1090-mutability); "ground" = on the ground."""
    baro_obj, baro_missing = _objects(df["alt_baro"])
    legacy_obj, _ = _objects(df["altitude"])
    alt_obj = np.where(baro_missing, legacy_obj, baro_obj).astype(object)
    alt_key_used = np.where(baro_missing, "altitude", "alt_baro")
    ground = np.asarray(alt_obj == "ground", dtype=bool)
    alt_obj[ground] = None
    alt, alt_present, bad = _num(pd.Series(alt_obj, dtype=object))
    for key in ("alt_baro", "altitude"):
        problems.flag(bad & (alt_key_used == key), f'{key} is neither a number nor "ground"')
    on_ground = np.where(ground, 1.0, np.where(alt_present & ~bad, 0.0, np.nan))
    return alt, on_ground


def _last_positions(
    df: pd.DataFrame, has_regular: np.ndarray, lat: np.ndarray, lon: np.ndarray, now: float, problems: _Problems
) -> tuple[np.ndarray, np.ndarray]:
    """Take ``lastPosition`` where the regular position is absent (into ``lat``, ``lon``); return (stale, its time)."""
    n = len(df)
    lp_obj, _ = _objects(df["lastPosition"])
    lp_dict = np.fromiter(map(isinstance, lp_obj, itertools.repeat(dict)), dtype=bool, count=n) & ~has_regular
    stale = np.zeros(n, dtype=bool)
    lp_time = np.full(n, np.nan)
    if not lp_dict.any():
        return stale, lp_time
    idx = np.flatnonzero(lp_dict)
    lp = pd.DataFrame(list(lp_obj[idx]), columns=["lat", "lon", "seen_pos"])
    lp_lat, lp_lat_p, lp_lat_bad = _num(lp["lat"])
    lp_lon, lp_lon_p, lp_lon_bad = _num(lp["lon"])
    lp_seen, lp_seen_p, lp_seen_bad = _num(lp["seen_pos"])
    use = lp_lat_p | lp_lon_p
    take = idx[use]
    stale[take] = True
    lat[take], lon[take] = lp_lat[use], lp_lon[use]
    for vals, what in ((lp_lat_bad, "lat"), (lp_lon_bad, "lon"), (lp_seen_bad, "seen_pos")):
        m = np.zeros(n, dtype=bool)
        m[take] = vals[use]
        problems.flag(m, f"lastPosition {what} is not a number")
    lp_time[take] = now - lp_seen[use]
    m = np.zeros(n, dtype=bool)
    m[take] = ~lp_seen_p[use]
    problems.flag(m, "lastPosition has no seen_pos, so its time is unknown")
    return stale, lp_time


def _position_sources(df: pd.DataFrame, problems: _Problems) -> np.ndarray:
    """Position source: mlat / tisb field lists first, then the readsb source type."""
    type_str, bad = _strings(df["type"])
    problems.flag(bad, "type is not a string")
    codes, uniques = pd.factorize(type_str, use_na_sentinel=True)
    lut = np.array([SOURCE_TYPES.get(str(u), "other") for u in uniques] + ["unknown"], dtype=object)
    position_source = lut[codes]
    position_source[_lists_containing(df["tisb"], "lat")] = "other"
    position_source[_lists_containing(df["mlat"], "lat")] = "mlat"
    return position_source


def _read_entries(entries: list[Any], now: float, ctx: ReadContext, label: str) -> Iterator[RawChunk]:
    """Turn the aircraft array of one snapshot into a chunk."""
    ok = np.fromiter(map(isinstance, entries, itertools.repeat(dict)), dtype=bool, count=len(entries))
    recs = select_records(entries, ok, f"{label} entry is not a JSON object")
    if not len(recs):
        yield RawChunk.only_quarantine(recs.quarantine)
        return
    n = len(recs)
    df = pd.DataFrame(recs.records, columns=list(_KEYS))
    problems = _Problems()
    flag = problems.flag

    hex_, bad = _strings(df["hex"])
    flag(bad, "hex is not a string")
    texts: dict[str, np.ndarray] = {}
    for key, name in (("flight", "callsign"), ("squawk", "squawk"), ("r", "registration"), ("t", "typecode")):
        texts[name], bad = _strings(df[key])
        flag(bad, f"{key} is not a string")
    alt, on_ground = _altitude(df, problems)

    gs, _, bad = _prefer(_num(df["gs"]), _num(df["speed"]))
    flag(bad, "gs is not a number")
    track, _, bad = _num(df["track"])
    flag(bad, "track is not a number")
    vrate, _, bad = _prefer(_prefer(_num(df["baro_rate"]), _num(df["vert_rate"])), _num(df["geom_rate"]))
    flag(bad, "vertical rate (baro_rate / vert_rate / geom_rate) is not a number")

    lat, lat_p, bad = _num(df["lat"])
    flag(bad, "lat is not a number")
    lon, lon_p, bad = _num(df["lon"])
    flag(bad, "lon is not a number")
    seen_pos, seen_pos_p, bad = _num(df["seen_pos"])
    flag(bad, "seen_pos is not a number")
    seen, seen_p, bad = _num(df["seen"])
    flag(bad, "seen is not a number")
    has_regular = lat_p | lon_p
    stale, lp_time = _last_positions(df, has_regular, lat, lon, now, problems)
    flag(~has_regular & ~stale, NO_POSITION)

    time = np.where(seen_pos_p, now - seen_pos, np.where(seen_p, now - seen, now))
    time = np.where(stale, lp_time, time)
    positioned = has_regular & ~stale
    if (positioned & ~seen_pos_p & seen_p).any():
        ctx.notes.append(f"{label}: position time taken as now − seen for entries without seen_pos")
    if (positioned & ~seen_pos_p & ~seen_p).any():
        ctx.notes.append(f"{label}: position time taken as the snapshot's now for entries without seen_pos or seen")
    position_source = _position_sources(df, problems)

    db, _, bad = _num(df["dbFlags"])
    flag(bad, "dbFlags is not a number")
    with np.errstate(invalid="ignore"):
        military = np.mod(np.floor(db), 2.0)  # dbFlags & 1, NaN when absent

    columns = {
        "icao24": hex_, "time": time, "lat": lat, "lon": lon, "alt_ft": alt, "on_ground": on_ground, "gs_kt": gs, "track_deg": track,
        "vrate_fpm": vrate, "callsign": texts["callsign"], "squawk": texts["squawk"], "registration": texts["registration"],
        "typecode": texts["typecode"], "military": military, "position_source": position_source, "stale": stale, "new_leg": np.zeros(n, dtype=bool),
    }
    yield recs.chunk(columns, list(problems))


def read_aircraft_json(obj: dict[str, Any], ctx: ReadContext) -> Iterator[RawChunk]:
    """Read a parsed ``aircraft.json`` snapshot (or readsb non-jv2 API response): one chunk for the whole snapshot.

    A ``json`` reader (:mod:`flighttrace.io._base`) of an object with ``now`` (s) and ``aircraft``.

    Raises
    ------
    FormatError
        When ``now`` is not a number or ``aircraft`` is not an array.
    """
    now_v = obj.get("now")
    if not _is_number(now_v):
        raise FormatError(f"aircraft.json without a numeric 'now' (found {now_v!r:.40})")
    now = _now_seconds(now_v, "now", ctx)
    entries = obj.get("aircraft")
    if not isinstance(entries, list):
        raise FormatError(f"aircraft.json whose 'aircraft' is not an array (found {type(entries).__name__})")
    yield from _read_entries(entries, now, ctx, "aircraft")


def read_v2(obj: dict[str, Any], ctx: ReadContext) -> Iterator[RawChunk]:
    """Read a parsed v2 API response (jv2 / adsb.lol / airplanes.live / ADSBx v2): one chunk for the whole response.

    A ``json`` reader (:mod:`flighttrace.io._base`) of an object with ``ac``
    and ``now`` (or ``ctime``), in seconds or milliseconds.

    Raises
    ------
    FormatError
        When neither ``now`` nor ``ctime`` is a number, or ``ac`` is neither an
        array nor null.
    """
    now_v, key = obj.get("now"), "now"
    if not _is_number(now_v):
        now_v, key = obj.get("ctime"), "ctime"
        if not _is_number(now_v):
            raise FormatError(f"v2 API response without a numeric 'now' or 'ctime' (found now={obj.get('now')!r:.40})")
        ctx.notes.append("v2 API response without a numeric 'now': snapshot time taken from 'ctime'")
    now = _now_seconds(now_v, key, ctx)
    entries = obj.get("ac")
    if entries is None:  # ADSBx answers "ac": null when nothing matched
        entries = []
    if not isinstance(entries, list):
        raise FormatError(f"v2 API response whose 'ac' is not an array (found {type(entries).__name__})")
    yield from _read_entries(entries, now, ctx, "ac")


SPECS = (
    ReaderSpec(
        name="aircraft_json",
        kind="json",
        func=read_aircraft_json,
        description="readsb / dump1090 aircraft.json snapshot (now + aircraft), also the readsb API's non-jv2 answer",
        match=_match_aircraft,
    ),
    ReaderSpec(
        name="v2_api",
        kind="json",
        func=read_v2,
        description="v2 API response (ac + now/ctime): readsb jv2, adsb.lol, airplanes.live, ADS-B Exchange v2",
        match=_match_v2,
    ),
)
