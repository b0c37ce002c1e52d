"""The offline base map: land, coastlines and borders from Natural Earth, and opt-in online tiles.

The package carries two small TopoJSON files made once by
``scripts/build_basemap.py`` from the npm package ``world-atlas`` 2.0.2
(Natural Earth 4.1.0, public domain): ``ne-110m.topo.json`` (the world at
1:110 million) and ``ne-50m.topo.json`` (1:50 million), each with three
objects, ``land`` (polygons), ``coast`` (the outline of the land) and
``borders`` (the lines between two countries). See
``flighttrace/viz/static/basemap/README.md`` for the source, licence and
date.

:func:`basemap_layer` draws them as the map's base layer, with no request to
any server: the 1:50m detail within ``margin_deg`` of the drawn data, the
1:110m world outside it (so that the page stays small), land filled, the
coast and the borders as thin lines. :func:`tile_layer` adds online tiles
instead, when asked for: the tile server then learns which area the reader
views (:data:`TILES_PRIVACY_NOTE`).
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from itertools import chain
from typing import TYPE_CHECKING, Any, Final, Literal

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    import folium

__all__ = [
    "BASEMAP_ATTRIBUTION",
    "BASEMAP_NAME",
    "DETAIL_MARGIN_DEG",
    "TILES_PRIVACY_NOTE",
    "TilesError",
    "basemap_features",
    "basemap_layer",
    "decode_arcs",
    "load_basemap",
    "tile_layer",
]

DETAIL_MARGIN_DEG: Final = 10.0
"""The 1:50m detail covers the drawn data widened by this many degrees on each side; the 1:110m world the rest."""
BASEMAP_NAME: Final = "Basemap: Natural Earth (offline)"
"""Name of the base layer in the layer control."""
BASEMAP_ATTRIBUTION: Final = "Basemap: Natural Earth (public domain)"
"""Attribution shown in the map's corner."""
TILES_PRIVACY_NOTE: Final = (
    "Online tiles: this map asks {provider} for map images, and so tells that server which area you are looking at. "
    "Without --tiles the map uses its own offline basemap."
)
"""Note shown on a map drawn over online tiles (``{provider}`` is the tile layer's name)."""

LAND_STYLE: Final = {"stroke": True, "color": "#f3f0e8", "weight": 1.0, "opacity": 1.0, "fill": True, "fillColor": "#f3f0e8", "fillOpacity": 1.0}
"""Land: filled, and outlined in its own colour, so that no hairline shows where the two scales' pieces meet."""
COAST_STYLE: Final = {"stroke": True, "color": "#7d93a6", "weight": 1.0, "opacity": 1.0, "fill": False}
BORDER_STYLE: Final = {"stroke": True, "color": "#9c8f8f", "weight": 0.8, "opacity": 1.0, "fill": False}
SEA_COLOUR: Final = "#dde8ef"
"""Background of the map (the sea) under the offline basemap."""

_PACKAGE: Final = "flighttrace.viz"
_FILES: Final = {"110m": "ne-110m.topo.json", "50m": "ne-50m.topo.json"}
_DECIMALS: Final = {"110m": 1, "50m": 2}  # digits of the coordinates written into the page (0.1° ≈ 11 km, seen zoomed out; 0.01° ≈ 1 km)


# --------------------------------------------------------------------------- TopoJSON


