"""Exports of derived tables: CSV, Parquet and GeoJSON, deterministic bytes."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from flighttrace.csvsafe import iso_text, write_csv
from flighttrace.numfmt import fixed_decimals

__all__ = ["GEOJSON_FEATURES_PER_PIECE", "KML_LEGS_PER_PIECE", "leg_field_elevations", "legs_geojson", "legs_kml", "to_csv", "write_legs_geojson", "write_legs_kml",
           "write_table"]

GEOJSON_FEATURES_PER_PIECE = 32
"""Legs serialised in one piece by :func:`write_legs_geojson` (a leg of a few thousand vertices is about 100 kB of text)."""

KML_LEGS_PER_PIECE = 64
"""Legs whose tracks :func:`write_legs_kml` takes and formats at once (at most 300 vertices each by default, about 1 MB of text)."""


def _iso(df: pd.DataFrame) -> pd.DataFrame:
    """Times as ISO 8601 (:func:`flighttrace.csvsafe.iso_text`): ``Z`` for UTC columns, the offset with its colon
    (``+04:00``) for any other zone, as every other table of a report writes it."""
    out = df.copy()
    for c in out.columns:
        dt = out[c].dtype
        if isinstance(dt, pd.DatetimeTZDtype):
            col = out[c].dt.tz_convert("UTC") if str(dt.tz).upper() == "UTC" else out[c]  # any spelling of UTC writes Z
            out[c] = iso_text(col)  # the whole column at once
    return out


def to_csv(df: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write a table as CSV: UTC times as ISO 8601 with ``Z``, numbers with fixed decimals per column
    (:func:`flighttrace.numfmt.fixed_decimals`), no index, LF line ends."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    frame = fixed_decimals(_iso(df.drop(columns=["geometry"], errors="ignore")))
    return write_csv(frame, p)


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


def _json_column(col: pd.Series) -> list[Any]:
    """A column's values as :func:`_jsonable` makes them (numbers of numpy columns as Python numbers, in one call)."""
    values = col.array
    arr = col.to_numpy() if isinstance(col.dtype, np.dtype) else None
    if arr is not None and arr.dtype.kind in "biuf":
        return arr.tolist()  # Python numbers; orjson writes NaN as null, as _jsonable's None
    if isinstance(col.dtype, pd.StringDtype):
        # pandas-stubs leave None out of na_value's type; pandas accepts it (and writes None for <NA>)
        return col.to_numpy(dtype=object, na_value=None).tolist()  # type: ignore[call-overload]  # str or None, in one call
    return [_jsonable(v) for v in values]


def legs_geojson(legs: pd.DataFrame, *, decimals: int = 5) -> str:
    """Legs as an RFC 7946 FeatureCollection (lon, lat order), one Feature per leg.

    Properties carry every non-geometry column with times in ISO 8601 UTC;
    coordinates are rounded to ``decimals`` (5 ≈ 1 m). Serialised with
    orjson, which writes numpy coordinate arrays directly. Coordinates are
    taken and rounded for all legs at once, properties column by column.
    :func:`write_legs_geojson` writes the same text to a file in pieces.
    """
    return b"".join(_geojson_pieces(legs, decimals=decimals)).decode()


def write_legs_geojson(legs: pd.DataFrame, path: str | os.PathLike[str], *, decimals: int = 5,
                       features_per_piece: int = GEOJSON_FEATURES_PER_PIECE) -> Path:
    """Write :func:`legs_geojson`'s text (the same bytes, UTF-8) to ``path``, serialised ``features_per_piece`` legs at a time.

    The whole text and the Features of every leg are never held at once: a
    report's legs of half a million points made about 30 MB of transient
    copies when the text was built whole, decoded and encoded again.
    """
    p = Path(path)
    with p.open("wb") as f:
        for piece in _geojson_pieces(legs, decimals=decimals, features_per_piece=features_per_piece):
            f.write(piece)
    return p


