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
    from flighttrace.sim.writers import write_trace
    from tests.builders import points

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


# DESIGN.md, "The tables": the Points columns, as written there (units: ft, kt, ft/min, degrees; times UTC)
DESIGN_POINTS = ["icao24", "time", "lat", "lon", "alt_ft", "on_ground", "gs_kt", "track_deg", "vrate_fpm", "callsign",
                 "squawk", "registration", "typecode", "position_source", "source", "src_file", "src_row"]


def test_points_has_every_column_of_the_design_with_its_unit_and_dtype() -> None:
    cols = {c.name: c for c in POINTS}
    assert set(DESIGN_POINTS) <= set(cols)
    # the additions: new-leg and stale flags of readsb, the military flag of dbFlags
    assert set(cols) - set(DESIGN_POINTS) == {"military", "stale", "new_leg"}
    assert [c for c in POINTS_COLUMNS if c in DESIGN_POINTS] == DESIGN_POINTS  # the design's order
    units = {n: cols[n].unit for n in ("lat", "lon", "alt_ft", "gs_kt", "track_deg", "vrate_fpm", "time")}
    assert units == {"lat": "deg", "lon": "deg", "alt_ft": "ft", "gs_kt": "kt", "track_deg": "deg", "vrate_fpm": "ft/min", "time": "UTC"}
    assert str(cols["time"].dtype) == "datetime64[ns, UTC]"
    assert cols["on_ground"].dtype == "boolean" and cols["on_ground"].nullable
    assert list(cols["position_source"].dtype.categories) == ["adsb", "mlat", "other", "unknown"]
    # the issue: categoricals (or Arrow strings) for the repeated strings
    for name in ("icao24", "callsign", "source", "src_file"):
        assert cols[name].dtype == "category", name


def test_strings_instead_of_categoricals_are_named(tmp_path) -> None:  # type: ignore[no-untyped-def]
    for name in ("icao24", "callsign", "source", "src_file"):
        df = _valid(tmp_path / name)
        df[name] = df[name].astype(object)
        with pytest.raises(SchemaError, match=f"column '{name}' has dtype object, expected category"):
            validate_points(df)


def test_upper_case_hex_is_rejected(tmp_path) -> None:  # type: ignore[no-untyped-def]
    df = _valid(tmp_path)
    df["icao24"] = df["icao24"].cat.rename_categories(["60086A"])
    with pytest.raises(SchemaError, match="'icao24' holds '60086A', which is not 6 lowercase hex digits"):
        validate_points(df)


def test_out_of_range_lon_and_negative_row_are_named(tmp_path) -> None:  # type: ignore[no-untyped-def]
    df = _valid(tmp_path)
    df.loc[2, "lon"] = -180.5
    with pytest.raises(SchemaError, match="'lon' holds -180.5"):
        validate_points(df)
    df = _valid(tmp_path / "b")
    df.loc[0, "src_row"] = -1
    with pytest.raises(SchemaError, match="'src_row' holds a negative row index"):
        validate_points(df)
