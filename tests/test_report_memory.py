"""What keeps a report's memory low changes none of its bytes: exports written in pieces, cards' sources summed a run of legs at a
time, elevations looked up for the legs' fields only, and glibc's trim and arena setting (no-ops where the C library is another)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
import pytest

import flighttrace._gc as ftgc
from flighttrace.report import legcards
from flighttrace.report.export import leg_field_elevations, legs_geojson, legs_kml, write_legs_geojson, write_legs_kml
from tests.test_export import reference_geojson, reference_kml, world

# --------------------------------------------------------------------------- exports in pieces


@pytest.mark.parametrize("per_piece", [1, 2, 3, 64])
@pytest.mark.parametrize("tiny_lon", [False, True])
def test_kml_written_a_few_legs_at_a_time_is_the_whole_documents_bytes(tmp_path: Path, per_piece: int, tiny_lon: bool) -> None:
    legs, pts = world(tiny_lon=tiny_lon)  # tiny longitudes: a piece written by numpy, the others by orjson
    args: dict[str, Any] = {"title": "T <&>", "max_vertices": 7, "elevations_ft": {"UBBB": 10.0, "LLOV": 1_200.0}, "synthetic": True}
    path = write_legs_kml(legs, pts, tmp_path / "legs.kml", legs_per_piece=per_piece, **args)
    assert path.read_bytes() == reference_kml(legs, pts, **args).encode("utf-8")
    assert legs_kml(legs, pts, **args).encode("utf-8") == path.read_bytes()


def test_kml_of_no_legs_written_to_a_file_is_an_empty_document(tmp_path: Path) -> None:
    legs, pts = world()
    path = write_legs_kml(legs.iloc[:0], pts, tmp_path / "none.kml", title="none")
    assert path.read_text(encoding="utf-8") == legs_kml(legs.iloc[:0], pts, title="none")
    assert "<Placemark>" not in path.read_text(encoding="utf-8")


@pytest.mark.parametrize("per_piece", [1, 2, 4, 32])
def test_geojson_written_a_few_legs_at_a_time_is_the_whole_collections_bytes(tmp_path: Path, per_piece: int) -> None:
    legs, _ = world()  # five legs, one without geometry
    legs["registration"] = pd.Categorical(["4K-AZ1", None, "4X-1", None, "4X-1"])
    path = write_legs_geojson(legs, tmp_path / "legs.geojson", features_per_piece=per_piece)
    assert path.read_bytes() == reference_geojson(legs).encode("utf-8")
    assert legs_geojson(legs).encode("utf-8") == path.read_bytes()
    empty = write_legs_geojson(legs.iloc[:0], tmp_path / "none.geojson", features_per_piece=per_piece)
    assert empty.read_text(encoding="utf-8") == '{"features":[],"type":"FeatureCollection"}\n'


# --------------------------------------------------------------------------- elevations of the legs' fields


def test_elevations_are_those_of_the_fields_the_legs_name_and_no_others() -> None:
    airports = pd.DataFrame({
        "code": ["UBBB", "LLOV", "LLBG", "KJFK", "XNUL", "LLOV"],
        "elevation_ft": [10.0, 1_200.0, 135.0, 13.0, np.nan, 1_205.0],  # LLOV listed twice: the last wins, as a dict of the table
    })
    legs = pd.DataFrame({"origin": ["UBBB", None, "XNUL", "NOPE"], "destination": ["LLOV", "LLOV", np.nan, "UBBB"]})
    elev = leg_field_elevations(legs, airports)
    assert elev == {"UBBB": 10.0, "LLOV": 1_205.0}  # XNUL has no elevation, NOPE is no airport, LLBG and KJFK are named by no leg
    whole = {c: float(e) for c, e in airports.set_index("code")["elevation_ft"].dropna().items()}
    assert all(whole[c] == e for c, e in elev.items())  # the values the index's whole table gives
    assert leg_field_elevations(legs.iloc[:0], airports) == {}


# --------------------------------------------------------------------------- evidence cards' source rows


def _cards_run() -> SimpleNamespace:
    files = pd.Categorical(["a.json", "a.json", "b.csv", "a.json", "b.csv", "b.csv", "a.json", None], categories=["a.json", "b.csv"])
    pts = pd.DataFrame({
        "icao24": ["600864"] * 4 + ["4b1805"] * 4,
        "src_file": files,
        "src_row": np.array([10, 11, 5, 12, 6, 7, 3, 9], dtype=np.int64),
    })
    legs = pd.DataFrame({"leg_id": ["L1", "L2", "L3"], "point_start": [0, 4, 7], "point_end": [4, 7, 8]})
    return SimpleNamespace(legs=legs, leg_thresholds=None, ds=SimpleNamespace(points=pts), sorted_points=pts, scn=SimpleNamespace(fleet=None),
                           sha_of={"a.json": "sha-a", "b.csv": "sha-b"})


@pytest.mark.parametrize("span_rows", [1, 2, 4, 65_536])
def test_card_sources_summed_a_run_of_legs_at_a_time_are_the_whole_tables(monkeypatch: pytest.MonkeyPatch, span_rows: int) -> None:
    monkeypatch.setattr(legcards, "SPAN_ROWS", span_rows)
    ev = legcards.LegEvidence(_cards_run(), ["L1", "L2", "L3"], places=None)  # type: ignore[arg-type]  # sources name no airport
    # L1: a.json rows 10, 11, 12 and b.csv row 5, in order of first appearance; L2: b.csv 6, 7 then a.json 3; L3: a row without a file
    assert ev.sources(["L1"]) == [{"file": "a.json", "rows": "10–12", "n": "3", "sha256": "sha-a"},
                                  {"file": "b.csv", "rows": "5–5", "n": "1", "sha256": "sha-b"}]
    assert ev.sources(["L2"]) == [{"file": "b.csv", "rows": "6–7", "n": "2", "sha256": "sha-b"},
                                  {"file": "a.json", "rows": "3–3", "n": "1", "sha256": "sha-a"}]
    assert ev.sources(["L1", "L2"]) == [{"file": "a.json", "rows": "3–12", "n": "4", "sha256": "sha-a"},
                                        {"file": "b.csv", "rows": "5–7", "n": "3", "sha256": "sha-b"}]
    assert ev.sources(["L3"]) == []


# --------------------------------------------------------------------------- glibc's allocator


def test_trim_runs_exactly_where_the_c_library_is_glibc() -> None:
    assert ftgc.release_free_memory() is ftgc._glibc()


def test_one_arena_is_glibcs_mallopt_of_m_arena_max_to_one(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[Any, ...]] = []

    def mallopt(*args: Any) -> int:
        calls.append(args)
        return 1  # glibc's mallopt answers 1 when it takes the setting

    monkeypatch.setattr(ftgc, "_glibc_function", lambda name, argtypes: mallopt if name == "mallopt" else None)
    assert ftgc.one_malloc_arena() is True
    assert calls == [(-8, 1)]  # malloc.h: #define M_ARENA_MAX -8


def test_the_command_asks_for_one_arena_before_it_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    import gc
    import sys

    from flighttrace.cli import main

    asked: list[bool] = []

    def one_arena() -> bool:
        asked.append(True)
        return True

    monkeypatch.setattr(ftgc, "one_malloc_arena", one_arena)
    monkeypatch.setattr(sys, "argv", ["flighttrace", "--version"])
    try:
        with pytest.raises(SystemExit):
            main()
    finally:
        gc.unfreeze()  # main freezes the objects alive when the command ends
    assert asked == [True]


def test_trim_and_arena_setting_do_nothing_without_glibc(monkeypatch: pytest.MonkeyPatch) -> None:
    import ctypes

    def no_library(*_: Any, **__: Any) -> Any:
        raise AssertionError("no C library function may be looked up without glibc")

    ftgc._glibc_function.cache_clear()
    monkeypatch.setattr(ftgc, "_glibc", lambda: False)
    monkeypatch.setattr(ctypes, "CDLL", no_library)
    try:
        assert ftgc.release_free_memory() is False
        assert ftgc.one_malloc_arena() is False
    finally:
        ftgc._glibc_function.cache_clear()  # the real library again for the tests that follow


@pytest.mark.parametrize("per_write", [1, 2, 3, 4096])
def test_a_page_rendered_into_its_file_a_few_pieces_at_a_time_is_the_whole_pages_bytes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, per_write: int) -> None:
    import jinja2

    from flighttrace.report import html

    env = jinja2.Environment(loader=jinja2.DictLoader({"t.html.j2": "<style>{{ css[:5] }}</style>\n{% for r in rows %}<p>{{ r }}</p>\n{% endfor %}"}),
                             autoescape=True, keep_trailing_newline=True)
    monkeypatch.setattr(html, "_env", lambda: env)
    monkeypatch.setattr(html, "PIECES_PER_WRITE", per_write)
    rows = ["Ovda", "<script>alert(1)</script>", "Gəncə ✈", "a & b"]
    html.render_to(tmp_path / "page.html", "t.html.j2", rows=rows)
    expected = "<style>" + html.css()[:5] + "</style>\n" + "".join(f"<p>{r}</p>\n" for r in
                                                                   ["Ovda", "&lt;script&gt;alert(1)&lt;/script&gt;", "Gəncə ✈", "a &amp; b"])
    assert (tmp_path / "page.html").read_bytes() == expected.encode("utf-8")
    assert html.render("t.html.j2", rows=rows) == expected


def test_tracks_are_dropped_for_the_legs_no_output_writes_and_kept_for_the_others() -> None:
    from flighttrace.report.build import _tracks_only_for

    legs, _ = world()
    kept_before = legs.geometry.copy()
    tracked = legs[legs["icao24"] == "600864"]  # two of the five legs
    out = _tracks_only_for(legs, tracked)
    assert list(out.columns) == list(legs.columns) and out.crs == legs.crs
    assert out.geometry.isna().tolist() == [True, False, False, True, True]  # by hand: only legs 1 and 2 keep a track
    assert out.geometry.iloc[1].equals(kept_before.iloc[1]) and out.geometry.iloc[2].equals(kept_before.iloc[2])
    assert legs.geometry.notna().sum() == kept_before.notna().sum()  # the caller's table is left as it was
    assert _tracks_only_for(legs, legs) is legs  # every leg tracked: nothing to drop
    pd.testing.assert_frame_equal(out.drop(columns="geometry"), legs.drop(columns="geometry"))


def test_the_sorties_report_keeps_the_track_of_every_leg_it_exports() -> None:
    """The tracks a report keeps (``tracked_legs``) cover the legs of its tables and exports, on the shipped Ovda world."""
    import flighttrace
    from flighttrace.kinds.sorties import pages
    from flighttrace.report.context import ReportRun

    root = Path(__file__).resolve().parents[1]
    scn = flighttrace.load_scenario(root / "seeds" / "azerbaijan-ovda.yaml")
    ds = flighttrace.read([str(root / "fixtures" / "ovda" / "data" / "opensky")])
    legs = flighttrace.detect_legs(ds.points, scn)
    run = ReportRun(scn, root, ds, "UTC", legs, None, True, [], kind="sorties")
    pages.prepare(run)
    tracked = set(pages.tracked_legs(run)["leg_id"])
    assert tracked  # the fleet flew in this part of the world
    assert set(pages.table_legs(run)["leg_id"]) <= tracked and set(pages.export_legs(run)["leg_id"]) <= tracked
    assert len(tracked) < len(legs)  # and other aircraft did too: their tracks are the ones dropped


def test_no_track_is_dropped_when_the_kind_names_legs_without_their_ids() -> None:
    from flighttrace.report.build import _tracks_only_for

    legs, _ = world()
    assert _tracks_only_for(legs, pd.DataFrame({"icao24": ["600864"]})) is legs
