"""The ingest framework: detection, checks every format shares, provenance, folders and tars, the CLI."""

from __future__ import annotations

import gzip
import io
import json
import tarfile
import time
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import flighttrace
from flighttrace.cli import _load, app
from flighttrace.io.api import assert_counts
from flighttrace.sim.writers import write_trace
from tests.builders import points, trace_doc, write_json

GOOD = [[0.0, 40.0, 50.0, 1000, 200.0, 90.0, 0, 0], [20.0, 40.01, 50.01, 1100, 200.0, 90.0, 0, 0]]


def read(paths, **kw):  # type: ignore[no-untyped-def]
    ds = flighttrace.read(paths, **kw)
    assert_counts(ds)
    flighttrace.validate_points(ds.points)
    return ds


def test_empty_file_is_a_manifest_error_and_others_still_read(tmp_path: Path) -> None:
    (tmp_path / "empty.json").write_bytes(b"")
    write_json(tmp_path / "good.json", trace_doc(GOOD))
    ds = read(tmp_path)
    m = ds.manifest.set_index("path")
    assert m.loc[(tmp_path / "empty.json").as_posix(), "error"] == "the file is empty"
    assert m.loc[(tmp_path / "good.json").as_posix(), "rows_kept"] == 2
    whole = ds.quarantine[ds.quarantine["src_row"].isna()]
    assert whole["reason"].tolist() == ["the file is empty"]


