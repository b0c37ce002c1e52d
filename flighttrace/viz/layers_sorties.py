"""The layers of a sorties map: the legs of sorties, by event window or by year, and the airports.

:func:`sortie_layers` is this module's one public function: from legs,
sorties and a scenario it makes the :class:`~flighttrace.viz.mapparts.KindLayers`
that :func:`flighttrace.viz.maps.map_sorties` draws. A leg goes to the layer of
the earliest event window holding its sortie's arrival at the far field (or
to its year); it is drawn once, in its aircraft's colour or its layer's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, Literal

import numpy as np
import pandas as pd

from flighttrace.numfmt import fmt_ft
from flighttrace.viz import GREY, PALETTE
from flighttrace.viz.mapparts import GAP_DASH as _GAP_DASH
from flighttrace.viz.mapparts import SEEN_WEIGHT as _SEEN_WEIGHT
from flighttrace.viz.mapparts import KindLayers, MapLayer, add_leg, airport_point, airport_rows, code_text, label_directions
from flighttrace.viz.popups import _gap_tooltip, _leg_popup, _leg_tooltip, _row_html, escape_html
from flighttrace.viz.popups import present as _present
from flighttrace.viz.tracks import _PointTable, _records, _select, _tracks

if TYPE_CHECKING:  # pragma: no cover
    from branca.element import Element

    from flighttrace.scenario import Scenario
    from flighttrace.viz.tracks import _Track

__all__ = ["sortie_layers"]

_OUTSIDE: Final = "~outside"
ZOOM_START: Final = 5
"""Zoom of the map before it fits the data."""


@dataclass
class _Group:
    key: str
    label: str
    start: pd.Timestamp | None = None
    end: pd.Timestamp | None = None
    event_start: pd.Timestamp | None = None
    members: list[int] = field(default_factory=list)
    detail: str = ""

    def html(self) -> str:
        """The label as escaped HTML, with the details as hover text."""
        if not self.detail:
            return escape_html(self.label)
        return f'<span title="{escape_html(self.detail)}">{escape_html(self.label)}</span>'


def _windows(scenario: Scenario | None, events: pd.DataFrame | None, lead: pd.Timedelta, lag: pd.Timedelta) -> pd.DataFrame:
    """Event windows as ``key``, ``name``, ``event_start``, ``start``, ``end`` (UTC, end exclusive), sorted by start."""
    if events is not None and len(events):
        ev = events
        key = ev["event_id"] if "event_id" in ev else ev["id"]
        start = ev["window_start"] if "window_start" in ev else pd.to_datetime(ev["start"], utc=True) - lead
        end = ev["window_end"] if "window_end" in ev else pd.to_datetime(ev["end"], utc=True) + lag
        name = ev.get("name", key)
        ev_start = ev.get("start", start)
    elif scenario is not None and len(scenario.events):
        ev = scenario.events_frame()
        key, name = ev["id"], ev["name"]
        start, end, ev_start = ev["start"] - lead, ev["end"] + lag, ev["start"]
    else:
        return pd.DataFrame(columns=["key", "name", "event_start", "start", "end"])
    out = pd.DataFrame(
        {
            "key": key.astype(str).to_numpy(dtype=object),
            "name": name.astype(str).to_numpy(dtype=object),
            "event_start": pd.to_datetime(ev_start, utc=True).to_numpy(),
            "start": pd.to_datetime(start, utc=True).to_numpy(),
            "end": pd.to_datetime(end, utc=True).to_numpy(),
        }
    )
    for c in ("event_start", "start"):
        out[c] = pd.to_datetime(out[c], utc=True)
    out["end"] = pd.to_datetime(out["end"], utc=True)
    return out.sort_values(["start", "key"], kind="stable").reset_index(drop=True)


def _day_span(start: pd.Timestamp, end: pd.Timestamp) -> str:
    last = end - pd.Timedelta(microseconds=1)
    return f"{start:%d %b %Y} \u2013 {last:%d %b %Y}"


def _groups(ref: pd.Series, sortie_of: list[str | None], layers: str | None, windows: pd.DataFrame) -> tuple[list[_Group], np.ndarray]:
    """Layer groups and the group index of each leg (one group per leg: layers do not duplicate tracks)."""
    n = len(ref)
    if layers == "event" and len(windows):
        t = ref.to_numpy(dtype="datetime64[ns]")
        starts = windows["start"].dt.tz_convert("UTC").dt.tz_localize(None).to_numpy(dtype="datetime64[ns]")
        ends = windows["end"].dt.tz_convert("UTC").dt.tz_localize(None).to_numpy(dtype="datetime64[ns]")
        inside = (t[:, None] >= starts[None, :]) & (t[:, None] < ends[None, :])
        first = np.where(inside.any(axis=1), inside.argmax(axis=1), -1)  # the earliest window holding the leg
        groups = [
            _Group(str(k), str(nm), s, e, es)
            for k, nm, s, e, es in zip(windows["key"], windows["name"], windows["start"], windows["end"], windows["event_start"], strict=True)
        ]
        groups.append(_Group(_OUTSIDE, "Outside the event windows"))
        idx = np.where(first >= 0, first, len(groups) - 1)
    elif layers in ("event", "year"):
        years = ref.dt.year.to_numpy()
        uniq = sorted({int(y) for y in years if pd.notna(y)})
        groups = [_Group(str(y), str(y)) for y in uniq]
        pos = {y: i for i, y in enumerate(uniq)}
        idx = np.array([pos.get(int(y), 0) if pd.notna(y) else 0 for y in years], dtype=np.intp)
    elif layers is None:
        groups = [_Group("tracks", "Tracks")]
        idx = np.zeros(n, dtype=np.intp)
    else:
        raise ValueError(f"layers must be 'event', 'year' or None, not {layers!r}")
    for i, g in enumerate(idx):
        groups[int(g)].members.append(i)
    keep = [g for g in groups if g.members]
    remap = {id(g): k for k, g in enumerate(keep)}
    new_idx = np.array([remap[id(groups[int(g)])] for g in idx], dtype=np.intp) if n else np.empty(0, dtype=np.intp)
    for g in keep:
        n_sorties = len({sortie_of[i] for i in g.members if sortie_of[i] is not None})
        n_legs = len(g.members)
        count = f"{n_sorties} sortie{'s' if n_sorties != 1 else ''}" if n_sorties else f"{n_legs} leg{'s' if n_legs != 1 else ''}"
        if g.start is not None and g.end is not None:
            when = g.event_start if g.event_start is not None else g.start
            g.detail = f"Window {_day_span(g.start, g.end)} (UTC days)"
            g.label = f"{when:%b %Y} \u00b7 {g.label} ({count})"
        else:
            g.label = f"{g.label} ({count})"
    return keep, new_idx


def _reference_times(sel: pd.DataFrame, sortie_of: list[str | None], by_sortie: dict[str, dict[str, Any]]) -> pd.Series:
    """The time that places a leg in a period: its sortie's arrival at (else departure from) the far field, else first seen."""
    base = pd.to_datetime(sel["first_seen"], utc=True) if "first_seen" in sel else pd.Series(pd.NaT, index=sel.index, dtype="datetime64[ns, UTC]")
    vals = []
    for i, sid in enumerate(sortie_of):
        t: Any = None
        if sid is not None:
            s = by_sortie[sid]
            t = s.get("arrive_far") if _present(s.get("arrive_far")) else s.get("depart_far")
        vals.append(pd.Timestamp(t) if _present(t) else base.iat[i])
    return pd.to_datetime(pd.Series(vals, index=sel.index, dtype=object), utc=True)


