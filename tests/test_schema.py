"""The Points schema: dtypes, units, and validation messages that name the column."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import flighttrace
from flighttrace.schema import POINTS, POINTS_COLUMNS, SchemaError, empty_points, table_doc, validate_points


def test_empty_points_validates_and_has_every_column_in_order() -> None:
    df = empty_points()
    assert tuple(df.columns) == POINTS_COLUMNS
    validate_points(df)


def test_every_points_column_declares_a_unit_or_none_and_a_doc() -> None:
    units = {c.name: c.unit for c in POINTS}
    assert units["alt_ft"] == "ft" and units["gs_kt"] == "kt" and units["vrate_fpm"] == "ft/min"
    assert units["lat"] == "deg" and units["time"] == "UTC"
    assert all(c.doc for c in POINTS)
    assert "| `alt_ft` |" in table_doc(POINTS)


def _valid(tmp_path) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    from tests.builders import points
    from flighttrace.io.readsb import write_trace

    write_trace(points(3), tmp_path / "trace_full_600864.json")
    return flighttrace.read(tmp_path).points


def test_missing_column_is_named(tmp_path) -> None:  # type: ignore[no-untyped-def]
    df = _valid(tmp_path).drop(columns=["gs_kt"])
    with pytest.raises(SchemaError, match="missing column.*gs_kt"):
        validate_points(df)


def test_wrong_dtype_is_named(tmp_path) -> None:  # type: ignore[no-untyped-def]
    df = _valid(tmp_path)
    df["alt_ft"] = df["alt_ft"].astype("float64")
    with pytest.raises(SchemaError, match="'alt_ft' has dtype float64, expected float32"):
        validate_points(df)


def test_naive_time_is_rejected(tmp_path) -> None:  # type: ignore[no-untyped-def]
    df = _valid(tmp_path)
    df["time"] = df["time"].dt.tz_localize(None)
    with pytest.raises(SchemaError, match="'time'"):
        validate_points(df)


def test_bad_hex_and_out_of_range_lat_are_named(tmp_path) -> None:  # type: ignore[no-untyped-def]
    df = _valid(tmp_path)
    bad = df.copy()
    bad["icao24"] = bad["icao24"].cat.rename_categories(["60086G"])
    with pytest.raises(SchemaError, match="'icao24' holds '60086G'"):
        validate_points(bad)
    bad = df.copy()
    bad.loc[0, "lat"] = 91.0
    with pytest.raises(SchemaError, match="'lat' holds 91.0"):
        validate_points(bad)


def test_missing_value_in_required_column_is_counted(tmp_path) -> None:  # type: ignore[no-untyped-def]
    df = _valid(tmp_path)
    df.loc[1, "lon"] = np.nan
    with pytest.raises(SchemaError, match="'lon' has 1 missing value"):
        validate_points(df)
