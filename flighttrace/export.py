"""Exports of derived tables: CSV, Parquet and GeoJSON, deterministic bytes."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["to_csv", "legs_geojson", "write_table"]


def _iso(df: pd.DataFrame) -> pd.DataFrame:
    """Times as ISO 8601: ``Z`` for UTC columns, the numeric offset for any other zone."""
    out = df.copy()
    for c in out.columns:
        dt = out[c].dtype
        if isinstance(dt, pd.DatetimeTZDtype):
            fmt = "%Y-%m-%dT%H:%M:%SZ" if str(dt.tz) in ("UTC", "utc") else "%Y-%m-%dT%H:%M:%S%z"
            out[c] = out[c].dt.strftime(fmt).where(out[c].notna(), None)
    return out


def to_csv(df: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write a table as CSV: UTC times as ISO 8601 with ``Z``, no index, LF line ends."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    frame = _iso(df.drop(columns=["geometry"], errors="ignore"))
    frame.to_csv(p, index=False, lineterminator="\n")
    return p


def _jsonable(v: Any) -> Any:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return None
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating,)):
        return float(v)
    if isinstance(v, (np.bool_,)):
        return bool(v)
    return v


def legs_geojson(legs: pd.DataFrame, *, decimals: int = 5) -> str:
    """Legs as an RFC 7946 FeatureCollection (lon, lat order), one Feature per leg.

    Properties carry every non-geometry column with times in ISO 8601 UTC;
    coordinates are rounded to ``decimals`` (5 ≈ 1 m). Serialised with
    orjson, which writes numpy coordinate arrays directly.
    """
    import orjson
    import shapely

    props = _iso(legs.drop(columns=["geometry"], errors="ignore"))
    geoms = legs["geometry"].to_numpy() if "geometry" in legs else np.full(len(legs), None, dtype=object)
    feats = []
    for rec, g in zip(props.to_dict(orient="records"), geoms):  # one feature per leg
        coords = None if g is None else np.round(shapely.get_coordinates(g), decimals)
        feats.append({
            "geometry": None if coords is None else {"coordinates": coords, "type": "LineString"},
            "properties": {k: _jsonable(v) for k, v in sorted(rec.items())},
            "type": "Feature",
        })
    doc = {"features": feats, "type": "FeatureCollection"}
    return orjson.dumps(doc, option=orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_SORT_KEYS).decode() + "\n"


def write_table(df: pd.DataFrame, out_dir: str | os.PathLike[str], name: str) -> dict[str, Path]:
    """Write ``name.csv`` and ``name.parquet`` (geometry as WKB in Parquet, dropped in CSV)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"csv": to_csv(df, out / f"{name}.csv")}
    pq = out / f"{name}.parquet"
    if "geometry" in df and hasattr(df, "to_wkb"):
        df.to_wkb().to_parquet(pq, index=False)  # type: ignore[union-attr]
    else:
        df.to_parquet(pq, index=False)
    paths["parquet"] = pq
    return paths


def legs_kml(legs: pd.DataFrame, points: pd.DataFrame, *, title: str = "flighttrace legs", max_vertices: int = 300,
             elevations_ft: dict[str, float] | None = None, synthetic: bool = False) -> str:
    """Legs as KML with time-stamped ``gx:Track`` elements (one Placemark per leg), for Google Earth.

    Parameters
    ----------
    legs
        Output of :func:`flighttrace.detect_legs` (``point_start``/``point_end`` index ``points``).
    points
        The sorted Points table the legs were detected on.
    title
        Document name.
    max_vertices
        Each track keeps at most this many points, evenly spaced by index.
    elevations_ft
        Field elevations (ft) by code: a point on the ground without an
        altitude is placed at its leg's origin (first half) or destination
        (second half) elevation. Airborne points without an altitude are left
        out: the track never shows a height nobody measured.
    synthetic
        Say in the document that the data is synthetic.

    Returns
    -------
    str
        KML 2.2 with the Google ``gx`` extension; altitudes in metres,
        ``altitudeMode`` absolute, times in UTC with ``Z``.
    """
    from xml.sax.saxutils import escape

    elev = elevations_ft or {}
    t_ns = points["time"].to_numpy().astype("datetime64[ns]") if not isinstance(points["time"].dtype, pd.DatetimeTZDtype) else points["time"].dt.tz_convert("UTC").dt.tz_localize(None).to_numpy()
    lat = points["lat"].to_numpy()
    lon = points["lon"].to_numpy()
    alt = points["alt_ft"].to_numpy(dtype=np.float64)
    og = points["on_ground"].to_numpy(dtype=bool, na_value=False) if "on_ground" in points else np.zeros(len(points), bool)
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<kml xmlns="http://www.opengis.net/kml/2.2" xmlns:gx="http://www.google.com/kml/ext/2.2">',
        "<Document>",
        f"<name>{escape(title)}</name>",
    ]
    if synthetic:
        out.append("<description>SYNTHETIC DATA: simulated by flighttrace, not real flights.</description>")
    out.append('<Style id="leg"><LineStyle><color>ff1f77b4</color><width>2</width></LineStyle><IconStyle><scale>0.5</scale></IconStyle></Style>')
    for leg in legs.itertuples():  # one Placemark per leg
        a, b = int(leg.point_start), int(leg.point_end)
        idx = np.arange(a, b)
        if len(idx) > max_vertices:
            idx = idx[np.unique(np.linspace(0, len(idx) - 1, max_vertices).round().astype(np.int64))]
        al = alt[idx].copy()
        half = np.arange(len(idx)) < len(idx) / 2
        o = elev.get(str(leg.origin)) if isinstance(leg.origin, str) else None
        d = elev.get(str(leg.destination)) if isinstance(leg.destination, str) else None
        ground_fill = np.where(half, np.nan if o is None else o, np.nan if d is None else d)
        al = np.where(np.isnan(al) & og[idx], ground_fill, al)
        keep = ~np.isnan(al)
        idx, al = idx[keep], al[keep]
        if len(idx) == 0:
            continue
        whens = np.datetime_as_string(t_ns[idx], unit="s")
        desc = (f"{leg.icao24} {leg.callsign or ''} | from {leg.origin or '?'} ({leg.origin_evidence}) "
                f"to {leg.destination or '?'} ({leg.destination_evidence}) | lineage: {leg.lineage or ''}")
        out.append("<Placemark>")
        out.append(f"<name>{escape(str(leg.leg_id))}</name>")
        out.append(f"<description>{escape(desc)}</description>")
        out.append("<styleUrl>#leg</styleUrl>")
        out.append(f"<TimeSpan><begin>{whens[0]}Z</begin><end>{whens[-1]}Z</end></TimeSpan>")
        out.append("<gx:Track><altitudeMode>absolute</altitudeMode>")
        out.append("<when>" + "Z</when><when>".join(whens.tolist()) + "Z</when>")
        xs = np.round(lon[idx], 5).astype(str).tolist()
        ys = np.round(lat[idx], 5).astype(str).tolist()
        zs = np.round(al * 0.3048).astype(np.int64).astype(str).tolist()
        out.append("<gx:coord>" + "</gx:coord><gx:coord>".join(map(" ".join, zip(xs, ys, zs))) + "</gx:coord>")
        out.append("</gx:Track></Placemark>")
    out.append("</Document></kml>")
    return "\n".join(out) + "\n"
