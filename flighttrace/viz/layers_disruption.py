"""The layers of a disruption map: diverted tracks, tracks that held, go-arounds, the flights either side of each closure,
holding circles, closed airports.

:func:`disruption_layers` is this module's one public function: from legs and
the measures of :func:`flighttrace.kinds.disruption.analysis.analyze` it makes the
:class:`~flighttrace.viz.mapparts.KindLayers` that
:func:`flighttrace.viz.maps.map_disruption` draws.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

import numpy as np
import pandas as pd

from flighttrace.numfmt import fmt_ft, fmt_km
from flighttrace.timefmt import fmt_duration, fmt_hm
from flighttrace.viz import PALETTE
from flighttrace.viz.mapparts import KindLayers, MapLayer, add_leg, airport_point, airport_rows, code_text, label_directions
from flighttrace.viz.popups import _gap_tooltip, _leg_popup, _leg_tooltip, _row_html, card_link, escape_html, fmt_time_s
from flighttrace.viz.popups import present as _present
from flighttrace.viz.tracks import _COORD_DECIMALS, _PointTable, _records, _select, _tracks

if TYPE_CHECKING:  # pragma: no cover
    from flighttrace.scenario import Scenario

__all__ = ["KIND_COLOUR", "disruption_layers"]

KIND_COLOUR: Final = {"diversion": PALETTE[4], "holding": PALETTE[0], "go_around": PALETTE[3], "closure_edge": PALETTE[2]}
"""Colour of each kind of track: diverted vermillion, held blue, go-around reddish purple, and bluish green for the last
movement at a field before a closure and the first after it (Okabe–Ito)."""
ZOOM_START: Final = 7
"""Zoom of the map before it fits the data."""


def _by_leg(df: pd.DataFrame) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for r in _records(df):
        out.setdefault(str(r["leg_id"]), []).append(r)
    return out


def _closure_edges(closures: pd.DataFrame) -> dict[str, list[str]]:
    """Per leg, what it was to a closure: the last movement at the field before it, or the first after it (popup text)."""
    out: dict[str, list[str]] = {}
    for c in _records(closures):  # a few closures
        span = f"closure {escape_html(c.get('closure_id'))} at <b>{escape_html(c.get('airport'))}</b>, {fmt_hm(c.get('start'))}–{fmt_hm(c.get('end'))} UTC"
        for col, word in (("last_leg", "the last movement there before the"), ("next_leg", "the first movement there after the")):
            if _present(c.get(col)):
                out.setdefault(str(c[col]), []).append(f"{word} {span}")
    return out


def _leg_extra(lid: str, div: dict[str, list[dict[str, Any]]], hold: dict[str, list[dict[str, Any]]],
               ga: dict[str, list[dict[str, Any]]], edges: dict[str, list[str]] | None = None) -> str:
    """The rows a leg's popup adds about its diversion, holdings, go-arounds and the closures it bounds."""
    extra: list[tuple[str, str]] = [("Closure", text) for text in (edges or {}).get(lid, [])]
    for dv in div.get(lid, [])[-1:]:  # the last one recorded for the leg
        where = f"landed at <b>{escape_html(dv.get('landed'))}</b>" if _present(dv.get("landed")) else "turned away; landing not seen"
        extra.append(("Diversion", (f"heading for <b>{escape_html(dv.get('intended'))}</b>, {where}; evidence <b>{escape_html(dv.get('grade'))}</b> "
                                    f"({escape_html(dv.get('method'))})<br><i>{escape_html(dv.get('detail'))}</i>")))
    for h in hold.get(lid, []):
        extra.append(("Holding", (f"{escape_html(h.get('holding_id'))}: {float(h['laps']):.1f} laps, {fmt_hm(h.get('start'))}\u2013{fmt_hm(h.get('end'))} UTC "
                                  f"({fmt_duration(h.get('duration_s'))}) for {escape_html(h.get('airport'))}")))
    for g in ga.get(lid, []):
        extra.append(("Go-around", (f"at {escape_html(g.get('airport'))}, {fmt_time_s(g.get('time'))}: down to {fmt_ft(g['min_agl_ft'])}, "
                                    f"then up {fmt_ft(g['climb_ft'])}")))
    return f'<div class="ft-popup">{_row_html(extra)}</div>'


def _point(lat: Any, lon: Any) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [round(float(lon), _COORD_DECIMALS), round(float(lat), _COORD_DECIMALS)]}


