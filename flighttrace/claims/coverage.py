"""Coverage: which days of the report zone the inputs could see.

Coverage
--------
A **day** is a calendar day in the report zone (UTC unless ``report_tz`` says
otherwise; every table carries the zone in a ``tz`` column). A day is
*covered* when some input file's time span overlaps it **and** the data holds
at least one point inside the region of interest that day. An uncovered day
is excluded from numerators and denominators alike: a count of zero on an
uncovered day is not a zero, it is missing (``NaN``).

Windows that do not fall on day boundaries (an event that starts at 00:05
Yerevan time, a report zone other than UTC) are measured in *fractions of
days*: a window that holds 6 hours of a covered day adds 0.25 covered days to
its exposure. Events (sorties, landings) count in a window when their time is
inside it and their day is covered.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final, NamedTuple

import numpy as np
import pandas as pd

from flighttrace.numfmt import fmt_n, fmt_number

__all__ = [
    "COVERAGE_COLUMNS",
    "SERIES_COLUMNS",
    "FREQUENCIES",
    "REGION_MARGIN_DEG",
    "Region",
    "resolve_tz",
    "scenario_region",
    "coverage",
    "assumed_coverage",
    "check_coverage",
    "day_numbers",
    "day_starts",
    "window_days",
    "window_summary",
    "window_day_bounds",
    "uncovered_text",
    "table_days",
]

COVERAGE_COLUMNS: Final[tuple[str, ...]] = ("date", "has_file", "n_points", "n_aircraft", "covered", "reason", "tz")
"""Columns of the coverage table (one row per day in the report zone)."""

SERIES_COLUMNS: Final[tuple[str, ...]] = ("period_start", "sorties", "landings", "days", "days_covered", "rate_per_day", "tz")
"""Columns of each count series (day, week, month)."""

FREQUENCIES: Final[tuple[str, ...]] = ("day", "week", "month")
"""Period lengths of :func:`series`; weeks start on Monday."""

REGION_MARGIN_DEG: Final = 5.0
"""Default widening (degrees of latitude and longitude) of the scenario's airport box."""

NO_FILE: Final = "no file spans it"
NO_TRAFFIC: Final = "no traffic in the region"
OUTSIDE: Final = "outside the input"

_NO_DAY: Final = np.iinfo(np.int64).min
_NS_PER_DAY: Final = 86_400 * 10**9


class Region(NamedTuple):
    """A latitude/longitude box, degrees (WGS84)."""

    lat_min: float
    lat_max: float
    lon_min: float
    lon_max: float


# ---------------------------------------------------------------------------------------
# days in a zone


