"""The report's pages for a ``disruption`` scenario: closures, diversions, holding, go-arounds, with evidence cards.

:func:`flighttrace.report.build_report` finds this module through the kind
registry (``flighttrace.kinds.kind_module("disruption", "pages")``) and calls
the functions every kind's ``pages`` module has (see :mod:`flighttrace.kinds`)
with the :class:`flighttrace.report.context.ReportRun`. Every function
returns plain values for the templates, which escape them.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from flighttrace.kinds.disruption.texts import limitations, method
from flighttrace.numfmt import fmt_count, fmt_ft, fmt_km, fmt_n, fmt_p
from flighttrace.report.legcards import LegEvidence
from flighttrace.report.parts import Places, cell, coverage_chart, section, table, text
from flighttrace.timefmt import fmt_duration, fmt_hm, fmt_time

__all__ = [
    "airport_names", "cards", "charts", "evidence_legs", "export_legs", "limitations", "method", "overview", "prepare", "sections",
    "table_legs", "write_exports", "build_map", "claim_tables", "claim_run",
]

_COUNTED = ("observed", "inferred")


def airport_names(scn: Any, codes: Any) -> dict[str, str]:
    """Code → ``"UUWW · VKO · Vnukovo International Airport"`` for panel titles and tables."""
    places = Places(scn)
    return {str(c): places.full(c) for c in codes}


def _d(run: Any) -> Any:
    return run.findings.disruption


def prepare(run: Any) -> None:
    """Nothing to add: the disruption measures are in the findings."""


def table_legs(run: Any) -> pd.DataFrame:
    """Every leg (a disruption concerns every aircraft): ``tables/legs.csv``."""
    return run.legs


def evidence_legs(d: Any, legs: pd.DataFrame) -> pd.DataFrame:
    """The legs behind the disruption findings (diverted, held, going around, bracketing a closure), in leg order."""
    ids: set[str] = set()
    for name in ("diversions", "holdings", "go_arounds"):
        ids |= set(d.in_focus(name)["leg_id"].astype(str))
    for col in ("last_leg", "next_leg"):
        ids |= {x for x in d.closures[col] if isinstance(x, str)}
    return legs[legs["leg_id"].astype(str).isin(ids)].reset_index(drop=True)


def export_legs(run: Any) -> pd.DataFrame:
    """The legs written to ``legs.geojson`` and ``legs.kml``: those behind the findings."""
    return evidence_legs(_d(run), run.legs)


def write_exports(run: Any, work: Path) -> None:
    """Nothing beyond the common exports (the measures are in ``tables/``)."""


def charts(run: Any, source: str) -> list[tuple[str, str, Any]]:
    """(name, caption, draw) of each chart: movements per hour against the baseline, coverage."""
    from flighttrace.viz import charts as ch

    d, f, style = _d(run), run.findings, ch.ChartStyle(source=source, synthetic=run.synthetic)
    p = d.params
    return [
        ("movements_per_hour", "Take-offs and landings per hour at each field on the day, against the baseline of the same hour in the previous weeks; closures shaded",
         lambda: ch.movements_per_hour(d.hourly, d.closures, airports=list(d.airports), start=d.focus_start, end=d.focus_end,
                                       names=airport_names(run.scn, d.airports), title="Take-offs and landings per hour",
                                       style=dataclasses.replace(style, tz=d.tz), band_level=p.band_level, closure_alpha=p.closure_alpha)),
        coverage_chart(f.coverage, style),
    ]


def build_map(run: Any, *, tiles: str | None = None, evidence_page: str | None = None) -> Any:
    """The map as a :class:`folium.Map` (shown inline in a notebook): diverted tracks, holdings, go-arounds, closed airports and the flights either side of each closure, popups linking to the evidence cards."""
    from flighttrace.viz.maps import map_disruption

    return map_disruption(run.legs, _d(run), run.scn, points=run.ds.points, synthetic=run.synthetic, tiles=tiles, evidence_page=evidence_page)


def _claim_measures(d: Any, evidence: pd.DataFrame, leg_ids: list[str]) -> Any:
    """The disruption measures cut to one claim's evidence: its closures, diversions and holdings, and the go-arounds of its legs."""
    import dataclasses

    items, legs = set(evidence["item_id"].astype(str)), set(leg_ids)
    shut = evidence[evidence["kind"] == "closure"]
    wanted = set(shut["airport"].astype(str) + "|" + shut["legs"].fillna("").astype(str))
    cl = d.closures
    keys = cl["airport"].astype(str) + "|" + [";".join(v for v in pair if isinstance(v, str)) for pair in zip(cl["last_leg"], cl["next_leg"], strict=True)]
    return dataclasses.replace(
        d, closures=cl[keys.isin(wanted).to_numpy(dtype=bool)].reset_index(drop=True),
        diversions=d.diversions[d.diversions["leg_id"].astype(str).isin(items)].reset_index(drop=True),
        holdings=d.holdings[d.holdings["holding_id"].astype(str).isin(items)].reset_index(drop=True),
        go_arounds=d.go_arounds[d.go_arounds["leg_id"].astype(str).isin(legs)].reset_index(drop=True), run_cache={})


