"""``index.html`` and ``evidence.html``: the kind's parts and the shared ones, put in the templates.

The scenario kind's ``pages`` module (:mod:`flighttrace.kinds`) gives its
evidence cards, its sections of the index page, its key numbers and caveats,
its method and its limitations; everything else (the finding, the claims
table with a timeline per claim, the sources, the charts, the map, the
manifest) is the same for every kind and is made here.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

from flighttrace._version import __version__
from flighttrace.numfmt import fmt_count, fmt_n
from flighttrace.report import panels
from flighttrace.report.context import ReportRun
from flighttrace.report.html import render, render_to
from flighttrace.report.parts import (
    Places,
    manifest_rows,
    manifest_summary,
    sources_rows,
    text,
)
from flighttrace.report.summary import claims_rows, overview
from flighttrace.timefmt import fmt_time

__all__ = ["anchors_of", "evidence_by_claim", "write_pages"]


def anchors_of(groups: list[dict[str, Any]]) -> dict[str, str]:
    """Card id or leg id → its link on ``evidence.html`` (a leg links to the first card that shows it)."""
    out: dict[str, str] = {}
    for g in groups:
        for c in g["cards"]:
            out.setdefault(str(c["id"]), f"evidence.html#{c['id']}")
            for leg in c.get("legs", []):
                if leg.get("anchor"):
                    out.setdefault(str(leg["leg_id"]), f"evidence.html#{leg['leg_id']}")
    return out


def evidence_by_claim(run: ReportRun, anchors: dict[str, str]) -> list[dict[str, Any]]:
    """For each claim, every item it counted, with its grade, time, field and a link to its card (on the evidence page itself)."""
    ev = run.findings.evidence
    places = Places(run.scn)
    claims = run.findings.claims
    wanted = set(claims["claim_id"].astype(str).tolist())
    items: dict[str, list[dict[str, str]]] = {}
    # one pass over the evidence table: each claim's items in the table's order, as a filter per claim would give them
    for cid, r in zip(ev["claim_id"].astype(str).tolist(), ev.itertuples(), strict=True):
        if cid in wanted:
            items.setdefault(cid, []).append({
                "id": str(r.item_id), "href": anchors.get(str(r.item_id), "").removeprefix("evidence.html"), "grade": text(r.grade, "unknown"),
                "kind": text(r.kind, ""), "time": fmt_time(r.time), "airport": places.label(r.airport, ""), "detail": text(r.detail, "")})
    return [{"claim_id": str(c.claim_id), "verdict": str(c.verdict), "statement": text(getattr(c, "statement", "")),
             "items": list(items.get(str(c.claim_id), []))} for c in claims.itertuples()]  # one list per claim


def _inputs_line(run: ReportRun, table_legs: Any, what: str) -> str:
    ds = run.ds
    n_failed = int((ds.manifest["error"] != "").sum()) if len(ds.manifest) else 0
    n_air = ds.points["icao24"].nunique() if len(ds.points) else 0
    return (f"Inputs: {fmt_n(len(ds.manifest), 'file')}, {fmt_n(len(ds.points), 'position')} of {fmt_count(n_air)} aircraft "
            f"({fmt_n(ds.records_quarantined, 'record')} quarantined, {fmt_n(n_failed, 'file')} failed); {fmt_count(len(table_legs))} {what}.")


def write_pages(run: ReportRun, pages: ModuleType, work: Path, out_name: str, charts: list[dict[str, str]], *, tiles: str | None,
                method_extra: list[str], prereg: Any = None) -> None:
    """Write ``index.html`` and ``evidence.html`` into ``work``.

    Parameters
    ----------
    run
        What the pipeline found.
    pages
        The scenario kind's ``pages`` module.
    work
        The folder being written.
    out_name
        The report folder's name (for the ``flighttrace verify`` line).
    charts
        The charts written (``png``, ``svg``, ``caption``, ``alt``).
    tiles
        Online tiles of the map, if any.
    method_extra
        Paragraphs added to the kind's method (the CSV exports').
    prereg
        The pre-registration stamp (:func:`flighttrace.report.panels.stamp`), shown under the finding.

    Notes
    -----
    The claims table shows the optional columns other checks add
    (:data:`flighttrace.report.summary.PLAIN_COLUMNS`, ``p_detect``,
    ``robustness`` / ``fragile_because``); every test run with its corrected
    p-value and the robustness panel (:mod:`flighttrace.report.panels`)
    follow the kind's sections.
    """
    scn = run.scn
    places = Places(scn)
    groups = pages.cards(run, places)
    anchors = anchors_of(groups)
    table_legs = pages.table_legs(run)
    kind_part = pages.overview(run)
    common = {"title": scn.meta.title, "synthetic": run.synthetic, "version": __version__, "tz": run.tz, "out_name": out_name}
    index_html = render(
        "index.html.j2", **common,
        summary=scn.meta.summary, relevance=run.notes, overview=overview(run, kind_part),
        inputs=_inputs_line(run, table_legs, kind_part.get("legs_label", "flight legs")),
        claims=claims_rows(run, anchors), sources=sources_rows(scn), sections=pages.sections(run, anchors), charts=charts,
        map_file="map.html", map_tiles=tiles, method=[*pages.method(run), *method_extra], limitations=pages.limitations(run),
        manifest=manifest_rows(run.ds), manifest_summary=manifest_summary(run.ds),
        prereg=panels.prereg_context(prereg) if prereg is not None else None, tests=panels.tests_rows(run.findings, getattr(pages, "STAT_NAMES", None)),
        robustness=panels.robustness_rows(run.findings),
    )
    (work / "index.html").write_text(index_html, encoding="utf-8")
    render_to(work / "evidence.html", "evidence.html.j2", **common, groups=groups, by_claim=evidence_by_claim(run, anchors))
