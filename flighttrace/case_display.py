"""How a :class:`~flighttrace.case.Case` and a claim show themselves in a notebook: the finding first, escaped like the report.

Every value that came from a scenario or a data file is escaped before it
goes into the HTML (:func:`html.escape`); links are only made to ``http`` and
``https`` addresses. The page makes no network request.
"""

from __future__ import annotations

import html
import math
from typing import Any

import pandas as pd

__all__ = ["case_html", "claim_html"]

_COLOURS = {"supported": "#1b7837", "contradicted": "#b2182b", "inconclusive": "#6b6b6b"}
_VERDICTS = ("supported", "contradicted", "inconclusive")


def _e(value: Any) -> str:
    """Text from a file or a scenario, made safe for HTML."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return html.escape(str(value), quote=True)


def _verdict(v: str) -> str:
    return f'<span style="color:{_COLOURS.get(v, "#000")};font-weight:bold">{_e(v)}</span>'


def _p(value: Any) -> str:
    try:
        x = float(value)
    except (TypeError, ValueError):
        return ""
    return "" if math.isnan(x) else f"{x:.2f}"


def _inputs_line(case: Any) -> str:
    from flighttrace.io.dataset import records_quarantined
    from flighttrace.numfmt import fmt_count, fmt_n

    m, pts = case.manifest, case.points
    files = len(m)
    failed = int((m["error"].astype(str) != "").sum()) if "error" in m and files else 0
    q = records_quarantined(m)
    return (f"{fmt_n(files, 'file')} ({fmt_count(failed)} unreadable), {fmt_n(len(pts), 'position')} of "
            f"{fmt_count(pts['icao24'].nunique() if len(pts) else 0)} aircraft, {fmt_n(q, 'record')} quarantined")


def _warnings(case: Any) -> list[str]:
    f = case.findings
    out = []
    if f.synthetic:
        out.append("SYNTHETIC DATA: the inputs came from flighttrace's simulator; no verdict here is about real flights.")
    cov = f.coverage
    if len(cov):
        unc = int((~cov["covered"]).sum())
        if unc:
            out.append(f"{unc} of {len(cov)} days ({case.report_tz}) have no usable data; no count or rate uses them.")
    out.extend(str(w) for w in f.warnings)
    return out


def case_html(case: Any) -> str:
    """The finding first: the question, the verdicts in plain words, the inputs in one line, the warnings."""
    scn, f = case.scenario, case.findings
    vc = f.claims["verdict"].value_counts()
    counts = " · ".join(f"{_verdict(v)} {int(vc.get(v, 0))}" for v in _VERDICTS)
    rows = []
    for r in f.claims.itertuples(index=False):
        plain = getattr(r, "plain", "") or getattr(r, "reason", "")
        rows.append(f"<tr><td><code>{_e(r.claim_id)}</code></td><td>{_verdict(str(r.verdict))}</td><td>{_e(plain)}</td>"
                    f"<td style='text-align:right'>{_p(getattr(r, 'p_detect', None))}</td></tr>")
    warn = "".join(f"<li>{_e(w)}</li>" for w in _warnings(case))
    return (
        "<div class='flighttrace-case'>"
        f"<h3 style='margin:0.2em 0'>{_e(scn.meta.title)}</h3>"
        f"<p style='margin:0.2em 0'>{_e(scn.meta.summary)}</p>"
        f"<p style='margin:0.2em 0'><b>{len(f.claims)} claim{'' if len(f.claims) == 1 else 's'}:</b> {counts}</p>"
        "<table><thead><tr><th>claim</th><th>verdict</th><th>in plain words</th><th title='the chance the data would have shown it'>p_detect</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
        f"<p style='margin:0.2em 0;color:#444'>Inputs: {_e(_inputs_line(case))}.</p>"
        + (f"<ul style='color:#8a4b00'>{warn}</ul>" if warn else "")
        + "<p style='margin:0.2em 0;color:#444'>One claim: <code>case.claim(&quot;…&quot;)</code>; the map: <code>case.map()</code>; "
        "the report: <code>case.report(&quot;out/&quot;)</code>.</p></div>"
    )


def _cell(col: str, value: Any, places: Any) -> str:
    """One cell, written as the report writes it: times by the one formatter, airports with their names."""
    from flighttrace.timefmt import fmt_time

    if col == "time":
        return fmt_time(value)
    if col == "airport" and places is not None and isinstance(value, str):
        return str(places.label(value))
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)


def _table(df: pd.DataFrame, cols: list[str], limit: int = 12, places: Any = None) -> str:
    cols = [c for c in cols if c in df.columns]
    head = "".join(f"<th>{_e(c)}</th>" for c in cols)
    body = "".join("<tr>" + "".join(f"<td>{_e(_cell(c, v, places))}</td>" for c, v in zip(cols, row, strict=True)) + "</tr>"
                   for row in df[cols].head(limit).itertuples(index=False))
    more = f"<p style='color:#444'>… and {len(df) - limit} more</p>" if len(df) > limit else ""
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{more}"


def _places(scn: Any) -> Any:
    from flighttrace.report.parts import Places

    return Places(scn)


def claim_html(view: Any) -> str:
    """One claim: statement, verdict in plain words, detection figures, its evidence and the legs behind it."""
    from flighttrace.numfmt import fmt_n

    r = view.row
    det = view.detection
    fig = []
    if "p_detect" in det and _p(det["p_detect"]):
        fig.append(f"p_detect {_p(det['p_detect'])}")
    if det.get("fleet_heard", -1) is not None and int(det.get("fleet_heard", -1)) >= 0:
        fig.append(f"{int(det['fleet_heard'])} fleet aircraft heard")
    note = f"<p style='color:#444'>Missing: {_e(det.get('detect_note'))}</p>" if det.get("detect_note") else ""
    ev = view.evidence
    return (
        "<div class='flighttrace-claim'>"
        f"<h4 style='margin:0.2em 0'><code>{_e(view.claim_id)}</code>: {_verdict(view.verdict)}</h4>"
        f"<p style='margin:0.2em 0'><i>{_e(r['statement'])}</i> ({_e(r['source'])}, {_e(r['record'])})</p>"
        f"<p style='margin:0.2em 0'><b>{_e(view.plain)}</b></p>"
        f"<p style='margin:0.2em 0;color:#444'>{_e(view.reason)}</p>"
        f"<p style='margin:0.2em 0'>{_e('; '.join(fig))}</p>{note}"
        f"<p style='margin:0.4em 0 0.1em 0'><b>Evidence</b> ({fmt_n(len(ev), 'item')}; the raw rows: <code>.rows</code>; the kind's tables: "
        "<code>.tables()</code>; the map: <code>.map()</code>)</p>"
        + _table(ev, ["item_id", "kind", "grade", "time", "airport", "detail"], places=_places(view.case.scenario))
        + "</div>"
    )
