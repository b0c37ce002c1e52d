"""Tests of flighttrace.report.export: the column-wise KML and GeoJSON equal a plain per-leg reference, edge cases included."""

from __future__ import annotations

import html
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import geopandas as gpd
import numpy as np
import orjson
import pandas as pd
import pytest
import shapely

from flighttrace.report.export import legs_geojson, legs_kml, to_csv


def text(value: Any, missing: str) -> Any:
    """A leg's field as the KML shows it: ``missing`` for None, NaN or an empty string (a missing airport is ``?``, not ``nan``)."""
    return missing if value is None or (isinstance(value, float) and np.isnan(value)) or value == "" else value


def reference_kml(legs: pd.DataFrame, points: pd.DataFrame, *, title: str, max_vertices: int, elevations_ft: dict[str, float],
                  synthetic: bool) -> str:
    """The KML as flighttrace wrote it one leg at a time (before it went column-wise)."""
    elev = elevations_ft
    t_ns = points["time"].dt.tz_convert("UTC").dt.tz_localize(None).to_numpy()
    lat, lon = points["lat"].to_numpy(), points["lon"].to_numpy()
    alt = points["alt_ft"].to_numpy(dtype=np.float64)
    og = points["on_ground"].to_numpy(dtype=bool, na_value=False)
    out = ['<?xml version="1.0" encoding="UTF-8"?>', '<kml xmlns="http://www.opengis.net/kml/2.2" xmlns:gx="http://www.google.com/kml/ext/2.2">',
           "<Document>", f"<name>{escape(title)}</name>"]
    if synthetic:
        out.append("<description>SYNTHETIC DATA: simulated by flighttrace, not real flights.</description>")
    out.append('<Style id="leg"><LineStyle><color>ff1f77b4</color><width>2</width></LineStyle><IconStyle><scale>0.5</scale></IconStyle></Style>')
    for leg in legs.itertuples():
        idx = np.arange(int(leg.point_start), int(leg.point_end))
        if len(idx) > max_vertices:
            idx = idx[np.unique(np.linspace(0, len(idx) - 1, max_vertices).round().astype(np.int64))]
        al = alt[idx].copy()
        half = np.arange(len(idx)) < len(idx) / 2
        o = elev.get(str(leg.origin)) if isinstance(leg.origin, str) else None
        d = elev.get(str(leg.destination)) if isinstance(leg.destination, str) else None
        al = np.where(np.isnan(al) & og[idx], np.where(half, np.nan if o is None else o, np.nan if d is None else d), al)
        keep = ~np.isnan(al)
        idx, al = idx[keep], al[keep]
        if len(idx) == 0:
            continue
        whens = np.datetime_as_string(t_ns[idx], unit="s")
        desc = (f"{leg.icao24} {text(leg.callsign, '')} | from {text(leg.origin, '?')} ({leg.origin_evidence}) "
                f"to {text(leg.destination, '?')} ({leg.destination_evidence}) | lineage: {text(leg.lineage, '')}")
        # the description is HTML to Google Earth: the text is HTML-escaped, then XML-escaped
        out += ["<Placemark>", f"<name>{escape(str(leg.leg_id))}</name>", f"<description>{escape(html.escape(desc, quote=False))}</description>",
                "<styleUrl>#leg</styleUrl>",
                f"<TimeSpan><begin>{whens[0]}Z</begin><end>{whens[-1]}Z</end></TimeSpan>", "<gx:Track><altitudeMode>absolute</altitudeMode>",
                "<when>" + "Z</when><when>".join(whens.tolist()) + "Z</when>"]
        xs = np.round(lon[idx], 5).astype(str).tolist()
        ys = np.round(lat[idx], 5).astype(str).tolist()
        zs = np.round(al * 0.3048).astype(np.int64).astype(str).tolist()
        out.append("<gx:coord>" + "</gx:coord><gx:coord>".join(map(" ".join, zip(xs, ys, zs, strict=False))) + "</gx:coord>")
        out.append("</gx:Track></Placemark>")
    out.append("</Document></kml>")
    return "\n".join(out) + "\n"


