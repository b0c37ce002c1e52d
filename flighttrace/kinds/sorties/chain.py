"""Sorties: legs chained into the route patterns a scenario defines.

A route such as ``[azerbaijan, LLOV, azerbaijan]`` with a largest ground time
describes an out-and-back sortie: a leg from a field of the first group to the
far field, a stay on the ground there, and a leg back to a field of the last
group. :func:`find_sorties` finds them among the legs of the scenario's fleet.

Rules (each can be checked on the output):

* The two legs of a sortie belong to the same aircraft (icao24) and follow
  each other: the return leg is the aircraft's next leg, it starts at the
  field where the first one ended, and the ground time between them is at
  most the route's ``max_ground_time``.
* A known home end must be in its group; an unknown home end (graded
  ``unknown``) does not disqualify the sortie, and is reported as such.
* A sortie whose inbound or outbound leg was never seen is kept when the
  other leg proves the visit to the far field (it landed there, or took off
  from there); its grade is then ``bridged``.
* No leg counts in two sorties.
* The sortie's grade is the weakest of the grades at the far field (landing
  of the inbound leg, takeoff of the outbound leg), in the order observed >
  inferred > bridged > unknown.
"""

from __future__ import annotations

from typing import Any, Final

import numpy as np
import pandas as pd

from flighttrace.schema import TIME_DTYPE
from flighttrace.tracks.legs import GRADES

__all__ = ["find_sorties", "SORTIES_COLUMNS", "weakest"]

SORTIES_COLUMNS: Final[tuple[str, ...]] = (
    "sortie_id", "route", "icao24", "registration", "callsign", "origin", "far", "back",
    "in_leg", "out_leg", "depart_origin", "arrive_far", "depart_far", "arrive_back",
    "ground_time_s", "ground_time_min_s", "evidence", "arrival_evidence", "departure_evidence",
    "origin_evidence", "back_evidence", "note", "lineage",
)
"""Columns of the Sorties table (times UTC; ground times in seconds)."""

_RANK: Final = {g: i for i, g in enumerate(GRADES)}


def weakest(*grades: str) -> str:
    """The weakest of evidence grades (``observed`` > ``inferred`` > ``bridged`` > ``unknown``)."""
    return GRADES[max(_RANK.get(g, len(GRADES) - 1) for g in grades)]


def _groups(scenario: Any, route: Any) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    seq = list(route.sequence)
    if len(seq) != 3:
        raise ValueError(f"route {route.id!r} has {len(seq)} stops; find_sorties handles out-and-back routes of 3 stops (home, far, home)")
    return tuple(scenario.resolve_airports(s) for s in seq)


def find_sorties(legs: pd.DataFrame, scenario: Any, route: str | None = None, *, fleet: str | None = None) -> pd.DataFrame:
    """Chain legs into the sorties of a scenario's route.

    Parameters
    ----------
    legs
        Output of :func:`flighttrace.detect_legs`.
    scenario
        The :class:`~flighttrace.scenario.model.Scenario` (routes, airport groups, fleet).
    route
        Route id; default: the scenario's first route.
    fleet
        Selector id; default: the union of the scenario's subject selectors.

    Returns
    -------
    pandas.DataFrame
        One row per sortie with the columns of :data:`SORTIES_COLUMNS`,
        sorted by the arrival at the far field.
    """
    routes = {r.id: r for r in scenario.routes}
    if not routes:
        raise ValueError("the scenario defines no route")
    if route is None:
        r = scenario.routes[0]
    elif route in routes:
        r = routes[route]
    else:
        raise KeyError(f"unknown route {route!r}; the scenario has: {', '.join(routes)}")
    home_a, far, home_b = _groups(scenario, r)
    max_ground = r.max_ground_time.total_seconds()
    if len(legs) == 0:
        return pd.DataFrame(columns=list(SORTIES_COLUMNS))
    mask = scenario.fleet_mask(legs, fleet)
    lg = legs[np.asarray(mask, dtype=bool)].sort_values(["icao24", "first_seen"], kind="stable").reset_index(drop=True)
    n = len(lg)
    dest = lg["destination"].to_numpy(dtype=object)
    orig = lg["origin"].to_numpy(dtype=object)
    hexes = lg["icao24"].astype(str).to_numpy()
    in_far_d = np.isin(dest, list(far))
    in_far_o = np.isin(orig, list(far))
    known_o = pd.notna(orig)
    known_d = pd.notna(dest)
    ok_origin = ~known_o | np.isin(orig, list(home_a))
    ok_back = ~known_d | np.isin(dest, list(home_b))
    # ground time between each leg and the next (exact, and a lower bound from the sightings)
    land = _ns(lg["landing_time"])
    take = _ns(lg["takeoff_time"])
    first = _ns(lg["first_seen"])
    last = _ns(lg["last_seen"])
    nxt = np.arange(1, n + 1)
    nxt[-1:] = n - 1 if n else 0
    exact = np.where((land >= 0) & (take[np.minimum(nxt, n - 1)] >= 0), (take[np.minimum(nxt, n - 1)] - land) / 1e9, np.nan) if n else np.empty(0)
    low = np.maximum((first[np.minimum(nxt, n - 1)] - last) / 1e9, 0.0) if n else np.empty(0)
    gt_test = np.where(np.isnan(exact), low, exact)
    pair_ok = np.zeros(n, dtype=bool)
    if n > 1:
        pair_ok[:-1] = (hexes[1:] == hexes[:-1]) & (orig[1:] == dest[:-1]) & ok_back[1:] & (gt_test[:-1] <= max_ground)
    inbound = in_far_d & ok_origin
    # greedy in time order, as a reader would chain them: a leg serves in at most one sortie
    ins: list[int] = []
    outs: list[int] = []
    used = np.zeros(n, dtype=bool)
    for i in np.flatnonzero(inbound):  # one step per inbound leg at the far field, on arrays
        if used[i]:
            continue
        used[i] = True
        j = i + 1
        if pair_ok[i] and not used[j]:
            used[j] = True
            ins.append(int(i))
            outs.append(int(j))
        else:
            ins.append(int(i))
            outs.append(-1)
    # departures from the far field whose inbound leg was never seen
    for j in np.flatnonzero(in_far_o & ~used & ok_back):
        used[j] = True
        ins.append(-1)
        outs.append(int(j))
    if not ins:
        return pd.DataFrame(columns=list(SORTIES_COLUMNS))
    df = _table(lg, np.asarray(ins), np.asarray(outs), exact, low, r.id)
    key = df["arrive_far"].fillna(df["depart_far"])
    df = df.assign(_k=key).sort_values(["_k", "icao24"], kind="stable").drop(columns="_k").reset_index(drop=True)
    df["sortie_id"] = [f"{r.id}-{k + 1:03d}" for k in range(len(df))]
    return df[list(SORTIES_COLUMNS)]


