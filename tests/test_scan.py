"""Day archive scans: by hex (members chosen by name, never parsed otherwise) and by place (bounded memory)."""

from __future__ import annotations

import gzip
import io
import json
import subprocess
import sys
import tarfile
from pathlib import Path

import numpy as np
import orjson
import pandas as pd
import pytest

import flighttrace
from flighttrace.io.api import assert_counts
from flighttrace.io.scan import memory_bound, scan_bbox, scan_hexes, who_landed

ROOT = Path(__file__).resolve().parents[1]
ADSBLOL = ROOT / "fixtures" / "ovda" / "data" / "adsblol"
OVDA_BOX = (34.3, 29.5, 35.5, 30.5)  # (min_lon, min_lat, max_lon, max_lat) around Ovda / Eilat


def plain(points: pd.DataFrame) -> pd.DataFrame:
    """Points with categorical categories as plain objects and unused ones dropped."""
    out = points.copy()
    for c in out.columns:
        if isinstance(out[c].dtype, pd.CategoricalDtype):
            s = out[c] if c == "position_source" else out[c].cat.remove_unused_categories()
            out[c] = s.cat.set_categories(pd.Index(np.asarray(s.cat.categories, dtype=object), dtype=object), rename=True)
    return out.reset_index(drop=True)


def member(hexid: str, n_points: int, *, t0: float = 1693526400.0, lat0: float = 40.0, lon0: float = 50.0, seed: int = 0) -> bytes:
    """A gzip readsb trace of one aircraft: a line at 35,000 ft, 5-s steps (8-value points, written from numpy)."""
    rng = np.random.default_rng(seed)
    i = np.arange(n_points, dtype=np.float64)
    pts = np.column_stack([
        5.0 * i, np.round(lat0 + 0.001 * i + rng.normal(0, 1e-4, n_points), 6), np.round(lon0 + 0.001 * i, 6),
        np.full(n_points, 35000.0), np.full(n_points, 450.0), np.full(n_points, 45.0), np.zeros(n_points), np.zeros(n_points),
    ])
    head = orjson.dumps({"icao": hexid, "r": "4K-AZ1", "t": "B738", "timestamp": t0})[:-1]
    return gzip.compress(head + b',"trace":' + orjson.dumps(pts, option=orjson.OPT_SERIALIZE_NUMPY) + b"}", mtime=0)


def write_tar(path: Path, members: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w") as tar:
        for name, data in members.items():
            ti = tarfile.TarInfo(name)
            ti.size = len(data)
            tar.addfile(ti, io.BytesIO(data))
    return path


# --------------------------------------------------------------------------- by hex


def test_scan_hexes_parses_only_the_members_named_for_the_hexes(tmp_path: Path, parsed_files: list[str]) -> None:
    garbage = b"\x1f\x8b this is not a trace and would fail to parse"
    tar = write_tar(tmp_path / "day.tar", {
        "traces/64/trace_full_600864.json": member("600864", 50),
        "traces/02/trace_full_4b8102.json": garbage,
        "traces/ef/trace_full_abcdef.json": garbage,
        "traces/65/trace_full_600865.json": member("600865", 20),
    })
    parsed = parsed_files
    ds = scan_hexes(tar, "600864,600865")
    assert [p.rsplit("!", 1)[1] for p in parsed] == ["traces/64/trace_full_600864.json", "traces/65/trace_full_600865.json"]
    assert ds.info["files_skipped_by_name"] == 2
    assert (ds.manifest["error"] == "").all() and len(ds.quarantine) == 0
    assert sorted(ds.points["icao24"].astype(str).unique()) == ["600864", "600865"] and len(ds.points) == 70
    # the same members are errors when they are parsed: the scan above never touched them
    everything = flighttrace.read(tar)
    assert (everything.manifest["error"] != "").sum() == 2


def test_scan_hexes_on_a_day_folder_equals_filtering_a_full_read() -> None:
    got = scan_hexes(ADSBLOL, ["600864"])
    assert got.info["files_skipped_by_name"] == len(list(ADSBLOL.rglob("trace_full_*.json"))) - len(got.manifest)
    full = flighttrace.read(ADSBLOL).points
    pd.testing.assert_frame_equal(plain(got.points), plain(full[full["icao24"] == "600864"]))
    with pytest.raises(ValueError, match="hex"):
        scan_hexes(ADSBLOL, [])


# --------------------------------------------------------------------------- by place


@pytest.fixture(scope="module")
def full() -> flighttrace.Dataset:
    return flighttrace.read(ADSBLOL)


def test_scan_bbox_equals_filtering_a_full_read_whatever_the_batching(full: flighttrace.Dataset) -> None:
    one = scan_bbox(ADSBLOL, OVDA_BOX, n_jobs=1, batch_size=7)
    two = scan_bbox(ADSBLOL, OVDA_BOX, n_jobs=2, batch_size=16)
    pd.testing.assert_frame_equal(one.dataset.points, two.dataset.points)
    pd.testing.assert_frame_equal(one.dataset.manifest, two.dataset.manifest)
    p = full.points
    x0, y0, x1, y1 = OVDA_BOX
    inside = p[p["lon"].between(x0, x1) & p["lat"].between(y0, y1)]
    assert len(inside) > 1000
    pd.testing.assert_frame_equal(plain(one.dataset.points), plain(inside))
    m = one.dataset.manifest
    assert_counts(one.dataset)  # rows_read == kept + quarantined + duplicate + filtered (outside the box)
    assert (m["rows_kept"] + m["rows_filtered"]).tolist() == full.manifest["rows_kept"].tolist()
    assert one.info["members"] == len(full.manifest) and one.info["batches"] == -(-len(full.manifest) // 7)
    assert one.legs is None


def test_who_landed_finds_the_legs_detect_legs_finds_on_the_whole_archive(full: flighttrace.Dataset) -> None:
    res = who_landed(ADSBLOL, "LLOV", n_jobs=1, batch_size=32)
    legs_all = flighttrace.detect_legs(full.points)
    want = legs_all[legs_all["destination"] == "LLOV"].reset_index(drop=True)
    assert len(want) >= 5 and len(res.legs) == len(want)
    cols = [c for c in want.columns if c not in ("point_start", "point_end")]
    pd.testing.assert_frame_equal(res.legs[cols], want[cols])
    # the point ranges index the scan's own Points table, and hold the same source rows
    pts = res.dataset.points
    for got_leg, ref_leg in zip(res.legs.itertuples(), want.itertuples(), strict=False):
        a = pts.iloc[got_leg.point_start : got_leg.point_end][["src_file", "src_row"]].astype(str)
        b = full.points.iloc[ref_leg.point_start : ref_leg.point_end][["src_file", "src_row"]].astype(str)
        pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True))
    assert res.info["airport"] == "LLOV" and res.info["aircraft_kept"] < full.points["icao24"].nunique()
    both = who_landed(ADSBLOL, "llov", event="both", n_jobs=1)
    assert len(both.legs) >= len(res.legs) and ((both.legs["origin"] == "LLOV") | (both.legs["destination"] == "LLOV")).all()
    with pytest.raises(KeyError):
        who_landed(ADSBLOL, "ZZZZ", n_jobs=1)
    with pytest.raises(ValueError, match="event"):
        who_landed(ADSBLOL, "LLOV", event="overflight", n_jobs=1)


