"""Tests of flighttrace.viz.maps: gaps drawn dashed, popups, layers, escaping, determinism, size."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

import flighttrace
from flighttrace.scenario import Scenario, parse_scenario
from flighttrace.viz.maps import (
    SYNTHETIC_BANNER,
    escape_html,
    map_sorties,
    render_map,
    save_map,
)

ROOT = Path(__file__).resolve().parents[1]
T0 = pd.Timestamp("2023-09-18T06:00:00Z")

# Hostile text: markup, a template-literal break-out, a template substitution, an attribute break-out,
# backslashes and a script-block terminator.
PAYLOADS = (
    "<script>alert(1)</script>",
    "`;alert(2);`",
    "${alert(3)}",
    '"><img src=x onerror=alert(4)>',
    "\\u0041\\",
    "</script><script>alert(6)</script>",
)
HOSTILE = " ".join(PAYLOADS)


# --------------------------------------------------------------------------- builders


def scenario(*, title: str = "Test scenario", site_name: str = "Strip X", event_name: str = "Offensive") -> Scenario:
    """A small scenario: Baku, Ovda, a custom strip, one event on 19 Sep 2023."""
    return parse_scenario(
        {
            "meta": {
                "title": title,
                "summary": "A scenario for map tests.",
                "sources": [{"id": "src", "outlet": "X", "title": "t", "url": "https://example.org", "access": "original", "confidence": "confirmed"}],
            },
            "fleet": {
                "aircraft": [{"hex": "600864", "registration": "4K-AZ100", "type": "IL76", "source": "src"}],
                "selectors": [{"id": "sw", "hexes": ["600864", "600865"]}],
            },
            "airports": {
                "codes": ["LLOV", "UBBB"],
                "custom": [{"id": "strip-x", "name": site_name, "lat": 40.0, "lon": 49.0}],
                "groups": {"az": ["UBBB", "strip-x"]},
            },
            "events": [{"id": "ev-1", "name": event_name, "kind": "war", "start": "2023-09-19", "end": "2023-09-20", "sources": ["src"]}],
            "routes": [{"id": "r", "sequence": ["az", "LLOV", "az"], "max_ground_time": "12h"}],
            "claims": [],
        }
    )


def leg_points(icao24: str, start: pd.Timestamp, *, gap_min: float = 30.0, n: int = 60, step_s: float = 10.0) -> pd.DataFrame:
    """Two seen stretches of one flight, Baku → Ovda, with ``gap_min`` minutes unseen between them."""
    t1 = pd.date_range(start, periods=n, freq=pd.Timedelta(seconds=step_s))
    t2 = pd.date_range(t1[-1] + pd.Timedelta(minutes=gap_min), periods=n, freq=pd.Timedelta(seconds=step_s))
    lat = np.r_[np.linspace(40.4675, 40.0, n), np.linspace(36.0, 29.94, n)]
    lon = np.r_[np.linspace(50.0467, 48.0, n), np.linspace(40.0, 34.936, n)]
    # a small wiggle so that simplification has something to keep
    lat = lat + 0.01 * np.sin(np.arange(2 * n))
    return pd.DataFrame({"icao24": icao24, "time": t1.append(t2), "lat": lat, "lon": lon})


def build(specs: list[dict[str, Any]]) -> tuple[pd.DataFrame, gpd.GeoDataFrame]:
    """Points and a Legs table (one leg per spec), with point_start/point_end in the sorted Points table.

    A spec gives ``icao24``, ``start`` and optionally ``gap_min`` and any Legs column to override.
    """
    frames = [leg_points(s["icao24"], s["start"], gap_min=s.get("gap_min", 30.0)).assign(_leg=i) for i, s in enumerate(specs)]
    pts = pd.concat(frames, ignore_index=True).sort_values(["icao24", "time"], kind="stable").reset_index(drop=True)
    rows = []
    for i, s in enumerate(specs):
        idx = np.flatnonzero(pts["_leg"].to_numpy() == i)
        p = pts.iloc[idx]
        dt = np.diff(p["time"].to_numpy()).astype("timedelta64[s]").astype(float)
        row = {
            "leg_id": f"{s['icao24']}-{p['time'].iloc[0]:%Y%m%dT%H%M%SZ}",
            "icao24": s["icao24"],
            "registration": "4K-AZ100",
            "callsign": "AZQ6224",
            "callsigns": "AZQ6224",
            "first_seen": p["time"].iloc[0],
            "last_seen": p["time"].iloc[-1],
            "origin": "UBBB",
            "takeoff_time": p["time"].iloc[0] - pd.Timedelta(minutes=1),
            "origin_evidence": "observed",
            "origin_reason": "seen on the ground 0.3 km from UBBB",
            "destination": "LLOV",
            "landing_time": p["time"].iloc[-1] + pd.Timedelta(minutes=2),
            "destination_evidence": "inferred",
            "destination_reason": "last seen 2300 ft above LLOV, 11 km out, descending toward it",
            "n_points": len(p),
            "n_suspect": 0,
            "max_gap_s": float(dt.max()),
            "mlat_share": 0.0,
            "point_start": int(idx[0]),
            "point_end": int(idx[-1]) + 1,
            "lineage": "data/test.csv:0-119",
            "geometry": shapely.linestrings(np.column_stack([p["lon"], p["lat"]])),
        }
        row.update({k: v for k, v in s.items() if k not in ("start", "gap_min")})
        rows.append(row)
    legs = gpd.GeoDataFrame(pd.DataFrame(rows), geometry="geometry", crs="EPSG:4326")
    return pts.drop(columns="_leg"), legs


def one_leg(**over: Any) -> tuple[pd.DataFrame, gpd.GeoDataFrame]:
    return build([{"icao24": "600864", "start": T0, **over}])


def sorties_for(legs: pd.DataFrame, **over: Any) -> pd.DataFrame:
    """One sortie per leg (as the inbound leg), with a ground time."""
    rows = []
    for k, lg in enumerate(legs.itertuples()):
        row = {"sortie_id": f"r-{k + 1:03d}", "icao24": lg.icao24, "registration": lg.registration, "callsign": lg.callsign, "origin": "UBBB",
               "far": "LLOV", "back": "UBBB", "in_leg": lg.leg_id, "out_leg": None, "arrive_far": lg.landing_time, "depart_far": pd.NaT,
               "ground_time_s": 8100.0, "ground_time_min_s": 8100.0, "evidence": "inferred", "note": "return leg not seen"}
        row.update(over)
        rows.append(row)
    return pd.DataFrame(rows)


def geojson_layers(m: Any) -> list[Any]:
    """The map's layers (one folium.GeoJson each), the offline basemap left out."""
    import folium

    from flighttrace.viz.basemap import BASEMAP_NAME

    return [c for c in m._children.values() if isinstance(c, folium.GeoJson) and c.layer_name != BASEMAP_NAME]


