"""The base of every flighttrace map: an offline folium page with deterministic element ids.

:func:`build_map` turns what a scenario kind draws (:class:`~flighttrace.viz.mapparts.KindLayers`)
into a :class:`folium.Map`:

* Leaflet is written into the page (:mod:`flighttrace.viz.offline`); folium's
  CDN links (Leaflet, jQuery, Bootstrap, icon fonts) are not, through the
  documented class attributes ``default_js`` and ``default_css``.
* The base layer is the offline Natural Earth basemap
  (:mod:`flighttrace.viz.basemap`), in a pane of its own below the tracks;
  online tiles only when asked for, with a note on the page that the tile
  server sees the area viewed.
* Each of the kind's layers is one :class:`folium.GeoJson`; a legend, a
  "SYNTHETIC DATA" banner and the page title are finished HTML, never
  compiled as templates.

Element ids: branca names every element with a random id (``os.urandom``)
unless ``Element._generate_id`` is overridden, the hook branca 0.8.2 added
for predictable ids (python-visualization/branca#203). While a map is built,
and each time its page is rendered, :class:`IdSequence` puts a counter in
that hook: ids are ``<8 hex digits of the page title's SHA-256><24-digit
counter>``, and a render starts the counter where the build left it, so the
elements a render makes (folium adds a few) get the same ids every time and
replace, not duplicate, those of an earlier render. The same inputs give the
same page, byte for byte, in one process or in two.
"""

from __future__ import annotations

import hashlib
import itertools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final

import folium
from branca.element import Element, Figure

from flighttrace.viz.basemap import (
    SEA_COLOUR,
    TILES_PRIVACY_NOTE,
    basemap_layer,
    tile_layer,
)
from flighttrace.viz.mapparts import (
    POPUP_CSS,
    KindLayers,
    banner_html,
    geojson_layer,
    legend_html,
    notice_html,
)
from flighttrace.viz.offline import LEAFLET, RawHTML, add_assets
from flighttrace.viz.popups import escape_html

__all__ = ["FlightMap", "IdSequence", "build_map", "render_map", "save_map"]

BASEMAP_PANE_Z: Final = 250
"""z-index of the basemap's pane: above online tiles (200), below the tracks (400)."""
FIT_PADDING_TOP_LEFT: Final = (30, 50)
FIT_PADDING_BOTTOM_RIGHT: Final = (400, 30)
"""Room left around the data when the map opens, pixels (the layer control and the legend sit there)."""

_HOOK_LOCK = threading.RLock()

DEEP_LINK_JS: Final = (
    "<script>(function () {{"
    " function show() {{"
    " var m = /^#leg=(.+)$/.exec(decodeURIComponent(window.location.hash || \"\")); var map = window[\"{map}\"];"
    " if (!m || !map) {{ return; }}"
    " var hit = null; map.eachLayer(function (l) {{ var p = l.feature && l.feature.properties;"
    " if (!hit && p && p.ref === m[1] && l.getBounds) {{ hit = l; }} }});"
    " if (!hit) {{ return; }}"
    " map.fitBounds(hit.getBounds(), {{padding: [40, 40], maxZoom: 9}}); if (hit.setStyle) {{ hit.setStyle({{weight: 6}}); }}"
    " if (hit.openPopup) {{ hit.openPopup(); }} }}"
    " window.addEventListener(\"load\", show); window.addEventListener(\"hashchange\", show); }})();</script>"
)
"""A link to ``map.html#leg=<leg id>`` (from an evidence card) zooms to that leg's track, thickens it and opens its popup."""


class IdSequence:
    """Deterministic branca element ids: ``<prefix><counter>``, 32 hex digits like branca's own.

    Parameters
    ----------
    seed
        Text the 8-digit prefix is hashed from (the page title), so that two
        different maps on one screen do not share ids.
    """

    def __init__(self, seed: str) -> None:
        self.prefix = hashlib.sha256(seed.encode("utf-8")).hexdigest()[:8]
        self.next = 0
        """The first id not given out by the build; each render starts there."""

    @contextmanager
    def active(self, *, render: bool = False) -> Iterator[None]:
        """Give ids from this sequence to every branca element made inside the block.

        Parameters
        ----------
        render
            Start at :attr:`next` and leave it there (a render), instead of
            going on from it (the build).
        """
        hook = Element.__dict__.get("_generate_id")
        if hook is None:  # pragma: no cover - guarded by the branca pin in pyproject.toml
            raise RuntimeError("flighttrace's maps need branca >= 0.8.2 (Element._generate_id)")
        with _HOOK_LOCK:
            counter = itertools.count(self.next)
            prefix = self.prefix
            Element._generate_id = classmethod(lambda cls: f"{prefix}{next(counter):024x}")  # type: ignore[method-assign,assignment]
            try:
                yield
            finally:
                Element._generate_id = hook  # type: ignore[method-assign]
                if not render:
                    self.next = next(counter)


