"""Columns gathered from per-chunk Arrow arrays straight into pandas, in a given row order (``flighttrace.io._gather``)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from flighttrace.io._gather import gathered_column


def _dict(values: list[str | None]) -> pa.DictionaryArray:
    return pa.array(values, type=pa.string()).dictionary_encode()


def test_text_chunks_with_their_own_dictionaries_become_one_categorical_in_the_order_asked() -> None:
    # chunk 1 codes its words b=0, a=1; chunk 2 codes c=0, b=1 and has a missing value
    col = pa.chunked_array([_dict(["b", "a", "b"]), _dict(["c", None, "b"])])
    got = gathered_column(col, np.array([5, 3, 1, 4]))  # rows: b (chunk 2), c, a, missing
    assert isinstance(got, pd.Categorical)
    assert [None if pd.isna(x) else x for x in got] == ["b", "c", "a", None]
    assert list(got.categories) == ["b", "a", "c"]  # the unified dictionary: first chunk's words, then the new one
    assert got.codes.tolist() == [0, 2, 1, -1]


def test_numbers_keep_their_type_leave_out_rows_not_asked_and_are_writeable() -> None:
    col = pa.chunked_array([pa.array(np.array([1.5, 2.5], dtype=np.float32)), pa.array(np.array([3.5], dtype=np.float32))])
    got = gathered_column(col, np.array([2, 0]))  # row 1 left out (a duplicate)
    assert got.dtype == np.float32 and got.tolist() == [3.5, 1.5] and got.flags.writeable


def test_every_row_in_input_order_is_a_copy_not_arrow_memory() -> None:
    arr = pa.array(np.array([7, 8, 9], dtype=np.int64))
    got = gathered_column(pa.chunked_array([arr]), None)
    assert got.tolist() == [7, 8, 9] and got.flags.writeable
    got[0] = 0  # Arrow's buffer is untouched
    assert arr.to_pylist() == [7, 8, 9]


def test_booleans_with_missing_values_are_masked() -> None:
    col = pa.chunked_array([pa.array([True, None]), pa.array([False])])
    got = gathered_column(col, np.array([1, 2, 0]))
    assert isinstance(got, pd.arrays.BooleanArray)
    assert got.isna().tolist() == [True, False, False]
    assert got[1:].to_numpy(dtype=bool).tolist() == [False, True]


def test_times_are_utc_timestamps() -> None:
    ns = [1_700_000_000 * 10**9, 1_700_000_001 * 10**9]
    col = pa.chunked_array([pa.array(ns[:1], type=pa.timestamp("ns", tz="UTC")), pa.array(ns[1:], type=pa.timestamp("ns", tz="UTC"))])
    got = gathered_column(col, np.array([1, 0]))
    assert str(got.dtype) == "datetime64[ns, UTC]"
    assert got.tolist() == [pd.Timestamp("2023-11-14T22:13:21Z"), pd.Timestamp("2023-11-14T22:13:20Z")]


def test_a_text_column_missing_everywhere_or_one_value_everywhere_needs_no_gather() -> None:
    missing = pa.chunked_array([pa.DictionaryArray.from_arrays(pa.nulls(2, pa.int32()), pa.array([], pa.string())),
                                pa.DictionaryArray.from_arrays(pa.nulls(3, pa.int32()), pa.array([], pa.string()))])
    got = gathered_column(missing, np.array([4, 0, 2]))
    assert isinstance(got, pd.Categorical) and got.codes.tolist() == [-1, -1, -1] and len(got.categories) == 0
    one = pa.chunked_array([_dict(["f.csv", "f.csv"]), _dict(["f.csv"])])
    got = gathered_column(one, None)
    assert got.codes.tolist() == [0, 0, 0] and list(got.categories) == ["f.csv"]
    # one value but some rows missing: gathered row by row
    mixed = pa.chunked_array([_dict(["x", None]), _dict(["x"])])
    got = gathered_column(mixed, np.array([2, 1, 0]))
    assert got.codes.tolist() == [0, -1, 0]


def test_tidy_categories_with_no_category_or_one_used_leaves_the_column_as_it_is() -> None:
    from flighttrace.io._normalise import tidy_categories

    empty = pd.Series(pd.Categorical.from_codes([-1, -1], categories=pd.Index([], dtype=object)))
    assert tidy_categories(empty) is empty
    one = pd.Series(pd.Categorical.from_codes([0, -1, 0], categories=["a"]))
    assert tidy_categories(one) is one
    unused = tidy_categories(pd.Series(pd.Categorical.from_codes([-1, -1], categories=["a"])))  # the one category is dropped
    assert len(unused.cat.categories) == 0 and unused.isna().all()
    several = tidy_categories(pd.Series(pd.Categorical.from_codes([1, 0, -1], categories=["b", "a", "z"])))
    assert list(several.cat.categories) == ["a", "b"] and several.tolist()[:2] == ["a", "b"]


@pytest.mark.parametrize("n_categories", [3, 126, 127, 200, 40000])  # pandas keeps the codes in int8 below 127 categories, int16 below 32767
def test_tidy_categories_sorts_and_drops_unused_whatever_the_width_of_the_codes(n_categories: int) -> None:
    from flighttrace.io._normalise import tidy_categories

    names = [f"v{i:05d}" for i in range(n_categories)][::-1]  # listed in reverse order of their text
    rng = np.random.default_rng(n_categories)
    codes = rng.integers(-1, n_categories, 5000)
    codes[codes == n_categories - 1] = -1  # the last listed (the smallest text, "v00000") is never used
    s = pd.Series(pd.Categorical.from_codes(codes, categories=names))
    got = tidy_categories(s)
    values = [None if c < 0 else names[c] for c in codes]
    assert [None if pd.isna(v) else v for v in got.tolist()] == values  # every row keeps its value
    used = sorted({v for v in values if v is not None})
    assert list(got.cat.categories) == used  # sorted by text, the unused one dropped
