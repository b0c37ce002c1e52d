"""Verdicts of the disruption claim kinds: ``closure``, ``diversions_at_least``, ``holding_at_least``.

:func:`flighttrace.claims.engine.evaluate` runs :data:`JUDGES` for a claim
whose test is one of this kind's (:mod:`flighttrace.kinds.disruption.spec`);
the measures come from :mod:`flighttrace.kinds.disruption.analysis` (computed
once per evaluation, :func:`measures`). The rules are written out in ``docs/verdicts.md`` §2:

- ``diversions_at_least`` and ``holding_at_least`` are counts, judged with the
  rules of ``count_at_least`` (strong items support; bridged and unknown-end
  items only make a shortfall inconclusive; uncovered days may hold the rest);
- ``closure`` is supported when a closure run (every movement of any grade
  ends a run) is surely at least ``min_duration`` long inside the window,
  contradicted when even the runs between strong movements hold no closure
  that could be that long while every hour of the window is covered and has a
  baseline, and inconclusive otherwise. For a group, ``require: each`` needs
  every field, ``any`` one.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, Final

import numpy as np
import pandas as pd

from flighttrace.cells import as_float, is_missing
from flighttrace.claims import plain
from flighttrace.claims.context import ITEM_COLUMNS, Context, Judge, Outcome, empty_items, grade_counts
from flighttrace.claims.counting import count_at_least, uncovered_phrase
from flighttrace.claims.detection import detection
from flighttrace.claims.plain import count_plain
from flighttrace.kinds.disruption.analysis import Disruption
from flighttrace.kinds.disruption.analysis import analyze as analyze_measures
from flighttrace.kinds.disruption.closures import _daily_baseline, _interp, _rate_curve
from flighttrace.kinds.disruption.detectable import closure_threshold, smallest_closure_s
from flighttrace.kinds.disruption.params import _HOUR_NS
from flighttrace.kinds.disruption.stats import closure_row, excess_row
from flighttrace.schema import TIME_DTYPE
from flighttrace.timeutil import time_ns
from flighttrace.tracks.legs import GRADES

__all__ = ["JUDGES", "VERDICT_RULES", "measures", "items", "judge", "closure_item_id", "closure_detectability", "event_weights", "STRONG"]
from flighttrace.numfmt import fmt_n, fmt_p_is, fmt_share
from flighttrace.timefmt import fmt_date, fmt_day_hm, fmt_duration, fmt_hm

STRONG: Final[tuple[str, ...]] = ("observed", "inferred")
_RANK: Final = {g: i for i, g in enumerate(GRADES)}




def _span(a: Any, b: Any) -> str:
    """``06:09–08:56`` on one day, ``2026-03-13 22:41 – 2026-03-14 02:32`` across midnight (UTC)."""
    if a is None or b is None or pd.isna(a) or pd.isna(b) or pd.Timestamp(a).date() != pd.Timestamp(b).date():
        return f"{fmt_day_hm(a)} – {fmt_day_hm(b)}"
    return f"{fmt_date(a)} {fmt_hm(a)}–{fmt_hm(b)}"


def _weakest(a: Any, b: Any) -> str:
    ra = _RANK.get(a, len(GRADES) - 1) if isinstance(a, str) else len(GRADES) - 1
    rb = _RANK.get(b, len(GRADES) - 1) if isinstance(b, str) else len(GRADES) - 1
    return GRADES[max(ra, rb)]


def closure_item_id(airport: str, start: Any, *, closed: bool = True, last_time: Any = None) -> str:
    """The evidence id of a closure (``UUWW-closed-2026-03-14T06:19``) or of an empty run that is not one."""
    if closed:
        return f"{airport}-closed-{fmt_day_hm(start).replace(' ', 'T')}"
    return f"{airport}-run-{fmt_day_hm(last_time).replace(' ', 'T')}"


def measures(ctx: Context) -> Disruption:
    """The disruption measures of the data: ``ctx.given["disruption"]``, else computed once per evaluation."""
    if "disruption" not in ctx.cache:
        given = ctx.given.get("disruption")
        ctx.cache["disruption"] = given if given is not None else analyze_measures(
            ctx.scenario, ctx.legs, ctx.points, coverage=ctx.cov, report_tz=ctx.tz, params=ctx.rules.disruption_params())
    return ctx.cache["disruption"]


def event_weights(ctx: Any, codes: list[str], hours: np.ndarray) -> np.ndarray | None:
    """Where and when a disruption claim's events would happen: the baseline's movements per field (rows) and clock
    hour (columns; ``hours`` counted from the epoch), 0 where unknown. The detection probability weighs the gates'
    coverage with them (:func:`flighttrace.claims.detection.detection`): a holding or a diversion follows the traffic."""
    d = measures(ctx)
    if d is None or len(d.hourly) == 0:
        return None
    h = d.hourly
    key = (time_ns(h["hour"]) // _HOUR_NS).astype(np.int64)
    mean = h["baseline_mean"].to_numpy(dtype=float)
    out = np.zeros((len(codes), len(hours)))
    ap = h["airport"].to_numpy(dtype=object)
    for i, code in enumerate(codes):  # one row per field
        m = ap == code
        k, v = key[m], mean[m]
        pos = np.clip(np.searchsorted(k, hours), 0, max(len(k) - 1, 0))
        hit = (k[pos] == hours) if len(k) else np.zeros(len(hours), dtype=bool)
        out[i, hit] = np.nan_to_num(v[pos[hit]])
    return out


def _need(ctx: Any) -> Disruption:
    d = measures(ctx)
    if d is None:
        raise ValueError("the disruption measures need the legs' Points table or a coverage table")
    return d


# ---------------------------------------------------------------------------------------
# items


def items(ctx: Any, claim: Any, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """The claim's items in ``[start, end)``: diversions, holdings, or closure runs.

    Parameters
    ----------
    ctx
        The evaluation's context (:class:`flighttrace.claims.context.Context`).
    claim
        The claim (a disruption kind).
    start, end
        The claim's window (UTC).

    Returns
    -------
    pandas.DataFrame
        Columns of :data:`flighttrace.claims.context.ITEM_COLUMNS`, in time order.
    """
    d = _need(ctx)
    kind = claim.test.kind
    if kind == "diversions_at_least":
        A = ctx.resolve(claim.subject.airport)
        df = d.diversions
        df = df[df["intended"].isin(A) & (df["time"] >= start) & (df["time"] < end)]
        if not d.has_points and len(df) == 0:
            return empty_items()
        out = pd.DataFrame({
            "item_id": df["leg_id"].to_numpy(dtype=object), "kind": np.full(len(df), "diversion", dtype=object),
            "grade": df["grade"].to_numpy(dtype=object), "time": df["time"].array, "airport": df["intended"].to_numpy(dtype=object),
            "dest": df["landed"].to_numpy(dtype=object), "dest_grade": df["landing_grade"].to_numpy(dtype=object),
            "lineage": df["lineage"].to_numpy(dtype=object), "legs": df["leg_id"].to_numpy(dtype=object),
            "gt_s": np.full(len(df), np.nan), "gt_min_s": np.full(len(df), np.nan),
            "detail": (df["callsign"].fillna("?").astype(str) + ": " + df["detail"].astype(str)).to_numpy(dtype=object),
            "caveat": np.full(len(df), None, dtype=object),
        })
    elif kind == "holding_at_least":
        if not d.has_points:
            raise ValueError("holding is found from the tracks: evaluate needs the Points table (points=…)")
        A = ctx.resolve(claim.subject.airport)
        df = d.holdings
        df = df[df["airport"].isin(A) & (df["start"] >= start) & (df["start"] < end)]
        detail = [f"{c or '?'}: {r.laps:.1f} laps ({r.direction}) in {fmt_duration(r.duration_s, missing='?')}, {r.alt_min_ft:,.0f}–{r.alt_max_ft:,.0f} ft, "
                  f"centre {r.lat:.3f}, {r.lon:.3f} ({r.dist_km:.0f} km from {r.airport}), radius {r.radius_km:.1f} km"
                  for c, r in zip(df["callsign"], df.itertuples(), strict=True)]  # one sentence per holding
        out = pd.DataFrame({
            "item_id": df["holding_id"].to_numpy(dtype=object), "kind": np.full(len(df), "holding", dtype=object),
            "grade": df["grade"].to_numpy(dtype=object), "time": df["start"].array, "airport": df["airport"].to_numpy(dtype=object),
            "dest": np.full(len(df), None, dtype=object), "dest_grade": np.full(len(df), None, dtype=object),
            "lineage": df["lineage"].to_numpy(dtype=object), "legs": df["leg_id"].to_numpy(dtype=object),
            "gt_s": df["duration_s"].to_numpy(dtype=float), "gt_min_s": np.full(len(df), np.nan), "detail": np.array(detail, dtype=object),
            "caveat": np.full(len(df), None, dtype=object),
        })
    else:
        out = _closure_items(ctx, d, claim, start, end)
    out["time"] = out["time"].astype(TIME_DTYPE)
    return out.sort_values(["time", "item_id"], kind="stable").reset_index(drop=True)[ITEM_COLUMNS]


def _clip_len(a: Any, b: Any, start: pd.Timestamp, end: pd.Timestamp) -> float:
    """Seconds of ``[a, b]`` inside ``[start, end)`` (0 when either is unknown)."""
    if a is None or b is None or pd.isna(a) or pd.isna(b):
        return 0.0
    lo, hi = max(pd.Timestamp(a), start), min(pd.Timestamp(b), end)
    return max((hi - lo).total_seconds(), 0.0)


def _runs_in(ctx: Any, d: Disruption, airport: str, start: pd.Timestamp, end: pd.Timestamp, grades: tuple[str, ...]) -> pd.DataFrame:
    """The field's runs (of the evaluation's measures ``d``) that overlap ``[start, end)``: from the last movement (else
    the latest start) to the next (else the earliest end); a run with either bound unknown is left out."""
    r = d.runs(airport, grades=grades)
    if len(r) == 0:
        return r
    key = ("disruption-run-bounds", airport, tuple(grades))  # each run's bounds, read once per evaluation
    if key not in ctx.cache:
        # as ns, the unit of Timestamp.value below (a table in pandas' default µs would otherwise be read 1,000 times too early)
        a = pd.DatetimeIndex(r["last_time"].fillna(r["start_latest"])).as_unit("ns")
        b = pd.DatetimeIndex(r["next_time"].fillna(r["end_earliest"])).as_unit("ns")
        ctx.cache[key] = (a.asi8, b.asi8, ~(np.asarray(a.isna()) | np.asarray(b.isna())))
    a_ns, b_ns, known = ctx.cache[key]
    s_ns, e_ns = pd.Timestamp(start).value, pd.Timestamp(end).value
    key_w = ("disruption-runs-in", airport, tuple(grades), s_ns, e_ns)  # a window met again (a claim's test re-run with a band moved)
    if key_w not in ctx.cache:
        ctx.cache[key_w] = r[known & (b_ns > s_ns) & (a_ns < e_ns)].reset_index(drop=True)
    return ctx.cache[key_w]


def _surely(r: Any, start: pd.Timestamp, end: pd.Timestamp) -> float:
    """Seconds the field was surely closed inside the window: from the latest start to the earliest end of the run."""
    return _clip_len(r.start_latest, r.end_earliest, start, end)


def _possibly(r: Any, start: pd.Timestamp, end: pd.Timestamp) -> float:
    """Seconds it could have been closed inside the window: the whole run between its movements (or data edges)."""
    a = r.last_time if not pd.isna(r.last_time) else r.start_latest
    b = r.next_time if not pd.isna(r.next_time) else r.end_earliest
    if r.censored in ("start", "both"):
        a = start if pd.isna(a) else min(pd.Timestamp(a), start)
    if r.censored in ("end", "both"):
        b = end if pd.isna(b) else max(pd.Timestamp(b), end)
    return _clip_len(a, b, start, end)


def _closure_items(ctx: Any, d: Disruption, claim: Any, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """Closure runs of the test's fields in the window; for a field without one, its longest empty run."""
    rows = []
    for ap in sorted(ctx.resolve(claim.test.airport)):  # one pass per field
        r = _runs_in(ctx, d, ap, start, end, GRADES)
        if len(r) == 0:
            continue
        cl = r[r["closure"]]
        pick = cl if len(cl) else r.iloc[[int(np.argmax(r["gap_s"].to_numpy()))]]
        for x in pick.itertuples():
            closed = bool(x.closure)
            grade = _weakest(x.last_grade if x.censored not in ("start", "both") else "unknown",
                             x.next_grade if x.censored not in ("end", "both") else "unknown")
            what = (f"no take-off or landing at {ap} from {fmt_day_hm(x.last_time)} to {fmt_day_hm(x.next_time)} UTC ({fmt_duration(x.gap_s, missing='?')}), "
                    f"where the baseline expected {x.expected:.1f} (a closure needs {x.threshold:.1f})")
            if closed:
                what += f"; closed about {fmt_hm(x.start)}–{fmt_hm(x.end)} UTC (start {fmt_hm(x.start_earliest)}–{fmt_hm(x.start_latest)}, end {fmt_hm(x.end_earliest)}–{fmt_hm(x.end_latest)})"
            else:
                what += "; the longest run without movements, not a closure"
            rows.append({
                "item_id": closure_item_id(ap, x.start if not is_missing(x.start) else x.start_latest, closed=closed, last_time=x.last_time),
                "kind": "closure" if closed else "run", "grade": grade,
                "time": x.start if closed and not is_missing(x.start) else (x.last_time if not is_missing(x.last_time) else x.start_latest),
                "airport": ap, "dest": None, "dest_grade": None, "lineage": x.lineage,
                "legs": ";".join(v for v in (x.last_leg, x.next_leg) if isinstance(v, str)), "gt_s": as_float(x.duration_s),
                "gt_min_s": _surely(x, start, end), "detail": what, "caveat": None,
            })
    cols = ITEM_COLUMNS
    if not rows:
        return empty_items()
    out = pd.DataFrame(rows)[cols]
    out["time"] = pd.to_datetime(out["time"], utc=True).astype(TIME_DTYPE)
    return out