def features(layer: Any) -> list[dict[str, Any]]:
    """The GeoJSON features a layer writes into the page."""
    from flighttrace.viz.mapparts import FeatureData

    return [f for c in layer._children.values() if isinstance(c, FeatureData) for f in c.features]


def polylines(m: Any) -> list[Any]:
    """Every line drawn in the map's layers, in order: its style as ``options``, its [lat, lon] points as ``locations``.

    A track seen in several stretches (a MultiLineString) has a list of stretches as ``locations``.
    """
    out = []
    for layer in geojson_layers(m):
        for f in features(layer):
            g = f["geometry"]
            if g["type"] == "LineString":
                loc: list[Any] = [[lat, lon] for lon, lat in g["coordinates"]]
            elif g["type"] == "MultiLineString":
                loc = [[[lat, lon] for lon, lat in run] for run in g["coordinates"]]
            else:
                continue
            out.append(SimpleNamespace(options=f["properties"]["style"], locations=loc))
    return out


def feature_group_names(m: Any) -> list[str]:
    return [c.layer_name for c in geojson_layers(m)]


def _unjson(page: str) -> str:
    """The page with JSON string escapes undone (folium writes each layer's data as JSON, ``&`` as ``\\u0026``)."""
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), page)


def script_blocks(page: str) -> list[str]:
    """The contents of the inline <script> blocks of a page."""
    return [body for attrs, body in re.findall(r"<script([^>]*)>(.*?)</script>", page, flags=re.S) if "src=" not in attrs]


# --------------------------------------------------------------------------- gaps


def test_gap_is_dashed_between_last_and_next_seen_positions() -> None:
    pts, legs = one_leg()
    m = map_sorties(legs, points=pts, layers=None)
    lines = polylines(m)
    dashed = [pl for pl in lines if pl.options.get("dashArray") == "8 8"]
    solid = [pl for pl in lines if pl.options.get("dashArray") is None]
    assert len(dashed) == 1 and len(solid) == 1
    last_seen = [round(pts["lat"].iat[59], 5), round(pts["lon"].iat[59], 5)]
    next_seen = [round(pts["lat"].iat[60], 5), round(pts["lon"].iat[60], 5)]
    assert dashed[0].locations == [last_seen, next_seen]
    # the solid track is two separate stretches: it never joins the two sides of the gap
    runs = solid[0].locations
    assert len(runs) == 2 and runs[0][-1] == last_seen and runs[1][0] == next_seen
    page = render_map(m)
    assert '"dashArray": "8 8"' in page
    assert "Not seen for 30 min" in page and "path flown is unknown" in page


def test_gap_without_points_is_placed_from_the_leg_geometry() -> None:
    pts, legs = one_leg()
    m = map_sorties(legs, layers=None)
    dashed = [pl for pl in polylines(m) if pl.options.get("dashArray") == "8 8"]
    assert len(dashed) == 1
    assert dashed[0].locations == [[round(pts["lat"].iat[59], 5), round(pts["lon"].iat[59], 5)], [round(pts["lat"].iat[60], 5), round(pts["lon"].iat[60], 5)]]
    assert "Coverage gap (placed from the track's shape; the times of the positions were not given)" in render_map(m)


def test_no_dashes_where_no_gap_exceeds_gap_s() -> None:
    pts, legs = one_leg(gap_min=2.0)
    m = map_sorties(legs, points=pts, layers=None, gap_s=300.0)
    assert not [pl for pl in polylines(m) if pl.options.get("dashArray") == "8 8"]
    solid = [pl for pl in polylines(m) if pl.options.get("dashArray") is None]
    assert len(solid) == 1 and isinstance(solid[0].locations[0][0], float)  # one unbroken stretch


