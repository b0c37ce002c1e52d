"""Frequency series, event windows and statistics of a fleet's sorties: tables in, tables out.

Every function here is pure: it takes tables (a coverage table from
:mod:`flighttrace.claims.coverage`, a column of event times, the scenario's
events) and returns tables. Nothing reads files.

Statistics
----------
* :func:`rate_ratio` — Poisson rate ratio of the events inside windows
  against outside, with an exact confidence interval (conditional binomial,
  Clopper–Pearson on ``n1 | n1 + n0``).
* :func:`permutation_before_start` — are events clustered in the N days before
  the event starts? The event dates are shifted circularly across the covered
  days; the p-value is the share of shifts whose statistic is at least the
  observed one.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from flighttrace.claims.coverage import FREQUENCIES, day_numbers, day_starts, table_days
from flighttrace.kinds.sorties.gaps import day_fractions, event_days, interval_arrays, interval_frame, table_bounds
from flighttrace.schema import TIME_DTYPE

__all__ = [
    "RateRatioResult",
    "PermutationResult",
    "daily_counts",
    "series",
    "rolling_rates",
    "event_windows",
    "merge_intervals",
    "interval_fractions",
    "window_counts",
    "event_counts",
    "event_study",
    "intervals",
    "ground_times",
    "ground_time_stats",
    "rate_ratio",
    "window_rate_ratio",
    "permutation_before_start",
]

# ---------------------------------------------------------------------------------------
# counts and series


def daily_counts(cov: pd.DataFrame, times: Any) -> np.ndarray:
    """Events per day of the coverage table.

    Parameters
    ----------
    cov
        Coverage table.
    times
        UTC times of the events (missing times are ignored).

    Returns
    -------
    numpy.ndarray
        float, one per row of ``cov``; ``NaN`` on uncovered days (a zero
        there is not a zero). Events on days outside the table are ignored.
    """
    n = len(cov)
    if n == 0:
        return np.zeros(0)
    tdays, tz = table_days(cov)
    t = pd.Series(times) if not isinstance(times, pd.Series) else times
    t = t.dropna()
    d = day_numbers(t, tz) - tdays[0] if len(t) else np.zeros(0, dtype=np.int64)
    d = d[(d >= 0) & (d < n)]
    counts = np.bincount(d, minlength=n)[:n].astype(float)
    counts[~cov["covered"].to_numpy(dtype=bool)] = np.nan
    return counts


def _period_keys(days: np.ndarray, freq: str) -> np.ndarray:
    if freq == "day":
        return days
    if freq == "week":
        return days - (days + 3) % 7  # 1970-01-01 was a Thursday; weeks start on Monday
    if freq == "month":
        return days.astype("datetime64[D]").astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
    raise ValueError(f"unknown frequency {freq!r}; use one of {', '.join(FREQUENCIES)}")


def series(cov: pd.DataFrame, *, sorties: Any = (), landings: Any = (), freqs: Iterable[str] = FREQUENCIES) -> dict[str, pd.DataFrame]:
    """Sorties and landings per day, week and month, on covered days only.

    Parameters
    ----------
    cov
        Coverage table (its zone sets the calendar).
    sorties, landings
        UTC times of each sortie (arrival at the far field) and landing.
    freqs
        Any of ``"day"``, ``"week"`` (Monday to Sunday), ``"month"``.

    Returns
    -------
    dict
        ``freq`` → DataFrame with the columns of :data:`SERIES_COLUMNS`:
        ``period_start`` (local midnight), ``sorties`` and ``landings``
        (sums over the covered days; ``NaN`` when no day of the period is
        covered), ``days`` (days of the period inside the input span),
        ``days_covered``, ``rate_per_day`` (sorties per covered day), ``tz``.
    """
    tdays, tz = table_days(cov)
    covered = cov["covered"].to_numpy(dtype=bool) if len(cov) else np.zeros(0, dtype=bool)
    s = np.nan_to_num(daily_counts(cov, sorties))
    ln = np.nan_to_num(daily_counts(cov, landings))
    out: dict[str, pd.DataFrame] = {}
    for freq in freqs:
        keys = _period_keys(tdays, freq)
        uniq, inv = np.unique(keys, return_inverse=True)
        m = len(uniq)
        days = np.bincount(inv, minlength=m).astype(np.int64)
        dcov = np.bincount(inv, weights=covered.astype(float), minlength=m).astype(np.int64)
        srt = np.bincount(inv, weights=s, minlength=m).astype(float)
        lnd = np.bincount(inv, weights=ln, minlength=m).astype(float)
        none = dcov == 0
        srt[none] = np.nan
        lnd[none] = np.nan
        with np.errstate(invalid="ignore", divide="ignore"):
            rate = np.where(none, np.nan, srt / np.maximum(dcov, 1))
        out[freq] = pd.DataFrame(
            {
                "period_start": day_starts(uniq, tz),
                "sorties": srt,
                "landings": lnd,
                "days": days,
                "days_covered": dcov,
                "rate_per_day": rate,
                "tz": np.full(m, tz, dtype=object),
            }
        )
    return out


def rolling_rates(cov: pd.DataFrame, times: Any, *, windows_days: Sequence[int] = (7, 30)) -> pd.DataFrame:
    """Trailing rolling rates per day, over covered days only.

    Parameters
    ----------
    cov
        Coverage table.
    times
        UTC times of the events (sorties).
    windows_days
        Window lengths, days (each window ends on and includes the row's day).

    Returns
    -------
    pandas.DataFrame
        ``date``, ``sorties`` (``NaN`` when uncovered), ``covered``, then per
        window ``w``: ``sorties_{w}d`` (sum over the covered days of the
        window), ``days_covered_{w}d``, ``rate_{w}d`` (per covered day;
        ``NaN`` when none is covered), and ``tz``.
    """
    counts = daily_counts(cov, times)
    covered = cov["covered"].to_numpy(dtype=bool) if len(cov) else np.zeros(0, dtype=bool)
    out = pd.DataFrame({"date": cov["date"].reset_index(drop=True), "sorties": counts, "covered": covered})
    c0 = pd.Series(np.nan_to_num(counts))
    cv = pd.Series(covered.astype(float))
    for w in windows_days:
        ssum = c0.rolling(int(w), min_periods=1).sum().to_numpy()
        dsum = cv.rolling(int(w), min_periods=1).sum().to_numpy()
        with np.errstate(invalid="ignore", divide="ignore"):
            rate = np.where(dsum > 0, ssum / np.maximum(dsum, 1), np.nan)
        out[f"sorties_{w}d"] = np.where(dsum > 0, ssum, np.nan)
        out[f"days_covered_{w}d"] = dsum.astype(np.int64)
        out[f"rate_{w}d"] = rate
    out["tz"] = cov["tz"].to_numpy(dtype=object) if len(cov) else np.zeros(0, dtype=object)
    return out


# ---------------------------------------------------------------------------------------
# windows


def _as_timedelta(value: Any) -> pd.Timedelta:
    if value is None:
        return pd.Timedelta(0)
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return pd.Timedelta(days=float(value))
    if isinstance(value, str):
        from flighttrace.scenario import parse_duration

        return parse_duration(value)
    return pd.Timedelta(value)


def event_windows(events: pd.DataFrame, *, lead: Any = None, lag: Any = None) -> pd.DataFrame:
    """Each event's window: from start − ``lead`` to (exclusive) end + ``lag``.

    Parameters
    ----------
    events
        ``Scenario.events_frame()`` (``id``, ``name``, ``kind``, ``start``,
        ``end`` exclusive, UTC).
    lead, lag
        Durations: a :class:`pandas.Timedelta`, a string such as ``"30d"``,
        or a number of days. Default 0.

    Returns
    -------
    pandas.DataFrame
        ``event_id``, ``name``, ``kind``, ``start``, ``end``,
        ``window_start``, ``window_end`` (UTC; end exclusive).
    """
    lead_td, lag_td = _as_timedelta(lead), _as_timedelta(lag)
    out = pd.DataFrame(
        {
            "event_id": events["id"].astype(object).to_numpy() if "id" in events else events["event_id"].astype(object).to_numpy(),
            "name": events["name"].astype(object).to_numpy(),
            "kind": events["kind"].astype(object).to_numpy(),
            "start": events["start"].astype(TIME_DTYPE).array,
            "end": events["end"].astype(TIME_DTYPE).array,
        }
    )
    for c in ("start", "end"):
        out[c] = out[c].astype(TIME_DTYPE)
    out["window_start"] = out["start"] - lead_td
    out["window_end"] = out["end"] + lag_td
    return out


def merge_intervals(starts: Any, ends: Any) -> tuple[np.ndarray, np.ndarray]:
    """Union of half-open intervals ``[start, end)``.

    Parameters
    ----------
    starts, ends
        UTC times (or int64 ns arrays); empty intervals are dropped.

    Returns
    -------
    tuple of numpy.ndarray
        Sorted, disjoint starts and ends, int64 ns.
    """
    s = np.asarray(pd.DatetimeIndex(starts).as_unit("ns").asi8 if not isinstance(starts, np.ndarray) else starts, dtype=np.int64)
    e = np.asarray(pd.DatetimeIndex(ends).as_unit("ns").asi8 if not isinstance(ends, np.ndarray) else ends, dtype=np.int64)
    keep = e > s
    s, e = s[keep], e[keep]
    if len(s) == 0:
        return s, e
    order = np.argsort(s, kind="stable")
    s, e = s[order], e[order]
    run_end = np.maximum.accumulate(e)
    new = np.ones(len(s), dtype=bool)
    new[1:] = s[1:] > run_end[:-1]
    gid = np.cumsum(new) - 1
    ms = s[new]
    me = np.zeros(len(ms), dtype=np.int64)
    np.maximum.at(me, gid, e)
    return ms, me


def interval_fractions(cov: pd.DataFrame, starts: Any, ends: Any) -> np.ndarray:
    """The share of each day of the coverage table inside the union of intervals.

    Parameters
    ----------
    cov
        Coverage table (its zone sets the day boundaries).
    starts, ends
        Interval bounds (UTC times or int64 ns), ends exclusive.

    Returns
    -------
    numpy.ndarray
        float in [0, 1], one per row of ``cov`` (covered or not).
    """
    if len(cov) == 0:
        return np.zeros(0)
    ms, me = merge_intervals(starts, ends)
    if len(ms) == 0:
        return np.zeros(len(cov))
    return day_fractions(table_bounds(cov), ms, me)


def _in_intervals(t_ns: np.ndarray, ms: np.ndarray, me: np.ndarray) -> np.ndarray:
    if len(ms) == 0:
        return np.zeros(len(t_ns), dtype=bool)
    k = np.searchsorted(ms, t_ns, side="right") - 1
    ok = k >= 0
    out = np.zeros(len(t_ns), dtype=bool)
    out[ok] = t_ns[ok] < me[k[ok]]
    return out


def _covered_times(cov: pd.DataFrame, times: Any) -> np.ndarray:
    """ns times of the events whose day is covered."""
    t = pd.Series(times) if not isinstance(times, pd.Series) else times
    t = t.dropna()
    if len(t) == 0 or len(cov) == 0:
        return np.zeros(0, dtype=np.int64)
    t = t.astype(TIME_DTYPE)
    tdays, tz = table_days(cov)
    d = day_numbers(t, tz) - tdays[0]
    ok = (d >= 0) & (d < len(cov))
    ok[ok] = cov["covered"].to_numpy(dtype=bool)[d[ok]]
    return np.asarray(pd.DatetimeIndex(t).asi8, dtype=np.int64)[ok]


def window_counts(cov: pd.DataFrame, times: Any, starts: Any, ends: Any) -> tuple[int, float, float]:
    """Events on covered days inside the union of windows, its length and covered length.

    Parameters
    ----------
    cov
        Coverage table.
    times
        UTC times of the events.
    starts, ends
        Window bounds (UTC), ends exclusive; overlaps are merged.

    Returns
    -------
    tuple
        ``(count, days, days_covered)``; days are fractional. ``days`` counts
        only the days inside the coverage table.
    """
    frac = interval_fractions(cov, starts, ends)
    covered = cov["covered"].to_numpy(dtype=bool) if len(cov) else np.zeros(0, dtype=bool)
    ms, me = merge_intervals(starts, ends)
    t = _covered_times(cov, times)
    return int(_in_intervals(t, ms, me).sum()), float(frac.sum()), float((frac * covered).sum())


def event_counts(windows: pd.DataFrame, cov: pd.DataFrame, times: Any) -> pd.DataFrame:
    """Events per event window, on covered days.

    Parameters
    ----------
    windows
        :func:`event_windows` output.
    cov
        Coverage table.
    times
        UTC times of the events (sorties).

    Returns
    -------
    pandas.DataFrame
        ``windows`` plus ``sorties`` (``NaN`` when no part of the window is
        covered), ``days`` (window length in days, inside the input span),
        ``days_covered``, ``rate_per_day``.
    """
    out = windows.copy()
    n, d, dc = [], [], []
    for ws, we in zip(out["window_start"], out["window_end"], strict=True):  # one per event
        c, days, covered = window_counts(cov, times, [ws], [we])
        n.append(float(c) if covered > 0 else np.nan)
        d.append(days)
        dc.append(covered)
    out["sorties"] = np.asarray(n, dtype=float)
    out["days"] = np.asarray(d, dtype=float)
    dcov = np.asarray(dc, dtype=float)
    out["days_covered"] = dcov
    out["rate_per_day"] = np.divide(out["sorties"].to_numpy(), dcov, out=np.full(len(dcov), np.nan), where=dcov > 0)
    return out


def event_study(events: pd.DataFrame, cov: pd.DataFrame, times: Any, *, before_days: int = 30, after_days: int = 30) -> pd.DataFrame:
    """Events per calendar day relative to each event's start.

    Day 0 is the report-zone day that holds the event's start; day −1 the day
    before, and so on.

    Parameters
    ----------
    events
        ``Scenario.events_frame()`` or :func:`event_windows` output.
    cov
        Coverage table.
    times
        UTC times of the events counted (sorties).
    before_days, after_days
        Days before and after day 0 to list.

    Returns
    -------
    pandas.DataFrame
        ``event_id``, ``day`` (int), ``date`` (local midnight), ``sorties``
        (``NaN`` when the day is not covered), ``covered``, ``tz``.
    """
    tz = cov["tz"].iloc[0] if len(cov) else "UTC"
    counts = daily_counts(cov, times)
    tdays = table_days(cov)[0] if len(cov) else np.zeros(0, dtype=np.int64)
    ids = events["id"] if "id" in events else events["event_id"]
    rel = np.arange(-int(before_days), int(after_days) + 1, dtype=np.int64)
    d0 = day_numbers(events["start"], tz)
    days = (d0[:, None] + rel[None, :]).ravel()
    pos = days - (tdays[0] if len(tdays) else 0)
    inside = (pos >= 0) & (pos < len(cov))
    cnt = np.full(len(days), np.nan)
    cnt[inside] = counts[pos[inside]]
    return pd.DataFrame(
        {
            "event_id": np.repeat(np.asarray(ids, dtype=object), len(rel)),
            "day": np.tile(rel, len(d0)),
            "date": day_starts(days, tz),
            "sorties": cnt,
            "covered": ~np.isnan(cnt),
            "tz": np.full(len(days), tz, dtype=object),
        }
    )


def intervals(times: Any, cov: pd.DataFrame, windows: pd.DataFrame) -> pd.DataFrame:
    """Intervals between consecutive events inside each window.

    Parameters
    ----------
    times
        UTC times of the events.
    cov
        Coverage table.
    windows
        ``window`` (an id), ``start``, ``end`` (UTC, end exclusive).

    Returns
    -------
    pandas.DataFrame
        ``window``, ``from``, ``to`` (UTC), ``days`` (the interval, days),
        ``covered`` (every day from the day of ``from`` to the day of ``to``
        is covered, so no event in between can have been missed).
    """
    t_ns, days = event_days(times, cov)
    ws = np.array([pd.Timestamp(x).value for x in windows["start"]], dtype=np.int64)
    we = np.array([pd.Timestamp(x).value for x in windows["end"]], dtype=np.int64)
    parts = [(wid, *interval_arrays(t_ns, days, cov, a, b)) for wid, a, b in zip(windows["window"], ws, we, strict=True)]  # one per window
    parts = [p for p in parts if len(p[1])]
    if not parts:
        return interval_frame([], *(np.zeros(0, dtype=np.int64),) * 2, np.zeros(0, dtype=bool))
    return interval_frame([w for p in parts for w in [p[0]] * len(p[1])], *(np.concatenate([p[k] for p in parts]) for k in (1, 2, 3)))


# ---------------------------------------------------------------------------------------
# ground times


def _as_utc(s: pd.Series) -> np.ndarray:
    """A time column as a tz-aware UTC array (naive values are read as UTC; all-missing stays NaT)."""
    idx = pd.DatetimeIndex(pd.to_datetime(s, utc=True))
    return pd.Series(idx.tz_convert("UTC").as_unit("ns")).array  # type: ignore[return-value]


def ground_times(sorties: pd.DataFrame, *, airports: Iterable[str] | None = None) -> pd.DataFrame:
    """Time on the ground at the far field of each sortie.

    Parameters
    ----------
    sorties
        :func:`flighttrace.find_sorties` output.
    airports
        Keep only stays at these fields (codes); default all.

    Returns
    -------
    pandas.DataFrame
        ``sortie_id``, ``icao24``, ``airport``, ``arrive``, ``depart`` (UTC),
        ``ground_time_s`` (exact when ``exact``; otherwise the lower bound
        from the last sighting before to the first after; ``NaN`` when one
        leg was never seen), ``exact`` (bool), ``evidence``.
    """
    s = sorties
    if airports is not None:
        keep = set(airports)
        s = s[s["far"].isin(keep)]
    exact = s["ground_time_s"].notna().to_numpy() if len(s) else np.zeros(0, dtype=bool)
    gt = np.where(exact, s["ground_time_s"].to_numpy(dtype=float), s["ground_time_min_s"].to_numpy(dtype=float)) if len(s) else np.zeros(0)
    return pd.DataFrame(
        {
            "sortie_id": s["sortie_id"].astype(object).to_numpy(),
            "icao24": s["icao24"].astype(object).to_numpy(),
            "airport": s["far"].astype(object).to_numpy(),
            "arrive": _as_utc(s["arrive_far"]),
            "depart": _as_utc(s["depart_far"]),
            "ground_time_s": gt.astype(float),
            "exact": exact.astype(bool),
            "evidence": s["evidence"].astype(object).to_numpy(),
        }
    )


def ground_time_stats(gt: pd.DataFrame) -> pd.DataFrame:
    """Ground-time statistics per far field, exact stays and lower bounds apart.

    Returns
    -------
    pandas.DataFrame
        ``airport``, ``n`` (stays), ``n_exact``, ``median_s``, ``mean_s``,
        ``min_s``, ``max_s`` (over exact stays), ``n_lower_bound`` (stays
        known only by a lower bound), ``lower_bound_median_s``.
    """
    rows = []
    for ap, g in gt.groupby("airport", sort=True):  # one per far field
        ex = g.loc[g["exact"], "ground_time_s"].dropna()
        lb = g.loc[~g["exact"], "ground_time_s"].dropna()
        rows.append(
            {
                "airport": ap,
                "n": len(g),
                "n_exact": len(ex),
                "median_s": float(ex.median()) if len(ex) else np.nan,
                "mean_s": float(ex.mean()) if len(ex) else np.nan,
                "min_s": float(ex.min()) if len(ex) else np.nan,
                "max_s": float(ex.max()) if len(ex) else np.nan,
                "n_lower_bound": len(lb),
                "lower_bound_median_s": float(lb.median()) if len(lb) else np.nan,
            }
        )
    cols = ["airport", "n", "n_exact", "median_s", "mean_s", "min_s", "max_s", "n_lower_bound", "lower_bound_median_s"]
    return pd.DataFrame(rows, columns=cols)


# ---------------------------------------------------------------------------------------
# statistics


@dataclass(frozen=True)
class RateRatioResult:
    """A Poisson rate ratio ``(n1 / t1) / (n0 / t0)`` with its exact interval.

    Attributes
    ----------
    n1, t1
        Events and exposure (covered days) inside the windows.
    n0, t0
        Events and exposure outside (the baseline).
    ratio
        The rate ratio (``inf`` when ``n0 == 0 < n1``; ``NaN`` when undefined).
    ci_low, ci_high
        Exact (Clopper–Pearson, conditional on ``n1 + n0``) interval.
    p_value
        Two-sided exact binomial test of ratio = 1 (``p0 = t1 / (t1 + t0)``).
    conf
        Confidence level of the interval.
    """

    n1: int
    t1: float
    n0: int
    t0: float
    ratio: float
    ci_low: float
    ci_high: float
    p_value: float
    conf: float

    @property
    def rate1(self) -> float:
        """Events per covered day inside the windows."""
        return self.n1 / self.t1 if self.t1 > 0 else math.nan

    @property
    def rate0(self) -> float:
        """Events per covered day outside (baseline)."""
        return self.n0 / self.t0 if self.t0 > 0 else math.nan


def rate_ratio(n1: int, t1: float, n0: int, t0: float, *, conf: float = 0.95, p_value: bool = True) -> RateRatioResult:
    """Poisson rate ratio with an exact conditional confidence interval.

    Given ``n = n1 + n0``, ``n1`` is binomial with
    ``p = RR·t1 / (RR·t1 + t0)``. The Clopper–Pearson interval
    ``[pL, pU]`` for ``p`` maps to ``RR = p / (1 − p) · t0 / t1``.

    Parameters
    ----------
    n1, t1
        Events and exposure (days) inside the windows.
    n0, t0
        Events and exposure outside.
    conf
        Confidence level (0–1).
    p_value
        Whether to compute the p-value (else NaN: a verdict drawn from the interval alone does not need it).

    Returns
    -------
    RateRatioResult
    """
    from scipy import stats

    n1, n0 = int(n1), int(n0)
    t1, t0 = float(t1), float(t0)
    n = n1 + n0
    nan = math.nan
    if t1 <= 0 or t0 <= 0:
        return RateRatioResult(n1, t1, n0, t0, nan, nan, nan, nan, conf)  # no exposure on one side
    if n == 0:
        return RateRatioResult(n1, t1, n0, t0, nan, 0.0, math.inf, 1.0, conf)  # no event: any ratio fits
    alpha = 1.0 - conf
    p_lo = 0.0 if n1 == 0 else float(stats.beta.ppf(alpha / 2, n1, n - n1 + 1))
    p_hi = 1.0 if n1 == n else float(stats.beta.ppf(1 - alpha / 2, n1 + 1, n - n1))
    k = t0 / t1

    def to_rr(p: float) -> float:
        return math.inf if p >= 1.0 else p / (1.0 - p) * k

    ratio = math.inf if n0 == 0 else (n1 / t1) / (n0 / t0)
    p0 = t1 / (t1 + t0)
    p = float(stats.binomtest(n1, n, p0).pvalue) if p_value else nan
    return RateRatioResult(n1, t1, n0, t0, float(ratio), to_rr(p_lo), to_rr(p_hi), p, conf)


def window_rate_ratio(cov: pd.DataFrame, times: Any, starts: Any, ends: Any, *, reference: tuple[pd.Timestamp, pd.Timestamp] | None = None, conf: float = 0.95) -> RateRatioResult:
    """Rate ratio of events inside the union of windows against the rest of the reference span.

    Uncovered days are left out of both numerators and denominators; a day
    partly inside a window adds its covered fraction to each side.

    Parameters
    ----------
    cov, times, starts, ends
        As :func:`window_counts`.
    reference
        ``(start, end)`` of the whole span compared; default the coverage
        table's span. Windows are clipped to it.
    conf
        Confidence level.
    """
    if reference is None:
        if len(cov):
            tdays, tz = table_days(cov)
            reference = (day_starts(tdays[:1], tz)[0].tz_convert("UTC"), day_starts(tdays[-1:] + 1, tz)[0].tz_convert("UTC"))
        else:
            reference = (pd.Timestamp(0, tz="UTC"), pd.Timestamp(0, tz="UTC"))
    r0, r1 = pd.Timestamp(reference[0]).value, pd.Timestamp(reference[1]).value
    s = np.clip(np.asarray(pd.DatetimeIndex(starts).as_unit("ns").asi8, dtype=np.int64), r0, r1)  # ns, as Timestamp.value
    e = np.clip(np.asarray(pd.DatetimeIndex(ends).as_unit("ns").asi8, dtype=np.int64), r0, r1)
    ms, me = merge_intervals(s, e)
    covered = cov["covered"].to_numpy(dtype=bool) if len(cov) else np.zeros(0, dtype=bool)
    f_in = interval_fractions(cov, ms, me)
    f_ref = interval_fractions(cov, np.array([r0]), np.array([r1]))
    t1 = float((f_in * covered).sum())
    t0 = float(((f_ref - f_in).clip(0) * covered).sum())
    t = _covered_times(cov, times)
    t = t[(t >= r0) & (t < r1)]
    inside = _in_intervals(t, ms, me)
    return rate_ratio(int(inside.sum()), t1, int((~inside).sum()), t0, conf=conf)


@dataclass(frozen=True)
class PermutationResult:
    """Circular-shift permutation test of events clustered before event starts.

    Attributes
    ----------
    observed
        Statistic at the true dates: events in the ``before_days`` covered
        days before each event start, summed over the events.
    expected
        Mean of the statistic over the shifts.
    p_value
        Share of shifts whose statistic is at least ``observed`` (the
        unshifted dates are one of the shifts).
    n_shifts
        Shifts evaluated; all ``n_covered_days`` of them when exhaustive.
    exhaustive
        Whether every shift was evaluated.
    seed
        Seed of the random sample (recorded even when exhaustive).
    n_covered_days
        Length of the circle (covered days).
    event_ids
        Events used: their start falls inside the covered period with at
        least ``before_days`` covered days before it.
    before_days
        N.
    """

    observed: float
    expected: float
    p_value: float
    n_shifts: int
    exhaustive: bool
    seed: int
    n_covered_days: int
    event_ids: tuple[str, ...]
    before_days: int


def permutation_before_start(
    cov: pd.DataFrame,
    times: Any,
    event_starts: Any,
    *,
    event_ids: Sequence[str] | None = None,
    before_days: int = 30,
    seed: int = 0,
    max_exhaustive: int = 10_000_000,
    n_random: int = 10_000,
) -> PermutationResult:
    """Permutation test, by circular shift over the covered days, of "events cluster before starts".

    The covered days are laid out in order on a circle of ``M`` days (uncovered
    days are dropped, so every shifted window holds exactly ``before_days``
    covered days). Each event start maps to the first covered day at or after
    its own day. The statistic is the number of events in the
    ``before_days`` covered days before each start, summed over the events.
    Every shift ``s`` moves all starts ``s`` positions along the circle
    together; the p-value is the share of shifts whose statistic is at least
    the observed one (``s = 0`` included, so ``p ≥ 1/M``).

    Parameters
    ----------
    cov, times
        As :func:`rolling_rates`.
    event_starts
        UTC start of each conflict event.
    event_ids
        Their ids (for the record).
    before_days
        N, in covered days.
    seed
        Seed of the random sample of shifts.
    max_exhaustive
        Evaluate every shift when ``M × n_events`` is at most this many
        cells; otherwise a random sample.
    n_random
        Shifts in the random sample (the observed dates are added, so
        ``p = (1 + #{T ≥ T0}) / (1 + n_random)``).

    Returns
    -------
    PermutationResult
    """
    ids = tuple(event_ids) if event_ids is not None else tuple(str(i) for i in range(len(pd.DatetimeIndex(event_starts))))
    counts = daily_counts(cov, times)
    covered = ~np.isnan(counts)
    c = counts[covered]
    m = len(c)
    nan = math.nan
    if m == 0 or before_days < 1:
        return PermutationResult(nan, nan, nan, 0, False, seed, m, (), before_days)
    tdays, tz = table_days(cov)
    cdays = tdays[covered]
    n = min(int(before_days), m)
    ed = day_numbers(event_starts, tz)
    pos_all = np.searchsorted(cdays, ed, side="left")
    # an event counts when its start lies in the covered period with N covered days before it
    inside = (ed >= cdays[0]) & (ed <= cdays[-1]) & (pos_all >= n)
    pos = pos_all[inside]
    used = tuple(i for i, ok in zip(ids, inside, strict=True) if ok)
    if len(pos) == 0:
        return PermutationResult(nan, nan, nan, 0, False, seed, m, (), before_days)
    # W[p] = sum of c over the n positions before p on the circle
    cc = np.concatenate([[0.0], np.cumsum(np.concatenate([c, c]))])
    p_idx = np.arange(m)
    w = cc[p_idx + m] - cc[p_idx + m - n]
    observed = float(w[pos].sum())
    exhaustive = m * len(pos) <= max_exhaustive
    if exhaustive:
        shifts = np.arange(m)
    else:
        rng = np.random.default_rng(seed)
        shifts = np.concatenate([[0], rng.integers(1, m, size=int(n_random))])
    stat = w[(pos[None, :] + shifts[:, None]) % m].sum(axis=1)
    if exhaustive:
        p = float(np.mean(stat >= observed - 1e-9))
    else:
        p = float((stat >= observed - 1e-9).sum() / len(shifts))
    return PermutationResult(observed, float(stat.mean()), p, int(len(shifts)), bool(exhaustive), int(seed), m, used, n)
