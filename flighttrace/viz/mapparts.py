"""The parts every flighttrace map shares: layers as GeoJSON feature collections, tracks, airports, legend.

A map is a handful of layers, each one :class:`folium.GeoJson` holding one
feature collection (all the tracks of an event window, all the holding
circles, all the airports …), not one folium element per line. A layer is
described by a :class:`MapLayer`; the kind modules
(:mod:`flighttrace.viz.layers_sorties`, :mod:`flighttrace.viz.layers_disruption`)
fill them and return a :class:`KindLayers`, which
:func:`flighttrace.viz.mapbase.build_map` turns into a page.

:func:`feature_layer` makes the :class:`folium.GeoJson`. folium writes a
layer's data into the layer's script and compiles that script as a Jinja
template: on a map of a few hundred legs that compile took longer than the
rest of the map, and a ``{{ … }}`` in a callsign would be evaluated. So the
GeoJson is made empty, and its features are written by a :class:`FeatureData`
child right after it, as JSON handed to Leaflet's ``addData``, never
compiled. Each feature carries its Leaflet style (``properties.style``, the
layer's ``style`` option reads it), its ``popup`` and ``tooltip`` (HTML made
by :mod:`flighttrace.viz.popups`, everything from the data escaped) and
``tip``, its tooltip's options (a few airport names are permanent labels),
bound by a short ``on_each_feature`` function.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, Literal

import numpy as np
from branca.element import Element, Figure

from flighttrace.viz.popups import escape_html
from flighttrace.viz.popups import present as _present
from flighttrace.viz.tracks import _COORD_DECIMALS

if TYPE_CHECKING:  # pragma: no cover
    import folium

    from flighttrace.scenario import Scenario
    from flighttrace.viz.tracks import _Track

__all__ = [
    "FeatureData",
    "KindLayers",
    "MapLayer",
    "add_leg",
    "airport_point",
    "airport_rows",
    "banner_html",
    "code_text",
    "feature_layer",
    "geojson_layer",
    "label_directions",
    "layer_name",
    "legend_html",
    "notice_html",
]

SEEN_WEIGHT: Final = 3
"""Line width of a seen track, pixels."""
GAP_DASH: Final = "8 8"
"""Dash pattern of a coverage gap (not seen, path unknown)."""
END_DASH: Final = "1 6"
"""Dot pattern of an unseen takeoff or landing."""
LABEL_CLEARANCE_KM: Final = 60.0
"""Two airport labels closer than this go on opposite sides of their markers."""
POPUP_CSS: Final = (
    "<style>.ft-popup{font:12px sans-serif}table.ft-popup{border-collapse:collapse}"
    ".ft-popup th{text-align:left;vertical-align:top;padding-right:8px;white-space:nowrap}"
    ".leaflet-control-layers-expanded{font:12px sans-serif;max-height:55vh;max-width:290px;overflow:auto;margin-top:48px!important}"
    ".flighttrace-legend{max-width:320px}</style>"
)
"""Styles of the popups, the layer control and the legend."""

_STYLE: Final = "function (feature) { return feature.properties.style; }"
"""The ``style`` option of every layer: each feature's own style."""
_POINT: Final = "function (feature, latlng) {{ return L.{factory}(latlng, feature.properties.style); }}"
"""The ``pointToLayer`` option of a layer of circles (``L.circleMarker``, radius in pixels, or ``L.circle``, in metres)."""
_BIND: Final = (
    "function (feature, layer) {{ var p = feature.properties;"
    " if (p.popup) {{ layer.bindPopup(p.popup, {{maxWidth: {width}}}); }}"
    " if (p.tooltip) {{ layer.bindTooltip(p.tooltip, p.tip || {{sticky: true}}); }} }}"
)
"""The ``on_each_feature`` of a layer: bind the feature's popup (``popup_width`` px wide at most) and tooltip."""