def decode_arcs(topology: dict[str, Any]) -> list[np.ndarray]:
    """The arcs of a TopoJSON topology as ``(n, 2)`` arrays of (lon, lat).

    Parameters
    ----------
    topology
        A TopoJSON ``Topology``; quantized (with a ``transform``, arcs
        delta-encoded) or not.

    Returns
    -------
    list of numpy.ndarray
        One float array per arc, in the topology's order.

    Examples
    --------
    >>> decode_arcs({"transform": {"scale": [0.5, 0.5], "translate": [10, 20]}, "arcs": [[[0, 0], [2, 4], [-1, 0]]]})[0].tolist()
    [[10.0, 20.0], [11.0, 22.0], [10.5, 22.0]]
    """
    tr = topology.get("transform")
    arcs = topology["arcs"]
    if not arcs:
        return []
    lengths = np.fromiter((len(a) for a in arcs), dtype=np.int64, count=len(arcs))
    positions = list(chain.from_iterable(arcs))
    try:  # positions of two numbers each (the usual case): read as one flat run of numbers
        flat = np.fromiter(chain.from_iterable(positions), dtype=np.float64, count=2 * len(positions)).reshape(-1, 2)
    except ValueError:  # some positions carry more than (x, y)
        flat = np.array([p[:2] for p in positions], dtype=np.float64).reshape(-1, 2)
    if tr is not None:
        starts = np.r_[0, np.cumsum(lengths)[:-1]]
        ids = np.repeat(np.arange(len(arcs)), lengths)
        csum = np.cumsum(flat, axis=0)  # delta decoding of every arc at once: a running sum restarted at each arc
        before = np.vstack([np.zeros((1, 2)), csum[starts[1:] - 1]]) if len(arcs) > 1 else np.zeros((1, 2))
        flat = (csum - before[ids]) * np.asarray(tr["scale"], dtype=np.float64) + np.asarray(tr["translate"], dtype=np.float64)
    return np.split(flat, np.cumsum(lengths)[:-1])


def _line(arcs: list[np.ndarray], refs: list[int]) -> np.ndarray:
    """The coordinates of a chain of arc references (``~i`` is arc ``i`` reversed), shared end points once."""
    parts = []
    for k, ref in enumerate(refs):
        a = arcs[ref] if ref >= 0 else arcs[~ref][::-1]
        parts.append(a if k == 0 else a[1:])
    return np.concatenate(parts) if parts else np.empty((0, 2))


def _parts(arcs: list[np.ndarray], obj: dict[str, Any]) -> np.ndarray:
    """The polygons or lines of a TopoJSON MultiPolygon / MultiLineString object, as an array of shapely geometries."""
    import shapely

    if obj["type"] == "MultiLineString":
        lines = [c for c in (_line(arcs, refs) for refs in obj["arcs"]) if len(c) >= 2]
        if not lines:
            return np.empty(0, dtype=object)
        ids = np.repeat(np.arange(len(lines)), [len(c) for c in lines])
        return shapely.linestrings(np.concatenate(lines), indices=ids)
    rings, poly_of = [], []
    for k, polygon in enumerate(obj["arcs"]):  # a shell and its holes; a ring of fewer than four points is left out
        coords = [_line(arcs, r) for r in polygon]
        if len(coords[0]) >= 4:
            kept = [c for c in coords if len(c) >= 4]
            rings += kept
            poly_of += [k] * len(kept)
    if not rings:
        return np.empty(0, dtype=object)
    ring_ids = np.repeat(np.arange(len(rings)), [len(c) for c in rings])
    lr = shapely.linearrings(np.concatenate(rings), indices=ring_ids)
    _, poly_ids = np.unique(np.asarray(poly_of), return_inverse=True)
    return shapely.polygons(lr, indices=poly_ids)


@lru_cache(maxsize=2)
def load_basemap(resolution: Literal["110m", "50m"]) -> dict[str, Any]:
    """The package's basemap at one scale: ``land`` polygons, ``coast`` and ``borders`` lines, and its ``meta``.

    Parameters
    ----------
    resolution
        ``"110m"`` (the world, coarse) or ``"50m"`` (finer).

    Returns
    -------
    dict
        ``land``, ``coast`` and ``borders``: each a pair (array of shapely
        geometries, their bounds as an ``(n, 4)`` array); ``meta``: source,
        licence, build date, as the file records them. Read once per process.
    """
    import orjson
    import shapely

    topo = orjson.loads(resources.files(_PACKAGE).joinpath("static", "basemap", _FILES[resolution]).read_bytes())
    arcs = decode_arcs(topo)
    out: dict[str, Any] = {"meta": topo.get("meta", {})}
    for name in ("land", "coast", "borders"):
        parts = _parts(arcs, topo["objects"][name])
        out[name] = (parts, shapely.bounds(parts).reshape(-1, 4))
    return out


# --------------------------------------------------------------------------- the layer


