"""Real approaches and climb-outs with their lowest part hidden: which field does ``detect_legs`` name then?

Receivers often lose an aircraft well above the field it lands at (terrain,
distance, a desert with no feeder). To see what ``detect_legs`` makes of
such an end, every take-off and landing of ``truth.csv`` whose field is
known is cut: for a landing, the aircraft's points from the last one at least
``h`` ft above the true field (in the 30 minutes before touchdown) to 20
minutes after touchdown are removed; for a take-off, likewise mirrored. The
leg that now ends (starts) at the cut is found and the field it names is
compared with the truth: ``right``, ``none`` (no field named: honest) or
``wrong``.

``python -m tests.realdata.cutaway`` prints the counts per height.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tests.realdata.compare import sample_path, truth

HEIGHTS_FT = (300.0, 1000.0, 2000.0, 3500.0, 5000.0)
"""Heights above the true field (ft) below which the track is hidden."""
WINDOW = pd.Timedelta(minutes=30)
"""How far before a touchdown (after a lift-off) the last (first) point above the height is looked for."""
AFTER = pd.Timedelta(minutes=20)
"""How long after a touchdown (before a lift-off) the points are removed with the low ones (the ground run, the taxi)."""


def _cut(ac: pd.DataFrame, event: Any, elev_ft: float, h: float) -> tuple[pd.DataFrame, pd.Timestamp] | None:
    """The aircraft's points with the part below ``h`` ft hidden at ``event``, and the time of the new end; None when never that high."""
    t, alt = ac["time"], ac["alt_ft"].to_numpy(dtype=float)
    if event.event == "landing":
        near = ((t <= event.time) & (t >= event.time - WINDOW)).to_numpy()
        high = np.flatnonzero(near & (alt >= elev_ft + h))
        if not len(high):
            return None
        cut = t.iloc[high[-1]]
        drop = ((t > cut) & (t <= event.time + AFTER)).to_numpy()
    else:
        near = ((t >= event.time) & (t <= event.time + WINDOW)).to_numpy()
        high = np.flatnonzero(near & (alt >= elev_ft + h))
        if not len(high):
            return None
        cut = t.iloc[high[0]]
        drop = ((t < cut) & (t >= event.time - AFTER)).to_numpy()
    return ac[~drop], cut


def evaluate(folder: Path, heights: tuple[float, ...] = HEIGHTS_FT, **leg_params: Any) -> pd.DataFrame:
    """One row per (truth event, height): the field named at the cut end, its grade, and ``result``."""
    import flighttrace
    from flighttrace.reference.airports import AirportIndex
    from flighttrace.tracks.legs import detect_legs

    table = AirportIndex.default().table
    elevations: dict[str, float] = dict(zip(table["code"].astype(str), table["elevation_ft"].fillna(0.0).astype(float), strict=True))
    rows = []
    for name, ev in truth().groupby("file", sort=True):  # one sample file at a time
        pts = flighttrace.read(sample_path(str(name), folder)).points
        for e in ev.itertuples():
            if str(e.airport) not in elevations:
                continue
            elev = elevations[str(e.airport)]
            ac = pts[pts["icao24"] == e.icao24].reset_index(drop=True)
            end = "destination" if e.event == "landing" else "origin"
            edge = "last_seen" if e.event == "landing" else "first_seen"
            for h in heights:
                cut = _cut(ac, e, elev, h)
                if cut is None:
                    continue
                legs = detect_legs(cut[0], geometry=False, lineage=False, **leg_params)
                hit = legs[(legs[edge] - cut[1]).abs() <= pd.Timedelta(seconds=1)]
                named = hit.iloc[0][end] if len(hit) else None
                rows.append({
                    "file": name, "icao24": e.icao24, "callsign": e.callsign, "event": e.event, "time": e.time, "airport": e.airport,
                    "height_ft": h, "named": named if isinstance(named, str) else None,
                    "grade": hit.iloc[0][f"{end}_evidence"] if len(hit) else "no leg",
                    "reason": hit.iloc[0][f"{end}_reason"] if len(hit) else "",
                })
    out = pd.DataFrame(rows)
    out["result"] = np.where(out["named"].isna(), "none", np.where(out["named"] == out["airport"], "right", "wrong"))
    return out


def summary(res: pd.DataFrame) -> pd.DataFrame:
    """Counts of right, none and wrong per height."""
    return res.pivot_table(index="height_ft", columns="result", values="file", aggfunc="count", fill_value=0)


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        r = evaluate(Path(tmp))
    pd.set_option("display.width", 250)
    pd.set_option("display.max_colwidth", 120)
    print(summary(r).to_string())
    wrong = r[r["result"] == "wrong"]
    if len(wrong):
        print(wrong[["file", "callsign", "event", "time", "airport", "height_ft", "named", "reason"]].to_string())
    sys.exit(0)