def _ns(s: pd.Series) -> np.ndarray:
    """Times as int64 ns, -1 where missing."""
    if len(s) == 0:
        return np.empty(0, dtype=np.int64)
    t = pd.to_datetime(s, utc=True).dt.as_unit("ns")
    return np.where(t.isna().to_numpy(), -1, t.to_numpy(dtype="datetime64[ns]", na_value=np.datetime64("NaT")).view(np.int64))


def _table(lg: pd.DataFrame, ins: np.ndarray, outs: np.ndarray, exact: np.ndarray, low: np.ndarray, route_id: str) -> pd.DataFrame:
    """The Sorties table from (inbound, outbound) leg positions (-1 = not seen), built column-wise."""
    has_a, has_b = ins >= 0, outs >= 0
    a, b = np.maximum(ins, 0), np.maximum(outs, 0)

    def col(name: str, idx: np.ndarray, present: np.ndarray, fill: object = None) -> np.ndarray:
        v = lg[name].to_numpy(dtype=object)[idx]
        v = v.copy()
        v[~present] = fill
        return np.array([None if (x is not None and not isinstance(x, str) and pd.isna(x)) else x for x in v], dtype=object)

    def tcol(name: str, idx: np.ndarray, present: np.ndarray) -> pd.Series:
        t = pd.to_datetime(lg[name], utc=True).astype(TIME_DTYPE).to_numpy()[idx]
        return pd.Series(t, dtype=TIME_DTYPE).where(present)

    ref = np.where(has_a, a, b)
    arr_g = np.where(has_a, lg["destination_evidence"].to_numpy(dtype=object)[a], "bridged")
    dep_g = np.where(has_b, lg["origin_evidence"].to_numpy(dtype=object)[b], "bridged")
    both = has_a & has_b
    cs_a = col("callsign", a, has_a)
    cs_b = col("callsign", b, has_b)
    callsign = [",".join(dict.fromkeys(x for x in (p, q) if x is not None)) or None for p, q in zip(cs_a, cs_b, strict=True)]  # one per sortie
    lin_a = col("lineage", a, has_a, "")
    lin_b = col("lineage", b, has_b, "")
    lineage = ["; ".join(x for x in (p, q) if x) for p, q in zip(lin_a, lin_b, strict=True)]  # one per sortie
    note = np.where(~has_a, "inbound leg not seen: the visit is known from the departure",
                    np.where(~has_b, "return leg not seen: the visit is known from the arrival", ""))
    far = np.where(has_a, col("destination", a, has_a), col("origin", b, has_b))
    return pd.DataFrame({
        "route": route_id,
        "icao24": lg["icao24"].astype(str).to_numpy()[ref],
        "registration": col("registration", ref, np.ones(len(ref), bool)) if "registration" in lg else None,
        "callsign": callsign,
        "origin": col("origin", a, has_a),
        "far": far,
        "back": col("destination", b, has_b),
        "in_leg": col("leg_id", a, has_a),
        "out_leg": col("leg_id", b, has_b),
        "depart_origin": tcol("takeoff_time", a, has_a),
        "arrive_far": tcol("landing_time", a, has_a),
        "depart_far": tcol("takeoff_time", b, has_b),
        "arrive_back": tcol("landing_time", b, has_b),
        "ground_time_s": np.where(both, exact[a], np.nan),
        "ground_time_min_s": np.where(both, np.where(np.isnan(exact[a]), low[a], exact[a]), np.nan),
        "evidence": [weakest(x, y) for x, y in zip(arr_g, dep_g, strict=True)],  # one per sortie
        "arrival_evidence": arr_g,
        "departure_evidence": dep_g,
        "origin_evidence": np.where(has_a, lg["origin_evidence"].to_numpy(dtype=object)[a], "unknown"),
        "back_evidence": np.where(has_b, lg["destination_evidence"].to_numpy(dtype=object)[b], "unknown"),
        "note": note,
        "lineage": lineage,
    })