@dataclass
class MapLayer:
    """One layer of the layer control, drawn as one GeoJSON feature collection."""

    name_html: str
    """The name in the layer control, escaped HTML."""
    popup_width: int = 480
    """Widest popup, pixels."""
    marker: Literal["circle_marker", "circle"] | None = None
    """How points are drawn: a circle of a radius in pixels, or in metres (``style["radius"]``)."""
    show: bool = True
    features: list[dict[str, Any]] = field(default_factory=list)

    def add(self, geometry: dict[str, Any], style: dict[str, Any], *, kind: str, popup: str | None = None, tooltip: str | None = None,
            tip: dict[str, Any] | None = None, ref: str | None = None) -> None:
        """Add a feature.

        Parameters
        ----------
        geometry
            GeoJSON geometry (lon, lat).
        style
            Leaflet path options of the feature (``color``, ``weight``,
            ``dashArray``, ``radius`` for points …).
        kind
            What it is (``track``, ``gap``, ``unseen_end``, ``airport`` …).
        popup, tooltip
            HTML shown on click and on hover (escaped already); none when None.
        tip
            Leaflet options of the tooltip (default ``{sticky: true}``).
        ref
            The id a link to the map names it by (a leg id: ``map.html#leg=<id>``), escaped like every text; or None.
        """
        props: dict[str, Any] = {"kind": kind, "style": style}
        if ref is not None:
            props["ref"] = ref
        if popup is not None:
            props["popup"] = popup
        if tooltip is not None:
            props["tooltip"] = tooltip
        if tip is not None:
            props["tip"] = tip
        self.features.append({"type": "Feature", "properties": props, "geometry": geometry})


@dataclass
class KindLayers:
    """What a scenario kind draws: its layers, its legend, and where the map looks."""

    layers: list[MapLayer]
    legend_entries: list[tuple[str, str]]
    """(colour, escaped label) of each legend line."""
    legend_heading: str
    legend_note: str
    """Escaped HTML under the legend."""
    title: str
    """Default page title (plain text)."""
    zoom_start: int
    lats: list[np.ndarray] = field(default_factory=list)
    lons: list[np.ndarray] = field(default_factory=list)
    extra: list[Callable[[], Any]] = field(default_factory=list)
    """Makers of other folium elements to add to the map (a time slider): called while the map is built, so that their ids are the map's."""

    def bounds(self) -> list[list[float]] | None:
        """``[[lat_min, lon_min], [lat_max, lon_max]]`` of every drawn vertex and airport; None when nothing is drawn."""
        lat = np.concatenate(self.lats) if self.lats else np.empty(0)
        lon = np.concatenate(self.lons) if self.lons else np.empty(0)
        ok = np.isfinite(lat) & np.isfinite(lon)
        if not ok.any():
            return None
        return [[float(lat[ok].min()), float(lon[ok].min())], [float(lat[ok].max()), float(lon[ok].max())]]


def layer_name(name_html: str) -> str:
    """A layer's name for folium, its braces as character references.

    folium writes the layer control's script with the layer names in it and
    then compiles that script as a Jinja template; ``&#123;`` and ``&#125;``
    show as ``{`` and ``}`` in the control, and are no template syntax.
    """
    return name_html.replace("{", "&#123;").replace("}", "&#125;")


def _script_json(obj: Any) -> str:
    """JSON for a ``<script>`` block: ``<`` written ``\\u003c`` (no ``</script>`` or ``<!--`` can appear), line separators escaped."""
    text = json.dumps(obj, ensure_ascii=False, allow_nan=False)
    return text.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