def test_scan_arguments_are_checked() -> None:
    with pytest.raises(ValueError, match="bbox"):
        scan_bbox(ADSBLOL, (35.0, 31.0, 36.0, 30.0))
    with pytest.raises(ValueError, match="batch_size"):
        scan_bbox(ADSBLOL, OVDA_BOX, batch_size=0)


def test_memory_bound_formula() -> None:
    b = memory_bound(batch_size=64, n_jobs=2, max_member_bytes=200_000, max_member_text_bytes=2_000_000)
    assert (b["parent"], b["worker"], b["total"]) == (160_000_000, 92_800_000, 345_600_000)
    one = memory_bound(batch_size=64, n_jobs=1, max_member_bytes=200_000, max_member_text_bytes=2_000_000)
    assert one["worker"] == 0 and one["parent"] == one["total"] == b["worker"]
    grown = memory_bound(batch_size=64, n_jobs=2, max_member_bytes=200_000, max_member_text_bytes=2_000_000, members=1000, kept_points=10)
    assert grown["parent"] - b["parent"] == 1000 * 2048 + 10 * 400 and grown["worker"] == b["worker"]


_MEASURE = r"""
import json, resource, sys
def rss(field):
    for line in open("/proc/self/status"):
        if line.startswith(field):
            return int(line.split()[1]) * 1024
import flighttrace.io.api, flighttrace.io.readsb, flighttrace.io.scan as sc
if __name__ == "__main__":
    base = rss("VmRSS")
    res = sc.scan_bbox(sys.argv[1], (-10.0, -10.0, 10.0, 10.0), n_jobs=2, batch_size=4)
    print(json.dumps({
        "base": base, "parent_peak": rss("VmHWM"),
        "worker_peak": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024,
        "info": res.info, "kept": len(res.dataset.points),
    }))
"""


@pytest.mark.slow
def test_area_scan_memory_stays_under_the_stated_bound(tmp_path: Path) -> None:
    """Peak RSS of the parent and of the workers, on an archive far larger than the bound."""
    n_members, n_points = 400, 2500
    members = {}
    for k in range(n_members):
        hexid = f"{0x100000 + k * 7919:06x}"
        inside = k % 50 == 0  # a few aircraft fly inside the box
        members[f"traces/{hexid[-2:]}/trace_full_{hexid}.json"] = member(hexid, n_points, lat0=0.0 if inside else 40.0, lon0=0.0 if inside else 50.0, seed=k)
    tar = write_tar(tmp_path / "day.tar", members)
    del members
    script = tmp_path / "measure.py"
    script.write_text(_MEASURE)
    out = subprocess.run([sys.executable, str(script), str(tar)], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert out.returncode == 0, out.stderr[-3000:]
    r = json.loads(out.stdout.strip().splitlines()[-1])
    info = r["info"]
    bound = info["memory_bound_bytes"]
    assert info["members"] == n_members and r["kept"] == 8 * n_points
    # holding the archive's Points (>= 100 B a point) would already need well over twice the parent's bound
    assert n_members * n_points * 100 > 2 * bound["parent"]
    parent_extra = r["parent_peak"] - r["base"]
    worker_extra = r["worker_peak"] - r["base"]  # a worker imports no more than the parent did
    print(f"parent +{parent_extra / 1e6:.1f} MB (bound {bound['parent'] / 1e6:.1f}), worker +{worker_extra / 1e6:.1f} MB (bound {bound['worker'] / 1e6:.1f})")
    assert parent_extra <= bound["parent"], (parent_extra, bound)
    assert worker_extra <= bound["worker"], (worker_extra, bound)
