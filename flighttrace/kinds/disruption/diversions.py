"""Approaches to a field and diversions: legs heading for one field that ended at another (see :mod:`flighttrace.kinds.disruption.analysis`)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from flighttrace.cells import as_float, as_int
from flighttrace.geo import bearing_deg, haversine_km
from flighttrace.kinds.disruption.params import _NS, DIVERSION_COLUMNS, DisruptionParams, _empty, _obj, _utc, _weakest
from flighttrace.kinds.disruption.points import _as_arrays, _PointArrays, field_rows
from flighttrace.numfmt import fmt_n
from flighttrace.schema import TIME_DTYPE
from flighttrace.timeutil import time_ns
from flighttrace.tracks.params import FT_PER_NM_GLIDE


def approaches(points: pd.DataFrame | _PointArrays, legs: pd.DataFrame, fields_: pd.DataFrame, *, params: DisruptionParams | None = None) -> pd.DataFrame:
    """Approaches: stretches of a leg descending low toward a field.

    Parameters
    ----------
    points
        The Points table the legs were detected from (or its arrays, built once by :func:`analyze`).
    legs
        The Legs table.
    fields_
        Fields to test (``code``, ``lat``, ``lon``, ``elevation_ft``; see :func:`field_table`).
    params
        Thresholds (:class:`DisruptionParams`).

    Returns
    -------
    pandas.DataFrame
        One row per (leg, field) with an approach of at least
        ``approach_min_s``: ``leg``, ``airport``, ``first``, ``last`` (row
        indices), ``t_first``, ``t_last`` (s), ``min_km``, ``min_agl_ft``,
        ``end_km`` (distance of the leg's last point).
    """
    p = params or DisruptionParams()
    pa = _as_arrays(points, legs)
    cols = ["leg", "airport", "first", "last", "t_first", "t_last", "min_km", "min_agl_ft", "end_km"]
    n = len(pa.t)
    if n == 0 or len(fields_) == 0 or len(legs) == 0:
        return pd.DataFrame({c: [] for c in cols})
    has_leg = pa.leg >= 0
    same = np.zeros(n, dtype=bool)
    same[1:] = pa.leg[1:] == pa.leg[:-1]
    dalt = np.full(n, np.nan)
    dalt[1:] = np.where(same[1:], pa.alt[1:] - pa.alt[:-1], np.nan)
    with np.errstate(invalid="ignore"):
        descending = np.where(np.isfinite(pa.vr), pa.vr <= p.approach_min_vrate_fpm, dalt < 0)
    airborne = has_leg & ~pa.ground & np.isfinite(pa.alt)
    last_of_leg = legs["point_end"].to_numpy(dtype=np.int64) - 1
    out = []
    for f in field_rows(fields_):  # one pass per field
        d = haversine_km(pa.lat, pa.lon, f.lat, f.lon)
        near = airborne & (d <= p.approach_radius_km)
        if not near.any():
            continue
        i = np.flatnonzero(near)
        agl = pa.alt[i] - f.elevation_ft
        brg = bearing_deg(pa.lat[i], pa.lon[i], f.lat, f.lon)
        head = np.abs((pa.trk[i] - brg + 180.0) % 360.0 - 180.0) <= p.approach_heading_tol_deg
        head |= ~np.isfinite(pa.trk[i]) | (d[i] < 2.0)
        glide = agl <= p.approach_glide_factor * (d[i] / 1.852) * FT_PER_NM_GLIDE + p.approach_glide_margin_ft
        ok = (agl <= p.approach_max_agl_ft) & head & glide & descending[i]
        i = i[ok]
        if len(i) == 0:
            continue
        leg = pa.leg[i]
        g = pd.DataFrame({"leg": leg, "i": i, "t": pa.t[i], "d": d[i], "agl": pa.alt[i] - f.elevation_ft})
        agg = g.groupby("leg", sort=True).agg(first=("i", "min"), last=("i", "max"), t_first=("t", "min"), t_last=("t", "max"),
                                               min_km=("d", "min"), min_agl_ft=("agl", "min"))
        agg = agg[(agg["t_last"] - agg["t_first"]) >= p.approach_min_s].reset_index()
        if len(agg) == 0:
            continue
        agg["airport"] = f.code
        agg["end_km"] = d[last_of_leg[agg["leg"].to_numpy()]]
        out.append(agg[cols])
    if not out:
        return pd.DataFrame({c: [] for c in cols})
    return pd.concat(out, ignore_index=True).sort_values(["leg", "t_first"], kind="stable").reset_index(drop=True)


def _usual_destinations(legs: pd.DataFrame, watched: set[str], p: DisruptionParams) -> pd.DataFrame:
    """Per leg with a callsign: its callsign's usual destination over the previous weeks (vectorised self-join)."""
    cols = ["row", "usual", "usual_share", "usual_legs"]
    if len(legs) == 0 or "callsign" not in legs:
        return pd.DataFrame({c: [] for c in cols})
    cs = legs["callsign"].astype(object).where(legs["callsign"].notna(), None)
    base = pd.DataFrame({"callsign": cs, "t": time_ns(legs["first_seen"]), "dest": legs["destination"].astype(object), "row": np.arange(len(legs))})
    base = base[base["callsign"].notna() & (base["callsign"].astype(str).str.strip() != "")]
    past = base[base["dest"].notna()]
    pairs = base.merge(past, on="callsign", suffixes=("", "_b"))
    span = p.baseline_weeks * 7 * 86400 * _NS + p.usual_gap_s * _NS
    dt = pairs["t"] - pairs["t_b"]
    pairs = pairs[(dt >= p.usual_gap_s * _NS) & (dt <= span)]
    if len(pairs) == 0:
        return pd.DataFrame({c: [] for c in cols})
    cnt = pairs.groupby(["row", "dest_b"], sort=True).size().rename("n").reset_index()
    tot = cnt.groupby("row")["n"].transform("sum")
    cnt["share"] = cnt["n"] / tot
    cnt["tot"] = tot
    top = cnt.sort_values(["row", "n", "dest_b"], ascending=[True, False, True], kind="stable").drop_duplicates("row")
    top = top[(top["tot"] >= p.usual_min_legs) & (top["share"] >= p.usual_min_share) & top["dest_b"].isin(watched)]
    return pd.DataFrame({"row": top["row"].to_numpy(), "usual": top["dest_b"].to_numpy(dtype=object),
                         "usual_share": top["share"].to_numpy(dtype=float), "usual_legs": top["tot"].to_numpy(dtype=np.int64)})


def _approach_intents(legs: pd.DataFrame, appr: pd.DataFrame, watched: set[str], dest: np.ndarray, p: DisruptionParams) -> dict[int, dict[str, Any]]:
    """Leg row → what shows it meant to land at a watched field it approached but did not land at."""
    rows: dict[int, dict[str, Any]] = {}
    a = appr[appr["airport"].isin(watched)]
    lg_idx = a["leg"].to_numpy(dtype=np.int64)
    d = dest[lg_idx]
    other = np.array([x is not None for x in d]) & (a["airport"].to_numpy(dtype=object) != d)
    # turned away: no named end, seen for a while after the approach, and ending further out
    last_t = time_ns(legs["last_seen"]).astype(float) / 1e9
    away = np.array([x is None for x in d]) & ((last_t[lg_idx] - a["t_last"].to_numpy()) >= p.turn_away_min_s) & (
        a["end_km"].to_numpy() >= a["min_km"].to_numpy() + p.turn_away_min_km)
    pick = a[other | away].sort_values(["leg", "t_first"], kind="stable")
    for r in pick.itertuples():  # one row per diverted leg (the first field it approached)
        leg = int(r.leg)
        if leg in rows:
            continue
        rows[leg] = {"intended": r.airport, "method": "approach", "intent_grade": "observed", "approach_start": r.t_first,
                     "approach_end": r.t_last, "approach_min_km": float(r.min_km), "approach_min_agl_ft": float(r.min_agl_ft),
                     "first": int(r.first), "last": int(r.last), "outcome": "diverted" if dest[leg] is not None else "turned_away"}
    return rows


def _add_usual_intents(rows: dict[int, dict[str, Any]], usual: pd.DataFrame, dest: np.ndarray) -> None:
    """Add (to ``rows``) the legs that landed away from their callsign's usual destination."""
    for r in usual.itertuples():  # one row per leg with a usual destination
        leg = as_int(r.row)
        if dest[leg] is None or dest[leg] == r.usual:
            continue
        if leg in rows:
            if rows[leg]["intended"] == r.usual:
                rows[leg]["method"] = "approach+usual destination"
            rows[leg]["usual_share"], rows[leg]["usual_legs"] = as_float(r.usual_share), as_int(r.usual_legs)
            continue
        rows[leg] = {"intended": r.usual, "method": "usual destination", "intent_grade": "inferred", "usual_share": as_float(r.usual_share),
                     "usual_legs": as_int(r.usual_legs), "outcome": "diverted"}


def _details(info: list[dict[str, Any]], outcome: np.ndarray, landed: np.ndarray, landing_grade: np.ndarray) -> list[str]:
    """One sentence per diversion: how its intent shows, and where it went."""
    detail = []
    for r, o, y, lgd in zip(info, outcome, landed, landing_grade, strict=True):  # one sentence per diversion
        if r["method"].startswith("approach"):
            how = f"descended toward {r['intended']} to {r['approach_min_agl_ft']:,.0f} ft above it, {r['approach_min_km']:.1f} km out"
        else:
            how = f"its callsign landed at {r['intended']} on {fmt_n(r.get('usual_legs'), 'earlier leg')} ({r.get('usual_share', 0):.0%})"
        if "usual" in r["method"] and r["method"].startswith("approach"):
            how += f"; its callsign usually lands there ({r.get('usual_legs')} earlier legs)"
        where = f"landed at {y} ({lgd})" if o == "diverted" else "then flew away from it; no field named at the end of the track"
        detail.append(f"{how}; {where}")
    return detail


def diversions(
    legs: pd.DataFrame,
    appr: pd.DataFrame | None,
    watched: Any,
    *,
    params: DisruptionParams | None = None,
) -> pd.DataFrame:
    """Legs heading for a watched field that ended elsewhere (see the module docs).

    Parameters
    ----------
    legs, params
        As :func:`approaches`.
    appr
        :func:`approaches` output (``None``: no Points table, only the usual
        destination can show intent).
    watched
        Fields whose diversions are looked for (codes).

    Returns
    -------
    pandas.DataFrame
        Columns of :data:`DIVERSION_COLUMNS`, sorted by time.
    """
    p = params or DisruptionParams()
    watched = set(watched)
    times = ("time", "approach_start", "approach_end", "landing_time")
    if len(legs) == 0:
        return _empty(DIVERSION_COLUMNS, times)
    dest = legs["destination"].astype(object).where(legs["destination"].notna(), None).to_numpy(dtype=object)
    rows = _approach_intents(legs, appr, watched, dest, p) if appr is not None and len(appr) else {}
    _add_usual_intents(rows, _usual_destinations(legs, watched, p), dest)
    if not rows:
        return _empty(DIVERSION_COLUMNS, times)
    idx = np.array(sorted(rows), dtype=np.int64)
    lg = legs.iloc[idx]
    info = [rows[int(i)] for i in idx]

    def col(name: str, default: Any = None) -> list[Any]:
        return [r.get(name, default) for r in info]

    def ts_s(vals: list[Any]) -> pd.Series:
        return _utc(np.array([np.nan if x is None else float(x) for x in vals]))

    landed = dest[idx]
    landing_grade = np.where(np.array([x is None for x in landed]), "unknown", lg["destination_evidence"].astype(object).to_numpy())
    intent = np.array(col("intent_grade"), dtype=object)
    land_t = lg["landing_time"].astype(TIME_DTYPE).fillna(lg["landing_time_latest"].astype(TIME_DTYPE)) if "landing_time_latest" in lg else lg["landing_time"].astype(TIME_DTYPE)
    t = land_t.fillna(lg["last_seen"].astype(TIME_DTYPE))
    outcome = np.array(col("outcome", "diverted"), dtype=object)
    detail = _details(info, outcome, landed, landing_grade)
    out = pd.DataFrame({
        "leg_id": _obj(lg["leg_id"]), "icao24": _obj(lg["icao24"]), "callsign": _obj(lg["callsign"]),
        "registration": _obj(lg["registration"]) if "registration" in lg else np.full(len(lg), None, dtype=object),
        "intended": np.array(col("intended"), dtype=object), "landed": landed, "outcome": outcome,
        "method": np.array(col("method"), dtype=object), "grade": _weakest(intent, landing_grade), "intent_grade": intent,
        "landing_grade": landing_grade.astype(object), "time": t.array,
        "approach_start": ts_s(col("approach_start")).array, "approach_end": ts_s(col("approach_end")).array,
        "approach_min_km": np.array([np.nan if x is None else x for x in col("approach_min_km")], dtype=float),
        "approach_min_agl_ft": np.array([np.nan if x is None else x for x in col("approach_min_agl_ft")], dtype=float),
        "usual_share": np.array([np.nan if x is None else x for x in col("usual_share")], dtype=float),
        "usual_legs": np.array([np.nan if x is None else x for x in col("usual_legs")], dtype=float),
        "landing_time": land_t.array, "lineage": _obj(lg["lineage"]) if "lineage" in lg else np.full(len(lg), None, dtype=object),
        "detail": np.array(detail, dtype=object),
    })
    for c in times:
        out[c] = out[c].astype(TIME_DTYPE)
    return out.sort_values(["time", "leg_id"], kind="stable").reset_index(drop=True)[list(DIVERSION_COLUMNS)]
