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

from flighttrace.legs import GRADES
from flighttrace.schema import TIME_DTYPE

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
    return tuple(scenario.resolve_airports(s) for s in seq)  # type: ignore[return-value]


def find_sorties(legs: pd.DataFrame, scenario: Any, route: str | None = None, *, fleet: str | None = None) -> pd.DataFrame:
    """Chain legs into the sorties of a scenario's route.

    Parameters
    ----------
    legs
        Output of :func:`flighttrace.detect_legs`.
    scenario
        The :class:`~flighttrace.scenario.Scenario` (routes, airport groups, fleet).
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
    rows: list[dict[str, Any]] = []
    used: set[int] = set()
    n = len(lg)
    dest = lg["destination"].to_numpy(dtype=object)
    orig = lg["origin"].to_numpy(dtype=object)
    hexes = lg["icao24"].astype(str).to_numpy()
    for i in range(n):  # one pass over the fleet's legs (hundreds), not over points
        if i in used or dest[i] not in far:
            continue
        if orig[i] is not None and not pd.isna(orig[i]) and orig[i] not in home_a:
            continue  # a known origin outside the route's first group: not this route
        j = i + 1
        out = None
        if j < n and j not in used and hexes[j] == hexes[i] and orig[j] == dest[i]:
            gt = _ground_time(lg.iloc[i], lg.iloc[j])
            back_ok = dest[j] is None or pd.isna(dest[j]) or dest[j] in home_b
            if (np.isnan(gt[1]) or gt[1] <= max_ground) and back_ok:
                out = j
        used.add(i)
        if out is not None:
            used.add(out)
        rows.append(_row(lg, i, out, r.id))
    # departures from the far field whose inbound leg was never seen
    for j in range(n):
        if j in used or orig[j] not in far:
            continue
        if dest[j] is not None and not pd.isna(dest[j]) and dest[j] not in home_b:
            continue
        used.add(j)
        rows.append(_row(lg, None, j, r.id))
    if not rows:
        return pd.DataFrame(columns=list(SORTIES_COLUMNS))
    df = pd.DataFrame(rows)
    for c in ("depart_origin", "arrive_far", "depart_far", "arrive_back"):
        df[c] = pd.to_datetime(df[c], utc=True).astype(TIME_DTYPE)
    key = df["arrive_far"].fillna(df["depart_far"])
    df = df.assign(_k=key).sort_values(["_k", "icao24"], kind="stable").drop(columns="_k").reset_index(drop=True)
    df["sortie_id"] = [f"{r.id}-{k + 1:03d}" for k in range(len(df))]
    return df[list(SORTIES_COLUMNS)]


def _ground_time(a: pd.Series, b: pd.Series) -> tuple[float, float]:
    """(ground time s from landing to takeoff, lower bound s from last to first sighting)."""
    exact = np.nan
    if pd.notna(a["landing_time"]) and pd.notna(b["takeoff_time"]):
        exact = (b["takeoff_time"] - a["landing_time"]).total_seconds()
    low = (b["first_seen"] - a["last_seen"]).total_seconds()
    return exact, max(low, 0.0) if np.isnan(exact) else exact


def _val(x: Any) -> Any:
    return None if x is None or (not isinstance(x, str) and pd.isna(x)) else x


def _row(lg: pd.DataFrame, i: int | None, j: int | None, route_id: str) -> dict[str, Any]:
    a = lg.iloc[i] if i is not None else None
    b = lg.iloc[j] if j is not None else None
    ref = a if a is not None else b
    assert ref is not None
    arr_g = a["destination_evidence"] if a is not None else "bridged"
    dep_g = b["origin_evidence"] if b is not None else "bridged"
    notes = []
    if a is None:
        notes.append("inbound leg not seen: the visit is known from the departure")
    if b is None:
        notes.append("return leg not seen: the visit is known from the arrival")
    gt = _ground_time(a, b) if a is not None and b is not None else (np.nan, np.nan)
    lineage = "; ".join(x for x in (a["lineage"] if a is not None else None, b["lineage"] if b is not None else None) if x)
    return {
        "route": route_id,
        "icao24": ref["icao24"],
        "registration": _val(ref.get("registration")),
        "callsign": ",".join(dict.fromkeys(str(x["callsign"]) for x in (a, b) if x is not None and _val(x["callsign"]) is not None)) or None,
        "origin": _val(a["origin"]) if a is not None else None,
        "far": _val(a["destination"]) if a is not None else _val(b["origin"]),
        "back": _val(b["destination"]) if b is not None else None,
        "in_leg": a["leg_id"] if a is not None else None,
        "out_leg": b["leg_id"] if b is not None else None,
        "depart_origin": a["takeoff_time"] if a is not None else pd.NaT,
        "arrive_far": a["landing_time"] if a is not None else pd.NaT,
        "depart_far": b["takeoff_time"] if b is not None else pd.NaT,
        "arrive_back": b["landing_time"] if b is not None else pd.NaT,
        "ground_time_s": gt[0],
        "ground_time_min_s": gt[1],
        "evidence": weakest(arr_g, dep_g),
        "arrival_evidence": arr_g,
        "departure_evidence": dep_g,
        "origin_evidence": a["origin_evidence"] if a is not None else "unknown",
        "back_evidence": b["destination_evidence"] if b is not None else "unknown",
        "note": "; ".join(notes),
        "lineage": lineage,
    }
