"""The top of ``index.html``: the finding in plain sentences, and the claims table with a timeline per claim.

:func:`overview` writes what a reader needs first: what was tested, what the
data shows (the verdict counts, and each contradicted claim with what was
found), the key numbers (given by the scenario kind), and the strongest
caveats (synthetic data, days without data, and the kind's own).
:func:`claims_rows` gives the claims table: each claim with its sources, its
verdict, what the data shows, a small timeline of its window (covered and
uncovered time, the items it counted) and a few of its evidence items with a
link to the full list on the evidence page.

Columns other helpers may add to the claims table are shown when present: a
verdict in plain words (``plain``), the chance the data could have detected
what was claimed (``p_detect``), and a mark for a verdict that does not
survive a robustness check (``fragile``).
"""

from __future__ import annotations

import re
from typing import Any, Final

import markupsafe
import numpy as np
import pandas as pd

from flighttrace.claims.findings import VERDICTS
from flighttrace.numfmt import fmt_count, fmt_n, fmt_share
from flighttrace.report.parts import Places, source_label, text, window_text
from flighttrace.timefmt import fmt_date, is_missing
from flighttrace.viz.svgmini import claim_timeline

__all__ = ["EVIDENCE_SHOWN", "PLAIN_COLUMNS", "claims_rows", "coverage_caveat", "named", "overview", "uncovered_spans"]

EVIDENCE_SHOWN: Final = 3
"""How many evidence items a claim's row names before it links to the full list."""
PLAIN_COLUMNS: Final = ("plain", "verdict_plain", "in_plain_words")
"""Columns of the claims table that may hold the verdict in plain words (the first present is shown)."""


def uncovered_spans(coverage: pd.DataFrame, start: Any, end: Any) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """The parts of ``[start, end)`` without data: runs of uncovered days, and the time outside the coverage table."""
    return _spans_within(_coverage_days(coverage), start, end)


def _coverage_days(coverage: pd.DataFrame) -> tuple[Any, Any, np.ndarray] | None:
    """The coverage table's days, the day after each and whether each is covered, read once for every window; None without a day."""
    if coverage is None or not len(coverage):
        return None
    days: Any = pd.to_datetime(coverage["date"]).array
    return days, days + pd.Timedelta(days=1), coverage["covered"].to_numpy(dtype=bool)


def _spans_within(cov: tuple[Any, Any, np.ndarray] | None, start: Any, end: Any) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """:func:`uncovered_spans` of a window, from :func:`_coverage_days` of the coverage table."""
    a, b = pd.Timestamp(start), pd.Timestamp(end)
    if cov is None:
        return [(a, b)]
    days, nxt, covered = cov
    inside = np.asarray((nxt > a) & (days < b), dtype=bool)
    spans: list[tuple[pd.Timestamp, pd.Timestamp]] = []
    if a < days[0]:
        spans.append((a, min(b, days[0])))
    idx = np.flatnonzero(~covered & inside)
    if len(idx):
        brk = np.r_[True, np.diff(idx) != 1]
        for s, e in zip(idx[brk], np.r_[idx[np.flatnonzero(brk)[1:] - 1], idx[-1]], strict=True):  # runs of uncovered days
            spans.append((max(a, days[s]), min(b, nxt[e])))
    if b > nxt[-1]:
        spans.append((max(a, nxt[-1]), b))
    return spans


def _group_words(places: Places, group: str) -> str:
    """A group of fields as a reader reads it: its name (the scenario's alias, else its id in words) and its fields.

    ``Moscow airports (UUBW, UUDD, UUEE, UUWW)`` for ``moscow``, ``Azerbaijan (UBBB, UBBG, UBBN)`` for ``azerbaijan``,
    ``vko-dme (UUDD, UUWW)`` for ``vko-dme``.
    """
    import re

    try:
        members = sorted(places.scn.resolve_airports(group))
    except (KeyError, ValueError):
        members = []
    words = places.name(group) or group
    if re.fullmatch(r"[a-z]+(_[a-z]+)*", words):  # an id that reads as a place (azerbaijan, israel_south), not a label (vko-dme)
        words = words.replace("_", " ").capitalize()
    return words + (f" ({', '.join(members)})" if members else "")


def named(text_: str, places: Places, codes: Any) -> str:
    """A claim's text with each airport code it names followed by the field's name (``UUWW (Vnukovo)``), and each group of fields in words.

    A code is named at its first mention in each clause (the text between
    ``;``), so that a reader of any clause sees the name; a group of the
    scenario (``azerbaijan``) is written as its name and fields
    (``Azerbaijan (UBBB, UBBG, UBBN)``).
    """
    return _named(text_, _name_patterns(places, codes))


