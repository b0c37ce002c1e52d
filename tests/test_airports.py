"""Tests of flighttrace.reference.airports: lookup, suggestions, custom sites, nearest fields, distances."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from flighttrace.geo import EARTH_RADIUS_KM, bearing_deg, haversine_km
from flighttrace.reference.airports import (
    TABLE_COLUMNS,
    AirportIndex,
    classify_kind,
)

# Positions as airportsdata gives them.
LLOV = (29.9403, 34.9358)
LLER = (29.72717, 35.01417)


@pytest.fixture(scope="module")
def index() -> AirportIndex:
    return AirportIndex.default()


def test_default_index_is_cached_and_has_the_documented_columns(index: AirportIndex) -> None:
    assert AirportIndex.default() is index
    assert tuple(index.table.columns) == TABLE_COLUMNS
    assert len(index) > 20_000
    # every row comes from airportsdata; the Belgian and Luxembourg fields whose digits were D.MMSS say so
    assert set(index.table["source"]) == {"airportsdata", "airportsdata (position read as D°MM'SS\", on its runways)"}
    assert set(index.table["kind"]) <= {"airport", "heliport", "seaplane"}
    assert index.table["elevation_ft"].dtype == np.float64


def test_get_accepts_icao_iata_and_any_case(index: AirportIndex) -> None:
    assert index.get("LLOV").name.startswith("Ovda")
    assert index.get("llov").code == "LLOV"
    assert index.get("GYD").code == "UBBB"
    assert index.get("gnj").code == "UBBG"
    assert index.resolve("ETM") == "LLER"


def test_get_accepts_iata_aliases_missing_from_airportsdata(index: AirportIndex) -> None:
    # Ovda has no IATA code in airportsdata; VDA comes from vradarserver. KVD is Ganja's former code.
    assert index.resolve("VDA") == "LLOV"
    assert index.resolve("KVD") == "UBBG"


def test_unknown_iata_when_iata_not_accepted_suggests_the_icao_code(index: AirportIndex) -> None:
    with pytest.raises(KeyError) as err:
        index.get("GYD", accept_iata=False)
    assert err.value.args[0] == "unknown airport 'GYD': did you mean UBBB (IATA GYD)?"


def test_unknown_code_suggests_a_swapped_letters_code_and_names(index: AirportIndex) -> None:
    with pytest.raises(KeyError, match=r"unknown airport 'LLVO': did you mean LLOV \(Ovda"):
        index.get("LLVO")
    with pytest.raises(KeyError, match=r"did you mean LLER \(.*Ramon"):
        index.resolve("Ramon")
    with pytest.raises(KeyError) as err:
        index.get("XXXX")
    assert err.value.args[0] == "unknown airport 'XXXX'"
    assert "XXXX" not in index


def test_positions_returns_rows_in_input_order(index: AirportIndex) -> None:
    pos = index.positions(["GYD", "LLOV"])
    assert list(pos["code"]) == ["UBBB", "LLOV"]
    assert list(pos["query"]) == ["GYD", "LLOV"]
    assert pos.loc[1, "lat"] == pytest.approx(LLOV[0])
    assert pos.loc[1, "elevation_ft"] == pytest.approx(1492.0)


def test_with_sites_adds_and_replaces_without_touching_the_original(index: AirportIndex) -> None:
    n = len(index)
    new = index.with_sites(
        [
            {"id": "test-strip", "name": "Test strip", "lat": 10.0, "lon": 10.0, "kind": "airport"},
            {"id": "LLOV", "name": "Ovda (moved)", "lat": 29.95, "lon": 34.94, "elevation_ft": 1500},
        ]
    )
    assert len(index) == n and index.get("LLOV").name.startswith("Ovda International")
    assert len(new) == n + 1
    assert new.get("test-strip").source == "scenario"
    assert np.isnan(new.get("test-strip").elevation_ft)
    assert new.get("LLOV").name == "Ovda (moved)"
    assert new.get("LLOV").source == "scenario"
    assert (new.table["code"] == "LLOV").sum() == 1


def test_text_is_kept_as_arrow_backed_str_also_for_custom_sites(index: AirportIndex) -> None:
    # 28,000 fields × 7 text columns as Python objects held about 13 MB for the whole run; pandas' str dtype about 4 MB
    new = index.with_sites([{"id": "test-strip", "name": "Test strip", "lat": 10.0, "lon": 10.0}])
    for t in (index.table, new.table):
        assert all(isinstance(t[c].dtype, pd.StringDtype) for c in ("code", "name", "iata", "country", "kind", "tz", "source"))
    row = new.table[new.table["code"] == "test-strip"].iloc[0]
    assert (row["iata"], row["country"], row["tz"], row["kind"]) == ("", "", "", "airport")  # unknown text is "", never missing
    assert new.resolve("TEST-STRIP") == "test-strip" and new.resolve("vda") == "LLOV"  # the codes as written, any case, IATA alias


def test_classify_kind_reads_heliports_and_seaplane_bases_from_names() -> None:
    kinds = classify_kind(
        [
            "Rosehill Heliport",
            "Hospital Helipad",
            "Sky Heli-Stop",
            "Craig Seaplane Base",
            "Lac-a-la-Tortue (Water Aerodrome) Airport",
            "Westwind Helicopters Airport",
            "Clearwater Aero Estates Airport",
        ]
    )
    assert list(kinds) == ["heliport", "heliport", "heliport", "seaplane", "seaplane", "airport", "airport"]


def test_haversine_ovda_to_ramon_matches_the_hand_computation() -> None:
    # By hand, haversine with R = 6371.0088 km:
    #   dphi = 29.72717 - 29.9403 = -0.21313 deg = -0.0037198 rad; dlambda = 0.07837 deg = 0.0013678 rad
    #   cos(29.9403 deg) = 0.866546, cos(29.72717 deg) = 0.868396
    #   a = sin^2(dphi/2) + cos1 cos2 sin^2(dlambda/2)
    #     = (0.0018599)^2 + 0.866546 * 0.868396 * (0.0006839)^2 = 3.4592e-6 + 3.5196e-7 = 3.8112e-6
    #   c = 2 asin(sqrt(a)) = 2 * 0.0019522 = 0.0039045 rad; d = R c = 24.875 km
    # (With the investigation's LLER position 29.7237 N 35.0114 E the same steps give 25.16 km.)
    d = haversine_km(*LLOV, *LLER)
    assert float(d) == pytest.approx(24.875, abs=0.005)
    assert float(haversine_km(*LLOV, 29.7237, 35.0114)) == pytest.approx(25.16, abs=0.01)


def test_haversine_is_vectorised_and_a_degree_of_latitude_is_111_km() -> None:
    d = haversine_km(np.array([0.0, 10.0]), 0.0, np.array([1.0, 11.0]), 0.0)
    assert d.shape == (2,)
    assert d == pytest.approx([EARTH_RADIUS_KM * np.pi / 180] * 2)


def test_bearing_of_cardinal_directions() -> None:
    b = bearing_deg(0.0, 0.0, np.array([1.0, 0.0, -1.0, 0.0]), np.array([0.0, 1.0, 0.0, -1.0]))
    assert b == pytest.approx([0.0, 90.0, 180.0, 270.0])
    # Ovda to Ramon is south-south-east
    assert 160 < float(bearing_deg(*LLOV, *LLER)) < 170


def test_nearest_from_ovda_gives_ovda_then_fields_at_hand_computed_distances(index: AirportIndex) -> None:
    idx, dist = index.nearest(LLOV[0], LLOV[1], k=8, max_km=60.0)
    assert idx.shape == dist.shape == (1, 8)
    codes = index.codes_of(idx)[0]
    assert codes[0] == "LLOV" and dist[0, 0] == pytest.approx(0.0, abs=1e-6)
    pos_ler = list(codes).index("LLER")
    assert dist[0, pos_ler] == pytest.approx(24.875, abs=0.005)
    found = idx[0] >= 0
    assert np.all(np.diff(dist[0, found]) >= 0)
    assert np.all(dist[0, found] <= 60.0)
    assert np.all(np.isinf(dist[0, ~found]))


def test_nearest_agrees_with_brute_force_on_random_points(index: AirportIndex) -> None:
    rng = np.random.default_rng(7)
    t = index.table
    pick = rng.integers(0, len(t), 200)
    lat = np.clip(t["lat"].to_numpy()[pick] + rng.normal(0, 0.3, 200), -89.9, 89.9)
    lon = t["lon"].to_numpy()[pick] + rng.normal(0, 0.3, 200)
    idx, dist = index.nearest(lat, lon, k=4, max_km=60.0)
    fixed = t["kind"].to_numpy() != "heliport"
    for i in range(0, 200, 20):
        d = haversine_km(lat[i], lon[i], t["lat"].to_numpy(), t["lon"].to_numpy())
        d = np.where(fixed & (d <= 60.0), d, np.inf)
        expect = np.sort(d)[:4]
        assert dist[i] == pytest.approx(expect, abs=1e-6)


def test_band_search_in_small_chunks_finds_the_same_fields(index: AirportIndex, monkeypatch: pytest.MonkeyPatch) -> None:
    # the latitude-band search measures its pairs a few at a time: every point still gets every field of its band
    import flighttrace.reference.airports as ap

    rng = np.random.default_rng(7)
    lat, lon = rng.uniform(29.0, 33.0, 300), rng.uniform(33.0, 36.0, 300)
    whole = index.nearest(lat, lon, k=3, max_km=60.0)
    monkeypatch.setattr(ap, "BAND_CHUNK_PAIRS", 50)  # fewer pairs than one point's band: one point per chunk
    small = index.nearest(lat, lon, k=3, max_km=60.0)
    assert np.array_equal(small[0], whole[0]) and np.array_equal(small[1], whole[1])
    t = index.table
    fixed = t["kind"].to_numpy() != "heliport"
    for i in range(0, 300, 37):
        d = haversine_km(lat[i], lon[i], t["lat"].to_numpy(), t["lon"].to_numpy())
        assert small[1][i] == pytest.approx(np.sort(np.where(fixed & (d <= 60.0), d, np.inf))[:3], abs=1e-6)


def _remote_index(index: AirportIndex) -> AirportIndex:
    # A helicopter pad and a strip 0.3 deg (33 km) apart in the open South Pacific, plus a seaplane base.
    return index.with_sites(
        [
            {"id": "pad", "name": "Test pad", "lat": -45.0, "lon": -130.0, "kind": "heliport"},
            {"id": "strip", "name": "Test strip", "lat": -45.3, "lon": -130.0, "kind": "airport"},
            {"id": "float", "name": "Test seaplane base", "lat": -44.8, "lon": -130.0, "kind": "seaplane"},
        ]
    )


def test_heliports_are_excluded_for_fixed_wing_and_included_for_helicopters(index: AirportIndex) -> None:
    remote = _remote_index(index)
    idx, dist = remote.nearest(-45.0, -130.0, k=3, heliports=False)
    assert "pad" not in set(remote.codes_of(idx)[0])
    assert list(remote.codes_of(idx)[0][:2]) == ["float", "strip"]  # 22.2 km and 33.4 km
    assert dist[0, 0] == pytest.approx(0.2 * EARTH_RADIUS_KM * np.pi / 180)
    idx, dist = remote.nearest(-45.0, -130.0, k=3, heliports=True)
    assert list(remote.codes_of(idx)[0]) == ["pad", "float", "strip"]
    assert dist[0, 0] == pytest.approx(0.0, abs=1e-6)


def test_heliports_flag_may_be_given_per_point(index: AirportIndex) -> None:
    remote = _remote_index(index)
    idx, _ = remote.nearest([-45.0, -45.0], [-130.0, -130.0], k=1, heliports=np.array([True, False]))
    assert list(remote.codes_of(idx)[:, 0]) == ["pad", "float"]


def test_a_point_200_km_from_any_field_gets_nothing_within_60_km(index: AirportIndex) -> None:
    lat, lon = -40.0, -120.0  # open South Pacific
    all_d = haversine_km(lat, lon, index.table["lat"].to_numpy(), index.table["lon"].to_numpy())
    assert all_d.min() > 200.0
    idx, dist = index.nearest(lat, lon, k=8, max_km=60.0, heliports=True)
    assert np.all(idx == -1) and np.all(np.isinf(dist))


def test_nearest_handles_empty_and_non_finite_input(index: AirportIndex) -> None:
    idx, dist = index.nearest(np.array([]), np.array([]), k=2)
    assert idx.shape == (0, 2) and dist.shape == (0, 2)
    idx, dist = index.nearest([np.nan, LLOV[0]], [0.0, LLOV[1]], k=1)
    assert idx[0, 0] == -1 and index.codes_of(idx)[1, 0] == "LLOV"


def test_nearest_on_many_points_returns_arrays_of_shape_n_by_k(index: AirportIndex) -> None:
    n = 50_000
    rng = np.random.default_rng(1)
    lat = rng.uniform(29.0, 41.0, n)
    lon = rng.uniform(34.0, 51.0, n)
    idx, dist = index.nearest(lat, lon, k=8)
    assert idx.shape == (n, 8) and dist.shape == (n, 8)
    assert idx.dtype.kind == "i" and dist.dtype == np.float64
    ok = idx >= 0
    assert np.all(dist[ok] <= 60.0)
    assert np.all(np.isinf(dist[~ok]))
    assert isinstance(index.table, pd.DataFrame)
