"""The report: sections, evidence cards, exports, escaping, determinism, provenance and verify."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from flighttrace.report import build_report, verify_report

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "azerbaijan-ovda.yaml"
WORLD = ROOT / "fixtures" / "ovda" / "data"


@pytest.fixture(scope="module")
def report(ovda_report):  # type: ignore[no-untyped-def]
    return ovda_report


def test_report_has_every_section(report) -> None:  # type: ignore[no-untyped-def]
    html = report.index.read_text()
    for anchor in ('id="claims"', 'id="charts"', 'id="map"', 'id="method"', 'id="limitations"', 'id="manifest"', 'id="statistics"'):
        assert anchor in html
    # one row per claim of the scenario, each with a verdict
    assert html.count('<tr id="claim-') == 20
    assert html.count('class="verdict ') == 20
    # the manifest lists every input file with its hash
    assert html.count("fixtures/ovda/data/") >= 257


def _limitations(index_html: str) -> list[str]:
    """The items of the index page's limitations section, as text."""
    import html as _html
    import re

    section = index_html[index_html.index('id="limitations"'):]
    section = section[: section.index("</ul>")]
    return [_html.unescape(re.sub(r"<[^>]+>", "", li)) for li in re.findall(r"<li>(.*?)</li>", section, flags=re.S)]


def _item(items: list[str], prefix: str) -> str:
    found = [i for i in items if i.startswith(prefix)]
    assert len(found) == 1, (prefix, items)
    return found[0]


def test_limitations_name_coverage_gaps_from_the_coverage_table_and_the_worlds_truth(report) -> None:  # type: ignore[no-untyped-def]
    items = _limitations(report.index.read_text())
    cov = pd.read_csv(report.out_dir / "tables" / "coverage.csv")
    unc = cov[~cov["covered"]]
    truth = pd.read_csv(WORLD.parent / "truth" / "coverage.csv")
    assert len(unc) == int((~truth["has_data"]).sum()) > 0 and len(cov) == len(truth)
    assert _item(items, "Coverage: ") == f"Coverage: {len(unc):,} of {len(cov):,} days in the period have no usable data and are excluded from every count."
    # each run of days without data in the world's truth (June 2019, 10-20 Feb 2022) is named with the reason the table gives
    days = pd.to_datetime(truth.loc[~truth["has_data"], "date"])
    runs = (days.diff() != pd.Timedelta(days=1)).cumsum()
    spans = [(g.iloc[0], g.iloc[-1]) for _, g in days.groupby(runs)]
    assert [(a.strftime("%Y-%m"), b.strftime("%Y-%m")) for a, b in spans] == [("2019-06", "2019-06"), ("2022-02", "2022-02")]
    gaps = _item(items, "Archive gaps and uncovered days: ")
    reason = dict(zip(cov["date"].str[:10], cov["reason"], strict=False))
    expected = [f"{a:%Y-%m-%d}–{b:%Y-%m-%d} ({reason[f'{a:%Y-%m-%d}']})" for a, b in spans]
    assert gaps == "Archive gaps and uncovered days: " + "; ".join(expected) + "."
    assert reason["2019-06-01"] == "no file spans it" and reason["2022-02-10"] == "no traffic in the region"