def _go_around_markers(layer: MapLayer, ga: pd.DataFrame, evidence_page: str | None) -> None:
    """A marker at each go-around's low pass (its track is drawn in its layer, or with the diversions when it then diverted)."""
    for g in _records(ga):
        rows = [("Go-around", f"at {escape_html(g.get('airport'))}, {fmt_time_s(g.get('time'))}"),
                ("Aircraft", f"{escape_html(g.get('callsign'), missing='no callsign')} ({escape_html(g.get('icao24'))})"),
                ("Low pass", f"{fmt_ft(g['min_agl_ft'])} above the field, {fmt_km(g['min_dist_km'])} from it; then up {fmt_ft(g['climb_ft'])}"),
                ("Then", f"landed at {escape_html(g.get('landed'), missing='no field named')}"),
                ("Leg", escape_html(g.get("leg_id"))), ("Source rows", escape_html(g.get("lineage"))), *card_link(evidence_page, g.get("leg_id"))]
        colour = KIND_COLOUR["go_around"]
        layer.add(_point(g["lat"], g["lon"]), {"radius": 6, "color": colour, "weight": 3, "fill": True, "fillColor": colour, "fillOpacity": 0.6},
                  kind="go_around", popup=f'<div class="ft-popup">{_row_html(rows)}</div>',
                  tooltip=f"Go-around at {escape_html(g.get('airport'))} ({escape_html(g.get('callsign'), missing='')})")


def _holding_circles(hold: pd.DataFrame, evidence_page: str | None) -> MapLayer:
    """The centre and mean radius of each circling segment (at least 1 km drawn)."""
    layer = MapLayer(escape_html(f"Holding circles ({len(hold)})"), popup_width=420, marker="circle")
    for h in _records(hold):
        rows = [("Holding", escape_html(h.get("holding_id"))), ("Aircraft", f"{escape_html(h.get('callsign'), missing='no callsign')} ({escape_html(h.get('icao24'))})"),
                ("For", escape_html(h.get("airport"), missing="no field within range")),
                ("Time", f"{fmt_time_s(h.get('start'))} \u2013 {fmt_hm(h.get('end'))} UTC ({fmt_duration(h.get('duration_s'))})"),
                ("Turns", f"{float(h['laps']):.1f} laps ({escape_html(h.get('direction'))}), radius {fmt_km(h['radius_km'])}"),
                ("Altitude", f"{fmt_ft(h['alt_min_ft'])}\u2013{fmt_ft(h['alt_max_ft'])}"),
                ("Leg", escape_html(h.get("leg_id"))), ("Source rows", escape_html(h.get("lineage"))), *card_link(evidence_page, h.get("holding_id"))]
        style = {"radius": max(float(h["radius_km"]), 1.0) * 1000.0, "color": PALETTE[0], "weight": 2, "fill": True, "fillColor": PALETTE[0],
                 "fillOpacity": 0.12}
        layer.add(_point(h["lat"], h["lon"]), style, kind="holding_circle", popup=f'<div class="ft-popup">{_row_html(rows)}</div>',
                  tooltip=f"{escape_html(h.get('holding_id'))} {escape_html(h.get('callsign'), missing='')} "
                          f"holding for {escape_html(h.get('airport'), missing='?')}")
    return layer


def _airports_layer(airports: list[dict[str, Any]], disruption: Any, div: pd.DataFrame, hold: pd.DataFrame) -> MapLayer:
    """The airports, circled red when closed, with their closures, diversions and holdings in their popups."""
    layer = MapLayer("Airports (closures in the popups)", popup_width=380, marker="circle_marker")
    cl = disruption.closures
    for a, direction in zip(airports, label_directions(airports, [True] * len(airports)), strict=True):  # a few dozen airports at most
        mine = cl[cl["airport"] == a["code"]] if len(cl) else cl
        closed = "; ".join(f"{fmt_hm(c.start)}\u2013{fmt_hm(c.end)} UTC (start {fmt_hm(c.start_earliest)}\u2013{fmt_hm(c.start_latest)}, "
                           f"end {fmt_hm(c.end_earliest)}\u2013{fmt_hm(c.end_latest)})" for c in mine.itertuples()) if len(mine) else "no closure found"
        n_div = int((div["intended"] == a["code"]).sum()) if len(div) else 0
        n_hold = int((hold["airport"] == a["code"]).sum()) if len(hold) else 0
        rows = [("Code", code_text(a)), ("Closed", escape_html(closed) if a["code"] in disruption.airports else "not watched"),
                ("Diverted away", str(n_div)), ("Held for it", str(n_hold))]
        style = {"radius": 7 if len(mine) else 5, "color": PALETTE[4] if len(mine) else "#222222", "weight": 2, "fill": True, "fillColor": "#ffffff",
                 "fillOpacity": 1.0}
        layer.add(airport_point(a), style, kind="airport", popup=f'<div class="ft-popup"><b>{escape_html(a["name"])}</b>{_row_html(rows)}</div>',
                  tooltip=f"{escape_html(a['code'])} {escape_html(a['short'])}" + (" (closed)" if len(mine) else ""), tip={"permanent": bool(a["in_scenario"]), "direction": direction})
    return layer