def _slider(recs: list[dict[str, Any]], tracks: list[_Track], colour: list[str], *, period: str) -> Element:
    """A TimestampedGeoJson of the seen runs and gaps (no text from the data goes in it)."""
    from flighttrace.viz.offline import offline_timestamped_geojson

    features = []
    for r, tr, c in zip(recs, tracks, colour, strict=True):
        first = pd.Timestamp(r["first_seen"]).value // 1_000_000 if _present(r.get("first_seen")) else 0
        for run, times in zip(tr.runs, tr.times, strict=True):
            if len(run) < 2:
                continue
            ms = (times // 1_000_000).tolist() if times is not None else [first] * len(run)
            features.append({"type": "Feature", "geometry": {"type": "LineString", "coordinates": run[:, ::-1].copy().tolist()},
                             "properties": {"times": ms, "style": {"color": c, "weight": _SEEN_WEIGHT, "opacity": 0.9}}})
        for gap in tr.gaps:
            ms = [gap["t0"] // 1_000_000, gap["t1"] // 1_000_000] if gap["t0"] is not None else [first, first]
            features.append({"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[gap["a"][1], gap["a"][0]], [gap["b"][1], gap["b"][0]]]},
                             "properties": {"times": ms, "style": {"color": c, "weight": 2, "opacity": 0.85, "dashArray": _GAP_DASH}}})
    return offline_timestamped_geojson({"type": "FeatureCollection", "features": features}, period=period, add_last_point=False, auto_play=False,
                              loop=False, date_options="YYYY-MM-DD HH:mm [UTC]", transition_time=100)


# --------------------------------------------------------------------------- the layers


def _colours(hexes: list[str], groups: list[_Group], group_of: np.ndarray, color_by: str) -> tuple[list[str], dict[str, str], dict[str, str]]:
    """Each leg's colour, and the colour of each aircraft and of each group."""
    aircraft = sorted(set(hexes))
    ac_colour = {h: PALETTE[i % len(PALETTE)] for i, h in enumerate(aircraft)}
    grp_colour = {g.key: (GREY if g.key == _OUTSIDE else PALETTE[i % len(PALETTE)]) for i, g in enumerate(groups)}
    colour = [ac_colour[h] if color_by == "aircraft" else grp_colour[groups[int(group_of[i])].key] for i, h in enumerate(hexes)]
    return colour, ac_colour, grp_colour


def _airports_layer(airports: list[dict[str, Any]]) -> MapLayer:
    """The airports: the scenario's labelled, every drawn leg's end marked, each with a popup."""
    layer = MapLayer("Airports", popup_width=360, marker="circle_marker")
    directions = label_directions(airports, [bool(a["in_scenario"]) for a in airports])
    for a, direction in zip(airports, directions, strict=True):  # a few dozen airports at most
        rows = [("Code", code_text(a)), ("Country", escape_html(a["country"])),
                ("Elevation", fmt_ft(a["elevation_ft"])),
                ("On this map", ("named in the scenario; " if a["in_scenario"] else "") + f"{a['n_legs']} drawn leg end{'s' if a['n_legs'] != 1 else ''}")]
        style = {"radius": 6 if a["in_scenario"] else 4, "color": "#222222", "weight": 2, "fill": True, "fillColor": "#ffffff", "fillOpacity": 1.0}
        tip = f"{escape_html(a['code'])} {escape_html(a['short'])}" if a["in_scenario"] else f"{escape_html(a['code'])} {escape_html(a['name'])}"
        layer.add(airport_point(a), style, kind="airport", popup=f'<div class="ft-popup"><b>{escape_html(a["name"])}</b>{_row_html(rows)}</div>',
                  tooltip=tip, tip={"permanent": bool(a["in_scenario"]), "direction": direction})
    return layer


def _legend(recs: list[dict[str, Any]], groups: list[_Group], fleet_reg: dict[str, str], ac_colour: dict[str, str],
            grp_colour: dict[str, str], *, color_by: str, layers: str | None, windows: pd.DataFrame, events: pd.DataFrame | None,
            lead: pd.Timedelta, lag: pd.Timedelta) -> tuple[list[tuple[str, str]], str, str]:
    """The legend's entries, heading and note."""
    if color_by == "aircraft":
        reg: dict[str, str] = {}
        for r in recs:
            h = str(r.get("icao24"))
            if h not in reg and _present(r.get("registration")):
                reg[h] = str(r.get("registration"))
        aircraft = sorted(ac_colour)
        reg = {h: reg.get(h) or fleet_reg.get(h.lower(), h) for h in aircraft}
        entries = [(ac_colour[h], f"{escape_html(reg.get(h, h))} ({escape_html(h)})") for h in aircraft]
        heading, note = "Aircraft", "Colours repeat beyond eight aircraft." if len(aircraft) > len(PALETTE) else ""
    else:
        entries = [(grp_colour[g.key], g.html()) for g in groups]
        heading, note = "Period", ""
    if layers == "event" and len(windows) and events is None:
        note += f" Layers: sorties within {lead.days} days before to {lag.days} days after each event (hover a layer for its dates)."
    elif layers == "event" and len(windows):
        note += " Layers: sorties within each event's window (hover a layer for its dates)."
    note = (note.strip() + " " if note.strip() else "") + "Times in popups are UTC."
    return entries, heading, note


def sortie_layers(
    legs: pd.DataFrame,
    sorties: pd.DataFrame | None,
    scenario: Scenario | None,
    *,
    points: pd.DataFrame | None,
    color_by: Literal["aircraft", "period"],
    layers: Literal["event", "year"] | None,
    events: pd.DataFrame | None,
    window_lead: pd.Timedelta,
    window_lag: pd.Timedelta,
    time_slider: bool,
    slider_period: str,
    max_vertices: int,
    tolerance_deg: float,
    gap_s: float,
    evidence_page: str | None = None,
) -> KindLayers:
    """What a sorties map draws: a layer of legs per event window (or year), the airports, the legend.

    Parameters
    ----------
    legs, sorties, scenario, points
        As for :func:`flighttrace.viz.maps.map_sorties`.
    color_by, layers, events, window_lead, window_lag, time_slider, slider_period, max_vertices, tolerance_deg, gap_s, evidence_page
        As for :func:`flighttrace.viz.maps.map_sorties`.

    Raises
    ------
    ValueError
        For a ``color_by`` or ``layers`` it does not know.

    Returns
    -------
    KindLayers
        One layer per group of legs, in time order, then the airports; the
        time slider, if asked for, in ``extra``.
    """
    if color_by not in ("aircraft", "period"):
        raise ValueError(f"color_by must be 'aircraft' or 'period', not {color_by!r}")
    if layers not in ("event", "year", None):
        raise ValueError(f"layers must be 'event', 'year' or None, not {layers!r}")
    sel, sortie_of, role_of, by_sortie = _select(legs, sorties)
    recs = _records(sel)
    table = _PointTable(points) if points is not None and len(recs) else None
    tracks = _tracks(sel, recs, table, gap_s=gap_s, tolerance_deg=tolerance_deg, max_vertices=max_vertices)
    windows = _windows(scenario, events, window_lead, window_lag) if layers == "event" else _windows(None, None, window_lead, window_lag)
    ref = _reference_times(sel, sortie_of, by_sortie) if len(sel) else pd.Series([], dtype="datetime64[ns, UTC]")
    groups, group_of = _groups(ref, sortie_of, layers, windows)
    fleet_reg: dict[str, str] = {}  # registrations from the scenario's fleet list, for legs whose data carried none
    if scenario is not None:
        for ac in scenario.fleet.aircraft:
            if ac.hex is not None:
                fleet_reg.setdefault(str(ac.hex).lower(), ac.registration)
    hexes = [str(r.get("icao24")) for r in recs]
    colour, ac_colour, grp_colour = _colours(hexes, groups, group_of, color_by)
    codes_legs: dict[str, int] = {}
    for r in recs:
        for end in ("origin", "destination"):
            if _present(r.get(end)):
                codes_legs[str(r[end])] = codes_legs.get(str(r[end]), 0) + 1
    airports = airport_rows(set(scenario.airport_codes()) if scenario is not None else set(), codes_legs, scenario)
    ap_pos = {a["query"]: (a["lat"], a["lon"]) for a in airports} | {a["code"]: (a["lat"], a["lon"]) for a in airports}
    short = {a["query"]: a["short"] for a in airports} | {a["code"]: a["short"] for a in airports}
    for r in recs:  # the fields' names beside their codes in the popups
        for end in ("origin", "destination"):
            r[f"{end}_name"] = short.get(str(r.get(end)), "") if _present(r.get(end)) else ""
    out = [MapLayer(g.html(), popup_width=480, marker="circle_marker", show=not time_slider) for g in groups]
    for i, (r, tr) in enumerate(zip(recs, tracks, strict=True)):  # one iteration per leg
        if not tr.runs:
            continue
        sid, freg = sortie_of[i], fleet_reg.get(hexes[i].lower())
        add_leg(out[int(group_of[i])], r, tr, colour=colour[i], popup=_leg_popup(r, by_sortie.get(sid) if sid else None, role_of[i], tr, freg, evidence_page),
                tooltip=_leg_tooltip(r, freg), gap_tips=[_gap_tooltip(g, tr.located_by) for g in tr.gaps], ap_pos=ap_pos, dots=True,
                end_reasons=True)
    entries, heading, note = _legend(recs, groups, fleet_reg, ac_colour, grp_colour, color_by=color_by, layers=layers, windows=windows,
                                     events=events, lead=window_lead, lag=window_lag)
    title = f"{scenario.meta.title} \u2014 sorties map" if scenario is not None else "flighttrace map"
    kind = KindLayers(out + [_airports_layer(airports)], entries, heading, note, title, ZOOM_START,
                      lats=[run[:, 0] for t in tracks for run in t.runs] + [np.array([a["lat"] for a in airports])],
                      lons=[run[:, 1] for t in tracks for run in t.runs] + [np.array([a["lon"] for a in airports])])
    if time_slider and recs:
        kind.extra.append(lambda: _slider(recs, tracks, colour, period=slider_period))
    return kind