def test_limitations_give_the_mlat_share_computed_from_the_fleets_positions(report) -> None:  # type: ignore[no-untyped-def]
    import flighttrace

    items = _limitations(report.index.read_text())
    legs = pd.read_csv(report.out_dir / "tables" / "legs.csv", dtype={"icao24": str})
    pts = flighttrace.read([WORLD]).points
    mine = pts[pts["icao24"].astype(str).isin(set(legs["icao24"]))]
    assert len(mine) == int(legs["n_points"].sum())  # every position of the fleet's aircraft is on one of its legs
    by = mine["position_source"].astype(str).value_counts()
    n = len(mine)
    # the legs' own MLAT shares give the same figure
    assert f"{float((legs['mlat_share'] * legs['n_points']).sum()) / n:.1%}" == f"{by.get('mlat', 0) / n:.1%}"
    formats = sorted(mine.loc[mine["position_source"].astype(str) == "unknown", "source"].astype(str).unique())
    assert formats and by.get("unknown", 0) > 0 and by.get("adsb", 0) > 0
    assert _item(items, "MLAT: ") == (
        f"MLAT: {by.get('mlat', 0) / n:.1%} of the fleet's {n:,} positions are marked as multilateration fixes and {by['adsb'] / n:.1%} as ADS-B. "
        f"For {by['unknown'] / n:.1%} the input does not say how the position was found ({', '.join(formats)}), so the MLAT share is a lower bound. "
        "Multilateration fixes are coarser than ADS-B, and an aircraft seen only by MLAT is seen only where several receivers hear it."
    )


def test_limitations_name_the_spoofed_tracks_of_the_fleet_and_of_other_aircraft(report) -> None:  # type: ignore[no-untyped-def]
    import re

    from flighttrace.kinds.sorties.world import OVDA_SPEC

    items = _limitations(report.index.read_text())
    zone_start = OVDA_SPEC.spoof[0].start
    legs = pd.read_csv(report.out_dir / "tables" / "legs.csv", dtype={"icao24": str})
    flagged = legs[legs["n_suspect"] > 0]
    # the fleet's legs flagged are those of its Ovda sorties flown after the spoofing began, both ways (fixtures/README.md)
    truth_s = pd.read_csv(WORLD.parent / "truth" / "sorties.csv", dtype={"icao24": str})
    late = truth_s[(truth_s["role"] == "fleet") & (pd.to_datetime(truth_s["land_far"]) >= zone_start)]
    assert len(late) >= 2
    truth_l = pd.read_csv(WORLD.parent / "truth" / "legs.csv", dtype={"icao24": str}).set_index("leg_id")
    late_legs = truth_l.loc[list(late["out_leg"]) + list(late["back_leg"])]
    assert sorted(zip(flagged["icao24"], flagged["callsign"], strict=False)) == sorted(zip(late_legs["icao24"], late_legs["callsign"], strict=False))
    assert _item(items, "Spoofing and bad positions: ").startswith(
        f"Spoofing and bad positions: {int(flagged['n_suspect'].sum()):,} positions on {2 * len(late)} of the fleet's legs were flagged as excursions")
    # across every aircraft: after the spoofing began, and the spoofed airliner of the truth named, with its callsigns
    every = _item(items, "Across every aircraft in the inputs, ")
    m = re.fullmatch(r"Across every aircraft in the inputs, ([\d,]+) positions on (\d+) legs of (\d+) aircraft were flagged as excursions, "
                     r"between (\d{4}-\d\d-\d\d) and (\d{4}-\d\d-\d\d) \(UTC\)\. Outside the fleet: (.*)\.", every)
    assert m, every
    spoofed = truth_l[truth_l["role"] == "spoofed"]
    assert len(spoofed) >= 2
    assert int(m.group(1).replace(",", "")) > int(flagged["n_suspect"].sum()) and int(m.group(2)) >= len(flagged) + len(spoofed)
    assert pd.Timestamp(m.group(4), tz="UTC") >= zone_start.normalize()
    assert pd.Timestamp(m.group(4), tz="UTC") <= pd.to_datetime(spoofed["takeoff_time"]).min().normalize()
    assert pd.Timestamp(m.group(5), tz="UTC") >= pd.to_datetime(pd.concat([spoofed["landing_time"], late_legs["landing_time"]])).max().normalize()
    others = dict(part.split(" ", 1) for part in m.group(6).split("; "))
    for hexid, signs in spoofed.groupby("icao24")["callsign"]:
        assert others[hexid] == "(" + ", ".join(sorted(set(signs))) + ")"
    assert not set(others) & set(legs["icao24"])


