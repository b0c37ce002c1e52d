"""Claim verdicts: every claim of a scenario tested against the legs, the kinds' tables and the coverage.

:func:`evaluate` takes the legs detected in the data and a scenario and returns
:class:`~flighttrace.claims.findings.Findings`: a verdict for every claim
(``supported``, ``contradicted`` or ``inconclusive``) with its reason, the
observed and expected values and the evidence (sortie and leg ids, down to
``src_file`` / ``src_row`` ranges), the statistics and the coverage table, and
what each scenario kind the scenario needs found (:mod:`flighttrace.kinds`).

Each claim's test belongs to a kind, which says which items the claim counts
and how they are judged (:class:`~flighttrace.claims.context.Judge`); this
module only runs them. The rules are written out in ``docs/verdicts.md``. In
short: only ``observed`` and ``inferred`` ends count as evidence for or
against a figure; ``bridged`` ends and legs whose end names no field can only
make a verdict ``inconclusive``; the claim's ``record`` (published,
second-hand, unconfirmed, disputed) is reported alongside and never changes
the verdict.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from flighttrace.claims import coverage as cv
from flighttrace.claims import multiplicity, robustness
from flighttrace.claims.context import ASSUMED, Context, Judged, Outcome, empty_evidence, empty_items, grade_counts
from flighttrace.claims.detection import Detection, fleet_visibility_table, visibility_of
from flighttrace.claims.findings import CLAIMS_COLUMNS, EVIDENCE_COLUMNS, STATISTICS_COLUMNS, Findings
from flighttrace.claims.prereg import resolve_lead_lag
from flighttrace.claims.rules import VerdictRules
from flighttrace.kinds import kind_module, kind_of_test, kinds_of
from flighttrace.schema import TIME_DTYPE

__all__ = ["evaluate"]


def _judge(ctx: Context, claim: Any) -> Judged:
    """Apply the claim's test; never raises for a claim the data cannot answer."""
    start, end = ctx.scenario.claim_window(claim)
    win = robustness.window_of(ctx, claim, start, end, record=True)  # a claim the data cannot evaluate says so below; its detection is unknown
    det = win.detect
    judge = kind_module(kind_of_test(claim.test.kind), "claims").JUDGES[claim.test.kind]
    try:
        items = judge.items(ctx, claim, start, end)
        out = judge.judge(ctx, claim, items, win)
    except (ValueError, KeyError) as exc:
        msg = str(exc.args[0]) if exc.args else repr(exc)
        out = Outcome("inconclusive", f"cannot evaluate: {msg}", "", math.nan, empty_items())
    reason = out.reason + (f"; {ASSUMED}" if ctx.assumed else "")
    o, i, b, u = grade_counts(out.items)
    it = out.items
    row = {
        "claim_id": claim.id, "statement": claim.statement, "source": claim.source, "record": claim.record,
        "test": claim.test.kind, "expected": claim.test.describe(), "observed": out.observed, "verdict": out.verdict,
        "reason": reason, "n_observed": o, "n_inferred": i, "n_bridged": b, "window_start": start, "window_end": end,
        "days_in_window": win.days, "days_uncovered": win.uncovered, "evidence": ";".join(str(x) for x in it["item_id"]),
        "unit": claim.subject.unit, "value": out.value, "n_unknown": u,
        "p_detect": det.p if out.p_detect is None else out.p_detect, "fleet_heard": det.fleet_heard,
        "detect_note": det.missing, "plain": out.plain or default_plain(out, det),
    }
    evidence = pd.DataFrame(
        {
            "claim_id": np.full(len(it), claim.id, dtype=object),
            "item_id": it["item_id"].to_numpy(dtype=object),
            "kind": it["kind"].to_numpy(dtype=object),
            "grade": it["grade"].to_numpy(dtype=object),
            "time": it["time"].astype(TIME_DTYPE).array,
            "airport": it["airport"].to_numpy(dtype=object),
            "lineage": it["lineage"].to_numpy(dtype=object),
            "legs": it["legs"].to_numpy(dtype=object),
            "detail": it["detail"].to_numpy(dtype=object),
        }
    )
    return Judged(claim, row, evidence, out.statistic, out.intervals)


def default_plain(out: Outcome, det: Detection) -> str:
    """Plain words for a verdict whose test gave none: what was seen, and what the data could have seen."""
    from flighttrace.claims import plain

    if out.verdict == "supported":
        return plain.seen(out.observed or out.reason)
    if out.verdict == "contradicted":
        return plain.seen_otherwise(out.reason)
    if det.missing and not det.p >= 0.95:
        return plain.could_not_see(det.missing)
    return plain.undecided(out.reason)


def _is_dataset(x: Any) -> bool:
    return hasattr(x, "points") and hasattr(x, "manifest")


