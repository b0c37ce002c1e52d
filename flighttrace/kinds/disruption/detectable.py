"""What the data could have shown at each field and hour: the smallest detectable closure, and how many holdings or diversions would stand out.

The rules are those the disruption claims use (``docs/verdicts.md`` §2,
:mod:`flighttrace.kinds.disruption.claims`):

- a run without movements is a **closure** when the baseline expects at least
  ``T = max(closure_min_expected, ln(N / closure_alpha))`` movements in it (N:
  the field's baseline movements per day, :func:`closure_threshold`) and it
  lasts ``closure_min_s`` or more. The smallest closure detectable from the
  start of an hour is the time until the baseline's cumulative expected
  movements have grown by T (:func:`smallest_closure_s`), never less than
  ``closure_min_s``;
- a count of holdings or diversions supports "at least N" only when a Poisson
  count with the baseline weeks' mean reaches it with probability at most
  ``excess_alpha``: the smallest count that stands out in one hour is
  ``isf(excess_alpha, mean) + 1``, the mean being taken over the same hour of the
  ``baseline_weeks`` previous weeks whose hour has data (the claims weigh the
  weeks by the gates' coverage; this table counts a week when its hour is covered).

:func:`detectable` tabulates both per field and hour of the disruption window:
the report's disruption section shows it and ``tables/detectable.csv`` holds it.
"""

from __future__ import annotations

import math
from typing import Any, Final

import numpy as np
import pandas as pd

from flighttrace.kinds.disruption.params import _HOUR_NS, DisruptionParams
from flighttrace.timeutil import time_ns

__all__ = ["DETECTABLE_COLUMNS", "closure_threshold", "smallest_closure_s", "detectable"]

DETECTABLE_COLUMNS: Final[tuple[str, ...]] = (
    "airport", "hour", "expected_per_hour", "movements_per_day", "threshold", "smallest_closure_min",
    "baseline_holdings", "holdings_stand_out", "baseline_diversions", "diversions_stand_out", "baseline_weeks",
)
"""Columns of :func:`detectable` (``hour``: the UTC start of the clock hour; ``expected_per_hour``: the baseline's
movements in it; ``threshold``: T; ``smallest_closure_min``: the shortest closure starting in that hour that the
baseline would show (minutes; empty without a baseline); ``baseline_*``: the mean count in the same hour of the
baseline weeks with data, ``*_stand_out`` the smallest count in that hour that would stand out from it;
``baseline_weeks``: how many weeks the means are over)."""


def closure_threshold(per_day: float, params: DisruptionParams) -> float:
    """T = ``max(closure_min_expected, ln(N / closure_alpha))`` for N baseline movements per day; infinite for N = 0."""
    return max(params.closure_min_expected, math.log(per_day / params.closure_alpha)) if per_day > 0 else math.inf


def smallest_closure_s(starts_ns: np.ndarray, edges: np.ndarray, cum: np.ndarray, threshold: float) -> np.ndarray:
    """For each start time, the seconds until the baseline's cumulative expected movements have grown by ``threshold``.

    Parameters
    ----------
    starts_ns
        Start times (ns since the epoch, UTC).
    edges, cum
        Hour edges (ns) and the cumulative expected movements at each edge
        (:func:`flighttrace.kinds.disruption.closures._rate_curve`; hours without
        a baseline add nothing).
    threshold
        T, the expected movements a closure needs.

    Returns
    -------
    numpy.ndarray
        Seconds; ``inf`` where the data end first.
    """
    if len(edges) < 2 or not math.isfinite(threshold):
        return np.full(len(starts_ns), np.inf)
    ramp = cum + np.arange(len(cum)) * 1e-9  # strictly increasing, for the inverse
    target = np.interp(np.asarray(starts_ns, dtype=float), edges.astype(float), cum) + threshold
    t_end = np.where(target <= ramp[-1], np.interp(target, ramp, edges.astype(float)), np.inf)
    return (t_end - np.asarray(starts_ns, dtype=float)) / 1e9