# ---------------------------------------------------------------------------------------
# verdicts


def judge(ctx: Any, claim: Any, items_: pd.DataFrame, win: Any) -> Any:
    """The verdict of a disruption claim (an :class:`flighttrace.claims.context.Outcome`)."""
    kind = claim.test.kind
    if kind == "closure":
        return _closure(ctx, claim, items_, win)
    return _count(ctx, claim, items_, win)


def _count(ctx: Any, claim: Any, items_: pd.DataFrame, win: Any) -> Any:
    d = _need(ctx)
    o, i, b, u = grade_counts(items_)
    s, n = o + i, claim.test.value
    cv = count_at_least(n, s, b, u, win, ctx.rules)
    verdict, reason = cv.verdict, cv.reason
    if verdict != "supported" and win.uncovered > 0 and "not covered" not in reason and "uncovered" not in reason:
        reason += f"; also {uncovered_phrase(win)}"
    what = "diverted" if claim.test.kind == "diversions_at_least" else "held"
    if claim.test.kind == "diversions_at_least":
        observed = f"{s} diverted ({o} seen approaching, {i} by their callsign's usual destination; +{b} bridged, +{u} landing unseen)"
        if not d.has_points:
            reason += "; without the Points table only the callsigns' usual destinations show intent"
    else:
        observed = f"{s} held ({o} observed circling)"
    reason = reason.replace("with observed or inferred evidence", f"{what} with observed or inferred evidence")
    words = count_plain(cv.basis, cv.verdict, claim, s, b, u, win, need=f"{n} needed")
    base = _baseline_count(ctx, claim, win)
    rows = None
    if base is not None:
        mean, weeks, tail, stand_out = base
        if verdict == "supported":  # the count reaches the figure: the baseline-excess test decides, corrected with the others
            rows = [excess_row(claim.id, ",".join(sorted(ctx.resolve(claim.subject.airport))), s, mean, weeks, tail,
                               what="diversions" if claim.test.kind == "diversions_at_least" else "holdings")]
        ordinary = (f"the same hours of {fmt_n(weeks, 'baseline week')} show {mean:.2f} on average "
                    f"({fmt_p_is(tail).replace('p', f'P(≥ {s})', 1)}; {stand_out} or more would stand out)")
        observed += f"; baseline {mean:.2f}"
        if verdict == "supported" and tail > d.params.excess_alpha:
            verdict = "inconclusive"
            reason += f", but no more than on ordinary days: {ordinary}"
            words = plain.undecided(f"{s} {plain.subject_words(claim, s)}, as many as on an ordinary day ({mean:.1f} on average in the same hours; {stand_out} would stand out)")
        elif s > 0:
            reason += f"; {ordinary}"
    elif verdict == "supported":
        verdict = "inconclusive"
        reason += "; but no baseline week with data to compare with, so an ordinary day's count cannot be ruled out"
        words = plain.undecided(f"{s} {plain.subject_words(claim, s)} seen, but no ordinary day in the data to compare with")
    return Outcome(verdict, reason, observed, float(s), items_, statistic=rows, plain=words)