def claim_tables(run: Any, evidence: pd.DataFrame, leg_ids: list[str]) -> dict[str, pd.DataFrame]:
    """One claim's own tables: the ``closures``, ``diversions``, ``holdings`` and ``go_arounds`` behind its evidence."""
    d = _claim_measures(_d(run), evidence, leg_ids)
    return {name: getattr(d, name) for name in ("closures", "diversions", "holdings", "go_arounds")}


def claim_run(run: Any, evidence: pd.DataFrame, leg_ids: list[str]) -> Any:
    """The run cut to one claim, for :func:`build_map`: its legs and the measures behind its evidence."""
    import dataclasses

    f = run.findings
    findings = dataclasses.replace(f, kinds={**f.kinds, "disruption": _claim_measures(_d(run), evidence, leg_ids)})
    return dataclasses.replace(run, legs=run.legs[run.legs["leg_id"].astype(str).isin(set(leg_ids))].reset_index(drop=True), findings=findings,
                               extra={})


def _counted(df: pd.DataFrame) -> int:
    return int(df["grade"].isin(_COUNTED).sum()) if len(df) else 0


def overview(run: Any) -> dict[str, Any]:
    """Key numbers (fields closed, flights diverted, holdings) and caveats."""
    d = _d(run)
    places = Places(run.scn)
    closed = sorted({str(a) for a in d.closures["airport"]}) if len(d.closures) else []
    div, hold = d.in_focus("diversions"), d.in_focus("holdings")
    keys = [
        {"value": fmt_count(len(closed)), "label": f"airports closed in the window (of {fmt_n(len(d.airports), 'field')} watched)",
         "note": ", ".join(places.label(a) for a in closed) or "none"},
        {"value": fmt_count(_counted(div)), "label": "flights diverted (observed or inferred)",
         "note": f"{fmt_count(len(div) - _counted(div))} more with weaker evidence" if len(div) > _counted(div) else "every one listed on the evidence page"},
        {"value": fmt_count(_counted(hold)), "label": "aircraft seen holding", "note": "circling in a holding pattern near a watched field"},
    ]
    cov = run.findings.coverage
    coverage = ""
    if cov is not None and len(cov):
        n_cov = int(cov["covered"].sum())
        first, last = (f"{pd.Timestamp(cov['date'].iloc[k]):%Y-%m-%d}" for k in (0, -1))
        coverage = (f"The inputs have data on {fmt_n(n_cov, 'day')} of the {fmt_n(len(cov), 'day')} from {first} to {last}: a disruption "
                    "is measured on its day, against the same weekday and hour of the previous weeks, so the other days are not needed; "
                    "a claim about a day without data stays inconclusive.")
    caveats = ["ADS-B shows aircraft in the air: a flight cancelled or held at its origin leaves no trace, and a closure is read from "
               "missing take-offs and landings against the usual traffic, not from an official notice."]
    if not d.has_points:
        caveats.append("No Points table: holding and go-arounds were not measured; diversions rest on callsigns only.")
    return {"key_numbers": keys, "caveats": caveats, "coverage": coverage, "legs_label": "flight legs (all aircraft)"}


# --------------------------------------------------------------------------- index sections


def _local_span(a: Any, b: Any, tz: str) -> str:
    if a is None or pd.isna(a) or b is None or pd.isna(b) or tz == "UTC":
        return ""
    return f"{pd.Timestamp(a).tz_convert(tz):%H:%M}–{pd.Timestamp(b).tz_convert(tz):%H:%M} local ({tz})"


def _ga_id(r: Any) -> str:
    return f"ga-{r.leg_id}-{pd.Timestamp(r.time):%H%M%S}"


