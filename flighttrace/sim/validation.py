"""Check detected legs and sorties against a ground truth (a simulated world's ``truth/``).

The same checks serve the test suite, the benchmarks and anyone who holds a
list of known flights: a detected leg matches a true leg of the same aircraft
when their time spans overlap; a detected sortie matches a true sortie of the
same aircraft when their stays at the far field overlap.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from flighttrace.cells import as_time

__all__ = ["load_truth", "compare_legs", "compare_sorties"]

_TIMES = ("off_block", "takeoff_time", "landing_time", "on_block", "land_far", "depart_far")


def load_truth(root: str | os.PathLike[str]) -> dict[str, pd.DataFrame]:
    """Read ``truth/legs.csv``, ``truth/sorties.csv`` and ``truth/coverage.csv`` with UTC times."""
    tdir = Path(root) / "truth"
    out = {}
    for name in ("legs", "sorties", "coverage"):
        df = pd.read_csv(tdir / f"{name}.csv", dtype={"icao24": str})
        for c in _TIMES:
            if c in df:
                df[c] = pd.to_datetime(df[c], utc=True)
        out[name] = df
    return out


def _error_s(detected: object, true: object) -> float:
    """Detected minus true time, s (NaN when either is unknown)."""
    a, b = as_time(detected), as_time(true)
    return np.nan if a is None or b is None else (a - b).total_seconds()


def compare_legs(legs: pd.DataFrame, truth_legs: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Match detected legs to true legs and score airports, grades and times.

    Parameters
    ----------
    legs
        Output of :func:`flighttrace.detect_legs`.
    truth_legs
        ``truth/legs.csv`` (see :func:`load_truth`); legs never visible are ignored.

    Returns
    -------
    matches : pandas.DataFrame
        One row per visible true leg: the detected leg it matched (if exactly
        one), true and detected airports, truth conditions, detected grades,
        and time errors (s).
    summary : dict
        Counts and rates: ``matched``, ``unmatched``, ``split`` (one true leg,
        several detections), ``extra`` (detections matching nothing),
        ``right_airport_rate`` over ends whose truth is observed or inferred,
        ``grade_match_rate`` over all matched ends, median and max time errors.
    """
    vis = truth_legs[truth_legs["n_visible"] > 0].reset_index(drop=True)
    lg = legs.reset_index(drop=True)
    by_hex = {h: g for h, g in lg.groupby(lg["icao24"].astype(str), sort=False)}
    rows = []
    claimed: set[int] = set()
    for r in vis.itertuples():  # one lookup per true leg
        cand = by_hex.get(str(r.icao24))
        hit: list[int] = []
        if cand is not None:
            ok = (cand["first_seen"] <= r.on_block) & (cand["last_seen"] >= r.off_block)
            hit = list(cand.index[ok.to_numpy()])
        claimed.update(hit)
        d = lg.loc[hit[0]] if len(hit) == 1 else None
        rows.append({
            "leg_id": r.leg_id, "role": r.role, "n_detected": len(hit), "detected_leg": d["leg_id"] if d is not None else None,
            "true_origin": r.origin, "true_destination": r.destination,
            "origin_condition": r.origin_condition, "destination_condition": r.destination_condition,
            "origin": d["origin"] if d is not None else None, "destination": d["destination"] if d is not None else None,
            "origin_evidence": d["origin_evidence"] if d is not None else None,
            "destination_evidence": d["destination_evidence"] if d is not None else None,
            "takeoff_error_s": _error_s(d["takeoff_time"], r.takeoff_time) if d is not None else np.nan,
            "landing_error_s": _error_s(d["landing_time"], r.landing_time) if d is not None else np.nan,
        })
    m = pd.DataFrame(rows)
    one = m[m["n_detected"] == 1]
    ends = []
    for side in ("origin", "destination"):
        e = one[[f"true_{side}", f"{side}_condition", side, f"{side}_evidence"]].copy()
        e.columns = ["true", "condition", "detected", "grade"]
        ends.append(e)
    ends_df = pd.concat(ends, ignore_index=True)
    strong = ends_df[ends_df["condition"].isin(["observed", "inferred"])]
    summary = {
        "true_legs_visible": int(len(vis)),
        "matched": int(len(one)),
        "unmatched": int((m["n_detected"] == 0).sum()),
        "split": int((m["n_detected"] > 1).sum()),
        "extra": int(len(set(lg.index) - claimed)),
        "strong_ends": int(len(strong)),
        "right_airport_rate": float((strong["true"] == strong["detected"]).mean()) if len(strong) else float("nan"),
        "grade_match_rate": float((ends_df["condition"] == ends_df["grade"]).mean()) if len(ends_df) else float("nan"),
        "grades": pd.crosstab(ends_df["condition"], ends_df["grade"]),
        "takeoff_error_median_s": float(one["takeoff_error_s"].abs().median()),
        "takeoff_error_max_s": float(one["takeoff_error_s"].abs().max()),
        "landing_error_median_s": float(one["landing_error_s"].abs().median()),
        "landing_error_max_s": float(one["landing_error_s"].abs().max()),
    }
    return m, summary


def compare_sorties(sorties: pd.DataFrame, truth_sorties: pd.DataFrame, truth_legs: pd.DataFrame, *, far: str, roles: tuple[str, ...] = ("fleet",)) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Match detected sorties to true sorties at the far field.

    A true sortie is *findable* when the far-field end of at least one of its
    legs is visible with a grade other than unknown. Every findable sortie
    should be found once; no detected sortie should match nothing.

    Returns
    -------
    matches : pandas.DataFrame
        One row per true sortie: findable or not, detected sortie ids.
    summary : dict
        ``findable``, ``found``, ``missed``, ``duplicated``, ``invented``.
    """
    t = truth_sorties[(truth_sorties["far"] == far) & truth_sorties["role"].isin(roles)].reset_index(drop=True)
    cond = truth_legs.set_index("leg_id")
    rows = []
    claimed: set[int] = set()
    for s in t.itertuples():  # one lookup per true sortie
        c_in = cond.at[s.out_leg, "destination_condition"] if s.out_leg in cond.index else "unseen"
        c_out = cond.at[s.back_leg, "origin_condition"] if s.back_leg in cond.index else "unseen"
        findable = c_in in ("observed", "inferred", "bridged") or c_out in ("observed", "inferred", "bridged")
        cand = sorties[sorties["icao24"].astype(str) == str(s.icao24)]
        a = cand["arrive_far"].fillna(cand["depart_far"] - pd.Timedelta(hours=12))
        b = cand["depart_far"].fillna(cand["arrive_far"] + pd.Timedelta(hours=12))
        hit = list(cand.index[((a <= s.depart_far) & (b >= s.land_far)).to_numpy()])
        claimed.update(hit)
        rows.append({"sortie_id": s.sortie_id, "icao24": s.icao24, "land_far": s.land_far, "findable": findable,
                     "n_detected": len(hit), "detected": ",".join(str(sorties.at[k, "sortie_id"]) for k in hit)})
    m = pd.DataFrame(rows)
    fm = m[m["findable"]]
    summary = {
        "true_sorties": int(len(m)),
        "findable": int(len(fm)),
        "found": int((fm["n_detected"] == 1).sum()),
        "missed": int((fm["n_detected"] == 0).sum()),
        "duplicated": int((m["n_detected"] > 1).sum()),
        "invented": int(len(set(sorties.index) - claimed)),
    }
    return m, summary