def test_limitations_count_grades_and_quarantine_from_the_tables(report) -> None:  # type: ignore[no-untyped-def]
    items = _limitations(report.index.read_text())
    legs = pd.read_csv(report.out_dir / "tables" / "legs.csv")
    grades = pd.concat([legs["origin_evidence"], legs["destination_evidence"]]).value_counts()
    assert _item(items, "Evidence of the fleet's leg ends: ") == (
        "Evidence of the fleet's leg ends: " + ", ".join(f"{int(grades.get(g, 0))} {g}" for g in ("observed", "inferred", "bridged", "unknown")) + ".")
    q = pd.read_csv(report.out_dir / "tables" / "quarantine.csv")
    failed = int(pd.read_csv(report.out_dir / "tables" / "manifest.csv", dtype={"error": "string"})["error"].fillna("").ne("").sum())
    records = "1 record was" if len(q) == 1 else f"{len(q):,} records were"
    files = "1 file" if failed == 1 else f"{failed} files"
    assert _item(items, "Inputs: ").startswith(f"Inputs: {records} quarantined and {files} could not be read")


def test_synthetic_banner_on_every_page(report) -> None:  # type: ignore[no-untyped-def]
    for page in ("index.html", "evidence.html"):
        assert "SYNTHETIC DATA." in (report.out_dir / page).read_text()
    assert report.synthetic
    # the findings say so too, in memory and in the exported tables (the data is simulated, the scenario is not)
    assert report.findings.synthetic
    assert json.loads((report.out_dir / "tables" / "findings.json").read_text())["synthetic"] is True


def test_one_evidence_card_per_sortie_with_hashes_and_rows(report) -> None:  # type: ignore[no-untyped-def]
    ev = (report.out_dir / "evidence.html").read_text()
    sorties = pd.read_csv(report.out_dir / "sorties.csv")
    assert ev.count('<div class="card"') == len(sorties) >= 100
    prov = json.loads((report.out_dir / "provenance.json").read_text())
    sha = {i["path"]: i["sha256"] for i in prov["inputs"]}
    # a card names its source files with their SHA-256 and row ranges
    first = sorties.iloc[0]
    card = ev[ev.index(f'id="{first["sortie_id"]}"'):]
    card = card[: card.index("</div>")]
    files = [f for f in sha if f in card]
    assert files and all(sha[f] in card for f in files)
    assert " rows " in card


def test_charts_map_and_exports_exist(report) -> None:  # type: ignore[no-untyped-def]
    out = report.out_dir
    for name in ("sorties_per_week", "event_study", "ground_times", "coverage"):
        assert (out / "charts" / f"{name}.png").stat().st_size > 1000
        assert (out / "charts" / f"{name}.svg").stat().st_size > 1000
    assert report.maps_copy is not None and report.maps_copy.read_bytes() == report.map.read_bytes()
    # the fixtures world's map stays openable
    assert report.map.stat().st_size <= 5_000_000
    gj = json.loads((out / "legs.geojson").read_text())
    assert gj["type"] == "FeatureCollection" and len(gj["features"]) > 200
    assert all(f["geometry"]["type"] == "LineString" for f in gj["features"])


