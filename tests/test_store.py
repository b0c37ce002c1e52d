"""The partitioned Parquet store: round trip, incremental adds, duplicates, pushed-down filters, crash safety."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import flighttrace
from flighttrace.io.api import assert_counts
from flighttrace.io.store import (
    StoreLockedError,
    StoreReadError,
    add_to_store,
    ingest_to_store,
    is_store,
    read_store,
    store_dataset,
    store_filter,
    store_manifest,
)
from flighttrace.schema import validate_points
from tests.builders import trace_doc, write_json

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "fixtures" / "ovda" / "data"
ADSBLOL = DATA / "adsblol"


def plain(points: pd.DataFrame) -> pd.DataFrame:
    """Points with categorical categories as plain objects (``read`` itself gives str or object categories)."""
    out = points.copy()
    for c in out.columns:
        if isinstance(out[c].dtype, pd.CategoricalDtype):
            cats = out[c].cat.categories
            out[c] = out[c].cat.set_categories(pd.Index(np.asarray(cats, dtype=object), dtype=object), rename=True)
    return out


def assert_points_equal(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(plain(a), plain(b))


@pytest.fixture(scope="module")
def adsblol() -> flighttrace.Dataset:
    return flighttrace.read(ADSBLOL)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory, adsblol: flighttrace.Dataset) -> Path:
    path = tmp_path_factory.mktemp("store") / "s"
    add_to_store(adsblol, path)
    return path


def test_round_trip_equals_read_with_canonical_dtypes_and_original_lineage(store: Path, adsblol: flighttrace.Dataset) -> None:
    assert is_store(store) and not is_store(ADSBLOL)
    back = read_store(store)
    validate_points(back.points)
    assert_points_equal(back.points, adsblol.points)
    pd.testing.assert_frame_equal(back.manifest, adsblol.manifest)
    assert_counts(back)
    # lineage is the original input's, not the store's files
    assert set(back.points["src_file"].cat.categories) == set(adsblol.manifest["path"])
    assert not back.points["src_file"].astype(str).str.contains("date=").any()
    # flighttrace.read detects the store and delegates
    via_read = flighttrace.read(store)
    assert_points_equal(via_read.points, adsblol.points)
    assert via_read.info["store"]["files_scanned"] == via_read.info["store"]["files_total"]


def test_layout_is_hive_partitioned_by_date_and_hex_digit(store: Path, adsblol: flighttrace.Dataset) -> None:
    files = sorted((store / "points").rglob("*.parquet"))
    assert files and all(f.parent.name.startswith("hex=") and f.parent.parent.name.startswith("date=") for f in files)
    days = adsblol.points["time"].dt.strftime("%Y-%m-%d")
    want = set("date=" + days + "/hex=" + adsblol.points["icao24"].astype(str).str[0])
    assert {f"{f.parent.parent.name}/{f.parent.name}" for f in files} == want
    # each file is sorted by icao24 then time
    one = pd.read_parquet(files[0])
    assert one.sort_values(["icao24", "time"], kind="stable").index.equals(one.index)


def test_a_file_already_stored_is_skipped_by_sha256(tmp_path: Path, adsblol: flighttrace.Dataset) -> None:
    july = flighttrace.read(ADSBLOL / "2023" / "07")
    st = tmp_path / "s"
    first = add_to_store(july, st)
    assert first.batch == "b000001" and len(first.files_added) == len(july.manifest)
    second = add_to_store(adsblol, st)
    assert second.batch == "b000002"
    assert sorted(second.files_skipped) == sorted(july.manifest["path"])
    assert len(second.files_added) == len(adsblol.manifest) - len(july.manifest)
    assert store_manifest(st)["sha256"].is_unique
    back = read_store(st)
    assert_points_equal(back.points, adsblol.points)
    pd.testing.assert_frame_equal(back.manifest, adsblol.manifest)
    third = add_to_store(adsblol, st)
    assert third.batch == "" and third.points_written == 0 and len(third.files_skipped) == len(adsblol.manifest)
    # the same bytes under another name are skipped too
    copy = tmp_path / "copy" / "traces" / "64" / "trace_full_600864.json"
    copy.parent.mkdir(parents=True)
    src = next(ADSBLOL.rglob("trace_full_600864.json"))
    shutil.copy(src, copy)
    assert add_to_store(flighttrace.read(copy), st).files_skipped == [copy.as_posix()]


def test_ingest_to_store_does_not_parse_files_already_stored(tmp_path: Path, parsed_files: list[str]) -> None:
    st = tmp_path / "s"
    ingest_to_store(ADSBLOL / "2023" / "07", st)
    parsed_files.clear()  # only what the second call parses
    parsed = parsed_files
    up = ingest_to_store(ADSBLOL, st)
    assert parsed and not any("/2023/07/" in p for p in parsed)
    assert all("/2023/07/" in p for p in up.files_skipped) and len(up.files_skipped) == len(list((ADSBLOL / "2023" / "07").rglob("*.json")))
    assert_points_equal(read_store(st).points, flighttrace.read(ADSBLOL).points)


def test_a_point_already_stored_is_dropped_and_counted_as_duplicate(tmp_path: Path) -> None:
    rows = [[float(i * 10), 40.4 + i * 0.01, 50.0, 5000 + 100 * i, 250.0, 90.0, 0, 0] for i in range(10)]
    a = write_json(tmp_path / "a" / "traces" / "64" / "trace_full_600864.json", trace_doc(rows[:6]), gz=True)
    b = write_json(tmp_path / "b" / "traces" / "64" / "trace_full_600864.json", trace_doc(rows[3:]), gz=True)
    st = tmp_path / "s"
    add_to_store(flighttrace.read(a), st)
    up = add_to_store(flighttrace.read(b), st)
    assert up.duplicates_dropped == 3 and up.points_written == 4
    both = flighttrace.read([a, b])
    back = read_store(st)
    assert_points_equal(back.points, both.points)
    cols = ["path", "rows_read", "rows_kept", "rows_duplicate", "time_min", "time_max", "n_aircraft"]
    pd.testing.assert_frame_equal(back.manifest[cols], both.manifest[cols])
    assert_counts(back)


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, flighttrace.Dataset]:
    """A store over three days and hexes under three leading digits."""
    root = tmp_path_factory.mktemp("many")
    day0 = 1693526400.0  # 2023-09-01
    for d in range(3):
        for hx in ("600864", "4b8102", "a1b2c3", "601000"):
            rows = [[float(60 * i), 30.0 + (0.02 * i if hx != "a1b2c3" else 10.0), 34.9 + 0.01 * d, 8000, 300.0, 10.0, 0, 0] for i in range(20)]
            write_json(root / "in" / f"day{d}" / "traces" / hx[-2:] / f"trace_full_{hx}.json", trace_doc(rows, icao=hx, timestamp=day0 + d * 86400), gz=True)
    ds = flighttrace.read(root / "in")
    st = root / "s"
    add_to_store(ds, st)
    return st, ds


def test_time_and_icao24_filters_prune_partitions(many: tuple[Path, flighttrace.Dataset]) -> None:
    st, ds = many
    total = len(store_dataset(st).files)
    assert total == 9  # 3 days x 3 leading digits (6, 4, a)
    got = read_store(st, start="2023-09-02", end="2023-09-03", icao24=["600864", "601000"])
    assert got.info["store"]["files_scanned"] == 1 and got.info["store"]["files_total"] == total
    p = ds.points
    want = p[(p["time"] >= "2023-09-02") & (p["time"] < "2023-09-03") & p["icao24"].isin(["600864", "601000"])]
    assert len(want) == 40
    assert_points_equal(got.points, want.reset_index(drop=True).pipe(_retidy))
    # time inside a day is filtered by row; half-open [start, end)
    t = pd.Timestamp("2023-09-02T00:05:00Z")
    got = read_store(st, start=t, end=t + pd.Timedelta(minutes=2), icao24="600864")
    assert got.points["time"].tolist() == [t, t + pd.Timedelta(minutes=1)]


def _retidy(df: pd.DataFrame) -> pd.DataFrame:
    for c in df.columns:
        if isinstance(df[c].dtype, pd.CategoricalDtype) and c != "position_source":
            df[c] = df[c].cat.remove_unused_categories()
    return df


def test_a_corrupt_partition_outside_the_filter_is_never_opened(tmp_path: Path, many: tuple[Path, flighttrace.Dataset]) -> None:
    st = tmp_path / "s"
    shutil.copytree(many[0], st)
    victim = next((st / "points" / "date=2023-09-01" / "hex=a").glob("*.parquet"))
    victim.write_bytes(b"not parquet at all")
    ok = read_store(st, start="2023-09-01", end="2023-09-02", icao24="600864")
    assert len(ok.points) == 20
    ok = read_store(st, icao24=["4b8102"])  # another leading digit: hex=a is pruned on every day
    assert len(ok.points) == 60
    with pytest.raises(StoreReadError, match="hex=a"):  # touching the corrupt partition fails: the reads above never did
        read_store(st, icao24="a1b2c3")


def test_bbox_filter_pushes_down_and_handles_the_antimeridian(many: tuple[Path, flighttrace.Dataset]) -> None:
    st, ds = many
    got = read_store(st, bbox=(34.0, 39.0, 36.0, 41.0))
    assert set(got.points["icao24"].astype(str)) == {"a1b2c3"} and len(got.points) == 60
    expr = store_filter(bbox=(34.0, 39.0, 36.0, 41.0))
    assert expr is not None and "lat" in str(expr)
    assert len(read_store(st, bbox=(170.0, -90.0, -170.0, 90.0)).points) == 0
    assert len(read_store(st, bbox=(30.0, -90.0, -170.0, 90.0)).points) == len(ds.points)
    with pytest.raises(ValueError, match="bbox"):
        read_store(st, bbox=(0.0, 50.0, 1.0, 40.0))


def test_read_rejects_store_filters_for_plain_files() -> None:
    with pytest.raises(ValueError, match="store"):
        flighttrace.read(ADSBLOL, start="2023-09-01")


def test_an_uncommitted_batch_is_invisible_and_cleaned_up(tmp_path: Path, many: tuple[Path, flighttrace.Dataset]) -> None:
    st = tmp_path / "s"
    shutil.copytree(many[0], st)
    orphan = st / "points" / "date=2023-09-05" / "hex=6" / "b000002.parquet"
    orphan.parent.mkdir(parents=True)
    orphan.write_bytes(b"half-written by a crashed ingest")
    mine = st / "points" / "date=2023-09-05" / "my_extract.parquet"  # not flighttrace's: never removed, never read
    mine.write_bytes(b"a reporter's own file")
    assert len(read_store(st).points) == len(many[1].points)
    rows = [[0.0, 31.0, 35.0, 8000, 300.0, 10.0, 0, 0], [60.0, 31.1, 35.0, 8000, 300.0, 10.0, 0, 0]]
    extra = write_json(tmp_path / "x" / "traces" / "64" / "trace_full_600864.json", trace_doc(rows, timestamp=1693526400.0 + 10 * 86400), gz=True)
    up = add_to_store(flighttrace.read(extra), st)
    assert up.batch == "b000002" and not orphan.exists() and mine.read_bytes() == b"a reporter's own file"
    assert len(read_store(st).points) == len(many[1].points) + 2


def test_a_second_writer_is_refused(tmp_path: Path, many: tuple[Path, flighttrace.Dataset]) -> None:
    st = tmp_path / "s"
    shutil.copytree(many[0], st)
    (st / ".lock").write_text("123")
    with pytest.raises(StoreLockedError, match="lock"):
        add_to_store(many[1], st)


def test_quarantine_and_failed_files_are_kept_with_their_batch(tmp_path: Path) -> None:
    good = write_json(tmp_path / "in" / "traces" / "64" / "trace_full_600864.json",
                      trace_doc([[0.0, 40.0, 50.0, 5000, 250.0, 90.0, 0, 0], [10.0, 95.0, 50.0, 5000, 250.0, 90.0, 0, 0]]), gz=True)
    bad = tmp_path / "in" / "traces" / "65" / "trace_full_600865.json"
    bad.parent.mkdir(parents=True)
    bad.write_bytes(gzip.compress(b"{not json")[:-4])
    ds = flighttrace.read(tmp_path / "in")
    st = tmp_path / "s"
    add_to_store(ds, st)
    back = read_store(st)
    pd.testing.assert_frame_equal(back.quarantine, ds.quarantine)
    pd.testing.assert_frame_equal(back.manifest, ds.manifest)
    assert add_to_store(flighttrace.read(tmp_path / "in"), st).batch == ""  # the failed file is known too
    assert good.exists()


def test_ingest_cli_store_option(tmp_path: Path) -> None:
    from flighttrace.cli import _load, app

    _load()
    st = tmp_path / "s"
    res = CliRunner().invoke(app, ["ingest", str(ADSBLOL / "2023" / "07"), "-o", str(tmp_path / "o"), "--store", str(st)])
    assert res.exit_code == 0, res.output
    cfg = json.loads((st / "store.json").read_text())
    assert cfg["format"] == "flighttrace-store" and cfg["batches"][0]["id"] == "b000001"
    assert_points_equal(read_store(st).points, pd.read_parquet(tmp_path / "o" / "points.parquet"))


def test_ingest_cli_store_second_run_reads_only_new_files_and_says_so(tmp_path: Path, parsed_files: list[str]) -> None:
    from flighttrace.cli import _load, app

    _load()
    july = sorted(p for p in (ADSBLOL / "2023" / "07").rglob("*.json"))
    aug = sorted(p for p in (ADSBLOL / "2023" / "08").rglob("*.json"))
    assert july and aug
    st = tmp_path / "s"
    runner = CliRunner()
    res = runner.invoke(app, ["ingest", str(ADSBLOL / "2023" / "07"), "-o", str(tmp_path / "o1"), "--store", str(st), "--no-progress"])
    assert res.exit_code == 0, res.output
    assert f"batch b000001, {len(july)} file(s) added, 0 already stored" in " ".join(res.output.split())

    parsed_files.clear()  # only what the second run parses
    parsed = parsed_files
    # the same month again: nothing is parsed, nothing is written, exit 0
    res = runner.invoke(app, ["ingest", str(ADSBLOL / "2023" / "07"), "-o", str(tmp_path / "o2"), "--store", str(st), "--no-progress"])
    out = " ".join(res.output.split())
    assert res.exit_code == 0, res.output
    assert parsed == []
    assert f"{len(july)} file(s) already in the store" in out and "nothing new" in out
    assert not (tmp_path / "o2").exists()
    # July and August: only August's files are parsed and added; --out holds August alone
    res = runner.invoke(app, ["ingest", str(ADSBLOL / "2023" / "07"), str(ADSBLOL / "2023" / "08"), "-o", str(tmp_path / "o3"),
                              "--store", str(st), "--no-progress"])
    out = " ".join(res.output.split())
    assert res.exit_code == 0, res.output
    assert sorted(parsed) == sorted(p.as_posix() for p in aug)
    assert f"batch b000002, {len(aug)} file(s) added, {len(july)} already stored" in out
    man = store_manifest(st)
    assert man["batch"].tolist() == ["b000001"] * len(july) + ["b000002"] * len(aug)
    assert set(pd.read_parquet(tmp_path / "o3" / "points.parquet")["src_file"].astype(str)) <= {p.as_posix() for p in aug}
    both = flighttrace.read([ADSBLOL / "2023" / "07", ADSBLOL / "2023" / "08"])
    assert_points_equal(read_store(st).points, both.points)


def test_split_stored_hashes_only_files_that_could_be_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import flighttrace.io.sources as sources
    from flighttrace.io.store import split_stored

    day = ADSBLOL / "2023" / "09"
    st = tmp_path / "s"
    # not a store yet: nothing is hashed, everything is to be read
    hashed: list[str] = []
    real = sources.file_sha256
    monkeypatch.setattr(sources, "file_sha256", lambda p, *a, **k: hashed.append(Path(p).name) or real(p, *a, **k))
    files = sorted(p.as_posix() for p in day.rglob("*") if p.is_file())
    assert split_stored(day, st) == (files, []) and hashed == []
    ingest_to_store(day / "03", st)  # 600864 and 738200 on 3 September
    hashed.clear()
    to_read, stored = split_stored([day, tmp_path / "nowhere"], st, icao24="600864")
    assert stored == [(day / "03" / "traces" / "64" / "trace_full_600864.json").as_posix()]
    # a trace named for another hex is passed on unhashed (read() skips it by name), stored or not
    others = [f for f in files if "trace_full_600864" not in f]
    assert (day / "03" / "traces" / "00" / "trace_full_738200.json").as_posix() in others
    assert all(Path(f).name not in hashed for f in others)
    assert sorted(hashed) == ["trace_full_600864.json"] * 3  # 3, 4 and 17 September
    # the other 600864 files and a path that matches nothing are to be read (read() reports the latter)
    assert to_read == [f for f in files if f not in stored] + [(tmp_path / "nowhere").as_posix()]


def test_row_group_statistics_prune_inside_a_partition(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import flighttrace.io.store as store_mod

    monkeypatch.setattr(store_mod, "ROW_GROUP_ROWS", 20)  # 20-row groups: each aircraft below fills its own
    day0 = 1693526400.0  # 2023-09-01: one day, one leading digit, so one partition file
    hexes = ("600864", "600865", "600866", "600867")
    for k, hx in enumerate(hexes):
        # aircraft k flies around latitude 30 + 5k, well apart from the others
        rows = [[float(60 * i), 30.0 + 5 * k + 0.001 * i, 35.0, 8000, 300.0, 10.0, 0, 0] for i in range(20)]
        write_json(tmp_path / "in" / "traces" / hx[-2:] / f"trace_full_{hx}.json", trace_doc(rows, icao=hx, timestamp=day0), gz=True)
    st = tmp_path / "s"
    add_to_store(flighttrace.read(tmp_path / "in"), st)
    # the dataset read_store scans, for an icao24 read
    built = []
    real = store_mod.store_dataset
    monkeypatch.setattr(store_mod, "store_dataset", lambda *a, **k: built.append(real(*a, **k)) or built[-1])
    got = read_store(st, icao24="600865")
    assert set(got.points["icao24"].astype(str)) == {"600865"} and len(got.points) == 20
    validate_points(got.points)
    (fragment,) = list(built[0].get_fragments())
    assert fragment.metadata.num_row_groups == 4  # sorted by icao24, then time: one aircraft per group

    import pyarrow as pa
    import pyarrow.compute as pc

    def groups(expr) -> int:  # type: ignore[no-untyped-def]
        # the row terms of a store filter (a file holds no partition field), as the scan applies them to row groups
        return len(fragment.split_by_row_group(filter=expr))

    assert groups(store_filter(icao24="600865", hex_digits=0)) == 1
    assert groups(store_filter(bbox=(34.0, 39.0, 36.0, 41.0))) == 1  # latitudes 40.0–40.02: the third aircraft
    assert groups(store_filter(bbox=(34.0, 29.0, 36.0, 36.0))) == 2
    late = pd.Timestamp("2023-09-01T00:30:00Z").value  # every point is before 00:19
    assert groups(pc.field("time") >= pa.scalar(late, pa.timestamp("ns", tz="UTC"))) == 0
    got = read_store(st, bbox=(34.0, 39.0, 36.0, 41.0))
    assert set(got.points["icao24"].astype(str)) == {"600866"} and len(got.points) == 20
