"""FlightRadar24 "ADS-B data granular" CSV: detected by its header, read with the ICAO address of every row."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import flighttrace
from flighttrace.io.api import assert_counts
from flighttrace.sim.writers.fr24_granular import WRITTEN_COLUMNS, write_fr24_granular
from tests.builders import T0, points

HEAD = "network_time,receiver_time,hex,callsign,latitude,longitude,no_position,altitude,ground_speed,track,vertical_speed,squawk,on_ground,source,radar_id\n"
T = int(T0.timestamp())  # 2023-09-01T06:00:00Z


def read(path: Path, **kw):  # type: ignore[no-untyped-def]
    ds = flighttrace.read(path, **kw)
    assert_counts(ds)
    flighttrace.validate_points(ds.points)
    return ds


def test_rows_are_read_with_their_hex_units_and_flags(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(
        HEAD
        + f"{T + 1},{T},4CA2D6,AZQ6224,40.4675,50.0467,0,0,12,160,0,1000,1,ADSB,T-UBBB1\n"
        + f"{T + 21},{T + 20},4CA2D6,AZQ6224,40.4700,50.0450,0,1500,165,340,2048,7700,0,MLAT,T-UBBB1\n"
        + f"{T + 31},,4CA2D6,AZQ6224,,,1,1600,,,,1000,0,ADSB,T-UBBB1\n"
    )
    ds = read(path)
    m = ds.manifest.iloc[0]
    assert (m["format"], m["rows_read"], m["rows_kept"], m["rows_quarantined"]) == ("fr24_granular", 3, 2, 1)
    p = ds.points
    assert p["icao24"].astype(str).tolist() == ["4ca2d6", "4ca2d6"]
    assert p["time"].tolist() == [T0, T0 + pd.Timedelta(seconds=20)]  # receiver_time, not network_time
    assert p["lat"].tolist() == [40.4675, 40.47] and p["lon"].tolist() == [50.0467, 50.045]
    assert p["alt_ft"].tolist() == [0.0, 1500.0] and p["gs_kt"].tolist() == [12.0, 165.0] and p["vrate_fpm"].tolist() == [0.0, 2048.0]
    assert p["on_ground"].tolist() == [True, False] and p["squawk"].astype(str).tolist() == ["1000", "7700"]
    assert p["position_source"].astype(str).tolist() == ["adsb", "mlat"]
    assert ds.quarantine.loc[0, "reason"].startswith("no position in this row (no_position is set)")
    assert "FR24 granular CSV: time of a point = receiver_time" in m["notes"] and "columns not read: radar_id" in m["notes"]


def test_network_time_fills_an_empty_receiver_time_and_ms_and_iso_times_are_read(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(
        HEAD
        + f"{T},,4ca2d6,AZQ6224,40.1,50.1,0,1000,200,90,0,1000,0,ADSB,x\n"
        + f"{(T + 10) * 1000},{(T + 10) * 1000 + 250},4ca2d6,AZQ6224,40.2,50.2,0,1000,200,90,0,1000,0,ADSB,x\n"
        + "2023-09-01T06:00:20Z,2023-09-01T06:00:20.5Z,4ca2d6,AZQ6224,40.3,50.3,0,1000,200,90,0,1000,0,ADSB,x\n"
    )
    ds = read(path)
    offsets = ((ds.points["time"] - T0).dt.total_seconds()).tolist()
    assert offsets == [0.0, 10.25, 20.5]
    notes = ds.manifest.loc[0, "notes"]
    assert "receiver_time empty in some rows: network_time used there" in notes
    assert "receiver_time: times in milliseconds since 1970 (told by their size) converted to seconds" in notes


def test_a_header_without_hex_or_time_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("network_time,receiver_time,hex,callsign,latitude\n1,2,3,4,5\n")
    ds = read(path, format="fr24_granular")
    assert ds.manifest.loc[0, "error"] == "FR24 granular CSV header lacks column(s): longitude"


def test_written_files_read_back(tmp_path: Path) -> None:
    pts = points(6, on_ground=[True] + [False] * 5, position_source=["adsb", "adsb", "mlat", "other", "adsb", "adsb"])
    path = tmp_path / "export.csv"
    write_fr24_granular(pts, path)
    assert path.read_text().splitlines()[0] == ",".join(WRITTEN_COLUMNS)
    assert path.read_text().splitlines()[0].startswith("network_time,receiver_time,hex,callsign,latitude,longitude,no_position,altitude,")
    back = read(path).points
    assert back["time"].tolist() == pts["time"].dt.tz_convert("UTC").tolist()
    assert np.abs(back["lat"].to_numpy() - pts["lat"].to_numpy()).max() < 1e-6
    assert back["alt_ft"].tolist() == np.round(pts["alt_ft"]).tolist()
    assert back["position_source"].astype(str).tolist() == pts["position_source"].tolist()
    assert back["on_ground"].tolist() == pts["on_ground"].tolist()


@pytest.mark.parametrize("header", ["network_time,receiver_time,hex,callsign,latitude,longitude,no_position,altitude", '"network_time","receiver_time","hex"'])
def test_detected_by_its_header(header: str) -> None:
    from flighttrace.io.detect import formats

    assert formats()["fr24_granular"].sniff((header + "\n").encode()) == ("latitude" in header)