def test_kml_is_valid_and_time_stamped_per_point(report) -> None:  # type: ignore[no-untyped-def]
    root = ET.parse(report.out_dir / "legs.kml").getroot()
    ns = {"k": "http://www.opengis.net/kml/2.2", "gx": "http://www.google.com/kml/ext/2.2"}
    tracks = root.findall(".//gx:Track", ns)
    assert len(tracks) > 200
    for tr in tracks[:50]:
        whens = tr.findall("k:when", ns)
        coords = tr.findall("gx:coord", ns)
        assert len(whens) == len(coords) > 10
        times = [pd.Timestamp(w.text) for w in whens]
        assert all(t.tzinfo is not None for t in times) and times == sorted(times)
        lon, lat, alt = map(float, coords[len(coords) // 2].text.split())
        assert -180 <= lon <= 180 and -90 <= lat <= 90 and 0 <= alt < 15000


def test_report_is_byte_identical_on_a_second_run(report, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # the same inputs and the same pre-registration stamp (the time the windows were fixed is an input too)
    stamp = json.loads((report.out_dir / "provenance.json").read_text(encoding="utf-8"))["preregistration"]
    again = build_report(SEED, [WORLD], tmp_path / "ovda", maps_dir=tmp_path / "maps", command="pytest", preregistration=stamp)
    assert again.outputs == report.outputs


def test_verify_passes_then_names_a_changed_output_and_a_changed_input(report, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert verify_report(report.out_dir) == []
    copy = tmp_path / "ovda"
    shutil.copytree(report.out_dir, copy)
    (copy / "sorties.csv").write_text("edited\n")
    assert "output edited: sorties.csv" in verify_report(copy)
    # a changed input: the scenario file
    scn = tmp_path / "scn.yaml"
    scn.write_text(SEED.read_text())
    data = tmp_path / "data"
    shutil.copytree(WORLD / "fr24", data / "fr24")
    out = tmp_path / "small"
    build_report(scn, [data], out, maps_dir=tmp_path / "m2")
    first = sorted(data.glob("fr24/*.csv"))[0]
    first.write_text(first.read_text().replace("AZQ", "AZX", 1))
    problems = verify_report(out)
    assert problems == [f"input changed: {first.as_posix()}"]


def test_cli_report_and_verify(tmp_path: Path) -> None:
    from flighttrace.cli import _load, app

    _load()
    data = tmp_path / "data"
    shutil.copytree(WORLD / "fr24", data / "fr24")
    # keep the world's list of synthetic files beside the copy, so the copies are still known as synthetic
    shutil.copyfile(WORLD.parent / "synthetic.json", tmp_path / "synthetic.json")
    runner = CliRunner()
    out = tmp_path / "rep"
    res = runner.invoke(app, ["report", str(SEED), "--data", str(data), "--out", str(out), "--maps", str(tmp_path / "maps"), "--no-progress"])
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    # where the report and the map copy are, each on a line of its own, the paths whole
    assert f"Report: {out / 'index.html'}" in lines
    assert f"Map: {tmp_path / 'maps' / 'azerbaijan-ovda.html'}" in lines
    assert (out / "index.html").is_file() and (tmp_path / "maps" / "azerbaijan-ovda.html").read_bytes() == (out / "map.html").read_bytes()
    assert "SYNTHETIC DATA" in res.output
    verdicts = pd.read_csv(out / "tables" / "claims.csv")["verdict"].value_counts()
    assert (f"{int(verdicts.sum())} claims: {int(verdicts.get('supported', 0))} supported, {int(verdicts.get('contradicted', 0))} contradicted, "
            f"{int(verdicts.get('inconclusive', 0))} inconclusive.") in lines
    res = runner.invoke(app, ["verify", str(out)])
    assert res.exit_code == 0, res.output
    assert res.output.splitlines() == [f"✓ {out}: inputs unchanged, every output reproduced byte for byte."]
    (out / "index.html").write_text("tampered")
    res = runner.invoke(app, ["verify", str(out)])
    assert res.exit_code == 1
    assert [line for line in res.output.splitlines() if line.startswith("✗")] == ["✗ output edited: index.html"]


def test_hostile_strings_are_escaped_in_every_page(tmp_path: Path) -> None:
    from flighttrace.sim.writers import write_trace
    from tests.flights import LLOV, UBBB, flight, join

    evil = "<script>alert(1)</script>"
    a = flight(UBBB, LLOV, "2023-09-05T22:00Z")
    b = flight(LLOV, UBBB, "2023-09-06T04:30Z")
    pts = join(a, b)
    pts["callsign"] = evil
    write_trace(pts, tmp_path / "data" / "trace_full_600864.json", registration='"><img src=x onerror=alert(2)>', typecode="IL76")
    out = tmp_path / "rep"
    build_report(SEED, [tmp_path / "data"], out, maps_dir=tmp_path / "maps")
    for page in ("index.html", "evidence.html"):
        html = (out / page).read_text()
        assert "<script>alert(1)</script>" not in html and "onerror=alert(2)>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in (out / "evidence.html").read_text()
    assert evil.replace("<", "&lt;").replace(">", "&gt;") in (out / "evidence.html").read_text()


BAD = '<script>alert(1)</script> "onmouseover=alert(2) x=" {{ 7*7 }} </textarea><b>x</b>'
RAW_MARKERS = ("<script>alert(1)", '"onmouseover=', "</textarea>", "<b>x</b>", "javascript:")


def _as_shown(page: str) -> str:
    """A page's text as the browser shows it: JSON string escapes (map layers) and character references undone."""
    import html as _html
    import re

    return _html.unescape(re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), page))


def test_hostile_strings_in_every_text_field_stay_text_on_every_page(tmp_path: Path) -> None:
    import re

    import yaml

    from flighttrace.sim.writers import write_trace
    from tests.flights import LLOV, UBBB, flight, join

    def tagged(field: str) -> str:
        return f"F-{field}:{BAD}"

    # the scenario's own text: title, summary, sources (outlet, title, URL), claim statements, events, routes, a site's name
    doc = yaml.safe_load(SEED.read_text())
    doc["meta"]["title"] = tagged("title")
    doc["meta"]["summary"] = tagged("summary")
    for src in doc["meta"]["sources"]:
        src["title"], src["outlet"] = tagged("source-title"), tagged("source-outlet")
        if src.get("url"):
            src["url"] = "javascript:alert(3)//" + tagged("source-url")
    for c in doc["claims"]:
        c["statement"] = tagged("statement")
    for e in doc["events"]:
        e["name"] = tagged("event")
    for r in doc["routes"]:
        r["name"] = tagged("route")
    doc["airports"].setdefault("custom", []).append({"id": "hostile-strip", "name": tagged("site"), "lat": 30.2, "lon": 34.8})
    doc["airports"]["codes"].append("hostile-strip")
    scn = tmp_path / "scn.yaml"
    scn.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False))
    # the data's text: callsign, squawk, registration and type code, in a file whose name is hostile too
    pts = join(flight(UBBB, LLOV, "2023-09-05T22:00Z"), flight(LLOV, UBBB, "2023-09-06T04:30Z"))
    pts["callsign"] = tagged("callsign")
    pts["squawk"] = tagged("squawk")
    data = tmp_path / "data"
    name = f"trace_full_600864 {tagged('file')}.json"
    write_trace(pts, data / name, registration=tagged("registration"), typecode=tagged("typecode"))
    out = tmp_path / "rep"
    res = build_report(scn, [data], out, maps_dir=tmp_path / "maps")
    assert len(res.findings.claims) == len(doc["claims"]) and (out / "sorties.csv").read_text().count("\n") == 2  # one sortie
    file_path = (data / name).as_posix()
    expected = {
        # the Sources section shows each source's outlet and title, and its address as text when it is not http(s) (issue 17)
        "index.html": {"title", "summary", "statement", "event", "route", "file", "source-title", "source-outlet", "source-url"},
        "evidence.html": {"title", "route", "callsign", "registration", "file"},
        "map.html": {"title", "event", "site", "callsign", "registration", "typecode", "file"},
    }
    for page, fields in expected.items():
        text = (out / page).read_text()
        for raw in RAW_MARKERS:
            if raw == "javascript:" and page == "index.html":
                # a javascript: address stays text: never a link, never in an attribute
                assert not re.search(r'(href|src)="\s*javascript:', text, flags=re.I) and 'title="javascript:' not in text
                continue
            assert raw not in text, (page, raw)
        shown = _as_shown(text)
        assert BAD.replace("{{ 7*7 }}", "49") not in shown, page  # template syntax never evaluated
        seen = {m.group(1) for m in re.finditer(r"F-([a-z-]+):" + re.escape(BAD), shown)}
        assert fields <= seen, (page, fields - seen)
        assert file_path in shown, page
        assert "squawk" not in seen  # not shown on any page (so never unescaped)
        if page != "index.html":
            assert not {"source-title", "source-outlet", "source-url"} & seen
    # the KML's descriptions are HTML to Google Earth: no markup once the XML is read
    root = ET.parse(out / "legs.kml").getroot()
    descs = [d.text or "" for d in root.iter("{http://www.opengis.net/kml/2.2}description")]
    assert len(descs) == 2 and not any("<" in d for d in descs)  # one placemark per leg
    assert any(tagged("callsign") in _as_shown(d) for d in descs)