def _geojson_pieces(legs: pd.DataFrame, *, decimals: int, features_per_piece: int = GEOJSON_FEATURES_PER_PIECE) -> Iterator[bytes]:
    """The bytes of :func:`legs_geojson` in order: the opening, the Features in runs of ``features_per_piece``, the closing.

    orjson writes a list's items as it writes them inside the whole
    document (compact, keys sorted), so runs of Features joined by commas
    give the bytes one call on the whole collection gives.
    """
    import orjson
    import shapely

    option = orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_SORT_KEYS
    props = _iso(legs.drop(columns=["geometry"], errors="ignore"))
    keys = sorted(str(c) for c in props.columns)
    cols = [_json_column(props[c]) for c in sorted(props.columns, key=str)]
    del props
    geoms = legs["geometry"].to_numpy() if "geometry" in legs else np.full(len(legs), None, dtype=object)
    rows = zip(*cols, strict=True) if cols else iter([()] * len(legs))
    step = max(int(features_per_piece), 1)
    yield b'{"features":['
    for a in range(0, len(legs), step):  # coordinates taken and rounded for a run of legs at once
        g = geoms[a : a + step]
        coords, which = shapely.get_coordinates(g, return_index=True)
        parts = np.split(np.round(coords, decimals), np.searchsorted(which, np.arange(1, len(g))))
        feats = [{
            "geometry": {"coordinates": xy, "type": "LineString"} if h is not None else None,
            "properties": dict(zip(keys, next(rows), strict=True)),
            "type": "Feature",
        } for h, xy in zip(g.tolist(), parts, strict=True)]  # one feature per leg
        yield (b"," if a else b"") + orjson.dumps(feats, option=option)[1:-1]
    yield b'],"type":"FeatureCollection"}\n'


def leg_field_elevations(legs: pd.DataFrame, airports: pd.DataFrame) -> dict[str, float]:
    """Elevations (ft) of the fields the legs name as origin or destination, by code, for :func:`legs_kml`.

    ``airports`` is an airport table with ``code`` and ``elevation_ft``
    (:attr:`flighttrace.reference.AirportIndex.table`). Only the codes the
    legs name are looked up, not every airport of the index; a code without
    an elevation is left out, and a code listed twice keeps its last
    elevation, as a dictionary made from the whole table does.
    """
    codes = sorted({c for col in ("origin", "destination") if col in legs for c in legs[col].tolist() if isinstance(c, str)})  # per leg, not point
    rows = airports.loc[airports["code"].isin(codes), ["code", "elevation_ft"]].dropna(subset=["elevation_ft"])
    return {str(c): float(e) for c, e in zip(rows["code"].tolist(), rows["elevation_ft"].tolist(), strict=True)}


def write_table(df: pd.DataFrame, out_dir: str | os.PathLike[str], name: str) -> dict[str, Path]:
    """Write ``name.csv`` and ``name.parquet`` (geometry as WKB in Parquet, dropped in CSV)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"csv": to_csv(df, out / f"{name}.csv")}
    pq = out / f"{name}.parquet"
    to_wkb = getattr(df, "to_wkb", None)  # a GeoDataFrame's (geopandas is not imported here)
    if "geometry" in df and callable(to_wkb):
        to_wkb().to_parquet(pq, index=False)
    else:
        df.to_parquet(pq, index=False)
    paths["parquet"] = pq
    return paths


class _Lines:
    """Many short texts held as one string, one per line, joined back in ranges without a Python string each."""

    def __init__(self, body: str) -> None:
        self.body = body
        if body:
            nl = np.flatnonzero(np.frombuffer(body.encode("ascii"), dtype=np.uint8) == 10)
            self.starts = np.r_[0, nl + 1]
            self.ends = np.r_[nl, len(body)]
        else:
            self.starts = self.ends = np.empty(0, dtype=np.intp)

    def join(self, a: int, b: int, sep: str) -> str:
        """``sep.join`` of texts ``a`` to ``b - 1``."""
        return self.body[int(self.starts[a]) : int(self.ends[b - 1])].replace("\n", sep)


def _odd_floats(x: np.ndarray) -> bool:
    """Whether orjson would write some of these numbers unlike numpy (non-finite, or under 1e-4 and not zero)."""
    return bool(np.any(~np.isfinite(x) | ((x != 0) & (np.abs(x) < 1e-4))))


def _coord_lines(lon: np.ndarray, lat: np.ndarray, alt_m: np.ndarray) -> _Lines:
    """``f"{lon} {lat} {alt}"`` per point, numbers as numpy's ``astype(str)`` writes them.

    orjson writes the same shortest round-trip digits as numpy, ten times
    faster, except for numbers under 1e-4 and non-finite ones: with any of
    those among the coordinates, numpy writes them all.
    """
    import orjson

    if len(lon) == 0:
        return _Lines("")
    if _odd_floats(lon) or _odd_floats(lat):
        xs, ys, zs = lon.astype(str).tolist(), lat.astype(str).tolist(), alt_m.astype(str).tolist()
        return _Lines("\n".join(map(" ".join, zip(xs, ys, zs, strict=True))))
    xyz = np.column_stack([lon, lat, alt_m.astype(np.float64) + 0.0])  # + 0.0: no "-0" altitude
    text = orjson.dumps(xyz, option=orjson.OPT_SERIALIZE_NUMPY).decode()  # [[x,y,z.0],[x,y,z.0]]
    return _Lines(text[2:-4].replace(".0],[", "\n").replace(",", " "))


def _second_lines(t: np.ndarray) -> _Lines:
    """``np.datetime_as_string(t, unit="s")`` per time (naive UTC), written by orjson when none is NaT."""
    import orjson

    if len(t) == 0:
        return _Lines("")
    sec = np.ascontiguousarray(t.astype("datetime64[s]"))
    if np.isnat(sec).any():
        return _Lines("\n".join(np.datetime_as_string(t, unit="s").tolist()))
    return _Lines(orjson.dumps(sec, option=orjson.OPT_SERIALIZE_NUMPY).decode()[2:-2].replace('","', "\n"))


def _kml_vertices(start: np.ndarray, end: np.ndarray, max_vertices: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows of the points drawn for each leg, as one column: (row, leg number, position in the leg's list).

    A leg of more than ``max_vertices`` rows keeps ``max_vertices`` of them,
    evenly spaced by index: ``round(linspace(0, n - 1, max_vertices))``,
    computed as numpy's ``linspace`` does (``j * step``, the last one exact).
    """
    n_rows = np.maximum(end - start, 0)
    mv = int(max_vertices)
    cnt = np.minimum(n_rows, max(mv, 0))
    total = int(cnt.sum())
    leg = np.repeat(np.arange(len(start)), cnt)
    first = np.cumsum(cnt) - cnt
    j = np.arange(total, dtype=np.int64) - np.repeat(first, cnt)
    offset = j.copy()
    long = n_rows[leg] > mv
    if mv > 1 and long.any():
        step = (n_rows[leg[long]] - 1).astype(np.float64) / (mv - 1)
        pos = np.rint(j[long].astype(np.float64) * step)
        last = j[long] == mv - 1
        pos[last] = (n_rows[leg[long]] - 1)[last]
        offset[long] = pos.astype(np.int64)
    elif mv == 1:
        offset[:] = 0
    return start[leg] + offset, leg, j