class FlightFigure(Figure):
    """The page of a flighttrace map: renders with its map's :class:`IdSequence`, so every render gives the same text."""

    def __init__(self, ids: IdSequence) -> None:
        super().__init__()
        self.ids = ids

    def render(self, **kwargs: Any) -> str:
        """The page (Jupyter's inline display, :meth:`save` and :func:`render_map` all come here)."""
        with self.ids.active(render=True):
            return str(super().render(**kwargs))


class FlightMap(folium.Map):
    """A :class:`folium.Map` that links no library from the internet: Leaflet is written into its page instead."""

    default_js: list[tuple[str, str]] = []  # noqa: RUF012 (folium's own annotation)
    default_css: list[tuple[str, str]] = []  # noqa: RUF012


def _extent(kind: KindLayers) -> tuple[list[list[float]] | None, list[float]]:
    bounds = kind.bounds()
    if bounds is None:
        return None, [0.0, 0.0]
    return bounds, [(bounds[0][0] + bounds[1][0]) / 2, (bounds[0][1] + bounds[1][1]) / 2]


def _notes(tiles: str | None) -> tuple[str, str | None]:
    """The legend's line about the base map, and the privacy notice (online tiles only)."""
    if tiles is None:
        return "Basemap: Natural Earth, drawn from the page itself (no map server is contacted).", None
    return f"Basemap: online tiles ({escape_html(tiles)}).", TILES_PRIVACY_NOTE.format(provider=tiles)


def build_map(kind: KindLayers, *, title: str | None = None, tiles: str | None = None, synthetic: bool = False,
              banner: str = "") -> folium.Map:
    """A map page from what a scenario kind draws.

    Parameters
    ----------
    kind
        The kind's layers, legend and extent.
    title
        Page title (plain text); default ``kind.title``.
    tiles
        ``None`` (default): the offline basemap only. A tile provider name
        or URL template: online tiles as the base layer (the offline
        basemap stays in the layer control), and a notice on the page that
        the tile server sees the area viewed.
    synthetic
        Put ``banner`` at the top of the map.
    banner
        The banner's text.

    Returns
    -------
    folium.Map
        A :class:`FlightMap`, rendered by :func:`render_map` and
        :func:`save_map` (and by Jupyter, and by its ``save``) to the same
        page every time.
    """
    page_title = title if title is not None else kind.title
    ids = IdSequence(page_title)
    bounds, center = _extent(kind)
    with ids.active():
        m = FlightMap(location=center, zoom_start=kind.zoom_start, tiles=None, control_scale=True)
        fig = FlightFigure(ids)
        fig.add_child(m)
        add_assets(fig, LEAFLET)
        fig.header.add_child(RawHTML(f"<title>{escape_html(page_title)}</title>"), name="flighttrace_title")
        fig.header.add_child(RawHTML(POPUP_CSS + f"<style>.leaflet-container{{background:{SEA_COLOUR}}}</style>"), name="flighttrace_style")
        folium.map.CustomPane("basemap", z_index=BASEMAP_PANE_Z, pointer_events=False).add_to(m)
        basemap_layer(bounds, show=tiles is None).add_to(m)
        if tiles is not None:
            tile_layer(tiles).add_to(m)
        if bounds is not None:
            m.fit_bounds(bounds, padding_top_left=FIT_PADDING_TOP_LEFT, padding_bottom_right=FIT_PADDING_BOTTOM_RIGHT)
        for layer in kind.layers:
            geojson_layer(layer).add_to(m)
        for make in kind.extra:
            m.add_child(make())
        base_note, privacy = _notes(tiles)
        note = " ".join(t for t in (kind.legend_note, base_note) if t)
        fig.html.add_child(RawHTML(legend_html(kind.legend_entries, kind.legend_heading, note)), name="flighttrace_legend")
        if synthetic:
            fig.html.add_child(RawHTML(banner_html(banner)), name="flighttrace_banner")
        if privacy is not None:
            fig.html.add_child(RawHTML(notice_html(privacy)), name="flighttrace_tiles_notice")
        folium.LayerControl(collapsed=False).add_to(m)
        fig.html.add_child(RawHTML(DEEP_LINK_JS.format(map=m.get_name())), name="flighttrace_deep_link")
    return m


def render_map(m: folium.Map) -> str:
    """The map's HTML page (:func:`flighttrace.viz.maps.render_map`; the ids come from the map's :class:`IdSequence`)."""
    return str(m.get_root().render())


def save_map(m: folium.Map, path: str | Path) -> Path:
    """Write a map as a standalone HTML page, byte-identical from run to run (:func:`flighttrace.viz.maps.save_map`)."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(render_map(m).encode("utf-8"))
    return p