def test_unseen_landing_is_dotted_to_the_field() -> None:
    pts, legs = one_leg()
    m = map_sorties(legs, points=pts, layers=None)
    dotted = [pl for pl in polylines(m) if pl.options.get("dashArray") == "1 6"]
    assert len(dotted) == 1  # the landing was inferred; the takeoff was observed
    llov = flighttrace.load_scenario(ROOT / "seeds" / "azerbaijan-ovda.yaml").airport_index().get("LLOV")
    assert dotted[0].locations[-1] == [pytest.approx(llov.lat, abs=1e-5), pytest.approx(llov.lon, abs=1e-5)]
    assert "Landing at LLOV not seen (inferred)" in render_map(m)


def test_suspect_positions_left_out_of_the_leg_geometry_are_not_drawn() -> None:
    pts, legs = one_leg()
    spoofed = [20, 21, 22]  # a GNSS-spoofing excursion to Beirut, which detect_legs keeps out of the geometry
    pts.loc[spoofed, ["lat", "lon"]] = [33.82, 35.49]
    good = pts.drop(index=spoofed)
    legs["geometry"] = [shapely.linestrings(np.column_stack([good["lon"], good["lat"]]))]
    legs["n_suspect"] = 3
    m = map_sorties(legs, points=pts, layers=None, tolerance_deg=0.0)
    drawn = [tuple(v) for pl in polylines(m) for run in (pl.locations if isinstance(pl.locations[0][0], list) else [pl.locations]) for v in run]
    assert (33.82, 35.49) not in drawn
    assert "3 flagged as suspect and not drawn" in render_map(m)


def test_tracks_are_simplified_to_max_vertices() -> None:
    pts, legs = one_leg(gap_min=0.2)
    m = map_sorties(legs, points=pts, layers=None, max_vertices=20, tolerance_deg=0.0)
    solid = [pl for pl in polylines(m) if pl.options.get("dashArray") is None]
    n = sum(len(r) for r in solid[0].locations) if isinstance(solid[0].locations[0][0], list) else len(solid[0].locations)
    assert 2 <= n <= 20 < len(pts)


# --------------------------------------------------------------------------- popups, layers, banner


def test_popups_carry_registration_callsign_times_and_grades() -> None:
    pts, legs = one_leg()
    page = _unjson(render_map(map_sorties(legs, sorties_for(legs), scenario(), points=pts)))
    for text in (
        "4K-AZ100", "AZQ6224", "600864", legs["leg_id"].iat[0], "r-001",
        f"{legs['first_seen'].iat[0]:%Y-%m-%d %H:%M:%S} UTC", f"{legs['last_seen'].iat[0]:%Y-%m-%d %H:%M:%S} UTC",
        f"{legs['takeoff_time'].iat[0]:%Y-%m-%d %H:%M:%S} UTC", f"{legs['landing_time'].iat[0]:%Y-%m-%d %H:%M:%S} UTC",
        "evidence: <b>observed</b>", "evidence: <b>inferred</b>",
        "seen on the ground 0.3 km from UBBB", "last seen 2300 ft above LLOV, 11 km out, descending toward it",
        "ground time 2 h 15 min", "data/test.csv:0-119",
    ):
        assert text in page, text
    # the airports are marked with name and code
    assert "Ovda" in page and "LLOV" in page and "Strip X" in page


def test_a_layer_per_event_window_with_a_layer_control() -> None:
    pts, legs = build([{"icao24": "600864", "start": T0}, {"icao24": "600865", "start": pd.Timestamp("2021-05-01T06:00:00Z")}])
    m = map_sorties(legs, sorties_for(legs), scenario(), points=pts, layers="event")
    names = feature_group_names(m)
    assert any("Offensive (1 sortie)" in n for n in names)
    assert any("Outside the event windows (1 sortie)" in n for n in names)
    assert "Airports" in names
    page = render_map(m)
    assert "L.control.layers" in page
    # the window, 30 days before the event (19-20 Sep) to 15 days after, as hover text on the layer's name
    assert "Window 20 Aug 2023" in page and "05 Oct 2023 (UTC days)" in page


def test_a_layer_per_year_and_colours_per_period() -> None:
    pts, legs = build([{"icao24": "600864", "start": T0}, {"icao24": "600864", "start": pd.Timestamp("2021-05-01T06:00:00Z")}])
    m = map_sorties(legs, points=pts, layers="year", color_by="period")
    assert [n for n in feature_group_names(m) if n != "Airports"] == ["2021 (1 leg)", "2023 (1 leg)"]
    solid = [pl for pl in polylines(m) if pl.options.get("dashArray") is None]
    assert len({pl.options["color"] for pl in solid}) == 2  # same aircraft, two periods, two colours
    m2 = map_sorties(legs, points=pts, layers="year", color_by="aircraft")
    assert len({pl.options["color"] for pl in polylines(m2) if pl.options.get("dashArray") is None}) == 1


def test_synthetic_banner_only_when_synthetic() -> None:
    pts, legs = one_leg()
    assert SYNTHETIC_BANNER in render_map(map_sorties(legs, points=pts, synthetic=True))
    assert "SYNTHETIC DATA" not in render_map(map_sorties(legs, points=pts, synthetic=False))


