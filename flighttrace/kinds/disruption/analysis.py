"""Airport disruption from ADS-B: movements against a baseline, closures, diversions, holding, go-arounds.

Every function here is pure: tables in (the Legs table of
:func:`flighttrace.detect_legs`, the Points table it was detected from, a
coverage table), tables out. The work is done on whole columns; a Python loop
runs at most once per airport (or per hour of the result), never per point.

The measures
------------
**Movements.** A movement is a take-off or a landing at a named field: one
end of a leg (:func:`movements`). Its time is the leg's ``takeoff_time`` /
``landing_time``; a ``bridged`` end (the lift-off or touchdown was not seen)
takes the bound the legs give (``takeoff_time_earliest`` /
``landing_time_latest``) and is flagged ``time_exact = False``.

**Baseline.** Movements are counted per airport and clock hour
(:func:`hourly_movements`). The baseline of an hour is the same hour of the
same weekday in each of the previous ``baseline_weeks`` weeks, using only the
weeks whose hour is *covered* (some file spans the day and some position
inside the scenario's region was seen in that hour, see :func:`hourly_coverage`).
The table gives the baseline's mean, minimum and maximum and a Poisson band
around the mean (central ``band_level`` probability).

**Closures.** A *run* is the time between two consecutive movements at a
field (:func:`movement_runs`). The baseline says how many movements to expect
in it (the integral of the hourly baseline mean over the run). A run is a
**closure** when it is at least ``closure_min_s`` long and the baseline
expects at least ``max(closure_min_expected, ln(N / closure_alpha))``
movements in it, N being the field's baseline movements per day: an ordinary
day's longest gap holds about ``ln N`` expected movements, so a run that
empty is no accident of ordinary traffic (probability below
``closure_alpha`` per field and day). A quiet night with nothing scheduled is
never a closure. Runs end at the edges of uncovered hours too: nothing is
inferred from hours without data. The start lies between the last movement before the run and the time
the next one was due: with the traffic rate just before the run (the larger
of the baseline rate and the movements seen in the ``closure_rate_window_s``
before it), the estimate is one mean interval after the last movement, and
the interval is the ``closure_quantile`` of the waiting time. The end is
estimated the same way backwards from the first movement after the run.

**Diversions.** A leg is a diversion when it was heading for field X and
ended at another field Y (:func:`diversions`), shown in one of two ways:

- *approach*: its track descended toward X, low (at most
  ``approach_max_agl_ft`` above X, within ``approach_radius_km``, on a track
  within ``approach_heading_tol_deg`` of the bearing to X, under
  ``approach_glide_factor`` times the 3° glide height for the distance) for
  at least ``approach_min_s``; the intent is then *observed*. A leg that
  approached X and then flew on, away from it, with no field named at its end
  is a diversion that **turned away** (where it landed is unknown);
- *usual destination*: its callsign landed at X on at least
  ``usual_min_legs`` legs in the ``baseline_weeks`` weeks before, for at least
  ``usual_min_share`` of its named landings; the intent is then *inferred*.

The diversion's grade is the weaker of the intent and the landing at Y.

**Holding.** A holding is a stretch of track where the aircraft kept turning
the same way (:func:`holdings`): its cumulative turn (from the track angle of
consecutive positions) reaches ``holding_circle_deg`` within
``holding_circle_max_s``, repeatedly, for a total of at least
``holding_min_turn_deg``. The table gives the start, end, duration, centre,
radius, altitudes, number of laps, and the field it was held for.

**Go-arounds.** A low pass near a field (at most ``go_around_max_agl_ft``
above it, within ``go_around_radius_km``) reached by descending and followed by
a climb of at least ``go_around_min_climb_ft``, with no position on the ground
in between (:func:`go_arounds`).

:func:`analyze` runs them all for a scenario and returns a :class:`Disruption`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields, replace
from typing import Any, Final

import numpy as np
import pandas as pd

from flighttrace.geo import bearing_deg, haversine_km
from flighttrace.schema import TIME_DTYPE
from flighttrace.timeutil import time_ns
from flighttrace.tracks.params import FT_PER_NM_GLIDE, GRADES

__all__ = [
    "DisruptionParams",
    "Disruption",
    "MOVEMENT_COLUMNS",
    "HOURLY_COLUMNS",
    "RUN_COLUMNS",
    "DIVERSION_COLUMNS",
    "HOLDING_COLUMNS",
    "GO_AROUND_COLUMNS",
    "movements",
    "hourly_coverage",
    "hourly_movements",
    "movement_runs",
    "closures",
    "approaches",
    "diversions",
    "holdings",
    "go_arounds",
    "analyze",
    "analyze_disruption",
    "focus_window",
    "point_lineage",
    "field_table",
    "watched_airports",
]

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
    a = s.astype(object).to_numpy()
    return np.where(pd.isna(a), None, a)


def _weakest(a: Any, b: Any) -> np.ndarray:
    ra = pd.Series(np.asarray(a, dtype=object)).map(_RANK).fillna(len(GRADES) - 1).to_numpy(dtype=np.int64)
    rb = pd.Series(np.asarray(b, dtype=object)).map(_RANK).fillna(len(GRADES) - 1).to_numpy(dtype=np.int64)
    return np.asarray(GRADES, dtype=object)[np.maximum(ra, rb)]


# ---------------------------------------------------------------------------------------
# movements and hours


def movements(legs: pd.DataFrame, airports: Any = None) -> pd.DataFrame:
    """Take-offs and landings at named fields, one row per leg end.

    Parameters
    ----------
    legs
        :func:`flighttrace.detect_legs` output.
    airports
        Fields to keep (codes); ``None`` keeps every named field.

    Returns
    -------
    pandas.DataFrame
        Columns of :data:`MOVEMENT_COLUMNS`, sorted by airport and time. A
        bridged end takes the bound the legs give (``time_exact`` False);
        an end with no time at all is left out.
    """
    if len(legs) == 0:
        return _empty(MOVEMENT_COLUMNS, ("time",))
    keep = None if airports is None else set(airports)
    parts = []
    for kind, end, t, bound in (("departure", "origin", "takeoff_time", "takeoff_time_earliest"), ("arrival", "destination", "landing_time", "landing_time_latest")):
        code = legs[end]
        ok = np.array(code.notna().to_numpy(), dtype=bool)
        if keep is not None:
            ok &= code.isin(keep).to_numpy()
        lg = legs[ok]
        exact = lg[t].astype(TIME_DTYPE)
        tt = exact.fillna(lg[bound].astype(TIME_DTYPE)) if bound in lg else exact
        parts.append(pd.DataFrame({
            "airport": _obj(lg[end]),
            "kind": np.full(len(lg), kind, dtype=object),
            "time": tt.array,
            "time_exact": exact.notna().to_numpy(),
            "grade": _obj(lg[f"{end}_evidence"]),
            "leg_id": _obj(lg["leg_id"]),
            "icao24": _obj(lg["icao24"]),
            "callsign": _obj(lg["callsign"]) if "callsign" in lg else np.full(len(lg), None, dtype=object),
            "registration": _obj(lg["registration"]) if "registration" in lg else np.full(len(lg), None, dtype=object),
            "lineage": _obj(lg["lineage"]) if "lineage" in lg else np.full(len(lg), None, dtype=object),
        }))
    out = pd.concat(parts, ignore_index=True)
    out["time"] = out["time"].astype(TIME_DTYPE)
    out = out[out["time"].notna()]
    return out.sort_values(["airport", "time", "kind", "leg_id"], kind="stable").reset_index(drop=True)[list(MOVEMENT_COLUMNS)]


def _hour_floor(ns: np.ndarray) -> np.ndarray:
    return (np.asarray(ns, dtype=np.int64) // _HOUR_NS) * _HOUR_NS


def hourly_coverage(
    points: pd.DataFrame | None,
    coverage: pd.DataFrame | None = None,
    *,
    region: Any = None,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Which clock hours the input covers.

    Parameters
    ----------
    points
        The Points table; ``None`` when only the legs are at hand: then an
        hour is covered when its day is (``start`` and ``end`` are needed).
    coverage
        The daily coverage table (:func:`flighttrace.kinds.sorties.stats.coverage`); an
        hour whose day is not covered is not covered. Without it every day
        with a position counts as having a file.
    region
        ``(lat_min, lat_max, lon_min, lon_max)``: only positions inside count.
    start, end
        The hours to list (UTC; default the span of the points).

    Returns
    -------
    pandas.DataFrame
        ``hour`` (UTC), ``n_points`` (inside the region), ``day_covered``,
        ``covered`` (day covered and at least one position in the hour).
    """
    no_points = points is None
    if points is None:
        points = pd.DataFrame({"time": pd.Series([], dtype=TIME_DTYPE), "lat": [], "lon": []})
    t = time_ns(points["time"]) if len(points) else np.zeros(0, dtype=np.int64)
    if region is not None and len(points):
        lat, lon = points["lat"].to_numpy(), points["lon"].to_numpy()
        r = tuple(region)
        t = t[(lat >= r[0]) & (lat <= r[1]) & (lon >= r[2]) & (lon <= r[3])]
    lo = pd.Timestamp(start).value if start is not None else (int(t.min()) if len(t) else None)
    hi = pd.Timestamp(end).value if end is not None else (int(t.max()) + 1 if len(t) else None)
    if lo is None or hi is None or hi <= lo:
        return pd.DataFrame({"hour": pd.Series([], dtype=TIME_DTYPE), "n_points": pd.Series([], dtype=np.int64),
                             "day_covered": pd.Series([], dtype=bool), "covered": pd.Series([], dtype=bool)})
    h0, h1 = int(_hour_floor(np.array([lo]))[0]), int(_hour_floor(np.array([hi - 1]))[0])
    hours = np.arange(h0, h1 + _HOUR_NS, _HOUR_NS, dtype=np.int64)
    idx = (t - h0) // _HOUR_NS
    idx = idx[(idx >= 0) & (idx < len(hours))]
    n = np.bincount(idx, minlength=len(hours))[: len(hours)].astype(np.int64)
    if coverage is not None and len(coverage):
        from flighttrace.claims.coverage import day_numbers

        tz = coverage["tz"].iloc[0] if "tz" in coverage else "UTC"
        cov_days = day_numbers(coverage["date"], tz)
        ok_days = set(cov_days[coverage["covered"].to_numpy(dtype=bool)].tolist())
        hday = day_numbers(pd.DatetimeIndex(pd.to_datetime(hours, utc=True)), tz)
        day_cov = np.isin(hday, np.fromiter(ok_days, dtype=np.int64, count=len(ok_days)))
    else:
        day_cov = np.ones(len(hours), dtype=bool)
    return pd.DataFrame({
        "hour": pd.Series(pd.to_datetime(hours, utc=True), dtype=TIME_DTYPE),
        "n_points": n,
        "day_covered": day_cov,
        "covered": day_cov if no_points else day_cov & (n > 0),
    })


