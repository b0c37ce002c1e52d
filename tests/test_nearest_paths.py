"""Tests of the three ways AirportIndex.nearest searches: great-circle on sorted fields, chords on sorted fields, the k-d tree.

The chords measured on the sorted fields (:func:`flighttrace.reference.fieldgrid.nearest_fill`
with unit vectors) must give what the k-d tree gives, bit for bit, so that a query's
answer does not depend on which of the two searched; both are checked against a
brute-force great-circle distance to every field.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import flighttrace.reference.airports as ap
from flighttrace.geo import haversine_km
from flighttrace.reference.airports import AirportIndex
from flighttrace.reference.fieldgrid import FieldGrid, chord_to_km, nearest_fill, unit_vectors

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def table() -> object:
    return AirportIndex.default().table


def _points(table: object, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Points near fields, anywhere, near the poles, on both sides of the antimeridian, and exactly on fields."""
    t_lat, t_lon = table["lat"].to_numpy(), table["lon"].to_numpy()  # type: ignore[index]
    pick = rng.integers(0, len(t_lat), 700)
    lat = [t_lat[pick[:400]] + rng.normal(0.0, 0.3, 400), rng.uniform(-90.0, 90.0, 150), rng.uniform(84.0, 90.0, 40),
           rng.uniform(-90.0, -84.0, 40), rng.uniform(-60.0, 70.0, 120), t_lat[pick[400:]]]
    lon = [t_lon[pick[:400]] + rng.normal(0.0, 0.3, 400), rng.uniform(-180.0, 180.0, 150), rng.uniform(-180.0, 180.0, 80),
           np.where(rng.random(120) < 0.5, rng.uniform(177.0, 183.0, 120), rng.uniform(-183.0, -177.0, 120)), t_lon[pick[400:]]]
    return np.clip(np.concatenate(lat), -90.0, 90.0), np.concatenate(lon)


def _search(table: object, monkeypatch: pytest.MonkeyPatch, how: str, lat: np.ndarray, lon: np.ndarray, **kw: object) -> tuple[np.ndarray, np.ndarray]:
    """``nearest`` on a fresh index, made to search ``how``: "haversine", "chord" (sorted fields) or "tree"."""
    monkeypatch.setattr(ap, "BAND_MAX_PAIRS", 10**15 if how == "haversine" else -1)
    monkeypatch.setattr(ap, "GRID_MAX_BAND_PAIRS", -1 if how == "tree" else 10**15)
    index = AirportIndex(table)  # type: ignore[arg-type]
    out = index.nearest(lat, lon, **kw)  # type: ignore[arg-type]
    assert bool(index._trees) == (how == "tree")  # the search was the one asked for
    return out


def _same_but_ties(a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray]) -> None:
    """Equal distances bit for bit; equal fields, except that fields at one distance from a point may come in another order."""
    assert np.array_equal(a[1], b[1])
    for i in np.flatnonzero((a[0] != b[0]).any(axis=1)):
        for d in np.unique(a[1][i]):
            at = a[1][i] == d
            if d != a[1][i][-1]:  # a tie cut by k may keep other fields of that distance
                assert set(a[0][i][at]) == set(b[0][i][at])


def _brute(table: object, lat: float, lon: float, k: int, max_km: float, heli: bool) -> np.ndarray:
    """The k smallest great-circle distances to every candidate field within max_km, inf padded."""
    t = table
    d = haversine_km(lat, lon, t["lat"].to_numpy(), t["lon"].to_numpy())  # type: ignore[index]
    ok = (d <= max_km) & (heli | (t["kind"].to_numpy() != "heliport"))  # type: ignore[index]
    return np.sort(np.where(ok, d, np.inf))[:k]


@pytest.mark.parametrize(("k", "max_km"), [(8, 60.0), (50, 15.0), (1, 5.0), (3, 0.0), (4, 250.0)])
def test_chords_on_sorted_fields_give_the_k_d_trees_fields_and_distances_bit_for_bit(table: object, monkeypatch: pytest.MonkeyPatch, k: int,
                                                                                    max_km: float) -> None:
    rng = np.random.default_rng(int(max_km) + k)
    lat, lon = _points(table, rng)
    heli = rng.random(len(lat)) < 0.3  # heliports for some points only
    chord = _search(table, monkeypatch, "chord", lat, lon, k=k, max_km=max_km, heliports=heli)
    tree = _search(table, monkeypatch, "tree", lat, lon, k=k, max_km=max_km, heliports=heli)
    _same_but_ties(chord, tree)
    assert (chord[0] >= 0).any()  # fields were found at all (points lie on fields)
    # k larger than the fields in reach: the rest is -1 / inf
    assert np.array_equal(chord[0] == -1, np.isinf(chord[1]))