def _link(key: str, anchors: dict[str, str]) -> dict[str, Any]:
    return cell(key, href=anchors.get(key), mono=True)


def _fields_table(d: Any, places: Places) -> dict[str, Any]:
    h = d.hourly
    if d.focus_start is not None:
        h = h[(h["hour"] >= d.focus_start) & (h["hour"] < d.focus_end)]
    div, hold, ga = d.in_focus("diversions"), d.in_focus("holdings"), d.in_focus("go_arounds")
    rows = []
    for ap in d.airports:  # one row per watched field
        x = h[h["airport"] == ap]
        covered = x["covered"].to_numpy(dtype=bool)
        seen = float(np.nansum(x["movements"].to_numpy(dtype=float)))
        base = x["baseline_mean"].to_numpy(dtype=float)
        rows.append([cell(places.full(ap)), f"{int(covered.sum())} of {len(x)}", fmt_count(seen),
                     fmt_count(np.nansum(np.where(covered, base, np.nan))) if np.isfinite(base).any() else "—",
                     str(int((d.closures["airport"] == ap).sum())), str(int((div["intended"] == ap).sum())),
                     str(int((hold["airport"] == ap).sum())), str(int((ga["airport"] == ap).sum()))])
    return table(["Field", "Hours with data", "Movements seen", "Baseline (expected)", "Closures", "Diverted away", "Held for it", "Go-arounds"],
                 rows, num=(1, 2, 3, 4, 5, 6, 7), heading="Fields in the window", id="fields")


def _closures_table(d: Any, places: Places, tz: str, anchors: dict[str, str]) -> dict[str, Any]:
    from flighttrace.kinds.disruption.claims import closure_item_id

    rows = []
    for c in d.closures.itertuples():  # one row per closure
        key = closure_item_id(c.airport, c.start if not pd.isna(c.start) else c.start_latest)
        rows.append([cell(places.label(c.airport)), cell(f"{fmt_hm(c.start)}–{fmt_hm(c.end)} UTC", small=_local_span(c.start, c.end, tz)),
                     f"{fmt_hm(c.start_earliest)}–{fmt_hm(c.start_latest)} UTC", f"{fmt_hm(c.end_earliest)}–{fmt_hm(c.end_latest)} UTC",
                     fmt_duration(c.duration_s), f"{fmt_hm(c.last_time)}–{fmt_hm(c.next_time)} ({fmt_duration(c.gap_s)})",
                     f"{c.expected:.1f} (a closure needs {c.threshold:.1f})", _link(key, anchors)])
    return table(["Field", "Closed (estimate)", "Start between", "End between", "Length", "No movement (last → next)", "Baseline expected",
                  "Evidence"], rows, num=(4,), heading="Closure windows", id="closures", empty="No closure was found in the window.", row_class="closure")


def _diversions_table(d: Any, places: Places, tz: str, anchors: dict[str, str]) -> dict[str, Any]:
    div = d.in_focus("diversions")
    n, k = len(div), _counted(div)
    rows = [[_link(r.leg_id, anchors), text(r.callsign), cell(places.label(r.intended)), cell(places.label(r.landed, "not seen")),
             r.outcome.replace("_", " "), cell(r.method), cell(r.grade, grade=r.grade), fmt_time(r.time, tz)] for r in div.itertuples()]
    heading = f"Diversions ({n})"
    weak = [f"{r.leg_id} ({r.grade}: {r.outcome.replace('_', ' ')}" + (", landing not seen)" if not isinstance(r.landed, str) else ")")
            for r in div[~div["grade"].isin(_COUNTED)].itertuples()]
    intro = (f"{fmt_n(n, 'diversion')} in the window: {fmt_count(k)} with observed or inferred evidence, which is what the claims count"
             + (f"; {fmt_count(n - k)} with weaker evidence, listed for completeness: {', '.join(weak)}." if weak else "."))
    return table(["Leg", "Callsign", "Heading for", "Landed at", "Outcome", "Shown by", "Grade", "When"], rows, heading=heading, intro=intro,
                 id="diversions", empty="No diversion was found in the window.")