def resolve_tz(report_tz: str | None) -> str:
    """The report zone: ``report_tz`` checked as an IANA zone, or ``"UTC"``.

    Raises
    ------
    ValueError
        For an unknown zone.
    """
    if report_tz is None or report_tz == "":
        return "UTC"
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(report_tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {report_tz!r}; give an IANA zone such as 'Asia/Baku' or 'UTC'") from None
    return report_tz


def _utc_index(times: Any) -> pd.DatetimeIndex:
    idx = pd.DatetimeIndex(times) if not isinstance(times, pd.DatetimeIndex) else times
    if idx.tz is None:
        if len(idx) == 0:
            return idx.tz_localize("UTC")
        raise ValueError("times must be timezone-aware (UTC)")
    return idx.tz_convert("UTC")


def day_numbers(times: Any, tz: str) -> np.ndarray:
    """Calendar day of each time in zone ``tz``, as days since 1970-01-01 (int64).

    Parameters
    ----------
    times
        Timezone-aware times (a Series, an index or a list of timestamps).
    tz
        IANA zone.

    Returns
    -------
    numpy.ndarray
        int64; missing times get the smallest int64.
    """
    idx = _utc_index(times)
    local = idx.tz_convert(tz).tz_localize(None)
    out = local.values.astype("datetime64[D]").astype(np.int64)
    out[np.asarray(idx.isna())] = _NO_DAY
    return out


def day_starts(days: Any, tz: str) -> pd.DatetimeIndex:
    """Local midnights of day numbers from :func:`day_numbers`.

    Parameters
    ----------
    days
        Days since 1970-01-01 (int).
    tz
        IANA zone.

    Returns
    -------
    pandas.DatetimeIndex
        tz-aware, ns. A midnight that does not exist (a DST jump at midnight)
        moves forward to the first instant that does; an ambiguous one is
        the first of the two.
    """
    d = np.asarray(days, dtype=np.int64).astype("datetime64[D]").astype("datetime64[ns]")
    naive = pd.DatetimeIndex(d)
    out = naive.tz_localize(tz, ambiguous=np.ones(len(naive), dtype=bool), nonexistent="shift_forward")
    return out.as_unit("ns")


# ---------------------------------------------------------------------------------------
# coverage


def scenario_region(scenario: Any, margin_deg: float = REGION_MARGIN_DEG) -> Region | None:
    """The box around a scenario's airports, widened by ``margin_deg`` degrees.

    Returns
    -------
    Region or None
        ``None`` when the scenario names no airport.
    """
    codes = sorted(scenario.airport_codes())
    if not codes:
        return None
    pos = scenario.airport_index().positions(codes)
    return Region(
        max(-90.0, float(pos["lat"].min()) - margin_deg),
        min(90.0, float(pos["lat"].max()) + margin_deg),
        max(-180.0, float(pos["lon"].min()) - margin_deg),
        min(180.0, float(pos["lon"].max()) + margin_deg),
    )


def _empty_coverage(tz: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "date": pd.Series([], dtype=pd.DatetimeTZDtype("ns", tz)),
            "has_file": pd.Series([], dtype=bool),
            "n_points": pd.Series([], dtype=np.int64),
            "n_aircraft": pd.Series([], dtype=np.int64),
            "covered": pd.Series([], dtype=bool),
            "reason": pd.Series([], dtype=object),
            "tz": pd.Series([], dtype=object),
        }
    )


def _coverage_frame(d0: int, has_file: np.ndarray, n_points: np.ndarray, n_aircraft: np.ndarray, tz: str) -> pd.DataFrame:
    n = len(has_file)
    covered = has_file & (n_points > 0)
    reason = np.where(covered, "", np.where(has_file, NO_TRAFFIC, NO_FILE)).astype(object)
    return pd.DataFrame(
        {
            "date": day_starts(np.arange(d0, d0 + n), tz),
            "has_file": has_file.astype(bool),
            "n_points": n_points.astype(np.int64),
            "n_aircraft": n_aircraft.astype(np.int64),
            "covered": covered.astype(bool),
            "reason": reason,
            "tz": np.full(n, tz, dtype=object),
        }
    )