def disruption_layers(legs: pd.DataFrame, disruption: Any, scenario: Scenario | None, *, points: pd.DataFrame | None, focus_only: bool,
                      max_vertices: int, tolerance_deg: float, gap_s: float, evidence_page: str | None = None) -> KindLayers:
    """What a disruption map draws: a layer per kind of disrupted track, the holding circles, the airports, the legend.

    Parameters
    ----------
    legs, disruption, scenario, points, focus_only, max_vertices, tolerance_deg, gap_s, evidence_page
        As for :func:`flighttrace.viz.maps.map_disruption` (checked there).

    Returns
    -------
    KindLayers
        Diverted tracks, tracks that held, go-arounds (tracks and low
        passes), holding circles, airports.
    """
    pick = (lambda n: disruption.in_focus(n)) if focus_only else (lambda n: getattr(disruption, n))
    div, hold, ga = pick("diversions"), pick("holdings"), pick("go_arounds")
    kind_of: dict[str, str] = {}
    for name, df in (("diversion", div), ("holding", hold), ("go_around", ga)):
        for lid in df["leg_id"].astype(str):
            kind_of.setdefault(lid, name)
    edges = _closure_edges(disruption.closures)  # the closures of the window: the flights on either side of each
    for lid in edges:
        kind_of.setdefault(lid, "closure_edge")
    sel, _, _, _ = _select(legs[legs["leg_id"].astype(str).isin(kind_of)], None)
    recs = _records(sel)
    table = _PointTable(points) if points is not None and len(recs) else None
    tracks = _tracks(sel, recs, table, gap_s=gap_s, tolerance_deg=tolerance_deg, max_vertices=max_vertices)
    by_div, by_hold, by_ga = _by_leg(div), _by_leg(hold), _by_leg(ga)
    codes_legs: dict[str, int] = {}
    for r in recs:
        for end in ("origin", "destination"):
            if _present(r.get(end)):
                codes_legs[str(r[end])] = codes_legs.get(str(r[end]), 0) + 1
    airports = airport_rows(set(scenario.airport_codes()) if scenario is not None else set(disruption.airports), codes_legs, scenario)
    ap_pos = {a["query"]: (a["lat"], a["lon"]) for a in airports} | {a["code"]: (a["lat"], a["lon"]) for a in airports}
    short = {a["query"]: a["short"] for a in airports} | {a["code"]: a["short"] for a in airports}
    for r in recs:  # the fields' names beside their codes in the popups
        for end in ("origin", "destination"):
            r[f"{end}_name"] = short.get(str(r.get(end)), "") if _present(r.get(end)) else ""
    labels = {"diversion": f"Diverted tracks ({len(div)})", "holding": f"Tracks that held ({len(hold)} holdings)", "go_around": f"Go-arounds ({len(ga)})",
              "closure_edge": f"Last movement before and first after each closure ({len(edges)} tracks)"}
    layers = {k: MapLayer(escape_html(labels[k]), popup_width=480, marker="circle_marker") for k in KIND_COLOUR}
    for r, tr in zip(recs, tracks, strict=True):  # one iteration per leg
        if not tr.runs:
            continue
        lid = str(r["leg_id"])
        add_leg(layers[kind_of[lid]], r, tr, colour=KIND_COLOUR[kind_of[lid]], popup=_leg_popup(r, None, None, tr, None, evidence_page) + _leg_extra(lid, by_div, by_hold, by_ga, edges),
                tooltip=_leg_tooltip(r, None), gap_tips=[_gap_tooltip(g, tr.located_by) for g in tr.gaps], ap_pos=ap_pos, dots=False, end_reasons=False)
    _go_around_markers(layers["go_around"], ga, evidence_page)
    entries = [(KIND_COLOUR[k], escape_html(labels[k])) for k in KIND_COLOUR]
    entries.append((PALETTE[0], escape_html(f"Holding circle: centre and mean radius ({len(hold)})")))
    note = ("Airports circled red closed in the window (times in their popups); green tracks are the last movement at a field "
            "before a closure and the first after it; purple dots mark go-arounds. A track that held and then diverted is drawn "
            "with the diversions. Times are UTC.")
    title = f"{scenario.meta.title} \u2014 disruption map" if scenario is not None else "flighttrace disruption map"
    return KindLayers([*layers.values(), _holding_circles(hold, evidence_page), _airports_layer(airports, disruption, div, hold)], entries, "Disruption",
                      escape_html(note), title, ZOOM_START,
                      lats=[run[:, 0] for t in tracks for run in t.runs] + [np.array([a["lat"] for a in airports])],
                      lons=[run[:, 1] for t in tracks for run in t.runs] + [np.array([a["lon"] for a in airports])])
