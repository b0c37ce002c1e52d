"""Text columns are stripped, emptied to missing and merged per distinct value; icao24 values are judged per distinct value."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from flighttrace.io import _normalise
from tests.io.readcheck import read_one
from tests.io.test_opensky import T6, csv_file, sv_line


def _decoded(arr: pa.DictionaryArray) -> list[str | None]:
    return arr.cast(pa.string()).to_pylist()


def test_padded_empty_and_repeated_texts_become_one_clean_dictionary() -> None:
    raw = ["AZQ6224 ", " AZQ6224", "", None, "   ", "4XAXB", "AZQ6224", np.nan, "4XAXB  "]
    got = _normalise._as_string(np.array(raw, dtype=object), len(raw))
    # by hand: padding stripped, blank and missing values missing, values equal once stripped share one entry, first seen first
    assert _decoded(got) == ["AZQ6224", "AZQ6224", None, None, None, "4XAXB", "AZQ6224", None, "4XAXB"]
    assert got.dictionary.to_pylist() == ["AZQ6224", "4XAXB"]
    assert got.type == pa.dictionary(pa.int32(), pa.string())
    assert got.indices.null_count == 4


def test_texts_from_arrow_and_numbers_are_cleaned_alike() -> None:
    got = _normalise._as_string(pa.array([" 7700", "7700", None, ""]), 4)
    assert _decoded(got) == ["7700", "7700", None, None] and got.dictionary.to_pylist() == ["7700"]
    nums = _normalise._as_string(pa.array([1200, None, 1200]), 3)  # a squawk column read as integers
    assert _decoded(nums) == ["1200", None, "1200"]


def test_an_absent_text_column_is_all_missing_with_an_empty_dictionary() -> None:
    got = _normalise._as_string(None, 3)
    assert _decoded(got) == [None, None, None] and got.dictionary.to_pylist() == []


def test_icao24_values_are_six_hex_digits_or_get_a_reason() -> None:
    values = ["4B8102", " 600864 ", "60086Z", "ab-cd1", "~1a2b3c", "12345", "1234567", "0a0b0c"]
    codes, cats, reasons = _normalise._normalise_hex(np.array(values, dtype=object), len(values))
    assert cats == ["4b8102", "600864", "60086z", "ab-cd1", "~1a2b3c", "12345", "1234567", "0a0b0c"]
    assert codes.tolist() == list(range(8))
    assert reasons[0] is None and reasons[1] is None and reasons[7] is None
    assert reasons[2] == "icao24 '60086Z' is not 6 hex digits"
    assert reasons[3] == "icao24 'ab-cd1' is not 6 hex digits"  # a non-hex character between hex digits
    assert reasons[4] == "non-ICAO address '~1a2b3c' (TIS-B or anonymous): no airframe identity"
    assert reasons[5] == "icao24 '12345' is not 6 hex digits" and reasons[6] == "icao24 '1234567' is not 6 hex digits"


def test_squawks_written_as_numbers_get_their_leading_zeros_back() -> None:
    raw = ["400", "400.0", "7700.0", "0400", "7700", " 1000.0 ", "12345", "7700.5", "77A0", "1000.", "", None]
    got = _normalise._as_string(pa.array(raw), len(raw), _normalise.squawk_text)
    # by hand: up to four digits with an optional zero fraction are a code that lost its zeros; other text stays as written
    assert _decoded(got) == ["0400", "0400", "7700", "0400", "7700", "1000", "12345", "7700.5", "77A0", "1000", None, None]
    assert got.dictionary.to_pylist() == ["0400", "7700", "1000", "12345", "7700.5", "77A0"]  # equal codes share one entry


def test_a_csv_of_squawks_saved_from_floats_reads_as_four_digit_codes(tmp_path: Path) -> None:
    # pandas writes a squawk column with gaps as floats: 7700.0, 400.0 and an empty cell
    lines = [sv_line(t=T6 + 10 * i, squawk=sq) for i, sq in enumerate(["7700.0", "400.0", "", "1200"])]
    p = read_one(csv_file(tmp_path / "sv.csv", lines)).points
    assert p["squawk"].astype(object).tolist()[:2] == ["7700", "0400"]
    assert pd.isna(p["squawk"].iloc[2]) and p["squawk"].iloc[3] == "1200"


def test_an_infinite_track_quarantines_its_row_and_warns_of_nothing(tmp_path: Path) -> None:
    import warnings

    lines = [sv_line(t=T6 + 10 * i, heading=h) for i, h in enumerate(["Infinity", "-inf", "1e999", "370.5"])]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a NaN made from inf in the wrapping warned on the console
        ds = read_one(csv_file(tmp_path / "sv.csv", lines))
    reasons = ds.quarantine.set_index("src_row")["reason"].to_dict()
    # by hand: the three infinite headings are no angle; 370.5 deg is 10.5 deg
    assert reasons == {0: "track_deg inf is not an angle", 1: "track_deg -inf is not an angle", 2: "track_deg inf is not an angle"}
    assert ds.points["src_row"].tolist() == [3] and ds.points["track_deg"].tolist() == [10.5]
