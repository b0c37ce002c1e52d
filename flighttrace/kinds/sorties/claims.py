"""Claim tests of the ``sorties`` kind: the items a claim counts and the verdict rules.

The rules are written out in ``docs/verdicts.md``. In short: only
``observed`` and ``inferred`` ends count as evidence for or against a
figure; ``bridged`` ends and legs whose end names no field can only make a
verdict ``inconclusive``; a shortfall is a contradiction only when the
uncovered days could not plausibly hold the rest.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, Final

import numpy as np
import pandas as pd

from flighttrace.cells import as_float, none_where
from flighttrace.claims import plain
from flighttrace.claims.context import (
    STRONG,
    Context,
    Judge,
    Outcome,
    Window,
    empty_items,
    fmt_n,
    grade_counts,
    leg_frame,
    obj,
    route_text,
    weakest,
)
from flighttrace.claims.counting import CountVerdict, count_at_least, count_at_most, uncovered_phrase
from flighttrace.claims.detection import absence_ok
from flighttrace.claims.plain import count_plain
from flighttrace.claims.uncertainty import band_verdict, mean_interval_ci, median_ci
from flighttrace.kinds.sorties import bursts, gaps
from flighttrace.kinds.sorties import stats as st
from flighttrace.kinds.sorties.identity import identity_note, replay_of, second_of
from flighttrace.kinds.sorties.series import route_sorties, sortie_times
from flighttrace.numfmt import fmt_n as fmt_noun
from flighttrace.schema import TIME_DTYPE
from flighttrace.timefmt import fmt_duration
from flighttrace.tracks.legs import ground_stays

__all__ = ["JUDGES", "VERDICT_RULES", "items", "stat_row", "burst_row", "event_rows"]


def _leg_items(ctx: Context, subj: Any) -> pd.DataFrame:
    """Legs a landings / departures / legs subject counts, graded; unnamed ends graded ``unknown``."""
    lg = ctx.fleet_legs(subj.fleet)
    if len(lg) == 0:
        return empty_items()
    A, F, T = ctx.resolve(subj.airport), ctx.resolve(subj.from_), ctx.resolve(subj.to)
    route = route_text(lg["origin"], lg["destination"])
    if subj.unit in ("landings", "departures"):
        land = subj.unit == "landings"
        end, other, other_set = ("destination", "origin", F) if land else ("origin", "destination", T)
        e, o = lg[end], lg[other]
        eg, og = lg[f"{end}_evidence"].astype(object), lg[f"{other}_evidence"].astype(object)
        o_ok = np.ones(len(lg), dtype=bool) if other_set is None else (o.isna() | o.isin(other_set)).to_numpy()
        known = (e.notna() & e.isin(A or frozenset())).to_numpy() & o_ok
        possible = e.isna().to_numpy() & o_ok
        grade = eg.to_numpy(dtype=object)
        if other_set is not None:
            grade = np.where(o.notna().to_numpy(), weakest(eg, og), "unknown")
        grade = np.where(possible, "unknown", grade)
        if land:
            t = lg["landing_time"].astype(TIME_DTYPE).fillna(lg["landing_time_latest"].astype(TIME_DTYPE))
            t = t.where(known, lg["last_seen"].astype(TIME_DTYPE)).fillna(lg["last_seen"].astype(TIME_DTYPE))
        else:
            t = lg["takeoff_time"].astype(TIME_DTYPE).fillna(lg["takeoff_time_earliest"].astype(TIME_DTYPE))
            t = t.where(known, lg["first_seen"].astype(TIME_DTYPE)).fillna(lg["first_seen"].astype(TIME_DTYPE))
        reason = lg[f"{end}_reason"].astype(object).fillna("") if f"{end}_reason" in lg else pd.Series([""] * len(lg))
        detail = np.where(possible, "no field named at this end: " + reason.astype(str).to_numpy(dtype=object), route)
        dest, dest_g = lg["destination"], lg["destination_evidence"]
        keep = known | possible
        return leg_frame(_id_columns(lg)[keep], grade[keep], t[keep], obj(e)[keep], obj(dest)[keep], obj(dest_g)[keep], detail[keep])
    # unit legs: from → origin, to → destination, airport → either end
    grade = np.full(len(lg), "observed", dtype=object)
    ok = np.ones(len(lg), dtype=bool)
    for col, S in (("origin", F), ("destination", T)):
        if S is not None:
            known = lg[col].notna().to_numpy()
            ok &= ~known | lg[col].isin(S).to_numpy()
            grade = weakest(grade, np.where(known, lg[f"{col}_evidence"].astype(object), "unknown"))
    if A is not None:
        o_in, d_in = lg["origin"].isin(A).to_numpy(), lg["destination"].isin(A).to_numpy()
        any_null = (lg["origin"].isna() | lg["destination"].isna()).to_numpy()
        ok &= o_in | d_in | any_null
        end_g = np.where(o_in, lg["origin_evidence"].astype(object), np.where(d_in, lg["destination_evidence"].astype(object), "unknown"))
        grade = weakest(grade, end_g)
    t = lg["takeoff_time"].astype(TIME_DTYPE).fillna(lg["first_seen"].astype(TIME_DTYPE))
    return leg_frame(_id_columns(lg)[ok], grade[ok], t[ok], obj(lg["destination"])[ok], obj(lg["destination"])[ok], obj(lg["destination_evidence"])[ok], route[ok])


def _id_columns(lg: pd.DataFrame) -> pd.DataFrame:
    """The columns of legs that :func:`~flighttrace.claims.context.leg_frame` reads (cut without the legs' geometry)."""
    return lg[[c for c in ("leg_id", "lineage") if c in lg]]


def _sortie_items(ctx: Context, subj: Any) -> pd.DataFrame:
    """Sorties of the subject's route and fleet, plus fleet legs that could be unseen sorties."""
    s = route_sorties(ctx, subj.route, subj.fleet)
    A, F, T = ctx.resolve(subj.airport), ctx.resolve(subj.from_), ctx.resolve(subj.to)
    parts = []
    if len(s):
        grade = s["evidence"].astype(object).to_numpy()
        ok = np.ones(len(s), dtype=bool)
        if A is not None:
            ok &= s["far"].isin(A).to_numpy()
        for col, S in (("origin", F), ("back", T)):
            if S is not None:
                known = s[col].notna().to_numpy()
                ok &= ~known | s[col].isin(S).to_numpy()
                grade = weakest(grade, np.where(known, s[f"{col}_evidence"].astype(object), "unknown"))
        s2 = s[ok]
        gt_h = s2["ground_time_s"].astype(float).map(lambda v: "" if np.isnan(v) else f", ground {fmt_duration(v)}")
        legs = (pd.Series(obj(s2["in_leg"])).fillna("").astype(str) + ";" + pd.Series(obj(s2["out_leg"])).fillna("").astype(str)).str.strip(";")
        parts.append(
            pd.DataFrame(
                {
                    "item_id": obj(s2["sortie_id"]),
                    "kind": np.full(len(s2), "sortie", dtype=object),
                    "grade": grade[ok],
                    "time": sortie_times(s2).array,
                    "airport": obj(s2["far"]),
                    "dest": obj(s2["back"]),
                    "dest_grade": obj(s2["back_evidence"]),
                    "lineage": obj(s2["lineage"]),
                    "legs": legs.to_numpy(dtype=object),
                    "gt_s": s2["ground_time_s"].astype(float).to_numpy(),
                    "gt_min_s": s2["ground_time_min_s"].astype(float).to_numpy(),
                    "detail": (pd.Series(route_text(s2["origin"], s2["far"])) + "→" + pd.Series(obj(s2["back"])).fillna("?").astype(str) + gt_h.to_numpy()).to_numpy(dtype=object),
                    "caveat": np.full(len(s2), None, dtype=object),
                }
            ).astype({"time": TIME_DTYPE})
        )
    # fleet legs from home (or from nowhere named) whose end names no field: could be unseen sorties
    lg = ctx.fleet_legs(subj.fleet)
    if len(lg):
        home = ctx.resolve(ctx.scenario.route(subj.route).sequence[0])
        if F is not None:
            home = home & F
        used = set(obj(s["in_leg"])) | set(obj(s["out_leg"])) if len(s) else set()
        poss = lg["destination"].isna() & (lg["origin"].isna() | lg["origin"].isin(home)) & ~lg["leg_id"].isin(used)
        p = lg[poss.to_numpy()]
        if len(p):
            reason = p["destination_reason"].astype(object).fillna("").astype(str) if "destination_reason" in p else pd.Series([""] * len(p))
            parts.append(leg_frame(p, np.full(len(p), "unknown", dtype=object), p["last_seen"], np.full(len(p), None), np.full(len(p), None), np.full(len(p), None), ("no field named at the far end: " + reason).to_numpy(dtype=object)))
    parts = [x for x in parts if len(x)]
    return pd.concat(parts, ignore_index=True) if parts else empty_items()


def _stay_items(ctx: Context, subj: Any, airports: frozenset[str]) -> pd.DataFrame:
    """Ground stays at ``airports`` of the subject's fleet, from consecutive legs (no route given)."""
    st = ground_stays(ctx.fleet_legs(subj.fleet))
    st = st[st["airport"].isin(airports)].reset_index(drop=True)
    if len(st) == 0:
        return empty_items()
    n = len(st)
    legs = (st["arriving_leg"].astype(str) + ";" + st["departing_leg"].astype(str)).to_numpy(dtype=object)
    lineage = ctx.fleet_legs(subj.fleet).set_index("leg_id")["lineage"] if "lineage" in ctx.legs else None
    lin = [None] * n if lineage is None else ("; ".join(x for x in (lineage.get(a), lineage.get(b)) if x) for a, b in zip(st["arriving_leg"], st["departing_leg"], strict=True))
    exact = st["duration_s"].astype(float)
    return pd.DataFrame(
        {
            "item_id": (st["arriving_leg"].astype(str) + ">" + st["departing_leg"].astype(str)).to_numpy(dtype=object),
            "kind": np.full(n, "leg", dtype=object),
            "grade": weakest(st["arrival_evidence"], st["departure_evidence"]),
            "time": st["arrival_time"].astype(TIME_DTYPE).fillna(st["departure_time"].astype(TIME_DTYPE)).array,
            "airport": obj(st["airport"]),
            "dest": np.full(n, None, dtype=object),
            "dest_grade": np.full(n, None, dtype=object),
            "lineage": np.asarray(list(lin), dtype=object),
            "legs": legs,
            "gt_s": exact.to_numpy(),
            "gt_min_s": np.where(exact.notna(), exact, st["duration_min_s"].astype(float)),
            "detail": np.full(n, "ground stay between consecutive legs", dtype=object),
            "caveat": np.full(n, None, dtype=object),
        }
    ).astype({"time": TIME_DTYPE})


def items(ctx: Context, claim: Any, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """The claim's subject items whose time falls in ``[start, end)``, in time order."""
    subj, test = claim.subject, claim.test
    stays = test.kind == "ground_time" and subj.route is None
    key = ("sorties-items", repr(subj), test.airport if stays else None)  # the same subject's items, listed once per evaluation
    if key not in ctx.cache:
        if stays:
            every = _stay_items(ctx, subj, ctx.scenario.resolve_airports(test.airport))
        elif subj.unit == "sorties":
            every = _sortie_items(ctx, subj)
        else:
            every = _leg_items(ctx, subj)
        ctx.cache[key] = every.sort_values(["time", "item_id"], kind="stable").reset_index(drop=True)
    every = ctx.cache[key]
    t = every["time"]
    inside = ((t >= start) & (t < end)).to_numpy()
    if not inside.any():
        return every[inside].reset_index(drop=True)  # nothing to annotate
    # every note is about its own item: the whole list is annotated once per evaluation, then cut to the window
    note_key = (*key, _end_of(claim))
    if note_key not in ctx.cache:
        ctx.cache[note_key] = _annotate(ctx, claim, every)
    return ctx.cache[note_key][inside].reset_index(drop=True)


def _end_of(claim: Any) -> str:
    """The end of an item's first leg its notes speak of: where a departure left, else where the leg landed."""
    return "origin" if claim.subject.unit == "departures" and claim.test.kind != "ground_time" else "destination"


def _annotate(ctx: Context, claim: Any, items: pd.DataFrame) -> pd.DataFrame:
    """Say out loud what an item rests on: the other field in reach of an inferred or bridged end, a ground time
    from extrapolated times, a track that replays another (its ``caveat``)."""
    if len(items) == 0:
        return items
    items = items.copy()
    rep = replay_of(ctx, items["legs"])
    items["caveat"] = none_where(rep == "", rep)
    legs = items["legs"].astype(object).fillna("").astype(str).str.split(";")
    first, second = legs.str[0].astype(object).fillna(""), legs.str[1].astype(object).fillna("")
    end1 = _end_of(claim)
    if "legs_by_id" not in ctx.cache:
        ctx.cache["legs_by_id"] = ctx.legs.drop_duplicates("leg_id").set_index("leg_id") if len(ctx.legs) else None
    ev = ctx.cache["legs_by_id"]
    other1, other2 = second_of(ctx, first, end1), second_of(ctx, second, "origin")
    g1 = first.map(ev[f"{end1}_evidence"]).astype(object).fillna("") if ev is not None else pd.Series([""] * len(items))
    g2 = second.map(ev["origin_evidence"]).astype(object).fillna("") if ev is not None else pd.Series([""] * len(items))
    weak1, weak2 = g1.isin(["inferred", "bridged"]).to_numpy(), g2.isin(["inferred", "bridged"]).to_numpy()
    note = [("; other field in reach: " + "; ".join(x for x in (a if w1 else "", b if w2 else "") if x)) if (w1 and a) or (w2 and b) else ""
            for a, b, w1, w2 in zip(other1, other2, weak1, weak2, strict=True)]  # one sentence per item
    stay = items["gt_s"].notna().to_numpy()
    land_inf, off_inf = (g1.to_numpy() == "inferred") & (end1 == "destination"), g2.to_numpy() == "inferred"
    extra = np.where(stay & (land_inf | off_inf),
                     "; ground time from extrapolated times (" + np.where(land_inf & off_inf, "landing and take-off", np.where(land_inf, "landing", "take-off")) + " inferred, not seen)", "")
    items["detail"] = items["detail"].astype(object).fillna("").astype(str) + np.asarray(note, dtype=object) + extra
    return items



def _count_rule(ctx: Context, claim: Any, items: pd.DataFrame, win: Window) -> tuple[CountVerdict, Window, str, tuple[int, int, int, int]]:
    """The count rules' verdict (:func:`_count`), with the window it was drawn in, what was needed, and the grade counts."""
    win = bursts.with_uncovered_rates(ctx, win)  # uncovered days in conflict windows may hold the surge rate
    o, i, b, u = grade_counts(items)
    s, test = o + i, claim.test
    if test.kind == "count_at_least":
        cv = count_at_least(test.value, s, b, u, win, ctx.rules)
        need = f"{test.value} needed"
    elif test.kind == "count_at_most":
        cv = count_at_most(test.value, s, b, u, win, ctx.rules)
        need = f"at most {test.value} claimed"
    else:
        lo = count_at_least(test.min, s, b, u, win, ctx.rules)
        hi = count_at_most(test.max, s, b, u, win, ctx.rules)
        need = f"{test.min}–{test.max} claimed"
        if "contradicted" in (lo.verdict, hi.verdict):
            cv = lo if lo.verdict == "contradicted" else hi
        elif lo.verdict == hi.verdict == "supported":
            cv = hi._replace(reason=f"{lo.reason}; {hi.reason}")
        else:
            cv = lo if lo.verdict == "inconclusive" else hi
    return cv, win, need, (o, i, b, u)


def _count(ctx: Context, claim: Any, items: pd.DataFrame, win: Window) -> Outcome:
    cv, win, need, (o, i, b, u) = _count_rule(ctx, claim, items, win)
    s, unit = o + i, claim.subject.unit
    if claim.test.kind == "count_at_least" and cv.verdict != "supported" and win.uncovered > 0 and "not covered" not in cv.reason and "uncovered" not in cv.reason:
        cv = cv._replace(reason=cv.reason + f"; also {uncovered_phrase(win)}")
    observed = f"{s} {unit} ({o} observed, {i} inferred; +{b} bridged, +{u} unknown end)"
    reason = cv.reason + identity_note(ctx, claim, items, win)
    return Outcome(cv.verdict, reason, observed, float(s), items, plain=count_plain(cv.basis, cv.verdict, claim, s, b, u, win, need=need))


def _count_verdict(ctx: Context, claim: Any, items: pd.DataFrame, win: Window) -> str:
    """:func:`_count`'s verdict alone."""
    return _count_rule(ctx, claim, items, win)[0].verdict


def _stat(values: pd.Series, statistic: str) -> float:
    return float(values.mean()) if statistic == "mean" else float(values.median())


def _ground_time(ctx: Context, claim: Any, items: pd.DataFrame, win: Window) -> Outcome:
    test = claim.test
    gt, gt_min = items["gt_s"].to_numpy(dtype=float), items["gt_min_s"].to_numpy(dtype=float)
    stays = (items["kind"].to_numpy(dtype=object) == "sortie") | ~np.isnan(gt_min) | ~np.isnan(gt)
    keep = stays & items["airport"].isin(ctx.scenario.resolve_airports(test.airport)).to_numpy()
    items, gt, gt_min = items[keep].reset_index(drop=True), gt[keep], gt_min[keep]
    lo = test.min.total_seconds() if test.min is not None else -math.inf
    hi = test.max.total_seconds() if test.max is not None else math.inf
    band = test.describe().split(" in ", 1)[-1]
    has = ~np.isnan(gt)
    exact, bound_only = pd.Series(gt[has], name="gt_s"), pd.Series(gt_min[~has], name="gt_min_s")
    n_lb, n_none = int(bound_only.notna().sum()), int(bound_only.isna().sum())
    n_ext = int(pd.Series(items["detail"].to_numpy(dtype=object)[has], dtype=object).astype(str).str.contains("extrapolated").sum())
    note = (f"; {fmt_noun(n_lb, 'stay')} known only as a lower bound" if n_lb else "") + (f"; {n_none} with no bound (a leg unseen)" if n_none else "")
    note += f"; {n_ext} of the exact stays rest on a landing or take-off time extrapolated from an inferred end" if n_ext else ""
    where = f"at {test.airport}"
    if len(items) == 0:
        return Outcome("inconclusive", f"no stay at {test.airport} in the window", "no stay", math.nan, items,
                       plain=plain.could_not_see(f"no stay {where} was seen; {_missing_words(win)}") if not absence_ok(win.detect, ctx.rules) else plain.undecided(f"no stay {where} was seen"))
    if test.statistic == "each":
        out = exact[(exact < lo) | (exact > hi)]
        over = bound_only[bound_only > hi]
        observed = f"{len(exact) - len(out)} of {len(exact)} exact stays in {band}{note}"
        value = float(len(out) + len(over))
        if len(out) or len(over):
            worst = pd.concat([out, over]) / 3600.0
            hours = ", ".join(fmt_duration(h * 3600.0) for h in worst)
            return Outcome("contradicted", f"{fmt_noun(len(out) + len(over), 'stay')} outside {band} ({hours}){note}", observed, value, items,
                           plain=plain.seen_otherwise(f"{fmt_noun(len(out) + len(over), 'stay')} {where} outside {band} ({hours})"))
        if len(exact) == 0 or n_lb or n_none:
            return Outcome("inconclusive", f"{fmt_noun(len(exact), 'exact stay')} in {band}, but not every stay has an exact ground time{note}", observed, value, items,
                           plain=plain.undecided(f"{fmt_noun(len(exact), 'stay')} {where} in {band}, but {n_lb + n_none} more have no exact ground time"))
        return Outcome("supported", f"all {len(exact)} stays in {band} (exact times){note}", observed, value, items,
                       plain=plain.seen(f"all {len(exact)} stays {where} lasted {band}"))
    k = ctx.rules.min_stays
    if len(exact) == 0:
        if n_lb >= k and not n_none and _stat(bound_only, test.statistic) > hi:
            v = _stat(bound_only, test.statistic)
            return Outcome("contradicted", f"no exact stay, but even the lower bounds give a {test.statistic} of {fmt_duration(v)} > {band}", f"{test.statistic} ≥ {fmt_duration(v)} (lower bounds)", v / 3600, items,
                           plain=plain.seen_otherwise(f"the {n_lb} stays {where} lasted at least {fmt_duration(v)} ({test.statistic}), longer than {band}"))
        few = ""
        if n_lb and not n_none and _stat(bound_only, test.statistic) > hi:
            few = f"; the {n_lb} lower bound(s) give a {test.statistic} above {band}, but at least {k} stays are needed to judge a {test.statistic}"
        return Outcome("inconclusive", f"no exact ground time at {test.airport}{note}{few}", "no exact stay", math.nan, items,
                       plain=plain.undecided(f"no stay {where} has an exact ground time" + (f"; {fmt_noun(n_lb, 'stay')} lasted longer than {band}, too few to judge a {test.statistic}" if few else "")))
    v = _stat(exact, test.statistic)
    observed = f"{test.statistic} {fmt_duration(v)} over {fmt_noun(len(exact), 'exact stay')}{note}"
    if len(exact) < k:
        return Outcome("inconclusive", f"{test.statistic} of {fmt_noun(len(exact), 'exact stay')} {fmt_duration(v)}: too few stays to judge a {test.statistic} (at least {k} needed){note}",
                       observed, v / 3600, items, plain=plain.undecided(f"only {fmt_noun(len(exact), 'stay')} {where} with an exact time ({fmt_duration(v)}); at least {k} are needed for a {test.statistic}"))
    if lo <= v <= hi:
        return Outcome("supported", f"{test.statistic} of {fmt_noun(len(exact), 'exact stay')} {fmt_duration(v)} in {band}{note}", observed, v / 3600, items,
                       plain=plain.seen(f"a {test.statistic} stay of {fmt_duration(v)} {where} over {len(exact)} stays (claim: {band})"))
    return Outcome("contradicted", f"{test.statistic} of {fmt_noun(len(exact), 'exact stay')} {fmt_duration(v)} outside {band}{note}", observed, v / 3600, items,
                   plain=plain.seen_otherwise(f"a {test.statistic} stay of {fmt_duration(v)} {where} over {len(exact)} stays (claim: {band})"))


def _destinations(ctx: Context, claim: Any, items: pd.DataFrame, win: Window) -> Outcome:
    allowed: frozenset[str] = frozenset().union(*(ctx.scenario.resolve_airports(a) for a in claim.test.airports))
    names = ", ".join(claim.test.airports)
    items = items[items["grade"].isin(STRONG + ("bridged",))].copy().reset_index(drop=True)
    if claim.subject.unit != "sorties":
        items = items[items["kind"] == "leg"].reset_index(drop=True)
    items["grade"] = items["dest_grade"].where(items["dest"].notna(), "unknown").fillna("unknown")
    d, g = items["dest"], items["grade"]
    strong, bridged, unknown = g.isin(STRONG), g.eq("bridged"), d.isna()
    inside = d.isin(allowed)
    tally = d.fillna("unknown").value_counts().sort_index()
    observed = ", ".join(f"{k} {v}" for k, v in tally.items()) or "none"
    frm = f"from {claim.subject.airport}" if claim.subject.airport else f"on {claim.subject.route}"
    if len(items) == 0:
        return Outcome("inconclusive", "no departure found in the window", observed, math.nan, items,
                       plain=plain.undecided(f"no departure {frm} was seen") if absence_ok(win.detect, ctx.rules) else plain.could_not_see(f"no departure {frm}; {_missing_words(win)}"))
    out_s = items[strong & ~inside & ~unknown]
    if len(out_s):
        where = ", ".join(sorted(set(out_s["dest"])))
        return Outcome("contradicted", f"{len(out_s)} departure(s) with observed or inferred evidence went to {where}, outside {names}", observed, float((strong & inside).sum()), items,
                       plain=plain.seen_otherwise(f"{len(out_s)} departure(s) {frm} went to {where}, not {names}"))
    if not (strong | bridged).any():
        return Outcome("inconclusive", f"none of the {len(items)} departure(s) has a known destination", observed, 0.0, items,
                       plain=plain.undecided(f"{len(items)} departure(s) {frm}, none with a known destination"))
    out_b = items[bridged & ~inside]
    if len(out_b):
        return Outcome("inconclusive", f"{len(out_b)} bridged destination(s) outside {names} ({', '.join(sorted(set(out_b['dest'])))}): too weak to decide", observed, float((strong & inside).sum()), items,
                       plain=plain.undecided(f"{len(out_b)} departure(s) {frm} were next seen outside {names}, but their landing was not seen"))
    extra = f"; {int(unknown.sum())} with no known destination" if unknown.any() else ""
    return Outcome("supported", f"all {int((strong | bridged).sum())} known destination(s) are within {names}{extra}", observed, float((strong & inside).sum()), items,
                   plain=plain.seen(f"all {int((strong | bridged).sum())} departure(s) {frm} with a known destination went to {names} ({observed})"))


def _intervals_of(times: pd.Series, ctx: Context, win: Window) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`~flighttrace.kinds.sorties.stats.intervals` of the times in the claim's window, as arrays (from, to, covered)."""
    t_ns, days = gaps.event_days(times, ctx.cov)
    return gaps.interval_arrays(t_ns, days, ctx.cov, pd.Timestamp(win.start).value, pd.Timestamp(win.end).value)


def _interval_verdict(times: pd.Series, ctx: Context, claim: Any, win: Window) -> tuple[str, str, float, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Mean interval rule: enough intervals inside detectable spans, mean and median on the same side of the band.

    Returns the verdict, its reason, the mean and the intervals (:func:`_intervals_of`)."""
    test, rules = claim.test, ctx.rules
    iv = _intervals_of(times, ctx, win)
    # an event the data could not see would only split an interval: the measured ones are upper bounds, so a
    # mean above the claim (or a band's lower edge met) stands only where every event would have been seen
    ok = pd.Series(gaps.interval_days(iv[0], iv[1])[iv[2]], name="days")
    hi = test.max.total_seconds() / 86400.0
    lo = test.min.total_seconds() / 86400.0 if test.min is not None else 0.0
    seen_all = absence_ok(win.detect, rules)
    if len(ok) == 0:
        n = len(times)
        length = (win.end - win.start).total_seconds() / 86400.0
        if win.uncovered <= 0 and length / (n + 1) > hi and seen_all:
            return "contradicted", f"{n} event(s) in a fully covered window of {fmt_n(length)} days: even evenly spread, the {n + 1} gap(s) would each exceed {fmt_n(hi)} d", math.nan, iv
        why = "fewer than 2 events" if n < 2 else "every interval spans an uncovered day"
        if n >= 2 or seen_all:
            return "inconclusive", f"no interval between consecutive events inside covered spans ({why})", math.nan, iv
        return "inconclusive", f"no interval between consecutive events inside covered spans ({why}); the data could not have seen every event: {_missing_words(win)}", math.nan, iv
    m = mean_interval_ci(ok, conf=rules.conf, n_boot=rules.n_boot, seed=rules.seed)
    md = median_ci(ok, conf=rules.conf)
    text = f"{m.text()}, {md.text()} over {len(ok)} interval(s) inside covered spans"
    if len(ok) < rules.min_intervals:
        return "inconclusive", f"{text}: too few to judge (at least {rules.min_intervals} needed)", m.value, iv
    mean, median = m.value, float(ok.median())
    side = [("in" if lo <= x <= hi else "above" if x > hi else "below") for x in (mean, median)]
    if side[0] != side[1]:
        return "inconclusive", f"{text}: the mean is {side[0]} [{fmt_n(lo)}, {fmt_n(hi)}] d but the median is {side[1]}; a few long gaps decide it", mean, iv
    ci = band_verdict(m, lo, hi)  # the mean's interval, not the mean alone, must lie in (or out of) the band
    if ci == "inconclusive":
        return "inconclusive", f"{text}; the mean's interval straddles an edge of [{fmt_n(lo)}, {fmt_n(hi)}] d", mean, iv
    if ci == "supported" and (lo <= 0 or seen_all):
        return "supported", f"{text}; the mean's interval lies within [{fmt_n(lo)}, {fmt_n(hi)}] d", mean, iv
    if ci == "contradicted" and (side[0] == "below" or (side[0] == "above" and seen_all)):
        return "contradicted", f"{text}; the mean's interval lies outside [{fmt_n(lo)}, {fmt_n(hi)}] d", mean, iv
    return "inconclusive", f"{text}, but events the data could not see would shorten the intervals: {_missing_words(win)}", mean, iv


def _missing_words(win: Window) -> str:
    det = win.detect
    return (det.missing if det is not None and det.missing else "") or (f"p_detect {det.p:.2f}" if det is not None else "coverage unknown")


def _mean_interval(ctx: Context, claim: Any, items: pd.DataFrame, win: Window) -> Outcome:
    grade, times = items["grade"], items["time"]
    strong = grade.isin(STRONG).to_numpy()
    n_strong = int(strong.sum())
    v1, r1, m1, (a, b, covered) = _interval_verdict(times[strong].reset_index(drop=True), ctx, claim, win)
    iv = gaps.interval_frame([claim.id] * len(a), a, b, covered)
    med = iv.loc[iv["covered"], "days"].median() if len(iv) else math.nan
    observed = f"mean interval {fmt_duration(m1 * 86400.0)}, median {fmt_duration(med * 86400.0)} ({n_strong} {claim.subject.unit})" if not math.isnan(m1) else f"{n_strong} {claim.subject.unit}, no interval"
    verdict, reason = v1, r1
    # the verdict must survive adding the bridged ones, then the legs with no named end
    for label, grades in (("bridged", STRONG + ("bridged",)), ("legs with no named end", STRONG + ("bridged", "unknown"))):
        extra = grade.isin(grades).to_numpy()
        if int(extra.sum()) == n_strong:
            continue
        v2, _, m2, _ = _interval_verdict(times[extra].reset_index(drop=True), ctx, claim, win)
        if v2 != v1:
            verdict, reason = "inconclusive", f"{r1}; adding the {label}: mean {fmt_duration(m2 * 86400.0)} ({v2})"
            break
    if win.uncovered > 0:
        reason += f"; intervals across uncovered days are left out ({win.uncovered_text})"
    what = f"{plain.subject_words(claim)}: one every {m1:.1f} days on average, median {med:.1f}, over {int(iv['covered'].sum())} intervals (claim: {claim.test.describe()})" if not math.isnan(m1) else ""
    if verdict == "supported":
        words = plain.seen(what)
    elif verdict == "contradicted":
        words = plain.seen_otherwise(what or r1)
    elif "could not" in reason or "undetectable" in reason:
        words = plain.could_not_see(f"{what + '; ' if what else ''}{_missing_words(win)}")
    else:
        words = plain.undecided(reason.split(";")[0])
    return Outcome(verdict, reason, observed, m1, items, intervals=iv.assign(what=claim.subject.unit), plain=words)


def _rr_verdict(r: Any, min_ratio: float) -> str:
    if math.isnan(r.ci_low) or math.isnan(r.ci_high):
        return "inconclusive"
    if r.ci_low > min_ratio:
        return "supported"
    if r.ci_high < min_ratio:
        return "contradicted"
    return "inconclusive"


def _rr_text(r: bursts.BurstRateRatio) -> str:
    e = r.exact
    return f"RR {r.ratio:.2f} ({e.conf:.0%} CI {r.ci_low:.2f}–{r.ci_high:.2f}): {e.n1} in {fmt_n(e.t1)} covered window days vs {e.n0} in {fmt_n(e.t0)} other covered days"


def _per_event_text(per: pd.DataFrame) -> str:
    """The event windows one by one, naming those with no event and those not covered."""
    seen = per[per["days_covered"] > 0]
    parts = [f"{r.event_id} {r.n} in {fmt_n(round(as_float(r.days_covered), 1))} d" for r in seen.itertuples()]
    text = f"per event window: {', '.join(parts)}" if parts else "no event window is covered"
    empty = seen[seen["n"] == 0]["event_id"].tolist()
    if empty:
        text += f"; {len(empty)} of {len(seen)} covered window(s) had none ({', '.join(map(str, empty))})"
    outside = per["window_start"].isna()
    blind = per[(per["days_covered"] <= 0) & ~outside]["event_id"].tolist()
    if blind:
        text += f"; not covered: {', '.join(map(str, blind))}"
    if outside.any():
        text += f"; outside the claim's window: {', '.join(map(str, per.loc[outside, 'event_id']))}"
    return text


def _event_ratios(ctx: Context, times: pd.Series, windows: pd.DataFrame, win: Window, conf: float) -> pd.DataFrame:
    """:func:`~flighttrace.kinds.sorties.bursts.event_rate_ratios`, computed once per evaluation for the same times and windows."""
    ns = [pd.DatetimeIndex(x).as_unit("ns").asi8.tobytes() for x in (times, windows["window_start"], windows["window_end"])]
    key = ("event_rate_ratios", tuple(windows["event_id"]), *ns, pd.Timestamp(win.start).value, pd.Timestamp(win.end).value, conf)
    if key not in ctx.cache:
        ctx.cache[key] = bursts.event_rate_ratios(ctx.cov, times, windows, reference=(win.start, win.end), conf=conf)
    return ctx.cache[key]


def _covered(ctx: Context, times: pd.Series) -> np.ndarray:
    """:func:`~flighttrace.kinds.sorties.bursts.covered_times` of some events, once per evaluation for the same times
    (a rate ratio's changes count the same items against other windows)."""
    key = ("covered-times", pd.DatetimeIndex(times).as_unit("ns").asi8.tobytes())
    if key not in ctx.cache:
        ctx.cache[key] = bursts.covered_times(ctx.cov, times)
    return ctx.cache[key]


def _rr_events(ctx: Context, test: Any) -> pd.DataFrame:
    """The scenario's events a rate ratio compares (picked once per evaluation for the same test's events and kinds)."""
    key = ("rr-events", test.events if test.events == "all" else tuple(test.events), tuple(test.kinds or ()))
    if key not in ctx.cache:
        if "events_frame" not in ctx.cache:
            ctx.cache["events_frame"] = ctx.scenario.events_frame()
        ev = ctx.cache["events_frame"]
        if test.events == "all":
            ev = ev[ev["kind"].isin(test.kinds)] if test.kinds else ev
        else:
            ev = ev[ev["id"].isin(test.events)]
        ctx.cache[key] = ev
    return ctx.cache[key]


def _rr_fits(ctx: Context, claim: Any, items: pd.DataFrame, win: Window,
             p_values: bool = True) -> tuple[pd.DataFrame, pd.Series, pd.Series, list[bursts.BurstRateRatio]]:
    """The events a rate ratio compares, their windows' starts and ends, and the ratio with the strong items, then with the
    bridged ones added, then with the unnamed ends too (``p_values``: whether to test the ratios, or only find their intervals)."""
    test, rules = claim.test, ctx.rules
    ev = _rr_events(ctx, test)
    starts, ends = ev["start"] - test.lead, ev["end"] + test.lag
    variants: list[bursts.BurstRateRatio] = []
    if len(ctx.cov) and "table-bounds" not in ctx.cache:
        ctx.cache["table-bounds"] = gaps.table_bounds(ctx.cov)
    layout = bursts.window_layout(ctx.cov, starts, ends, reference=(win.start, win.end), bounds=ctx.cache["table-bounds"]) if len(ctx.cov) else None
    grade, all_times = items["grade"].to_numpy(dtype=object), items["time"]
    for added, grades in ((None, STRONG), ("bridged", STRONG + ("bridged",)), ("unknown", STRONG + ("bridged", "unknown"))):
        if variants and added is not None and not (grade == added).any():  # no item of that grade: the same result
            variants.append(variants[-1])
            continue
        times = all_times[np.isin(grade, grades)]
        variants.append(bursts.burst_rate_ratio(ctx.cov, times, starts, ends, reference=(win.start, win.end), conf=rules.conf,
                                                null_ratio=test.min_ratio, min_cell_days=rules.min_cell_days, min_blocks=rules.min_blocks,
                                                layout=layout, covered=_covered(ctx, times), p_values=p_values))
    return ev, starts, ends, variants


def _rr_overall(variants: list[bursts.BurstRateRatio], min_ratio: float) -> tuple[str, list[str]]:
    """A rate ratio's verdict, and each fit's (none without covered days on both sides): one verdict, or inconclusive
    where the bridged items or the unnamed ends change it."""
    e = variants[0].exact
    if e.t1 <= 0 or e.t0 <= 0:
        return "inconclusive", []
    verdicts = [_rr_verdict(x, min_ratio) for x in variants]
    return (verdicts[0] if len(set(verdicts)) == 1 else "inconclusive"), verdicts


def _rate_ratio_verdict(ctx: Context, claim: Any, items: pd.DataFrame, win: Window) -> str:
    """:func:`_rate_ratio`'s verdict alone (drawn from the intervals: no p-value is computed)."""
    return _rr_overall(_rr_fits(ctx, claim, items, win, p_values=False)[3], claim.test.min_ratio)[0]


def _rate_ratio(ctx: Context, claim: Any, items: pd.DataFrame, win: Window) -> Outcome:
    test, rules = claim.test, ctx.rules
    ev, starts, ends, variants = _rr_fits(ctx, claim, items, win)
    r, e = variants[0], variants[0].exact
    verdict, verdicts = _rr_overall(variants, test.min_ratio)
    if e.t1 <= 0 or e.t0 <= 0:
        side = "inside the event windows" if e.t1 <= 0 else "outside the event windows"
        reason = f"no rate ratio: no covered day {side} within the claim's window"
        if win.uncovered > 0:
            reason += f" ({win.uncovered_text})"
        return Outcome("inconclusive", reason, f"{e.n1} in {fmt_n(e.t1)} covered window days, {e.n0} in {fmt_n(e.t0)} other covered days", math.nan, items)
    base = f"{_rr_text(r)}; {r.text()}; claimed ratio > {test.min_ratio:g}"
    if len(set(verdicts)) > 1:
        base += f"; with bridged: CI {variants[1].ci_low:.2f}–{variants[1].ci_high:.2f} ({verdicts[1]}); with unnamed ends too: CI {variants[2].ci_low:.2f}–{variants[2].ci_high:.2f} ({verdicts[2]})"
    elif verdict == "inconclusive" and not math.isnan(r.ci_low):
        base += " lies inside the interval"
    windows = pd.DataFrame({"event_id": ev["id"].to_numpy(dtype=object), "window_start": starts.to_numpy(), "window_end": ends.to_numpy()})
    per = _event_ratios(ctx, items.loc[items["grade"].isin(STRONG), "time"], windows, win, rules.conf)
    base += f"; {_per_event_text(per)}"
    if win.uncovered > 0:
        base += f"; uncovered days left out of both sides ({win.uncovered_text})"
    where = f"{claim.subject.unit} in windows start−{fmt_n(test.lead.total_seconds() / 86400)}d … end+{fmt_n(test.lag.total_seconds() / 86400)}d within the claim window; observed/inferred only"
    rows = [burst_row("rate_ratio", claim.id, tuple(ev["id"]), r, note=f"p tests ratio {test.min_ratio:g}; {where}"),
            *event_rows(claim.id, per, note=where)]
    return Outcome(verdict, base, _rr_text(r), r.ratio, items, statistic=rows)


def stat_row(test: str, claim_id: str, event_ids: tuple[str, ...], r: st.RateRatioResult, *, note: str) -> dict[str, Any]:
    """A row of the statistics table for an exact (Poisson) rate ratio."""
    return {
        "test": test, "claim_id": claim_id, "event_ids": ",".join(event_ids), "observed": r.rate1,
        "expected": r.rate0 * r.t1 if r.t1 > 0 else math.nan, "baseline": r.rate0, "ratio": r.ratio,
        "ci_low": r.ci_low, "ci_high": r.ci_high, "p_value": r.p_value, "n_shifts": math.nan, "seed": math.nan,
        "n1": float(r.n1), "t1": r.t1, "n0": float(r.n0), "t0": r.t0, "exact_ci_low": r.ci_low, "exact_ci_high": r.ci_high,
        "note": f"observed and baseline are events per covered day; expected = baseline × t1; exact conditional CI ({r.conf:.0%}, Clopper–Pearson); p: two-sided exact test of ratio 1; {note}",
    }


def burst_row(test: str, claim_id: str, event_ids: tuple[str, ...], r: bursts.BurstRateRatio, *, note: str) -> dict[str, Any]:
    """A row of the statistics table for a rate ratio that allows for bursts (:class:`~flighttrace.kinds.sorties.bursts.BurstRateRatio`)."""
    row = stat_row(test, claim_id, event_ids, r.exact, note="")
    nb = r.nb
    row.update(
        ci_low=r.ci_low, ci_high=r.ci_high, p_value=r.p_value, nb_ci_low=nb.ci_low, nb_ci_high=nb.ci_high, nb_alpha=nb.alpha,
        dispersion=nb.phi, exact_p=r.exact_p, nb_p=nb.p_value,
        note=(f"observed and baseline are events per covered day; expected = baseline × t1; ci: the hull of the exact conditional "
              f"interval ({r.exact.conf:.0%}, Clopper–Pearson: exact_ci_*) and the negative-binomial one over monthly blocks (nb_ci_*); "
              f"p: the larger of the exact and the negative-binomial two-sided tests; dispersion: Pearson variance/mean of the monthly "
              f"blocks; nb_alpha: NB2 dispersion" + ("" if nb.fitted else f" (not fitted: {nb.note})") + f"; {note}"),
    )
    return row


def event_rows(claim_id: str, per: pd.DataFrame, *, note: str) -> list[dict[str, Any]]:
    """Rows of the statistics table for each event window on its own (:func:`~flighttrace.kinds.sorties.bursts.event_rate_ratios`)."""
    rows = []
    for r in per.itertuples():  # one per event
        days, base = as_float(r.days_covered), as_float(r.baseline_rate)
        rows.append({
            "test": "rate_ratio_event", "claim_id": claim_id, "event_ids": str(r.event_id), "observed": r.rate,
            "expected": base * days if days > 0 else math.nan, "baseline": r.baseline_rate,
            "ratio": r.ratio, "ci_low": r.ci_low, "ci_high": r.ci_high, "p_value": math.nan, "n_shifts": math.nan, "seed": math.nan,
            "n1": as_float(r.n), "t1": r.days_covered, "n0": as_float(r.n0), "t0": r.t0, "exact_ci_low": r.ci_low, "exact_ci_high": r.ci_high,
            "note": (f"this event's window alone against the covered days outside every window; exact conditional CI; an estimate, not a "
                     f"test of its own (it is part of the pooled rate ratio), so no p-value; {note}"),
        })
    return rows



JUDGES: Final[dict[str, Judge]] = {
    "count_at_least": Judge(items, _count),
    "count_at_most": Judge(items, _count),
    "count_between": Judge(items, _count),
    "ground_time": Judge(items, _ground_time),
    "destinations_within": Judge(items, _destinations),
    "mean_interval": Judge(items, _mean_interval),
    "rate_ratio": Judge(items, _rate_ratio),
}
"""The claim tests of the ``sorties`` kind (:mod:`flighttrace.kinds.sorties.spec`) and their rules."""

VERDICT_RULES: Final[dict[str, Callable[[Context, Any, pd.DataFrame, Window], str]]] = {
    "count_at_least": _count_verdict,
    "count_at_most": _count_verdict,
    "count_between": _count_verdict,
    "rate_ratio": _rate_ratio_verdict,
}
"""The verdict alone of the :data:`JUDGES` rules whose words cost most to write (the robustness panel re-runs them
many times and keeps only the verdict: :mod:`flighttrace.claims.robustness`)."""