def _baseline_count(ctx: Any, claim: Any, win: Any) -> tuple[float, int, float, int] | None:
    """The claim's count in the same hours of the baseline weeks: (mean, weeks used, P(count ≥ seen), smallest count that stands out).

    A week is used when the claim's gates were covered in at least ``detect_threshold`` of its hours;
    its count is divided by that share. None when no week is usable.
    """
    from scipy import stats

    d = _need(ctx)
    counts = []
    for k in range(1, d.params.baseline_weeks + 1):  # one pass per baseline week
        shift = pd.Timedelta(days=7 * k)
        a, b = win.start - shift, win.end - shift
        det = detection(ctx, claim, a, b)
        if not det.p >= ctx.rules.detect_threshold:
            continue
        its = items(ctx, claim, a, b)
        o, i, _, _ = grade_counts(its)
        counts.append((o + i) / det.p)
    if not counts:
        return None
    mean = float(np.mean(counts))
    seen = grade_counts(items(ctx, claim, win.start, win.end))
    s = seen[0] + seen[1]
    tail = float(stats.poisson.sf(s - 1, mean)) if s > 0 else 1.0
    stand_out = int(stats.poisson.isf(d.params.excess_alpha, mean)) + 1
    return mean, len(counts), tail, stand_out


def _window_hours(d: Disruption, airport: str, start: pd.Timestamp, end: pd.Timestamp, ctx: Any = None) -> tuple[int, int, int]:
    """(hours in the window, hours of them covered, covered hours with a known baseline) at a field.

    With ``ctx``, the field's rows of the hourly table are picked once per evaluation (``ctx.cache``)."""
    h0 = start.floor("h")
    n = int(math.ceil((end - h0).total_seconds() / 3600.0))
    key = ("disruption-field-hours", airport)
    if ctx is None or key not in ctx.cache:
        hr = d.hourly[d.hourly["airport"] == airport]
        rows = (time_ns(hr["hour"]), hr["covered"].to_numpy(dtype=bool), np.isfinite(hr["baseline_mean"].to_numpy(dtype=float)))
        if ctx is not None:
            ctx.cache[key] = rows
    else:
        rows = ctx.cache[key]
    hour, covered, finite = rows
    inside = (hour >= pd.Timestamp(h0).value) & (hour < pd.Timestamp(end).value)
    cov = covered[inside]
    known = finite[inside] & cov
    return n, int(cov.sum()), int(known.sum())