def test_truncated_gzip_is_reported(tmp_path: Path) -> None:
    data = gzip.compress(json.dumps(trace_doc(GOOD * 50)).encode(), mtime=0)
    (tmp_path / "cut.json").write_bytes(data[: len(data) // 2])
    ds = read(tmp_path)
    assert ds.manifest.loc[0, "error"].startswith("compressed stream is truncated")
    assert ds.manifest.loc[0, "compression"] == ""  # never got as far as a format
    assert len(ds.points) == 0


def test_invalid_json_is_reported(tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text('{"icao": "600864" "trace": 0, 1')
    ds = read(tmp_path)
    assert ds.manifest.loc[0, "error"].startswith("invalid JSON:")


def test_unknown_json_shape_and_unknown_text(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text('{"hello": 1}')
    (tmp_path / "b.csv").write_text("foo,bar\n1,2\n")
    ds = read(tmp_path)
    errs = ds.manifest.set_index(ds.manifest["path"].str[-5:])["error"]
    assert errs[".json"].startswith("JSON of unknown shape (object with keys 'hello')")
    assert errs["b.csv"].startswith("unrecognised content (first line: 'foo,bar')")


def test_known_files_without_positions_say_what_they_are(tmp_path: Path) -> None:
    # two Beast frames as dump1090 sends them: 0x1a, type '2' (Mode S short: 6-byte 12 MHz clock, signal, 7 bytes),
    # then type '3' (Mode S long, 14 bytes); and an OpenSky /flights/aircraft answer (no position in it)
    beast = b"\x1a2" + bytes(6) + b"\x80" + bytes.fromhex("5d4ca2d6e0a1b2") + b"\x1a3" + bytes(6) + b"\x90" + bytes.fromhex("8d4ca2d699150a1b2c3d4e5f6071")
    (tmp_path / "capture.bin").write_bytes(beast)
    flights = [{"icao24": "4ca2d6", "firstSeen": 1693548000, "lastSeen": 1693555200, "estDepartureAirport": "UBBB",
                "estArrivalAirport": "LLOV", "callsign": "AZQ6224 "}]
    (tmp_path / "flights.json").write_text(json.dumps(flights))
    ds = read(tmp_path)
    errs = ds.manifest.set_index(ds.manifest["path"].str.rsplit("/", n=1).str[-1])["error"]
    assert errs["capture.bin"].startswith("Beast binary (raw Mode S frames")
    assert "jet1090" in errs["capture.bin"]  # says what to do
    assert errs["flights.json"].startswith("an OpenSky flights list") and "no position" in errs["flights.json"]
    assert len(ds.points) == 0


def _binary_files(folder: Path) -> None:
    """One file of each binary kind flighttrace does not read, made by the tools that make them where they are at hand."""
    import pickle
    import sqlite3
    import zipfile

    import pyarrow as pa
    import pyarrow.feather as feather

    frame = pd.DataFrame({"timestamp": [1693548000], "icao24": ["600864"], "latitude": [29.94], "longitude": [34.94]})
    (folder / "flight.pkl").write_bytes(pickle.dumps(frame, protocol=5))  # what DataFrame.to_pickle writes
    (folder / "flight.pkl.gz").write_bytes(gzip.compress(pickle.dumps(frame, protocol=4), mtime=0))
    feather.write_feather(pa.Table.from_pandas(frame), folder / "flight.feather")
    with zipfile.ZipFile(folder / "flights.xlsx", "w") as z:  # a workbook is a ZIP (a ZIP named .zip is opened: test_zips.py)
        z.writestr("xl/workbook.xml", "<workbook/>")
    db = sqlite3.connect(folder / "BaseStation.sqb")
    db.execute("CREATE TABLE Aircraft (ModeS TEXT)")
    db.commit()
    db.close()
    # the signatures alone (no HDF5, 7-Zip or OLE2 writer in the test environment): the first bytes are what is judged
    (folder / "flight.h5").write_bytes(b"\x89HDF\r\n\x1a\n" + bytes(64))
    (folder / "flights.7z").write_bytes(b"7z\xbc\xaf\x27\x1c" + bytes(26))
    (folder / "flights.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(56))


def test_binary_files_of_known_kinds_say_what_they_are_and_what_to_do(tmp_path: Path) -> None:
    _binary_files(tmp_path)
    write_trace(points(n=3), tmp_path / "good.json")  # the run goes on past them
    ds = read(tmp_path)
    errs = ds.manifest.set_index(ds.manifest["path"].str.rsplit("/", n=1).str[-1])["error"]
    assert errs["flight.pkl"].startswith("a Python pickle") and "runs code" in errs["flight.pkl"] and "Parquet" in errs["flight.pkl"]
    assert errs["flight.pkl.gz"].startswith("inside gzip: a Python pickle")
    assert errs["flight.feather"].startswith("an Arrow IPC (Feather) file")
    assert errs["flights.xlsx"].startswith("a ZIP archive") and "save a workbook's sheet as CSV" in errs["flights.xlsx"]
    assert errs["BaseStation.sqb"].startswith("an SQLite database") and "SBS" in errs["BaseStation.sqb"]
    assert errs["flight.h5"].startswith("an HDF5 file")
    assert errs["flights.7z"].startswith("a 7-Zip archive")
    assert errs["flights.xls"].startswith("an OLE2 compound file")
    assert errs["good.json"] == "" and len(ds.points) == 3


def test_a_format_forced_on_a_pickle_still_says_it_is_a_pickle(tmp_path: Path) -> None:
    import pickle

    path = tmp_path / "flight.csv"  # a pickle under a CSV's name
    path.write_bytes(pickle.dumps({"icao24": ["600864"]}, protocol=5))
    ds = read(path, format="opensky_csv")
    assert ds.manifest.loc[0, "error"].startswith("a Python pickle") and len(ds.points) == 0


def test_nan_and_out_of_range_coordinates(tmp_path: Path) -> None:
    pts = [[0.0, None, 50.0, 1000, 200.0, 90.0, 0, 0], [1.0, 40.0, 181.5, 1000, 200.0, 90.0, 0, 0],
           [2.0, 0.0, 0.0, 1000, 200.0, 90.0, 0, 0], [3.0, 40.0, 50.0, 1000, 200.0, 90.0, 0, 0]]
    ds = read(write_json(tmp_path / "t.json", trace_doc(pts)))
    reasons = ds.quarantine.set_index("src_row")["reason"].to_dict()
    assert reasons == {
        0: "lat missing",
        1: "lon 181.5 outside [-180, 180] deg",
        2: "lat/lon exactly 0,0 (a missing position written as zeros)",
    }
    assert ds.points["src_row"].tolist() == [3]


def test_times_before_1990_and_in_the_future(tmp_path: Path) -> None:
    future = time.time() + 30 * 86400
    write_json(tmp_path / "old.json", trace_doc(GOOD[:1], timestamp=315532800.0))  # 1980-01-01T00:00:00Z
    write_json(tmp_path / "new.json", trace_doc(GOOD[:1], timestamp=future))
    ds = read(tmp_path)
    reasons = sorted(ds.quarantine["reason"])
    assert reasons[0] == "1980-01-01T00:00:00Z is before 1990-01-01 (time)"
    assert reasons[1].endswith("is in the future (time)")
    assert len(ds.points) == 0


def test_icao24_upper_case_is_normalised_non_hex_and_tisb_quarantined(tmp_path: Path) -> None:
    write_json(tmp_path / "u.json", trace_doc(GOOD, icao="60086A"))
    write_json(tmp_path / "x.json", trace_doc(GOOD, icao="60086Z"))
    write_json(tmp_path / "t.json", trace_doc(GOOD, icao="~a1b2c3"))
    ds = read(tmp_path)
    assert set(ds.points["icao24"].astype(str)) == {"60086a"}
    reasons = set(ds.quarantine["reason"])
    assert "icao24 '60086Z' is not 6 hex digits" in reasons
    assert "non-ICAO address '~a1b2c3' (TIS-B or anonymous): no airframe identity" in reasons


def test_duplicates_across_overlapping_files_are_counted_on_the_later_file(tmp_path: Path) -> None:
    write_json(tmp_path / "a.json", trace_doc(GOOD))
    write_json(tmp_path / "b.json", trace_doc(GOOD + [[40.0, 40.02, 50.02, 1200, 200.0, 90.0, 0, 0]]))
    ds = read(tmp_path)
    m = ds.manifest.set_index(ds.manifest["path"].str[-6:])
    assert (m.loc["a.json", "rows_kept"], m.loc["a.json", "rows_duplicate"]) == (2, 0)
    assert (m.loc["b.json", "rows_kept"], m.loc["b.json", "rows_duplicate"]) == (1, 2)
    assert len(ds.points) == 3


def test_same_time_different_position_is_not_a_duplicate(tmp_path: Path) -> None:
    write_json(tmp_path / "a.json", trace_doc(GOOD))
    write_json(tmp_path / "b.json", trace_doc([[0.0, 40.5, 50.0, 1000, 200.0, 90.0, 0, 0]]))
    ds = read(tmp_path)
    assert len(ds.points) == 3 and ds.manifest["rows_duplicate"].sum() == 0


def test_unsorted_rows_come_out_sorted_by_aircraft_then_time(tmp_path: Path) -> None:
    pts = [[60.0, 40.0, 50.0, 1000, 200, 90, 0, 0], [0.0, 40.1, 50.0, 1000, 200, 90, 0, 0], [30.0, 40.2, 50.0, 1000, 200, 90, 0, 0]]
    write_json(tmp_path / "b.json", trace_doc(pts, icao="600865"))
    write_json(tmp_path / "a.json", trace_doc(pts, icao="600864"))
    p = read(tmp_path).points
    assert p["icao24"].astype(str).tolist() == ["600864"] * 3 + ["600865"] * 3
    assert p["src_row"].tolist() == [1, 2, 0, 1, 2, 0]
    assert p["time"].is_monotonic_increasing is False and p.groupby("icao24", observed=True)["time"].apply(lambda s: s.is_monotonic_increasing).all()


@pytest.mark.parametrize("fmt", ["readsb_trace", "opensky_parquet"])
def test_points_can_be_edited_in_place(tmp_path: Path, fmt: str) -> None:
    # one aircraft already in time order: Arrow's buffers reach pandas without a reordering copy
    if fmt == "readsb_trace":
        write_trace(points(3), tmp_path / "trace_full_600864.json")
    else:
        from flighttrace.sim.writers import write_state_vectors_parquet

        write_state_vectors_parquet(points(3), tmp_path / "states.parquet")
    p = read(tmp_path).points
    for col in ("lat", "lon", "alt_ft", "gs_kt", "time", "src_row"):
        p.loc[1, col] = p.loc[0, col]
        assert p.loc[1, col] == p.loc[0, col], col


def test_hostile_strings_are_kept_as_data(tmp_path: Path) -> None:
    pts = [[0.0, 40.0, 50.0, 1000, 200.0, 90.0, 0, 0, {"flight": "<script>alert(1)</script>", "squawk": "'; DROP"}]]
    p = read(write_json(tmp_path / "t.json", trace_doc(pts, r="<img src=x onerror=alert(1)>"))).points
    assert p.loc[0, "callsign"] == "<script>alert(1)</script>"
    assert p.loc[0, "registration"] == "<img src=x onerror=alert(1)>"
    assert p.loc[0, "squawk"] == "'; DROP"


def test_explicit_format_overrides_and_mismatch_is_explained(tmp_path: Path) -> None:
    path = write_json(tmp_path / "data.bin", trace_doc(GOOD))
    assert read(path, format="readsb_trace").manifest.loc[0, "format"] == "readsb_trace"
    (tmp_path / "data.bin").write_text('{"ac": []}')
    ds = read(path, format="readsb_trace")
    assert ds.manifest.loc[0, "error"] == "not a readsb trace: format 'readsb_trace' was given, but the JSON document is an object with keys 'ac'"
    with pytest.raises(Exception, match="unknown format 'nope'"):
        from flighttrace.io._base import ReadContext
        from flighttrace.io.detect import dispatch

        dispatch(io.BytesIO(b"{}"), ReadContext(src_file="x"), "nope")


def test_missing_path_is_a_manifest_row(tmp_path: Path) -> None:
    write_json(tmp_path / "a.json", trace_doc(GOOD))
    ds = read([tmp_path / "a.json", tmp_path / "nope.json"])
    m = ds.manifest.set_index("path")
    assert m.loc[(tmp_path / "nope.json").as_posix(), "error"].startswith("no such file, folder or glob match")


def _adsblol_day(root: Path) -> None:
    for hex_ in ("600864", "600865", "4b1234"):
        write_trace(points(3, icao24=hex_), root / "traces" / hex_[-2:] / f"trace_full_{hex_}.json")
    (root / "README.txt").write_text("adsb.lol globe history")
    (root / "LICENSE-ODbL.txt").write_text("licence")
    (root / "heatmap").mkdir()
    (root / "heatmap" / "00.bin.ttf").write_bytes(b"\x00\x01")


def test_adsblol_day_folder_with_icao24_filter_skips_other_files_unopened(tmp_path: Path) -> None:
    day = tmp_path / "2023" / "09" / "01"
    _adsblol_day(day)
    # a garbage file named for another hex would fail if it were opened
    (day / "traces" / "99" / "trace_full_abcd99.json").parent.mkdir(parents=True)
    (day / "traces" / "99" / "trace_full_abcd99.json").write_bytes(b"\x1f\x8bgarbage")
    ds = read(tmp_path, icao24="600864")
    assert set(ds.points["icao24"].astype(str)) == {"600864"}
    assert ds.info["files_skipped_by_name"] == 3
    assert not ds.manifest["path"].str.contains("abcd99").any()
    skipped = ds.manifest[ds.manifest["format"] == "skipped"]
    assert len(skipped) == 3 and (skipped["error"] == "").all()


def test_tar_and_split_tar_read_as_stream(tmp_path: Path) -> None:
    day = tmp_path / "day"
    _adsblol_day(day)
    tar_path = tmp_path / "v2023.09.01-planes-readsb-prod-0.tar"
    with tarfile.open(tar_path, "w") as tar:
        tar.add(day, arcname=".")
    whole = read(tar_path)
    assert whole.points["icao24"].nunique() == 3
    assert whole.points["src_file"].astype(str).str.contains(r"\.tar!traces/64/trace_full_600864\.json$").any()
    data = tar_path.read_bytes()
    parts = tmp_path / "split"
    parts.mkdir()
    half = len(data) // 2
    (parts / "day.tar.aa").write_bytes(data[:half])
    (parts / "day.tar.ab").write_bytes(data[half:])
    split = read(parts)
    assert len(split.points) == len(whole.points)
    assert split.points["src_file"].astype(str).str.startswith((parts / "day.tar.*").as_posix() + "!").all()
    # the member hash is the hash of the member's bytes, whichever container held it
    key = lambda d: d.manifest.assign(m=d.manifest["path"].str.split("!").str[-1]).set_index("m")["sha256"]  # noqa: E731
    assert key(whole).equals(key(split))


def test_progress_callback_is_called_per_file(tmp_path: Path) -> None:
    write_json(tmp_path / "a.json", trace_doc(GOOD))
    write_json(tmp_path / "b.json", trace_doc(GOOD, icao="600865"))
    calls: list[tuple[str, float]] = []
    read(tmp_path, progress=lambda d, done, total: calls.append((d, done)))
    assert [c[1] for c in calls] == [1.0, 2.0] and calls[-1][0] == "read b.json"


def test_to_parquet_and_manifest_json_are_deterministic(tmp_path: Path) -> None:
    write_trace(points(10), tmp_path / "in" / "trace_full_600864.json")
    a = read(tmp_path / "in").to_parquet(tmp_path / "o1")
    b = read(tmp_path / "in").to_parquet(tmp_path / "o2")
    for key in ("points", "quarantine", "manifest"):
        assert a[key].read_bytes() == b[key].read_bytes(), key
    doc = json.loads(a["manifest"].read_text())
    assert doc["totals"]["rows_kept"] == 10 and doc["run"]["flighttrace_version"] == flighttrace.__version__
    back = pd.read_parquet(a["points"])
    assert len(back) == 10 and str(back["time"].dtype) == "datetime64[ns, UTC]"


def test_cli_ingest_summary_and_exit_codes(tmp_path: Path) -> None:
    _load()
    write_trace(points(10), tmp_path / "in" / "trace_full_600864.json")
    runner = CliRunner()
    res = runner.invoke(app, ["ingest", str(tmp_path / "in"), "--out", str(tmp_path / "out")])
    assert res.exit_code == 0, res.output
    assert "10 points from 1 aircraft" in res.output
    assert (tmp_path / "out" / "points.parquet").exists() and (tmp_path / "out" / "manifest.json").exists()
    (tmp_path / "junk").mkdir()
    (tmp_path / "junk" / "x.json").write_text("not json")
    res = runner.invoke(app, ["ingest", str(tmp_path / "junk"), "--out", str(tmp_path / "out2")])
    assert res.exit_code == 2
    assert "nothing readable: unrecognised content" in " ".join(res.output.split())
    res = runner.invoke(app, ["ingest", str(tmp_path / "nowhere")])
    assert res.exit_code == 2 and "no such file" in res.output
    # a file read but every record quarantined: the one line says why, with the count
    (tmp_path / "fr24").mkdir()
    (tmp_path / "fr24" / "AZQ6224.csv").write_text(
        "Timestamp,UTC,Callsign,Position,Altitude,Speed,Direction\n"
        '1693548000,2023-09-01T06:00:00Z,AZQ6224,"40.4675,50.0467",0,5,160\n'
        '1693548060,2023-09-01T06:01:00Z,AZQ6224,"40.4700,50.0400",1500,160,340\n'
    )
    res = runner.invoke(app, ["ingest", str(tmp_path / "fr24"), "--out", str(tmp_path / "out3")])
    assert res.exit_code == 2
    said = " ".join(res.output.split())
    assert "nothing readable: 2 records, none usable: 2 × FR24 CSV has no ICAO address" in said and "icao24=" in said


def test_milliseconds_given_as_seconds_are_out_of_range_not_wrapped(tmp_path: Path) -> None:
    # 1693526400000 ms read as seconds: ~5.4e4 years; int64 nanoseconds would wrap
    ds = read(write_json(tmp_path / "t.json", trace_doc(GOOD[:1], timestamp=1693526400000.0)))
    assert ds.quarantine["reason"].tolist() == ["time 1693526400000.0 s is out of range (milliseconds given as seconds?)"]


def test_category_dtypes_do_not_depend_on_input_order(tmp_path: Path) -> None:
    write_json(tmp_path / "a" / "x.json", trace_doc(GOOD, icao="600865"))
    write_json(tmp_path / "a" / "y.json", trace_doc(GOOD, icao="600864"))
    write_json(tmp_path / "b" / "x.json", trace_doc(GOOD, icao="600864"))
    write_json(tmp_path / "b" / "y.json", trace_doc(GOOD, icao="600865"))
    pa_, pb = read(tmp_path / "a").points, read(tmp_path / "b").points
    for col in ("icao24", "callsign", "src_file", "source"):
        assert pa_[col].cat.categories.dtype == pb[col].cat.categories.dtype, col
    assert list(pa_["icao24"].cat.categories) == ["600864", "600865"] == list(pb["icao24"].cat.categories)


class _CountingFile:
    """A file wrapper that records the size of every read (to prove a reader streams)."""

    def __init__(self, fh, reads: list[int]):  # type: ignore[no-untyped-def]
        self._fh, self._reads = fh, reads

    def read(self, n: int = -1) -> bytes:
        data = self._fh.read(n)
        self._reads.append(len(data))
        return data

    def readinto(self, b) -> int:  # type: ignore[no-untyped-def]
        n = self._fh.readinto(b)
        self._reads.append(n)
        return n

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        return getattr(self._fh, name)

    def __enter__(self):  # type: ignore[no-untyped-def]
        return self

    def __exit__(self, *a: object) -> None:
        self._fh.close()


@pytest.mark.parametrize("fmt", ["opensky_csv", "sbs"])
def test_a_huge_file_is_streamed_never_read_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str) -> None:
    from flighttrace.io import _base, opensky
    from flighttrace.io.sources import Source

    n = 200_000
    pts = points(n, step_s=1.0)
    path = tmp_path / ("big.csv" if fmt == "opensky_csv" else "big.sbs")
    if fmt == "opensky_csv":
        from flighttrace.sim.writers import write_state_vectors_csv

        write_state_vectors_csv(pts, path)
        monkeypatch.setattr(opensky, "CSV_BLOCK_BYTES", 1 << 20)  # 1 MiB blocks
    else:
        from flighttrace.sim.writers import write_sbs

        write_sbs(pts, path)
        monkeypatch.setattr(_base, "DEFAULT_CHUNK_ROWS", 20_000)
    size = path.stat().st_size
    reads: list[int] = []
    real_open = Source.open
    monkeypatch.setattr(Source, "open", lambda self: _CountingFile(real_open(self), reads))
    ds = read(path)
    assert len(ds.points) == n
    # streamed: no single read came near the whole file, and it took many reads
    assert size > 10 * (1 << 20) and max(reads) <= 4 * (1 << 20) and len(reads) > 5


def test_manifest_row_by_hand(tmp_path: Path) -> None:
    import hashlib

    # 600864: offsets 0 and 20 s after 2023-09-01T00:00:00Z, plus one bad point; 600865 in a plain file
    bad = [30.0, 95.0, 50.0, 1000, 200.0, 90.0, 0, 0]
    a = write_json(tmp_path / "a.json", trace_doc(GOOD + [bad]), gz=True)
    b = write_json(tmp_path / "b.json", trace_doc(GOOD[:1], icao="600865", timestamp=1693526400.0 + 3600))
    ds = read(tmp_path)
    m = ds.manifest.set_index("path")
    for path, compression in ((a, "gzip"), (b, "none")):
        stored = path.read_bytes()
        row = m.loc[path.as_posix()]
        # the hash and size of the bytes as stored (compressed when compressed)
        assert row["sha256"] == hashlib.sha256(stored).hexdigest() and row["size_bytes"] == len(stored)
        assert (row["format"], row["compression"], row["error"]) == ("readsb_trace", compression, "")
    ra, rb = m.loc[a.as_posix()], m.loc[b.as_posix()]
    assert (ra["rows_read"], ra["rows_kept"], ra["rows_quarantined"], ra["rows_duplicate"], ra["rows_filtered"]) == (3, 2, 1, 0, 0)
    assert (ra["time_min"], ra["time_max"], ra["n_aircraft"]) == (pd.Timestamp("2023-09-01T00:00:00Z"), pd.Timestamp("2023-09-01T00:00:20Z"), 1)
    assert (rb["rows_read"], rb["rows_kept"], rb["time_min"], rb["time_max"]) == (1, 1, pd.Timestamp("2023-09-01T01:00:00Z"), pd.Timestamp("2023-09-01T01:00:00Z"))
    q = ds.quarantine.iloc[0]
    assert (q["src_file"], q["src_row"], q["reason"]) == (a.as_posix(), 2, "lat 95.0 outside [-90, 90] deg")
    assert q["raw"] == "[30.0,95.0,50.0,1000,200.0,90.0,0,0]"


def test_a_glob_reads_the_files_it_matches(tmp_path: Path) -> None:
    for hex_ in ("600864", "600865"):
        write_json(tmp_path / "d" / f"trace_full_{hex_}.json", trace_doc(GOOD, icao=hex_))
    write_json(tmp_path / "d" / "other.json", trace_doc(GOOD, icao="600866"))
    ds = read(str(tmp_path / "d" / "trace_full_*.json"))
    assert sorted(ds.manifest["path"].str.rsplit("/", n=1).str[-1]) == ["trace_full_600864.json", "trace_full_600865.json"]
    assert sorted(ds.points["icao24"].astype(str).unique()) == ["600864", "600865"]


def test_trace_recent_names_are_skipped_by_hex_too(tmp_path: Path) -> None:
    # formats.md §1.1: live traces/<xx>/trace_recent_<hex>.json beside trace_full_<hex>.json
    write_json(tmp_path / "traces" / "64" / "trace_recent_600864.json", trace_doc(GOOD[1:]))
    (tmp_path / "traces" / "65").mkdir(parents=True)
    (tmp_path / "traces" / "65" / "trace_recent_600865.json").write_bytes(b"\x1f\x8bnot opened")
    ds = read(tmp_path, icao24=["600864"])
    assert ds.info["files_skipped_by_name"] == 1 and (ds.manifest["error"] == "").all()
    assert ds.manifest["path"].str.endswith("trace_recent_600864.json").tolist() == [True]
    assert ds.points["time"].tolist() == [pd.Timestamp("2023-09-01T00:00:20Z")]


def _tgz_day(tmp_path: Path) -> Path:
    day = tmp_path / "day"
    _adsblol_day(day)
    tgz = tmp_path / "2023-09-01.tar.gz"
    with tarfile.open(tgz, "w:gz") as tar:
        tar.add(day, arcname=".")
    return tgz


def test_a_gzip_compressed_tar_of_a_day_is_streamed(tmp_path: Path) -> None:
    tgz = _tgz_day(tmp_path)
    whole = read(tgz, icao24="600865")
    assert whole.info["files_skipped_by_name"] == 2
    assert whole.points["src_file"].astype(str).str.endswith("!traces/65/trace_full_600865.json").all()
    assert len(whole.points) == 3 and (whole.manifest["error"] == "").all()


def test_a_gzip_compressed_tar_keeps_its_own_name_in_the_lineage(tmp_path: Path) -> None:
    tgz = _tgz_day(tmp_path)
    ds = read(tgz, icao24="600865")
    assert ds.points["src_file"].astype(str).unique().tolist() == [f"{tgz.as_posix()}!traces/65/trace_full_600865.json"]


def _table_row(output: str, name: str) -> list[str]:
    """The cells of the summary-table row whose file cell ends with ``name``."""
    for line in output.splitlines():
        cells = [c.strip() for c in line.strip().strip("│").split("│")]
        if cells and cells[0].endswith(name):
            return cells
    raise AssertionError(f"no table row for {name}:\n{output}")


def test_cli_ingest_prints_a_row_per_file_and_a_progress_bar(tmp_path: Path) -> None:
    _load()
    src = tmp_path / "in"
    write_trace(points(10), src / "a_trace_full_600864.json")
    # b: 3 points of 600865 of which one is out of range, and the first two points of a again (duplicates)
    bad = [[0.0, 40.0, 50.0, 1000, 200.0, 90.0, 0, 0], [20.0, 95.0, 50.0, 1000, 200.0, 90.0, 0, 0], [40.0, 40.1, 50.0, 1000, 200.0, 90.0, 0, 0]]
    write_json(src / "b.json", trace_doc(bad, icao="600865"))
    write_trace(points(10).iloc[:2], src / "c_trace_full_600864.json")
    (src / "d_empty.json").write_bytes(b"")
    res = CliRunner(env={"COLUMNS": "300"}).invoke(app, ["ingest", str(src), "--out", str(tmp_path / "out"), "--progress"])
    assert res.exit_code == 0, res.output
    out = res.stdout
    # file, format, read, kept, quarantined, dup, aircraft, span, error / notes
    assert _table_row(out, "a_trace_full_600864.json")[1:7] == ["readsb_trace", "10", "10", "0", "0", "1"]
    assert _table_row(out, "a_trace_full_600864.json")[7] == "2023-09-01 06:00 → 2023-09-01 06:03"
    assert _table_row(out, "b.json")[1:7] == ["readsb_trace", "3", "2", "1", "0", "1"]
    assert _table_row(out, "c_trace_full_600864.json")[1:7] == ["readsb_trace", "2", "0", "0", "2", "0"]
    assert _table_row(out, "d_empty.json")[2:7] == ["0", "0", "0", "0", "0"] and _table_row(out, "d_empty.json")[-1] == "the file is empty"
    # the progress bar, left at its last file
    assert any("read d_empty.json" in line and "━" in line for line in out.splitlines())
    # the records quarantined, as the table's column adds them up (the empty file is an error, not a record)
    assert "12 points from 2 aircraft, 1 quarantined, 2 duplicates" in " ".join(out.split())
    quiet = CliRunner(env={"COLUMNS": "300"}).invoke(app, ["ingest", str(src), "--out", str(tmp_path / "out2"), "--no-progress"])
    assert quiet.exit_code == 0 and "read d_empty.json" not in quiet.stdout
    assert _table_row(quiet.stdout, "b.json")[1:7] == ["readsb_trace", "3", "2", "1", "0", "1"]


def test_cli_ingest_exit_2_gives_one_line_on_stderr(tmp_path: Path) -> None:
    _load()
    (tmp_path / "junk").mkdir()
    (tmp_path / "junk" / "x.json").write_text("not json")
    res = CliRunner(env={"COLUMNS": "60"}).invoke(app, ["ingest", str(tmp_path / "junk"), "--out", str(tmp_path / "o")])
    assert res.exit_code == 2
    assert res.stderr.count("\n") == 1 and res.stderr.startswith("error: nothing readable: unrecognised content (first line: 'not json')")
    assert not (tmp_path / "o").exists()
    res = CliRunner().invoke(app, ["ingest", str(tmp_path / "junk"), "--tz", "Mars/Olympus"])
    assert res.exit_code == 2 and res.stderr.count("\n") == 1 and "Mars/Olympus" in res.stderr


def test_many_small_files_are_merged_as_they_come_and_give_the_same_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import flighttrace.io.api as api

    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for k in range(600):  # 600 one-point traces of 600 aircraft
            data = json.dumps(trace_doc([[0.0, 40.0 + k / 1000, 50.0, 1000, 200.0, 90.0, 0, 0]], icao=f"{0x600000 + k:06x}")).encode()
            info = tarfile.TarInfo(f"traces/trace_full_{0x600000 + k:06x}.json")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    path = tmp_path / "day.tar"
    path.write_bytes(buf.getvalue())
    seen: list[int] = []
    assemble = api.assemble
    monkeypatch.setattr(api, "assemble", lambda tables, order: (seen.append(len(tables)), assemble(tables, order))[1])
    merged = read(path)
    # by hand (MERGE_TABLES 256, SMALL_TABLE_ROWS 256): one table after file 256, a second after file 512, then 88 more: 90
    assert seen == [90] and len(merged.points) == 600
    monkeypatch.setattr(api, "MERGE_TABLES", 10**9)  # never merged
    separate = read(path)
    assert seen == [90, 600]
    pd.testing.assert_frame_equal(merged.points, separate.points)
