"""Write simulated sbs files (the simulator's writer for :mod:`flighttrace.io.sbs`).

Every file written here is synthetic and listed in its world's ``synthetic.json``.
"""

from __future__ import annotations

import os
from typing import Any, Literal

import numpy as np
import pandas as pd

from flighttrace.io.sbs import (
    CALLSIGN_EVERY,
    CALLSIGN_WIDTH,
    EMERGENCY_SQUAWKS,
    F_ALT,
    F_CALLSIGN,
    F_GROUND,
    F_GS,
    F_LAT,
    F_LON,
    F_SQUAWK,
    F_TRACK,
    F_VRATE,
    NS_PER_MS,
    SBS_FIELDS,
    SQUAWK_EVERY,
)
from flighttrace.sim.writers.files import time_ordered

__all__ = ["write_sbs"]

# --------------------------------------------------------------------------- writer


def _fixed(values: np.ndarray, decimals: int) -> np.ndarray:
    """Floats → fixed-point texts with ``decimals`` places (``%1.Nf``), vectorised; "" for NaN."""
    v = np.asarray(values, dtype=np.float64)
    if len(v) == 0:
        return np.empty(0, dtype=object)
    nan = ~np.isfinite(v)
    scale = 10**decimals
    scaled = np.round(np.abs(np.where(nan, 0.0, v)) * scale).astype(np.int64)
    whole = (scaled // scale).astype(str).astype(object)
    frac = np.strings.zfill((scaled % scale).astype(str), decimals).astype(object) if decimals else ""
    sign = np.where((v < 0) & (scaled > 0), "-", "").astype(object)
    out = sign + whole + ("." + frac if decimals else "")
    return np.where(nan, "", out).astype(object)


def _ints(values: Any) -> np.ndarray:
    """Floats → integer texts; "" for NaN."""
    v = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    nan = ~np.isfinite(v)
    return np.where(nan, "", np.round(np.where(nan, 0.0, v)).astype(np.int64).astype(str).astype(object)).astype(object)


def _texts(values: Any, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(object array of strings with "" for missing, present mask)."""
    if values is None:
        return np.full(n, "", dtype=object), np.zeros(n, dtype=bool)
    s = pd.Series(values, dtype=object).reset_index(drop=True)
    present = s.notna().to_numpy()
    return np.where(present, s.astype(str).to_numpy(dtype=object), "").astype(object), present


def _decimals(style: str, tz: str | None) -> int:
    """Decimals of lat/lon for a style; a bad style / tz combination is a ValueError."""
    if style == "readsb":
        if tz is not None:
            raise ValueError("style 'readsb' writes UTC; tz is only for style 'dump1090-fa'")
        return 6
    if style == "dump1090-fa":
        if tz is None:
            raise ValueError("style 'dump1090-fa' writes local time: give tz (an IANA zone)")
        return 5
    raise ValueError(f"unknown style {style!r}; use 'readsb' or 'dump1090-fa'")


def _heads(t_ns: np.ndarray, hexes: np.ndarray, tz: str | None) -> np.ndarray:
    """Fields 2–10 of every line: session, aircraft and flight ids, the address, and the generated and logged times (ms, UTC or local)."""
    n = len(t_ns)
    ms_ns = (t_ns + NS_PER_MS // 2) // NS_PER_MS * NS_PER_MS
    if tz is not None:
        ms_ns = pd.DatetimeIndex(ms_ns.view("datetime64[ns]"), tz="UTC").tz_convert(tz).tz_localize(None).asi8
    stamp = pd.Series(np.datetime_as_string(ms_ns.view("datetime64[ns]"), unit="ms"), dtype=object)
    date = stamp.str.slice(0, 10).str.replace("-", "/", regex=False).to_numpy(dtype=object)
    clock = stamp.str.slice(11, 23).to_numpy(dtype=object)
    return "," + np.full(n, "1,1,", dtype=object) + hexes + ",1," + date + "," + clock + "," + date + "," + clock


def _lines(ttype: int, head: np.ndarray, mask: np.ndarray, fields: dict[int, Any]) -> tuple[np.ndarray, np.ndarray]:
    """(point indices, line texts) of one message type for the points in ``mask``."""
    idx = np.flatnonzero(mask)
    # constant separators are gathered into one string between the few varying fields
    out: Any = "MSG," + str(ttype) + head[idx]
    sep = ""
    for j in range(F_CALLSIGN, SBS_FIELDS):
        sep += ","
        if j in fields:
            value = fields[j]
            out = out + sep + (value[idx] if isinstance(value, np.ndarray) else value)
            sep = ""
    return idx, (out + sep if sep else out)


def write_sbs(
    points: pd.DataFrame,
    path: str | os.PathLike[str],
    *,
    tz: str | None = None,
    style: Literal["readsb", "dump1090-fa"] = "readsb",
) -> None:
    """Write Points of any number of aircraft as an SBS-1 / BaseStation log.

    Parameters
    ----------
    points, path
        The points (``time`` UTC) and the file to write.
    tz
        For ``style="dump1090-fa"``: the zone whose local time is written
        (required). Not allowed with ``style="readsb"``, which writes UTC.
    style
        ``"readsb"`` (UTC times, lat/lon with 6 decimals) or
        ``"dump1090-fa"`` (local times, 5 decimals).

    Notes
    -----
    Lines are sorted by time (ties by aircraft). Per point, in this order and
    with the point's time: MSG,1 with the callsign on change (first one
    included) and every :data:`CALLSIGN_EVERY` positions, MSG,6 with the
    squawk on change and every :data:`SQUAWK_EVERY` positions, MSG,4 with speed / track / vertical rate
    when any is known, then MSG,3 (MSG,2 when ``on_ground``). State precedes
    the position it belongs to, so a reader carrying state forward gives the
    same values back (speeds and track to 1 kt / 1 deg, altitude and vertical
    rate to 1 ft / 1 ft/min). CRLF line ends; the output is deterministic.

    Raises
    ------
    ValueError
        For a bad ``style`` / ``tz`` combination, or a callsign or squawk
        containing a comma or a line break (SBS cannot carry them).
    """
    decimals = _decimals(style, tz)
    n = len(points)
    pts, t_ns, hexes = time_ordered(points, upper=True)

    def col(name: str) -> Any:
        return pts[name] if name in pts else None

    def num(name: str) -> np.ndarray:
        return np.full(n, np.nan) if name not in pts else pd.to_numeric(pts[name], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)

    callsign, cs_present = _texts(col("callsign"), n)
    squawk, sq_present = _texts(col("squawk"), n)
    for label, values in (("callsign", callsign), ("squawk", squawk)):
        bad = [v for v in pd.unique(values) if any(ch in v for ch in ",\r\n")]
        if bad:
            raise ValueError(f"{label} {bad[0]!r} contains a comma or line break, which SBS cannot carry")
    ground = pd.Series(col("on_ground") if col("on_ground") is not None else [pd.NA] * n, dtype="boolean").reset_index(drop=True)
    ground_known = ground.notna().to_numpy()
    on_ground = ground.fillna(False).to_numpy(dtype=bool)

    head = _heads(t_ns, hexes, tz)

    # per-aircraft change detection (vectorised with a group-wise shift)
    g = pd.Series(hexes)
    prev_cs = pd.Series(callsign).groupby(g, sort=False).shift(1).to_numpy(dtype=object)
    prev_sq = pd.Series(squawk).groupby(g, sort=False).shift(1).to_numpy(dtype=object)
    nth = g.groupby(g, sort=False).cumcount().to_numpy()
    emit1 = cs_present & ((callsign != prev_cs) | (nth % CALLSIGN_EVERY == 0))
    emit6 = sq_present & ((squawk != prev_sq) | (nth % SQUAWK_EVERY == 0))
    gs, track, vrate, alt = num("gs_kt"), num("track_deg"), num("vrate_fpm"), num("alt_ft")
    emit4 = np.isfinite(gs) | np.isfinite(track) | np.isfinite(vrate)
    gnd_txt = np.where(ground_known, np.where(on_ground, "-1", "0"), "").astype(object)

    def line(ttype: int, mask: np.ndarray, fields: dict[int, Any]) -> tuple[np.ndarray, np.ndarray]:
        return _lines(ttype, head, mask, fields)

    emergency = np.where(pd.Series(squawk).isin(EMERGENCY_SQUAWKS).to_numpy(), "-1", "0").astype(object)
    padded = pd.Series(callsign).str.ljust(CALLSIGN_WIDTH).to_numpy(dtype=object)
    gs_txt, track_txt = _ints(gs), _ints(track)
    pos_fields = {F_ALT: _ints(alt), F_LAT: _fixed(num("lat"), decimals), F_LON: _fixed(num("lon"), decimals), F_GROUND: gnd_txt}
    # (order of the message within its point, point indices, texts)
    msgs = [
        (0, *line(1, emit1, {F_CALLSIGN: padded})),
        (1, *line(6, emit6, {F_SQUAWK: squawk, 18: "0", 19: emergency, 20: "0"})),
        (2, *line(4, emit4, {F_GS: gs_txt, F_TRACK: track_txt, F_VRATE: _ints(vrate), F_GROUND: gnd_txt})),
        (3, *line(2, on_ground, pos_fields | {F_GS: gs_txt, F_TRACK: track_txt})),
        (3, *line(3, ~on_ground, pos_fields)),
    ]
    point_idx = np.concatenate([idx for _, idx, _ in msgs])
    seq = np.concatenate([np.full(len(idx), s) for s, idx, _ in msgs])
    texts = np.concatenate([np.asarray(txt, dtype=object) for _, _, txt in msgs])
    out_order = np.lexsort((seq, point_idx))
    body = "\r\n".join(texts[out_order].tolist())
    data = (body + "\r\n" if n else "").encode("utf-8")
    os.makedirs(os.path.dirname(os.fspath(path)) or ".", exist_ok=True)
    with open(path, "wb") as fh:
        fh.write(data)
