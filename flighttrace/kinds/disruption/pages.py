"""The report's pages for a disruption scenario: closures, diversions, holding, go-arounds, with evidence cards.

:func:`flighttrace.report.build_report` calls these when the findings carry
disruption measures (:class:`flighttrace.kinds.disruption.analysis.Disruption`). Every
function returns plain values (strings, lists, dicts) for the jinja2
templates, which escape them.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from flighttrace.cells import as_int
from flighttrace.timefmt import fmt_duration, fmt_hm, fmt_time

__all__ = ["method", "limitations", "page_context", "cards", "evidence_legs", "airport_names"]


def _s(x: Any) -> str:
    if x is None or (not isinstance(x, str) and pd.isna(x)):
        return "—"
    return str(x)


def _num(x: Any, fmt: str = "{:.1f}") -> str:
    if x is None or (not isinstance(x, str) and pd.isna(x)):
        return "—"
    return fmt.format(float(x))


def airport_names(scn: Any, codes: Any) -> dict[str, str]:
    """Code → ``"UUWW · VKO · Vnukovo International Airport"`` for panel titles and tables."""
    idx = scn.airport_index()
    out = {}
    for c in codes:
        try:
            a = idx.get(c)
        except (KeyError, ValueError):
            out[c] = c
            continue
        iata = f" · {a.iata}" if isinstance(a.iata, str) and a.iata else ""
        out[c] = f"{a.code}{iata} · {a.name}"
    return out


def method(scn: Any, params: Any) -> list[str]:
    """Plain-words method paragraphs of a disruption report."""
    from flighttrace.tracks.legs import LegParams

    lp = LegParams()
    p = params
    return [
        "Every input file is read as it is, hashed (SHA-256) and listed in the manifest below. Each position record becomes one row "
        "of a table of positions, or goes to a quarantine with the reason it could not be used. Times are UTC throughout.",
        "Each aircraft's positions are split into flight legs, and where each leg took off and landed is decided against every airfield "
        f"within {lp.search_km:.0f} km of its ends, with a grade: observed (seen on the ground there, or within {lp.observed_agl_ft:.0f} ft of "
        "the field), inferred (the track begins or ends low, climbing away or descending toward the field), bridged (not seen; the same "
        "aircraft was next, or last, seen there) or unknown (no field is named). A take-off or a landing at a watched field is a movement.",
        f"Baseline. Movements are counted per field and clock hour. The baseline of an hour is the same hour of the same weekday in the "
        f"{p.baseline_weeks} weeks before, using only the weeks whose hour has data; the chart shows its mean and a {p.band_level:.0%} Poisson band.",
        "Closures. Between two movements at a field, the baseline says how many movements it expected. A run without movements is called a "
        f"closure when it lasts at least {p.closure_min_s / 60:.0f} minutes and the baseline expected at least ln(N / {p.closure_alpha:g}) movements "
        f"in it (and never fewer than {p.closure_min_expected:g}), N being the field's baseline movements per day: an ordinary day's longest gap "
        f"holds about ln N, so a run that empty happens by chance on fewer than {p.closure_alpha:.0%} of ordinary days. A quiet night is never a "
        "closure. The closure began after the last movement: with the traffic rate just before it, the estimate is one mean interval after "
        f"that movement and the interval covers {p.closure_quantile:.0%} of the waiting time; the end is estimated the same way back from the "
        "first movement after it, when waiting traffic usually leaves at once. Hours without data end a run; nothing is inferred from them.",
        "Diversions. A leg was heading for a field when its track descended toward it, low (at most "
        f"{p.approach_max_agl_ft:,.0f} ft above it, within {p.approach_radius_km:.0f} km, on a track within {p.approach_heading_tol_deg:.0f}° of the "
        f"field, for at least {p.approach_min_s:.0f} s), or when its callsign landed there on at least {p.usual_min_legs} of the earlier legs in the "
        f"previous {p.baseline_weeks} weeks ({p.usual_min_share:.0%} of them or more). It is a diversion when it then landed elsewhere, or, after "
        "approaching, flew away and ended where no field can be named (turned away). The grade is the weaker of the intent (seen approach: "
        "observed; callsign habit: inferred) and the landing.",
        f"Holding. A holding is a stretch where the aircraft kept turning the same way: a full circle within {p.holding_circle_max_s / 60:.0f} "
        f"minutes, repeated, at least {p.holding_min_turn_deg:.0f}° in all, flown at least {p.holding_min_agl_ft:,.0f} ft above the field. It is "
        f"attributed to the field within {p.holding_airport_km:.0f} km that the aircraft was heading for when it was diverted, else the one it landed at, else the nearest. A go-around "
        f"is a descent to within {p.go_around_max_agl_ft:,.0f} ft of a field ({p.go_around_radius_km:.0f} km of it) followed by a climb of "
        f"{p.go_around_min_climb_ft:,.0f} ft or more, with no position on the ground in between.",
        "Claims are tested with the rules of docs/verdicts.md: a closure is supported when a closure run surely lasted the claimed time, "
        "contradicted only when, with every hour of the window covered and its baseline known, even the strong movements leave no room for "
        "such a closure; counts of diversions and holdings are judged like any count.",
    ]


def limitations(ds: Any, legs: pd.DataFrame, findings: Any) -> list[str]:
    """Plain-words limitations of a disruption report."""
    d = findings.disruption
    out = []
    cov = findings.coverage
    if cov is not None and len(cov):
        out.append(f"Coverage: {int(cov['covered'].sum()):,} of {len(cov):,} days in the span of the inputs have data; the others are left out of "
                   "every count and baseline. Only the same weekday of previous weeks is needed for the baseline.")
    hrs = d.hours
    if len(hrs):
        unc = hrs[~hrs["covered"] & hrs["day_covered"]]
        if len(unc):
            out.append("Hours without data on covered days (an archive gap): " + ", ".join(f"{t:%Y-%m-%d %H:00} UTC" for t in unc["hour"].head(12))
                       + (f" and {len(unc) - 12} more" if len(unc) > 12 else "") + ". They end runs and are left out of the baseline.")
    out.append("What ADS-B cannot show: a flight cancelled or held at its origin leaves no trace at the destination, so delays are seen "
               "only as aircraft held in the air; a closure is read from the absence of movements against the baseline, not from a NOTAM.")
    out.append("Diversions found only from a callsign's usual destination are inferred: an airline that changed its schedule that day "
               "would look the same. Those found from a seen approach are observed.")
    if not d.has_points:
        out.append("No Points table was available: holding and go-arounds were not measured, and diversions rest on callsigns only.")
    q = len(ds.quarantine) if ds is not None else 0
    failed = int((ds.manifest["error"] != "").sum()) if ds is not None and len(ds.manifest) else 0
    out.append(f"Inputs: {q:,} records were quarantined and {failed} file(s) could not be read; see tables/quarantine.csv and the manifest.")
    return out


def page_context(d: Any, legs: pd.DataFrame, scn: Any, tz: str, anchors: set[str]) -> dict[str, Any]:
    """The index page's disruption section: per-field summary, closures, diversions, holdings, go-arounds."""
    from flighttrace.kinds.disruption.claims import closure_item_id

    names = airport_names(scn, d.airports)
    h = d.hourly
    if d.focus_start is not None:
        h = h[(h["hour"] >= d.focus_start) & (h["hour"] < d.focus_end)]
    div, hold, ga = d.in_focus("diversions"), d.in_focus("holdings"), d.in_focus("go_arounds")
    fields = []
    for ap in d.airports:  # one row per watched field
        x = h[h["airport"] == ap]
        covered = x["covered"].to_numpy(dtype=bool)
        seen = float(np.nansum(x["movements"].to_numpy(dtype=float)))
        base = x["baseline_mean"].to_numpy(dtype=float)
        fields.append({
            "code": ap, "name": names.get(ap, ap), "hours": f"{int(covered.sum())} / {len(x)}", "movements": f"{seen:g}",
            "baseline": _num(np.nansum(np.where(covered, base, np.nan)), "{:.0f}") if np.isfinite(base).any() else "—",
            "closures": int((d.closures["airport"] == ap).sum()), "diverted": int((div["intended"] == ap).sum()),
            "held": int((hold["airport"] == ap).sum()), "go_arounds": int((ga["airport"] == ap).sum()),
        })
    closures = []
    for c in d.closures.itertuples():  # one row per closure
        key = closure_item_id(c.airport, c.start if not pd.isna(c.start) else c.start_latest)
        closures.append({
            "id": key, "link": key in anchors, "airport": c.airport, "name": names.get(c.airport, c.airport),
            "closed": f"{fmt_hm(c.start)}–{fmt_hm(c.end)} UTC", "local": _local_span(c.start, c.end, tz),
            "start_between": f"{fmt_hm(c.start_earliest)}–{fmt_hm(c.start_latest)}", "end_between": f"{fmt_hm(c.end_earliest)}–{fmt_hm(c.end_latest)}",
            "length": fmt_duration(c.duration_s), "gap": f"{fmt_hm(c.last_time)}–{fmt_hm(c.next_time)} ({fmt_duration(c.gap_s)})",
            "expected": f"{c.expected:.1f} (needs {c.threshold:.1f})", "censored": c.censored or "",
        })
    diversions = [{
        "leg_id": r.leg_id, "callsign": _s(r.callsign), "icao24": r.icao24, "intended": r.intended, "landed": _s(r.landed),
        "outcome": r.outcome.replace("_", " "), "method": r.method, "grade": r.grade, "time": fmt_time(r.time, tz),
    } for r in div.itertuples()]
    holdings = [{
        "id": r.holding_id, "callsign": _s(r.callsign), "icao24": r.icao24, "airport": _s(r.airport), "when": f"{fmt_hm(r.start)}–{fmt_hm(r.end)} UTC",
        "length": fmt_duration(r.duration_s), "laps": f"{r.laps:.1f}", "alt": f"{r.alt_min_ft:,.0f}–{r.alt_max_ft:,.0f} ft", "grade": r.grade,
    } for r in hold.itertuples()]
    go_arounds = [{
        "id": _ga_id(r), "callsign": _s(r.callsign), "airport": r.airport, "time": fmt_time(r.time, tz), "low": f"{r.min_agl_ft:,.0f} ft, {r.min_dist_km:.1f} km",
        "climb": f"{r.climb_ft:,.0f} ft", "landed": _s(r.landed), "grade": r.grade,
    } for r in ga.itertuples()]
    window = f"{fmt_time(d.focus_start, tz)} – {fmt_time(d.focus_end, tz)}" if d.focus_start is not None else "—"
    n_base = int(d.hourly["baseline_weeks"].max()) if len(d.hourly) else 0
    return {"window": window, "fields": fields, "closures": closures, "diversions": diversions, "holdings": holdings,
            "go_arounds": go_arounds, "baseline_weeks": n_base}