def test_report_with_online_tiles_says_what_they_reveal_and_verifies(tmp_path: Path) -> None:
    from flighttrace.cli import _load, app
    from flighttrace.viz.basemap import TILES_PRIVACY_NOTE

    _load()
    data = tmp_path / "data"
    shutil.copytree(WORLD / "fr24", data / "fr24")
    runner = CliRunner()
    # unknown tiles: refused in one line, before anything is read or written
    res = runner.invoke(app, ["report", str(SEED), "--data", str(data), "--out", str(tmp_path / "bad"), "--tiles", "No such [b]tiles", "--no-progress"])
    assert res.exit_code == 2 and not (tmp_path / "bad").exists()
    assert res.output.splitlines() == ["error: unknown tiles 'No such [b]tiles': give a provider name such as 'OpenStreetMap', or a URL with {z}/{x}/{y}"]
    out = tmp_path / "rep"
    res = runner.invoke(app, ["report", str(SEED), "--data", str(data), "--out", str(out), "--maps", str(tmp_path / "maps"), "--tiles", "OpenStreetMap",
                              "--no-progress"])
    assert res.exit_code == 0, res.output
    assert json.loads((out / "provenance.json").read_text())["arguments"]["tiles"] == "OpenStreetMap"
    page = (out / "map.html").read_text(encoding="utf-8")
    assert "tile.openstreetmap.org" in page and TILES_PRIVACY_NOTE.format(provider="OpenStreetMap") in page
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "draws map images from OpenStreetMap: opening it tells that tile server which area you are looking at" in index
    assert "loads nothing from the internet" not in index
    assert verify_report(out) == []  # the rebuild draws the same tiles


