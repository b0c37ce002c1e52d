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


def test_synthetic_banner_on_every_page(report) -> None:  # type: ignore[no-untyped-def]
    for page in ("index.html", "evidence.html"):
        assert "SYNTHETIC DATA." in (report.out_dir / page).read_text()
    assert report.synthetic


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
    again = build_report(SEED, [WORLD], tmp_path / "ovda", maps_dir=tmp_path / "maps", command="pytest")
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
    assert problems == [f"input changed: {first.as_posix()}"] or any(first.name in p and p.startswith("input changed") for p in problems)


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
    assert f"Report: {out / 'index.html'}" in " ".join(res.output.split()) or "index.html" in res.output
    assert "SYNTHETIC DATA" in res.output
    res = runner.invoke(app, ["verify", str(out)])
    assert res.exit_code == 0, res.output
    (out / "index.html").write_text("tampered")
    res = runner.invoke(app, ["verify", str(out)])
    assert res.exit_code == 1 and "output edited: index.html" in res.output


def test_hostile_strings_are_escaped_in_every_page(tmp_path: Path) -> None:
    from flighttrace.io.readsb import write_trace
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


def test_garbage_collector_is_paused_only_while_the_report_is_built() -> None:
    import gc

    from flighttrace.report import _gc_paused

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