def _clipped(parts: np.ndarray, bounds: np.ndarray, boxes: list[tuple[float, float, float, float]]) -> np.ndarray:
    """The parts inside the boxes (lon_min, lat_min, lon_max, lat_max): whole when within one, clipped when across its edge."""
    import shapely

    out = []
    for x0, y0, x1, y1 in boxes:  # at most four boxes
        near = (bounds[:, 0] <= x1) & (bounds[:, 2] >= x0) & (bounds[:, 1] <= y1) & (bounds[:, 3] >= y0)
        within = near & (bounds[:, 0] >= x0) & (bounds[:, 2] <= x1) & (bounds[:, 1] >= y0) & (bounds[:, 3] <= y1)
        out.append(parts[within])
        cut = shapely.get_parts(shapely.clip_by_rect(parts[near & ~within], x0, y0, x1, y1))
        out.append(cut[~shapely.is_empty(cut)])
    return np.concatenate(out) if out else np.empty(0, dtype=object)


def _outside(box: tuple[float, float, float, float]) -> list[tuple[float, float, float, float]]:
    """The world outside a box, as up to four boxes (west, east, north, south of it)."""
    x0, y0, x1, y1 = box
    out = [(-180.0, -90.0, x0, 90.0), (x1, -90.0, 180.0, 90.0), (x0, y1, x1, 90.0), (x0, -90.0, x1, y0)]
    return [b for b in out if b[2] > b[0] and b[3] > b[1]]


def _coordinates(parts: np.ndarray, decimals: int) -> list[Any]:
    """GeoJSON coordinates of polygons (a MultiPolygon's) or of lines (a MultiLineString's), rounded to ``decimals``.

    Points that rounding makes equal to the one before are dropped; so is a
    ring left with fewer than 4 points (a polygon whose shell goes, whole)
    or a line left with fewer than 2.
    """
    import shapely

    if not len(parts):
        return []
    polygons = shapely.get_type_id(parts[0]) == 3
    if polygons:  # rings, grouped by polygon
        n_rings = shapely.get_num_interior_rings(parts) + 1
        rings = shapely.get_rings(parts)
    else:
        n_rings, rings = np.ones(len(parts), dtype=np.int64), parts
    xy, ring_of = shapely.get_coordinates(rings, return_index=True)
    xy = np.round(xy, decimals)
    keep = np.r_[True, np.any(np.diff(xy, axis=0) != 0, axis=1) | (np.diff(ring_of) != 0)]
    xy, ring_of = xy[keep], ring_of[keep]
    size = np.bincount(ring_of, minlength=len(rings))
    ok = size >= (4 if polygons else 2)
    lines = [a.tolist() for a in np.split(xy, np.cumsum(size)[:-1])]
    first = np.r_[0, np.cumsum(n_rings)[:-1]]
    out = []
    for f, n in zip(first.tolist(), n_rings.tolist(), strict=True):  # one entry per polygon or line
        if ok[f]:
            out.append([lines[r] for r in range(f, f + n) if ok[r]] if polygons else lines[f])
    return out


