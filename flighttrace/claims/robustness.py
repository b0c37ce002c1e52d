"""The robustness panel: every verdict re-run with the choices behind it moved a little.

A verdict can rest on a choice we made (where a window ends, where a band
edge lies, how wide the weeks around an event are) or on a single stay. The
panel re-runs each claim's test, with the same data and rule, under small
changes; a verdict that any change flips is marked ``fragile``, with what
flips it. The changes (amounts from :class:`~flighttrace.claims.rules.VerdictRules`):

* **window edges**: the start and the end each moved earlier and later by
  ``min(robust_days, robust_share × window length)``; for a rate ratio, the
  event windows' lead and lag each moved by ``robust_days`` instead (the
  claim's own window is then only the span compared);
* **band edges**: each edge of a band moved down and up by ``band_share`` of
  its value (ground time, mean interval, closure length, the rate ratio's
  ``min_ratio``; for a count between two figures, each figure by
  ``max(1, round(band_share × figure))``);
* **leave one out**: a ground-time test without its lowest, its middle and its
  highest exact stay (which covers every leave-one-out median exactly, and
  the extremes of the mean); a mean-interval test without each of its items
  in turn (at most ``loo_max``, evenly spread);
* **other lead/lag windows**: a rate ratio with each pair of
  ``lead_lag_alternatives`` other than its own.

The correction for the number of tests (:mod:`flighttrace.claims.multiplicity`)
is applied once, to the verdicts shown; the panel compares the rule's own
verdicts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import pandas as pd

from flighttrace.claims.context import STRONG, Context, Judged, Window
from flighttrace.claims.daytable import day_table
from flighttrace.timeutil import time_ns

__all__ = ["ROBUSTNESS_COLUMNS", "Variant", "empty_panel", "mark", "panel", "variants", "window_of"]

ROBUSTNESS_COLUMNS: Final[tuple[str, ...]] = ("claim_id", "variant", "change", "verdict", "original", "flips")
"""Columns of the ``robustness`` table (one row per claim and change)."""

TIME_FILTERED: Final[frozenset[str]] = frozenset({"sorties"})
"""Kinds whose items depend on a window only through their times (they are listed once and filtered per change)."""

LOO_MAX: Final = 60
"""Most items a mean-interval test is re-run without, one at a time."""


@dataclass(frozen=True)
class Variant:
    """One change of a claim's test: its name, what changed, the claim to run, its window, and items to leave out."""

    name: str
    change: str
    claim: Any
    start: pd.Timestamp
    end: pd.Timestamp
    drop: tuple[str, ...] = ()


def empty_panel() -> pd.DataFrame:
    """An empty robustness table."""
    return pd.DataFrame({c: pd.Series([], dtype=bool if c == "flips" else object) for c in ROBUSTNESS_COLUMNS})


def window_of(ctx: Context, claim: Any, start: pd.Timestamp, end: pd.Timestamp, *, record: bool = False) -> Window:
    """The :class:`~flighttrace.claims.context.Window` of ``[start, end)`` with its detection, as the engine builds it.

    A window is built once per evaluation for each subject, test and span
    (``ctx.cache``): its detection depends on the claim only through them (the
    gates, the fleet), never on the figures a change of the test moves. With
    ``record`` (the engine's own window of a claim), the claim's rows are also
    added to the fleet table and the window is built anew.
    """
    from flighttrace.claims.detection import measured_detection

    key = ("window", claim.test.kind, repr(claim.subject), getattr(claim.test, "airport", None), pd.Timestamp(start), pd.Timestamp(end))
    if record or key not in ctx.cache:
        days, uncovered, text = day_table(ctx).summary(start, end)  # cv.window_summary, the table read once
        ctx.cache[key] = Window(start, end, days, uncovered, text, detect=measured_detection(ctx, claim, start, end, record=record))
    return ctx.cache[key]


def _days(td: pd.Timedelta) -> str:
    d = td.total_seconds() / 86400.0
    return f"{d:g} d" if d >= 1 else f"{td.total_seconds() / 3600.0:g} h"


def _with_test(claim: Any, **update: Any) -> Any:
    return claim.model_copy(update={"test": claim.test.model_copy(update=update)})