def _hour_counts(times: pd.Series, places: pd.Series, airport: str) -> pd.Series:
    """Events at a field by the hour they fall in (index: hours since the epoch)."""
    t = times[(places == airport).to_numpy(dtype=bool)].dropna()
    if len(t) == 0:
        return pd.Series([], dtype=np.int64)
    keys, counts = np.unique(time_ns(t) // _HOUR_NS, return_counts=True)
    return pd.Series(counts, index=keys)


def _baseline_means(hour_keys: np.ndarray, covered: pd.Series, counts: pd.Series, weeks: int) -> tuple[np.ndarray, np.ndarray]:
    """(mean count over the same hour of the previous weeks with data, number of such weeks) per hour (keys: hours since the epoch)."""
    total = np.zeros(len(hour_keys))
    used = np.zeros(len(hour_keys), dtype=np.int64)
    for k in range(1, weeks + 1):  # one pass per baseline week
        past = hour_keys - 24 * 7 * k
        ok = covered.reindex(past, fill_value=False).to_numpy(dtype=bool)
        total += np.where(ok, counts.reindex(past, fill_value=0).to_numpy(dtype=float), 0.0)
        used += ok
    return np.where(used > 0, total / np.maximum(used, 1), np.nan), used


def detectable(hourly: pd.DataFrame, holdings: pd.DataFrame, diversions: pd.DataFrame, airports: Any, start: Any, end: Any,
               params: DisruptionParams | None = None) -> pd.DataFrame:
    """The smallest detectable closure and the counts of holdings and diversions that would stand out, per field and hour.

    Parameters
    ----------
    hourly
        :func:`flighttrace.kinds.disruption.movements.hourly_movements` output.
    holdings, diversions
        The holdings (``airport``, ``start``) and diversions (``intended``, ``time``) found in all the data.
    airports
        The fields.
    start, end
        The hours tabulated (UTC; ``[start, end)``, the disruption window); None gives an empty table.
    params
        Thresholds (:class:`~flighttrace.kinds.disruption.params.DisruptionParams`).

    Returns
    -------
    pandas.DataFrame
        Columns of :data:`DETECTABLE_COLUMNS`, by field (in the given order) and hour.
    """
    from scipy import stats

    from flighttrace.kinds.disruption.closures import _daily_baseline, _rate_curve

    p = params or DisruptionParams()
    parts = []
    if start is not None and end is not None:
        for ap in airports:  # one pass per field
            h = hourly[(hourly["airport"] == ap)]
            inside = h[(h["hour"] >= start) & (h["hour"] < end)]
            if len(inside) == 0:
                continue
            edges, cum, _unc, rate = _rate_curve(hourly, ap)
            per_day = _daily_baseline(hourly, ap)
            thr = closure_threshold(per_day, p)
            starts = time_ns(inside["hour"])
            expected = inside["baseline_mean"].to_numpy(dtype=float)
            dmin = np.maximum(smallest_closure_s(starts, edges, cum, thr), p.closure_min_s)
            dmin = np.where(np.isfinite(expected) & inside["covered"].to_numpy(dtype=bool) & np.isfinite(dmin), dmin / 60.0, np.nan)
            keys = starts // _HOUR_NS
            covered = pd.Series(h["covered"].to_numpy(dtype=bool), index=time_ns(h["hour"]) // _HOUR_NS)
            hold_mean, used = _baseline_means(keys, covered, _hour_counts(holdings["start"], holdings["airport"], ap), p.baseline_weeks)
            div_mean, _ = _baseline_means(keys, covered, _hour_counts(diversions["time"], diversions["intended"], ap), p.baseline_weeks)
            with np.errstate(invalid="ignore"):
                hold_out = np.where(np.isfinite(hold_mean), stats.poisson.isf(p.excess_alpha, np.nan_to_num(hold_mean)) + 1, np.nan)
                div_out = np.where(np.isfinite(div_mean), stats.poisson.isf(p.excess_alpha, np.nan_to_num(div_mean)) + 1, np.nan)
            parts.append(pd.DataFrame({
                "airport": np.full(len(inside), ap, dtype=object), "hour": inside["hour"].to_numpy(), "expected_per_hour": expected,
                "movements_per_day": np.full(len(inside), per_day), "threshold": np.full(len(inside), thr),
                "smallest_closure_min": np.round(dmin, 1), "baseline_holdings": hold_mean, "holdings_stand_out": hold_out,
                "baseline_diversions": div_mean, "diversions_stand_out": div_out, "baseline_weeks": used,
            }))
    if not parts:
        out = pd.DataFrame({c: pd.Series([], dtype=float) for c in DETECTABLE_COLUMNS})
        out["airport"] = out["airport"].astype(object)
        out["hour"] = pd.to_datetime(out["hour"], utc=True)
        out["baseline_weeks"] = out["baseline_weeks"].astype(np.int64)
        return out
    out = pd.concat(parts, ignore_index=True)
    out["hour"] = pd.to_datetime(out["hour"], utc=True)
    return out[list(DETECTABLE_COLUMNS)]