def test_time_slider_uses_the_seen_times() -> None:
    pts, legs = one_leg()
    page = render_map(map_sorties(legs, points=pts, time_slider=True))
    assert "L.timeDimension" in page
    assert str(pts["time"].iat[0].value // 1_000_000) in page and str(pts["time"].iat[60].value // 1_000_000) in page


def test_map_sorties_is_exported_and_returns_a_folium_map() -> None:
    import folium

    pts, legs = one_leg()
    m = flighttrace.map_sorties(legs, points=pts)
    assert flighttrace.map_sorties is map_sorties
    assert isinstance(m, folium.Map)
    assert "<iframe" in m._repr_html_()  # what Jupyter shows inline


def test_importing_the_map_module_loads_neither_folium_nor_matplotlib() -> None:
    code = "import sys, flighttrace.viz.maps, flighttrace.viz.charts; print('folium' in sys.modules, 'matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "False"]


# --------------------------------------------------------------------------- escaping


def hostile_map() -> str:
    pts, legs = one_leg(
        callsign=HOSTILE, callsigns=HOSTILE, registration=HOSTILE, origin="strip-x", origin_reason=HOSTILE, destination_reason=HOSTILE,
        leg_id=HOSTILE, lineage=HOSTILE, typecode=HOSTILE,
    )
    srt = sorties_for(legs, sortie_id=HOSTILE, note=HOSTILE)
    scn = scenario(title=HOSTILE, site_name=HOSTILE, event_name=HOSTILE)
    return render_map(map_sorties(legs, srt, scn, points=pts, time_slider=True, synthetic=True))


def test_hostile_strings_stay_text_in_every_field() -> None:
    page = hostile_map()
    escaped = escape_html(HOSTILE)
    # callsign, registration, reasons, leg id, lineage, sortie, airport name, event name (layer), title
    assert page.count(escaped) >= 9
    assert f"<title>{escaped}" in page
    for raw in ("<script>alert", "<img src=x", "${alert", "`;alert(2)", "\\u0041\\"):
        assert raw not in page, raw


def test_hostile_strings_do_not_break_the_pages_javascript() -> None:
    page = hostile_map()
    assert page.count("<script") == page.count("</script>")
    blocks = script_blocks(page)
    assert blocks
    for body in blocks:
        for raw in PAYLOADS:
            assert raw not in body
        assert "<script" not in body and "${" not in body
        # folium puts popups and tooltips in template literals: every literal must stay closed
        assert body.count("`") % 2 == 0
    node = shutil.which("node")
    if node is not None:  # a real JavaScript parser, where one is installed
        src = "\n;\n".join(f"(function(){{\n{b}\n}});" for b in blocks)
        res = subprocess.run([node, "--check", "-"], input=src, capture_output=True, text=True)
        assert res.returncode == 0, res.stderr[:2000]


# --------------------------------------------------------------------------- determinism and size


_DETERMINISM_SCRIPT = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, {tests!r})
    import pandas as pd
    from test_maps import build, scenario, sorties_for
    from flighttrace.viz.maps import map_sorties, save_map
    pts, legs = build([{{"icao24": "600864", "start": pd.Timestamp("2023-09-18T06:00:00Z")}},
                       {{"icao24": "600865", "start": pd.Timestamp("2021-05-01T06:00:00Z")}}])
    m = map_sorties(legs, sorties_for(legs), scenario(), points=pts, time_slider=True, synthetic=True)
    save_map(m, sys.argv[1])
    save_map(m, sys.argv[2])  # saving the same map again gives the same bytes too
    """
)


def test_same_map_is_byte_identical_in_two_processes(tmp_path: Path) -> None:
    script = tmp_path / "make_map.py"
    script.write_text(_DETERMINISM_SCRIPT.format(tests=str(Path(__file__).parent)), encoding="utf-8")
    outs = []
    for run in ("a", "b"):
        a, b = tmp_path / f"{run}1.html", tmp_path / f"{run}2.html"
        subprocess.run([sys.executable, str(script), str(a), str(b)], check=True, cwd=ROOT, capture_output=True)
        assert a.read_bytes() == b.read_bytes()
        outs.append(a.read_bytes())
    assert outs[0] == outs[1]
    # and no random id is left: every 32-hex-digit id carries the page's own prefix. The ids written are those of the map,
    # the basemap's pane, the basemap, the three layers (the event window, the legs outside it, the airports), the time
    # slider and the layer control: one element per layer, not one per line
    ids = set(re.findall(rb"(?<![0-9a-f])[0-9a-f]{32}(?![0-9a-f])", outs[0]))
    assert len(ids) == 8 and len({i[:8] for i in ids}) == 1


def test_showing_or_saving_a_map_does_not_change_its_page(tmp_path: Path) -> None:
    pts, legs = one_leg()
    m = map_sorties(legs, sorties_for(legs), scenario(), points=pts, time_slider=True)
    first = render_map(m)
    m._repr_html_()  # Jupyter's inline display
    m.save(str(tmp_path / "folium_save.html"))  # folium's own save writes the deterministic page too
    assert render_map(m) == first
    assert (tmp_path / "folium_save.html").read_text(encoding="utf-8") == first
    assert save_map(m, tmp_path / "again.html").read_text(encoding="utf-8") == first
    standalone = re.findall(r"^\s*(\w+)\.addTo\(", first, flags=re.M)  # each layer added to the map once
    assert standalone and len(standalone) == len(set(standalone))


@pytest.fixture(scope="module")
def world() -> dict[str, Any]:
    """The fixtures world read once: points, legs, sorties, scenario (SYNTHETIC)."""
    scn = flighttrace.load_scenario(ROOT / "seeds" / "azerbaijan-ovda.yaml")
    ds = flighttrace.read(ROOT / "fixtures" / "ovda" / "data")
    legs = flighttrace.detect_legs(ds.points, scn)
    return {"scenario": scn, "ds": ds, "legs": legs, "sorties": flighttrace.find_sorties(legs, scn)}


def test_fixtures_world_sortie_map_is_at_most_5_mb(world: dict[str, Any], tmp_path: Path) -> None:
    ds, legs, srt = world["ds"], world["legs"], world["sorties"]
    m = map_sorties(legs, srt, world["scenario"], points=ds.points, synthetic=ds.synthetic)
    path = save_map(m, tmp_path / "ovda.html")
    size = path.stat().st_size
    print(f"fixtures world sortie map: {size / 1e6:.2f} MB, {len(srt)} sorties")
    assert size <= 5_000_000
    page = path.read_text(encoding="utf-8")
    n_legs = int(srt["in_leg"].notna().sum() + srt["out_leg"].notna().sum())
    with_popup = [f for layer in geojson_layers(m) for f in features(layer) if "popup" in f["properties"]]
    assert len(with_popup) == n_legs + len(world["scenario"].airport_codes())  # every sortie leg, every airport
    assert SYNTHETIC_BANNER in page
    # with the points, every gap is placed by the times of the positions, none from the shape of the track
    assert "Not seen for " in page and "placed from the track's shape" not in page


# --------------------------------------------------------------------------- template syntax


def test_template_syntax_in_the_data_stays_text() -> None:
    pts, legs = one_leg(callsign="{{ 7 * 7 }}", callsigns="{{ 7 * 7 }}", origin_reason="{% if x %}")
    page = render_map(map_sorties(legs, points=pts, layers=None))
    assert "{{ 7 * 7 }}" in page and "{% if x %}" in page


def _as_shown(page: str) -> str:
    """The page's text as a reader gets it: JSON string escapes (layer names) and character references undone."""
    import html as _html

    return _html.unescape(re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), page))