def _band_variants(claim: Any, start: pd.Timestamp, end: pd.Timestamp, share: float) -> list[Variant]:
    test, out = claim.test, []
    fields = {"ground_time": ("min", "max"), "mean_interval": ("min", "max"), "count_between": ("min", "max"),
              "closure": ("min_duration", "max_duration"), "rate_ratio": ("min_ratio",)}.get(test.kind, ())
    for f in fields:
        v = getattr(test, f)
        if v is None:
            continue
        for sign, word in ((-1, "down"), (1, "up")):
            if isinstance(v, pd.Timedelta):
                new: Any = v * (1 + sign * share)
                text = f"{f} {_days(v)} → {_days(new)}"
            elif isinstance(v, (int, np.integer)) and not isinstance(v, bool):
                new = int(v) + sign * max(1, round(share * int(v)))
                if new < 0:
                    continue
                text = f"{f} {v} → {new}"
            else:
                new = float(v) * (1 + sign * share)
                text = f"{f} {v:g} → {new:.3g}"
            trial = _with_test(claim, **{f: new})
            lo = getattr(trial.test, "min", None) if f in ("min", "max") else getattr(trial.test, "min_duration", None)
            hi = getattr(trial.test, "max", None) if f in ("min", "max") else getattr(trial.test, "max_duration", None)
            if lo is not None and hi is not None and lo > hi:
                continue
            out.append(Variant(f"band {f} {word}", text, trial, start, end))
    return out