def closure_detectability(d: Disruption, ap: str, duration_s: float, start: pd.Timestamp, end: pd.Timestamp) -> tuple[float, float, Any, float]:
    """Could a closure of ``duration_s`` at a field have been detected in ``[start, end)``?

    A closure is detected when its run holds at least the threshold ``T = max(closure_min_expected,
    ln(N / closure_alpha))`` of expected baseline movements (N: the field's baseline movements per day)
    and every hour it spans has data and a baseline. The closure is placed at every
    ``closure_grid_s`` step of the window (it must fit inside).

    Returns
    -------
    tuple
        (share of the placements at which it would be detected, the smallest detectable closure in
        the window (s) — the time from the start of its busiest hour until the baseline expects T
        movements —, that hour (UTC) or None, T).
    """
    p = d.params
    edges, cum, _unc, rate = _rate_curve(d.hourly, ap)
    per_day = _daily_baseline(d.hourly, ap)
    thr = closure_threshold(per_day, p)
    dur = max(float(duration_s), p.closure_min_s)
    if len(edges) < 2 or not math.isfinite(thr):
        return 0.0, math.inf, None, thr
    s_ns, e_ns, d_ns = pd.Timestamp(start).value, pd.Timestamp(end).value, int(dur * 1e9)
    if e_ns - s_ns < d_ns:
        return 0.0, math.inf, None, thr
    ts = np.arange(s_ns, e_ns - d_ns + 1, int(p.closure_grid_s * 1e9), dtype=np.int64)
    expected = _interp(ts + d_ns, edges, cum) - _interp(ts, edges, cum)
    bad = np.concatenate([[0], np.cumsum(~np.isfinite(rate))])
    ia = (ts - edges[0]) // _HOUR_NS
    ib = (ts + d_ns - 1 - edges[0]) // _HOUR_NS
    inside = (ia >= 0) & (ib < len(rate))
    ok = np.zeros(len(ts), dtype=bool)
    ok[inside] = (bad[ib[inside] + 1] - bad[ia[inside]]) == 0
    share = float(np.mean(ok & (expected >= thr))) if len(ts) else 0.0
    hrs = edges[:-1][(edges[:-1] >= (s_ns // _HOUR_NS) * _HOUR_NS) & (edges[:-1] < e_ns) & np.isfinite(rate)]
    if len(hrs) == 0:
        return share, math.inf, None, thr
    dmin = smallest_closure_s(hrs, edges, cum, thr)
    k = int(np.argmin(dmin))
    return share, float(dmin[k]), (pd.Timestamp(int(hrs[k]), tz="UTC") if math.isfinite(dmin[k]) else None), thr


def _field_verdict(ctx: Any, d: Disruption, ap: str, test: Any, start: pd.Timestamp, end: pd.Timestamp) -> tuple[str, str, float | None]:
    """A field's verdict, its reason, and the expected movements of the closure run it relies on (None: it relies on none)."""
    lo = test.min_duration.total_seconds()
    hi = test.max_duration.total_seconds() if test.max_duration is not None else math.inf
    strict = _runs_in(ctx, d, ap, start, end, GRADES)
    lenient = _runs_in(ctx, d, ap, start, end, STRONG)
    n_h, n_cov, n_known = _window_hours(d, ap, start, end, ctx)
    full = n_cov == n_h and n_known == n_h

    def reopened_ok(r: Any) -> bool:
        if test.reopened is None:
            return True
        back = not pd.isna(r.next_time) and pd.Timestamp(r.next_time) < end and r.censored not in ("end", "both")
        return back if test.reopened else not back

    sure = [r for r in strict.itertuples() if r.closure and lo <= _surely(r, start, end)]
    good = [r for r in sure if _surely(r, start, end) <= hi and reopened_ok(r)]
    if good:
        r = max(good, key=lambda x: _surely(x, start, end))
        text = (f"{ap} closed about {_span(r.start, r.end)} UTC: no movement from {fmt_hm(r.last_time)} to {fmt_hm(r.next_time)} "
                f"({fmt_duration(r.gap_s, missing='?')}) where the baseline expected {r.expected:.1f} (≥ {r.threshold:.1f} makes a closure); surely closed "
                f"{fmt_duration(_surely(r, start, end), missing='?')} in the window")
        if test.reopened:
            text += f"; traffic resumed at {fmt_hm(r.next_time)} UTC"
        return "supported", text, as_float(r.expected)
    possible = [r for r in lenient.itertuples() if r.closure and _possibly(r, start, end) >= lo]
    if sure and not good:
        r = sure[0]
        if test.reopened is not None and not reopened_ok(r):
            word = "no movement until the window's end" if test.reopened else f"traffic resumed at {fmt_hm(r.next_time)} UTC"
            verdict = "contradicted" if full else "inconclusive"
            return verdict, f"{ap} closed from about {fmt_hm(r.start)} UTC, but {word}", as_float(r.expected)
        if _surely(r, start, end) > hi:
            return "contradicted", f"{ap} was closed for {fmt_duration(_surely(r, start, end), missing='?')}, longer than {fmt_duration(hi, missing='?')}", as_float(r.expected)
    if possible:
        r = max(possible, key=lambda x: _possibly(x, start, end))
        a = r.last_time if not is_missing(r.last_time) else r.start_latest
        b = r.next_time if not is_missing(r.next_time) else r.end_earliest
        inner = strict[(strict["last_time"].fillna(strict["start_latest"]) >= a) & (strict["next_time"].fillna(strict["end_earliest"]) <= b)]
        if len(inner) > 1:
            why = f"{fmt_n(len(inner) - 1, 'bridged or unseen-time movement')} {'falls' if len(inner) == 2 else 'fall'} inside it"
        else:
            why = f"its start and end are uncertain: surely closed only {fmt_duration(_surely(r, start, end), missing='?')} in the window"
        return "inconclusive", (f"{ap}: between strong movements, no traffic from {fmt_hm(r.last_time)} to {fmt_hm(r.next_time)} UTC "
                                f"({fmt_duration(r.gap_s, missing='?')}, baseline {r.expected:.1f}), but it is not certain that the field was closed for {fmt_duration(lo, missing='?')}: {why}"), None
    longest = max(lenient.itertuples(), key=lambda x: as_float(x.gap_s)) if len(lenient) else None
    run_text = "no movement data" if longest is None else (
        f"the longest run without a take-off or landing was {fmt_duration(longest.gap_s, missing='?')} ({_span(longest.last_time, longest.next_time)} UTC), "
        f"where the baseline expected {longest.expected:.1f}, short of the {longest.threshold:.1f} a closure needs")
    if not full:
        miss = []
        if n_cov < n_h:
            miss.append(f"{n_h - n_cov} of {n_h} hours of the window have no data")
        if n_known < n_cov:
            miss.append(f"{n_cov - n_known} covered hours have no baseline")
        return "inconclusive", f"{ap}: no closure in the data ({run_text}); but {' and '.join(miss)}, which could hide one", None
    pf, dmin, at, thr = closure_detectability(d, ap, lo, start, end)
    if not pf >= ctx.rules.detect_threshold:
        where = "" if at is None else f" (at its busiest, from {at:%H:%M} UTC)"
        return "inconclusive", (f"{ap}: no closure in the data ({run_text}); but a closure of {fmt_duration(lo, missing='?')} could have gone unseen: the baseline "
                                f"expects the {thr:.1f} movements a closure needs only over {fmt_duration(dmin, missing='?')} or more{where}, so one of {fmt_duration(lo, missing='?')} "
                                f"would have been detected in {fmt_share(pf)} of the window"), None
    return "contradicted", (f"{ap}: {run_text}; every hour of the window has data and a baseline, and no run between strong movements "
                            f"was empty enough to be a closure of {fmt_duration(lo, missing='?')} or more"), None


def _closure_rule(ctx: Any, claim: Any, win: Any) -> tuple[list[str], dict[str, tuple[str, str, float | None]], str]:
    """A closure claim's fields, each field's verdict (with its reason and the run it relies on), and the claim's verdict."""
    d = _need(ctx)
    test = claim.test
    fields = sorted(ctx.resolve(test.airport))
    judged = {ap: _field_verdict(ctx, d, ap, test, win.start, win.end) for ap in fields}
    vs = [v for v, _, _ in judged.values()]
    if test.require == "each" or len(fields) == 1:
        verdict = "supported" if all(v == "supported" for v in vs) else ("contradicted" if "contradicted" in vs else "inconclusive")
    else:
        verdict = "supported" if "supported" in vs else ("contradicted" if all(v == "contradicted" for v in vs) else "inconclusive")
    return fields, judged, verdict


def _closure_verdict(ctx: Any, claim: Any, items_: pd.DataFrame, win: Any) -> str:
    """:func:`_closure`'s verdict alone."""
    return _closure_rule(ctx, claim, win)[2]


def _closure(ctx: Any, claim: Any, items_: pd.DataFrame, win: Any) -> Any:
    d = _need(ctx)
    test = claim.test
    fields, judged, verdict = _closure_rule(ctx, claim, win)
    verdicts = {ap: (v, t) for ap, (v, t, _) in judged.items()}
    closed = [ap for ap, (v, _) in verdicts.items() if v == "supported"]
    order = {"contradicted": 0, "inconclusive": 1, "supported": 2}
    parts = [t for _, (v, t) in sorted(verdicts.items(), key=lambda kv: (order[kv[1][0]], kv[0]))]
    head = ""
    if len(fields) > 1:
        head = f"{len(closed)} of {len(fields)} fields closed ({', '.join(closed) or 'none'}); " + ("every field must" if test.require == "each" else "one field must") + ": "
    reason = head + "; ".join(parts)
    observed = ", ".join(f"{ap} {'closed' if v == 'supported' else ('open' if v == 'contradicted' else 'undecided')}" for ap, (v, _) in verdicts.items())
    shares = [closure_detectability(d, ap, test.min_duration.total_seconds(), win.start, win.end)[0] for ap in fields]
    p_det = float(min(shares)) if shares else 0.0
    first = parts[0] if parts else reason
    if verdict == "supported":
        words = plain.seen("; ".join(t.split(" UTC: ", 1)[0] + " UTC" for _, (v, t) in sorted(verdicts.items()) if v == "supported")
                           + f" (claim: a stop of at least {fmt_duration(test.min_duration.total_seconds(), missing='?')})")
    elif verdict == "contradicted":
        words = plain.would_have_seen(p_det, first) if "every hour of the window" in first else plain.seen_otherwise(first)
    elif "could have gone unseen" in reason or "could hide one" in reason:
        words = plain.could_not_see(next(t for t in parts if "could have gone unseen" in t or "could hide one" in t))
    else:
        words = plain.undecided(first)
    return Outcome(verdict, reason, observed, float(len(closed)), items_, statistic=_closure_rows(d, claim, judged, verdict), plain=words, p_detect=p_det)


def _closure_rows(d: Disruption, claim: Any, judged: dict[str, tuple[str, str, float | None]], verdict: str) -> list[dict[str, Any]] | None:
    """The closure tests the verdict relies on, one per field whose verdict rests on a closure run; for ``require: any``
    met by several fields, the strongest of them only (one closed field is all the claim needs)."""
    mu = {ap: x for ap, (_, _, x) in judged.items() if x is not None}
    if claim.test.require == "any" and len(judged) > 1 and verdict == "supported":
        best = max((ap for ap, (v, _, _) in judged.items() if v == "supported"), key=lambda ap: mu[ap])
        mu = {best: mu[best]}
    rows = [closure_row(claim.id, ap, x, _daily_baseline(d.hourly, ap)) for ap, x in sorted(mu.items())]
    return rows or None


JUDGES: Final[dict[str, Judge]] = {
    "closure": Judge(items, judge),
    "diversions_at_least": Judge(items, judge),
    "holding_at_least": Judge(items, judge),
}
"""The claim tests of the ``disruption`` kind (:mod:`flighttrace.kinds.disruption.spec`) and their rules."""

VERDICT_RULES: Final[dict[str, Callable[[Context, Any, pd.DataFrame, Any], str]]] = {"closure": _closure_verdict}
"""The verdict alone of the closure rule (the robustness panel keeps only the verdict: :mod:`flighttrace.claims.robustness`)."""