def _local_span(a: Any, b: Any, tz: str) -> str:
    if a is None or pd.isna(a) or b is None or pd.isna(b) or tz == "UTC":
        return ""
    return f"{pd.Timestamp(a).tz_convert(tz):%H:%M}–{pd.Timestamp(b).tz_convert(tz):%H:%M} local"


def _ga_id(r: Any) -> str:
    return f"ga-{r.leg_id}-{pd.Timestamp(r.time):%H%M%S}"


def _lineage_sources(lineage: Any, sha_of: dict[str, str]) -> list[dict[str, str]]:
    out = []
    for part in (lineage or "").split("; ") if isinstance(lineage, str) else []:
        if not part:
            continue
        f, _, rows = part.rpartition(":")
        out.append({"file": f, "rows": rows, "sha256": sha_of.get(f, "—")})
    return out


def _leg_row(by_id: pd.DataFrame, lid: Any, tz: str) -> dict[str, Any] | None:
    if not isinstance(lid, str) or lid not in by_id.index:
        return None
    lg = by_id.loc[lid]
    return {
        "leg_id": lid, "callsign": _s(lg.get("callsign")), "takeoff": fmt_time(lg["takeoff_time"], tz), "landing": fmt_time(lg["landing_time"], tz),
        "origin": _s(lg["origin"]), "origin_evidence": lg["origin_evidence"], "origin_reason": lg["origin_reason"],
        "destination": _s(lg["destination"]), "destination_evidence": lg["destination_evidence"], "destination_reason": lg["destination_reason"],
        "first_seen": fmt_time(lg["first_seen"]), "last_seen": fmt_time(lg["last_seen"]), "n_points": f"{as_int(lg['n_points']):,}", "max_gap": fmt_duration(lg["max_gap_s"]),
    }


