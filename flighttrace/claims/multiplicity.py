"""Every test run, and a correction for their number.

Run twenty tests at the 5 % level and one will come out "significant" by
chance. Every row of the statistics table with a p-value is a test run:
the claims' rate ratios, the scenario-wide rate ratio and the permutation
tests (each event window's own ratio is an estimate with an interval, a part
of its pooled test, and carries no p-value). :func:`adjust` corrects their p-values
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
from flighttrace.numfmt import fmt_count, fmt_days, fmt_n, fmt_number, fmt_p, fmt_p_is, fmt_ratio

__all__ = ["METHODS", "TESTS_COLUMNS", "adjust", "enforce", "tests_table"]

METHODS: Final[dict[str, str]] = {"holm": "Holm–Bonferroni", "fdr_bh": "Benjamini–Hochberg", "bonferroni": "Bonferroni"}
"""The corrections :func:`adjust` knows, by the name :func:`statsmodels.stats.multitest.multipletests` gives them."""

TESTS_COLUMNS: Final[tuple[str, ...]] = ("test", "claim_id", "event_ids", "statistic", "p_value", "p_adjusted", "method", "n_tests", "significant")
"""Columns of the ``tests`` table."""


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
    if ok.any():
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
    """Keep a claim's verdict only when its own test survives the correction.

    A claim with a test of its own (a row of ``statistics`` with its
    ``claim_id`` and the test ``rate_ratio``) that is ``supported`` or
    ``contradicted`` becomes ``inconclusive`` when the corrected p-value is
    ``alpha`` or more; every such claim's reason gives the corrected p-value.

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
    own = statistics[(statistics["test"] == "rate_ratio") & (statistics["claim_id"].astype(str) != "")]
    own = own[pd.to_numeric(own["p_adjusted"], errors="coerce").notna()].drop_duplicates("claim_id").set_index("claim_id")
    for i, cid in zip(out.index, out["claim_id"], strict=True):  # one per claim; only those with a test of their own change
        if cid not in own.index:
            continue
        s = own.loc[cid]
        note = f"{fmt_p_is(s['p_value'])}; corrected for the {n_tests} tests run ({str(s['adjust_method'])}): {fmt_p(s['p_adjusted'])}"
        reason, tail = str(out.at[i, "reason"]), ""
        if reason.endswith(ASSUMED):  # the assumed-coverage note stays last
            reason, tail = reason[: -len(ASSUMED)].rstrip("; "), f"; {ASSUMED}"
        if out.at[i, "verdict"] in ("supported", "contradicted") and s["p_adjusted"] >= alpha:
            out.at[i, "reason"] = f"{reason}; {str(out.at[i, 'verdict'])} on its own, but not after the correction ({note} ≥ {alpha:g}){tail}"
            out.at[i, "verdict"] = "inconclusive"
        else:
            out.at[i, "reason"] = f"{reason}; {note}{tail}"
    return out
