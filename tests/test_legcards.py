"""LegEvidence: a leg's row of the legs table, read as the table gives it."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd

from flighttrace.report.legcards import LegEvidence


def _run(legs: pd.DataFrame) -> SimpleNamespace:
    # no positions: the cards' leg ends are not read, only the legs table
    return SimpleNamespace(legs=legs, leg_thresholds=None, ds=SimpleNamespace(points=pd.DataFrame()), scn=SimpleNamespace(fleet=None))


def test_record_gives_a_legs_row_cell_by_cell_with_the_tables_own_types() -> None:
    legs = pd.DataFrame({
        "leg_id": ["L1", "L2", "L2"],  # a repeated id: its first row is the leg's
        "icao24": ["600864", "abc123", "ffffff"],
        "n_points": np.array([12, 7, 9], dtype=np.int64),
        "max_gap_s": [30.5, np.nan, 1.0],
        "takeoff_time": pd.to_datetime(["2023-10-03T08:00:00Z", "2023-10-04T09:30:00Z", None], utc=True),
        "origin": ["UBBB", None, "LLOV"],
    })
    ev = LegEvidence(_run(legs), ["L2", "L1"], places=None)
    rec = ev.record("L2")
    assert list(rec) == ["leg_id", "icao24", "n_points", "max_gap_s", "takeoff_time", "origin"]
    assert rec["leg_id"] == "L2" and rec["icao24"] == "abc123"
    assert rec["n_points"] == 7 and isinstance(rec["n_points"], np.integer)
    assert np.isnan(rec["max_gap_s"])
    assert rec["takeoff_time"] == pd.Timestamp("2023-10-04T09:30:00Z")
    assert pd.isna(rec["origin"])
    assert ev.record("L1")["max_gap_s"] == 30.5 and ev.record("L1")["origin"] == "UBBB"
    assert ev.record("L2") is rec  # read once per leg


def test_values_read_one_at_a_time_are_what_the_columns_own_indexing_gives() -> None:
    # the cards read a leg's cells and a position's fields one value at a time: each must be exactly what
    # pandas' own ``array[i]`` gives (same value, same type, NaN where missing), whatever the column's kind
    from flighttrace.report.legcards import _one_by_one

    cols = {
        "float": pd.Series([1.5, np.nan, -2.25]).array,
        "float32": pd.Series(np.array([0.1, 2.0, np.nan], dtype=np.float32)).array,
        "int": pd.Series([3, 4, 5]).array,
        "bool": pd.Series([True, False, True]).array,
        "object": pd.Series(["a", None, 7], dtype=object).array,
        "category": pd.Categorical(["f1.csv", None, "f2.csv"]),
        "text": pd.array(["LLOV", None, "UBBB"], dtype="str"),
        "nullable": pd.array([1, None, 3], dtype="Int64"),
        "time": pd.Series(pd.to_datetime(["2022-08-01 10:00", None, "2022-08-02 00:00"], utc=True)).array,
    }
    for whole in (False, True):
        for name, arr in cols.items():
            got = _one_by_one(arr, whole=whole)
            for i in range(3):
                want, have = arr[i], got[i]
                assert type(have) is type(want), (name, whole, i)
                assert (pd.isna(want) and pd.isna(have)) or have == want, (name, whole, i)
    assert _one_by_one(cols["category"], whole=False)[1] is np.nan  # the categorical's own missing value
    assert isinstance(_one_by_one(cols["text"], whole=True), np.ndarray)  # a short table's text, converted once
    assert _one_by_one(cols["text"], whole=False) is cols["text"]  # a long one is left as it is


def _straight_leg(lons: np.ndarray) -> SimpleNamespace:
    """A run whose one leg L1 flies along the equator through the given longitudes (one position each)."""
    n = len(lons)
    pts = pd.DataFrame({"lat": np.zeros(n), "lon": lons.astype(float), "alt_ft": np.full(n, 1000.0, dtype=np.float32),
                        "on_ground": pd.array([False] * n, dtype="boolean")})
    legs = pd.DataFrame({"leg_id": ["L1"], "point_start": [0], "point_end": [n]})
    return SimpleNamespace(legs=legs, leg_thresholds=None, ds=SimpleNamespace(points=pts), scn=SimpleNamespace(fleet=None), sorted_points=pts)


def test_an_end_reads_only_its_run_within_reach_of_the_field_unless_the_whole_first_block_is_within_reach() -> None:
    from flighttrace.report.legcards import END_ROWS, PROFILE_KM

    field = SimpleNamespace(lat=0.0, lon=0.0)
    km_per_tenth_degree = 6371.0088 * np.radians(0.1)  # about 11.12 km along the equator
    assert END_ROWS == 512 and PROFILE_KM == 40.0
    # leaving the field a tenth of a degree per position: the 5th position (44.5 km) is out of reach, inside the first 512
    ev = LegEvidence(_straight_leg(np.arange(1000) * 0.1), ["L1"], places=None)
    lo, hi, dist = ev._reach(0, 1000, "origin", field)
    assert (lo, hi) == (0, 512) and len(dist) == 512
    assert abs(dist[1] - km_per_tenth_degree) < 1e-3 and dist[3] < 40.0 < dist[4]
    # landing: the last 512 positions, the field at the leg's last position
    ev = LegEvidence(_straight_leg(np.arange(999, -1, -1) * 0.1), ["L1"], places=None)
    lo, hi, dist = ev._reach(0, 1000, "destination", field)
    assert (lo, hi) == (488, 1000) and dist[-1] == 0.0 and dist[-5] > 40.0 > dist[-4]
    # 600 positions creeping away (0.0001 degrees, 11 m, each) before leaving: the first 512 are all within reach, so the whole leg
    lons = np.r_[np.arange(600) * 1e-4, 1.0 + np.arange(400) * 0.1]
    ev = LegEvidence(_straight_leg(lons), ["L1"], places=None)
    lo, hi, dist = ev._reach(0, 1000, "origin", field)
    assert (lo, hi) == (0, 1000) and bool((dist[:600] < 40.0).all()) and dist[600] > 100.0
    # no field: distances from the end's own position (the leg's last one for a landing)
    lo, hi, dist = ev._reach(0, 1000, "destination", None)
    assert (lo, hi) == (488, 1000) and dist[-1] == 0.0 and abs(dist[-2] - km_per_tenth_degree) < 1e-3


def _positions(lats: list[float], alts: list[float], ground: list[bool]) -> SimpleNamespace:
    """One leg L1 whose positions lie on the meridian 0.01 E at the given latitudes."""
    n = len(lats)
    pts = pd.DataFrame({"lat": np.asarray(lats, dtype=float), "lon": np.full(n, 0.01), "alt_ft": np.asarray(alts, dtype=np.float32),
                        "on_ground": pd.array(ground, dtype="boolean")})
    legs = pd.DataFrame({"leg_id": ["L1"], "point_start": [0], "point_end": [n]})
    from flighttrace.tracks.params import LegParams

    return SimpleNamespace(legs=legs, leg_thresholds=LegParams(), ds=SimpleNamespace(points=pts), scn=SimpleNamespace(fleet=None), sorted_points=pts)


class _OneRunway:
    """A field at 0, 0.01 (sea level) with one runway along the equator from 0 to 0.02 E, or none."""

    def __init__(self, runway: bool) -> None:
        self.runway = runway

    def runways(self, code: str) -> tuple[np.ndarray, float] | None:
        return (np.arange(2), 0.01 * 6371.0088 * np.radians(1.0)) if self.runway else None  # its ends 1.1 km from the reference point

    def runway_km(self, code: str, lat: np.ndarray, lon: np.ndarray) -> np.ndarray | None:
        if not self.runway:
            return None
        return np.abs(lat) * 6371.0088 * np.radians(1.0)  # north of the runway's middle: the distance to it is the latitude's


def test_a_card_counts_the_positions_at_the_field_by_the_rule_that_grades_the_end() -> None:
    km = 6371.0088 * np.radians(1.0)  # per degree of latitude
    lats = [2.0 / km, 3.0 / km, 0.8 / km, 1.5 / km, 0.1 / km]  # 2 and 3 km north on the ground; 0.8, 1.5 and 0.1 km north in the air
    run = _positions(lats, [0.0, 0.0, 100.0, 100.0, 300.0], [True, True, False, False, False])
    dist = np.asarray(lats) * km  # from the reference point (0, 0.01), straight north
    height = np.array([0.0, 0.0, 100.0, 100.0, 300.0])
    ground = np.array([True, True, False, False, False])
    # with the runway: on the ground within 2.5 km of it, in the air at most 150 ft up and within 1 km of it
    at, rule, box = LegEvidence(run, ["L1"], places=_OneRunway(True))._at_field("F", 0, 5, dist, height, ground)
    assert at.tolist() == [True, False, True, False, False]
    assert rule == "on the ground within 2.5 km of a runway, or at most 150 ft above the field and within 1.0 km of a runway"
    assert abs(box - (0.01 * km + 2.5)) < 1e-9  # the runway's far end, 1.1 km from the reference point, and 2.5 km beyond
    # without runway data: within 2.5 km of the reference point, on the ground or at most 150 ft up
    at, rule, box = LegEvidence(run, ["L1"], places=_OneRunway(False))._at_field("F", 0, 5, dist, height, ground)
    assert at.tolist() == [True, False, True, True, False]
    assert rule.endswith("within 2.5 km of its reference point (no runway data)") and box == 2.5


def test_places_measure_a_position_against_the_fields_own_runways() -> None:
    import flighttrace
    from flighttrace.report.parts import Places

    root = Path(__file__).resolve().parents[1]
    scn = flighttrace.load_scenario(root / "seeds" / "azerbaijan-ovda.yaml")
    rw = pd.read_parquet(root / "flighttrace" / "data" / "runways.parquet")
    r = rw[rw["code"] == "LLOV"].iloc[0]
    mid_lat, mid_lon = (r.le_lat + r.he_lat) / 2.0, (r.le_lon + r.he_lon) / 2.0
    seg = Places(scn).runway_km("LLOV", np.array([r.le_lat, mid_lat]), np.array([r.le_lon, mid_lon]))
    runways = Places(scn).runways("LLOV")
    assert seg is not None and runways is not None
    reach = runways[1]
    assert seg.max() < 0.01  # a runway end and the runway's middle lie on it
    assert reach > 0.5 * r.length_ft * 0.3048 / 1000.0  # some runway end lies at least half a runway's length from the reference point
    assert Places(scn).runway_km("NOPE", np.array([0.0]), np.array([0.0])) is None