def world(*, tiny_lon: bool = False) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Points of three aircraft and five legs: long and short ones, altitudes missing on the ground and aloft, an empty leg."""
    rng = np.random.default_rng(7)
    n = 1500
    t = pd.Timestamp("2024-03-01T00:00:00Z") + pd.to_timedelta(np.sort(rng.integers(0, 86_400 * 3, n)), unit="s")
    pts = pd.DataFrame({
        "icao24": np.repeat(["4b1805", "600864", "a0b1c2"], n // 3),
        "time": t,
        "lat": rng.uniform(29.0, 41.0, n),
        "lon": rng.uniform(-0.001, 0.001, n) if tiny_lon else rng.uniform(34.0, 50.0, n),
        "alt_ft": np.where(rng.random(n) < 0.2, np.nan, rng.uniform(-50.0, 35_000.0, n)).astype(np.float32),
        "on_ground": pd.array(rng.random(n) < 0.3, dtype="boolean"),
    })
    pts.loc[3, "alt_ft"] = -0.1  # rounds to a negative zero altitude
    pts.loc[7, ["lat", "lon"]] = [0.00004, -0.00002]  # written by numpy as 4e-05
    spans = [(0, 500), (500, 530), (530, 1000), (1000, 1000), (1000, 1500)]
    legs = gpd.GeoDataFrame({
        "leg_id": [f"L{i}<&>" for i in range(len(spans))],
        "icao24": ["4b1805", "600864", "600864", "a0b1c2", "a0b1c2"],
        "callsign": ["AZQ1", None, "X&Y", None, "Z"],
        "origin": ["UBBB", None, "LLOV", "LLOV", "NOPE"],
        "origin_evidence": ["observed", "unknown", "inferred", "bridged", "observed"],
        "destination": ["LLOV", "UBBB", None, "UBBB", "UBBB"],
        "destination_evidence": ["inferred", "observed", "unknown", "observed", "bridged"],
        "lineage": ["f.csv:0-499", None, "f.csv:530-999", "", "g.csv:1-2"],
        "point_start": [a for a, _ in spans],
        "point_end": [b for _, b in spans],
        "n_points": [b - a for a, b in spans],
        "max_gap_s": [12.5, np.nan, 30.0, np.nan, 1.0],
        "takeoff_time": pd.to_datetime(["2024-03-01T01:00:00Z", None, "2024-03-02T00:00:00Z", None, "2024-03-03T00:00:00Z"], utc=True),
        "geometry": [shapely.linestrings(np.column_stack([pts["lon"][a:b], pts["lat"][a:b]])) if b - a >= 2 else None for a, b in spans],
    }, geometry="geometry", crs="EPSG:4326")
    return legs, pts


@pytest.mark.parametrize("max_vertices", [1, 2, 7, 300, 10_000])
@pytest.mark.parametrize("tiny_lon", [False, True])
def test_kml_equals_the_per_leg_reference(max_vertices: int, tiny_lon: bool) -> None:
    legs, pts = world(tiny_lon=tiny_lon)
    args: dict[str, Any] = {"title": "T <&>", "max_vertices": max_vertices, "elevations_ft": {"UBBB": 10.0, "LLOV": 1_200.0}, "synthetic": True}
    assert legs_kml(legs, pts, **args) == reference_kml(legs, pts, **args)


def test_kml_with_no_legs_is_an_empty_document() -> None:
    legs, pts = world()
    kml = legs_kml(legs.iloc[:0], pts, title="none")
    assert "<Placemark>" not in kml and kml.endswith("</Document></kml>\n")


HOSTILE = ('<script>alert(1)</script> "onmouseover=alert(2) x=" {{ 7*7 }} </textarea><img src=x onerror=alert(3)> & &lt;b&gt;')


def test_kml_descriptions_show_data_strings_as_text_in_google_earths_html() -> None:
    # Google Earth renders a <description> as HTML once the XML is read: a callsign or a file name (lineage) holding
    # markup must reach the balloon as character references, not as tags
    legs, pts = world()
    legs["callsign"] = [HOSTILE, None, HOSTILE, None, "Z"]
    legs["lineage"] = [f"data/{HOSTILE}.csv:0-499", None, "f.csv:530-999", "", f"{HOSTILE}:1-2"]
    root = ET.fromstring(legs_kml(legs, pts, title="t").encode())
    ns = {"k": "http://www.opengis.net/kml/2.2"}
    descs = [pm.find("k:description", ns).text for pm in root.findall(".//k:Placemark", ns)]
    assert len(descs) == 4  # the empty leg has no placemark
    for d in descs:
        assert "<" not in d and ">" not in d  # no markup once the XML is read: the balloon's HTML is text only
    shown = [html.unescape(d) for d in descs]  # what the balloon shows
    assert shown[0] == f"4b1805 {HOSTILE} | from UBBB (observed) to LLOV (inferred) | lineage: data/{HOSTILE}.csv:0-499"
    assert shown[2] == f"600864 {HOSTILE} | from LLOV (inferred) to ? (unknown) | lineage: f.csv:530-999"
    assert shown[3] == f"a0b1c2 Z | from NOPE (observed) to UBBB (bridged) | lineage: {HOSTILE}:1-2"
    # a missing callsign, airport or lineage is left blank or '?', never written as 'nan'
    assert shown[1] == "600864  | from ? (unknown) to UBBB (observed) | lineage: "
    assert not any("nan" in d for d in shown)


def reference_geojson(legs: pd.DataFrame, decimals: int = 5) -> str:
    """The GeoJSON as flighttrace wrote it one leg at a time (before it went column-wise)."""
    from flighttrace.report.export import _iso, _jsonable

    props = _iso(legs.drop(columns=["geometry"], errors="ignore"))
    feats = []
    for rec, g in zip(props.to_dict(orient="records"), legs["geometry"].to_numpy(), strict=False):
        coords = None if g is None else np.round(shapely.get_coordinates(g), decimals)
        feats.append({"geometry": None if coords is None else {"coordinates": coords, "type": "LineString"},
                      "properties": {k: _jsonable(v) for k, v in sorted(rec.items())}, "type": "Feature"})
    return orjson.dumps({"features": feats, "type": "FeatureCollection"}, option=orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_SORT_KEYS).decode() + "\n"


def test_geojson_equals_the_per_leg_reference() -> None:
    legs, _ = world()
    legs["n_suspect"] = np.array([0, 1, 2, 3, 4], dtype=np.int32)
    legs["military"] = [True, False, True, False, False]
    legs["mlat_share"] = np.array([0.0, np.nan, 0.5, 1.0, 0.25], dtype=np.float32)
    legs["registration"] = pd.Categorical(["4K-AZ1", None, "4X-1", None, "4X-1"])
    assert legs_geojson(legs) == reference_geojson(legs)
    assert legs_geojson(legs.iloc[:0]) == reference_geojson(legs.iloc[:0])


def test_geojson_carries_every_column_and_rounded_coordinates() -> None:
    legs, _ = world()
    doc = orjson.loads(legs_geojson(legs))
    assert [f["properties"]["leg_id"] for f in doc["features"]] == legs["leg_id"].tolist()
    for f, (_, leg) in zip(doc["features"], legs.iterrows(), strict=False):
        assert list(f["properties"]) == sorted(f["properties"])
        assert f["properties"]["max_gap_s"] == (None if pd.isna(leg["max_gap_s"]) else leg["max_gap_s"])
        assert f["properties"]["callsign"] == (None if pd.isna(leg["callsign"]) else leg["callsign"])
        if leg["geometry"] is None:
            assert f["geometry"] is None
        else:
            assert f["geometry"]["coordinates"] == np.round(shapely.get_coordinates(leg["geometry"]), 5).tolist()
    assert doc["features"][0]["properties"]["takeoff_time"] == "2024-03-01T01:00:00Z"
    assert doc["features"][1]["properties"]["takeoff_time"] is None


def test_to_csv_writes_utc_times_with_z_and_other_zones_with_their_offset(tmp_path: Path) -> None:
    utc = pd.to_datetime(["2024-03-01T01:02:03.9Z", None], utc=True)
    frame = pd.DataFrame({"takeoff_time": utc, "local": utc.tz_convert("Asia/Baku"), "n": [1, 2]})
    text = to_csv(frame, tmp_path / "t.csv").read_text(encoding="utf-8")
    # to the second (floored); 01:02 UTC is 05:02 in Baku, written +04:00 (extended ISO 8601, as the findings tables write
    # it: a basic-format +0400 after an extended date and time mixes the two forms); a missing time is an empty cell
    assert text == "takeoff_time,local,n\n2024-03-01T01:02:03Z,2024-03-01T05:02:03+04:00,1\n,,2\n"