@pytest.mark.parametrize("template", ["{{ 7*191 }}", "{% if true %}Y{% endif %}", "{# unclosed comment", "{{ cycler.__init__.__globals__ }}"])
def test_template_syntax_in_titles_layer_names_and_the_legend_stays_text(template: str) -> None:
    # the scenario's title (page title), event name (a layer of the layer control), site name, and a registration (the legend):
    # folium compiles the layer control's script and plain page blocks as Jinja templates a second time
    text = f"T {template} T"
    pts, legs = one_leg(registration=text, callsign=text, origin="strip-x")
    scn = scenario(title=text, site_name=text, event_name=text)
    page = render_map(map_sorties(legs, sorties_for(legs), scn, points=pts, time_slider=True, synthetic=True))
    shown = _as_shown(page)
    for evaluated in ("T 1337 T", "T Y T", "T  T", "__builtins__"):
        assert evaluated not in shown, evaluated
    assert f"<title>{text} \u2014 sorties map</title>" in shown
    legend = next(line for line in shown.splitlines() if 'class="flighttrace-legend"' in line)
    assert f"{text} (600864)" in legend
    layers = shown[shown.index("overlays :"):]
    assert text in layers[: layers.index("},")]
    assert shown.count(text) >= 6  # and in the popup, the tooltip and the site's marker


# --------------------------------------------------------------------------- tracks of many legs at once


def _same_tracks(a: Any, b: Any) -> bool:
    return (len(a.runs) == len(b.runs) and all(np.array_equal(x, y) for x, y in zip(a.runs, b.runs, strict=False))
            and len(a.times) == len(b.times) and all((x is None and y is None) or np.array_equal(x, y) for x, y in zip(a.times, b.times, strict=False))
            and a.gaps == b.gaps and a.located_by == b.located_by and a.n_vertices == b.n_vertices)


