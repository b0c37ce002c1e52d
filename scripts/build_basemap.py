"""Build the offline basemap of flighttrace's maps from Natural Earth, as carried by the npm package ``world-atlas``.

Run by hand when the source or the tolerances change (the output is committed)::

    python scripts/build_basemap.py                      # fetches world-atlas with `npm pack`
    python scripts/build_basemap.py --atlas DIR          # a folder holding countries-50m.json and countries-110m.json

For each scale (1:110m and 1:50m) the script reads ``countries-<scale>.json``
(a TopoJSON topology with the objects ``countries`` and ``land``) and writes
``flighttrace/viz/static/basemap/ne-<scale>.topo.json``, a TopoJSON topology
with three objects:

``land``
    the land polygons (``world-atlas``'s merge of the countries);
``coast``
    the arcs of those polygons, as lines (the coastline);
``borders``
    the arcs shared by two different countries, as lines.

Each arc is simplified once (Douglas–Peucker, ``--tolerance-*`` degrees), so
that a border shared by two countries and the coast stay one line; arcs are
then quantized to 0.002° and delta-encoded, as TopoJSON does. The file
records its source, licence and build date under ``meta``. Natural Earth is
in the public domain; ``world-atlas`` is ISC-licensed (its licence is
copied beside the files).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from itertools import pairwise
from pathlib import Path
from typing import Any, Final

import numpy as np
import shapely

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "flighttrace" / "viz" / "static" / "basemap"
WORLD_ATLAS: Final = "world-atlas@2.0.2"
QUANTUM_DEG: Final = 0.002
"""Grid of the written coordinates, degrees (about 220 m)."""
TOLERANCE_DEG: Final = {"110m": 0.1, "50m": 0.01}
"""Default Douglas–Peucker tolerance per scale, degrees."""


def _refs(geometry: dict[str, Any]) -> list[int]:
    """Every arc reference of a Polygon/MultiPolygon object, flattened."""
    arcs = geometry.get("arcs", [])
    if geometry["type"] == "Polygon":
        return [r for ring in arcs for r in ring]
    if geometry["type"] == "MultiPolygon":
        return [r for poly in arcs for ring in poly for r in ring]
    return []


def _simplify(arc: np.ndarray, tolerance: float) -> np.ndarray:
    """One arc simplified (its end points kept, so arcs still meet), snapped to the grid, repeated points dropped."""
    if tolerance > 0 and len(arc) > 2:
        arc = shapely.get_coordinates(shapely.simplify(shapely.linestrings(arc), tolerance, preserve_topology=False))
    q = np.rint(arc / QUANTUM_DEG) * QUANTUM_DEG
    keep = np.r_[True, np.any(np.diff(q, axis=0) != 0, axis=1)]
    return q[keep]


def _jumps(coords: np.ndarray) -> np.ndarray:
    """Indices ``i`` where the step ``i -> i+1`` crosses the antimeridian (a longitude step over 180°)."""
    return np.flatnonzero(np.abs(np.diff(coords[:, 0])) > 180.0)


def _split_line(coords: np.ndarray) -> list[np.ndarray]:
    """A line cut where it crosses the antimeridian, each piece ending on it (at ±180°, the crossing latitude interpolated)."""
    pieces, head = [], None
    bounds = [-1, *_jumps(coords).tolist(), len(coords) - 1]
    for a, b in pairwise(bounds):  # the stretches between crossings (a handful in the whole world)
        piece = coords[a + 1 : b + 1]
        if head is not None:
            piece = np.vstack([head, piece])
        if b < len(coords) - 1:
            (lo0, la0), (lo1, la1) = coords[b], coords[b + 1]
            edge = 180.0 if lo0 > 0 else -180.0  # leaving eastward across +180°, or westward across -180°
            lo1u = lo1 + 2.0 * edge  # the next point on this side of the line
            lat_out = la0 + (la1 - la0) * (edge - lo0) / (lo1u - lo0) if lo1u != lo0 else la0
            lat_in = lat_out if lo1u != lo0 else la1
            piece = np.vstack([piece, [[edge, lat_out]]])
            head = np.array([[-edge, lat_in]])
        pieces.append(piece)
    out = []
    for piece in pieces:
        keep = np.r_[True, np.any(np.diff(piece, axis=0) != 0, axis=1)]
        piece = piece[keep]
        if len(piece) >= 2 and not np.all(np.abs(piece[:, 1]) >= 89.99):  # a line along a pole is no coast
            out.append(piece)
    return out


def _split_polygon(rings: list[np.ndarray]) -> list[list[np.ndarray]]:
    """A polygon that crosses the antimeridian, as polygons (lists of rings) within -180..180°.

    Each ring's longitudes are made continuous; a ring that then winds
    round a pole (Antarctica) is closed along that pole; the polygon is cut
    at ±180° and the pieces beyond are moved back by 360°.
    """
    fixed = []
    for ring in rings:
        if np.all(np.abs(ring[:, 1]) >= 89.99):  # a line along the pole, no area
            continue
        lon = np.unwrap(ring[:, 0], period=360.0)
        lat = ring[:, 1]
        if abs(lon[-1] - lon[0]) > 180.0:
            pole = -90.0 if lat.mean() < 0 else 90.0
            lon, lat = np.r_[lon, lon[-1], lon[0], lon[0]], np.r_[lat, pole, pole, lat[0]]
        fixed.append(np.column_stack([lon, lat]))
    if not fixed:
        return []
    poly = shapely.make_valid(shapely.polygons(fixed[0], holes=fixed[1:] or None))
    out = []
    for shift in (-360.0, 0.0, 360.0):
        part = shapely.intersection(poly, shapely.box(-180.0 - shift, -90.0, 180.0 - shift, 90.0))
        for g in shapely.get_parts(shapely.transform(part, lambda xy, s=shift: xy + [s, 0.0])):
            if isinstance(g, shapely.Polygon) and not g.is_empty and g.area > 0:
                out.append([shapely.get_coordinates(g.exterior)] + [shapely.get_coordinates(h) for h in g.interiors])
    return out


def convert(topology: dict[str, Any], *, tolerance: float, source: str) -> dict[str, Any]:
    """The land / coast / borders topology of a ``world-atlas`` countries topology.

    Parameters
    ----------
    topology
        ``countries-<scale>.json`` as read.
    tolerance
        Douglas–Peucker tolerance of every arc, degrees.
    source
        What to record as the source (package and file).

    Returns
    -------
    dict
        A quantized TopoJSON ``Topology`` with ``land``, ``coast`` and
        ``borders``, and its ``meta``. Nothing crosses the antimeridian:
        the few polygons and lines that do in the source (Russia's east,
        Fiji, Antarctica) are cut there.
    """
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from flighttrace.viz.basemap import (
        decode_arcs,  # the one TopoJSON decoder, also used to read the output
    )

    arcs = decode_arcs(topology)
    land = topology["objects"]["land"]["geometries"]
    countries = topology["objects"]["countries"]["geometries"]
    land_arcs = sorted({r if r >= 0 else ~r for g in land for r in _refs(g)})
    users: dict[int, set[int]] = {}
    for k, g in enumerate(countries):  # which countries use each arc
        for r in _refs(g):
            users.setdefault(r if r >= 0 else ~r, set()).add(k)
    border_arcs = sorted(a for a, who in users.items() if len(who) >= 2)
    simple = {a: _simplify(arcs[a], tolerance) for a in sorted(set(land_arcs) | set(border_arcs))}
    crossing = {a for a, c in simple.items() if len(_jumps(c))}  # lines to cut (a polygon is checked on its rings)
    out_arcs: list[np.ndarray] = []
    shared: dict[int, int] = {}

    def arc_id(a: int) -> int:  # an input arc kept whole, written once
        if a not in shared:
            shared[a] = len(out_arcs)
            out_arcs.append(simple[a])
        return shared[a]

    def new_arc(coords: np.ndarray) -> int:
        out_arcs.append(np.rint(coords / QUANTUM_DEG) * QUANTUM_DEG)
        return len(out_arcs) - 1

    def chain(ring: list[int]) -> np.ndarray:
        parts = [simple[r] if r >= 0 else simple[~r][::-1] for r in ring]
        return np.concatenate([parts[0]] + [p[1:] for p in parts[1:]])

    polygons = []
    for g in land:
        for rings in [g["arcs"]] if g["type"] == "Polygon" else g["arcs"]:  # one polygon at a time
            if any(len(_jumps(chain(ring))) for ring in rings):
                polygons += [[[new_arc(c)] for c in poly] for poly in _split_polygon([chain(ring) for ring in rings])]
            elif len(chain(rings[0])) >= 4:  # a shell shrunk to a line is left out, and so is a hole
                polygons.append([[arc_id(r) if r >= 0 else ~arc_id(~r) for r in ring] for ring in rings if len(chain(ring)) >= 4])

    def lines(which: list[int]) -> list[list[int]]:
        out = []
        for a in which:  # one line per arc, cut at the antimeridian where it crosses it
            if len(simple[a]) < 2 or np.all(np.abs(simple[a][:, 1]) >= 89.99):
                continue
            out += [[arc_id(a)]] if a not in crossing else [[new_arc(c)] for c in _split_line(simple[a])]
        return out

    coast, borders = lines(land_arcs), lines(border_arcs)
    encoded = []
    for c in out_arcs:  # quantized, delta-encoded
        q = np.rint((c - np.array([-180.0, -90.0])) / QUANTUM_DEG).astype(np.int64)
        encoded.append(np.vstack([q[:1], np.diff(q, axis=0)]).tolist())
    return {
        "type": "Topology",
        "meta": {
            "source": source,
            "data": "Natural Earth 4.1.0 (naturalearthdata.com), Admin 0 countries and land, as redistributed by world-atlas",
            "licence": "Natural Earth: public domain. world-atlas: ISC licence (LICENSE-world-atlas).",
            "tolerance_deg": tolerance,
            "quantum_deg": QUANTUM_DEG,
            "built": dt.date.today().isoformat(),
            "built_by": "scripts/build_basemap.py",
        },
        "transform": {"scale": [QUANTUM_DEG, QUANTUM_DEG], "translate": [-180.0, -90.0]},
        "objects": {
            "land": {"type": "MultiPolygon", "arcs": polygons},
            "coast": {"type": "MultiLineString", "arcs": coast},
            "borders": {"type": "MultiLineString", "arcs": borders},
        },
        "arcs": encoded,
    }


def _atlas_folder(tmp: Path) -> Path:
    """``npm pack world-atlas`` unpacked into ``tmp``; the folder holding its files."""
    out = subprocess.run(["npm", "pack", WORLD_ATLAS, "--silent"], cwd=tmp, check=True, capture_output=True, text=True)
    with tarfile.open(tmp / out.stdout.strip().splitlines()[-1]) as tar:
        tar.extractall(tmp, filter="data")
    return tmp / "package"


def main(argv: list[str] | None = None) -> int:
    """Write ``ne-110m.topo.json``, ``ne-50m.topo.json`` and ``LICENSE-world-atlas``; print their sizes."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--atlas", type=Path, help="folder with world-atlas's countries-*.json (default: npm pack " + WORLD_ATLAS + ")")
    ap.add_argument("--tolerance-110m", type=float, default=TOLERANCE_DEG["110m"], help="simplification of the 1:110m arcs, degrees")
    ap.add_argument("--tolerance-50m", type=float, default=TOLERANCE_DEG["50m"], help="simplification of the 1:50m arcs, degrees")
    args = ap.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        atlas = args.atlas or _atlas_folder(Path(tmp))
        for scale, tol in (("110m", args.tolerance_110m), ("50m", args.tolerance_50m)):
            topo = json.loads((atlas / f"countries-{scale}.json").read_text(encoding="utf-8"))
            doc = convert(topo, tolerance=tol, source=f"{WORLD_ATLAS} countries-{scale}.json")
            path = OUT / f"ne-{scale}.topo.json"
            path.write_text(json.dumps(doc, separators=(",", ":")) + "\n", encoding="utf-8")
            n = sum(len(a) for a in doc["arcs"])
            print(f"{path.relative_to(ROOT)}: {path.stat().st_size / 1e3:.0f} kB, {len(doc['arcs'])} arcs, {n} points")
        shutil.copyfile(atlas / "LICENSE", OUT / "LICENSE-world-atlas")
    return 0


if __name__ == "__main__":
    sys.exit(main())