def test_garbage_collector_is_paused_only_while_the_report_is_built() -> None:
    import gc

    from flighttrace._gc import gc_paused as _gc_paused

    for state in (True, False):
        (gc.enable if state else gc.disable)()
        try:
            with _gc_paused():
                assert not gc.isenabled()
            assert gc.isenabled() is state
            with pytest.raises(RuntimeError), _gc_paused():
                raise RuntimeError("a failed report")
            assert gc.isenabled() is state
        finally:
            gc.enable()


def test_charts_leave_no_object_frozen_and_keep_a_callers_frozen_ones(tmp_path: Path) -> None:
    """The charts freeze what the report made before them (a collection then walks only a chart's objects) and unfreeze it."""
    import gc

    from matplotlib.figure import Figure

    from flighttrace.report.build import _save_charts

    def tiny() -> Figure:
        fig = Figure(figsize=(1, 1))
        fig.add_subplot().plot([0, 1], [0, 1])
        return fig

    def broken() -> Figure:
        raise RuntimeError("a chart that fails")

    assert gc.get_freeze_count() == 0
    made = _save_charts([("a", "A", tiny)], tmp_path, [])
    assert gc.get_freeze_count() == 0
    assert [(m["png"], m["svg"]) for m in made] == [("charts/a.png", "charts/a.svg")] and (tmp_path / "charts" / "a.png").is_file()
    with pytest.raises(RuntimeError, match="a chart that fails"):
        _save_charts([("b", "B", broken)], tmp_path, [])
    assert gc.get_freeze_count() == 0
    kept = [[i] for i in range(100)]  # a caller's own frozen objects stay frozen, and none is added
    gc.freeze()
    try:
        before = gc.get_freeze_count()
        _save_charts([("c", "C", tiny)], tmp_path, [])
        assert gc.get_freeze_count() <= before  # some frozen temporaries are freed by reference counting meanwhile
        assert not any(o is kept for o in gc.get_objects())  # still in the permanent generation, which get_objects() does not list
    finally:
        gc.unfreeze()


