"""Every test run, and a correction for their number.

Run twenty tests at the 5 % level and one will come out "significant" by
chance. Every row of the statistics table with a p-value is a test run:
the claims' rate ratios, the scenario-wide rate ratio and the permutation
tests (each event window's own ratio is an estimate with an interval, a part
of its pooled test, and carries no p-value), and the disruption kind's tests:
a count's excess over the baseline weeks and each field's closure test
(:mod:`flighttrace.kinds.disruption.stats`). :func:`adjust` corrects their p-values
together (Holm–Bonferroni by default, or Benjamini–Hochberg), :func:`tests_table`
lists them, and :func:`enforce` keeps a claim's verdict only when its own
test survives the correction.
"""

from __future__ import annotations

from typing import Any, Final

import numpy as np
import pandas as pd

from flighttrace.cells import none_where
from flighttrace.claims.context import ASSUMED
from flighttrace.claims.plain import undecided
from flighttrace.numfmt import fmt_count, fmt_days, fmt_n, fmt_number, fmt_p, fmt_p_is, fmt_ratio

__all__ = ["METHODS", "OWN_TESTS", "TESTS_COLUMNS", "adjust", "holm", "enforce", "tests_table"]

OWN_TESTS: Final[tuple[str, ...]] = ("rate_ratio", "baseline_excess", "closure")
"""Tests a claim's verdict can rest on (a row with the claim's ``claim_id`` and one of these names)."""

METHODS: Final[dict[str, str]] = {"holm": "Holm–Bonferroni", "fdr_bh": "Benjamini–Hochberg", "bonferroni": "Bonferroni"}
"""The corrections :func:`adjust` knows, by the name :func:`statsmodels.stats.multitest.multipletests` gives them."""

TESTS_COLUMNS: Final[tuple[str, ...]] = ("test", "claim_id", "event_ids", "statistic", "p_value", "p_adjusted", "method", "n_tests", "significant")
"""Columns of the ``tests`` table."""


def holm(p: np.ndarray) -> np.ndarray:
    """Holm–Bonferroni adjusted p-values: the ``k``-th smallest of ``m`` times ``m − k + 1``, made non-decreasing, at most 1.

    The same steps as :func:`statsmodels.stats.multitest.multipletests` with
    ``method="holm"``, which also runs a full garbage collection (on a
    report's heap, with the collector paused, a fifth of a second).

    Parameters
    ----------
    p
        p-values (finite).

    Returns
    -------
    numpy.ndarray
        The adjusted p-values, in the order given.
    """
    p = np.asarray(p, dtype=float)
    order = np.argsort(p)
    adj = np.maximum.accumulate(np.take(p, order) * np.arange(len(p), 0, -1))
    adj[adj > 1] = 1
    out = np.empty_like(adj)
    out[order] = adj
    return out


def adjust(statistics: pd.DataFrame, *, method: str = "holm") -> pd.DataFrame:
    """The statistics table with ``p_adjusted`` and ``adjust_method`` filled for every row with a p-value.

    Parameters
    ----------
    statistics
        The statistics table (:data:`flighttrace.claims.findings.STATISTICS_COLUMNS`).
    method
        ``"holm"``, ``"fdr_bh"`` or ``"bonferroni"``.

    Returns
    -------
    pandas.DataFrame
        A copy; rows without a p-value keep ``p_adjusted`` empty.
    """
    if method not in METHODS:
        raise ValueError(f"unknown multiplicity correction {method!r}; use one of {', '.join(METHODS)}")
    out = statistics.copy()
    p = pd.to_numeric(out["p_value"], errors="coerce").to_numpy(dtype=float) if len(out) else np.zeros(0)
    ok = np.isfinite(p)
    adj = np.full(len(out), np.nan)
    if ok.any() and method == "holm":
        adj[ok] = holm(p[ok])
    elif ok.any():
        from statsmodels.stats.multitest import multipletests

        adj[ok] = multipletests(p[ok], method=method)[1]
    out["p_adjusted"] = adj
    out["adjust_method"] = none_where(~ok, np.full(len(ok), METHODS[method], dtype=object))
    return out


def _statistic_text(r: Any) -> str:
    """The statistic of a test in words, its numbers written with :mod:`flighttrace.numfmt`."""
    if str(r.test).startswith("rate_ratio"):
        return f"RR {fmt_ratio(r.ratio)} ({fmt_count(r.n1)} in {fmt_days(r.t1)} vs {fmt_count(r.n0)} in {fmt_days(r.t0)})"
    if str(r.test).startswith("permutation"):
        return f"{fmt_number(r.observed)} observed vs {fmt_number(r.expected)} expected ({fmt_n(r.n_shifts, 'draw')})"
    if r.test == "baseline_excess":
        return f"{fmt_number(r.observed)} seen vs {fmt_number(r.expected)} on ordinary days ({fmt_n(r.n0, 'baseline week')})"
    if r.test == "closure":
        return f"{r.event_ids}: no movement where {fmt_number(r.expected)} were expected ({fmt_number(r.baseline)} a day)"
    return fmt_number(r.observed)


