"""The simulator: plausible kinematics, coverage by radio horizon, determinism, and every format read back."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import flighttrace
from flighttrace.io.api import assert_counts
from flighttrace.sim.kinematics import CoverageModel, Receiver, SpoofZone, fly_leg, observe, sample, schedule_frame, simulate_truth
from tests.flights import LLOV, OVDA_ROUTE, UBBB, UBBG, to_points


def _leg(**kw: object) -> pd.DataFrame:
    return fly_leg(UBBB, LLOV, pd.Timestamp("2023-09-05T22:00Z"), waypoints=OVDA_ROUTE, **kw)  # type: ignore[arg-type]


def test_il76_profile_block_time_cruise_and_speeds() -> None:
    tr = _leg(taxi_out_s=600, taxi_in_s=420)
    block_h = (tr["time"].iloc[-1] - tr["time"].iloc[0]).total_seconds() / 3600
    # investigation.md estimates 3–3.5 h block time for Baku–Ovda via Georgia, Turkey and Cyprus
    assert 3.0 <= block_h <= 3.7
    assert tr["alt_ft"].max() == 33000 and tr["gs_kt"].max() == pytest.approx(430.0)
    # on the ground at both ends, taxi speed ≤ 12 kt
    assert tr["on_ground"].iloc[0] and tr["on_ground"].iloc[-1]
    assert tr.loc[tr["phase"] == "taxi_out", "gs_kt"].max() <= 12.0
    # the time step is 1 s and times never go backwards
    assert (tr["time"].diff().dropna().dt.total_seconds() == 1.0).all()


def test_short_leg_levels_off_below_cruise() -> None:
    tr = fly_leg(UBBB, UBBG, pd.Timestamp("2023-09-01T06:00Z"))
    # 315 km: climb at 380 ft/nm and descend at 318 ft/nm meet near 25,000 ft (hand estimate: 170 nm × ~175 ft/nm)
    assert 15000 < tr["alt_ft"].max() < 33000


def test_radio_horizon_sets_visibility() -> None:
    # one receiver 30 m up at Ovda. Horizon to an aircraft 304.8 m (1,000 ft) above the field:
    # 4.12 × (√30 + √304.8) = 4.12 × (5.48 + 17.46) = 94.5 km
    rx = Receiver("ovda", LLOV.lat, LLOV.lon, 30.0, max_km=1000.0)
    pts = pd.DataFrame({
        "icao24": ["600864"] * 2, "time": pd.to_datetime(["2023-09-01T00:00Z"] * 2, utc=True),
        "lat": [LLOV.lat + 90.0 / 111.2, LLOV.lat + 100.0 / 111.2], "lon": [LLOV.lon] * 2,
        "alt_ft": [LLOV.elevation_ft + 1000.0] * 2, "on_ground": [False, False],
    })
    seen = observe(pts, CoverageModel((rx,), dropout=0.0), field_elev_ft=np.full(2, LLOV.elevation_ft))
    assert len(seen) == 1 and seen["truth_lat"].iloc[0] == pytest.approx(LLOV.lat + 90.0 / 111.2)


def test_mlat_only_airframes_need_three_receivers_and_spoofing_moves_positions() -> None:
    tr = _leg().assign(icao24="600881")
    one = (Receiver("a", 32.0, 34.8, 60.0),)
    assert len(observe(tr, CoverageModel(one, mlat_hexes=frozenset({"600881"}), dropout=0.0))) == 0
    three = one + (Receiver("b", 32.8, 35.0, 60.0), Receiver("c", 31.2, 34.8, 60.0))
    seen = observe(tr, CoverageModel(three, mlat_hexes=frozenset({"600881"}), dropout=0.0))
    assert len(seen) > 0 and (seen["position_source"] == "mlat").all()
    zone = SpoofZone(31.5, 33.0, 34.0, 36.0, pd.Timestamp("2023-01-01", tz="UTC"), (33.82, 35.49))
    sp = observe(_leg().assign(icao24="600864"), CoverageModel(three, spoof=(zone,), dropout=0.0))
    hit = sp[sp["spoofed"]]
    assert len(hit) > 0 and hit["alt_ft"].isna().all()
    assert ((hit["lat"] - 33.82).abs() < 0.2).all()


def test_simulation_is_deterministic() -> None:
    sch = schedule_frame([dict(leg_id="L1", icao24="600864", callsign="AZQ1", registration="4K-AZ100", typecode="IL76",
                               origin="UBBB", destination="LLOV", off_block="2023-09-05T22:00Z", waypoints=OVDA_ROUTE)])
    fields = {"UBBB": UBBB, "LLOV": LLOV}
    rx = (Receiver("tel-aviv", 32.08, 34.78, 60.0), Receiver("baku", 40.4, 49.86, 40.0))

    def run() -> pd.DataFrame:
        truth, _ = simulate_truth(sch, fields, seed=5)
        return sample(observe(truth, CoverageModel(rx), seed=9), "fr24", seed=3)

    a, b = run(), run()
    pd.testing.assert_frame_equal(a, b)


def _sampled() -> pd.DataFrame:
    tr = fly_leg(UBBB, UBBG, pd.Timestamp("2023-09-01T06:00Z")).assign(icao24="600864", position_source="adsb")
    s = sample(tr, "readsb")
    p = to_points(s, callsign="AZQ6224", typecode="IL76")
    # the quantisation every source applies (1 m, 25 ft, whole knots and degrees)
    p["lat"] = p["lat"].round(5)
    p["lon"] = p["lon"].round(5)
    p["alt_ft"] = (p["alt_ft"] / 25).round() * 25
    p["gs_kt"] = p["gs_kt"].round()
    p["track_deg"] = p["track_deg"].round()
    p["vrate_fpm"] = (p["vrate_fpm"] / 64).round() * 64
    p["time"] = p["time"].dt.floor("s")
    return p


def _writers() -> dict[str, tuple[str, Callable[[pd.DataFrame, Path], None]]]:
    from flighttrace.sim.writers import (
        write_fr24_csv,
        write_fr24_kml,
        write_fr24_playback,
        write_sbs,
        write_state_vectors_csv,
        write_state_vectors_parquet,
        write_trace,
        write_tracks_json,
    )

    return {
        "readsb_trace": ("trace_full_600864.json", lambda p, f: write_trace(p, f)),
        "opensky_csv": ("states.csv", write_state_vectors_csv),
        "opensky_parquet": ("states.parquet", write_state_vectors_parquet),
        "opensky_tracks": ("track.json", write_tracks_json),
        "fr24_csv": ("AZQ6224_hex600864.csv", lambda p, f: write_fr24_csv(p, f)),
        "fr24_kml": ("AZQ6224_hex600864.kml", lambda p, f: write_fr24_kml(p, f, flight="ZP6224", callsign="AZQ6224")),
        "fr24_json": ("playback.json", lambda p, f: write_fr24_playback(p, f, flight_id="2c1a3f4b", callsign="AZQ6224", registration="4K-AZ100", typecode="IL76")),
        "sbs": ("log.sbs", lambda p, f: write_sbs(p, f)),
    }


@pytest.mark.parametrize("fmt", sorted(_writers()))
def test_every_simulated_format_reads_back_to_the_simulated_points(fmt: str, tmp_path: Path) -> None:
    src = _sampled()
    name, write = _writers()[fmt]
    write(src, tmp_path / name)
    ds = flighttrace.read(tmp_path / name)
    assert_counts(ds)
    assert ds.manifest["format"].tolist() == [fmt]
    got = ds.points
    # every position comes back, at the same time and place (tracks JSON is thinned by design: a subset)
    if fmt == "opensky_tracks":
        assert 0 < len(got) <= len(src)
    else:
        assert len(got) == len(src)
    merged = got.merge(src, on="time", suffixes=("", "_src"))
    assert len(merged) == len(got)
    np.testing.assert_allclose(merged["lat"], merged["lat_src"], atol=2e-5)
    np.testing.assert_allclose(merged["lon"], merged["lon_src"], atol=2e-5)
    air = merged[merged["alt_ft_src"].notna() & merged["alt_ft"].notna()]
    # altitude round trips within the unit rounding of the format (m with 2 decimals, whole feet …)
    np.testing.assert_allclose(air["alt_ft"], air["alt_ft_src"], atol=2.0)
    assert len(air) > 0.5 * merged["alt_ft_src"].notna().sum()
    if "gs_kt" in merged and fmt not in ("opensky_tracks",):
        g = merged[merged["gs_kt"].notna()]
        np.testing.assert_allclose(g["gs_kt"], g["gs_kt_src"], atol=1.0)


# --------------------------------------------------------------------------- every format, field by field

# What each format stores (formats.md): vertical rate, squawk, ground flag, how the position was obtained
CARRIES_VRATE = {"readsb_trace", "opensky_csv", "opensky_parquet", "fr24_json", "sbs"}  # FR24 CSV/KML: none; tracks: none
CARRIES_GS = {"readsb_trace", "opensky_csv", "opensky_parquet", "fr24_csv", "fr24_kml", "fr24_json", "sbs"}  # tracks: none
CARRIES_SQUAWK = {"readsb_trace", "opensky_csv", "opensky_parquet", "fr24_json", "sbs"}
FR24 = {"fr24_csv", "fr24_kml", "fr24_json"}  # ground written as altitude 0, told from speed on reading
FR24_GROUND_MAX_KT = 100.0
"""An FR24 altitude of 0 is the ground only below this speed (faster: a take-off or landing roll, or bad data)."""
# half a unit of the least precise digit any of these formats stores: whole feet, knots, degrees, ft/min; 5 decimals of lat/lon
HALF_FT, HALF_KT, HALF_DEG, HALF_FPM, HALF_LATLON = 0.5, 0.5, 0.5, 0.5, 5e-6


def _read_back(fmt: str, tmp_path: Path) -> pd.DataFrame:
    src = _sampled()
    name, write = _writers()[fmt]
    write(src, tmp_path / name)
    ds = flighttrace.read(tmp_path / name)
    assert_counts(ds)
    assert ds.manifest["format"].tolist() == [fmt] and ds.manifest["rows_quarantined"].tolist() == [0]
    got = ds.points
    assert len(got) == len(src) and got["time"].is_unique  # every point, once (tracks are not thinned by flighttrace's writer)
    return got.merge(src, on="time", suffixes=("", "_src"), validate="one_to_one")


@pytest.mark.parametrize("fmt", sorted(_writers()))
def test_every_simulated_format_reads_back_field_by_field_within_unit_rounding(fmt: str, tmp_path: Path) -> None:
    m = _read_back(fmt, tmp_path)
    np.testing.assert_allclose(m["lat"], m["lat_src"], rtol=0, atol=HALF_LATLON)
    np.testing.assert_allclose(m["lon"], m["lon_src"], rtol=0, atol=HALF_LATLON)
    air = m["alt_ft_src"].notna().to_numpy()
    np.testing.assert_allclose(m.loc[air, "alt_ft"], m.loc[air, "alt_ft_src"], rtol=0, atol=HALF_FT)
    assert m.loc[~air, "alt_ft"].isna().all()  # no altitude invented on the ground
    d = (m["track_deg"].astype(float) - m["track_deg_src"].astype(float)).abs()
    assert (np.minimum(d, 360 - d) <= HALF_DEG).all()
    if fmt in CARRIES_GS:
        np.testing.assert_allclose(m["gs_kt"], m["gs_kt_src"], rtol=0, atol=HALF_KT)
    else:
        assert m["gs_kt"].isna().all()
    if fmt in CARRIES_VRATE:
        np.testing.assert_allclose(m["vrate_fpm"], m["vrate_fpm_src"], rtol=0, atol=HALF_FPM)
    else:
        assert m["vrate_fpm"].isna().all()
    if fmt in CARRIES_SQUAWK:
        assert (m["squawk"].astype(str) == m["squawk_src"].astype(str)).all()
    else:
        assert m["squawk"].isna().all()
    src_ground = m["on_ground_src"].astype(bool).to_numpy()
    got_ground = m["on_ground"].astype("boolean")
    if fmt in FR24:
        slow = (m["gs_kt_src"] <= FR24_GROUND_MAX_KT).to_numpy()
        assert got_ground[src_ground & slow].eq(True).all() and got_ground[~src_ground].eq(False).all()
        assert got_ground[src_ground & ~slow].isna().all() and (src_ground & ~slow).any()  # a take-off roll above 100 kt
    else:
        assert got_ground.eq(m["on_ground_src"].astype("boolean")).all()
    expected_source = m["position_source_src"] if fmt == "readsb_trace" else "unknown"  # only traces say how
    assert (m["position_source"].astype(str) == expected_source).all()


@pytest.mark.parametrize(
    "fmt",
    sorted(_writers()),
)
def test_every_simulated_format_reads_back_the_callsign_on_every_point(fmt: str, tmp_path: Path) -> None:
    m = _read_back(fmt, tmp_path)
    assert (m["callsign"].astype(str) == "AZQ6224").all()


def _snapshot() -> tuple[pd.DataFrame, pd.Timestamp]:
    """Four aircraft at one instant (one simulated position each), quantised as :func:`_sampled` does."""
    legs = [
        fly_leg(UBBB, LLOV, pd.Timestamp("2023-09-05T22:00Z"), waypoints=OVDA_ROUTE).assign(icao24="600864", callsign="AZQ6224"),
        fly_leg(UBBB, UBBG, pd.Timestamp("2023-09-05T23:30Z")).assign(icao24="600865", callsign="AZQ6225"),
        fly_leg(UBBG, UBBB, pd.Timestamp("2023-09-05T23:55Z")).assign(icao24="600866", callsign="AZQ6226"),
        fly_leg(LLOV, UBBB, pd.Timestamp("2023-09-05T23:20Z"), waypoints=OVDA_ROUTE[::-1]).assign(icao24="600881", callsign="AZAF8"),
    ]
    now = pd.Timestamp("2023-09-06T00:00:30Z")
    # each aircraft's last position 0–30 s before the snapshot: climbing, cruising, on the ground, descending
    at = [pd.Timestamp("2023-09-06T00:00:00Z"), pd.Timestamp("2023-09-06T00:00:10Z"), pd.Timestamp("2023-09-05T23:55:20Z"), now]
    rows = pd.concat([leg[leg["time"] == t] for leg, t in zip(legs, at, strict=False)], ignore_index=True).assign(position_source="adsb")
    p = to_points(rows, typecode="IL76")
    assert len(p) == 4 and p["on_ground"].tolist() == [False, False, True, False]
    p["lat"], p["lon"] = p["lat"].round(5), p["lon"].round(5)
    p["alt_ft"] = (p["alt_ft"] / 25).round() * 25
    for c in ("gs_kt", "track_deg"):
        p[c] = p[c].round()
    p["vrate_fpm"] = (p["vrate_fpm"] / 64).round() * 64
    return p, now


@pytest.mark.parametrize("fmt", ["aircraft_json", "v2_api", "opensky_states"])
def test_snapshot_formats_read_back_the_simulated_positions(fmt: str, tmp_path: Path) -> None:
    from flighttrace.sim.writers import write_aircraft_json, write_states_json, write_v2

    src, now = _snapshot()
    writer = {"aircraft_json": lambda f: write_aircraft_json(src, f, now=now), "v2_api": lambda f: write_v2(src, f, now=now),
              "opensky_states": lambda f: write_states_json(src, f, time=now)}[fmt]
    writer(tmp_path / "snap.json")
    ds = flighttrace.read(tmp_path / "snap.json")
    assert_counts(ds)
    assert ds.manifest["format"].tolist() == [fmt] and ds.manifest["rows_kept"].tolist() == [4]
    m = ds.points.merge(src, on="icao24", suffixes=("", "_src"), validate="one_to_one")
    assert (m["time"] == m["time_src"]).all()  # aircraft.json: now − seen_pos; states: time_position
    np.testing.assert_allclose(m["lat"], m["lat_src"], rtol=0, atol=HALF_LATLON)
    np.testing.assert_allclose(m["lon"], m["lon_src"], rtol=0, atol=HALF_LATLON)
    air = m["alt_ft_src"].notna()
    np.testing.assert_allclose(m.loc[air, "alt_ft"], m.loc[air, "alt_ft_src"], rtol=0, atol=HALF_FT)
    np.testing.assert_allclose(m["gs_kt"], m["gs_kt_src"], rtol=0, atol=HALF_KT)
    np.testing.assert_allclose(m["track_deg"], m["track_deg_src"], rtol=0, atol=HALF_DEG)
    np.testing.assert_allclose(m.loc[air, "vrate_fpm"], m.loc[air, "vrate_fpm_src"], rtol=0, atol=HALF_FPM)
    assert m["on_ground"].astype(bool).tolist() == m["on_ground_src"].astype(bool).tolist()
    assert (m["callsign"].astype(str) == m["callsign_src"].astype(str)).all()
    assert (m["squawk"].astype(str) == "1000").all()


# --------------------------------------------------------------------------- how each source samples

def _one_leg_seen_everywhere() -> pd.DataFrame:
    tr = fly_leg(UBBB, UBBG, pd.Timestamp("2023-09-01T06:00Z")).assign(icao24="600864", position_source="adsb")
    return tr


def _gaps(s: pd.DataFrame) -> np.ndarray:
    return s["time"].diff().dt.total_seconds().to_numpy()[1:]


def test_readsb_samples_every_20_s_in_cruise_and_every_6_s_in_manoeuvres() -> None:
    tr = _leg().assign(icao24="600864", position_source="adsb")  # Baku–Ovda: a long cruise at FL330
    s = sample(tr, "readsb")
    g = _gaps(s)
    # formats.md §1.5: a point at least every --json-trace-interval (20 s), more often in manoeuvres
    assert g.max() == 20.0 and g.min() >= 1.0
    level = (s["vrate_fpm"].abs() <= 300) & ~s["on_ground"]
    after_level = level.to_numpy()[1:] & level.to_numpy()[:-1]
    assert (g[after_level] == 20.0).mean() > 0.95
    climbing = (s["vrate_fpm"] > 300).to_numpy()[1:] & (s["vrate_fpm"] > 300).to_numpy()[:-1]
    assert climbing.any() and np.median(g[climbing]) == 6.0
    assert not s["stale"].any() and not s["new_leg"].any()  # no reception gap


def test_opensky_keeps_one_row_per_10_second_slot() -> None:
    tr = _one_leg_seen_everywhere()
    s = sample(tr, "opensky")
    slots = (s["time"].astype("int64") // 10**9) // 10
    assert slots.is_unique and (np.diff(slots.to_numpy()) == 1).all()
    assert len(s) == len(set((tr["time"].astype("int64") // 10**9) // 10))


def test_fr24_spacing_is_irregular_and_denser_near_the_ground() -> None:
    tr = _one_leg_seen_everywhere()
    s = sample(tr, "fr24", seed=4)
    g = _gaps(s)
    assert 5.0 <= g.min() and g.max() <= 60.0 and len(np.unique(g)) > 10
    low = (s["on_ground"] | (s["alt_ft"].fillna(0) < 5000)).to_numpy()[1:]
    assert np.median(g[low]) < 15.0 < np.median(g[~low])
    assert not s["stale"].any()  # FR24 does not mark stale positions
    assert not sample(tr, "fr24", seed=5)["time"].equals(s["time"])  # the spacing is drawn from the seed


def test_sbs_keeps_every_visible_second_and_gaps_make_readsb_points_stale() -> None:
    tr = _one_leg_seen_everywhere()
    assert len(sample(tr, "sbs")) == len(tr)
    hole = (tr["time"] >= "2023-09-01T06:20:00Z") & (tr["time"] < "2023-09-01T06:20:40Z")  # 40 s without reception
    s = sample(tr[~hole], "readsb")
    after = s["time"] == pd.Timestamp("2023-09-01T06:20:40Z")
    assert after.sum() == 1 and s.loc[after, "stale"].all() and s["stale"].sum() == 1


def test_position_noise_has_the_configured_scatter() -> None:
    tr = pd.concat([_one_leg_seen_everywhere(), _one_leg_seen_everywhere().assign(icao24="600881")], ignore_index=True)
    rx = tuple(Receiver(f"r{i}", 40.4 + 0.1 * i, 47.0 + 1.0 * i, 60.0, max_km=2000.0) for i in range(3))
    seen = observe(tr, CoverageModel(rx, dropout=0.0, mlat_hexes=frozenset({"600881"}), adsb_noise_m=8.0, mlat_noise_m=150.0), seed=2)
    north_m = (seen["lat"] - seen["truth_lat"]) * 111_320.0
    east_m = (seen["lon"] - seen["truth_lon"]) * 111_320.0 * np.cos(np.radians(seen["truth_lat"]))
    for src, sigma in (("adsb", 8.0), ("mlat", 150.0)):
        sel = (seen["position_source"] == src).to_numpy()
        assert sel.sum() > 1500
        # 1-sigma per axis within 5 % (over 1,500 draws: the estimate's own spread is under 2 %)
        assert abs(north_m[sel].std() / sigma - 1) < 0.05 and abs(east_m[sel].std() / sigma - 1) < 0.05, src
    assert set(seen.loc[seen["icao24"] == "600881", "position_source"]) == {"mlat"}


def test_dropouts_remove_the_configured_share() -> None:
    tr = _one_leg_seen_everywhere()
    rx = (Receiver("baku", 40.4, 49.0, 60.0, max_km=2000.0),)
    heard = observe(tr, CoverageModel(rx, dropout=0.0))
    seen = observe(tr, CoverageModel(rx, dropout=0.1), seed=3)
    assert abs(1 - len(seen) / len(heard) - 0.1) < 0.02


# --------------------------------------------------------------------------- the committed fixtures

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
FIXTURES_MAX_BYTES = 30_000_000
"""Issue 3: the committed fixtures stay within 30 MB (file bytes)."""


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def test_fixtures_stay_within_30_mb() -> None:
    total = sum(p.stat().st_size for p in _files(FIXTURES))
    assert 0 < total <= FIXTURES_MAX_BYTES, f"{total / 1e6:.1f} MB"


def test_ovda_world_matches_what_its_readme_says() -> None:
    import json
    import re

    world = FIXTURES / "ovda"
    readme = (FIXTURES / "README.md").read_text()
    section = readme[readme.index("## `ovda/`"): readme.index("## `moscow/`")]
    data = _files(world / "data")
    by_kind = {
        "opensky_csv": [p for p in data if p.name.endswith(".csv.gz")],
        "opensky_parquet": [p for p in data if p.suffix == ".parquet"],
        "readsb": [p for p in data if p.name.startswith("trace_full_")],
        "fr24_csv": [p for p in data if p.parent.name == "fr24" and p.suffix == ".csv"],
        "fr24_kml": [p for p in data if p.suffix == ".kml"],
        "sbs": [p for p in data if p.suffix == ".sbs"],
    }
    assert sum(len(v) for v in by_kind.values()) == len(data)  # nothing else in data/
    # the README's table: OpenSky CSV 36, Parquet 55, traces 151, FR24 "13 + 1", SBS 1
    table = re.findall(r"^\| `data/[^|]*\| [^|]*\| ([0-9 +]+?) \|", section, re.M)
    assert table == [str(len(by_kind["opensky_csv"])), str(len(by_kind["opensky_parquet"])), str(len(by_kind["readsb"])),
                     f"{len(by_kind['fr24_csv'])} + {len(by_kind['fr24_kml'])}", str(len(by_kind["sbs"]))]
    # "Total: 257 data files, 15.3 MB for the whole folder (sum of file sizes: 14.7 MB of data, ..., 261 files in all"
    total = re.search(r"Total: (\d+) data files, ([\d.]+) MB for the whole folder \(sum of file sizes:\s+([\d.]+) MB of data.*?(\d+) files in all", section, re.S)
    assert total is not None
    assert int(total.group(1)) == len(data) and int(total.group(4)) == len(_files(world))
    assert float(total.group(2)) == round(sum(p.stat().st_size for p in _files(world)) / 1e6, 1)
    assert float(total.group(3)) == round(sum(p.stat().st_size for p in data) / 1e6, 1)
    # synthetic.json's own summary agrees
    summary = json.loads((world / "synthetic.json").read_text())["summary"]
    assert summary["files"] == {"fr24": len(by_kind["fr24_csv"]) + len(by_kind["fr24_kml"]), "opensky_csv": len(by_kind["opensky_csv"]),
                                "opensky_parquet": len(by_kind["opensky_parquet"]), "readsb": len(by_kind["readsb"]), "sbs": len(by_kind["sbs"])}


def test_ovda_world_sorties_per_period_are_the_readmes() -> None:
    import re

    readme = (FIXTURES / "README.md").read_text()
    sorties = pd.read_csv(FIXTURES / "ovda" / "truth" / "sorties.csv")
    fleet = sorties[sorties["role"] == "fleet"]
    land = pd.to_datetime(fleet["land_far"], utc=True)
    assert (fleet["far"] == "LLOV").all()
    # "112 sorties in all (15 in 2016, 8 in 2017, ...)"
    m = re.search(r"(\d+) sorties in all \(([^)]*)\)", readme)
    assert m is not None and int(m.group(1)) == len(fleet)
    per_year = {int(y): int(n) for n, y in re.findall(r"(\d+) in (\d{4})", m.group(2))}
    assert per_year == land.dt.year.value_counts().sort_index().to_dict()

    def count(a: str, b: str) -> int:
        return int(((land >= pd.Timestamp(a, tz="UTC")) & (land < pd.Timestamp(b, tz="UTC"))).sum())

    # the README's period table (windows as the scenario's claims give them, end day included)
    expected = {
        "1–5 Apr 2016 (April war)": count("2016-04-01", "2016-04-06"),
        "Sep–Nov 2020": count("2020-09-01", "2020-12-01"),
        "Jul–Nov 2021": count("2021-07-01", "2021-12-01"),
        "Aug–Sep 2022": count("2022-08-01", "2022-10-01"),
        "Apr–Jun 2023": count("2023-04-01", "2023-07-01"),
        "15 Aug – 5 Sep 2023": count("2023-08-15", "2023-09-06"),
        "1–17 Sep 2023": count("2023-09-01", "2023-09-18"),
        "1 Jan 2016 – 6 Mar 2023": count("2016-01-01", "2023-03-07"),
        "2016–2020": count("2016-01-01", "2021-01-01"),
        "Nov–Dec 2023": count("2023-11-01", "2024-01-01"),
    }
    got = {k.strip(): int(v) for k, v in re.findall(r"^\| ([^|]+?) \| (\d+)[^|]*\|", readme, re.M)}
    assert {k: got.get(k) for k in expected} == expected
    ap = fleet[(land >= pd.Timestamp("2023-09-01", tz="UTC")) & (land < pd.Timestamp("2023-09-18", tz="UTC"))]
    assert (ap["origin"] == "UBBB").all()  # "6, all from Baku"
    # "88 from Baku and 24 from Ganja; 81 back to Baku and 31 to Ganja"; "touchdown to lift-off ... 1.8–4.0 h, median 2.9 h"
    m = re.search(r"(\d+) from Baku and (\d+) from Ganja; (\d+) back to\s+Baku and (\d+) to Ganja", readme)
    assert m is not None
    assert tuple(map(int, m.groups())) == ((fleet["origin"] == "UBBB").sum(), (fleet["origin"] == "UBBG").sum(),
                                           (fleet["back"] == "UBBB").sum(), (fleet["back"] == "UBBG").sum())
    g = fleet["ground_s"] / 3600
    m = re.search(r"is ([\d.]+)–([\d.]+) h, median ([\d.]+) h", readme)
    assert m is not None and tuple(map(float, m.groups())) == (round(g.min(), 1), round(g.max(), 1), round(g.median(), 1))


def test_moscow_world_matches_what_its_readme_says() -> None:
    import re

    world = FIXTURES / "moscow"
    readme = (FIXTURES / "README.md").read_text()
    start = readme.index("## `moscow/`")
    end = readme.find("\n## ", start + 1)  # the next section, if any (the last one since fixtures/web went)
    section = readme[start: end if end != -1 else len(readme)]
    files = _files(world)
    data = _files(world / "data")
    assert all(p.suffix == ".parquet" for p in data)
    assert re.search(r"\| (\d+) \|", section).group(1) == str(len(data))  # type: ignore[union-attr]
    total = re.search(r"Total: (\d+) files \((\d+) data\), ([\d.]+) MB of file bytes", section)
    assert total is not None
    assert (int(total.group(1)), int(total.group(2))) == (len(files), len(data))
    assert float(total.group(3)) == round(sum(p.stat().st_size for p in files) / 1e6, 1)


def test_ovda_world_coverage_is_what_its_readme_says() -> None:
    legs = pd.read_csv(FIXTURES / "ovda" / "truth" / "legs.csv")
    land = pd.to_datetime(legs["landing_time"], utc=True)
    to_ovda = (legs["role"] == "fleet") & (legs["destination"] == "LLOV")
    cond = legs["destination_condition"]
    # "no receiver near Eilat before March 2019 ... those ends are inferred" (FR24's own exports excepted)
    early = to_ovda & (land < pd.Timestamp("2019-03-01", tz="UTC")) & (legs["icao24"] != "600881")
    assert (cond[early & ~legs["sources"].str.contains("fr24")] == "inferred").all()
    late = to_ovda & (land >= pd.Timestamp("2019-03-01", tz="UTC"))
    # "from March 2019 ... most still inferred, the few at runway height observed, the six lost en route bridged"
    assert set(cond[late]) == {"inferred", "observed", "bridged"} and (cond[late] == "bridged").sum() == 6
    assert (cond[late] == "inferred").sum() > (cond[late] == "observed").sum() > 0
    # "the Air Force Il-76 (600881) ... its April 2016 visits to Ovda are never seen at the Ovda end (unknown)"
    azaf = to_ovda & (legs["icao24"] == "600881")
    assert azaf.sum() == 2 and (cond[azaf] == "unknown").all() and (land[azaf].dt.strftime("%Y-%m") == "2016-04").all()
    # "three inbound legs in 2021 and three in 2022 ... bridged"
    bridged = land[to_ovda & (cond == "bridged")].dt.year.value_counts().to_dict()
    assert bridged == {2021: 3, 2022: 3}


def _sea_gaps(path: Path) -> list[float]:
    """Minutes of the fleet's reception gaps at cruise that span the sea between Turkey (north of 36° N) and Cyprus (south of 35.5° N)."""
    p = flighttrace.read(path).points
    p = p[p["icao24"].astype(str).str.startswith("6008")]
    gaps: list[float] = []
    for _, g in p.groupby("icao24", observed=True):
        dt = np.diff(g["time"].to_numpy()).astype("timedelta64[s]").astype(float)
        lat = g["lat"].to_numpy()
        cruise = (g["alt_ft"].to_numpy() > 25_000)
        hit = (dt > 300) & cruise[:-1] & cruise[1:] & (np.maximum(lat[:-1], lat[1:]) > 36.0) & (np.minimum(lat[:-1], lat[1:]) < 35.5)
        gaps.extend((dt[hit] / 60).tolist())
    return gaps


