"""What the report's statistics panels show: the pre-registration stamp, every test run, the robustness panel."""

from __future__ import annotations

from typing import Any

import pandas as pd

from flighttrace.numfmt import fmt_days, fmt_n, fmt_p
from flighttrace.scenario.base import parse_duration

__all__ = ["prereg_context", "robustness_rows", "stamp", "tests_rows"]


def stamp(scn_path: Any, scenario: Any, given: Any = None) -> Any:
    """The pre-registration stamp of a report: the one given (checked against the scenario file), else a new one.

    Call it before any data file is opened.

    Parameters
    ----------
    scn_path
        The scenario file.
    scenario
        The scenario parsed from it.
    given
        A :class:`~flighttrace.claims.prereg.Preregistration` or its
        dictionary (as recorded in ``provenance.json``), or ``None``.

    Raises
    ------
    ValueError
        When the given stamp is of another scenario file (its SHA-256 differs).
    """
    from flighttrace.claims.prereg import Preregistration, preregister

    new = preregister(scn_path, scenario)
    if given is None:
        return new
    old = given if isinstance(given, Preregistration) else Preregistration.from_dict(given)
    if old.sha256 != new.sha256:
        raise ValueError(f"the pre-registration stamp is of another scenario file (SHA-256 {old.sha256}, the file now {new.sha256})")
    return old


def _days(span: Any) -> str:
    """A lead or lag as the stamp records it (``30d``), in words (``30 days``); as it is if it is no duration."""
    try:  # the stamp writes days as the scenario notation does (``30d``, ``1.5d``): read with the scenario's parser
        return fmt_days(parse_duration(span).total_seconds() / 86400)
    except ValueError:
        return str(span)


def prereg_context(prereg: Any) -> dict[str, Any]:
    """The stamp for the page: file, hash, time, windows and deviations."""
    return {"scenario": str(prereg.scenario), "sha256": prereg.sha256, "time_utc": prereg.time_utc, "lead": _days(prereg.lead), "lag": _days(prereg.lag),
            "deviations": list(prereg.deviations), "n_windows": len(prereg.windows)}


def tests_rows(findings: Any, names: dict[str, str] | None = None) -> list[dict[str, str]]:
    """Every test run, with its corrected p-value (the ``tests`` table).

    Parameters
    ----------
    findings
        The findings, with their ``tests`` table.
    names
        Plain words for each test's code name (the kind's ``STAT_NAMES``);
        a code without words is written as words from its parts.
    """
    t = getattr(findings, "tests", None)
    if t is None or len(t) == 0:
        return []
    names = names or {}
    ev = getattr(findings, "events", None)
    titles = {str(k): str(v) for k, v in zip(ev["event_id"], ev["name"], strict=True)} if ev is not None and "name" in ev else {}
    rows = []
    for r in t.itertuples():  # one row per test run
        ids = [x for x in str(r.event_ids or "").split(",") if x and x != "nan"]
        events = titles.get(ids[0], ids[0]) if len(ids) == 1 else (fmt_n(len(ids), "event") if ids else "—")
        rows.append({"test": names.get(str(r.test), str(r.test).replace("_", " ").capitalize()), "claim": str(r.claim_id) or "(scenario-wide)",
                     "events": events, "statistic": str(r.statistic), "p": fmt_p(r.p_value), "p_adjusted": fmt_p(r.p_adjusted),
                     "method": str(r.method), "significant": "yes" if r.significant else "no"})
    return rows


def robustness_rows(findings: Any) -> list[dict[str, Any]]:
    """One row per claim: its verdict, how many changes were tried, and each change that flips it."""
    cl, panel = findings.claims, getattr(findings, "robustness", None)
    if panel is None or "robustness" not in cl:
        return []
    rows = []
    for c in cl.itertuples():  # one row per claim
        mine = panel[panel["claim_id"] == c.claim_id] if len(panel) else pd.DataFrame(columns=["flips", "change", "verdict"])
        flips = mine[mine["flips"].astype(bool)] if len(mine) else mine
        rows.append({"claim_id": c.claim_id, "verdict": c.verdict, "robustness": c.robustness, "n_changes": len(mine),
                     "flips": [f"{ch} → {v}" for ch, v in zip(flips["change"], flips["verdict"], strict=True)]})
    return rows