def _or(value: Any, missing: str) -> Any:
    """``value``, or ``missing`` when it is None, NaN, NA or empty (a missing airport is ``?``, never ``nan``)."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)) or value == "":
        return missing
    return value


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
        ``altitudeMode`` absolute, times in UTC with ``Z``. Google Earth
        renders a ``<description>`` as HTML once the XML is read, so its text
        (callsigns, file names) is HTML-escaped before it is XML-escaped: a
        callsign ``<script>`` shows as text in the balloon.

    Notes
    -----
    The points of every leg are chosen, filled and formatted as whole
    columns; only the assembly of each Placemark's text runs per leg.
    :func:`write_legs_kml` writes the same text to a file as it is made.
    """
    return "\n".join([*_kml_lines(legs, points, title=title, max_vertices=max_vertices, elevations_ft=elevations_ft, synthetic=synthetic),
                      ""])  # the final newline, joined in (no second copy of the whole text)


def write_legs_kml(legs: pd.DataFrame, points: pd.DataFrame, path: str | os.PathLike[str], *, title: str = "flighttrace legs",
                   max_vertices: int = 300, elevations_ft: dict[str, float] | None = None, synthetic: bool = False,
                   legs_per_piece: int = KML_LEGS_PER_PIECE) -> Path:
    """Write :func:`legs_kml`'s text (the same bytes, UTF-8, LF line ends) to ``path`` as it is made.

    The text is never held whole, and the vertices of ``legs_per_piece``
    legs at a time are taken and written out: the tracks of the Ovda report
    (80,000 vertices) made about 25 MB of transient text when formatted
    all at once.
    """
    p = Path(path)
    with p.open("w", encoding="utf-8", newline="\n") as f:
        for line in _kml_lines(legs, points, title=title, max_vertices=max_vertices, elevations_ft=elevations_ft, synthetic=synthetic,
                               legs_per_piece=legs_per_piece):
            f.write(line)
            f.write("\n")
    return p