def basemap_features(bounds: list[list[float]] | None, *, margin_deg: float = DETAIL_MARGIN_DEG) -> list[dict[str, Any]]:
    """GeoJSON features of the offline basemap for a map showing ``bounds``.

    Parameters
    ----------
    bounds
        ``[[lat_min, lon_min], [lat_max, lon_max]]`` of what the map draws;
        ``None`` for the whole world at 1:110m.
    margin_deg
        The 1:50m detail covers ``bounds`` widened by this many degrees
        on each side; the 1:110m world covers the rest.

    Returns
    -------
    list of dict
        Features with a ``kind`` property: ``land`` (filled polygons),
        ``coast`` and ``border`` (lines), and a ``scale`` (``50m`` or
        ``110m``). The two scales meet along the edge of the detail box;
        outside it the coast is the edge of the land fill (no line).
    """
    import shapely

    if bounds is None:
        detail: list[tuple[float, float, float, float]] = []
        coarse = [(-180.0, -90.0, 180.0, 90.0)]
    else:
        (la0, lo0), (la1, lo1) = bounds
        box = (max(lo0 - margin_deg, -180.0), max(la0 - margin_deg, -90.0), min(lo1 + margin_deg, 180.0), min(la1 + margin_deg, 90.0))
        detail, coarse = [box], _outside(box)
    features = []
    for res, boxes, kinds in (("110m", coarse, ("land", "border")), ("50m", detail, ("land", "coast", "border"))):
        if not boxes:
            continue
        base = load_basemap(res)
        for kind in kinds:  # polygons for the land, lines for the coast and the borders
            shapes, bounds_of = base["borders" if kind == "border" else kind]
            parts = _clipped(shapes, bounds_of, boxes)
            parts = parts[shapely.get_type_id(parts) == (3 if kind == "land" else 1)] if len(parts) else parts
            if len(parts):
                gtype = "MultiPolygon" if kind == "land" else "MultiLineString"
                features.append({"type": "Feature", "properties": {"kind": kind, "scale": res},
                                 "geometry": {"type": gtype, "coordinates": _coordinates(parts, _DECIMALS[res])}})
    return features


def basemap_layer(bounds: list[list[float]] | None, *, show: bool = True, margin_deg: float = DETAIL_MARGIN_DEG) -> folium.GeoJson:
    """The offline basemap as a folium base layer (a :class:`folium.GeoJson`, not interactive).

    Parameters
    ----------
    bounds
        What the map draws (see :func:`basemap_features`).
    show
        Whether the layer is on when the page opens (off when online tiles
        were asked for: they are the base layer then).
    margin_deg
        Width of the 1:50m detail around ``bounds``, degrees.

    Returns
    -------
    folium.GeoJson
        A base layer (a radio button in the layer control) in the
        ``basemap`` pane, below the tracks, attributed to Natural Earth.
    """
    from flighttrace.viz.mapparts import feature_layer

    styles = {"land": LAND_STYLE, "coast": COAST_STYLE, "border": BORDER_STYLE}
    features = basemap_features(bounds, margin_deg=margin_deg)
    for f in features:
        f["properties"]["style"] = styles[f["properties"]["kind"]]
    return feature_layer(BASEMAP_NAME, features, overlay=False, show=show, interactive=False, pane="basemap", attribution=BASEMAP_ATTRIBUTION)


class TilesError(ValueError):
    """Tiles folium does not know (or a URL template it cannot use)."""


def tile_layer(name: str, *, show: bool = True) -> folium.TileLayer:
    """Online map tiles, by a folium / xyzservices name (``"OpenStreetMap"``, ``"CartoDB positron"`` …) or a URL template.

    Parameters
    ----------
    name
        The tiles: a provider name, or a URL with ``{z}``, ``{x}`` and ``{y}``.
    show
        Whether the layer is on when the page opens.

    Returns
    -------
    folium.TileLayer
        A base layer named "Online tiles: NAME". Its server sees every tile
        the reader's browser asks for, so the area viewed
        (:data:`TILES_PRIVACY_NOTE`).

    Raises
    ------
    TilesError
        When folium does not know the name, or the URL carries template
        syntax (``{{``, ``{%``, ``{#``: folium compiles the layer's script as
        a Jinja template).
    """
    import folium

    from flighttrace.viz.mapparts import layer_name
    from flighttrace.viz.popups import escape_html

    if any(t in name for t in ("{{", "{%", "{#")):
        raise TilesError(f"unknown tiles {name!r}: a URL template has single braces, as in https://tile.example.org/{{z}}/{{x}}/{{y}}.png")
    label = layer_name(f"Online tiles: {escape_html(name)}")
    attr = None
    if "{z}" in name:  # a URL template: attributed to its server
        from urllib.parse import urlsplit

        attr = f"Tiles: {escape_html(urlsplit(name).hostname or name)}"
    try:
        return folium.TileLayer(tiles=name, attr=attr, name=label, show=show, overlay=False, control=True)
    except ValueError:
        raise TilesError(f"unknown tiles {name!r}: give a provider name such as 'OpenStreetMap', or a URL with {{z}}/{{x}}/{{y}}") from None