def cards(d: Any, legs: pd.DataFrame, sha_of: dict[str, str], tz: str, scn: Any) -> dict[str, list[dict[str, Any]]]:
    """Evidence cards: one per closure, diversion, holding and go-around in the disruption window."""
    from flighttrace.kinds.disruption.claims import closure_item_id

    by_id = legs.set_index("leg_id")
    names = airport_names(scn, d.airports)
    out: dict[str, list[dict[str, Any]]] = {"closures": [], "diversions": [], "holdings": [], "go_arounds": []}
    for c in d.closures.itertuples():  # one card per closure
        rows = [r for r in (_leg_row(by_id, c.last_leg, tz), _leg_row(by_id, c.next_leg, tz)) if r is not None]
        out["closures"].append({
            "id": closure_item_id(c.airport, c.start if not pd.isna(c.start) else c.start_latest), "title": f"{names.get(c.airport, c.airport)} closed",
            "grade": _grade_of(c.last_grade, c.next_grade), "facts": [
                ("Closed (estimate)", f"{fmt_time(c.start, tz)} – {fmt_time(c.end, tz)} ({fmt_duration(c.duration_s)})"),
                ("Start between", f"{fmt_time(c.start_earliest)} and {fmt_time(c.start_latest)}"),
                ("End between", f"{fmt_time(c.end_earliest)} and {fmt_time(c.end_latest)}"),
                ("No take-off or landing", f"from {fmt_time(c.last_time)} to {fmt_time(c.next_time)} ({fmt_duration(c.gap_s)})"),
                ("Baseline", f"{c.expected:.1f} movements expected in that run; a closure needs {c.threshold:.1f} (chance of none: {c.p_none:.2g})"),
                ("Last movement before", f"{_s(c.last_leg)} ({_s(c.last_grade)})"), ("First movement after", f"{_s(c.next_leg)} ({_s(c.next_grade)})"),
            ], "legs": rows, "sources": _lineage_sources(c.lineage, sha_of)})
    for r in d.in_focus("diversions").itertuples():  # one card per diversion
        facts = [("Heading for", f"{names.get(r.intended, r.intended)} (intent {r.intent_grade}: {r.method})"),
                 ("Landed at", f"{_s(r.landed)} ({r.landing_grade})" if isinstance(r.landed, str) else "not seen: the track turned away and was lost"),
                 ("When", fmt_time(r.time, tz)), ("How we know", _s(r.detail))]
        if not pd.isna(r.approach_start):
            facts.append(("Approach seen", f"{fmt_time(r.approach_start)} – {fmt_hm(r.approach_end)} UTC, down to {r.approach_min_agl_ft:,.0f} ft, {r.approach_min_km:.1f} km out"))
        row = _leg_row(by_id, r.leg_id, tz)
        out["diversions"].append({"id": r.leg_id, "title": f"{_s(r.callsign)} · {r.icao24} · {r.intended} → {_s(r.landed)}", "grade": r.grade,
                                  "facts": facts, "legs": [row] if row else [], "sources": _lineage_sources(r.lineage, sha_of)})
    for r in d.in_focus("holdings").itertuples():  # one card per holding
        row = _leg_row(by_id, r.leg_id, tz)
        out["holdings"].append({"id": r.holding_id, "title": f"{r.holding_id} · {_s(r.callsign)} · {r.icao24} · held for {_s(r.airport)}", "grade": r.grade,
                                "facts": [("Circling", f"{fmt_time(r.start, tz)} – {fmt_hm(r.end)} UTC ({fmt_duration(r.duration_s)}), {r.laps:.1f} laps turning {r.direction}"),
                                          ("Where", f"centre {r.lat:.4f}, {r.lon:.4f}, radius {r.radius_km:.1f} km, {r.dist_km:.0f} km from {_s(r.airport)}"),
                                          ("Altitude", f"{r.alt_min_ft:,.0f} – {r.alt_max_ft:,.0f} ft"),
                                          ("Positions", f"rows {int(r.point_start):,}–{int(r.point_end) - 1:,} of the sorted positions")],
                                "legs": [row] if row else [], "sources": _lineage_sources(r.lineage, sha_of)})
    for r in d.in_focus("go_arounds").itertuples():  # one card per go-around
        row = _leg_row(by_id, r.leg_id, tz)
        out["go_arounds"].append({"id": _ga_id(r), "title": f"{_s(r.callsign)} · {r.icao24} · go-around at {r.airport}", "grade": r.grade,
                                  "facts": [("Low pass", f"{fmt_time(r.time, tz)}: {r.min_agl_ft:,.0f} ft above {r.airport}, {r.min_dist_km:.1f} km from it"),
                                            ("Then", f"climbed {r.climb_ft:,.0f} ft without touching down; the leg ended at {_s(r.landed)}")],
                                  "legs": [row] if row else [], "sources": _lineage_sources(r.lineage, sha_of)})
    return out


def _grade_of(a: Any, b: Any) -> str:
    from flighttrace.tracks.legs import GRADES

    rank = {g: i for i, g in enumerate(GRADES)}
    ra = rank.get(a, len(GRADES) - 1) if isinstance(a, str) else len(GRADES) - 1
    rb = rank.get(b, len(GRADES) - 1) if isinstance(b, str) else len(GRADES) - 1
    return GRADES[max(ra, rb)]


def evidence_legs(d: Any, legs: pd.DataFrame) -> pd.DataFrame:
    """The legs behind the disruption findings (diverted, held, going around, bracketing a closure), in leg order."""
    ids: set[str] = set()
    for name in ("diversions", "holdings", "go_arounds"):
        ids |= set(d.in_focus(name)["leg_id"].astype(str))
    for col in ("last_leg", "next_leg"):
        ids |= {x for x in d.closures[col] if isinstance(x, str)}
    return legs[legs["leg_id"].astype(str).isin(ids)].reset_index(drop=True)