@pytest.mark.parametrize("tolerance_deg,max_vertices", [(0.002, 300), (0.0, 20), (0.05, 3), (0.0005, 7)])
def test_tracks_of_all_legs_at_once_equal_the_per_leg_tracks(tolerance_deg: float, max_vertices: int) -> None:
    from flighttrace.viz.tracks import _PointTable, _records, _select, _track, _tracks

    specs = [{"icao24": f"6008{k:02d}", "start": T0 + pd.Timedelta(hours=k), "gap_min": g} for k, g in enumerate((30.0, 0.5, 7.0, 45.0, 2.0, 12.0))]
    pts, legs = build(specs)
    rng = np.random.default_rng(3)
    pts["lat"] = pts["lat"] + rng.normal(0, 0.02, len(pts))
    # an aircraft that comes back to the very same positions (parked, or quantised positions): Douglas–Peucker keeps one copy,
    # the track keeps every copy
    i0 = int(legs["point_start"].iat[1])
    pts.loc[i0 + 10 : i0 + 19, ["lat", "lon"]] = pts.loc[i0 : i0 + 9, ["lat", "lon"]].to_numpy()
    pts.loc[i0 + 30, ["lat", "lon"]] = [-0.0, 0.0]
    pts.loc[i0 + 31, ["lat", "lon"]] = [0.0, -0.0]
    # positions the leg's geometry leaves out (suspect), a missing position, a track across the antimeridian, a leg whose rows moved
    i2 = int(legs["point_start"].iat[2])
    pts.loc[i2 + 5 : i2 + 7, ["lat", "lon"]] = [33.82, 35.49]
    i3 = int(legs["point_start"].iat[3])
    pts.loc[[i3 + 4, i3 + 59], "lat"] = np.nan  # the second one inside the 45-minute gap: counted in its tooltip
    i4 = int(legs["point_start"].iat[4])
    pts.loc[i4 : i4 + 119, "lon"] = np.r_[np.linspace(179.0, 179.99, 60), np.linspace(-179.99, -179.0, 60)]
    geoms = []
    for k in range(len(legs)):
        p = pts.iloc[int(legs["point_start"].iat[k]) : int(legs["point_end"].iat[k])]
        if k == 2:
            p = p.drop(index=range(i2 + 5, i2 + 8))
        p = p[np.isfinite(p["lat"]) & np.isfinite(p["lon"])]
        geoms.append(shapely.linestrings(np.column_stack([p["lon"], p["lat"]])))
    legs["geometry"] = geoms
    legs.loc[5, "point_start"] = int(legs["point_start"].iat[5]) + 1  # rows found again from the times
    short = legs.iloc[[0]].copy()
    short["leg_id"] = "tiny"
    short["point_end"] = short["point_start"] + 2
    short["last_seen"] = pts["time"].iat[int(short["point_start"].iat[0]) + 1]
    short["geometry"] = [shapely.linestrings(pts[["lon", "lat"]].iloc[int(short["point_start"].iat[0]) : int(short["point_end"].iat[0])].to_numpy())]
    legs = pd.concat([legs, short], ignore_index=True)
    sel, _, _, _ = _select(legs, None)
    recs = _records(sel)
    table = _PointTable(pts)
    kw = {"gap_s": 300.0, "tolerance_deg": tolerance_deg, "max_vertices": max_vertices}
    fast = _tracks(sel, recs, table, **kw)
    slow = [_track(r, table, **kw) for r in recs]
    assert len(fast) == len(slow) == len(legs)
    for f, s, r in zip(fast, slow, recs, strict=False):
        assert _same_tracks(f, s), r["leg_id"]
    assert any(len(t.gaps) for t in slow) and any(g["suspect"] for t in slow for g in t.gaps)


def test_rendering_again_gives_the_same_page_also_after_folium_renders_it() -> None:
    pts, legs = one_leg()
    m = map_sorties(legs, sorties_for(legs), scenario(), points=pts)
    first = render_map(m)
    assert render_map(m) == first
    m.get_root().render()  # folium's own render of the page
    assert render_map(m) == first


# --------------------------------------------------------------------------- offline and private


def _disruption_map(**kw: Any) -> Any:
    """A small disruption map: one flight diverted away from a closed Moscow airport (tests/test_disruption's builder)."""
    import flighttrace.kinds.disruption.analysis as dz
    from flighttrace.viz.maps import map_disruption
    from tests.test_disruption import diverted_flight

    scn = flighttrace.load_scenario(ROOT / "seeds" / "moscow-2026-03-14.yaml")
    pts = diverted_flight()
    legs = flighttrace.detect_legs(pts, scn)
    return map_disruption(legs, dz.analyze(scn, legs, pts), scn, points=pts, synthetic=True, **kw)


def test_map_pages_link_nothing_from_the_internet() -> None:
    pts, legs = one_leg()
    pages = {"sorties": render_map(map_sorties(legs, sorties_for(legs), scenario(), points=pts, time_slider=True)),
             "disruption": render_map(_disruption_map())}
    for name, page in pages.items():
        # no script, stylesheet, image or frame is loaded from anywhere: every library is inside the page
        assert not re.findall(r"<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)\s*=", page, flags=re.IGNORECASE), name
        assert "@import" not in page
        assert all(u.strip("'\" ").startswith(("data:", "#")) for u in re.findall(r"url\(([^)]*)\)", page)), name
        assert "Leaflet 1.9.4" in page and "L.map(" in page, name
        assert "jquery" not in page.lower() and "bootstrap" not in page.lower(), name
    assert "Leaflet TimeDimension v1.1.1" in pages["sorties"] and "@font-face" not in pages["sorties"]  # no web font either


def test_online_tiles_only_when_asked_for_and_the_page_says_what_they_reveal() -> None:
    import folium

    from flighttrace.viz.basemap import BASEMAP_NAME, TILES_PRIVACY_NOTE, TilesError

    pts, legs = one_leg()
    offline = map_sorties(legs, points=pts)
    page = render_map(offline)
    assert "L.tileLayer(" not in page and "flighttrace-notice" not in page
    assert "no map server is contacted" in page  # the legend says where the basemap comes from
    online = map_sorties(legs, points=pts, tiles="OpenStreetMap")
    page = render_map(online)
    assert "L.tileLayer(" in page and "tile.openstreetmap.org" in page
    assert TILES_PRIVACY_NOTE.format(provider="OpenStreetMap") in page
    # the offline basemap stays in the layer control as the other base layer, off when the page opens
    (base,) = [c for c in online._children.values() if isinstance(c, folium.GeoJson) and c.layer_name == BASEMAP_NAME]
    assert base.show is False and base.overlay is False
    with pytest.raises(TilesError):
        map_sorties(legs, points=pts, tiles="No such tiles")