class FeatureData(Element):
    """The features of a :class:`folium.GeoJson`, written into the page's script after it, as text (never compiled).

    Parameters
    ----------
    features
        GeoJSON features; their strings are HTML escaped already.
    """

    def __init__(self, features: list[dict[str, Any]]) -> None:
        super().__init__()
        self._name = "FeatureData"
        self.features = features

    def render(self, **kwargs: Any) -> str:
        """Add ``<layer>.addData(<features>);`` to the page's script (the same entry on every render); nothing in place."""
        from flighttrace.viz.offline import RawHTML

        root, parent = self.get_root(), self._parent
        if not isinstance(root, Figure) or parent is None:
            raise ValueError("FeatureData renders only inside a layer of a map")
        data = _script_json({"type": "FeatureCollection", "features": self.features})
        root.script.add_child(RawHTML(f"{parent.get_name()}.addData({data});"), name=self.get_name())
        return ""


def feature_layer(name: str, features: list[dict[str, Any]], *, overlay: bool = True, show: bool = True,
                  marker: Literal["circle_marker", "circle"] | None = None, popup_width: int = 480, **options: Any) -> folium.GeoJson:
    """A :class:`folium.GeoJson` layer of features styled by their ``properties.style``.

    Parameters
    ----------
    name
        Its name in the layer control (escaped HTML; braces are made character references).
    features
        GeoJSON features with ``properties.style`` (Leaflet path options)
        and, optionally, ``popup``, ``tooltip`` and ``tip``.
    overlay
        An overlay (check box) or a base layer (radio button).
    show
        On when the page opens.
    marker
        How points are drawn: circles of a radius in pixels or in metres
        (``style["radius"]``).
    popup_width
        Widest popup, pixels.
    **options
        Leaflet options of the layer (``pane``, ``interactive``, ``attribution`` …).

    Returns
    -------
    folium.GeoJson
        Empty in folium's eyes; its :class:`FeatureData` child writes the features.
    """
    import folium

    if marker is not None:  # a point's circle is made with its own style: an L.Circle takes its radius only then
        options["point_to_layer"] = folium.JsCode(_POINT.format(factory={"circle_marker": "circleMarker", "circle": "circle"}[marker]))
    layer = folium.GeoJson({"type": "FeatureCollection", "features": []}, name=layer_name(name), overlay=overlay, show=show,
                           on_each_feature=folium.JsCode(_BIND.format(width=int(popup_width))), style=folium.JsCode(_STYLE), **options)
    layer.add_child(FeatureData(features))
    return layer


def geojson_layer(layer: MapLayer) -> folium.GeoJson:
    """The :class:`folium.GeoJson` of a :class:`MapLayer` (an overlay)."""
    return feature_layer(layer.name_html, layer.features, show=layer.show, marker=layer.marker, popup_width=layer.popup_width)


# --------------------------------------------------------------------------- tracks


def _lonlat(run: np.ndarray) -> list[list[float]]:
    """GeoJSON positions of a (lat, lon) array (swapped into a new array first: ``tolist`` of the swapped view is many times slower)."""
    return run[:, ::-1].copy().tolist()


def _line(runs: list[np.ndarray]) -> dict[str, Any]:
    """A LineString, or a MultiLineString of several runs, from (lat, lon) arrays."""
    if len(runs) == 1:
        return {"type": "LineString", "coordinates": _lonlat(runs[0])}
    return {"type": "MultiLineString", "coordinates": [_lonlat(r) for r in runs]}


def _segment(a: tuple[float, float] | list[float], b: tuple[float, float] | list[float]) -> dict[str, Any]:
    return {"type": "LineString", "coordinates": [[float(a[1]), float(a[0])], [float(b[1]), float(b[0])]]}


