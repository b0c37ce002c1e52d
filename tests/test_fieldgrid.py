"""Tests of flighttrace.reference.fieldgrid: the (point, field) pairs a nearest-field search measures."""

from __future__ import annotations

import numpy as np

from flighttrace.geo import EARTH_RADIUS_KM, haversine_km
from flighttrace.reference.fieldgrid import FieldGrid

FIELDS = {  # name: (lat, lon)
    "origin": (0.0, 0.0),
    "east_1deg": (0.0, 1.0),  # 111.2 km from origin
    "north_45": (45.0, 0.5),  # 5,000 km from origin
    "west_of_line": (0.0, 179.9),
    "east_of_line": (0.0, -179.9),  # 0.2 deg (22.2 km) from west_of_line, across the antimeridian
    "pole_a": (89.9, 0.0),
    "pole_b": (89.9, 120.0),  # 0.1 deg from the pole, like pole_a, on the meridian 120 deg east of it
    "lon_180": (10.0, 180.0),  # the antimeridian written as +180
}


def _grid() -> tuple[FieldGrid, list[str]]:
    names = list(FIELDS)
    lat = np.array([FIELDS[n][0] for n in names])
    lon = np.array([FIELDS[n][1] for n in names])
    return FieldGrid.of(np.arange(len(names)), lat, lon), names


def _paired(lat: float, lon: float, max_km: float) -> set[str]:
    grid, names = _grid()
    point, field = grid.pairs(np.array([lat]), np.array([lon]), max_km)
    assert np.all(point == 0)
    got = [names[int(r)] for r in grid.rows[field]]
    assert len(got) == len(set(got))  # each field once
    return set(got)


def test_a_point_is_paired_with_fields_in_reach_and_not_with_those_a_continent_away() -> None:
    # 120 km at the equator reaches origin (0 km) and east_1deg (111.2 km); north_45 is 5,000 km away, the line 19,990 km
    got = _paired(0.0, 0.0, 120.0)
    assert {"origin", "east_1deg"} <= got
    assert not got & {"north_45", "west_of_line", "east_of_line", "pole_a", "pole_b", "lon_180"}
    # 100 km falls short of east_1deg in distance, but the window of longitude is a bound, so it may still be paired;
    # a field 2 degrees of longitude away at the equator (222 km) is not
    assert "origin" in _paired(0.0, 0.0, 100.0)
    assert "east_1deg" not in _paired(0.0, -1.0, 100.0)


def test_fields_across_the_antimeridian_are_paired_on_both_sides() -> None:
    # from 179.95 E: west_of_line is 0.05 deg (5.6 km) away, east_of_line 0.15 deg (16.7 km), across the line
    assert {"west_of_line", "east_of_line"} <= _paired(0.0, 179.95, 20.0)
    # the same from the other side, with the longitude written beyond 180
    assert {"west_of_line", "east_of_line"} <= _paired(0.0, 180.05, 20.0)
    assert {"west_of_line", "east_of_line"} <= _paired(0.0, -179.95, 20.0)
    # a field written at +180 is found from -179.9 (0.1 deg of longitude at 10 N: 10.9 km)
    assert "lon_180" in _paired(10.0, -179.9, 15.0)


def test_near_a_pole_every_longitude_is_searched() -> None:
    # from 89.95 N, 60 W: pole_b (120 E) lies 0.15 deg away over the pole (16.7 km), pole_a 0.1 deg (about 9.7 km)
    assert haversine_km(89.95, -60.0, 89.9, 120.0) < 20.0
    assert {"pole_a", "pole_b"} <= _paired(89.95, -60.0, 20.0)


def test_every_pair_within_reach_is_given_once_as_brute_force_finds_them() -> None:
    rng = np.random.default_rng(3)
    f_lat = np.concatenate([rng.uniform(-90.0, 90.0, 400), rng.uniform(29.0, 31.0, 300), [89.99, -89.99, 0.0, 0.0]])
    f_lon = np.concatenate([rng.uniform(-180.0, 180.0, 400), rng.uniform(34.0, 36.0, 300), [10.0, -170.0, 180.0, -180.0]])
    grid = FieldGrid.of(np.arange(len(f_lat)), f_lat, f_lon)
    p_lat = np.concatenate([rng.uniform(-90.0, 90.0, 150), rng.uniform(29.0, 31.0, 100), [90.0, -90.0, 0.0, 45.0]])
    p_lon = np.concatenate([rng.uniform(-200.0, 200.0, 150), rng.uniform(34.0, 36.0, 100), [0.0, 33.0, 179.99, -180.0]])
    for max_km in (0.0, 5.0, 60.0, 300.0, 3000.0):
        point, field = grid.pairs(p_lat, p_lon, max_km)
        assert np.all(np.diff(point) >= 0)
        pairs = set(zip(point.tolist(), grid.rows[field].tolist(), strict=True))
        assert len(pairs) == len(point)  # no pair twice
        d = haversine_km(p_lat[:, None], p_lon[:, None], f_lat[None, :], f_lon[None, :])
        want = {(int(i), int(j)) for i, j in zip(*np.nonzero(d <= max_km), strict=True)}
        assert want <= pairs, max_km


def test_fields_spread_round_the_globe_are_mostly_left_out_by_longitude() -> None:
    # 4,000 fields spread evenly over the sphere, 300 points away from the poles: a band of latitude 60 km each side
    # (1.08 degrees in all) holds thousands of the 1.2 million pairs; a window of longitude (at most 2.2 degrees wide
    # below 60 degrees, over two or three cells of 0.5 degrees) about one in a hundred of a band's
    rng = np.random.default_rng(5)
    f_lat, f_lon = np.degrees(np.arcsin(rng.uniform(-1.0, 1.0, 4000))), rng.uniform(-180.0, 180.0, 4000)
    p_lat, p_lon = rng.uniform(-60.0, 60.0, 300), rng.uniform(-180.0, 180.0, 300)
    point, _ = FieldGrid.of(np.arange(4000), f_lat, f_lon).pairs(p_lat, p_lon, 60.0)
    band = int((np.abs(p_lat[:, None] - f_lat[None, :]) <= np.degrees(60.0 / EARTH_RADIUS_KM)).sum())
    assert band > 5000 and len(point) < 0.1 * band
