"""Maps and charts of legs, sorties and findings.

:mod:`flighttrace.viz.maps`
    :func:`~flighttrace.viz.maps.map_sorties` (an interactive folium map of
    the legs of sorties, coverage gaps drawn dashed, a layer per event window
    or per year), :func:`~flighttrace.viz.maps.map_disruption` (diverted
    tracks, holding circles, go-arounds and closed airports),
    :func:`~flighttrace.viz.maps.save_map` and
    :func:`~flighttrace.viz.maps.render_map` (byte-identical HTML from run
    to run). The pages load nothing from the internet: Leaflet and a Natural
    Earth basemap are written into them (:mod:`flighttrace.viz.offline`,
    :mod:`flighttrace.viz.basemap`); online tiles only on request. Common
    map parts are in :mod:`flighttrace.viz.mapbase` and
    :mod:`flighttrace.viz.mapparts`, the layers of each scenario kind in
    :mod:`flighttrace.viz.layers_sorties` and
    :mod:`flighttrace.viz.layers_disruption`.
:mod:`flighttrace.viz.charts`
    matplotlib figures for print: sorties per week, the event study, ground
    times at the far field, the coverage calendar, movements per hour
    against their baseline, framed alike by one
    :class:`~flighttrace.viz.chartstyle.ChartStyle`;
    :func:`~flighttrace.viz.charts.save_figure` writes PNG and SVG with
    deterministic bytes.

Importing this package is cheap: folium and matplotlib are imported by the
functions that need them, and the names below are loaded on first use.
"""

from __future__ import annotations

import importlib
from typing import Any, Final

__all__ = [
    "PALETTE",
    "GREY",
    "map_sorties",
    "map_disruption",
    "save_map",
    "render_map",
    "escape_html",
    "sorties_per_week",
    "event_study_plot",
    "ground_times_plot",
    "coverage_calendar",
    "movements_per_hour",
    "ChartStyle",
    "save_figure",
]

PALETTE: Final[tuple[str, ...]] = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#D55E00",  # vermillion
    "#56B4E9",  # sky blue
    "#000000",  # black
    "#F0E442",  # yellow (last: weak on light backgrounds)
)
"""Okabe–Ito colours, safe for the common colour-vision deficiencies (Okabe & Ito 2008)."""

GREY: Final = "#777777"
"""Neutral grey for things outside any group (legs outside event windows, no-data marks)."""

_LAZY: Final[dict[str, str]] = {
    "map_sorties": "flighttrace.viz.maps",
    "map_disruption": "flighttrace.viz.maps",
    "save_map": "flighttrace.viz.maps",
    "render_map": "flighttrace.viz.maps",
    "escape_html": "flighttrace.viz.maps",
    "sorties_per_week": "flighttrace.viz.charts",
    "event_study_plot": "flighttrace.viz.charts",
    "ground_times_plot": "flighttrace.viz.charts",
    "coverage_calendar": "flighttrace.viz.charts",
    "movements_per_hour": "flighttrace.viz.charts",
    "ChartStyle": "flighttrace.viz.chartstyle",
    "save_figure": "flighttrace.viz.charts",
}


def __getattr__(name: str) -> Any:
    mod = _LAZY.get(name)
    if mod is None:
        raise AttributeError(f"module 'flighttrace.viz' has no attribute {name!r}")
    value = getattr(importlib.import_module(mod), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
