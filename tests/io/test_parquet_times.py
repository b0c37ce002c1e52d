"""OpenSky Parquet with its time column in ns, us, ms or s, as a timestamp (with or without zone) or an integer: read exactly."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import flighttrace
from flighttrace.io.api import assert_counts

# 2022-02-02T15:45:00Z, then 10.123456789 s and 20.999999 s later (pyopensky writes datetime64[ns, UTC])
NS = np.array([1_643_816_700_000_000_000, 1_643_816_710_123_456_789, 1_643_816_720_999_999_000], dtype=np.int64)
WANT_US = (NS + 500) // 1000  # the Points table keeps microseconds: 123456789 ns → 123457 us
COLS = {"icao24": ["4b1805"] * 3, "latitude": [47.0, 47.1, 47.2], "longitude": [8.0, 8.1, 8.2]}


def _table(kind: str) -> pa.Table:
    if kind == "pandas_ns_utc":  # what pyopensky and pandas write by default
        df = pd.DataFrame({"timestamp": pd.DatetimeIndex(NS.view("datetime64[ns]")).tz_localize("UTC"), **COLS})
        return pa.Table.from_pandas(df, preserve_index=False)
    unit, tz, integer = {
        "ts_ns_naive": ("ns", None, False), "ts_us_utc": ("us", "UTC", False), "ts_ms_utc": ("ms", "UTC", False),
        "ts_s_utc": ("s", "UTC", False), "int_ns": ("ns", None, True), "int_us": ("us", None, True), "int_ms": ("ms", None, True),
    }[kind]
    per = {"ns": 1, "us": 1000, "ms": 10**6, "s": 10**9}[unit]
    ticks = NS // per
    col = pa.array(ticks, pa.int64()) if integer else pa.array(ticks, pa.timestamp(unit, tz))
    return pa.table({"timestamp" if not integer else "time": col, **{k: pa.array(v) for k, v in COLS.items()}})


@pytest.mark.parametrize("kind", ["pandas_ns_utc", "ts_ns_naive", "ts_us_utc", "ts_ms_utc", "ts_s_utc", "int_ns", "int_us", "int_ms"])
def test_time_units_read_exactly(tmp_path: Path, kind: str) -> None:
    table = _table(kind)
    assert table.schema.field(0).type in (pa.int64(), pa.timestamp("ns", "UTC"), pa.timestamp("ns"), pa.timestamp("us", "UTC"),
                                          pa.timestamp("ms", "UTC"), pa.timestamp("s", "UTC"))
    path = tmp_path / "states.parquet"
    pq.write_table(table, path)
    ds = flighttrace.read(path)
    assert_counts(ds)
    assert (ds.manifest.loc[0, "format"], ds.manifest.loc[0, "error"], ds.manifest.loc[0, "rows_kept"]) == ("opensky_parquet", "", 3)
    unit = {"pandas_ns_utc": "ns", "ts_ns_naive": "ns", "int_ns": "ns"}.get(kind, kind.split("_")[1])
    per_ns = {"ns": 1, "us": 1000, "ms": 10**6, "s": 10**9}[unit]
    written_ns = NS // per_ns * per_ns  # what the file holds, in ns
    want = WANT_US if unit == "ns" else written_ns // 1000
    got_us = ds.points["time"].astype("datetime64[us, UTC]").astype("int64").to_numpy()
    assert got_us.tolist() == want.tolist()
    if kind.startswith("int_"):
        unit = {"int_ns": "nanoseconds", "int_us": "microseconds", "int_ms": "milliseconds"}[kind]
        assert f"time: integer times in {unit} since 1970 (told by their size) converted to seconds" in ds.manifest.loc[0, "notes"]