def coverage(dataset: Any, scenario: Any = None, *, report_tz: str | None = None, region: Region | Sequence[float] | None = None) -> pd.DataFrame:
    """Which days the input covers, one row per day in the report zone.

    Parameters
    ----------
    dataset
        A :class:`~flighttrace.io.api.Dataset` (anything with ``points`` and
        ``manifest``), or a coverage table made earlier (returned checked,
        see :func:`check_coverage`).
    scenario
        Gives the default region: the box of its airports widened by
        :data:`REGION_MARGIN_DEG` degrees.
    report_tz
        IANA zone of the days; default UTC (for a coverage table: its own zone).
    region
        ``(lat_min, lat_max, lon_min, lon_max)`` in degrees; overrides the
        scenario's box. Without region and scenario every point counts.

    Returns
    -------
    pandas.DataFrame
        Columns of :data:`COVERAGE_COLUMNS`, from the first to the last day
        of the input: ``date`` (local midnight, tz-aware), ``has_file`` (some
        file's ``[time_min, time_max]`` overlaps the day), ``n_points`` and
        ``n_aircraft`` (inside the region that day), ``covered`` (``has_file``
        and ``n_points > 0``), ``reason`` (``""``, ``"no file spans it"`` or
        ``"no traffic in the region"``), ``tz``.
    """
    if isinstance(dataset, pd.DataFrame):
        return check_coverage(dataset, report_tz=report_tz)
    tz = resolve_tz(report_tz)
    points: pd.DataFrame = dataset.points
    manifest: pd.DataFrame = dataset.manifest
    spans = manifest[["time_min", "time_max"]].dropna() if len(manifest) else pd.DataFrame({"time_min": [], "time_max": []})
    lows = [t for t in (spans["time_min"].min() if len(spans) else pd.NaT, points["time"].min() if len(points) else pd.NaT) if pd.notna(t)]
    highs = [t for t in (spans["time_max"].max() if len(spans) else pd.NaT, points["time"].max() if len(points) else pd.NaT) if pd.notna(t)]
    if not lows:
        return _empty_coverage(tz)
    d0 = int(day_numbers([min(lows)], tz)[0])
    d1 = int(day_numbers([max(highs)], tz)[0])
    n = d1 - d0 + 1
    diff = np.zeros(n + 1, dtype=np.int64)
    if len(spans):
        a = day_numbers(spans["time_min"], tz) - d0
        b = day_numbers(spans["time_max"], tz) - d0
        np.add.at(diff, a, 1)
        np.add.at(diff, b + 1, -1)
    has_file = np.cumsum(diff[:n]) > 0
    if region is None and scenario is not None:
        region = scenario_region(scenario)
    times, hexes = points["time"], points["icao24"]
    if region is not None and len(points):  # only the two columns used are filtered, not the whole table
        r = Region(*region)
        lat, lon = points["lat"].to_numpy(), points["lon"].to_numpy()
        inside = (lat >= r.lat_min) & (lat <= r.lat_max) & (lon >= r.lon_min) & (lon <= r.lon_max)
        times, hexes = times[inside], hexes[inside]
    day = day_numbers(times, tz) - d0 if len(times) else np.zeros(0, dtype=np.int64)
    n_points = np.bincount(day, minlength=n)[:n]
    n_aircraft = _aircraft_per_day(day, hexes, n)
    return _coverage_frame(d0, has_file, n_points, n_aircraft, tz)