def test_ovda_world_has_the_sea_gap_before_the_cyprus_receiver_only() -> None:
    # "no receiver on Cyprus before 2018 (a gap at cruise over the sea between Turkey and Israel)"
    before = _sea_gaps(FIXTURES / "ovda" / "data" / "opensky" / "states_2017-05.csv.gz")
    after = _sea_gaps(FIXTURES / "ovda" / "data" / "opensky" / "states_2019-09.parquet")
    assert len(before) >= 2 and min(before) > 10
    assert after == []


def test_ovda_world_archive_gaps_are_the_readmes() -> None:
    # "no data at all for 1–30 June 2019 (no file spans it) and 10–20 February 2022 (inside a monthly file, but no traffic)"
    cov = pd.read_csv(FIXTURES / "ovda" / "truth" / "coverage.csv", parse_dates=["date"])
    empty = cov.loc[~cov["has_data"].astype(bool), "date"]
    want = list(pd.date_range("2019-06-01", "2019-06-30")) + list(pd.date_range("2022-02-10", "2022-02-20"))
    assert empty.tolist() == want
    assert (cov["date"].min(), cov["date"].max()) == (pd.Timestamp("2016-01-01"), pd.Timestamp("2023-12-31"))
    opensky = {p.name for p in (FIXTURES / "ovda" / "data" / "opensky").iterdir()}
    assert "states_2019-06.parquet" not in opensky and "states_2022-02.parquet" in opensky
    feb = flighttrace.read(FIXTURES / "ovda" / "data" / "opensky" / "states_2022-02.parquet").points["time"]
    assert not ((feb >= pd.Timestamp("2022-02-10", tz="UTC")) & (feb < pd.Timestamp("2022-02-21", tz="UTC"))).any()


def test_ovda_approaches_are_heard_low_only_from_march_2019(ovda_report) -> None:  # type: ignore[no-untyped-def]
    # fixtures/README.md: before March 2019 Ovda approaches are lost "a few thousand feet above the field";
    # from then the receiver near Eilat hears them "down to a few hundred feet"
    legs = pd.read_csv(ovda_report.out_dir / "tables" / "legs.csv")
    legs = legs[(legs["destination"] == "LLOV") & legs["destination_evidence"].isin(["observed", "inferred"])]
    t = pd.to_datetime(legs["landing_time"], utc=True)
    early = legs[(t < pd.Timestamp("2019-03-01", tz="UTC")) & (legs["icao24"] != "600881")]["destination_agl_ft"]
    late = legs[t >= pd.Timestamp("2019-03-01", tz="UTC")]["destination_agl_ft"]
    assert len(early) and len(late)
    assert early.median() >= 2000.0 and late.median() <= 300.0 and late.max() < 1000.0