def hourly_movements(mov: pd.DataFrame, hours: pd.DataFrame, airports: Any, *, params: DisruptionParams | None = None, tz: str = "UTC") -> pd.DataFrame:
    """Arrivals and departures per airport and clock hour, with the baseline of the previous weeks.

    Parameters
    ----------
    mov
        :func:`movements` output.
    hours
        :func:`hourly_coverage` output: the hours to count and whether each
        is covered (contiguous, one row per hour).
    airports
        Fields to count (codes), in the order wanted.
    params
        Thresholds (:class:`DisruptionParams`): ``baseline_weeks``, ``band_level``.
    tz
        Report zone, written to the ``tz`` column.

    Returns
    -------
    pandas.DataFrame
        Columns of :data:`HOURLY_COLUMNS`, one row per airport and hour.
        Counts are ``NaN`` in uncovered hours. The baseline of an hour is the
        same hour 7, 14, … ``7 × baseline_weeks`` days earlier, over the
        covered ones (``baseline_weeks`` says how many); ``band_low`` /
        ``band_high`` bound the central ``band_level`` of a Poisson count with
        the baseline mean; ``p_at_most`` is the Poisson probability of a count
        at most the one seen.
    """
    from scipy import stats

    p = params or DisruptionParams()
    hrs = time_ns(hours["hour"]) if len(hours) else np.zeros(0, dtype=np.int64)
    covered = hours["covered"].to_numpy(dtype=bool) if len(hours) else np.zeros(0, dtype=bool)
    n = len(hrs)
    frames = []
    week = 7 * 24
    for ap in airports:  # one pass per airport
        m = mov[mov["airport"] == ap]
        tm = time_ns(m["time"]) if len(m) else np.zeros(0, dtype=np.int64)
        idx = (tm - (hrs[0] if n else 0)) // _HOUR_NS
        ok = (idx >= 0) & (idx < n)
        kinds = m["kind"].to_numpy(dtype=object) if len(m) else np.zeros(0, dtype=object)
        arr = np.bincount(idx[ok & (kinds == "arrival")], minlength=n)[:n].astype(float)
        dep = np.bincount(idx[ok & (kinds == "departure")], minlength=n)[:n].astype(float)
        tot = arr + dep
        arr_c, dep_c, tot_c = (np.where(covered, x, np.nan) for x in (arr, dep, tot))
        shifted = []
        for k in range(1, p.baseline_weeks + 1):  # one shift per baseline week
            s = np.full((3, n), np.nan)
            if n > k * week:
                s[0, k * week:] = tot_c[: n - k * week]
                s[1, k * week:] = arr_c[: n - k * week]
                s[2, k * week:] = dep_c[: n - k * week]
            shifted.append(s)
        stack = np.stack(shifted, axis=0) if shifted else np.full((0, 3, n), np.nan)
        have = np.isfinite(stack[:, 0, :]).sum(axis=0) if len(stack) else np.zeros(n, dtype=int)
        with np.errstate(invalid="ignore"), _quiet():
            mean = np.where(have > 0, np.nanmean(stack[:, 0, :], axis=0), np.nan) if len(stack) else np.full(n, np.nan)
            mn = np.where(have > 0, np.nanmin(stack[:, 0, :], axis=0), np.nan) if len(stack) else np.full(n, np.nan)
            mx = np.where(have > 0, np.nanmax(stack[:, 0, :], axis=0), np.nan) if len(stack) else np.full(n, np.nan)
            b_arr = np.where(have > 0, np.nanmean(stack[:, 1, :], axis=0), np.nan) if len(stack) else np.full(n, np.nan)
            b_dep = np.where(have > 0, np.nanmean(stack[:, 2, :], axis=0), np.nan) if len(stack) else np.full(n, np.nan)
        alpha = (1.0 - p.band_level) / 2.0
        lo = np.where(np.isfinite(mean), stats.poisson.ppf(alpha, np.nan_to_num(mean)), np.nan)
        hi = np.where(np.isfinite(mean), stats.poisson.isf(alpha, np.nan_to_num(mean)), np.nan)
        p_at_most = np.where(np.isfinite(mean) & np.isfinite(tot_c), stats.poisson.cdf(np.nan_to_num(tot_c), np.nan_to_num(mean)), np.nan)
        frames.append(pd.DataFrame({
            "airport": np.full(n, ap, dtype=object),
            "hour": pd.Series(pd.to_datetime(hrs, utc=True), dtype=TIME_DTYPE).array,
            "arrivals": arr_c, "departures": dep_c, "movements": tot_c, "covered": covered.copy(),
            "baseline_weeks": have.astype(np.int64), "baseline_mean": np.round(mean, 4), "baseline_min": mn, "baseline_max": mx,
            "baseline_arrivals": np.round(b_arr, 4), "baseline_departures": np.round(b_dep, 4),
            "band_low": lo, "band_high": hi, "p_at_most": np.round(p_at_most, 6),
            "tz": np.full(n, tz, dtype=object),
        }))
    if not frames:
        return _empty(HOURLY_COLUMNS, ("hour",))
    out = pd.concat(frames, ignore_index=True)
    out["hour"] = out["hour"].astype(TIME_DTYPE)
    return out[list(HOURLY_COLUMNS)]


