"""The report's pages for a ``sorties`` scenario: sorties on a route, event windows, statistics, evidence cards per sortie.

:func:`flighttrace.report.build_report` finds this module through the kind
registry (``flighttrace.kinds.kind_module("sorties", "pages")``) and calls the
functions every kind's ``pages`` module has (see :mod:`flighttrace.kinds`).
Each takes the :class:`flighttrace.report.context.ReportRun` and returns plain
values for the templates, which escape them.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd

from flighttrace.kinds.sorties.limits import fleet_legs, limitations, method_paragraphs
from flighttrace.numfmt import fmt_count, fmt_days, fmt_n, fmt_number, fmt_p, fmt_ratio, fmt_share
from flighttrace.report.legcards import LegEvidence
from flighttrace.report.parts import Places, cell, coverage_chart, section, table, text
from flighttrace.timefmt import fmt_date, fmt_duration, fmt_time_column

__all__ = [
    "cards", "charts", "export_legs", "limitations", "method", "overview", "prepare", "sections", "table_legs", "write_exports",
    "build_map", "claim_tables", "claim_run",
]

STAT_NAMES: Final[dict[str, str]] = {
    "rate_ratio": "Sorties per covered day in the event windows, against the rest of the period (Poisson rate ratio)",
    "rate_ratio_event": "Sorties per covered day in this event's window alone, against the covered days outside every window (an estimate)",
    "permutation_before_start": "Sorties in the covered days before each conflict starts, against the same days with the dates shifted (permutation test)",
    "permutation_same_season": "Sorties in the days before each conflict starts, against the same dates in nearby years (permutation test)",
    "ground_time_median_s": "Median time on the ground at the far field",
}
"""Plain words for the statistics this kind computes (the statistics table's ``test`` column)."""


def _route(run: Any) -> Any:
    return run.scn.routes[0] if run.scn.routes else None


def _sorties(run: Any) -> pd.DataFrame:
    return run.extra["sorties"]


def prepare(run: Any) -> None:
    """Chain the fleet's legs into sorties on the scenario's first route (``run.extra["sorties"]``)."""
    from flighttrace.kinds.sorties.chain import SORTIES_COLUMNS, find_sorties

    route = _route(run)
    if route is not None:
        run.extra["sorties"] = find_sorties(run.legs, run.scn, route.id)
    else:
        run.extra["sorties"] = pd.DataFrame({c: pd.Series([], dtype=object) for c in SORTIES_COLUMNS})


def table_legs(run: Any) -> pd.DataFrame:
    """The fleet's legs: ``tables/legs.csv`` and every count of legs on the pages."""
    return fleet_legs(run)


def export_legs(run: Any) -> pd.DataFrame:
    """The legs written to ``legs.geojson`` and ``legs.kml``: the fleet's."""
    return table_legs(run)


def tracked_legs(run: Any) -> pd.DataFrame:
    """The legs whose tracks the report writes (:func:`table_legs` and :func:`export_legs`: the fleet's), known before the claims are
    tested; the report drops the other legs' tracks then (:func:`flighttrace.report.build._tracks_only_for`)."""
    return fleet_legs(run)


def write_exports(run: Any, work: Path) -> None:
    """``sorties.csv`` (blank registrations filled from the fleet list, with ``registration_source``)."""
    from flighttrace.report.export import to_csv
    from flighttrace.report.legcards import with_registrations

    to_csv(with_registrations(_sorties(run), run.scn), work / "sorties.csv")


def charts(run: Any, source: str) -> list[tuple[str, str, Any]]:
    """(name, caption, draw) of each chart: sorties per week, event study, ground times, coverage."""
    from flighttrace.viz import charts as ch

    f, style = run.findings, ch.ChartStyle(source=source, synthetic=run.synthetic)
    names = Places(run.scn)
    far = sorted({str(a) for a in f.ground_times["airport"].dropna()}) if len(f.ground_times) else []
    return [
        ("sorties_per_week", "Sorties per week, with conflict windows shaded and days without data hatched",
         lambda: ch.sorties_per_week(f.series["week"], f.events, f.coverage, title="Sorties per week", style=style)),
        ("event_study", "Sorties by day relative to the start of each conflict event",
         lambda: ch.event_study_plot(f.event_study, f.events, title="Sorties around conflict events", style=style)),
        ("ground_times", f"Time on the ground at {', '.join(names.label(a) for a in far) or 'the far field'} (exact, or lower bound when an end was not seen)",
         lambda: ch.ground_times_plot(f.ground_times, title="Ground time at the far field", style=style,
                                      names={a: names.label(a) for a in far})),
        coverage_chart(f.coverage, style),
    ]


def build_map(run: Any, *, tiles: str | None = None, evidence_page: str | None = None) -> Any:
    """The map as a :class:`folium.Map` (shown inline in a notebook): the legs of the sorties, a layer per event window, popups linking to the evidence cards."""
    from flighttrace.viz.maps import map_sorties

    return map_sorties(run.legs, _sorties(run), run.scn, points=run.ds.points, synthetic=run.synthetic, tiles=tiles, evidence_page=evidence_page)


# --------------------------------------------------------------------------- one claim


def _named_sorties(evidence: pd.DataFrame) -> set[str]:
    return set(evidence.loc[evidence["kind"] == "sortie", "item_id"].astype(str)) if len(evidence) else set()


def claim_tables(run: Any, evidence: pd.DataFrame, leg_ids: list[str]) -> dict[str, pd.DataFrame]:
    """One claim's own tables: ``sorties``, the sorties its evidence names or that hold one of its legs, in sortie order."""
    s, legs = _sorties(run), set(leg_ids)
    mask = s["sortie_id"].astype(str).isin(_named_sorties(evidence)) | s["in_leg"].isin(legs) | s["out_leg"].isin(legs)
    return {"sorties": s[mask.to_numpy(dtype=bool)].reset_index(drop=True)}


def claim_run(run: Any, evidence: pd.DataFrame, leg_ids: list[str]) -> Any:
    """The run cut to one claim, for :func:`build_map`: its legs only, and the sorties its evidence names (none named: its legs alone are drawn)."""
    import dataclasses

    sub = dataclasses.replace(run, legs=run.legs[run.legs["leg_id"].astype(str).isin(set(leg_ids))].reset_index(drop=True), extra={})
    named = _named_sorties(evidence)
    s = _sorties(run)
    sub.extra["sorties"] = s[s["sortie_id"].astype(str).isin(named)].reset_index(drop=True) if named else None
    return sub


# --------------------------------------------------------------------------- the finding


def _stat(run: Any, test: str) -> dict[str, Any] | None:
    st = run.findings.statistics
    if st is None or not len(st):
        return None
    rows = st[(st["test"] == test) & (st["claim_id"].fillna("").astype(str) == "")]
    return rows.iloc[0].to_dict() if len(rows) else None


def _grades(df: pd.DataFrame, col: str = "evidence") -> dict[str, int]:
    vc = df[col].value_counts() if len(df) else pd.Series(dtype=int)
    return {g: int(vc.get(g, 0)) for g in ("observed", "inferred", "bridged", "unknown")}


def overview(run: Any) -> dict[str, Any]:
    """Key numbers (sorties on the route, the rate ratio in conflict windows, the median ground time) and caveats."""
    route, s = _route(run), _sorties(run)
    places = Places(run.scn)
    path = " → ".join(places.label(x) if places.airport(x) is not None else x for x in route.sequence) if route else ""
    keys: list[dict[str, str]] = []
    g = _grades(s)
    if route is not None:
        keys.append({"value": fmt_count(len(s)), "label": f"sorties {route.name or path}",
                     "note": ", ".join(f"{g[k]} {k}" for k in ("observed", "inferred", "bridged") if g[k]) or "none"})
    rr = _stat(run, "rate_ratio")
    if rr is not None and np.isfinite(rr.get("ratio", np.nan)):
        p = fmt_p(rr["p_value"])
        keys.append({"value": f"{fmt_ratio(rr['ratio'])}×", "label": "sorties per covered day in the conflict windows, against the rest of the period",
                     "note": f"95% CI {fmt_ratio(rr['ci_low'])}–{fmt_ratio(rr['ci_high'])}; p {p if p.startswith('<') else '= ' + p}"})
    gt = _stat(run, "ground_time_median_s")
    if gt is not None and np.isfinite(gt.get("observed", np.nan)):
        where = str(gt.get("note", "")).split(":")[0].replace("at ", "")
        keys.append({"value": fmt_duration(gt["observed"]), "label": f"median time on the ground at {places.label(where) if where else 'the far field'}",
                     "note": f"{fmt_n(gt['n1'], 'exact stay')}; shortest {fmt_duration(gt['ci_low'])}, longest {fmt_duration(gt['ci_high'])}"})
    caveats = []
    if len(s):
        weak = g["inferred"] + g["bridged"]
        caveats.append(f"Of the {fmt_n(len(s), 'sortie')}, {fmt_count(g['observed'])} {'was' if g['observed'] == 1 else 'were'} seen on the ground "
                       f"or at runway height at the far field (observed); {fmt_count(weak)} ({fmt_share(weak / len(s))}) rest on tracks that end "
                       f"low near it (inferred: {g['inferred']}) or on the aircraft being seen on either side of a gap (bridged: {g['bridged']}).")
    fl = table_legs(run)
    unknown = int(((fl["origin_evidence"] == "unknown") | (fl["destination_evidence"] == "unknown")).sum()) if len(fl) else 0
    if unknown:
        caveats.append(f"{fmt_n(unknown, 'leg')} of the fleet end at no named field; they have evidence cards and count only where a claim allows it.")
    return {"key_numbers": keys[:3], "caveats": caveats, "legs_label": "legs of the fleet"}


# --------------------------------------------------------------------------- index sections


def _events_cell(names: dict[str, str], ids: list[str]) -> Any:
    """The events of a statistic: one by its name; several as a count, named in the tooltip."""
    if not ids:
        return "—"
    if len(ids) == 1:
        return cell(names.get(ids[0], ids[0]))
    return cell(fmt_n(len(ids), "event"), title=", ".join(names.get(i, i) for i in ids))


def _stat_numbers(r: dict[str, Any], test: str) -> tuple[str, str]:
    """(observed, baseline / expected) of a statistic other than a median ground time, written with :mod:`flighttrace.numfmt`."""
    if test.startswith("rate_ratio") and np.isfinite(r.get("n1", np.nan)):
        return (f"{fmt_count(r['n1'])} in {fmt_days(r['t1'])}",
                f"{fmt_count(r['n0'])} in {fmt_days(r['t0'])} (expected {fmt_number(r.get('expected'))})")
    return fmt_number(r.get("observed")), fmt_number(r.get("expected"))


def _stat_rows(run: Any) -> list[list[Any]]:
    st = run.findings.statistics
    rows = []
    places = Places(run.scn)
    ev = run.findings.events
    names = {str(k): text(v, str(k)) for k, v in zip(ev["event_id"], ev["name"], strict=True)} if ev is not None and "name" in ev else {}
    for r in (st.to_dict(orient="records") if st is not None else []):  # one row per statistical test
        test, cid = str(r.get("test")), text(r.get("claim_id"), "")
        who = cell(cid, href=f"#claim-{cid}") if cid else cell("whole scenario")
        events = [x for x in text(r.get("event_ids"), "").split(",") if x]
        if test == "ground_time_median_s":
            where = str(r.get("note", "")).split(":")[0].replace("at ", "")
            what = f"Median time on the ground at {places.label(where)}" if where else STAT_NAMES[test]
            obs, exp = fmt_duration(r.get("observed")), f"{fmt_n(r.get('n1'), 'exact stay')}, {fmt_n(r.get('n0'), 'lower bound')}"
            ratio, ci, p = "—", f"{fmt_duration(r.get('ci_low'))} – {fmt_duration(r.get('ci_high'))} (range)", "—"
        else:
            what = STAT_NAMES.get(test, test.replace("_", " ").capitalize())
            obs, exp = _stat_numbers(r, test)
            ratio = fmt_ratio(r.get("ratio"))
            ci = f"{fmt_ratio(r['ci_low'])} – {fmt_ratio(r['ci_high'])}" if np.isfinite(r.get("ci_low", np.nan)) else "—"
            p = fmt_p(r.get("p_value"))
        rows.append([who, cell(what, small=_plain_note(text(r.get("note"), ""))), _events_cell(names, events), obs, exp, ratio, ci, p])
    return rows


def _plain_note(note: str) -> str:
    """A statistic's note for the page: any test it names by its code name named by its plain words instead."""
    codes = "|".join(sorted(map(re.escape, STAT_NAMES), key=len, reverse=True))
    return re.sub(rf"\b({codes})\b", lambda m: f"“{STAT_NAMES[m.group(1)]}”", note)


def _event_rows(run: Any) -> list[list[Any]]:
    ev = run.findings.events
    rows = []
    for e in ev.to_dict(orient="records"):  # one row per timeline event
        end_day = pd.Timestamp(e.get("end")) - pd.Timedelta(seconds=1)
        w_end = pd.Timestamp(e.get("window_end")) - pd.Timedelta(seconds=1)
        dates = fmt_date(e.get("start")) if fmt_date(e.get("start")) == fmt_date(end_day) else f"{fmt_date(e.get('start'))} – {fmt_date(end_day)}"
        window = fmt_date(e.get("window_start")) if fmt_date(e.get("window_start")) == fmt_date(w_end) else f"{fmt_date(e.get('window_start'))} – {fmt_date(w_end)}"
        days = e.get("days")
        covered = e.get("days_covered")
        cov_text = fmt_days(days) if np.isclose(float(covered), float(days)) else f"{fmt_days(covered)} of {fmt_days(days)}"
        rate = e.get("rate_per_day")
        rows.append([cell(text(e.get("name", e.get("event_id")))), dates, window, fmt_count(e.get("sorties")), cov_text,
                     f"{float(rate):.2f}" if rate is not None and np.isfinite(float(rate)) else "—"])
    return rows


def sections(run: Any, anchors: dict[str, str]) -> list[dict[str, Any]]:
    """The kind's sections of ``index.html``: sorties around each event, and the statistics."""
    out = []
    if _route(run) is not None:
        out.append(section("events", "Sorties around each conflict event", intro=[
            "Sorties counted in each event's window; only days with data count, and the rate is per covered day. A window that "
            "starts or ends inside a day covers part of it."],
            tables=[table(["Event", "Dates (UTC)", "Window counted", "Sorties", "Days covered", "Sorties per covered day"], _event_rows(run),
                          num=(3, 4, 5))]))
    stats = _stat_rows(run)
    if stats:
        out.append(section("statistics", "Statistics", intro=[
            "Every statistic behind the verdicts: a claim's own, or one that concerns the whole scenario. Rates are per covered day; "
            "confidence intervals are exact (95%)."],
            tables=[table(["Claim", "What is tested", "Events", "Observed", "Baseline / expected", "Ratio", "95% CI", "p"], stats, num=(3, 4, 5, 6, 7))]))
    return out


# --------------------------------------------------------------------------- evidence cards


def cards(run: Any, places: Places) -> list[dict[str, Any]]:
    """The evidence page's groups: one card per sortie, then one per fleet leg that is no part of a sortie."""
    s, fl, tz = _sorties(run), table_legs(run), run.tz
    route = _route(run)
    in_sorties = [x for pair in zip(s["in_leg"].tolist(), s["out_leg"].tolist(), strict=True) for x in pair if isinstance(x, str)] if len(s) else []
    loose = [str(x) for x in fl["leg_id"].tolist() if str(x) not in set(in_sorties)]
    ev = LegEvidence(run, in_sorties + loose, places)
    seen: set[str] = set()
    arrive, depart = fmt_time_column(s["arrive_far"], tz), fmt_time_column(s["depart_far"], tz)
    sortie_cards = []
    r: Any  # a sortie (the fields of its row, which pandas-stubs type as any scalar)
    for r, arr, dep in zip(s.itertuples(), arrive, depart, strict=True):  # one card per sortie
        ids = [x for x in (r.in_leg, r.out_leg) if isinstance(x, str)]
        legs = [leg for leg in (ev.leg(i, anchor=i not in seen, tz=tz) for i in ids) if leg is not None]
        seen |= set(ids)
        reg, where = ev.registration(r.icao24, r.registration)
        ground = fmt_duration(r.ground_time_s) if pd.notna(r.ground_time_s) else (
            f"at least {fmt_duration(r.ground_time_min_s)}" if pd.notna(r.ground_time_min_s) else "unknown")
        typecode = ev.record(ids[0]).get("typecode") if ids else None
        sortie_cards.append({
            "id": r.sortie_id, "grade": r.evidence,
            "title": " · ".join(x for x in (r.sortie_id, reg + (" (fleet list)" if where == "fleet" else ""), r.icao24,
                                             text(r.callsign, "").replace(",", ", ")) if x),
            "summary": (f"{places.label(r.origin)} → {places.label(r.far)} → {places.label(r.back)}. At {places.label(r.far)}: arrived {arr}, "
                        f"left {dep}; on the ground {ground}."),
            "note": text(r.note, ""), "facts": [], "chain": ev.chain(r.icao24, r.registration, typecode, ids), "legs": legs,
            "sources": ev.sources(ids), "map_href": f"map.html#leg={ids[0]}" if ids else "",
        })
    leg_cards = []
    for lid in loose:  # one card per fleet leg outside the sorties
        leg = ev.leg(lid, anchor=False, tz=tz, on_map=False)  # the sorties map draws the sorties' legs only
        if leg is None:
            continue
        seen.add(lid)
        lg = ev.record(lid)
        reg, where = ev.registration(lg.get("icao24"), lg.get("registration"))
        grades = [leg["origin_evidence"], leg["destination_evidence"]]
        weakest = max(grades, key=lambda g: ("observed", "inferred", "bridged", "unknown").index(g) if g in ("observed", "inferred", "bridged", "unknown") else 3)
        leg_cards.append({
            "id": lid, "grade": weakest,
            "title": " · ".join(x for x in (lid, reg + (" (fleet list)" if where == "fleet" else ""), leg["icao24"], leg["callsign"]) if x),
            "summary": f"{leg['origin']} → {leg['destination']}; first seen {leg['first_seen']}, last seen {leg['last_seen']}.",
            "note": "", "facts": [], "chain": ev.chain(lg.get("icao24"), lg.get("registration"), lg.get("typecode"), [lid]), "legs": [leg],
            "sources": ev.sources([lid]), "map_href": "",
        })
    name = route.name if route is not None and route.name else (" → ".join(route.sequence) if route is not None else "")
    out = []
    if route is not None:
        out.append({"id": "sorties", "cls": "", "heading": f"Sorties on {name} ({len(sortie_cards)})", "intro": (
            "One card per sortie. Each leg end shows where the aircraft was last (or first) seen, the rows that put it on the ground or "
            "at runway height at the field, and a profile of its height against its distance from the field; the chain from the "
            "aircraft's address to its operator says where each link comes from."), "cards": sortie_cards})
    out.append({"id": "other-legs", "cls": "leg", "heading": f"Other legs of the fleet ({len(leg_cards)})", "intro": (
        "Legs of the fleet that are no part of a sortie: a flight elsewhere, or one whose end at the far field was not seen (an end "
        "graded unknown names no field). Claims that count landings or departures may count them."), "cards": leg_cards})
    return out


def method(run: Any) -> list[str]:
    """The method in plain words."""
    return method_paragraphs(run.scn, run.leg_params)