def _loo_variants(claim: Any, start: pd.Timestamp, end: pd.Timestamp, items: pd.DataFrame) -> list[Variant]:
    test = claim.test
    if test.kind == "ground_time":
        ex = items[items["gt_s"].notna()].sort_values(["gt_s", "item_id"], kind="stable")
        if len(ex) < 2:
            return []
        picks = {"lowest": 0, "middle": (len(ex) - 1) // 2, "highest": len(ex) - 1}
        out = []
        for word, k in picks.items():
            r = ex.iloc[k]
            out.append(Variant(f"without the {word} stay", f"without {r['item_id']} ({r['gt_s'] / 3600:.2f} h, the {word} exact stay)", claim, start, end, (str(r["item_id"]),)))
        return out
    if test.kind == "mean_interval":
        strong = items[items["grade"].isin(STRONG)]
        if len(strong) < 3:
            return []
        idx = np.unique(np.linspace(0, len(strong) - 1, min(len(strong), LOO_MAX)).round().astype(int))
        return [Variant(f"without item {k + 1}", f"without {strong.iloc[k]['item_id']} ({strong.iloc[k]['time']:%Y-%m-%d %H:%M} UTC)", claim, start, end,
                        (str(strong.iloc[k]["item_id"]),)) for k in idx]
    return []


def _window_variants(ctx: Context, claim: Any, start: pd.Timestamp, end: pd.Timestamp) -> list[Variant]:
    rules, test = ctx.rules, claim.test
    out = []
    if test.kind == "rate_ratio":
        d = pd.Timedelta(days=rules.robust_days)
        for f in ("lead", "lag"):
            v = pd.Timedelta(getattr(test, f))
            for sign, word in ((-1, "shorter"), (1, "longer")):
                new = v + sign * d
                if new < pd.Timedelta(0):
                    continue
                out.append(Variant(f"{f} {word}", f"event windows' {f} {_days(v)} → {_days(new)}", _with_test(claim, **{f: new}), start, end))
        from flighttrace.scenario import parse_duration

        own = (pd.Timedelta(test.lead), pd.Timedelta(test.lag))
        for lead, lag in rules.lead_lag_alternatives:
            pair = (parse_duration(lead), parse_duration(lag))
            if pair != own:
                out.append(Variant(f"lead/lag {lead}/{lag}", f"event windows start − {lead} … end + {lag} (instead of − {_days(own[0])} … + {_days(own[1])})",
                                   _with_test(claim, lead=pair[0], lag=pair[1]), start, end))
        return out
    d = min(pd.Timedelta(days=rules.robust_days), (end - start) * rules.robust_share)
    if d <= pd.Timedelta(0):
        return out
    for name, s, e in (("start earlier", start - d, end), ("start later", start + d, end), ("end earlier", start, end - d), ("end later", start, end + d)):
        edge = "start" if name.startswith("start") else "end"
        out.append(Variant(name, f"window {edge} moved {_days(d)} {name.split()[1]}", claim, s, e))
    return out


def variants(ctx: Context, claim: Any, start: pd.Timestamp, end: pd.Timestamp, items: pd.DataFrame) -> list[Variant]:
    """Every change the panel runs for one claim (see the module notes)."""
    return [*_window_variants(ctx, claim, start, end), *_band_variants(claim, start, end, ctx.rules.band_share), *_loo_variants(claim, start, end, items)]


def _claim_rows(ctx: Context, j: Judged) -> list[dict[str, Any]]:
    """The panel's rows of one claim: each change, its verdict, and whether it flips."""
    from flighttrace.kinds import kind_module, kind_of_test

    claim, row = j.claim, j.row
    kind = kind_of_test(claim.test.kind)
    module = kind_module(kind, "claims")
    judge = module.JUDGES[claim.test.kind]
    rule = getattr(module, "VERDICT_RULES", {}).get(claim.test.kind)  # the verdict alone, where the kind gives it
    start, end = pd.Timestamp(row["window_start"]), pd.Timestamp(row["window_end"])
    pad = max(pd.Timedelta(days=ctx.rules.robust_days), (end - start) * ctx.rules.robust_share)
    whole = judge.items(ctx, claim, start - pad, end + pad) if kind in TIME_FILTERED else None
    ordered = _sorted_times(whole) if whole is not None else None
    items_of: dict[tuple[pd.Timestamp, pd.Timestamp], pd.DataFrame] = {}

    def items(s: pd.Timestamp, e: pd.Timestamp) -> pd.DataFrame:
        if (s, e) not in items_of:
            if whole is not None and ordered is not None:  # items in time order: the window's are one run of rows
                lo, hi = np.searchsorted(ordered, [pd.Timestamp(s).value, pd.Timestamp(e).value], side="left")
                items_of[(s, e)] = whole.iloc[lo:hi].reset_index(drop=True)
            elif whole is not None:  # the kind's items depend on the window only through their times
                t = whole["time"]
                items_of[(s, e)] = whole[(t >= s) & (t < e)].reset_index(drop=True)
            else:
                items_of[(s, e)] = judge.items(ctx, claim, s, e)
        return items_of[(s, e)]

    rows = []
    for v in variants(ctx, claim, start, end, items(start, end)):  # a handful of changes per claim
        it = items(v.start, v.end)
        if v.drop:
            it = it[~it["item_id"].astype(str).isin(v.drop)].reset_index(drop=True)
        win = window_of(ctx, v.claim, v.start, v.end)
        try:
            verdict = rule(ctx, v.claim, it, win) if rule is not None else judge.judge(ctx, v.claim, it, win).verdict
        except (ValueError, KeyError, TypeError) as exc:  # a change the test cannot take is reported, not raised
            verdict = f"not evaluated ({type(exc).__name__})"
        rows.append({"claim_id": claim.id, "variant": v.name, "change": v.change, "verdict": verdict, "original": row["verdict"],
                     "flips": verdict != row["verdict"] and not verdict.startswith("not evaluated")})
    return rows


def _sorted_times(items: pd.DataFrame) -> np.ndarray | None:
    """The items' times as int64 UTC nanoseconds when they are in time order without a missing one (else None)."""
    t = items["time"]
    if not isinstance(t.dtype, pd.DatetimeTZDtype) or t.isna().any():
        return None
    ns = time_ns(t)
    return ns if bool((ns[1:] >= ns[:-1]).all()) else None


def panel(ctx: Context, judged: list[Judged]) -> pd.DataFrame:
    """Re-run every claim's test under each of its :func:`variants`.

    Parameters
    ----------
    ctx
        The evaluation's context.
    judged
        The claims as judged (their rows carry the original verdict and window).

    Returns
    -------
    pandas.DataFrame
        :data:`ROBUSTNESS_COLUMNS`; ``flips`` is whether the verdict differs from the original.
        A claim that could not be evaluated at all has no row.
    """
    rows = [r for j in judged if not str(j.row["reason"]).startswith("cannot evaluate") for r in _claim_rows(ctx, j)]
    return pd.DataFrame(rows, columns=list(ROBUSTNESS_COLUMNS)) if rows else empty_panel()


def mark(claims: pd.DataFrame, table: pd.DataFrame) -> pd.DataFrame:
    """Add ``robustness`` (``solid``, ``fragile`` or ``not run``) and ``fragile_because`` (what flips it) to the claims table."""
    out = claims.copy()
    rob, why = [], []
    ids, flip = table["claim_id"].to_numpy(dtype=object), table["flips"].to_numpy(dtype=bool)
    change, verdict = table["change"].to_numpy(dtype=object), table["verdict"].to_numpy(dtype=object)
    for cid in out["claim_id"]:  # one per claim
        mine = ids == cid
        flips = mine & flip
        if not mine.any():
            rob.append("not run")
            why.append("")
        elif flips.any():
            rob.append("fragile")
            why.append("; ".join(f"{c} → {v}" for c, v in zip(change[flips], verdict[flips], strict=True)))
        else:
            rob.append("solid")
            why.append("")
    out["robustness"] = np.asarray(rob, dtype=object)
    out["fragile_because"] = np.asarray(why, dtype=object)
    return out