def _holdings_table(d: Any, places: Places, anchors: dict[str, str]) -> dict[str, Any]:
    hold = d.in_focus("holdings")
    rows = [[_link(r.holding_id, anchors), text(r.callsign), cell(places.label(r.airport)), f"{fmt_hm(r.start)}–{fmt_hm(r.end)} UTC",
             fmt_duration(r.duration_s), f"{r.laps:.1f}", f"{fmt_ft(r.alt_min_ft)}–{fmt_ft(r.alt_max_ft)}", cell(r.grade, grade=r.grade)]
            for r in hold.itertuples()]
    return table(["Holding", "Callsign", "For", "Circling", "Length", "Laps", "Altitude", "Grade"], rows, num=(4, 5), heading=f"Holding ({len(hold)})",
                 id="holdings", empty="No holding was found in the window.")


def _go_arounds_table(d: Any, places: Places, tz: str, anchors: dict[str, str]) -> dict[str, Any]:
    ga = d.in_focus("go_arounds")
    rows = [[_link(_ga_id(r), anchors), text(r.callsign), cell(places.label(r.airport)), fmt_time(r.time, tz),
             f"{fmt_ft(r.min_agl_ft)}, {fmt_km(r.min_dist_km)}", fmt_ft(r.climb_ft), cell(places.label(r.landed)), cell(r.grade, grade=r.grade)]
            for r in ga.itertuples()]
    return table(["Go-around", "Callsign", "Field", "When", "Lowest", "Climb", "Then landed at", "Grade"], rows, num=(5,),
                 heading=f"Go-arounds ({len(ga)})", id="go-arounds", empty="No go-around was found in the window.")


def _detectable_table(d: Any, places: Places, tz: str) -> dict[str, Any]:
    """The smallest closure each field's baseline could show, by hour of the window (``tables/detectable.csv``)."""
    t = d.detectable
    fields = [ap for ap in d.airports if (t["airport"] == ap).any()]
    cols = {ap: t[t["airport"] == ap].set_index("hour") for ap in fields}
    hours = sorted(set(t["hour"]))
    rows = []
    for h in hours:  # one row per hour of the window
        row: list[Any] = [cell(f"{fmt_hm(h)} UTC", small=_local_span(h, h + pd.Timedelta(hours=1), tz))]
        for ap in fields:  # one cell per field
            x = cols[ap].loc[h] if h in cols[ap].index else None
            if x is None:
                row.append("—")
                continue
            mins, exp, k = x["smallest_closure_min"], x["expected_per_hour"], x["holdings_stand_out"]
            small = f"{exp:.1f}/h" if np.isfinite(exp) else "no baseline"
            if np.isfinite(k):
                small += f" · holdings ≥ {k:.0f}"
            row.append(cell(fmt_duration(mins * 60.0) if np.isfinite(mins) else "—", small=small))
        rows.append(row)
    need = ", ".join(f"{ap} {cols[ap]['threshold'].iloc[0]:.1f} ({cols[ap]['movements_per_day'].iloc[0]:.0f} a day)" for ap in fields)
    intro = ("What the data could have shown: the shortest closure starting in each hour that the baseline would tell from an "
             f"ordinary gap (the time until it expects the T = max({d.params.closure_min_expected:g}, ln(N / {d.params.closure_alpha:g})) "
             "movements a closure needs, N the field's baseline "
             f"movements per day: {need or 'no baseline'}), with the baseline's movements in the hour (n/h) and how many holdings for the "
             "field in that hour would stand out from the same hour of the baseline weeks (holdings ≥ k). A claimed closure or holding below "
             "these cannot be confirmed or ruled out. A dash: no data or no baseline in that hour. Every value is in tables/detectable.csv.")
    return table(["Hour", *[places.label(ap) for ap in fields]], rows, num=tuple(range(1, len(fields) + 1)),
                 heading="Smallest detectable closure", intro=intro, id="detectable", empty="No hour of the window has a baseline.")


def _timeline_table(scn: Any) -> dict[str, Any]:
    rows = []
    for e in scn.events_frame().to_dict(orient="records"):  # one row per event
        a, b = pd.Timestamp(e["start"]), pd.Timestamp(e["end"])
        if a == a.normalize() and b == b.normalize():
            dates = f"{a:%Y-%m-%d} – {b - pd.Timedelta(days=1):%Y-%m-%d}" if b - a > pd.Timedelta(days=1) else f"{a:%Y-%m-%d}"
        else:
            dates = f"{a:%Y-%m-%d %H:%M} UTC" if a == b else f"{a:%Y-%m-%d %H:%M} – {b:%Y-%m-%d %H:%M} UTC"
        srcs = [x.strip() for x in str(e["sources"]).split(",") if x.strip()]
        rows.append([e["name"], e["kind"], dates, cell(", ".join(srcs) or "—", links=[(x, f"#source-{x}") for x in srcs]), cell(text(e["notes"], ""))])
    return table(["Event", "Kind", "Dates (UTC)", "Sources", "Notes"], rows, id="timeline", empty="The scenario names no event.")


