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

Where each measure lives
------------------------
The thresholds and the columns of every table are in
:mod:`~flighttrace.kinds.disruption.params`; movements, covered hours and the
baseline in :mod:`~flighttrace.kinds.disruption.movements`; runs and closures
in :mod:`~flighttrace.kinds.disruption.closures`; approaches and diversions in
:mod:`~flighttrace.kinds.disruption.diversions`; holdings and go-arounds in
:mod:`~flighttrace.kinds.disruption.manoeuvres`, on the sorted points of
:mod:`~flighttrace.kinds.disruption.points`. Every name is exported here too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
import pandas as pd

from flighttrace.cells import as_float, as_time
from flighttrace.kinds.disruption.closures import closures, movement_runs
from flighttrace.kinds.disruption.diversions import approaches, diversions
from flighttrace.kinds.disruption.manoeuvres import go_arounds, holdings
from flighttrace.kinds.disruption.movements import hourly_coverage, hourly_movements, movements
from flighttrace.kinds.disruption.params import (
    DIVERSION_COLUMNS,
    GO_AROUND_COLUMNS,
    HOLDING_COLUMNS,
    HOURLY_COLUMNS,
    MOVEMENT_COLUMNS,
    RUN_COLUMNS,
    DisruptionParams,
    _empty,
)
from flighttrace.kinds.disruption.points import _PointArrays, field_table, point_lineage
from flighttrace.tracks.params import GRADES

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
        """The tables by file name (``disruption_hourly``, ``closures``, ``diversions``, ``holdings``, ``go_arounds``, ``movements``,
        ``detectable``)."""
        return {"disruption_hourly": self.hourly, "closures": self.closures, "diversions": self.diversions,
                "holdings": self.holdings, "go_arounds": self.go_arounds, "movements": self.movements, "detectable": self.detectable}

    @property
    def detectable(self) -> pd.DataFrame:
        """:func:`~flighttrace.kinds.disruption.detectable.detectable` for the watched fields and the focus window (computed once)."""
        from flighttrace.kinds.disruption.detectable import detectable

        key = ("detectable", ())
        if key not in self.run_cache:
            self.run_cache[key] = detectable(self.hourly, self.holdings, self.diversions, self.airports, self.focus_start, self.focus_end, self.params)
        return self.run_cache[key]

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
            start, end = as_time(c.start), as_time(c.end)
            s = "?" if start is None else f"{start:%H:%M}"
            e = "?" if end is None else f"{end:%H:%M}"
            lines.append(f"closure {c.closure_id!s}: {s}–{e} UTC ({fmt_duration(as_float(c.duration_s), missing='?')}; {as_float(c.expected):.1f} movements expected)")
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
    tz = report_tz or (str(coverage["tz"].iloc[0]) if coverage is not None and len(coverage) and "tz" in coverage else str(getattr(scenario.meta, "report_tz", "UTC")))
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
    cl = closures(mov, hourly, airports, f0, f1, params=p) if f0 is not None and f1 is not None else closures(mov, hourly.iloc[0:0], [], pd.Timestamp(0, tz="UTC"), pd.Timestamp(0, tz="UTC"), params=p)
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
