"""Reference points written as D.MMSS digits, read as such where the field's runways confirm it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from flighttrace.geo import haversine_km
from flighttrace.reference.airports import AirportIndex
from flighttrace.reference.positions import CORRECTED_SOURCE, REF_RUNWAY_KM, corrected_positions, dms_digits
from flighttrace.reference.runways import runway_table


def test_dms_digits_by_hand() -> None:
    # 50.5405 is 50°54'05" = 50 + 54/60 + 5/3600; -117.4451 is -(117°44'51"); 31.987 has 98 minutes
    got = dms_digits(np.array([50.5405, 4.2904, -117.4451, 31.987, 0.5959]))
    want = [50 + 54 / 60 + 5 / 3600, 4 + 29 / 60 + 4 / 3600, -(117 + 44 / 60 + 51 / 3600), np.nan, 59 / 60 + 59 / 3600]
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-9)


def _table(*rows: tuple[str, float, float]) -> pd.DataFrame:
    return pd.DataFrame({"code": [r[0] for r in rows], "lat": [r[1] for r in rows], "lon": [r[2] for r in rows], "source": "airportsdata"})


def _runway(code: str, lat: float, lon: float) -> dict[str, object]:
    """A 3-km runway centred on (lat, lon), east-west (0.0216° of longitude is about 1.5 km at 50° N)."""
    return {"code": code, "le_lat": lat, "le_lon": lon - 0.0216, "he_lat": lat, "he_lon": lon + 0.0216}


def test_only_a_field_whose_digits_land_on_its_runways_moves() -> None:
    rw = pd.DataFrame([
        _runway("XDMS", 50.9014, 4.4844),  # the digits 50.5405, 4.2904 read as D°MM'SS" land here
        _runway("XOFF", 50.9014, 4.4844),  # same runways, but 50.3000, 4.1000 read as DMS is 50.5, 4.1667: off
        _runway("XOK", 40.1234, 49.5678),  # the reference point is already on its runways
    ])
    t = _table(("XDMS", 50.5405, 4.2904), ("XOFF", 50.3000, 4.1000), ("XOK", 40.1234, 49.5678), ("XNORW", 50.5405, 4.2904))
    out = corrected_positions(t, rw)
    assert out["lat"].tolist()[0] == pytest.approx(50 + 54 / 60 + 5 / 3600) and out["lon"].tolist()[0] == pytest.approx(4 + 29 / 60 + 4 / 3600)
    assert out["source"].tolist() == ["airportsdata" + CORRECTED_SOURCE, "airportsdata", "airportsdata", "airportsdata"]
    assert out.iloc[1:].equals(t.iloc[1:])  # a field with no runway data (XNORW) cannot be checked: kept
    assert t["lat"].iloc[0] == 50.5405  # the input is not changed


def test_brussels_airport_is_on_its_runways_in_the_default_index() -> None:
    # airportsdata 20260905 writes EBBR as 50.5405, 4.2904, 41 km from its runways: no track to or from
    # Brussels could name it. The default index reads the digits as 50°54'05", 4°29'04".
    ebbr = AirportIndex.default().get("EBBR")
    rw = runway_table()
    rw = rw[rw["code"] == "EBBR"]
    ends = np.concatenate([haversine_km(ebbr.lat, ebbr.lon, rw["le_lat"], rw["le_lon"]), haversine_km(ebbr.lat, ebbr.lon, rw["he_lat"], rw["he_lon"])])
    assert len(rw) >= 2 and ends.min() <= REF_RUNWAY_KM
    assert ebbr.source.endswith(CORRECTED_SOURCE)
    grimbergen = AirportIndex.default().get("EBGB")  # right in the source: untouched
    assert (grimbergen.lat, grimbergen.lon, grimbergen.source) == (50.9494, 4.39333, "airportsdata")


def test_the_prebuilt_table_and_the_one_built_at_run_time_agree() -> None:
    # the prebuilt airports.parquet was checked when it was built; a table built from airportsdata at
    # run time (another airportsdata version installed) is checked then: same positions, same sources
    from flighttrace.reference.airports import airportsdata_table

    built = corrected_positions(airportsdata_table())
    default = AirportIndex.default().table
    assert built["code"].tolist() == default["code"].tolist()
    assert np.array_equal(built["lat"].to_numpy(), default["lat"].to_numpy()) and np.array_equal(built["lon"].to_numpy(), default["lon"].to_numpy())
    assert built["source"].tolist() == default["source"].tolist()