def sections(run: Any, anchors: dict[str, str]) -> list[dict[str, Any]]:
    """The kind's sections of ``index.html``: fields, closures, diversions, holding, go-arounds, and the timeline."""
    d, places, tz = _d(run), Places(run.scn), run.tz
    window = f"{fmt_time(d.focus_start, tz)} – {fmt_time(d.focus_end, tz)}" if d.focus_start is not None else "—"
    n_base = int(d.hourly["baseline_weeks"].max()) if len(d.hourly) else 0
    intro = (f"Window: {window}. Movements are take-offs and landings; the baseline is the same hour of the same weekday in the "
             f"{n_base} previous weeks with data. Every closure, diversion, holding and go-around has an evidence card on the evidence page.")
    return [
        section("disruption", "Airport disruption", intro=[intro], tables=[
            _fields_table(d, places), _closures_table(d, places, tz, anchors), _diversions_table(d, places, tz, anchors),
            _holdings_table(d, places, anchors), _go_arounds_table(d, places, tz, anchors), _detectable_table(d, places, tz)]),
        section("events", "Timeline", tables=[_timeline_table(run.scn)]),
    ]


# --------------------------------------------------------------------------- evidence cards


def _grade_of(a: Any, b: Any) -> str:
    from flighttrace.tracks.legs import GRADES

    rank = {g: i for i, g in enumerate(GRADES)}
    ra = rank.get(a, len(GRADES) - 1) if isinstance(a, str) else len(GRADES) - 1
    rb = rank.get(b, len(GRADES) - 1) if isinstance(b, str) else len(GRADES) - 1
    return GRADES[max(ra, rb)]


def _card(ev: LegEvidence, seen: set[str], tz: str, *, id: str, title: str, grade: str, facts: list[tuple[str, str]],  # noqa: A002
          leg_ids: list[str], drawn: set[str], sources: list[dict[str, str]] | None = None) -> dict[str, Any]:
    ids = [x for x in leg_ids if isinstance(x, str)]
    legs = [leg for leg in (ev.leg(i, anchor=i not in seen and i != id, tz=tz, on_map=i in drawn) for i in ids) if leg is not None]
    seen |= set(ids)
    first = ev.by_id.loc[ids[0]] if ids and ids[0] in ev.by_id.index else None
    chain = ev.chain(first.get("icao24"), first.get("registration"), first.get("typecode"), ids[:1]) if first is not None and len(ids) == 1 else []
    return {"id": id, "title": title, "grade": grade, "summary": "", "facts": facts, "note": "", "chain": chain, "legs": legs,
            "sources": sources if sources is not None else ev.sources(ids),
            "map_href": next((f"map.html#leg={i}" for i in ids if i in drawn), "")}