class _quiet:
    """Silence numpy's 'mean of empty slice' warnings inside a block."""

    def __enter__(self) -> None:
        import warnings

        self._w = warnings.catch_warnings()
        self._w.__enter__()
        warnings.simplefilter("ignore", RuntimeWarning)

    def __exit__(self, *exc: Any) -> None:
        self._w.__exit__(*exc)


# ---------------------------------------------------------------------------------------
# runs without movements, closures


def _rate_curve(hourly: pd.DataFrame, airport: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Hour edges (ns), cumulative expected movements and cumulative uncovered seconds at each edge, rate per hour."""
    h = hourly[hourly["airport"] == airport]
    edges_h = time_ns(h["hour"]) if len(h) else np.zeros(0, dtype=np.int64)
    rate = h["baseline_mean"].to_numpy(dtype=float) if len(h) else np.zeros(0)
    cov = h["covered"].to_numpy(dtype=bool) if len(h) else np.zeros(0, dtype=bool)
    known = np.isfinite(rate) & cov
    edges = np.append(edges_h, edges_h[-1] + _HOUR_NS) if len(edges_h) else np.zeros(0, dtype=np.int64)
    cum = np.concatenate([[0.0], np.cumsum(np.where(known, rate, 0.0))])
    unc = np.concatenate([[0.0], np.cumsum(np.where(cov, 0.0, 3600.0))])
    return edges, cum, unc, np.where(known, rate, np.nan)


def _interp(t: np.ndarray, edges: np.ndarray, cum: np.ndarray) -> np.ndarray:
    if len(edges) == 0:
        return np.zeros(len(t))
    return np.interp(np.asarray(t, dtype=float), edges.astype(float), cum)


def movement_runs(
    mov: pd.DataFrame,
    hourly: pd.DataFrame,
    airport: str,
    *,
    grades: tuple[str, ...] = GRADES,
    params: DisruptionParams | None = None,
) -> pd.DataFrame:
    """Every run without a movement at one field, with what the baseline expected in it.

    Parameters
    ----------
    mov
        :func:`movements` output.
    hourly
        :func:`hourly_movements` output (gives the baseline rate and the
        covered hours; its span is the span of the runs).
    airport
        The field.
    grades
        Movements of these grades end a run (``("observed", "inferred")``
        gives the longest runs; every grade the shortest).
    params
        Thresholds (:class:`DisruptionParams`).

    Returns
    -------
    pandas.DataFrame
        Columns of :data:`RUN_COLUMNS`, in time order; ``closure`` marks the
        runs that are closures, ``threshold`` the movements the baseline
        must expect for that. A run ends at a movement, or at the edge of an
        uncovered stretch (or of the hours of ``hourly``): that end is
        ``censored`` (its time is then only a bound), and nothing is said of
        the uncovered hours themselves.
    """
    p = params or DisruptionParams()
    edges, cum, _unc, rate_h = _rate_curve(hourly, airport)
    times_ = ("start", "start_earliest", "start_latest", "end", "end_earliest", "end_latest", "last_time", "next_time")
    if len(edges) == 0:
        return _empty(RUN_COLUMNS, times_)
    m = mov[(mov["airport"] == airport) & mov["grade"].isin(grades)]
    tm = time_ns(m["time"]) if len(m) else np.zeros(0, dtype=np.int64)
    inside = (tm >= edges[0]) & (tm <= edges[-1])
    m, tm = m[inside], tm[inside]
    order = np.argsort(tm, kind="stable")
    m, tm = m.iloc[order], tm[order]
    h = hourly[hourly["airport"] == airport]
    cov = h["covered"].to_numpy(dtype=bool)
    us, ue = _runs_of(~cov, np.zeros(len(cov), dtype=np.int8))
    # boundaries: movements, the edges of uncovered stretches and of the hours; type order breaks ties
    kinds = np.concatenate([np.full(len(tm), 1), np.full(len(us), 2), np.full(len(ue), 0), [0, 2]]).astype(np.int8)
    what = np.concatenate([np.full(len(tm), "m"), np.full(len(us), "us"), np.full(len(ue), "ue"), ["gs", "ge"]]).astype(object)
    when = np.concatenate([tm, edges[us], edges[ue], [edges[0], edges[-1]]]).astype(np.int64)
    mov_i = np.concatenate([np.arange(len(tm)), np.full(len(us) + len(ue) + 2, -1)]).astype(np.int64)
    o = np.lexsort((kinds, when))
    what, when, mov_i = what[o], when[o], mov_i[o]
    a_w, b_w = what[:-1], what[1:]
    a, b = when[:-1], when[1:]
    ia, ib = mov_i[:-1], mov_i[1:]
    keep = (b > a) & (a_w != "us") & (a_w != "ge") & (b_w != "gs") & (b_w != "ue")
    a, b, a_w, b_w, ia, ib = a[keep], b[keep], a_w[keep], b_w[keep], ia[keep], ib[keep]
    k = len(a)
    cens_s = np.isin(a_w, ["gs", "ue"])
    cens_e = np.isin(b_w, ["ge", "us"])
    cens = np.where(cens_s & cens_e, "both", np.where(cens_s, "start", np.where(cens_e, "end", ""))).astype(object)
    dur_s = (b - a) / _NS
    # cum holds the baseline's movements accumulated over whole hours; inside an hour they grow linearly
    expected = _interp(b, edges, cum) - _interp(a, edges, cum)
    n_h = len(rate_h)
    hi_idx = np.clip(np.searchsorted(edges, b, side="left") - 1, 0, n_h - 1)
    lo_idx = np.clip(np.searchsorted(edges, a, side="right") - 1, 0, n_h - 1)
    unknown = np.concatenate([[0], np.cumsum(~np.isfinite(rate_h))])
    n_unknown = unknown[hi_idx + 1] - unknown[lo_idx]
    # the traffic next to the run: the baseline rate at its edge, or the movements seen just before / after it
    w_ns = int(p.closure_rate_window_s * _NS)
    seen_before = np.searchsorted(tm, a, side="right") - np.searchsorted(tm, a - w_ns, side="left")
    seen_after = np.searchsorted(tm, b + w_ns, side="right") - np.searchsorted(tm, b, side="left")
    rate_a = np.maximum(np.nan_to_num(rate_h[lo_idx]) / 3600.0, seen_before / p.closure_rate_window_s)
    rate_b = np.maximum(np.nan_to_num(rate_h[hi_idx]) / 3600.0, seen_after / p.closure_rate_window_s)
    q = -math.log(1.0 - p.closure_quantile)
    with np.errstate(divide="ignore"):
        tau_a, tau_aq = np.where(rate_a > 0, 1.0 / rate_a, np.inf), np.where(rate_a > 0, q / rate_a, np.inf)
        tau_b, tau_bq = np.where(rate_b > 0, 1.0 / rate_b, np.inf), np.where(rate_b > 0, q / rate_b, np.inf)
    half = dur_s / 2.0
    a_s, b_s = a / _NS, b / _NS
    s_est = np.where(cens_s, np.nan, a_s + np.minimum(tau_a, half))
    s_lo = np.where(cens_s, np.nan, a_s)
    s_hi = np.where(cens_s, a_s, a_s + np.minimum(tau_aq, dur_s))
    e_est = np.where(cens_e, np.nan, b_s - np.minimum(tau_b, half))
    e_lo = np.where(cens_e, b_s, b_s - np.minimum(tau_bq, dur_s))
    e_hi = np.where(cens_e, np.nan, b_s)
    # the closure's length: estimated start to estimated end; a censored end counts from (to) the data's edge
    est_dur = np.where(cens_e, b_s, e_est) - np.where(cens_s, a_s, s_est)
    # a closure: long enough, and the baseline expects more movements than an ordinary day's longest gap holds
    per_day = _daily_baseline(hourly, airport)
    threshold = max(p.closure_min_expected, math.log(per_day / p.closure_alpha)) if per_day > 0 else math.inf
    closure = (expected >= threshold) & (dur_s >= p.closure_min_s)

    def ts(x: np.ndarray) -> pd.Series:
        v = np.asarray(x, dtype=float)
        ns = np.where(np.isfinite(v), np.round(np.nan_to_num(v) * 1e9), 0).astype(np.int64)
        return pd.Series(pd.to_datetime(ns, utc=True), dtype=TIME_DTYPE).mask(~np.isfinite(v))

    def pick(col: str, idx: np.ndarray) -> np.ndarray:
        vals = _obj(m[col]) if len(m) else np.zeros(0, dtype=object)
        return np.array([vals[i] if i >= 0 else None for i in idx], dtype=object)  # one look-up per run

    last_l, next_l = pick("lineage", ia), pick("lineage", ib)
    lineage = np.array(["; ".join(x for x in (u, v) if x) or None for u, v in zip(last_l, next_l, strict=True)], dtype=object)  # one per run
    out = pd.DataFrame({
        "airport": np.full(k, airport, dtype=object),
        "closure": closure,
        "start": ts(s_est).array, "start_earliest": ts(s_lo).array, "start_latest": ts(s_hi).array,
        "end": ts(e_est).array, "end_earliest": ts(e_lo).array, "end_latest": ts(e_hi).array,
        "duration_s": np.round(est_dur, 1), "gap_s": np.round(dur_s, 1), "expected": np.round(expected, 3),
        "threshold": np.full(k, round(threshold, 3)),
        "p_none": np.round(np.exp(-expected), 6), "baseline_known": n_unknown == 0,
        "censored": cens,
        "last_time": ts(np.where(cens_s, np.nan, a_s)).array,
        "next_time": ts(np.where(cens_e, np.nan, b_s)).array,
        "last_leg": pick("leg_id", ia), "next_leg": pick("leg_id", ib), "last_grade": pick("grade", ia), "next_grade": pick("grade", ib),
        "lineage": lineage, "grades": np.full(k, ",".join(grades), dtype=object),
    })
    return out[list(RUN_COLUMNS)]


def _daily_baseline(hourly: pd.DataFrame, airport: str) -> float:
    """The baseline's movements per day at a field: the mean of its hourly means over the hours where it is known, × 24."""
    h = hourly[hourly["airport"] == airport]
    v = h["baseline_mean"].to_numpy(dtype=float) if len(h) else np.zeros(0)
    v = v[np.isfinite(v)]
    return float(v.mean() * 24.0) if len(v) else 0.0


def closures(
    mov: pd.DataFrame,
    hourly: pd.DataFrame,
    airports: Any,
    start: pd.Timestamp,
    end: pd.Timestamp,
    *,
    grades: tuple[str, ...] = GRADES,
    params: DisruptionParams | None = None,
) -> pd.DataFrame:
    """Closure windows at some fields that overlap ``[start, end)``.

    Parameters
    ----------
    mov, hourly
        :func:`movements` and :func:`hourly_movements` output.
    airports
        Fields (codes).
    start, end
        The window (UTC).
    grades
        Movements of these grades end a run (default: every grade, so a
        bridged movement splits a closure; pass ``("observed", "inferred")``
        for the longest closures the strong evidence allows).
    params
        Thresholds (:class:`DisruptionParams`).

    Returns
    -------
    pandas.DataFrame
        The closure runs (:data:`RUN_COLUMNS`), by airport and start, with a
        ``closure_id`` (``<airport>-<n>``) in front.
    """
    parts = []
    s_ns, e_ns = pd.Timestamp(start).value, pd.Timestamp(end).value
    for ap in airports:  # one pass per airport
        r = movement_runs(mov, hourly, ap, grades=grades, params=params)
        if len(r) == 0:
            continue
        a = time_ns(r["last_time"].fillna(r["start_latest"]))
        b = time_ns(r["next_time"].fillna(r["end_earliest"]))
        keep = r["closure"].to_numpy(dtype=bool) & (b > s_ns) & (a < e_ns)
        parts.append(r[keep])
    out = pd.concat([x for x in parts if len(x)], ignore_index=True) if any(len(x) for x in parts) else movement_runs(mov, hourly.iloc[0:0], "", params=params)
    out = out.reset_index(drop=True)
    ids = out.groupby("airport", sort=False).cumcount() + 1 if len(out) else pd.Series([], dtype=np.int64)
    out.insert(0, "closure_id", (out["airport"].astype(str) + "-" + ids.astype(str)).to_numpy(dtype=object) if len(out) else pd.Series([], dtype=object))
    return out


# ---------------------------------------------------------------------------------------
# points of legs


def _sorted_points(points: pd.DataFrame) -> pd.DataFrame:
    from flighttrace.tracks.segment import sorted_points as _sorted  # the order detect_legs' point_start / point_end refer to

    return _sorted(points)


def _leg_of_points(legs: pd.DataFrame, n_points: int) -> np.ndarray:
    """Index (row of ``legs``) of the leg each sorted point belongs to; −1 for none."""
    leg_of = np.full(n_points, -1, dtype=np.int64)
    if len(legs) == 0 or n_points == 0:
        return leg_of
    ps, pe = legs["point_start"].to_numpy(dtype=np.int64), legs["point_end"].to_numpy(dtype=np.int64)
    if pe.max(initial=0) > n_points:
        raise ValueError("the legs do not belong to these points (point_end beyond the table); pass the Points the legs were detected from")
    mark = np.zeros(n_points + 1, dtype=np.int64)
    np.add.at(mark, ps, np.arange(len(legs)) + 1)
    np.add.at(mark, pe, -(np.arange(len(legs)) + 1))
    leg_of = np.cumsum(mark[:n_points]) - 1
    return leg_of


@dataclass
class _PointArrays:
    """The sorted Points as arrays, with the leg of each point."""

    pts: pd.DataFrame
    t: np.ndarray  # s since epoch (float)
    lat: np.ndarray
    lon: np.ndarray
    alt: np.ndarray
    trk: np.ndarray
    vr: np.ndarray
    ground: np.ndarray
    leg: np.ndarray

    @classmethod
    def build(cls, points: pd.DataFrame, legs: pd.DataFrame) -> _PointArrays:
        pts = _sorted_points(points)
        n = len(pts)

        def f(name: str) -> np.ndarray:
            if name not in pts:
                return np.full(n, np.nan)
            return pts[name].to_numpy(dtype=np.float64, na_value=np.nan)

        og = pts["on_ground"].to_numpy(dtype="int8", na_value=-1) if "on_ground" in pts else np.full(n, -1, dtype=np.int8)
        gs = f("gs_kt")
        with np.errstate(invalid="ignore"):
            ground = (og == 1) | ((og < 0) & np.isnan(f("alt_ft")) & (gs < 50))
        return cls(pts, time_ns(pts["time"]) / 1e9 if n else np.zeros(0), pts["lat"].to_numpy(dtype=float), pts["lon"].to_numpy(dtype=float),
                   f("alt_ft"), f("track_deg"), f("vrate_fpm"), ground, _leg_of_points(legs, n))


def _as_arrays(points: Any, legs: pd.DataFrame) -> _PointArrays:
    """The sorted points with their legs: built from a Points table, or given already."""
    return points if isinstance(points, _PointArrays) else _PointArrays.build(points, legs)


def _leg_key(pa: _PointArrays, pad_s: float) -> np.ndarray:
    """A sort key (leg, time) for searching within a leg: legs run in row order, points outside legs sit between them."""
    leg = pa.leg
    if len(pa.t) == 0:
        return np.zeros(0)
    t = pa.t - pa.t.min()
    # a new group at every change of leg, and, between legs, wherever time runs back (the next aircraft): two aircraft
    # in a row that have no leg (parked ones) must not share a group
    brk = np.ones(len(leg), dtype=bool)
    brk[1:] = (leg[1:] != leg[:-1]) | ((leg[1:] < 0) & (t[1:] < t[:-1]))
    g = np.cumsum(brk).astype(np.float64)
    span = float(t.max()) + 2.0 * pad_s + 1.0
    key = g * span + t
    if np.any(np.diff(key) < 0):  # pragma: no cover - legs always follow the sorted points
        raise ValueError("the legs are not in the order of the sorted points")
    return key


def point_lineage(points_sorted: pd.DataFrame, start: Any, end: Any) -> np.ndarray:
    """``file:first-last`` source-row ranges of row ranges ``[start, end)`` of the sorted Points."""
    from flighttrace.tracks.table import leg_lineage as _lineage

    frame = pd.DataFrame({"point_start": np.asarray(start, dtype=np.int64), "point_end": np.asarray(end, dtype=np.int64)})
    if len(frame) == 0:
        return np.zeros(0, dtype=object)
    if "src_file" not in points_sorted or "src_row" not in points_sorted:
        return np.full(len(frame), None, dtype=object)
    return _lineage(points_sorted, frame)


def field_table(index: Any, airports: Any) -> pd.DataFrame:
    """Fields as the point measures need them: ``code``, ``lat``, ``lon``, ``elevation_ft`` (0 when unknown).

    Parameters
    ----------
    index
        An :class:`~flighttrace.reference.airports.AirportIndex` (``scenario.airport_index()``).
    airports
        ICAO codes.
    """
    pos = index.positions(list(airports)).reset_index(drop=True)
    pos["code"] = list(airports)
    pos["elevation_ft"] = pos["elevation_ft"].fillna(0.0) if "elevation_ft" in pos else 0.0
    return pos


def _runs_of(mask: np.ndarray, group: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(start, end exclusive) of runs of True with a constant ``group`` value."""
    m = np.asarray(mask, dtype=bool)
    if not m.any():
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    brk = np.ones(len(m), dtype=bool)
    brk[1:] = (m[1:] != m[:-1]) | (group[1:] != group[:-1])
    starts = np.flatnonzero(brk)
    ends = np.append(starts[1:], len(m))
    keep = m[starts]
    return starts[keep], ends[keep]


# ---------------------------------------------------------------------------------------
# approaches and diversions


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
    for f in fields_.itertuples():  # one pass per field
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
    legs
        The Legs table.
    appr
        :func:`approaches` output (``None``: no Points table, only the usual
        destination can show intent).
    watched
        Fields whose diversions are looked for (codes).
    params
        Thresholds (:class:`DisruptionParams`).

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
    rows: dict[int, dict[str, Any]] = {}
    if appr is not None and len(appr):
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
    usual = _usual_destinations(legs, watched, p)
    for r in usual.itertuples():  # one row per leg with a usual destination
        leg = int(r.row)
        if dest[leg] is None or dest[leg] == r.usual:
            continue
        if leg in rows:
            if rows[leg]["intended"] == r.usual:
                rows[leg]["method"] = "approach+usual destination"
            rows[leg]["usual_share"], rows[leg]["usual_legs"] = float(r.usual_share), int(r.usual_legs)
            continue
        rows[leg] = {"intended": r.usual, "method": "usual destination", "intent_grade": "inferred", "usual_share": float(r.usual_share),
                     "usual_legs": int(r.usual_legs), "outcome": "diverted"}
    if not rows:
        return _empty(DIVERSION_COLUMNS, times)
    idx = np.array(sorted(rows), dtype=np.int64)
    lg = legs.iloc[idx]
    info = [rows[int(i)] for i in idx]

    def col(name: str, default: Any = None) -> list[Any]:
        return [r.get(name, default) for r in info]

    def ts_s(vals: list[Any]) -> pd.Series:
        v = np.array([np.nan if x is None else float(x) for x in vals])
        ns = np.where(np.isfinite(v), np.round(np.nan_to_num(v) * 1e9), 0).astype(np.int64)
        return pd.Series(pd.to_datetime(ns, utc=True), dtype=TIME_DTYPE).mask(~np.isfinite(v))

    landed = dest[idx]
    landing_grade = np.where(np.array([x is None for x in landed]), "unknown", lg["destination_evidence"].astype(object).to_numpy())
    intent = np.array(col("intent_grade"), dtype=object)
    land_t = lg["landing_time"].astype(TIME_DTYPE).fillna(lg["landing_time_latest"].astype(TIME_DTYPE)) if "landing_time_latest" in lg else lg["landing_time"].astype(TIME_DTYPE)
    t = land_t.fillna(lg["last_seen"].astype(TIME_DTYPE))
    outcome = np.array(col("outcome", "diverted"), dtype=object)
    detail = []
    for r, o, y, lgd in zip(info, outcome, landed, landing_grade, strict=True):  # one sentence per diversion
        if r["method"].startswith("approach"):
            how = f"descended toward {r['intended']} to {r['approach_min_agl_ft']:,.0f} ft above it, {r['approach_min_km']:.1f} km out"
        else:
            how = f"its callsign landed at {r['intended']} on {r.get('usual_legs')} earlier leg(s) ({r.get('usual_share', 0):.0%})"
        if "usual" in r["method"] and r["method"].startswith("approach"):
            how += f"; its callsign usually lands there ({r.get('usual_legs')} earlier legs)"
        where = f"landed at {y} ({lgd})" if o == "diverted" else "then flew away from it; no field named at the end of the track"
        detail.append(f"{how}; {where}")
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


# ---------------------------------------------------------------------------------------
# holding


def holdings(
    points: pd.DataFrame | _PointArrays,
    legs: pd.DataFrame,
    fields_: pd.DataFrame,
    *,
    intended: dict[int, str] | None = None,
    params: DisruptionParams | None = None,
) -> pd.DataFrame:
    """Circling segments: cumulative turn of at least a circle within a few minutes, repeated.

    Parameters
    ----------
    points
        The Points table the legs were detected from (or its arrays).
    legs
        The Legs table.
    fields_
        Watched fields (``code``, ``lat``, ``lon``, ``elevation_ft``; see
        :func:`field_table`): a holding is attributed to one of them.
    intended
        Leg row → field the leg approached or was diverted from (used to
        attribute a holding when the leg landed elsewhere).
    params
        Thresholds (:class:`DisruptionParams`).

    Returns
    -------
    pandas.DataFrame
        Columns of :data:`HOLDING_COLUMNS`, sorted by start.
    """
    p = params or DisruptionParams()
    pa = _as_arrays(points, legs)
    times = ("start", "end")
    n = len(pa.t)
    if n < 3 or len(legs) == 0:
        return _empty(HOLDING_COLUMNS, times)
    leg = pa.leg
    same = np.zeros(n, dtype=bool)
    same[1:] = (leg[1:] == leg[:-1]) & (leg[1:] >= 0)
    air = ~pa.ground & (leg >= 0)
    dt = np.zeros(n)
    dt[1:] = pa.t[1:] - pa.t[:-1]
    step_ok = same & air & np.r_[False, air[:-1]] & (dt <= p.holding_max_step_s) & (dt > 0)
    # track angle: the source's, else the bearing of the last step
    trk = pa.trk.copy()
    miss = ~np.isfinite(trk)
    if miss.any():
        b = np.full(n, np.nan)
        b[1:] = bearing_deg(pa.lat[:-1], pa.lon[:-1], pa.lat[1:], pa.lon[1:])
        trk[miss] = b[miss]
    dpsi = np.zeros(n)
    dpsi[1:] = (trk[1:] - trk[:-1] + 180.0) % 360.0 - 180.0
    dpsi = np.where(step_ok & np.isfinite(dpsi), dpsi, 0.0)
    cum = np.cumsum(dpsi)
    # for each point, the last point of the same leg within the circle time
    key = _leg_key(pa, p.holding_circle_max_s)
    j = np.searchsorted(key, key + p.holding_circle_max_s, side="right") - 1
    turn = np.abs(cum[j] - cum)
    start = np.flatnonzero((turn >= p.holding_circle_deg) & air & (leg >= 0))
    if len(start) == 0:
        return _empty(HOLDING_COLUMNS, times)
    mark = np.zeros(n + 1, dtype=np.int64)
    np.add.at(mark, start, 1)
    np.add.at(mark, j[start] + 1, -1)
    circling = np.cumsum(mark[:n]) > 0
    s, e = _runs_of(circling, leg)
    # trim the straight flight the look-ahead windows take in at either end: keep first to last turning step
    with np.errstate(divide="ignore", invalid="ignore"):
        turning = np.flatnonzero(np.abs(dpsi) / np.where(dt > 0, dt, np.inf) >= p.holding_min_rate_deg_s)
    k0 = np.searchsorted(turning, s + 1, side="left")
    k1 = np.searchsorted(turning, e, side="left") - 1
    ok = (k0 < len(turning)) & (k1 >= k0)
    s, e, k0, k1 = s[ok], e[ok], k0[ok], k1[ok]
    s, e = turning[k0] - 1, turning[k1] + 1
    total = np.abs(cum[e - 1] - cum[s])
    keep = total >= p.holding_min_turn_deg
    s, e, total = s[keep], e[keep], total[keep]
    if len(s) == 0:
        return _empty(HOLDING_COLUMNS, times)
    lens = e - s
    cs_lat = np.concatenate([[0.0], np.cumsum(pa.lat)])
    cs_lon = np.concatenate([[0.0], np.cumsum(pa.lon)])
    lat_c = (cs_lat[e] - cs_lat[s]) / lens
    lon_c = (cs_lon[e] - cs_lon[s]) / lens
    seg = np.repeat(np.arange(len(s)), lens)
    rows_ = np.concatenate([np.arange(a, b) for a, b in zip(s, e, strict=True)])  # one slice per holding
    dist = haversine_km(pa.lat[rows_], pa.lon[rows_], lat_c[seg], lon_c[seg])
    radius = np.bincount(seg, weights=dist, minlength=len(s)) / lens
    alt = pa.alt[rows_]
    alt_f = np.where(np.isfinite(alt), alt, np.nan)
    frame = pd.DataFrame({"seg": seg, "alt": alt_f})
    amin = frame.groupby("seg")["alt"].min().reindex(range(len(s))).to_numpy()
    amax = frame.groupby("seg")["alt"].max().reindex(range(len(s))).to_numpy()
    direction = np.where(cum[e - 1] - cum[s] > 0, "right", "left")
    # the field it was held for
    fl = fields_.reset_index(drop=True)
    dkm = haversine_km(lat_c[:, None], lon_c[:, None], fl["lat"].to_numpy()[None, :], fl["lon"].to_numpy()[None, :]) if len(fl) else np.zeros((len(s), 0))
    codes = fl["code"].to_numpy(dtype=object) if len(fl) else np.zeros(0, dtype=object)
    pos = {c: k for k, c in enumerate(codes)}
    leg_rows = leg[s]
    dests = legs["destination"].astype(object).where(legs["destination"].notna(), None).to_numpy(dtype=object)
    airport = np.full(len(s), None, dtype=object)
    a_dist = np.full(len(s), np.nan)
    intended = intended or {}
    for k in range(len(s)):  # one choice per holding
        cands = [intended.get(int(leg_rows[k])), dests[leg_rows[k]]]  # the field it wanted, else the one it landed at
        chosen = None
        for c in cands:
            if c in pos and dkm[k, pos[c]] <= p.holding_airport_km:
                chosen = c
                break
        if chosen is None and len(codes):
            near = int(np.argmin(dkm[k]))
            if dkm[k, near] <= p.holding_airport_km:
                chosen = codes[near]
        if chosen is not None:
            airport[k] = chosen
            a_dist[k] = dkm[k, pos[chosen]]
    elev = np.array([fl.loc[pos[c], "elevation_ft"] if c is not None else 0.0 for c in airport], dtype=float)
    high = (amin - elev) >= p.holding_min_agl_ft
    lg = legs.iloc[leg_rows]
    t0, t1 = pa.t[s], pa.t[e - 1]

    def ts(x: np.ndarray) -> pd.Series:
        return pd.Series(pd.to_datetime(np.round(x * 1e9).astype(np.int64), utc=True), dtype=TIME_DTYPE)

    out = pd.DataFrame({
        "holding_id": np.full(len(s), "", dtype=object),
        "leg_id": _obj(lg["leg_id"]), "icao24": _obj(lg["icao24"]), "callsign": _obj(lg["callsign"]),
        "registration": _obj(lg["registration"]) if "registration" in lg else np.full(len(s), None, dtype=object),
        "airport": airport, "start": ts(t0).array, "end": ts(t1).array, "duration_s": np.round(t1 - t0, 1),
        "turn_deg": np.round(total, 1), "laps": np.round(total / 360.0, 2), "direction": direction.astype(object),
        "lat": np.round(lat_c, 5), "lon": np.round(lon_c, 5), "radius_km": np.round(radius, 2),
        "alt_min_ft": amin, "alt_max_ft": amax, "dist_km": np.round(a_dist, 1),
        "point_start": s.astype(np.int64), "point_end": e.astype(np.int64),
        "lineage": point_lineage(pa.pts, s, e), "grade": np.full(len(s), "observed", dtype=object),
    })[high]
    out = out.sort_values(["start", "leg_id"], kind="stable").reset_index(drop=True)
    out["holding_id"] = [f"H{k + 1:03d}" for k in range(len(out))]
    for c in times:
        out[c] = out[c].astype(TIME_DTYPE)
    return out[list(HOLDING_COLUMNS)]


# ---------------------------------------------------------------------------------------
# go-arounds


def go_arounds(points: pd.DataFrame | _PointArrays, legs: pd.DataFrame, fields_: pd.DataFrame, *, params: DisruptionParams | None = None) -> pd.DataFrame:
    """Missed approaches: a descent to a low pass near a field, then a climb, with no ground contact.

    Parameters
    ----------
    points
        The Points table the legs were detected from (or its arrays).
    legs
        The Legs table.
    fields_
        Fields to test (``code``, ``lat``, ``lon``, ``elevation_ft``; see :func:`field_table`).
    params
        Thresholds (:class:`DisruptionParams`).

    Returns
    -------
    pandas.DataFrame
        Columns of :data:`GO_AROUND_COLUMNS`, sorted by time.
    """
    p = params or DisruptionParams()
    pa = _as_arrays(points, legs)
    n = len(pa.t)
    if n == 0 or len(legs) == 0 or len(fields_) == 0:
        return _empty(GO_AROUND_COLUMNS, ("time",))
    leg = pa.leg
    key = _leg_key(pa, p.go_around_window_s)
    ground_cs = np.concatenate([[0], np.cumsum(pa.ground.astype(np.int64))])
    alt0 = np.where(np.isfinite(pa.alt), pa.alt, -np.inf)
    found = []
    for f in fields_.itertuples():  # one pass per field
        d = haversine_km(pa.lat, pa.lon, f.lat, f.lon)
        with np.errstate(invalid="ignore"):
            low = (leg >= 0) & ~pa.ground & (d <= p.go_around_radius_km) & (pa.alt - f.elevation_ft <= p.go_around_max_agl_ft)
        s, e = _runs_of(low, leg)
        if len(s) == 0:
            continue
        # lowest point of each run
        alt_run = np.where(np.isfinite(pa.alt), pa.alt, np.inf)
        rows_ = np.concatenate([np.arange(a, b) for a, b in zip(s, e, strict=True)])  # one slice per low pass
        seg = np.repeat(np.arange(len(s)), e - s)
        lowest = pd.Series(alt_run[rows_]).groupby(seg).idxmin().to_numpy()
        lo_row = rows_[lowest]
        min_alt = pa.alt[lo_row]
        w = p.go_around_window_s
        before = np.searchsorted(key, key[s] - w, side="left")
        after = np.searchsorted(key, key[e - 1] + w, side="right")
        no_ground = (ground_cs[after] - ground_cs[before]) == 0
        # highest point before (descent into the pass) and after (the climb away)
        hi_before = np.array([alt0[a:b].max() if b > a else -np.inf for a, b in zip(before, s, strict=True)])  # one slice per low pass
        hi_after = np.array([alt0[a:b].max() if b > a else -np.inf for a, b in zip(e, after, strict=True)])
        ga = no_ground & (hi_before - min_alt >= p.go_around_min_climb_ft) & (hi_after - min_alt >= p.go_around_min_climb_ft)
        for k in np.flatnonzero(ga):  # one row per go-around
            found.append({"leg": int(leg[s[k]]), "airport": f.code, "row": int(lo_row[k]), "t": float(pa.t[lo_row[k]]),
                          "lat": float(pa.lat[lo_row[k]]), "lon": float(pa.lon[lo_row[k]]),
                          "min_agl_ft": float(min_alt[k] - f.elevation_ft), "min_dist_km": float(d[lo_row[k]]),
                          "climb_ft": float(hi_after[k] - min_alt[k]), "point_start": int(before[k]), "point_end": int(after[k])})
    if not found:
        return _empty(GO_AROUND_COLUMNS, ("time",))
    g = pd.DataFrame(found)
    lg = legs.iloc[g["leg"].to_numpy()]
    out = pd.DataFrame({
        "leg_id": _obj(lg["leg_id"]), "icao24": _obj(lg["icao24"]), "callsign": _obj(lg["callsign"]),
        "registration": _obj(lg["registration"]) if "registration" in lg else np.full(len(g), None, dtype=object),
        "airport": g["airport"].to_numpy(dtype=object),
        "time": pd.Series(pd.to_datetime(np.round(g["t"].to_numpy() * 1e9).astype(np.int64), utc=True), dtype=TIME_DTYPE).array,
        "lat": np.round(g["lat"].to_numpy(), 5), "lon": np.round(g["lon"].to_numpy(), 5),
        "min_agl_ft": np.round(g["min_agl_ft"].to_numpy(), 0), "min_dist_km": np.round(g["min_dist_km"].to_numpy(), 2),
        "climb_ft": np.round(g["climb_ft"].to_numpy(), 0), "landed": _obj(lg["destination"]),
        "point_start": g["point_start"].to_numpy(dtype=np.int64), "point_end": g["point_end"].to_numpy(dtype=np.int64),
        "lineage": point_lineage(pa.pts, g["point_start"].to_numpy(), g["point_end"].to_numpy()),
        "grade": np.full(len(g), "observed", dtype=object),
    })
    out["time"] = out["time"].astype(TIME_DTYPE)
    return out.sort_values(["time", "leg_id"], kind="stable").reset_index(drop=True)[list(GO_AROUND_COLUMNS)]


# ---------------------------------------------------------------------------------------
# all of it, for a scenario


@dataclass
class Disruption:
    """The disruption measures of a scenario's data (see the module docs).

    Attributes
    ----------
    airports
        The watched fields (ICAO codes), in the scenario's order.
    focus_start, focus_end
        The window the closures are listed for (UTC; end exclusive).
    movements, hourly, closures, diversions, holdings, go_arounds
        The tables of :func:`movements`, :func:`hourly_movements`,
        :func:`closures` (in the focus window), :func:`diversions`,
        :func:`holdings` and :func:`go_arounds` (over all the data).
    hours
        :func:`hourly_coverage` output.
    params
        The thresholds used.
    tz
        Report zone.
    has_points
        Whether a Points table was given (holdings, approaches and
        go-arounds need one).
    """

    airports: tuple[str, ...]
    focus_start: pd.Timestamp | None
    focus_end: pd.Timestamp | None
    movements: pd.DataFrame
    hours: pd.DataFrame
    hourly: pd.DataFrame
    closures: pd.DataFrame
    diversions: pd.DataFrame
    holdings: pd.DataFrame
    go_arounds: pd.DataFrame
    params: DisruptionParams = field(default_factory=DisruptionParams)
    tz: str = "UTC"
    has_points: bool = True
    run_cache: dict[tuple[str, tuple[str, ...]], pd.DataFrame] = field(default_factory=dict, repr=False, compare=False)
    """:meth:`runs` computed once per field and grades (they do not depend on a claim's window)."""

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables by file name (``disruption_hourly``, ``closures``, ``diversions``, ``holdings``, ``go_arounds``, ``movements``)."""
        return {"disruption_hourly": self.hourly, "closures": self.closures, "diversions": self.diversions,
                "holdings": self.holdings, "go_arounds": self.go_arounds, "movements": self.movements}

    def runs(self, airport: str, *, grades: tuple[str, ...] = GRADES) -> pd.DataFrame:
        """:func:`movement_runs` of one field with this analysis' movements and baseline (computed once)."""
        key = (airport, tuple(grades))
        if key not in self.run_cache:
            self.run_cache[key] = movement_runs(self.movements, self.hourly, airport, grades=grades, params=self.params)
        return self.run_cache[key]

    def closures_in(self, airports: Any, start: pd.Timestamp, end: pd.Timestamp, *, grades: tuple[str, ...] = GRADES) -> pd.DataFrame:
        """:func:`closures` of some fields in another window."""
        return closures(self.movements, self.hourly, airports, start, end, grades=grades, params=self.params)

    def statistics_rows(self) -> list[dict[str, Any]]:
        """Scenario-wide rows of the statistics table: none (each claim carries its own reason)."""
        return []

    def summary(self) -> str:
        """A few lines: closures, diversions, holdings and go-arounds in the focus window."""
        from flighttrace.timefmt import fmt_duration

        lines = []
        if self.focus_start is not None:
            lines.append(f"disruption window: {self.focus_start:%Y-%m-%d %H:%M} – {self.focus_end:%Y-%m-%d %H:%M} UTC")
        for c in self.closures.itertuples():
            s = "?" if pd.isna(c.start) else f"{c.start:%H:%M}"
            e = "?" if pd.isna(c.end) else f"{c.end:%H:%M}"
            lines.append(f"closure {c.closure_id}: {s}–{e} UTC ({fmt_duration(c.duration_s, missing='?')}; {c.expected:.1f} movements expected)")
        inside = self._in_focus
        lines.append(f"diversions: {int(inside(self.diversions, 'time').sum())}; holdings: {int(inside(self.holdings, 'start').sum())}; "
                     f"go-arounds: {int(inside(self.go_arounds, 'time').sum())} (in the window)")
        return "\n".join(lines)

    def _in_focus(self, df: pd.DataFrame, col: str) -> np.ndarray:
        if self.focus_start is None or len(df) == 0:
            return np.ones(len(df), dtype=bool)
        t = df[col]
        return ((t >= self.focus_start) & (t < self.focus_end)).to_numpy(dtype=bool)

    def in_focus(self, name: str) -> pd.DataFrame:
        """Rows of ``diversions``, ``holdings`` or ``go_arounds`` inside the focus window."""
        df = getattr(self, name)
        col = "start" if name == "holdings" else "time"
        return df[self._in_focus(df, col)].reset_index(drop=True)


FOCUS_KINDS: Final[tuple[str, ...]] = ("attack", "restriction")
"""Event kinds whose days make the disruption window."""


def focus_window(scenario: Any, hours: pd.DataFrame, tz: str = "UTC") -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    """The disruption window: the report-zone days of the scenario's attack and restriction events inside the data.

    Falls back to the windows of the disruption claims inside the data, then
    to the last day of the data.

    Returns
    -------
    tuple
        (start, end exclusive), UTC; ``(None, None)`` without data.
    """
    from flighttrace.claims.coverage import day_numbers, day_starts

    if len(hours) == 0:
        return None, None
    lo, hi = hours["hour"].min(), hours["hour"].max() + pd.Timedelta(hours=1)
    spans: list[tuple[pd.Timestamp, pd.Timestamp]] = []
    for e in getattr(scenario, "events", ()):
        if e.kind in FOCUS_KINDS:
            spans.append(e.span())
    if not any(a < hi and b > lo for a, b in spans):
        from flighttrace.kinds import kind_of_test

        spans = [scenario.claim_window(c) for c in getattr(scenario, "claims", ()) if kind_of_test(c.test.kind) == "disruption"]
    spans = [(max(a, lo), min(b, hi)) for a, b in spans if a < hi and b > lo]
    if not spans:
        spans = [(hi - pd.Timedelta(days=1), hi)]
    d0 = int(day_numbers([min(a for a, _ in spans)], tz)[0])
    d1 = int(day_numbers([max(b for _, b in spans) - pd.Timedelta(1, "ns")], tz)[0])
    starts = day_starts(np.array([d0, d1 + 1]), tz).tz_convert("UTC")
    return pd.Timestamp(starts[0]), pd.Timestamp(starts[1])


def watched_airports(scenario: Any) -> tuple[str, ...]:
    """The scenario's fields in file order (codes first, then group members), resolved to ICAO."""
    out: list[str] = []
    idx = scenario.airport_index()
    for c in scenario.airports.codes:
        code = idx.resolve(c)
        if code not in out:
            out.append(code)
    for c in sorted(scenario.airport_codes()):
        if c not in out:
            out.append(c)
    return tuple(out)


def analyze(
    scenario: Any,
    legs: pd.DataFrame,
    points: pd.DataFrame | None = None,
    *,
    coverage: pd.DataFrame | None = None,
    report_tz: str | None = None,
    params: DisruptionParams | None = None,
) -> Disruption:
    """Every disruption measure for a scenario's fields.

    Parameters
    ----------
    scenario
        The :class:`~flighttrace.scenario.model.Scenario` (its fields are watched;
        its attack and restriction events give the focus window).
    legs
        :func:`flighttrace.detect_legs` output (all aircraft).
    points
        The Points table the legs were detected from; without it only the
        movements, the baseline, the closures and the usual-destination
        diversions are computed.
    coverage
        The daily coverage table (:func:`flighttrace.kinds.sorties.stats.coverage`).
    report_tz
        Report zone (default: the coverage table's, else the scenario's).
    params
        Thresholds (:class:`DisruptionParams`).

    Returns
    -------
    Disruption
    """
    from flighttrace.claims.coverage import scenario_region

    p = params or DisruptionParams()
    tz = report_tz or (str(coverage["tz"].iloc[0]) if coverage is not None and len(coverage) and "tz" in coverage else getattr(scenario.meta, "report_tz", "UTC"))
    airports = watched_airports(scenario)
    mov = movements(legs, airports)
    region = scenario_region(scenario)
    if points is not None:
        hours = hourly_coverage(points, coverage, region=region)
    elif len(legs):
        hours = hourly_coverage(None, coverage, start=legs["first_seen"].min(), end=legs["last_seen"].max())
    else:
        hours = hourly_coverage(None, coverage)
    hourly = hourly_movements(mov, hours, airports, params=p, tz=tz)
    f0, f1 = focus_window(scenario, hours, tz)
    cl = closures(mov, hourly, airports, f0, f1, params=p) if f0 is not None else closures(mov, hourly.iloc[0:0], [], pd.Timestamp(0, tz="UTC"), pd.Timestamp(0, tz="UTC"), params=p)
    fields_ = field_table(scenario.airport_index(), airports)
    if points is not None and len(points) and len(legs):
        pa = _PointArrays.build(points, legs)
        appr = approaches(pa, legs, fields_, params=p)
        div = diversions(legs, appr, airports, params=p)
        rows_of = {lid: i for i, lid in enumerate(legs["leg_id"].astype(str))}
        intended = {rows_of[str(r.leg_id)]: str(r.intended) for r in div.itertuples()}
        hold = holdings(pa, legs, fields_, intended=intended, params=p)
        ga = go_arounds(pa, legs, fields_, params=p)
        has_points = True
    else:
        div = diversions(legs, None, airports, params=p)
        hold = _empty(HOLDING_COLUMNS, ("start", "end"))
        ga = _empty(GO_AROUND_COLUMNS, ("time",))
        has_points = False
    return Disruption(airports, f0, f1, mov, hours, hourly, cl, div, hold, ga, p, tz, has_points)


analyze_disruption = analyze
"""Alias of :func:`analyze` (exported as ``flighttrace.analyze_disruption``)."""