def add_leg(layer: MapLayer, leg: dict[str, Any], track: _Track, *, colour: str, popup: str, tooltip: str, gap_tips: list[str],
            ap_pos: dict[str, tuple[float, float]], dots: bool, end_reasons: bool) -> None:
    """Add a leg's features to a layer: its seen track, single positions, coverage gaps and unseen ends.

    Parameters
    ----------
    layer
        The layer.
    leg
        The leg's row (``origin``/``destination`` with their evidence and reasons).
    track
        How it is drawn (:func:`flighttrace.viz.tracks._track`).
    colour
        Its colour.
    popup, tooltip
        HTML of the seen track's popup and tooltip.
    gap_tips
        One tooltip per gap of ``track``.
    ap_pos
        (lat, lon) of the airports by code, for the dotted line to an unseen end.
    dots
        Draw a position seen alone between two gaps as a dot.
    end_reasons
        Say why an end was not seen in its tooltip.
    """
    runs = [run for run in track.runs if len(run) >= 2]
    if runs:
        layer.add(_line(runs), {"color": colour, "weight": SEEN_WEIGHT, "opacity": 0.9}, kind="track", popup=popup, tooltip=tooltip,
                  ref=escape_html(leg.get("leg_id")) if _present(leg.get("leg_id")) else None)
    if dots:
        for run in track.runs:  # a position seen alone between two gaps
            if len(run) == 1:
                layer.add({"type": "Point", "coordinates": [float(run[0, 1]), float(run[0, 0])]},
                          {"radius": 2, "color": colour, "fill": True, "fillColor": colour, "fillOpacity": 1.0, "weight": 1},
                          kind="dot", tooltip=tooltip + " &middot; a single position seen between gaps")
    for gap, tip in zip(track.gaps, gap_tips, strict=True):
        layer.add(_segment(gap["a"], gap["b"]), {"color": colour, "weight": 2, "opacity": 0.85, "dashArray": GAP_DASH}, kind="gap", tooltip=tip)
    for end, k in (("origin", 0), ("destination", -1)):
        code, grade = leg.get(end), leg.get(f"{end}_evidence")
        if _present(code) and grade in ("inferred", "bridged") and str(code) in ap_pos:
            seen = track.runs[0][0] if k == 0 else track.runs[-1][-1]
            ap = ap_pos[str(code)]
            pair = (ap, seen) if k == 0 else (seen, ap)
            tip = f"{'Takeoff from' if k == 0 else 'Landing at'} {escape_html(code)} not seen ({escape_html(grade)})"
            if end_reasons and _present(leg.get(f"{end}_reason")):
                tip += f": {escape_html(leg.get(f'{end}_reason'))}"
            layer.add(_segment(*pair), {"color": colour, "weight": 2, "opacity": 0.7, "dashArray": END_DASH}, kind="unseen_end", tooltip=tip)


# --------------------------------------------------------------------------- airports


def short_name(code: str, name: str, scenario: Scenario | None) -> str:
    """The name a reader knows a field by: the scenario's first Latin alias for it (``Baku``), else the database name without "Airport" …"""
    import re

    aliases = getattr(getattr(scenario, "airports", None), "aliases", {}) or {}
    for alias in aliases.get(code, ()):
        if re.fullmatch(r"[\x20-\x7e\u00c0-\u024f]+", alias):
            return str(alias)
    return re.sub(r"\s+(International\s+Airport|Airport|Airfield|Air\s*Base|Airbase|Aerodrome)$", "", str(name), flags=re.IGNORECASE).strip()


def airport_rows(codes_scn: set[str], codes_legs: dict[str, int], scenario: Scenario | None) -> list[dict[str, Any]]:
    """Known airports to mark: code, name, short name, lat, lon …, sorted by code; unknown codes are left out."""
    from flighttrace.reference.airports import AirportIndex

    index = scenario.airport_index() if scenario is not None else AirportIndex.default()
    out = []
    for code in sorted(set(codes_scn) | set(codes_legs)):
        try:
            ap = index.get(code)
        except (KeyError, ValueError):
            continue
        if not (np.isfinite(ap.lat) and np.isfinite(ap.lon)):
            continue
        out.append({"code": ap.code, "query": code, "name": ap.name, "short": short_name(ap.code, ap.name, scenario), "iata": ap.iata,
                    "country": ap.country, "lat": ap.lat, "lon": ap.lon,
                    "elevation_ft": ap.elevation_ft, "in_scenario": code in codes_scn, "n_legs": codes_legs.get(code, 0)})
    return out


