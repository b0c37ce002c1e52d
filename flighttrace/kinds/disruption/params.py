"""The thresholds of the disruption measures and the columns of their tables (see :mod:`flighttrace.kinds.disruption.analysis`)."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any, Final

import numpy as np
import pandas as pd

from flighttrace.cells import objects
from flighttrace.schema import TIME_DTYPE
from flighttrace.tracks.params import GRADES

_HOUR_NS: Final = 3600 * 10**9
_NS: Final = 10**9
_STRONG: Final = ("observed", "inferred")
_RANK: Final = {g: i for i, g in enumerate(GRADES)}


@dataclass(frozen=True)
class DisruptionParams:
    """Thresholds of the disruption measures, each with its unit.

    Parameters
    ----------
    baseline_weeks
        Number of previous weeks whose same weekday and hour make the
        baseline (weeks). Default 4.
    band_level
        Central probability of the Poisson band drawn around the baseline
        mean (0–1). Default 0.95.
    closure_min_expected
        A run with no movement is a closure only when the baseline expects at
        least this many movements in it (movements). Default 4.0 (none seen
        has a Poisson probability of 1.8 %).
    closure_alpha
        …and at least ``ln(N / closure_alpha)`` movements, N being the
        baseline's movements per day at the field: an ordinary day of N
        Poisson movements then shows an empty run that long with probability
        below ``closure_alpha`` (its longest gap holds about ``ln N``
        expected movements). Default 0.05 per field and day (about 7.4
        movements at 85 a day, 8.1 at 170).
    closure_min_s
        Shortest run that can be a closure (s). Default 900 s.
    closure_rate_window_s
        The traffic rate next to a run is also measured from the movements
        seen this long before its start and after its end (s): the burst of
        waiting traffic after a reopening dates its end. Default 1,800 s.
    closure_quantile
        The interval of a closure's start (end) covers this probability of
        the waiting time for the next (previous) movement (0–1). Default 0.9.
    approach_radius_km
        An approach point is within this distance of the field (km). Default 25 km.
    approach_max_agl_ft
        …and at most this high above it (ft). Default 4,000 ft.
    approach_heading_tol_deg
        …on a track within this angle of the bearing to the field (deg). Default 30°.
    approach_glide_factor
        …and below this multiple of the 3° glide height for its distance,
        plus ``approach_glide_margin_ft``. Default 2.5.
    approach_glide_margin_ft
        See ``approach_glide_factor`` (ft). Default 1,000 ft.
    approach_min_vrate_fpm
        …descending: a vertical rate at or below this (ft/min), or, without
        one, an altitude lower than at the previous position. Default −200 ft/min.
    approach_min_s
        An approach lasts at least this long (s), first to last approach
        point. Default 60 s.
    turn_away_min_s
        A leg that approached a field and ends at no named field turned away
        when it was seen for at least this long after its last approach point
        (s) and ended further out than it had come. Default 120 s.
    turn_away_min_km
        …at least this much further from the field than its closest approach (km). Default 10 km.
    usual_min_legs
        A callsign's usual destination needs at least this many earlier legs
        with a named destination (legs). Default 2.
    usual_min_share
        …landing at that field for at least this share of them (0–1). Default 0.75.
    usual_gap_s
        Earlier legs of the callsign count only when they began at least this
        long before the leg judged (s), so the same day's flights are not
        their own baseline. Default 43,200 s.
    holding_circle_deg
        A full circle (deg). Default 360°.
    holding_circle_max_s
        …turned within this time (s). Default 420 s (a standard 1-minute
        racetrack takes about 4 minutes).
    holding_min_turn_deg
        A holding turns at least this much in all (deg): two circles, so that
        a missed-approach circuit (about one) is not a holding. Default 720°.
    holding_max_step_s
        Positions further apart than this (s) do not add to the turn. Default 90 s.
    holding_min_rate_deg_s
        A holding starts at its first and ends at its last step turning at
        least this fast (deg/s): the straight flight before and after is not
        part of it. Default 0.5°/s (a standard-rate turn is 3°/s).
    holding_min_agl_ft
        A holding is flown at least this high above the nearest watched field
        (ft); turns on the ground are never holding. Default 1,000 ft.
    holding_airport_km
        A holding is attributed to a field whose reference point is within
        this distance of its centre (km): the field the leg approached or was
        diverted from, else its destination, else the nearest watched field.
        Default 60 km.
    go_around_radius_km
        A go-around's low pass is within this distance of the field (km). Default 8 km.
    go_around_max_agl_ft
        …at most this high above it (ft). Default 1,000 ft.
    go_around_min_climb_ft
        …reached by descending at least this much, and followed by a climb of
        at least this much (ft). Default 700 ft.
    go_around_window_s
        Time before and after the low pass in which the descent and the climb
        are looked for, with no position on the ground (s). Default 300 s.
    excess_alpha
        "At least N holdings / diversions" is supported only when the count
        also stands out from the same hours of the baseline weeks: a Poisson
        count with their mean reaches it with probability at most this (0–1).
        Default 0.05.
    closure_grid_s
        Step of the start times at which a claimed closure is placed when
        measuring how much of a window could show it (s). Default 300 s.
    """

    baseline_weeks: int = 4
    band_level: float = 0.95
    closure_min_expected: float = 4.0
    closure_alpha: float = 0.05
    closure_min_s: float = 900.0
    closure_rate_window_s: float = 1800.0
    closure_quantile: float = 0.9
    approach_radius_km: float = 25.0
    approach_max_agl_ft: float = 4000.0
    approach_heading_tol_deg: float = 30.0
    approach_glide_factor: float = 2.5
    approach_glide_margin_ft: float = 1000.0
    approach_min_vrate_fpm: float = -200.0
    approach_min_s: float = 60.0
    turn_away_min_s: float = 120.0
    turn_away_min_km: float = 10.0
    usual_min_legs: int = 2
    usual_min_share: float = 0.75
    usual_gap_s: float = 43_200.0
    holding_circle_deg: float = 360.0
    holding_circle_max_s: float = 420.0
    holding_min_turn_deg: float = 720.0
    holding_max_step_s: float = 90.0
    holding_min_rate_deg_s: float = 0.5
    holding_min_agl_ft: float = 1000.0
    holding_airport_km: float = 60.0
    go_around_radius_km: float = 8.0
    go_around_max_agl_ft: float = 1000.0
    go_around_min_climb_ft: float = 700.0
    go_around_window_s: float = 300.0
    excess_alpha: float = 0.05
    closure_grid_s: float = 300.0

    def with_overrides(self, **overrides: Any) -> DisruptionParams:
        """A copy with some fields changed (unknown names raise ``TypeError``)."""
        known = {f.name for f in fields(self)}
        bad = sorted(set(overrides) - known)
        if bad:
            raise TypeError(f"unknown disruption parameter(s): {', '.join(bad)}; known: {', '.join(sorted(known))}")
        return replace(self, **overrides)


MOVEMENT_COLUMNS: Final[tuple[str, ...]] = (
    "airport", "kind", "time", "time_exact", "grade", "leg_id", "icao24", "callsign", "registration", "lineage",
)
"""Columns of :func:`movements` (``kind`` is ``arrival`` or ``departure``)."""

HOURLY_COLUMNS: Final[tuple[str, ...]] = (
    "airport", "hour", "arrivals", "departures", "movements", "covered", "baseline_weeks", "baseline_mean",
    "baseline_min", "baseline_max", "baseline_arrivals", "baseline_departures", "band_low", "band_high", "p_at_most", "tz",
)
"""Columns of :func:`hourly_movements` (``hour`` is the UTC start of the clock hour)."""

RUN_COLUMNS: Final[tuple[str, ...]] = (
    "airport", "closure", "start", "start_earliest", "start_latest", "end", "end_earliest", "end_latest", "duration_s",
    "gap_s", "expected", "threshold", "p_none", "baseline_known", "censored", "last_time", "next_time", "last_leg",
    "next_leg", "last_grade", "next_grade", "lineage", "grades",
)
"""Columns of :func:`movement_runs` and :func:`closures`.