def _name_patterns(places: Places, codes: Any) -> list[tuple[re.Pattern[str], str, int]]:
    """What :func:`named` puts in: (pattern, words, how many times a clause: 0 for all) per code with a name and per group."""
    groups = getattr(getattr(places.scn, "airports", None), "groups", None) or {}
    pats = []
    for code in codes:  # a few dozen codes at most
        name = places.name(code)
        if name and name != code:
            pats.append((re.compile(rf"(?<![\w-]){re.escape(code)}(?![\w-]|\s\()"), f"{code} ({name})", 1))  # once a clause
    for g in groups:  # a group's id, where the text names it as a word of its own
        pats.append((re.compile(rf"(?<![\w/.-]){re.escape(g)}(?![\w/.-])"), _group_words(places, g), 0))
    return pats


def _named(text_: str, pats: list[tuple[re.Pattern[str], str, int]]) -> str:
    """:func:`named`, with its patterns (:func:`_name_patterns`) made once for many texts."""
    clauses = text_.split("; ")
    for i, clause in enumerate(clauses):  # a few clauses
        for pat, words, count in pats:
            if count and words in clause:  # the clause names the field already
                continue
            clause = pat.sub(words.replace("\\", "\\\\"), clause, count=count)
        clauses[i] = clause
    return "; ".join(clauses)


def _reason(reason: str, observed: str) -> str:
    """The reason without the observed figure it repeats (a rate-ratio claim's reason starts with it)."""
    if observed and reason.startswith(observed):
        return reason[len(observed):].lstrip("; ,")
    return reason


def _plain(row: Any) -> str:
    for c in PLAIN_COLUMNS:
        v = getattr(row, c, None)
        if not is_missing(v):
            return str(v)
    return ""


def _src(scn: Any, sid: Any) -> dict[str, str] | None:
    if is_missing(sid):
        return None
    try:
        s = scn.source(str(sid))
    except KeyError:
        return {"id": str(sid), "label": str(sid), "href": ""}
    return {"id": s.id, "label": source_label(s), "href": f"#source-{s.id}"}


def claims_rows(run: Any, anchors: dict[str, str]) -> list[dict[str, Any]]:
    """One row per claim for ``index.html`` (see the module docs).

    Parameters
    ----------
    run
        The :class:`flighttrace.report.context.ReportRun`.
    anchors
        Evidence item or leg id → the card it links to on ``evidence.html``.
    """
    findings, scn = run.findings, run.scn
    places = Places(scn)
    codes = sorted(scn.airport_codes())
    pats, cov = _name_patterns(places, codes), _coverage_days(findings.coverage)  # made once for every claim
    ev = findings.evidence
    by_claim = {k: g for k, g in ev.groupby(ev["claim_id"].astype(str), sort=False)} if len(ev) else {}
    rows = []
    for k, c in enumerate(findings.claims.itertuples()):  # one row per claim (a few dozen)
        cid = str(c.claim_id)
        try:
            model = scn.claim(cid)
        except KeyError:
            model = None
        items = by_claim.get(cid, ev.iloc[:0])
        ids = items["item_id"].astype(str).tolist()
        shown = [{"text": i, "href": anchors.get(i)} for i in ids[:EVIDENCE_SHOWN]]
        has_window = not is_missing(getattr(c, "window_start", None))
        svg = ""
        if has_window:
            spans = _spans_within(cov, c.window_start, c.window_end)
            label = (f"Window of {cid}: {window_text(c.window_start, c.window_end, run.tz)}; {fmt_n(len(items), 'item')} counted; "
                     f"{fmt_n(len(spans), 'stretch', 'stretches')} without data hatched")
            svg = markupsafe.Markup(claim_timeline(c.window_start, c.window_end, spans, items, label=label, key=f"c{k}", tz=run.tz))
        fragile = getattr(c, "fragile", None)
        if is_missing(fragile) and not is_missing(getattr(c, "robustness", None)):  # the robustness panel's mark
            fragile = str(c.robustness) == "fragile"
        rows.append({
            "claim_id": cid, "statement": text(getattr(c, "statement", "")), "record": text(getattr(c, "record", "")),
            "source": _src(scn, getattr(c, "source", None)),
            "via": [s for s in (_src(scn, v) for v in (model.via if model is not None else ())) if s],
            "attributed_to": _src(scn, model.attributed_to) if model is not None else None,
            "expected": _named(text(getattr(c, "expected", None)), pats), "observed": _named(text(getattr(c, "observed", None)), pats),
            "verdict": str(c.verdict), "reason": _named(_reason(text(getattr(c, "reason", None)), text(getattr(c, "observed", None))), pats),
            "plain": _named(_plain(c), pats),
            "robustness": text(getattr(c, "robustness", None), ""), "fragile_because": text(getattr(c, "fragile_because", None), ""),
            "p_detect": fmt_share(getattr(c, "p_detect", None)) if not is_missing(getattr(c, "p_detect", None)) else "", "fragile": bool(fragile) if not is_missing(fragile) else False,
            "window": window_text(c.window_start, c.window_end, run.tz) if has_window else "—",
            "timeline": svg, "evidence": shown, "n_evidence": len(ids), "n_more": max(len(ids) - EVIDENCE_SHOWN, 0),
            "all_href": f"evidence.html#claim-{cid}",
        })
    return rows