def label_directions(airports: list[dict[str, Any]], labelled: list[bool], *, clearance_km: float = LABEL_CLEARANCE_KM) -> list[str]:
    """The side (``left``/``right``) of each airport's label: a label next to a near neighbour's goes to the other side.

    Parameters
    ----------
    airports
        Rows of :func:`airport_rows`, in drawing order.
    labelled
        Per airport, whether it takes part in the placement.
    clearance_km
        Labels closer than this are put on opposite sides.
    """
    from flighttrace.geo import haversine_km

    placed: list[tuple[float, float, str]] = []
    out = []
    for a, take_part in zip(airports, labelled, strict=True):  # a few dozen airports at most
        direction = "right"
        if take_part:
            near = [d for la, lo, d in placed if float(haversine_km(la, lo, a["lat"], a["lon"])) < clearance_km]
            direction = "left" if "right" in near else "right"
            placed.append((a["lat"], a["lon"], direction))
        out.append(direction)
    return out


def airport_point(a: dict[str, Any]) -> dict[str, Any]:
    """An airport's GeoJSON point."""
    return {"type": "Point", "coordinates": [round(float(a["lon"]), _COORD_DECIMALS), round(float(a["lat"]), _COORD_DECIMALS)]}


def code_text(a: dict[str, Any]) -> str:
    """``ICAO / IATA`` of an airport row, escaped."""
    return escape_html(a["code"]) + (f" / {escape_html(a['iata'])}" if _present(a["iata"]) else "")


# --------------------------------------------------------------------------- overlays


def banner_html(text: str) -> str:
    """The red banner at the top of a map of simulated data."""
    return (
        '<div class="flighttrace-synthetic-banner" role="alert" style="position:fixed;top:8px;left:50%;'
        "transform:translateX(-50%);z-index:1001;background:#b00020;color:#fff;font:bold 15px sans-serif;"
        'padding:6px 14px;border-radius:4px;box-shadow:0 1px 4px rgba(0,0,0,.4);pointer-events:none">'
        f"{escape_html(text)}</div>"
    )


def notice_html(text: str) -> str:
    """A notice at the bottom left of the map (online tiles and what they reveal)."""
    return (
        '<div class="flighttrace-notice" role="note" style="position:fixed;bottom:26px;left:10px;z-index:1000;max-width:360px;'
        'background:#fff4d6;color:#3a2c00;border:1px solid #c9a227;border-radius:4px;padding:5px 8px;font:12px sans-serif">'
        f"{escape_html(text)}</div>"
    )


def legend_html(entries: list[tuple[str, str]], heading: str, note: str) -> str:
    """The legend box: a line per colour, the three line styles, a note (everything escaped already)."""
    items = "".join(
        f'<div><span style="display:inline-block;width:22px;height:0;border-top:4px solid {c};vertical-align:middle;margin-right:6px"></span>{label}</div>'
        for c, label in entries
    )
    styles = (
        '<div><span style="display:inline-block;width:22px;border-top:3px solid #333;vertical-align:middle;margin-right:6px"></span>seen track</div>'
        '<div><span style="display:inline-block;width:22px;border-top:3px dashed #333;vertical-align:middle;margin-right:6px"></span>'
        "coverage gap: not seen, path unknown</div>"
        '<div><span style="display:inline-block;width:22px;border-top:3px dotted #333;vertical-align:middle;margin-right:6px"></span>'
        "takeoff / landing not seen (inferred or bridged)</div>"
    )
    return (
        '<div class="flighttrace-legend" style="position:fixed;bottom:26px;right:10px;z-index:1000;background:rgba(255,255,255,.92);'
        'padding:6px 9px;border:1px solid #999;border-radius:4px;font:12px sans-serif;max-height:45%;overflow:auto">'
        f"<b>{heading}</b>{items}<hr style=\"margin:4px 0\">{styles}<div style=\"color:#555;margin-top:3px\">{note}</div></div>"
    )
