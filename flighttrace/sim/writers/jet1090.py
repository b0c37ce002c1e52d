"""Write simulated jet1090 message logs (the simulator's writer for :mod:`flighttrace.io.jet1090`).

Every file written here is synthetic and listed in its world's ``synthetic.json``.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import pandas as pd

from flighttrace.io.sbs import CALLSIGN_EVERY, CALLSIGN_WIDTH, SQUAWK_EVERY
from flighttrace.sim.writers.files import time_ordered

__all__ = ["write_jet1090"]


def _json_numbers(values: Any) -> np.ndarray:
    """Floats as JSON number texts (the shortest text that reads back as the same float); ``null`` for NaN."""
    v = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    ok = np.isfinite(v)
    return np.where(ok, np.where(ok, v, 0.0).astype(str).astype(object), "null").astype(object)


def _json_ints(values: Any) -> np.ndarray:
    """Floats rounded to integer JSON texts; ``null`` for NaN."""
    v = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    ok = np.isfinite(v)
    return np.where(ok, np.round(np.where(ok, v, 0.0)).astype(np.int64).astype(str).astype(object), "null").astype(object)


def _json_strings(values: np.ndarray) -> np.ndarray:
    """Texts as JSON strings (quotes and backslashes escaped; control characters as ``\\u`` escapes)."""
    s = pd.Series(values, dtype=object).astype(str).str.replace("\\", "\\\\", regex=False).str.replace('"', '\\"', regex=False)
    s = s.str.replace(r"[\x00-\x1f]", lambda m: f"\\u{ord(m.group(0)):04x}", regex=True)
    return ('"' + s + '"').to_numpy(dtype=object)


def _texts(values: Any, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Strings stripped, and whether each is present (not missing, not blank)."""
    if values is None:
        return np.full(n, "", dtype=object), np.zeros(n, dtype=bool)
    s = pd.Series(values).reset_index(drop=True)
    present = s.notna().to_numpy() & (s.astype(str).str.strip() != "").to_numpy()
    return np.where(present, s.astype(str).str.strip(), "").astype(object), present


def write_jet1090(points: pd.DataFrame, path: str | os.PathLike[str]) -> None:
    """Write Points of any number of aircraft as jet1090 would log their messages: one JSON object per line.

    Parameters
    ----------
    points, path
        The points (``time`` UTC) and the file to write.

    Notes
    -----
    Lines are sorted by time (ties by aircraft). Per point, in this order
    and with the point's time: an identification (DF 17, BDS 0,8) with the
    callsign, padded to 8 characters, on change (the first one included) and
    every :data:`~flighttrace.io.sbs.CALLSIGN_EVERY` positions; an identity
    reply (DF 5) with the squawk, likewise every
    :data:`~flighttrace.io.sbs.SQUAWK_EVERY`; an airborne velocity (DF 17,
    BDS 0,9) when the point is flying and a speed, track or vertical rate is
    known; then the position: a surface position (BDS 0,6, with the speed
    and track) for a point on the ground, an airborne one (BDS 0,5, with the
    pressure altitude) otherwise. So a reader carrying state forward gives
    the points back (altitude and vertical rate to 1 ft and 1 ft/min). No
    ``frame`` is written: there is no real message behind these lines. The
    output is deterministic.
    """
    n = len(points)
    pts, t_ns, hexes = time_ordered(points, upper=False)

    def num(name: str) -> np.ndarray:
        return np.full(n, np.nan) if name not in pts else pd.to_numeric(pts[name], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)

    callsign, cs_present = _texts(pts["callsign"] if "callsign" in pts else None, n)
    squawk, sq_present = _texts(pts["squawk"] if "squawk" in pts else None, n)
    g = pd.Series(hexes)
    nth = g.groupby(g, sort=False).cumcount().to_numpy()
    emit_id = cs_present & ((callsign != pd.Series(callsign).groupby(g, sort=False).shift(1).to_numpy(dtype=object)) | (nth % CALLSIGN_EVERY == 0))
    emit_sq = sq_present & ((squawk != pd.Series(squawk).groupby(g, sort=False).shift(1).to_numpy(dtype=object)) | (nth % SQUAWK_EVERY == 0))
    on_ground = pd.Series(pts["on_ground"] if "on_ground" in pts else [pd.NA] * n, dtype="boolean").fillna(False).to_numpy(dtype=bool)
    gs, track, vrate = num("gs_kt"), num("track_deg"), num("vrate_fpm")
    emit_vel = ~on_ground & (np.isfinite(gs) | np.isfinite(track) | np.isfinite(vrate))

    head = '{"timestamp":' + _json_numbers(t_ns / 1e9) + ',"df":"'
    addr = '","icao24":"' + hexes.astype(object) + '"'
    gs_txt, track_txt = _json_numbers(gs), _json_numbers(track)
    latlon = ',"latitude":' + _json_numbers(num("lat")) + ',"longitude":' + _json_numbers(num("lon"))
    padded = pd.Series(callsign).str.ljust(CALLSIGN_WIDTH).to_numpy(dtype=object)
    msgs = [  # (order of the message within its point, mask of the points that have it, texts)
        (0, emit_id, head + "17" + addr + ',"bds":"08","callsign":' + _json_strings(padded) + "}"),
        (1, emit_sq, head + "5" + addr + ',"squawk":' + _json_strings(squawk) + "}"),
        (2, emit_vel, head + "17" + addr + ',"bds":"09","groundspeed":' + gs_txt + ',"track":' + track_txt + ',"vertical_rate":' + _json_ints(vrate) + "}"),
        (3, on_ground, head + "17" + addr + ',"bds":"06","groundspeed":' + gs_txt + ',"track":' + track_txt + latlon + "}"),
        (3, ~on_ground, head + "17" + addr + ',"bds":"05","altitude":' + _json_ints(num("alt_ft")) + ',"source":"barometric"' + latlon + "}"),
    ]
    point_idx = np.concatenate([np.flatnonzero(mask) for _, mask, _ in msgs])
    seq = np.concatenate([np.full(int(mask.sum()), s) for s, mask, _ in msgs])
    texts = np.concatenate([np.asarray(txt, dtype=object)[mask] for _, mask, txt in msgs])
    out = texts[np.lexsort((seq, point_idx))]
    data = ("\n".join(out.tolist()) + "\n" if n else "").encode("utf-8")
    os.makedirs(os.path.dirname(os.fspath(path)) or ".", exist_ok=True)
    with open(path, "wb") as fh:
        fh.write(data)