def coverage_caveat(coverage: pd.DataFrame) -> str:
    """``41 of 2,922 days (1.4%) in the span of the inputs have no usable data …`` or ``""``."""
    if coverage is None or not len(coverage):
        return "No day of the period has data."
    n, unc = len(coverage), int((~coverage["covered"].astype(bool)).sum())
    first, last = (f"{pd.Timestamp(coverage['date'].iloc[k]):%Y-%m-%d}" for k in (0, -1))  # days of the report zone
    if not unc:
        return f"The one day of the inputs, {first}, has data." if n == 1 else f"Every one of the {fmt_n(n, 'day')} from {first} to {last} has data."
    return (f"{fmt_count(unc)} of {fmt_n(n, 'day')} from {first} to {last} ({fmt_share(unc / n)}) have no usable data: they are left out "
            "of every count, never counted as zero, and a claim whose window falls in them stays inconclusive.")


def _verdict_sentence(counts: dict[str, int]) -> str:
    s, c, i = (counts.get(v, 0) for v in VERDICTS)
    return (f"The data supports {fmt_n(s, 'claim')}, contradicts {fmt_n(c, 'claim')} and cannot decide "
            f"{fmt_n(i, 'claim')} (inconclusive).")


def overview(run: Any, kind_part: dict[str, Any]) -> dict[str, Any]:
    """The finding first: plain sentences, verdict counts, key numbers and caveats.

    Parameters
    ----------
    run
        The :class:`flighttrace.report.context.ReportRun`.
    kind_part
        The kind's ``overview``: ``key_numbers`` (dicts of ``value``,
        ``label``, ``note``), ``caveats`` (sentences), optionally
        ``coverage`` (the kind's own sentence on the days with data),
        ``subject`` (what the scenario is about, one phrase) and
        ``legs_label`` (what the legs it counts are).

    Returns
    -------
    dict
        ``lede`` (sentences), ``verdicts`` (verdict → count), ``contradicted``
        (claim, source and what was found), ``key_numbers``, ``caveats``.
    """
    f, ds, scn = run.findings, run.ds, run.scn
    cl = f.claims
    counts = {v: int((cl["verdict"] == v).sum()) for v in VERDICTS}
    pts = ds.points
    span = ""
    if len(pts):
        span = f", {fmt_date(pts['time'].min())} to {fmt_date(pts['time'].max())}"
    n_sources = len({x for c in scn.claims for x in (c.source, *c.via, c.attributed_to) if x})
    title = str(scn.meta.title)
    subject = kind_part.get("subject") or (title.split(":", 1)[1].strip() if ":" in title else title)
    lede = [
        (f"{fmt_n(len(cl), 'published claim')} about {subject}, drawn from {fmt_n(n_sources, 'source')}, were tested against "
         f"{fmt_count(len(pts))} recorded positions of {fmt_n(pts['icao24'].nunique() if len(pts) else 0, 'aircraft', 'aircraft')} "
         f"in {fmt_n(len(ds.manifest), 'input file')}{span}."),
        _verdict_sentence(counts),
    ]
    contradicted = []
    for c in cl[cl["verdict"] == "contradicted"].itertuples():  # a few
        src = _src(scn, getattr(c, "source", None))
        contradicted.append({"claim_id": c.claim_id, "statement": text(c.statement), "source": src,
                             "observed": named(text(c.observed), Places(scn), sorted(scn.airport_codes()))})
    caveats = []
    if run.synthetic:
        caveats.append("Synthetic data: at least one input was made by flighttrace's simulator. Nothing here describes real flights.")
    caveats.append(kind_part.get("coverage") or coverage_caveat(f.coverage))
    caveats += list(kind_part.get("caveats", []))
    failed = int((ds.manifest["error"] != "").sum()) if len(ds.manifest) else 0
    if failed or ds.records_quarantined:
        caveats.append(f"{fmt_n(failed, 'input file')} could not be read and {fmt_n(ds.records_quarantined, 'record')} were set aside "
                       "(quarantined), each with its reason: see the limitations and tables/quarantine.csv.")
    return {"lede": lede, "verdicts": counts, "contradicted": contradicted, "key_numbers": list(kind_part.get("key_numbers", [])),
            "caveats": caveats}