@pytest.mark.parametrize("how", ["haversine", "chord", "tree"])
def test_every_search_finds_the_brute_force_nearest_fields(table: object, monkeypatch: pytest.MonkeyPatch, how: str) -> None:
    rng = np.random.default_rng(5)
    lat, lon = _points(table, rng)
    heli = rng.random(len(lat)) < 0.5
    idx, dist = _search(table, monkeypatch, how, lat, lon, k=6, max_km=40.0, heliports=heli)
    t_lat, t_lon = table["lat"].to_numpy(), table["lon"].to_numpy()  # type: ignore[index]
    for i in range(0, len(lat), 7):
        expect = _brute(table, lat[i], lon[i], 6, 40.0, bool(heli[i]))
        assert dist[i] == pytest.approx(expect, abs=1e-9)  # the chord's distance is within nanometres of the great circle
        ok = idx[i] >= 0
        assert np.array_equal(ok, np.isfinite(expect))
        assert haversine_km(lat[i], lon[i], t_lat[idx[i][ok]], t_lon[idx[i][ok]]) == pytest.approx(expect[ok], abs=1e-9)


def test_a_radius_of_zero_finds_only_fields_at_the_point_itself(table: object, monkeypatch: pytest.MonkeyPatch) -> None:
    t_lat, t_lon = table["lat"].to_numpy(), table["lon"].to_numpy()  # type: ignore[index]
    lat = np.array([t_lat[10], t_lat[10] + 1e-6, t_lat[20]])
    lon = np.array([t_lon[10], t_lon[10], t_lon[20] + 1e-6])
    for how in ("haversine", "chord", "tree"):
        idx, dist = _search(table, monkeypatch, how, lat, lon, k=2, max_km=0.0, heliports=True)
        assert idx[0, 0] == 10 or (t_lat[idx[0, 0]] == t_lat[10] and t_lon[idx[0, 0]] == t_lon[10])
        assert dist[0, 0] == 0.0
        assert np.all(idx[1:] == -1)  # 11 cm off the field is farther than 0 km


def test_fields_at_one_distance_come_in_row_order() -> None:
    # three fields at one position, one 1 deg east: rows given out of order
    rows = np.array([7, 3, 5, 1])
    lat, lon = np.array([10.0, 10.0, 10.0, 10.0]), np.array([20.0, 20.0, 20.0, 21.0])
    grid = FieldGrid.of(rows, lat, lon)
    xyz = np.ascontiguousarray(unit_vectors(grid.lat, grid.lon).T)
    for vectors in (None, xyz):
        idx = np.full((2, 4), -1)
        dist = np.full((2, 4), np.inf)
        nearest_fill(grid, np.array([10.0, 10.0]), np.array([20.0, 21.0]), 200.0, idx, dist, vectors)
        assert list(idx[0]) == [3, 5, 7, 1]
        assert list(idx[1]) == [1, 3, 5, 7]
        assert dist[0, 0] == dist[0, 2] == 0.0
        # 1 deg of longitude at 10 deg N: 111.195 km x cos(10 deg)
        assert dist[0, 3] == pytest.approx(haversine_km(10.0, 20.0, 10.0, 21.0), abs=1e-9)
        assert dist[0, 3] == pytest.approx(6371.0088 * np.radians(1.0) * np.cos(np.radians(10.0)), rel=1e-4)


def test_chord_to_km_of_a_right_angle_is_a_quarter_of_the_great_circle() -> None:
    # two unit vectors at 90 deg: chord sqrt(2), a quarter of the circumference
    assert chord_to_km(np.array([np.sqrt(2.0)]))[0] == pytest.approx(2 * np.pi * 6371.0088 / 4, rel=1e-12)


def test_a_legs_sized_query_uses_no_k_d_tree_and_imports_no_scipy_spatial() -> None:
    # 3,000 points around the Levant and the Caucasus, k=8 within 60 km: more band pairs than BAND_MAX_PAIRS
    code = (
        "import sys, numpy as np\n"
        "from flighttrace.reference.airports import AirportIndex, BAND_MAX_PAIRS\n"
        "rng = np.random.default_rng(1)\n"
        "lat, lon = rng.uniform(29.0, 42.0, 3000), rng.uniform(33.0, 50.0, 3000)\n"
        "index = AirportIndex.default()\n"
        "idx, _ = index.nearest(lat, lon, k=8, max_km=60.0)\n"
        "_, blat, _ = index._band(False)\n"
        "dlat = np.degrees(60.0 / 6371.0088)\n"
        "band = int((np.searchsorted(blat, lat + dlat, 'right') - np.searchsorted(blat, lat - dlat, 'left')).sum())\n"
        "print(band > BAND_MAX_PAIRS, (idx >= 0).sum() > 0, 'scipy.spatial' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True, timeout=120)
    assert out.stdout.split() == ["True", "True", "False"]
