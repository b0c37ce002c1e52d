"""Helpers written once for the whole package: table cells, JSON record selection, hex selections, file spans, lazy names, marked folders."""

from __future__ import annotations

import math
import sys
import types
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from flighttrace._lazy import lazy_exports
from flighttrace._paths import nearest_marked
from flighttrace.cells import as_float, as_int, as_text, as_time, as_timestamp, is_missing, none_where, objects
from flighttrace.io.jsonrows import array_rows, select_records
from flighttrace.io.sources import hex_selection
from flighttrace.provenance import ManifestRow, count_into_rows, file_spans, sort_quarantine


def test_cells_convert_what_the_column_should_hold_and_refuse_the_rest() -> None:
    assert as_float(np.int64(3)) == 3.0 and math.isnan(as_float(pd.NA)) and math.isnan(as_float(None))
    assert as_int(np.float64(4.0)) == 4 and as_text(np.nan) is None and as_text("AZQ") == "AZQ"
    assert as_time(pd.NaT) is None and as_time("2023-09-01T06:00Z") == pd.Timestamp("2023-09-01 06:00", tz="UTC")
    assert [is_missing(v) for v in (None, np.nan, pd.NaT, pd.NA, 0.0, "")] == [True, True, True, True, False, False]
    with pytest.raises(TypeError, match="expected a number"):
        as_float("12")
    with pytest.raises(TypeError, match="expected an integer"):
        as_int(2.5)
    with pytest.raises(TypeError, match="missing value"):
        as_timestamp(None)


def test_object_columns_hold_none_where_values_are_missing() -> None:
    col = pd.Series([1.5, np.nan, 3.0])
    assert objects(col).tolist() == [1.5, None, 3.0]
    assert none_where(np.array([False, True]), np.array(["a", "b"], dtype=object)).tolist() == ["a", None]


def test_json_records_of_the_wrong_shape_are_quarantined_with_their_text() -> None:
    items = [[1, 2, 3], [4], "x", [5, 6, 7, 8]]
    got = select_records(items, array_rows(items, 3), "not an array of 3 values")
    assert got.records == [[1, 2, 3], [5, 6, 7, 8]] and got.rows.tolist() == [0, 3]
    assert got.quarantine == [(1, "not an array of 3 values", "[4]"), (2, "not an array of 3 values", '"x"')]
    assert got.raw(np.array([1])) == ["[5,6,7,8]"]
    chunk = got.chunk({"time": np.array([1.0, 2.0])}, [])
    assert chunk.src_row.tolist() == [0, 3] and chunk.rows_read == 4


def test_a_hex_selection_takes_commas_case_and_blanks_as_a_reader_would() -> None:
    assert hex_selection(None) is None
    assert hex_selection(" 600864,4B1805 ,") == frozenset({"600864", "4b1805"})
    assert hex_selection(["A0B1C2", "600864"]) == frozenset({"a0b1c2", "600864"})


def test_file_spans_and_duplicates_land_in_each_files_manifest_row() -> None:
    t = pd.to_datetime(["2023-09-01 06:00", "2023-09-01 07:00", "2023-09-02 01:00"], utc=True)
    points = pd.DataFrame({"src_file": pd.Categorical(["a.json", "a.json", "b.json"]), "icao24": ["600864", "600865", "600864"], "time": t})
    spans = file_spans(points)
    assert spans.loc["a.json", "n_aircraft"] == 2 and spans.loc["b.json", "time_min"] == t[2]
    rows = [ManifestRow(path="a.json", rows_kept=5), ManifestRow(path="b.json", rows_kept=2), ManifestRow(path="gone.json")]
    count_into_rows(rows, spans, pd.Series({"a.json": 3}))
    assert (rows[0].time_min, rows[0].time_max, rows[0].n_aircraft, rows[0].rows_duplicate, rows[0].rows_kept) == (t[0], t[1], 2, 3, 2)
    assert (rows[1].n_aircraft, rows[1].rows_kept) == (1, 2) and rows[2].time_min is None


def test_quarantine_sorts_by_file_then_row_with_whole_file_rows_first() -> None:
    q = pd.DataFrame({"src_file": ["b", "a", "a"], "src_row": [2, 7, None], "reason": ["x", "y", "z"], "raw": ["", "", ""]})
    got = sort_quarantine(q)
    assert got["reason"].tolist() == ["z", "y", "x"] and str(got["src_row"].dtype) == "Int64"


def test_lazy_exports_load_a_name_on_first_access_and_keep_it() -> None:
    mod = types.ModuleType("flighttrace_lazy_probe")
    sys.modules[mod.__name__] = mod
    try:
        getattr_, dir_ = lazy_exports(mod.__name__, {"sqrt": "math"}, {"json_mod": "json"}, names=["extra"])
        assert getattr_("sqrt") is math.sqrt and mod.__dict__["sqrt"] is math.sqrt
        assert getattr_("json_mod").__name__ == "json"
        assert dir_() == ["extra", "json_mod", "sqrt"]
        with pytest.raises(AttributeError, match="has no attribute 'nope'"):
            getattr_("nope")
    finally:
        del sys.modules[mod.__name__]


def test_the_nearest_marked_folder_is_found_above_a_file(tmp_path: Path) -> None:
    (tmp_path / "world" / "data" / "x").mkdir(parents=True)
    (tmp_path / "world" / "synthetic.json").write_text("{}")

    def root_of(folder: str) -> Path | None:
        return nearest_marked(folder, "synthetic.json", root_of)

    assert root_of(str(tmp_path / "world" / "data" / "x")) == tmp_path / "world"
    assert root_of(str(tmp_path / "world")) == tmp_path / "world"