def _coverage_table(coverage: Any, legs: pd.DataFrame, scenario: Any, report_tz: str | None) -> tuple[pd.DataFrame, str]:
    if coverage is None:
        tz = cv.resolve_tz(report_tz)
        return cv.assumed_coverage(legs, report_tz=tz), tz
    if isinstance(coverage, pd.DataFrame) and report_tz is None:
        cov = cv.check_coverage(coverage)
    else:
        cov = cv.coverage(coverage, scenario, report_tz=report_tz)
    return cov, (cov["tz"].iloc[0] if len(cov) else cv.resolve_tz(report_tz))


def _claims_table(judged: list[Judged]) -> pd.DataFrame:
    claims_df = pd.DataFrame([j.row for j in judged], columns=list(CLAIMS_COLUMNS))
    for c in ("window_start", "window_end"):
        claims_df[c] = claims_df[c].astype(TIME_DTYPE)
    for c in ("n_observed", "n_inferred", "n_bridged", "n_unknown"):
        claims_df[c] = claims_df[c].astype(np.int64)
    for c in ("days_in_window", "days_uncovered", "value", "p_detect"):
        claims_df[c] = claims_df[c].astype(float)
    claims_df["fleet_heard"] = claims_df["fleet_heard"].astype(np.int64)
    return claims_df


def evaluate(
    legs: pd.DataFrame,
    scenario: Any,
    *,
    coverage: Any = None,
    points: pd.DataFrame | None = None,
    report_tz: str | None = None,
    rules: VerdictRules | None = None,
    synthetic: bool | None = None,
    given: Mapping[str, Any] | None = None,
) -> Findings:
    """Test every claim of a scenario and compute what each of its kinds adds.

    Parameters
    ----------
    legs
        :func:`flighttrace.detect_legs` output (all aircraft; the fleet is
        picked with each claim's selector).
    scenario
        The :class:`~flighttrace.scenario.Scenario`.
    coverage
        A :class:`~flighttrace.io.api.Dataset` (its coverage is computed) or
        a coverage table (:func:`flighttrace.coverage`). Without it the span
        of the legs is *assumed* covered, and every claim's reason says so.
    points
        The Points table the legs were detected from (default: the
        Dataset's, when ``coverage`` is one). The disruption measures need it
        for holding, approaches and go-arounds.
    report_tz
        IANA zone of the day, week and month bins; default UTC (or the zone
        of a given coverage table).
    rules
        Thresholds (:class:`~flighttrace.claims.rules.VerdictRules`),
        including the widening of the event windows (``lead``, ``lag``) and
        the permutation test's ``seed``.
    synthetic
        Whether the data is synthetic; default: from the Dataset, else the
        scenario's ``meta.synthetic``.
    given
        Tables computed already, by name, for the kinds to use instead of
        their own: ``"sorties"`` (:func:`flighttrace.find_sorties` output;
        default: computed per route and fleet a claim names),
        ``"disruption"`` (:func:`flighttrace.kinds.disruption.analysis.analyze`
        output).

    Returns
    -------
    Findings
    """
    rules = rules or VerdictRules()
    cov, tz = _coverage_table(coverage, legs, scenario, report_tz)
    if synthetic is None:
        synthetic = bool(coverage.synthetic) if _is_dataset(coverage) else bool(scenario.meta.synthetic)
    if points is None and _is_dataset(coverage):
        points = coverage.points
    ctx = Context(scenario, legs, cov, rules, assumed=coverage is None, points=points, given=dict(given or {}), tz=tz)
    judged = [_judge(ctx, claim) for claim in scenario.claims]  # one per claim
    evidence = [j.evidence for j in judged if len(j.evidence)]
    ev = pd.concat(evidence, ignore_index=True) if evidence else empty_evidence()
    ev["time"] = ev["time"].astype(TIME_DTYPE)
    found = {kind: kind_module(kind, "findings").analyze(ctx, judged) for kind in kinds_of(scenario)}
    vis = visibility_of(ctx)
    kind_stats = [row for f in found.values() for row in f.statistics_rows()]
    claim_stats = [row for j in judged if j.statistic is not None for row in (j.statistic if isinstance(j.statistic, list) else [j.statistic])]
    statistics = multiplicity.adjust(pd.DataFrame([*kind_stats, *claim_stats], columns=list(STATISTICS_COLUMNS)), method=rules.multiplicity)
    panel = robustness.panel(ctx, judged) if rules.robustness else robustness.empty_panel()
    claims_df = multiplicity.enforce(robustness.mark(_claims_table(judged), panel), statistics, alpha=1.0 - rules.conf)
    deviation = resolve_lead_lag(scenario, rules.lead, rules.lag)[2]
    return Findings(
        claims=claims_df,
        evidence=ev[list(EVIDENCE_COLUMNS)].reset_index(drop=True),
        statistics=statistics,
        coverage=cov,
        tz=tz,
        synthetic=bool(synthetic),
        warnings=((ASSUMED,) if coverage is None else ()) + ((deviation,) if deviation else ()),
        kinds=found,
        tests=multiplicity.tests_table(statistics, alpha=1.0 - rules.conf),
        robustness=panel,
        visibility={"gates": vis.heard, "fleet_visibility": fleet_visibility_table(ctx)},
    )
