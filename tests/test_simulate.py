"""The simulator: plausible kinematics, coverage by radio horizon, determinism, and every format read back."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd
import pytest

import flighttrace
from flighttrace.io.api import assert_counts
from flighttrace.simulate import CoverageModel, Field, Receiver, SpoofZone, fly_leg, observe, sample, schedule_frame, simulate_truth
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
    from flighttrace.io.fr24 import write_fr24_csv, write_fr24_kml, write_fr24_playback
    from flighttrace.io.opensky import write_state_vectors_csv, write_state_vectors_parquet, write_tracks_json
    from flighttrace.io.readsb import write_trace
    from flighttrace.io.sbs import write_sbs

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
