"""The Dask path: ingest, legs and sorties over icao24 buckets equal the in-process results, row for row."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import distributed  # the test extra installs dask[distributed]: a missing Dask fails the suite, it is not skipped
import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import flighttrace
from flighttrace.scale import DASK_MISSING, bucket_of, run

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "fixtures" / "ovda" / "data"
SEED = ROOT / "seeds" / "azerbaijan-ovda.yaml"


def assert_points_equal(a: pd.DataFrame, b: pd.DataFrame) -> None:
    """Column by column; categoricals by categories and codes (``read`` itself returns str or object categories)."""
    assert list(a.columns) == list(b.columns) and len(a) == len(b)
    for c in a.columns:
        if isinstance(a[c].dtype, pd.CategoricalDtype):
            assert isinstance(b[c].dtype, pd.CategoricalDtype), c
            assert a[c].cat.categories.astype(object).tolist() == b[c].cat.categories.astype(object).tolist(), c
            assert np.array_equal(a[c].cat.codes.to_numpy(), b[c].cat.codes.to_numpy()), c
        else:
            pd.testing.assert_series_equal(a[c], b[c])


@pytest.fixture(scope="module")
def scenario() -> flighttrace.Scenario:
    return flighttrace.load_scenario(SEED)


@pytest.fixture(scope="module")
def in_process(scenario: flighttrace.Scenario) -> tuple[flighttrace.Dataset, pd.DataFrame, pd.DataFrame]:
    ds = flighttrace.read(DATA)
    legs = flighttrace.detect_legs(ds.points, scenario)
    return ds, legs, flighttrace.find_sorties(legs, scenario)


@pytest.fixture(scope="module")
def cluster() -> Iterator[distributed.LocalCluster]:
    """Two workers as threads of this process: no process start-up, still a real scheduler."""
    import logging

    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None,
                                  silence_logs=logging.ERROR) as c:
        yield c


def test_dask_results_equal_the_in_process_results_row_for_row(cluster, scenario, in_process) -> None:  # type: ignore[no-untyped-def]
    ds, legs, sorties = in_process
    with distributed.Client(cluster) as client:
        res = run(DATA, scenario=scenario, client=client, n_buckets=3, gather_points=True)
    assert res.info["scale"]["workers"] == 2 and res.info["scale"]["n_buckets"] == 3
    pd.testing.assert_frame_equal(res.manifest, ds.manifest)
    pd.testing.assert_frame_equal(res.quarantine, ds.quarantine)
    assert_points_equal(res.points, ds.points)
    assert len(legs) > 3000 and len(sorties) > 100
    pd.testing.assert_frame_equal(res.legs, legs)  # same columns, dtypes, values, geometry and order
    pd.testing.assert_frame_equal(res.sorties, sorties)
    # point_start / point_end index the GLOBAL sorted Points table
    for leg in res.legs.sample(50, random_state=1).itertuples():
        seg = ds.points.iloc[leg.point_start : leg.point_end]
        assert (seg["icao24"] == leg.icao24).all() and seg["time"].iloc[0] == leg.first_seen


def test_a_scheduler_address_and_another_bucket_count_give_the_same_legs(cluster, scenario, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import flighttrace.scale as sc

    monkeypatch.setattr(sc, "_SCATTER_FILES", 10)  # the file order is scattered to the workers, as for big inputs
    path = DATA / "adsblol"
    ds = flighttrace.read(path)
    legs = flighttrace.detect_legs(ds.points, scenario)
    res = run(path, scenario=scenario, scheduler=cluster.scheduler_address, n_buckets=7)
    pd.testing.assert_frame_equal(res.legs, legs)
    pd.testing.assert_frame_equal(res.sorties, flighttrace.find_sorties(legs, scenario))
    assert res.points is None and res.n_points == len(ds.points)
    one = run(path, client=distributed.Client(cluster, set_as_default=False), n_buckets=1, legs=False)
    assert one.legs is None and one.sorties is None
    pd.testing.assert_frame_equal(one.manifest, ds.manifest)


@pytest.mark.slow
def test_a_local_cluster_of_processes(scenario) -> None:  # type: ignore[no-untyped-def]
    """The default cluster (worker processes, everything pickled) on a small input."""
    path = DATA / "fr24"
    ds = flighttrace.read(path)
    legs = flighttrace.detect_legs(ds.points, scenario)
    res = run(path, scenario=scenario, n_workers=2, processes=True)
    assert res.info["scale"]["scheduler"].startswith("tcp://127.0.0.1:")
    pd.testing.assert_frame_equal(res.legs, legs)
    pd.testing.assert_frame_equal(res.sorties, flighttrace.find_sorties(legs, scenario))


def test_buckets_are_deterministic_and_spread() -> None:
    hexes = [f"{0x600000 + i:06x}" for i in range(4096)]
    b = bucket_of(hexes, 8)
    assert b.tolist() == bucket_of(hexes, 8).tolist() and b.min() >= 0 and b.max() < 8
    counts = np.bincount(b, minlength=8)
    assert counts.min() > 0.8 * 4096 / 8  # a block of consecutive addresses is spread evenly
    assert bucket_of(["600864", "4b8102"], 4).tolist() == [0, 2]


def test_the_module_imports_without_dask_and_says_how_to_install_it() -> None:
    code = (
        "import sys; sys.modules['distributed'] = None; sys.modules['dask'] = None\n"
        "import flighttrace.scale as s\n"
        "try:\n    s.run('x')\nexcept ImportError as e:\n    print('IMPORTERROR', e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert "IMPORTERROR" in out.stdout and "flighttrace[dask]" in out.stdout
    assert "flighttrace[dask]" in DASK_MISSING


def test_scale_and_scan_commands(tmp_path: Path) -> None:
    from flighttrace.cli import _load, app

    _load()
    runner = CliRunner()
    res = runner.invoke(app, ["scale", str(DATA / "adsblol"), "-s", str(SEED), "-o", str(tmp_path / "sc"), "--workers", "2", "--threads"])
    assert res.exit_code == 0, res.output
    assert {p.name for p in (tmp_path / "sc").iterdir()} >= {"legs.parquet", "legs.csv", "sorties.csv", "manifest.json", "quarantine.parquet"}
    res = runner.invoke(app, ["scan", str(DATA / "adsblol"), "--airport", "LLOV", "-o", str(tmp_path / "wl"), "-j", "1"])
    assert res.exit_code == 0, res.output
    assert "memory bound" in res.output and (tmp_path / "wl" / "legs.csv").exists()
    assert len(pd.read_csv(tmp_path / "wl" / "legs.csv")) >= 5
    res = runner.invoke(app, ["scan", str(DATA / "adsblol"), "--icao24", "600864", "-o", str(tmp_path / "hx")])
    assert res.exit_code == 0 and "skipped by name" in res.output
    res = runner.invoke(app, ["scan", str(DATA / "adsblol"), "-o", str(tmp_path / "no")])
    assert res.exit_code == 2 and "--icao24" in res.output


def test_dask_is_an_optional_extra_that_the_test_extra_installs() -> None:
    import tomllib

    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert not any(d.startswith(("dask", "distributed")) for d in deps["dependencies"])  # not a core dependency
    extras = deps["optional-dependencies"]
    assert any(d.startswith("dask[distributed]") for d in extras["dask"])
    assert any(d.startswith("dask[distributed]") for d in extras["test"])


def test_scale_command_on_a_scheduler_address_writes_the_in_process_legs(cluster, scenario, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from flighttrace.cli import _load, app

    _load()
    path = DATA / "adsblol"
    ds = flighttrace.read(path)
    legs = flighttrace.detect_legs(ds.points, scenario)
    sorties = flighttrace.find_sorties(legs, scenario)
    res = CliRunner().invoke(app, ["scale", str(path), "-s", str(SEED), "-o", str(tmp_path / "sc"), "--scheduler", cluster.scheduler_address,
                                   "--buckets", "5", "--no-progress"])
    assert res.exit_code == 0, res.output
    out = " ".join(res.output.split())
    assert f"{len(ds.points):,} points, {len(legs):,} legs, {len(sorties):,} sorties on 2 worker(s) (5 icao24 buckets" in out
    got = pd.read_parquet(tmp_path / "sc" / "legs.parquet")
    assert got["leg_id"].tolist() == legs["leg_id"].tolist()
    assert got["destination"].fillna("").tolist() == legs["destination"].fillna("").tolist()
    assert pd.read_csv(tmp_path / "sc" / "sorties.csv")["sortie_id"].tolist() == sorties["sortie_id"].tolist()