def test_a_layer_is_one_geojson_whatever_the_number_of_legs() -> None:
    def elements(m: Any) -> int:
        stack, n = [m.get_root()], 0
        while stack:
            el = stack.pop()
            n += 1
            stack.extend(el._children.values())
        return n

    specs = [{"icao24": f"6008{k:02d}", "start": T0 + pd.Timedelta(hours=k)} for k in range(8)]
    maps = {n: map_sorties(build(specs[:n])[1], points=build(specs[:n])[0], layers=None) for n in (2, 8)}
    assert elements(maps[2]) == elements(maps[8])
    for n, m in maps.items():
        (tracks, airports) = geojson_layers(m)
        kinds = [f["properties"]["kind"] for f in features(tracks)]
        # each leg: its seen track, its gap (dashed) and its unseen landing (dotted); the airports in their own layer
        assert kinds.count("track") == kinds.count("gap") == kinds.count("unseen_end") == n and len(kinds) == 3 * n
        assert {f["properties"]["kind"] for f in features(airports)} == {"airport"}


def test_same_inputs_give_the_same_page_in_one_process() -> None:
    assert hostile_map() == hostile_map()
    a = render_map(_disruption_map())
    assert render_map(_disruption_map()) == a


# --------------------------------------------------------------------------- the basemap


def test_basemap_draws_land_coast_and_borders_around_the_data() -> None:
    from shapely.geometry import Point, shape

    from flighttrace.viz.basemap import basemap_features

    feats = basemap_features([[29.9, 34.9], [40.5, 50.0]], margin_deg=10.0)  # Ovda to Baku
    geoms = {(f["properties"]["kind"], f["properties"]["scale"]): shape(f["geometry"]) for f in feats}
    # the detail (1:50m) within 10° of the data, the coarse world around it, with no coastline line drawn out there
    assert set(geoms) == {("land", "50m"), ("coast", "50m"), ("border", "50m"), ("land", "110m"), ("border", "110m")}
    assert shapely.bounds(geoms["land", "50m"]).tolist() == [24.9, 19.9, 60.0, 50.5]
    assert geoms["land", "110m"].intersection(shapely.box(25.0, 20.0, 59.9, 50.4)).area == 0.0
    land = geoms["land", "50m"]
    for lon, lat in ((34.94, 29.94), (50.05, 40.47)):  # Ovda, Baku
        assert land.contains(Point(lon, lat))
    for lon, lat in ((33.5, 34.0), (51.0, 41.0), (37.0, 22.0)):  # the sea south of Cyprus, the Caspian, the Red Sea
        assert not land.contains(Point(lon, lat))
    assert geoms["border", "50m"].distance(Point(34.904, 29.492)) < 0.05  # the Egypt–Israel border reaches the Gulf of Aqaba at Taba
    assert geoms["coast", "50m"].distance(Point(34.95, 29.55)) < 0.05  # Eilat's shore


def test_basemap_package_data_does_not_cross_the_antimeridian_and_says_where_it_comes_from() -> None:
    from flighttrace.viz.basemap import load_basemap

    for res in ("110m", "50m"):
        base = load_basemap(res)  # type: ignore[arg-type]
        for key in ("coast", "borders"):
            for line in base[key][0]:
                assert not np.any(np.abs(np.diff(shapely.get_coordinates(line)[:, 0])) > 180.0), (res, key)
        for ring in shapely.get_rings(base["land"][0]):
            xy = shapely.get_coordinates(ring)
            jump = np.flatnonzero(np.abs(np.diff(xy[:, 0])) > 180.0)
            assert np.all(np.abs(xy[jump, 1]) == 90.0) and np.all(np.abs(xy[jump + 1, 1]) == 90.0), res  # only along a pole
        meta = base["meta"]
        assert meta["source"] == f"world-atlas@2.0.2 countries-{res}.json" and "public domain" in meta["licence"]
        assert pd.Timestamp(meta["built"]) <= pd.Timestamp.now()
    assert (ROOT / "flighttrace" / "viz" / "static" / "basemap" / "LICENSE-world-atlas").is_file()


def test_topojson_arcs_are_decoded_by_hand() -> None:
    from flighttrace.viz.basemap import decode_arcs

    topo = {"transform": {"scale": [0.5, 2.0], "translate": [-10.0, 5.0]}, "arcs": [[[0, 0], [4, 0], [0, 1]], [[2, 2], [-2, 0]]]}
    a, b = decode_arcs(topo)
    # arc 0: (0,0), (4,0), (4,1) in grid units; arc 1: (2,2), (0,2): x * 0.5 - 10, y * 2 + 5
    assert a.tolist() == [[-10.0, 5.0], [-8.0, 5.0], [-8.0, 7.0]]
    assert b.tolist() == [[-9.0, 9.0], [-10.0, 9.0]]
    assert decode_arcs({"arcs": [[[1.5, 2.5], [3.0, 4.0]]]})[0].tolist() == [[1.5, 2.5], [3.0, 4.0]]  # not quantized