``last_*`` is the movement before the run, ``next_*`` the one after it;
``start``/``end`` are the estimates, with their intervals; ``duration_s``
runs from the estimated start to the estimated end, ``gap_s`` from the last
movement to the next; ``expected`` is the baseline's movements in the run,
``threshold`` what it must reach for a closure, ``p_none`` = exp(−expected);
``censored`` says which end of the run lies at the edge of the data (or of an
uncovered stretch)."""

DIVERSION_COLUMNS: Final[tuple[str, ...]] = (
    "leg_id", "icao24", "callsign", "registration", "intended", "landed", "outcome", "method", "grade", "intent_grade",
    "landing_grade", "time", "approach_start", "approach_end", "approach_min_km", "approach_min_agl_ft", "usual_share",
    "usual_legs", "landing_time", "lineage", "detail",
)
"""Columns of :func:`diversions` (``outcome`` is ``diverted`` or ``turned_away``)."""

HOLDING_COLUMNS: Final[tuple[str, ...]] = (
    "holding_id", "leg_id", "icao24", "callsign", "registration", "airport", "start", "end", "duration_s", "turn_deg",
    "laps", "direction", "lat", "lon", "radius_km", "alt_min_ft", "alt_max_ft", "dist_km", "point_start", "point_end",
    "lineage", "grade",
)
"""Columns of :func:`holdings` (``lat``/``lon`` the centre; ``point_start``/``point_end`` rows of the sorted Points)."""

GO_AROUND_COLUMNS: Final[tuple[str, ...]] = (
    "leg_id", "icao24", "callsign", "registration", "airport", "time", "lat", "lon", "min_agl_ft", "min_dist_km", "climb_ft",
    "landed", "point_start", "point_end", "lineage", "grade",
)
"""Columns of :func:`go_arounds` (``time``, ``lat``, ``lon`` of the lowest point; ``landed`` the leg's destination)."""


def _empty(columns: tuple[str, ...], times: tuple[str, ...] = ()) -> pd.DataFrame:
    df = pd.DataFrame({c: pd.Series([], dtype=object) for c in columns})
    for c in times:
        df[c] = df[c].astype(TIME_DTYPE)
    return df


def _obj(s: pd.Series) -> np.ndarray:
    return objects(s)


def _weakest(a: Any, b: Any) -> np.ndarray:
    ra = pd.Series(np.asarray(a, dtype=object)).map(_RANK).fillna(len(GRADES) - 1).to_numpy(dtype=np.int64)
    rb = pd.Series(np.asarray(b, dtype=object)).map(_RANK).fillna(len(GRADES) - 1).to_numpy(dtype=np.int64)
    return np.asarray(GRADES, dtype=object)[np.maximum(ra, rb)]


def _utc(x: np.ndarray) -> pd.Series:
    """Float seconds since the epoch (NaN: unknown) as UTC times."""
    v = np.asarray(x, dtype=float)
    ns = np.where(np.isfinite(v), np.round(np.nan_to_num(v) * 1e9), 0).astype(np.int64)
    return pd.Series(pd.to_datetime(ns, utc=True), dtype=TIME_DTYPE).mask(~np.isfinite(v))