def tests_table(statistics: pd.DataFrame, *, alpha: float = 0.05) -> pd.DataFrame:
    """Every test run: its name, claim, statistic, p-value and corrected p-value.

    Parameters
    ----------
    statistics
        The statistics table after :func:`adjust`.
    alpha
        The level ``significant`` compares the corrected p-value with.

    Returns
    -------
    pandas.DataFrame
        :data:`TESTS_COLUMNS`, one row per row of ``statistics`` with a p-value.
    """
    st = statistics[pd.to_numeric(statistics["p_value"], errors="coerce").notna()] if len(statistics) else statistics
    n = len(st)
    out = pd.DataFrame({
        "test": st["test"].astype(object).to_numpy(), "claim_id": st["claim_id"].astype(object).to_numpy(),
        "event_ids": st["event_ids"].astype(object).to_numpy(), "statistic": [_statistic_text(r) for r in st.itertuples()],
        "p_value": st["p_value"].astype(float).to_numpy(), "p_adjusted": st["p_adjusted"].astype(float).to_numpy(),
        "method": st["adjust_method"].astype(object).to_numpy(), "n_tests": np.full(n, n, dtype=np.int64),
    }, columns=list(TESTS_COLUMNS[:-1]))
    out["significant"] = out["p_adjusted"].to_numpy(dtype=float) < alpha
    return out.reset_index(drop=True)


def enforce(claims: pd.DataFrame, statistics: pd.DataFrame, *, alpha: float = 0.05) -> pd.DataFrame:
    """Keep a claim's verdict only when the tests it rests on survive the correction.

    A claim with tests of its own (rows of ``statistics`` with its
    ``claim_id`` and a test of :data:`OWN_TESTS`) that is ``supported`` or
    ``contradicted`` becomes ``inconclusive`` when any of their corrected
    p-values is ``alpha`` or more; every such claim's reason gives the
    p-values and the corrected ones (several, by field, for a closure of
    several fields).

    Parameters
    ----------
    claims
        The claims table.
    statistics
        The statistics table after :func:`adjust`.
    alpha
        The level (1 − the confidence level of the intervals).

    Returns
    -------
    pandas.DataFrame
        A copy of ``claims``.
    """
    out = claims.copy()
    if len(statistics) == 0 or len(out) == 0:
        return out
    n_tests = int(pd.to_numeric(statistics["p_adjusted"], errors="coerce").notna().sum())
    own = statistics[statistics["test"].isin(OWN_TESTS) & (statistics["claim_id"].astype(str) != "")]
    own = own[pd.to_numeric(own["p_adjusted"], errors="coerce").notna()].drop_duplicates(["claim_id", "test", "event_ids"])
    by_claim = {cid: g for cid, g in own.groupby("claim_id", sort=False)}
    for i, cid in zip(out.index, out["claim_id"], strict=True):  # one per claim; only those with a test of their own change
        if cid not in by_claim:
            continue
        g = by_claim[cid]
        p, q = g["p_value"].astype(float).to_numpy(), g["p_adjusted"].astype(float).to_numpy()
        if len(g) == 1:
            ps, qs = fmt_p_is(p[0]), fmt_p(q[0])
        else:  # one per field: name each
            names = g["event_ids"].astype(str).to_numpy()
            ps = "p = " + ", ".join(f"{n} {fmt_p(x)}" for n, x in zip(names, p, strict=True))
            qs = ", ".join(f"{n} {fmt_p(x)}" for n, x in zip(names, q, strict=True))
        note = f"{ps}; corrected for the {n_tests} tests run ({str(g['adjust_method'].iloc[0])}): {qs}"
        reason, tail = str(out.at[i, "reason"]), ""
        if reason.endswith(ASSUMED):  # the assumed-coverage note stays last
            reason, tail = reason[: -len(ASSUMED)].rstrip("; "), f"; {ASSUMED}"
        if out.at[i, "verdict"] in ("supported", "contradicted") and float(q.max()) >= alpha:
            out.at[i, "reason"] = f"{reason}; {str(out.at[i, 'verdict'])} on its own, but not after the correction ({note} ≥ {alpha:g}){tail}"
            if "plain" in out.columns:  # the plain words follow the verdict
                out.at[i, "plain"] = undecided(f"{str(out.at[i, 'verdict'])} on its own, but not once the {n_tests} tests run are allowed for")
            out.at[i, "verdict"] = "inconclusive"
        else:
            out.at[i, "reason"] = f"{reason}; {note}{tail}"
    return out