def _build_basemap_script() -> Any:
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_basemap", ROOT / "scripts" / "build_basemap.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_build_basemap_keeps_shared_arcs_as_borders_and_the_land_outline_as_coast() -> None:
    from flighttrace.viz.basemap import decode_arcs

    # two unit squares side by side, A west of B, sharing the arc s: x = 1 from y = 0 to 1 (not quantized)
    a_arc = [[1.0, 1.0], [0.0, 1.0], [0.0, 0.0], [1.0, 0.0]]
    s_arc = [[1.0, 0.0], [1.0, 1.0]]
    b_arc = [[1.0, 0.0], [2.0, 0.0], [2.0, 1.0], [1.0, 1.0]]
    topo = {"type": "Topology", "arcs": [a_arc, s_arc, b_arc], "objects": {
        "countries": {"type": "GeometryCollection", "geometries": [{"type": "Polygon", "arcs": [[0, 1]]}, {"type": "Polygon", "arcs": [[2, ~1]]}]},
        "land": {"type": "GeometryCollection", "geometries": [{"type": "Polygon", "arcs": [[0, 2]]}]}}}
    out = _build_basemap_script().convert(topo, tolerance=0.0, source="test")
    arcs = decode_arcs(out)
    lines = {key: [np.concatenate([arcs[r] if r >= 0 else arcs[~r][::-1] for r in refs]).round(6).tolist() for refs in out["objects"][key]["arcs"]]
             for key in ("coast", "borders")}
    assert lines["borders"] == [s_arc]
    assert sorted(lines["coast"]) == sorted([a_arc, b_arc])
    (poly,) = out["objects"]["land"]["arcs"]
    ring = [arcs[r] if r >= 0 else arcs[~r][::-1] for r in poly[0]]
    assert np.concatenate([ring[0], ring[1][1:]]).round(6).tolist() == a_arc + b_arc[1:]


def test_build_basemap_cuts_what_crosses_the_antimeridian() -> None:
    from flighttrace.viz.basemap import decode_arcs

    # an island from 179°E to 179°W, between 0° and 1°N: one ring, crossing the antimeridian twice
    ring = [[179.0, 0.0], [-179.0, 0.0], [-179.0, 1.0], [179.0, 1.0], [179.0, 0.0]]
    topo = {"type": "Topology", "arcs": [ring], "objects": {
        "countries": {"type": "GeometryCollection", "geometries": [{"type": "Polygon", "arcs": [[0]]}]},
        "land": {"type": "GeometryCollection", "geometries": [{"type": "Polygon", "arcs": [[0]]}]}}}
    out = _build_basemap_script().convert(topo, tolerance=0.0, source="test")
    arcs = decode_arcs(out)
    polys = [shapely.polygons(arcs[p[0][0]]) for p in out["objects"]["land"]["arcs"]]
    assert sorted(np.round(shapely.bounds(polys), 6).tolist()) == [[-180.0, 0.0, -179.0, 1.0], [179.0, 0.0, 180.0, 1.0]]
    assert sum(p.area for p in polys) == pytest.approx(2.0)
    coast = [np.round(arcs[refs[0]], 6).tolist() for refs in out["objects"]["coast"]["arcs"]]
    # the coast: 179°E → 180° at 0°N, -180° → 179°W → up → -180° at 1°N, 180° → 179°E → down to the start
    assert coast == [[[179.0, 0.0], [180.0, 0.0]], [[-180.0, 0.0], [-179.0, 0.0], [-179.0, 1.0], [-180.0, 1.0]],
                     [[180.0, 1.0], [179.0, 1.0], [179.0, 0.0]]]


def test_a_closure_map_draws_the_flights_either_side_of_each_closure() -> None:
    # a closure claim's map used to show the closed field alone; it now draws the last movement there before the gap and
    # the first after it, the legs the claim's evidence names, each popup saying which closure it bounds
    import warnings

    from flighttrace.case import Case

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        case = Case(ROOT / "seeds" / "moscow-2026-03-14.yaml", ROOT / "fixtures" / "moscow" / "data")
        claim = case.claim("dme-restricted-14mar")
        m = claim.map()
    ev = claim.evidence[claim.evidence["kind"] == "closure"]
    named = {lid for legs in ev["legs"] for lid in str(legs).split(";")}
    (edge,) = [layer for layer in geojson_layers(m) if layer.layer_name.startswith("Last movement before and first after")]
    drawn = {}
    for f in features(edge):
        (lid,) = set(re.findall(r"[0-9a-f]{6}-\d{8}T\d{6}Z", f["properties"]["popup"]))
        drawn[lid] = f["properties"]["popup"]
    assert len(named) == 2 and set(drawn) == named
    assert all("movement there" in p and "closure UUDD-1 at <b>UUDD</b>" in p for p in drawn.values())


def test_closure_edges_name_each_leg_with_the_closure_it_bounds() -> None:
    from flighttrace.viz.layers_disruption import _closure_edges

    t = pd.Timestamp("2026-03-14T06:00Z")
    closures = pd.DataFrame({"closure_id": ["UUDD-1", "UUWW-1"], "airport": ["UUDD", "UUWW"],
                             "last_leg": ["a-1", "b-1"], "next_leg": ["a-2", None],  # the second closure runs to the end of the data
                             "start": [t, t + pd.Timedelta(hours=2)], "end": [t + pd.Timedelta(hours=1), t + pd.Timedelta(hours=3)]})
    assert _closure_edges(closures) == {
        "a-1": ["the last movement there before the closure UUDD-1 at <b>UUDD</b>, 06:00\u201307:00 UTC"],
        "a-2": ["the first movement there after the closure UUDD-1 at <b>UUDD</b>, 06:00\u201307:00 UTC"],
        "b-1": ["the last movement there before the closure UUWW-1 at <b>UUWW</b>, 08:00\u201309:00 UTC"],
    }
