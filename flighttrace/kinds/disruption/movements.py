"""Movements (take-offs and landings at named fields), the hours the data covers, and movements per hour against a baseline.

See :mod:`flighttrace.kinds.disruption.analysis` for the method.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from flighttrace.kinds.disruption.params import _HOUR_NS, HOURLY_COLUMNS, MOVEMENT_COLUMNS, DisruptionParams, _empty, _obj
from flighttrace.schema import TIME_DTYPE
from flighttrace.timeutil import time_ns


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