def _aircraft_per_day(day: np.ndarray, hexes: pd.Series, n_days: int, *, max_table_cells: int = 1 << 26) -> np.ndarray:
    """Distinct aircraft seen on each of ``n_days`` days (``day`` counts from 0), without sorting the points.

    Parameters
    ----------
    day
        Day of each point (0 … ``n_days - 1``).
    hexes
        ICAO 24-bit address of each point (categorical or not).
    n_days
        Number of days.
    max_table_cells
        Largest days × aircraft table of seen flags (bytes); beyond it the
        (day, aircraft) pairs are made distinct by hashing instead.

    Returns
    -------
    numpy.ndarray
        int64 count per day.
    """
    if len(day) == 0:
        return np.zeros(n_days, dtype=np.int64)
    codes = hexes.cat.codes.to_numpy().astype(np.int64) if isinstance(hexes.dtype, pd.CategoricalDtype) else None
    if codes is None or (codes < 0).any():
        codes = pd.factorize(hexes)[0].astype(np.int64)
    k = int(codes.max(initial=0)) + 1
    pairs = day * k + codes
    if codes.min(initial=0) >= 0 and n_days * k <= max_table_cells:
        seen = np.zeros(n_days * k, dtype=bool)
        seen[pairs] = True
        return seen.reshape(n_days, k).sum(axis=1).astype(np.int64)
    return np.bincount(pd.unique(pairs) // k, minlength=n_days)[:n_days]


def assumed_coverage(legs: pd.DataFrame, *, report_tz: str | None = None) -> pd.DataFrame:
    """A coverage table that declares every day from the first to the last leg covered.

    Used when no coverage is given: the span of the legs is *assumed* to be
    covered. ``n_points`` and ``n_aircraft`` count the legs' points and
    aircraft by the day each leg was first seen.
    """
    tz = resolve_tz(report_tz)
    if len(legs) == 0:
        return _empty_coverage(tz)
    first = day_numbers(legs["first_seen"], tz)
    last = day_numbers(legs["last_seen"], tz)
    d0, d1 = int(first.min()), int(last.max())
    n = d1 - d0 + 1
    npts = legs["n_points"].to_numpy(dtype=np.int64) if "n_points" in legs else np.ones(len(legs), dtype=np.int64)
    n_points = np.bincount(first - d0, weights=npts, minlength=n)[:n].astype(np.int64)
    codes = pd.factorize(legs["icao24"])[0].astype(np.int64)
    k = int(codes.max(initial=0)) + 1
    n_aircraft = np.bincount(np.unique((first - d0) * k + codes) // k, minlength=n)[:n]
    out = _coverage_frame(d0, np.ones(n, dtype=bool), n_points, n_aircraft, tz)
    out["covered"] = True
    out["reason"] = ""
    return out


def check_coverage(table: pd.DataFrame, *, report_tz: str | None = None) -> pd.DataFrame:
    """Check a coverage table and return it sorted, one row per consecutive day.

    Days missing between the first and the last row are added as uncovered
    (reason ``"no file spans it"``).

    Raises
    ------
    ValueError
        When a column is missing, ``date`` is not timezone-aware, or
        ``report_tz`` differs from the table's zone (re-binning days from one
        zone into another is not possible).
    """
    missing = [c for c in ("date", "covered") if c not in table.columns]
    if missing:
        raise ValueError(f"not a coverage table: missing column(s) {', '.join(missing)}")
    if not isinstance(table["date"].dtype, pd.DatetimeTZDtype):
        raise ValueError("coverage table: 'date' must be timezone-aware (local midnights)")
    tz = str(table["date"].dt.tz)
    if "tz" in table.columns and len(table) and isinstance(table["tz"].iloc[0], str):
        tz = table["tz"].iloc[0]
    if report_tz is not None and resolve_tz(report_tz) != tz:
        raise ValueError(f"the coverage table is in {tz}, not {report_tz}; compute coverage in the report zone")
    if len(table) == 0:
        return _empty_coverage(tz)
    days = day_numbers(table["date"], tz)
    order = np.argsort(days, kind="stable")
    days = days[order]
    d0, d1 = int(days[0]), int(days[-1])
    n = d1 - d0 + 1
    pos = days - d0
    has_file = np.zeros(n, dtype=bool)
    n_points = np.zeros(n, dtype=np.int64)
    n_aircraft = np.zeros(n, dtype=np.int64)
    covered = np.zeros(n, dtype=bool)
    src = table.iloc[order]
    covered[pos] = src["covered"].to_numpy(dtype=bool)
    has_file[pos] = src["has_file"].to_numpy(dtype=bool) if "has_file" in src else covered[pos]
    if "n_points" in src:
        n_points[pos] = src["n_points"].to_numpy(dtype=np.int64)
    else:
        n_points[pos] = covered[pos].astype(np.int64)
    if "n_aircraft" in src:
        n_aircraft[pos] = src["n_aircraft"].to_numpy(dtype=np.int64)
    out = _coverage_frame(d0, has_file, n_points, n_aircraft, tz)
    out["covered"] = covered
    if "reason" in src:
        reason = out["reason"].to_numpy(dtype=object)
        reason[pos] = src["reason"].fillna("").astype(str).to_numpy(dtype=object)
        reason[covered] = ""
        out["reason"] = reason
    return out


def table_days(cov: pd.DataFrame) -> tuple[np.ndarray, str]:
    """The day numbers of a coverage table's ``date`` column in its zone, and the zone.

    A claim's evaluation asks for them many times over one table: they are
    remembered by the column's values (and zone), never by the table object.
    """
    tz = cov["tz"].iloc[0] if len(cov) else "UTC"
    dates = cov["date"]
    try:
        key: Any = (tz, str(dates.dtype), pd.DatetimeIndex(dates).asi8.tobytes())
    except (TypeError, ValueError):  # not datetimes: computed (and refused) as before
        return day_numbers(dates, tz), tz
    hit = _TABLE_DAYS.get(key)
    if hit is None:
        hit = day_numbers(dates, tz)
        if len(_TABLE_DAYS) >= _TABLE_DAYS_KEPT:
            _TABLE_DAYS.pop(next(iter(_TABLE_DAYS)))
        _TABLE_DAYS[key] = hit
    return hit.copy(), tz


_TABLE_DAYS: dict[Any, np.ndarray] = {}
"""Day numbers of coverage tables' dates, by (zone, dtype, values)."""
_TABLE_DAYS_KEPT: Final = 16
"""Tables remembered at most (the oldest is forgotten first)."""


def _window_arrays(cov: pd.DataFrame, tz: str, start: pd.Timestamp, end: pd.Timestamp) -> tuple[np.ndarray, pd.DatetimeIndex, np.ndarray, np.ndarray, np.ndarray]:
    """The days ``[start, end)`` touches (``end > start``): day numbers, local midnights (one more: the next day's),
    share of each day inside, covered, reason."""
    d0 = int(day_numbers([start], tz)[0])
    d1 = int(day_numbers([end - pd.Timedelta(1, "ns")], tz)[0])
    days = np.arange(d0, d1 + 1, dtype=np.int64)
    midnights = day_starts(np.arange(d0, d1 + 2, dtype=np.int64), tz)  # each day's start, and the next day's
    b0 = midnights.asi8[:-1]
    b1 = midnights.asi8[1:]
    s, e = pd.Timestamp(start).value, pd.Timestamp(end).value
    frac = (np.minimum(b1, e) - np.maximum(b0, s)).clip(0) / (b1 - b0)
    covered = np.zeros(len(days), dtype=bool)
    reason = np.full(len(days), OUTSIDE, dtype=object)
    if len(cov):
        tdays, _ = table_days(cov)
        pos = np.searchsorted(tdays, days)
        pos_c = np.minimum(pos, len(tdays) - 1)
        found = tdays[pos_c] == days
        covered[found] = cov["covered"].to_numpy(dtype=bool)[pos_c[found]]
        reason[found] = cov["reason"].to_numpy(dtype=object)[pos_c[found]]
    return days, midnights, frac, covered, reason


def window_days(cov: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """The days a window ``[start, end)`` touches, with their coverage.

    Parameters
    ----------
    cov
        Coverage table.
    start, end
        UTC instants; ``end`` exclusive.

    Returns
    -------
    pandas.DataFrame
        ``date`` (local midnight), ``fraction`` (share of the day inside the
        window, 0–1), ``covered``, ``reason`` (``"outside the input"`` for
        days beyond the coverage table).
    """
    tz = cov["tz"].iloc[0] if len(cov) else "UTC"
    if not end > start:
        return pd.DataFrame({"date": pd.Series([], dtype=pd.DatetimeTZDtype("ns", tz)), "fraction": [], "covered": pd.Series([], dtype=bool),
                             "reason": pd.Series([], dtype=object)})
    _, midnights, frac, covered, reason = _window_arrays(cov, tz, start, end)
    return pd.DataFrame({"date": midnights[:-1], "fraction": frac, "covered": covered, "reason": reason})


def window_day_bounds(cov: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The days a window ``[start, end)`` touches as arrays: each day's first and next day's first instant, and whether it is covered.

    Parameters
    ----------
    cov
        Coverage table.
    start, end
        UTC instants; ``end`` exclusive.

    Returns
    -------
    tuple of numpy.ndarray
        Local midnights as int64 UTC nanoseconds (the day's and the next
        day's) and ``covered``, one per row of :func:`window_days`.
    """
    if not end > start:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=bool)
    _, midnights, _, covered, _ = _window_arrays(cov, cov["tz"].iloc[0] if len(cov) else "UTC", start, end)
    return midnights.asi8[:-1], midnights.asi8[1:], covered


def window_summary(cov: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp, *, max_runs: int = 6) -> tuple[float, float, str]:
    """What a claim's window holds, without building :func:`window_days`' table: its days, uncovered days and their text.

    Parameters
    ----------
    cov
        Coverage table.
    start, end
        UTC instants; ``end`` exclusive.
    max_runs
        As for :func:`uncovered_text`.

    Returns
    -------
    tuple of (float, float, str)
        The days in the window (partial days by their share), of them the
        uncovered ones, and :func:`uncovered_text` of the window's days.
    """
    if not end > start:
        return 0.0, 0.0, ""
    days, _, frac, covered, reason = _window_arrays(cov, cov["tz"].iloc[0] if len(cov) else "UTC", start, end)
    un = ~covered
    return float(frac.sum()), float((frac * un).sum()), _runs_text(days[un], reason[un].astype(str), max_runs, frac[un])


def uncovered_text(wd: pd.DataFrame, *, max_runs: int = 6) -> str:
    """The uncovered days of a :func:`window_days` table as dated runs with reasons.

    Parameters
    ----------
    wd
        :func:`window_days` output.
    max_runs
        Runs listed before the rest are summarised as "and N more runs".

    Returns
    -------
    str
        ``""`` when every day is covered, else e.g.
        ``"2019-06-01–2019-06-30 (30 days: no file spans it)"``; runs are
        split where the reason changes.
    """
    un = wd[~wd["covered"].to_numpy(dtype=bool)]
    if len(un) == 0:
        return ""
    tz = str(wd["date"].dt.tz)
    return _runs_text(day_numbers(un["date"], tz), un["reason"].astype(str).to_numpy(), max_runs, un["fraction"].to_numpy(dtype=float))


def _days_text(n: float) -> str:
    """A count of days that may hold parts of days: ``1 day``, ``1.8 days``, ``20 h`` under a day."""
    if n < 1.0 - 1e-9:
        return f"{fmt_number(n * 24.0, 0)} h"
    text = fmt_number(n)
    return f"{text} day{'' if text == '1' else 's'}"


def _runs_text(days: np.ndarray, reasons: np.ndarray, max_runs: int, shares: np.ndarray | None = None) -> str:
    """Uncovered days (day numbers, in order) and their reasons as dated runs (:func:`uncovered_text`).

    ``shares``: the part of each day inside the window (0–1); a run then counts
    its days by those parts, as the window's own count of uncovered days does
    (a window of 17 UTC days touches 18 days of a zone four hours ahead, two of
    them in part). ``None``: whole days.
    """
    if len(days) == 0:
        return ""
    weight = np.ones(len(days)) if shares is None else np.asarray(shares, dtype=float)
    brk = np.ones(len(days), dtype=bool)
    brk[1:] = (np.diff(days) != 1) | (reasons[1:] != reasons[:-1])
    starts = np.flatnonzero(brk)
    ends = np.append(starts[1:], len(days)) - 1
    parts = []
    for a, b in zip(starts[:max_runs], ends[:max_runs], strict=True):
        da = str(np.datetime64(int(days[a]), "D"))
        db = str(np.datetime64(int(days[b]), "D"))
        n = float(weight[a : b + 1].sum())
        span = da if a == b else f"{da}–{db}"
        parts.append(f"{span} ({_days_text(n)}: {reasons[a]})")
    if len(starts) > max_runs:
        parts.append(f"and {fmt_n(len(starts) - max_runs, 'more run')}")
    return "; ".join(parts)


