"""Interactive maps of legs and sorties (folium), offline, deterministic and safe to publish.

:func:`map_sorties` draws the legs of sorties (or any legs) on a Leaflet map:

* **Seen track, solid.** Consecutive positions less than ``gap_s`` apart are
  joined by a solid line, simplified (Douglas–Peucker, ``tolerance_deg``) and
  thinned to at most ``max_vertices`` per leg, so that maps stay openable.
* **Coverage gap, dashed.** Where the aircraft was not seen for more than
  ``gap_s``, a dashed straight line joins the last and the next seen
  positions. It marks the gap; it is not the path flown, and nothing is
  interpolated. With ``points`` the gaps are found from the times of the
  positions; without, from the leg geometry (the long straight segments of a
  leg whose ``max_gap_s`` exceeds ``gap_s``), and the tooltip says so.
* **Unseen end, dotted.** When a takeoff or landing was ``inferred`` or
  ``bridged`` (not seen), a dotted line joins the field to the first or last
  seen position, with the reason as tooltip.
* **Airports** of the scenario (labelled) and of every drawn leg's ends.
* **Popups** with registration, callsign, ICAO 24-bit address, leg id, times
  (UTC), origin and destination with their evidence grades and reasons, the
  sortie and its ground time, and the source rows.
* **Layers**: one per event window (or per year), with a layer control; an
  optional time slider.

:func:`map_disruption` draws an airport disruption: diverted tracks, tracks
that held with their holding circles, go-arounds, closed airports and the
last movement at a field before each closure and the first after it.

**Offline and private.** A map page loads nothing from the internet: Leaflet
(and, for the time slider, its plugin) is written into the page, and the
base layer is a Natural Earth basemap of land, coastlines and borders shipped
with the package. Online tiles are drawn only with ``tiles="NAME"``; the page
then says that the tile server sees the area viewed.

Each layer is one :class:`folium.GeoJson` feature collection (not one folium
element per line), built with folium's public API
(:mod:`flighttrace.viz.mapbase`, :mod:`flighttrace.viz.mapparts`,
:mod:`flighttrace.viz.layers_sorties`,
:mod:`flighttrace.viz.layers_disruption`). Every string that came from a data
file (callsigns, registrations, reasons, leg ids, airport and event names …)
goes through :func:`escape_html`. Element ids come from a counter set through
branca's id hook, so that :func:`render_map` and :func:`save_map` give the same
bytes for the same inputs, in one process or in two.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal

import pandas as pd

from flighttrace.viz.popups import escape_html

if TYPE_CHECKING:  # pragma: no cover
    import folium

    from flighttrace.scenario import Scenario

__all__ = [
    "DEFAULT_GAP_S",
    "DEFAULT_MAX_VERTICES",
    "DEFAULT_TOLERANCE_DEG",
    "SYNTHETIC_BANNER",
    "escape_html",
    "map_disruption",
    "map_sorties",
    "render_map",
    "save_map",
]

DEFAULT_GAP_S: Final = 300.0
"""Positions further apart than this (s) are not joined by a solid line."""
DEFAULT_MAX_VERTICES: Final = 300
"""Most vertices drawn per leg, after simplification."""
DEFAULT_TOLERANCE_DEG: Final = 0.002
"""Douglas–Peucker tolerance of the drawn tracks, degrees (about 200 m)."""
SYNTHETIC_BANNER: Final = "SYNTHETIC DATA \u2014 simulated by flighttrace; these are not real flights"
"""Text of the banner on maps made from simulated data."""


def _check_gap(gap_s: float) -> None:
    if gap_s <= 0:
        raise ValueError(f"gap_s must be positive (seconds), not {gap_s!r}")


def map_sorties(
    legs: pd.DataFrame,
    sorties: pd.DataFrame | None = None,
    scenario: Scenario | None = None,
    *,
    points: pd.DataFrame | None = None,
    color_by: Literal["aircraft", "period"] = "aircraft",
    layers: Literal["event", "year"] | None = "event",
    events: pd.DataFrame | None = None,
    window_lead: str | pd.Timedelta = "30D",
    window_lag: str | pd.Timedelta = "15D",
    time_slider: bool = False,
    slider_period: str = "P1D",
    synthetic: bool = False,
    max_vertices: int = DEFAULT_MAX_VERTICES,
    tolerance_deg: float = DEFAULT_TOLERANCE_DEG,
    gap_s: float = DEFAULT_GAP_S,
    title: str | None = None,
    tiles: str | None = None,
    evidence_page: str | None = None,
) -> folium.Map:
    """An interactive map of the legs of sorties: seen tracks, gaps, airports, evidence.

    Parameters
    ----------
    legs
        Legs (:func:`flighttrace.detect_legs`): ``leg_id``, ``icao24``, ``first_seen``, ``last_seen``,
        ``origin`` / ``destination`` with ``*_evidence`` and ``*_reason``, ``max_gap_s``, ``geometry``
        (LineString, lon/lat) and, optionally, ``point_start`` / ``point_end``, ``registration``,
        ``callsign``, ``lineage``.
    sorties
        Sorties (:func:`flighttrace.find_sorties`); only their legs
        (``in_leg``, ``out_leg``) are drawn, and popups name the sortie. With
        ``None`` every leg is drawn.
    scenario
        The :class:`~flighttrace.scenario.Scenario`: its airports are marked
        and labelled, its events give the layers, its title the page title.
    points
        The Points table the legs were detected from. With it, vertex times are known, so coverage
        gaps are found exactly and the time slider moves with the aircraft. Without it, gaps are
        placed from the leg geometry and ``max_gap_s``.
    color_by
        ``"aircraft"``: one colour per ICAO 24-bit address (Okabe–Ito
        palette, cycled beyond eight aircraft); ``"period"``: one colour per
        layer (event window or year).
    layers
        ``"event"``: one layer per event window (the event from
        ``window_lead`` before its start to ``window_lag`` after its end; a
        leg goes to the earliest window holding its sortie's arrival at the
        far field) and one for the rest; falls back to ``"year"`` when there
        are no events. ``"year"``: one layer per UTC year. ``None``: one layer.
    events
        Event windows to use instead of the scenario's: the ``events`` table of
        :class:`flighttrace.Findings` (``event_id``, ``name``, ``window_start``, ``window_end``), or a
        frame with ``id``, ``name``, ``start``, ``end`` (then widened by the lead and lag).
    window_lead, window_lag
        Widening of the scenario's events into windows (timedelta strings or Timedelta); by default 30 days before, 15 days after.
    time_slider
        Add a time slider (Leaflet.TimeDimension, written into the page): the seen runs and gaps appear
        at their times (with ``points``), or whole at the leg's first sighting (without). The static
        layers are then hidden at opening; the layer control shows them.
    slider_period
        Step of the time slider, ISO 8601 duration. Default one day.
    synthetic
        Put a "SYNTHETIC DATA" banner on the map.
    max_vertices
        Most vertices drawn per leg after simplification. Default 300.
    tolerance_deg
        Douglas–Peucker tolerance, degrees (0 keeps every vertex up to ``max_vertices``). Default 0.002° (about 200 m).
    gap_s
        Positions more than this many seconds apart are joined by a dashed
        line, never a solid one. Default 300 s.
    title
        Page title; default from the scenario.
    tiles
        ``None`` (default): the offline Natural Earth basemap, no request to any server. A tile provider
        name (``"OpenStreetMap"``, ``"CartoDB positron"`` …) or a URL template: online tiles as the base
        layer, and a note on the page that the tile server learns which area the reader views.
    evidence_page
        The report's evidence page: popups link to the leg's card there (default: no link).

    Returns
    -------
    folium.Map
        Displays inline in Jupyter. Save it with :func:`save_map` for byte-identical HTML.

    Examples
    --------
    >>> m = flighttrace.map_sorties(legs, sorties, scenario, points=ds.points, synthetic=ds.synthetic)  # doctest: +SKIP
    >>> save_map(m, "maps/ovda.html")  # doctest: +SKIP
    """
    from flighttrace.viz.layers_sorties import sortie_layers
    from flighttrace.viz.mapbase import build_map

    _check_gap(gap_s)
    kind = sortie_layers(legs, sorties, scenario, points=points, color_by=color_by, layers=layers, events=events,
                         window_lead=pd.Timedelta(window_lead), window_lag=pd.Timedelta(window_lag), time_slider=time_slider,
                         slider_period=slider_period, max_vertices=max_vertices, tolerance_deg=tolerance_deg, gap_s=gap_s,
                         evidence_page=evidence_page)
    return build_map(kind, title=title, tiles=tiles, synthetic=synthetic, banner=SYNTHETIC_BANNER)


def map_disruption(
    legs: pd.DataFrame,
    disruption: Any,
    scenario: Scenario | None = None,
    *,
    points: pd.DataFrame | None = None,
    synthetic: bool = False,
    focus_only: bool = True,
    max_vertices: int = DEFAULT_MAX_VERTICES,
    tolerance_deg: float = DEFAULT_TOLERANCE_DEG,
    gap_s: float = DEFAULT_GAP_S,
    title: str | None = None,
    tiles: str | None = None,
    evidence_page: str | None = None,
) -> folium.Map:
    """An interactive map of an airport disruption: diverted tracks, holding circles, go-arounds, closures and the flights either side of each.

    Parameters
    ----------
    legs
        Legs (:func:`flighttrace.detect_legs`), as for :func:`map_sorties`.
    disruption
        The measures (:func:`flighttrace.kinds.disruption.analysis.analyze`).
    scenario
        The scenario: its fields are marked and labelled; its title is the page's.
    points
        The Points table the legs came from (exact coverage gaps).
    synthetic
        Put a "SYNTHETIC DATA" banner on the map.
    focus_only
        Draw only what falls in the disruption window (default); ``False``
        draws the baseline weeks' holdings and go-arounds too.
    max_vertices, tolerance_deg, gap_s
        As for :func:`map_sorties`.
    title
        Page title; default from the scenario.
    tiles
        ``None`` (default): the offline Natural Earth basemap, no request to
        any server. A tile provider name (``"OpenStreetMap"``,
        ``"CartoDB positron"`` …, any name folium knows) or a URL template:
        online tiles as the base layer, and a note on the page that the tile
        server learns which area the reader views.
    evidence_page
        The report's evidence page (``"evidence.html"``): each track's popup
        links to the leg's card there. ``None`` (default): no such link.

    Returns
    -------
    folium.Map
        One layer each for the diverted tracks (vermillion), the tracks that
        held (blue), the go-arounds (purple) and the holding circles (the
        centre and mean radius of each circling segment); airports carry
        their closures in their popups. Every string from the data is
        escaped. Save with :func:`save_map` for byte-identical HTML.
    """
    from flighttrace.viz.layers_disruption import disruption_layers
    from flighttrace.viz.mapbase import build_map

    _check_gap(gap_s)
    kind = disruption_layers(legs, disruption, scenario, points=points, focus_only=focus_only, max_vertices=max_vertices,
                             tolerance_deg=tolerance_deg, gap_s=gap_s, evidence_page=evidence_page)
    return build_map(kind, title=title, tiles=tiles, synthetic=synthetic, banner=SYNTHETIC_BANNER)


def render_map(m: folium.Map) -> str:
    """The map's HTML page.

    Parameters
    ----------
    m
        A map from :func:`map_sorties` or :func:`map_disruption`.

    Returns
    -------
    str
        The page: the same text on every call, before or after a display in
        Jupyter or a :meth:`folium.Map.save`, and in every process, for the
        same inputs. (A map made otherwise renders with folium's random ids.)
    """
    from flighttrace.viz.mapbase import render_map as _render

    return _render(m)


def save_map(m: folium.Map, path: str | Path) -> Path:
    """Write a map as a standalone HTML page, byte-identical from run to run.

    Parameters
    ----------
    m
        The map.
    path
        Output file (``.html``); parent folders are created.

    Returns
    -------
    pathlib.Path
        The file written (UTF-8, ``\\n`` line ends). It makes no network
        request when opened, unless the map was made with online ``tiles``.
    """
    from flighttrace.viz.mapbase import save_map as _save

    return _save(m, path)