# --------------------------------------------------------------------------- verify: every check on its own


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """A report of the fr24 files of the fixtures world (copied with the scenario), and the progress calls of its build."""
    root = tmp_path_factory.mktemp("small")
    shutil.copytree(WORLD / "fr24", root / "data" / "fr24")
    shutil.copyfile(WORLD.parent / "synthetic.json", root / "synthetic.json")
    scn = root / "scn.yaml"
    scn.write_text(SEED.read_text())
    calls: list[tuple[str, float, float | None, set[str]]] = []

    def progress(what: str, done: float, total: float | None) -> None:  # what the report holds when each stage is announced
        # a run writes into a staging folder inside the report folder, and moves the files into place at the end
        found = (p.relative_to(root / "rep").parts for p in (root / "rep").rglob("*") if p.is_file())
        files = {"/".join(parts[1:] if parts[0].startswith(".flighttrace-partial-") else parts) for parts in found}
        calls.append((what, done, total, files))

    res = build_report(scn, [root / "data"], root / "rep", maps_dir=root / "maps", command="pytest", progress=progress)
    return res, calls


def _cli_verify(folder: Path) -> tuple[int, list[str]]:
    """``flighttrace verify FOLDER``: exit code and the lines naming a difference."""
    from flighttrace.cli import _load, app

    _load()
    res = CliRunner().invoke(app, ["verify", str(folder)])
    return res.exit_code, [line for line in res.output.splitlines() if line.startswith("✗")]