def _kml_lines(legs: pd.DataFrame, points: pd.DataFrame, *, title: str, max_vertices: int, elevations_ft: dict[str, float] | None,
               synthetic: bool, legs_per_piece: int = KML_LEGS_PER_PIECE) -> Iterator[str]:
    """The lines of :func:`legs_kml`, in order, without their line ends; the tracks made ``legs_per_piece`` legs at a time."""
    from xml.sax.saxutils import escape

    elev = elevations_ft or {}
    yield '<?xml version="1.0" encoding="UTF-8"?>'
    yield '<kml xmlns="http://www.opengis.net/kml/2.2" xmlns:gx="http://www.google.com/kml/ext/2.2">'
    yield "<Document>"
    yield f"<name>{escape(title)}</name>"
    if synthetic:
        yield "<description>SYNTHETIC DATA: simulated by flighttrace, not real flights.</description>"
    yield '<Style id="leg"><LineStyle><color>ff1f77b4</color><width>2</width></LineStyle><IconStyle><scale>0.5</scale></IconStyle></Style>'
    n_legs = len(legs)
    if n_legs:
        origin = legs["origin"].tolist()
        destination = legs["destination"].tolist()
        o_ft = np.array([elev.get(c, np.nan) if isinstance(c, str) else np.nan for c in origin], dtype=np.float64)  # one lookup per leg
        d_ft = np.array([elev.get(c, np.nan) if isinstance(c, str) else np.nan for c in destination], dtype=np.float64)
        start = np.array([int(v) for v in legs["point_start"].tolist()], dtype=np.int64)
        end = np.array([int(v) for v in legs["point_end"].tolist()], dtype=np.int64)
        idx, leg, j = _kml_vertices(start, end, max_vertices)
        per_leg = np.bincount(leg, minlength=n_legs)
        half = j < np.repeat(per_leg / 2, per_leg)  # first half of the leg's chosen points: the origin's
        fill = np.where(half, o_ft[leg], d_ft[leg])
        cols = list(zip(legs["leg_id"].tolist(), legs["icao24"].tolist(), legs["callsign"].tolist(), origin, legs["origin_evidence"].tolist(),
                        destination, legs["destination_evidence"].tolist(), legs["lineage"].tolist(), strict=True))
        step = max(int(legs_per_piece), 1)
        cuts = np.searchsorted(leg, np.arange(0, n_legs + step, step))  # the vertices of legs a to a + step - 1 (leg is sorted)
        for k, a in enumerate(range(0, n_legs, step)):
            lo, hi = int(cuts[k]), int(cuts[k + 1])
            yield from _kml_placemarks(points, idx[lo:hi], leg[lo:hi] - a, fill[lo:hi], cols[a : a + step])
    yield "</Document></kml>"


def _kml_placemarks(points: pd.DataFrame, idx: np.ndarray, leg: np.ndarray, fill: np.ndarray, cols: list[tuple[Any, ...]]) -> Iterator[str]:
    """The Placemark lines of some legs: ``idx`` their chosen rows of ``points``, ``leg`` the leg (0 to ``len(cols) - 1``) of each row,
    ``fill`` the height (ft) given to a row on the ground without an altitude, ``cols`` the legs' fields."""
    import html as _html
    from xml.sax.saxutils import escape

    n_legs = len(cols)
    chosen = points[[c for c in ("time", "lat", "lon", "alt_ft", "on_ground") if c in points]].iloc[idx]  # only the chosen vertices
    times = chosen["time"]
    t_ns = times.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy() if isinstance(times.dtype, pd.DatetimeTZDtype) \
        else times.to_numpy().astype("datetime64[ns]")
    og = chosen["on_ground"].to_numpy(dtype=bool, na_value=False) if "on_ground" in chosen else np.zeros(len(idx), bool)
    al = chosen["alt_ft"].to_numpy(dtype=np.float64)
    al = np.where(np.isnan(al) & og, fill, al)
    keep = ~np.isnan(al)
    leg, al = leg[keep], al[keep]
    bounds = np.r_[0, np.cumsum(np.bincount(leg, minlength=n_legs))]
    whens = _second_lines(t_ns[keep])
    coords = _coord_lines(np.round(chosen["lon"].to_numpy()[keep], 5), np.round(chosen["lat"].to_numpy()[keep], 5),
                          np.round(al * 0.3048).astype(np.int64))
    del chosen, times, t_ns, og, al, keep  # the texts are made: only they are needed while the lines are written
    for k, (leg_id, icao24, callsign, o, o_ev, d, d_ev, lineage) in enumerate(cols):  # one Placemark per leg (text only)
        a, b = int(bounds[k]), int(bounds[k + 1])
        if a == b:
            continue
        desc = (f"{icao24} {_or(callsign, '')} | from {_or(o, '?')} ({o_ev}) "
                f"to {_or(d, '?')} ({d_ev}) | lineage: {_or(lineage, '')}")
        yield "<Placemark>"
        yield f"<name>{escape(str(leg_id))}</name>"
        yield f"<description>{escape(_html.escape(desc, quote=False))}</description>"  # HTML to Google Earth: data shown as text
        yield "<styleUrl>#leg</styleUrl>"
        yield f"<TimeSpan><begin>{whens.join(a, a + 1, '')}Z</begin><end>{whens.join(b - 1, b, '')}Z</end></TimeSpan>"
        yield "<gx:Track><altitudeMode>absolute</altitudeMode>"
        yield "<when>" + whens.join(a, b, "Z</when><when>") + "Z</when>"
        yield "<gx:coord>" + coords.join(a, b, "</gx:coord><gx:coord>") + "</gx:coord>"
        yield "</gx:Track></Placemark>"
