"""Runs without movements at a field, and the closures among them (see :mod:`flighttrace.kinds.disruption.analysis`)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from flighttrace.kinds.disruption.params import _HOUR_NS, _NS, RUN_COLUMNS, DisruptionParams, _empty, _obj, _utc
from flighttrace.kinds.disruption.points import _runs_of
from flighttrace.timeutil import time_ns
from flighttrace.tracks.params import GRADES


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


def _boundaries(tm: np.ndarray, edges: np.ndarray, cov: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The runs between consecutive boundaries (movements ``tm``, edges of uncovered stretches and of the hours), ns.

    Returns ``(start, end, start censored, end censored, movement before, movement after)``;
    the movements as indices into ``tm``, −1 where the run ends at an edge instead.
    """
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
    return a, b, np.isin(a_w, ["gs", "ue"]), np.isin(b_w, ["ge", "us"]), ia, ib


def _edge_estimates(
    a: np.ndarray, b: np.ndarray, cens_s: np.ndarray, cens_e: np.ndarray, tm: np.ndarray, rate_a_h: np.ndarray, rate_b_h: np.ndarray, p: DisruptionParams
) -> dict[str, np.ndarray]:
    """When each run's closure started and ended (s), with intervals, and its length (see the module docs).

    ``rate_a_h`` / ``rate_b_h`` are the baseline's movements per hour at the start and the end of each run.
    """
    dur_s = (b - a) / _NS
    # the traffic next to the run: the baseline rate at its edge, or the movements seen just before / after it
    w_ns = int(p.closure_rate_window_s * _NS)
    seen_before = np.searchsorted(tm, a, side="right") - np.searchsorted(tm, a - w_ns, side="left")
    seen_after = np.searchsorted(tm, b + w_ns, side="right") - np.searchsorted(tm, b, side="left")
    rate_a = np.maximum(np.nan_to_num(rate_a_h) / 3600.0, seen_before / p.closure_rate_window_s)
    rate_b = np.maximum(np.nan_to_num(rate_b_h) / 3600.0, seen_after / p.closure_rate_window_s)
    q = -math.log(1.0 - p.closure_quantile)
    with np.errstate(divide="ignore"):
        tau_a, tau_aq = np.where(rate_a > 0, 1.0 / rate_a, np.inf), np.where(rate_a > 0, q / rate_a, np.inf)
        tau_b, tau_bq = np.where(rate_b > 0, 1.0 / rate_b, np.inf), np.where(rate_b > 0, q / rate_b, np.inf)
    half = dur_s / 2.0
    a_s, b_s = a / _NS, b / _NS
    s_est = np.where(cens_s, np.nan, a_s + np.minimum(tau_a, half))
    e_est = np.where(cens_e, np.nan, b_s - np.minimum(tau_b, half))
    return {
        "start": s_est,
        "start_earliest": np.where(cens_s, np.nan, a_s),
        "start_latest": np.where(cens_s, a_s, a_s + np.minimum(tau_aq, dur_s)),
        "end": e_est,
        "end_earliest": np.where(cens_e, b_s, b_s - np.minimum(tau_bq, dur_s)),
        "end_latest": np.where(cens_e, np.nan, b_s),
        # the closure's length: estimated start to estimated end; a censored end counts from (to) the data's edge
        "duration_s": np.where(cens_e, b_s, e_est) - np.where(cens_s, a_s, s_est),
    }


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
    a, b, cens_s, cens_e, ia, ib = _boundaries(tm, edges, h["covered"].to_numpy(dtype=bool))
    k = len(a)
    cens = np.where(cens_s & cens_e, "both", np.where(cens_s, "start", np.where(cens_e, "end", ""))).astype(object)
    dur_s = (b - a) / _NS
    # cum holds the baseline's movements accumulated over whole hours; inside an hour they grow linearly
    expected = _interp(b, edges, cum) - _interp(a, edges, cum)
    n_h = len(rate_h)
    hi_idx = np.clip(np.searchsorted(edges, b, side="left") - 1, 0, n_h - 1)
    lo_idx = np.clip(np.searchsorted(edges, a, side="right") - 1, 0, n_h - 1)
    unknown = np.concatenate([[0], np.cumsum(~np.isfinite(rate_h))])
    n_unknown = unknown[hi_idx + 1] - unknown[lo_idx]
    est = _edge_estimates(a, b, cens_s, cens_e, tm, rate_h[lo_idx], rate_h[hi_idx], p)
    # a closure: long enough, and the baseline expects more movements than an ordinary day's longest gap holds
    per_day = _daily_baseline(hourly, airport)
    threshold = max(p.closure_min_expected, math.log(per_day / p.closure_alpha)) if per_day > 0 else math.inf
    closure = (expected >= threshold) & (dur_s >= p.closure_min_s)
    a_s, b_s = a / _NS, b / _NS

    def pick(col: str, idx: np.ndarray) -> np.ndarray:
        vals = _obj(m[col]) if len(m) else np.zeros(0, dtype=object)
        return np.array([vals[i] if i >= 0 else None for i in idx], dtype=object)  # one look-up per run

    last_l, next_l = pick("lineage", ia), pick("lineage", ib)
    lineage = np.array(["; ".join(x for x in (u, v) if x) or None for u, v in zip(last_l, next_l, strict=True)], dtype=object)  # one per run
    out = pd.DataFrame({
        "airport": np.full(k, airport, dtype=object),
        "closure": closure,
        **{name: _utc(est[name]).array for name in ("start", "start_earliest", "start_latest", "end", "end_earliest", "end_latest")},
        "duration_s": np.round(est["duration_s"], 1), "gap_s": np.round(dur_s, 1), "expected": np.round(expected, 3),
        "threshold": np.full(k, round(threshold, 3)),
        "p_none": np.round(np.exp(-expected), 6), "baseline_known": n_unknown == 0,
        "censored": cens,
        "last_time": _utc(np.where(cens_s, np.nan, a_s)).array,
        "next_time": _utc(np.where(cens_e, np.nan, b_s)).array,
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
    grades, params
        As :func:`movement_runs` (the default, every grade, lets a bridged
        movement split a closure; ``("observed", "inferred")`` gives the
        longest closures the strong evidence allows).

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