def test_verify_rebuild_names_an_output_edited_with_its_recorded_hash(small, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import hashlib

    rep, _ = small
    copy = tmp_path / "rep"
    shutil.copytree(rep.out_dir, copy)
    # an edit that also rewrites the output's SHA-256 in provenance.json: the recorded hashes agree with the files,
    # so only the rebuild from the inputs can tell
    sorties = copy / "sorties.csv"
    sorties.write_text(sorties.read_text().replace(",observed,", ",bridged,", 1))
    assert sorties.read_bytes() != (rep.out_dir / "sorties.csv").read_bytes()
    prov = json.loads((copy / "provenance.json").read_text())
    prov["outputs"]["sorties.csv"] = hashlib.sha256(sorties.read_bytes()).hexdigest()
    (copy / "provenance.json").write_text(json.dumps(prov, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    code, lines = _cli_verify(copy)
    assert code == 1
    assert lines == ["✗ output differs on rebuild: sorties.csv"]


def test_verify_names_the_changed_input_and_only_it(small, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rep, _ = small
    prov = json.loads((rep.out_dir / "provenance.json").read_text())
    root = Path(prov["scenario"]["path"]).parent
    # a private copy of the inputs, with the report's provenance pointing at it
    shutil.copytree(root / "data", tmp_path / "data")
    scn = tmp_path / "scn.yaml"
    shutil.copyfile(root / "scn.yaml", scn)
    copy = tmp_path / "rep"
    shutil.copytree(rep.out_dir, copy)
    text = (copy / "provenance.json").read_text().replace(root.as_posix() + "/", tmp_path.as_posix() + "/")
    (copy / "provenance.json").write_text(text)
    doc = json.loads(text)
    data_files = sorted(Path(i["path"]) for i in doc["inputs"])
    assert len(data_files) == 14 and all(f.is_relative_to(tmp_path / "data") for f in data_files)
    changed = data_files[5]
    changed.write_bytes(changed.read_bytes().replace(b"AZQ", b"AZX", 1))
    code, lines = _cli_verify(copy)
    assert code == 1 and lines == [f"✗ input changed: {changed.as_posix()}"]
    shutil.copyfile(root / "data" / changed.relative_to(tmp_path / "data"), changed)
    scn.write_text(scn.read_text().replace("at least six Silk Way flights", "at least seven Silk Way flights", 1))
    code, lines = _cli_verify(copy)
    assert code == 1 and lines == [f"✗ input changed: {scn.as_posix()}"]
    changed.unlink()
    code, lines = _cli_verify(copy)
    assert code == 1 and lines == [f"✗ input changed: {scn.as_posix()}", f"✗ input missing: {changed.as_posix()}"]


def test_verify_leaves_the_working_directory_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    # a report made with paths relative to the folder it was run in ...
    work = tmp_path / "work"
    shutil.copytree(WORLD / "fr24", work / "data" / "fr24")
    shutil.copyfile(WORLD.parent / "synthetic.json", work / "synthetic.json")
    shutil.copyfile(SEED, work / "scn.yaml")
    monkeypatch.chdir(work)
    build_report("scn.yaml", ["data"], "rep", maps_dir="maps")
    prov = json.loads((work / "rep" / "provenance.json").read_text())
    assert prov["cwd"] == str(work) and prov["inputs"][0]["path"].startswith("data/")
    # ... is verified from another folder, without the process ever changing its working directory
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    calls: list[object] = []
    real_chdir = os.chdir
    monkeypatch.setattr(os, "chdir", lambda p: (calls.append(p), real_chdir(p)))
    assert verify_report(work / "rep") == []
    assert calls == [] and Path.cwd() == elsewhere
    # and a difference is still found against the inputs named relative to the report's folder of origin
    (work / "rep" / "legs.kml").write_text("edited\n")
    assert verify_report(work / "rep") == ["output edited: legs.kml"]
    assert calls == [] and Path.cwd() == elsewhere


def test_progress_callable_hears_every_stage_in_order_to_completion(small) -> None:  # type: ignore[no-untyped-def]
    from flighttrace.report import STAGES

    _, calls = small
    stages = ["report: reading", "report: legs", "report: sorties", "report: coverage and claims", "report: charts", "report: map",
              "report: exports", "report: pages", "report: provenance", "report: done"]
    assert [c[0] for c in calls] == stages
    assert [c[1] for c in calls] == list(range(len(stages)))
    assert [c[2] for c in calls] == [STAGES] * len(stages) and calls[-1][1] == calls[-1][2] == len(stages) - 1
    # each stage is announced once the one before it has done its work, and before its own work is done
    at = {c[0]: c[3] for c in calls}
    charts = {f"charts/{n}.{e}" for n in ("sorties_per_week", "event_study", "ground_times", "coverage") for e in ("png", "svg")}
    assert not charts & at["report: charts"] and charts <= at["report: map"]
    assert "map.html" not in at["report: map"] and "map.html" in at["report: exports"]
    exports = {"sorties.csv", "legs.geojson", "legs.kml", "tables/legs.csv", "tables/claims.csv"}
    assert not exports & at["report: exports"] and exports <= at["report: pages"]
    assert not {"index.html", "evidence.html"} & at["report: pages"] and {"index.html", "evidence.html"} <= at["report: provenance"]
    assert "provenance.json" not in at["report: provenance"] and "provenance.json" in at["report: done"]
