"""FlightRadar24 API flight-tracks CSV (pyfr24's data.csv): detected by its header, the hex from the file name or icao24=."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import flighttrace
from flighttrace.io.api import assert_counts
from flighttrace.sim.writers.fr24_tracks import API_TRACK_COLUMNS, write_fr24_api_tracks
from tests.builders import T0, points

HEAD = "timestamp,lat,lon,alt,gspeed,vspeed,track,squawk,callsign,source\n"
ROWS = (
    "2023-09-01T06:00:00Z,40.4675,50.0467,0,12,0,160,0,AZQ6224,ADSB\n"  # taxiing: on the ground, squawk unknown
    "2023-09-01T06:00:20Z,40.47,50.045,1500,165,2048,340,7700,AZQ6224,MLAT\n"
    "2023-09-01T06:00:40Z,40.48,50.04,0,180,0,340,0746,AZQ6224,FAA\n"  # altitude 0 at 180 kt: neither ground nor air
    "2023-09-01T06:01:00Z,40.49,50.03,2000,200,-1000,340,1000,,\n"
)
NO_ADDRESS = "FR24 API track CSV has no ICAO address: put hex<ICAO hex> in the file name or pass icao24=<hex> (--icao24 on the command line)"


def read(path: Path, **kw):  # type: ignore[no-untyped-def]
    ds = flighttrace.read(path, **kw)
    assert_counts(ds)
    flighttrace.validate_points(ds.points)
    return ds


def _check_hand_written(ds) -> None:  # type: ignore[no-untyped-def]
    p = ds.points
    assert p["icao24"].astype(str).tolist() == ["600864"] * 4
    assert ((p["time"] - T0).dt.total_seconds()).tolist() == [0.0, 20.0, 40.0, 60.0]
    assert p["lat"].tolist() == [40.4675, 40.47, 40.48, 40.49] and p["lon"].tolist() == [50.0467, 50.045, 50.04, 50.03]
    assert np.array_equal(p["alt_ft"].to_numpy(dtype=float), [np.nan, 1500.0, np.nan, 2000.0], equal_nan=True)
    assert p["on_ground"].tolist() == [True, False, pd.NA, False]
    assert p["gs_kt"].tolist() == [12.0, 165.0, 180.0, 200.0]
    assert p["vrate_fpm"].tolist() == [0.0, 2048.0, 0.0, -1000.0]
    assert p["track_deg"].tolist() == [160.0, 340.0, 340.0, 340.0]
    assert [None if pd.isna(s) else s for s in p["squawk"]] == [None, "7700", "0746", "1000"]
    assert [None if pd.isna(c) else c for c in p["callsign"]] == ["AZQ6224", "AZQ6224", "AZQ6224", None]
    assert p["position_source"].astype(str).tolist() == ["adsb", "mlat", "other", "unknown"]
    assert (p["source"].astype(str) == "fr24_api_csv").all() and p["src_row"].tolist() == [0, 1, 2, 3]


def test_rows_are_read_with_the_hex_of_the_file_name(tmp_path: Path) -> None:
    path = tmp_path / "AZQ6224_hex600864_data.csv"
    path.write_text(HEAD + ROWS)
    ds = read(path)
    m = ds.manifest.iloc[0]
    assert (m["format"], m["rows_read"], m["rows_kept"], m["rows_quarantined"], m["error"]) == ("fr24_api_csv", 4, 4, 0, "")
    _check_hand_written(ds)
    assert "icao24 600864 taken from the file name (FR24 API track CSV carries no ICAO address)" in m["notes"]
    assert "1 record(s) with altitude 0 at more than 100 kt or an unknown speed" in m["notes"]


def test_crlf_line_ends_read_the_same(tmp_path: Path) -> None:
    path = tmp_path / "AZQ6224_hex600864_data.csv"
    path.write_bytes((HEAD + ROWS).replace("\n", "\r\n").encode())
    ds = read(path)
    assert (ds.manifest.loc[0, "format"], ds.manifest.loc[0, "rows_kept"]) == ("fr24_api_csv", 4)
    _check_hand_written(ds)


def test_without_an_address_every_row_is_quarantined(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_text(HEAD + ROWS)
    ds = read(path)
    m = ds.manifest.iloc[0]
    assert (m["format"], m["rows_read"], m["rows_kept"], m["rows_quarantined"]) == ("fr24_api_csv", 4, 0, 4)
    assert len(ds.points) == 0
    assert ds.quarantine["reason"].tolist() == [NO_ADDRESS] * 4
    assert ds.quarantine["src_row"].tolist() == [0, 1, 2, 3]
    assert ds.quarantine["raw"].iloc[1] == "2023-09-01T06:00:20Z,40.47,50.045,1500,165,2048,340,7700,AZQ6224,MLAT"


def test_an_icao24_selection_of_one_hex_gives_the_address(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_text(HEAD + ROWS)
    ds = read(path, icao24="600864")
    m = ds.manifest.iloc[0]
    assert (m["rows_read"], m["rows_kept"], m["rows_quarantined"]) == (4, 4, 0)
    _check_hand_written(ds)
    assert "icao24 600864 taken from the icao24= selection (FR24 API track CSV carries no ICAO address)" in m["notes"]


def test_bad_values_are_quarantined_and_other_columns_named(tmp_path: Path) -> None:
    path = tmp_path / "hex600864.csv"
    path.write_text(
        "timestamp,lat,lon,alt,gspeed,vspeed,track,squawk,callsign,source,radar\n"
        "2023-09-01T06:00:00Z,40.1,50.1,1000,200,0,90,1000,AZQ6224,ADSB,x\n"
        "yesterday,40.2,50.2,1000,200,0,90,1000,AZQ6224,ADSB,x\n"
        "2023-09-01T06:00:20Z,north,50.3,1000,200,0,90,1000,AZQ6224,ADSB,x\n"
        f"{int(T0.timestamp()) + 30},40.4,50.4,1000,200,0,90,1000,AZQ6224,ADSB,x\n"  # epoch seconds are times too
    )
    ds = read(path)
    m = ds.manifest.iloc[0]
    assert (m["rows_read"], m["rows_kept"], m["rows_quarantined"]) == (4, 2, 2)
    assert ((ds.points["time"] - T0).dt.total_seconds()).tolist() == [0.0, 30.0]
    q = ds.quarantine.set_index("src_row")["reason"]
    assert "timestamp 'yesterday' is neither epoch seconds nor an ISO 8601 time" in q[1]
    assert "lat 'north' is not a number" in q[2]
    assert "columns not read: radar" in m["notes"]


def test_a_header_without_lat_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "hex600864.csv"
    path.write_text("timestamp,lon,alt,gspeed\n2023-09-01T06:00:00Z,50.1,1000,200\n")
    ds = read(path, format="fr24_api_csv")
    assert ds.manifest.loc[0, "error"] == (
        "FR24 API track CSV header lacks column(s): lat (expected timestamp,lat,lon,alt,gspeed,vspeed,track,squawk,callsign,source)"
    )
    assert (ds.manifest.loc[0, "rows_kept"], len(ds.points)) == (0, 0)


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (HEAD, True),
        ("\ufeffTimestamp , LAT,Lon,Alt,GSpeed,vspeed\r\n", True),
        ('"timestamp","lat","lon","alt","gspeed"\r', True),
        ("timestamp,lat,lon,alt,vspeed,track\n", False),  # no gspeed
        ("timestamp,lat,lon\n2023-09-01T06:00:00Z,alt,gspeed\n", False),  # the names must be in the first line
        ("network_time,receiver_time,hex,callsign,lat,lon,no_position,alt,gspeed,timestamp\n", False),  # an FR24 granular header
        ("time,icao24,lat,lon,velocity,heading,vertrate,callsign,onground,alert,spi,squawk,baroaltitude,geoaltitude,"
         "lastposupdate,lastcontact,timestamp,alt,gspeed\n", False),  # an OpenSky state vector header
        ("Timestamp,UTC,Callsign,Position,Altitude,Speed,Direction\n", False),  # the FR24 "Download CSV" export
    ],
)
def test_detected_by_its_header(head: str, expected: bool) -> None:
    from flighttrace.io.detect import formats

    assert formats()["fr24_api_csv"].sniff(head.encode()) is expected


def test_a_granular_or_opensky_file_is_not_taken(tmp_path: Path) -> None:
    path = tmp_path / "hex600864.csv"
    path.write_text("network_time,receiver_time,hex,callsign,latitude,longitude,no_position,altitude,gspeed,timestamp,lat,lon,alt\n"
                    "1693548000,1693548000,600864,AZQ6224,40.1,50.1,0,1000,200,2023-09-01T06:00:00Z,40.1,50.1,1000\n")
    assert read(path).manifest.loc[0, "format"] == "fr24_granular"


def test_written_files_read_back(tmp_path: Path) -> None:
    pts = points(5, on_ground=[True] + [False] * 4, gs_kt=[12.0, 150.0, 175.0, 200.0, 225.0],
                 squawk=[None, "1000", "0746", "7700", "1000"], position_source=["adsb", "adsb", "mlat", "other", "unknown"])
    path = tmp_path / "AZQ6224_hex600864_data.csv"
    write_fr24_api_tracks(pts, path)
    data = path.read_bytes()
    assert data.startswith((",".join(API_TRACK_COLUMNS) + "\r\n").encode()) and data.count(b"\r\n") == 6
    assert data.split(b"\r\n")[1] == b"2023-09-01T06:00:00Z,40.46,50.05,0,12,1500,315,0,AZQ6224,ADSB"
    back = read(path).points
    assert back["time"].tolist() == pts["time"].dt.tz_convert("UTC").tolist()
    assert np.abs(back["lat"].to_numpy() - pts["lat"].to_numpy()).max() < 1e-6
    assert np.array_equal(back["alt_ft"].to_numpy(dtype=float)[1:], np.round(pts["alt_ft"].to_numpy()[1:]))
    assert back["on_ground"].tolist() == [True, False, False, False, False]
    assert [None if pd.isna(s) else s for s in back["squawk"]] == [None, "1000", "0746", "7700", "1000"]
    assert back["position_source"].astype(str).tolist() == ["adsb", "adsb", "mlat", "other", "unknown"]


# The header and first five rows of a real pyfr24 export (flight DL2983 on 2025-03-28, Minneapolis before departure), CRLF as written.
REAL = (
    "timestamp,lat,lon,alt,gspeed,vspeed,track,squawk,callsign,source\r\n"
    "2025-03-28T15:22:25Z,44.88505,-93.20931,0,4,0,241,0,DAL2983,ADSB\r\n"
    "2025-03-28T15:22:35Z,44.88514,-93.20911,0,3,0,227,0,DAL2983,ADSB\r\n"
    "2025-03-28T15:22:47Z,44.88526,-93.20889,0,3,0,210,0,DAL2983,ADSB\r\n"
    "2025-03-28T15:23:04Z,44.88548,-93.20876,0,3,0,227,0,DAL2983,ADSB\r\n"
    "2025-03-28T15:23:21Z,44.88561,-93.20854,0,2,0,261,2675,DAL2983,ADSB\r\n"
)


def test_the_shape_of_a_real_export(tmp_path: Path) -> None:
    path = tmp_path / "DL2983_39a84c3c.csv"
    path.write_bytes(REAL.encode())
    ds = read(path, icao24="a1b2c3")
    m = ds.manifest.iloc[0]
    assert (m["format"], m["rows_read"], m["rows_kept"], m["rows_quarantined"]) == ("fr24_api_csv", 5, 5, 0)
    p = ds.points
    assert p["icao24"].astype(str).tolist() == ["a1b2c3"] * 5
    start = pd.Timestamp("2025-03-28T15:22:25Z")
    assert ((p["time"] - start).dt.total_seconds()).tolist() == [0.0, 10.0, 22.0, 39.0, 56.0]
    assert p["lat"].tolist() == [44.88505, 44.88514, 44.88526, 44.88548, 44.88561]
    assert p["lon"].tolist() == [-93.20931, -93.20911, -93.20889, -93.20876, -93.20854]
    assert p["on_ground"].tolist() == [True] * 5 and p["alt_ft"].isna().all()
    assert p["gs_kt"].tolist() == [4.0, 3.0, 3.0, 3.0, 2.0] and p["track_deg"].tolist() == [241.0, 227.0, 210.0, 227.0, 261.0]
    assert [None if pd.isna(s) else s for s in p["squawk"]] == [None, None, None, None, "2675"]
    assert p["callsign"].astype(str).tolist() == ["DAL2983"] * 5 and p["position_source"].astype(str).tolist() == ["adsb"] * 5
    assert "altitude 0 at more than" not in m["notes"]