def cards(run: Any, places: Places) -> list[dict[str, Any]]:
    """The evidence page's groups: one card per closure, diversion, holding and go-around in the window."""
    from flighttrace.kinds.disruption.claims import closure_item_id

    d, tz = _d(run), run.tz
    div, hold, ga = d.in_focus("diversions"), d.in_focus("holdings"), d.in_focus("go_arounds")
    ids = [x for col in ("last_leg", "next_leg") for x in d.closures[col] if isinstance(x, str)]
    ids += [str(x) for df in (div, hold, ga) for x in df["leg_id"]]
    ev = LegEvidence(run, ids, places)
    seen: set[str] = set()
    drawn = {str(x) for df in (div, hold, ga) for x in df["leg_id"]}  # the legs the map draws
    closures = [_card(ev, seen, tz, id=closure_item_id(c.airport, c.start if not pd.isna(c.start) else c.start_latest),
                      title=f"{places.full(c.airport)} closed", grade=_grade_of(c.last_grade, c.next_grade), facts=[
        ("Closed (estimate)", f"{fmt_time(c.start, tz)} – {fmt_time(c.end, tz)} ({fmt_duration(c.duration_s)})"),
        ("Start between", f"{fmt_time(c.start_earliest)} and {fmt_time(c.start_latest)}"),
        ("End between", f"{fmt_time(c.end_earliest)} and {fmt_time(c.end_latest)}"),
        ("No take-off or landing", f"from {fmt_time(c.last_time)} to {fmt_time(c.next_time)} ({fmt_duration(c.gap_s)})"),
        ("Baseline", f"{c.expected:.1f} movements expected in that run; a closure needs {c.threshold:.1f} (chance of none: {fmt_p(c.p_none)})"),
        ("Last movement before", f"{text(c.last_leg)} ({text(c.last_grade)})"), ("First movement after", f"{text(c.next_leg)} ({text(c.next_grade)})"),
    ], drawn=drawn, leg_ids=[c.last_leg, c.next_leg]) for c in d.closures.itertuples()]
    diversions = []
    for r in div.itertuples():  # one card per diversion
        facts = [("Heading for", f"{places.full(r.intended)} (intent {r.intent_grade}: {r.method})"),
                 ("Landed at", f"{places.full(r.landed)} ({r.landing_grade})" if isinstance(r.landed, str) else "not seen: the track turned away and was lost"),
                 ("When", fmt_time(r.time, tz)), ("How we know", text(r.detail))]
        if not pd.isna(r.approach_start):
            facts.append(("Approach seen", f"{fmt_time(r.approach_start)} – {fmt_hm(r.approach_end)} UTC, down to {fmt_ft(r.approach_min_agl_ft)}, "
                                           f"{fmt_km(r.approach_min_km)} out"))
        diversions.append(_card(ev, seen, tz, id=r.leg_id, title=f"{text(r.callsign)} · {r.icao24} · {places.label(r.intended)} → {places.label(r.landed, 'not seen')}",
                                grade=r.grade, facts=facts, drawn=drawn, leg_ids=[r.leg_id]))
    holdings = [_card(ev, seen, tz, id=r.holding_id, title=f"{r.holding_id} · {text(r.callsign)} · {r.icao24} · held for {places.label(r.airport)}",
                      grade=r.grade, facts=[
        ("Circling", f"{fmt_time(r.start, tz)} – {fmt_hm(r.end)} UTC ({fmt_duration(r.duration_s)}), {r.laps:.1f} laps turning {r.direction}"),
        ("Where", f"centre {r.lat:.4f}, {r.lon:.4f}, radius {fmt_km(r.radius_km)}, {fmt_km(r.dist_km)} from {places.label(r.airport)}"),
        ("Altitude", f"{fmt_ft(r.alt_min_ft)} – {fmt_ft(r.alt_max_ft)}"),
        ("Positions", f"rows {fmt_count(r.point_start)}–{fmt_count(int(r.point_end) - 1)} of the sorted positions (their source rows below)"),
    ], drawn=drawn, leg_ids=[r.leg_id], sources=ev.sources_of(hold.iloc[[k]])) for k, r in enumerate(hold.itertuples())]
    go_arounds = [_card(ev, seen, tz, id=_ga_id(r), title=f"{text(r.callsign)} · {r.icao24} · go-around at {places.label(r.airport)}", grade=r.grade,
                        facts=[("Low pass", f"{fmt_time(r.time, tz)}: {fmt_ft(r.min_agl_ft)} above {places.label(r.airport)}, {fmt_km(r.min_dist_km)} from it"),
                               ("Then", f"climbed {fmt_ft(r.climb_ft)} without touching down; the leg ended at {places.label(r.landed)}")],
                        drawn=drawn, leg_ids=[r.leg_id], sources=ev.sources_of(ga.iloc[[k]])) for k, r in enumerate(ga.itertuples())]
    intro = "Each card names the legs behind it, each end of each leg with its grade, the rows that decide it, and the source files and rows with their SHA-256."
    return [{"id": "cards-closures", "cls": "closures", "heading": f"Closures ({len(closures)})", "intro": intro, "cards": closures},
            {"id": "cards-diversions", "cls": "diversions", "heading": f"Diversions ({len(diversions)})", "intro": "", "cards": diversions},
            {"id": "cards-holdings", "cls": "holdings", "heading": f"Holding ({len(holdings)})", "intro": "", "cards": holdings},
            {"id": "cards-go_arounds", "cls": "go_arounds", "heading": f"Go-arounds ({len(go_arounds)})", "intro": "", "cards": go_arounds}]
