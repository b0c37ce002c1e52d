"""Points are ordered by (icao24, time, file, row) however the rows arrived: the fast path equals the four-key sort."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from flighttrace.io._normalise import _point_order, narrow_codes


def _reference(h: np.ndarray, t: np.ndarray, fr: np.ndarray, sr: np.ndarray) -> np.ndarray:
    return np.lexsort((sr, fr, t, h))


@settings(max_examples=300, deadline=None)
@given(
    rows=st.lists(st.tuples(st.integers(0, 3), st.integers(0, 5), st.integers(0, 2), st.integers(0, 6)), min_size=0, max_size=40),
    input_order=st.booleans(),
    scale=st.sampled_from([1, 300, 70_000]),
)
def test_point_order_equals_the_four_key_sort(rows: list[tuple[int, int, int, int]], input_order: bool, scale: int) -> None:
    a = np.array(rows, dtype=np.int64).reshape(-1, 4)
    if input_order and len(a):
        # files in order, rows ascending in each: the common case the fast path takes
        a = a[np.lexsort((a[:, 3], a[:, 2]))]
        a[:, 3] = np.arange(len(a))
    h, t, fr, sr = (a[:, i].copy() for i in range(4))
    h *= scale  # aircraft codes that fit 8 bits, 16 bits, or neither (the sort's key type differs; its order must not)
    fr *= scale
    assert np.array_equal(h[_point_order(h, t, fr, sr)], h[_reference(h, t, fr, sr)])
    # the permutation itself is the same (ties included), not just the sorted keys
    assert np.array_equal(_point_order(h, t, fr, sr), _reference(h, t, fr, sr))


def test_files_in_order_with_times_ascending_per_aircraft_are_grouped_by_aircraft() -> None:
    # two files: aircraft 1 then 0 in the first, 0 then 1 in the second; times ascend per aircraft
    h = np.array([1, 1, 0, 0, 0, 1])
    t = np.array([10, 20, 5, 6, 7, 30])
    fr = np.array([0, 0, 0, 1, 1, 1])
    sr = np.array([0, 1, 2, 0, 1, 2])
    assert _point_order(h, t, fr, sr).tolist() == [2, 3, 4, 0, 1, 5]


def test_a_time_going_back_within_an_aircraft_is_sorted_and_ties_keep_file_order() -> None:
    h = np.array([0, 0, 0, 0])
    t = np.array([10, 5, 10, 5])
    fr = np.array([0, 0, 1, 1])
    sr = np.array([0, 1, 0, 1])
    # t=5 rows: file 0 row 1, then file 1 row 1; t=10 rows: file 0 row 0, then file 1 row 0
    assert _point_order(h, t, fr, sr).tolist() == [1, 3, 0, 2]


def test_times_back_within_an_aircraft_across_a_wide_span_fall_back_to_the_two_key_sort() -> None:
    # a time range too wide for the combined key (ranks × span past 2**62): the order is still the two-key sort's
    h = np.array([1, 1, 0, 0, 1])
    t = np.array([4 * 10**18, -4 * 10**18, 7, 3, 0])
    fr = np.zeros(5, dtype=np.int64)
    sr = np.arange(5)
    # aircraft 0: t=3 (row 3), t=7 (row 2); aircraft 1: t=-4e18 (row 1), t=0 (row 4), t=4e18 (row 0)
    assert _point_order(h, t, fr, sr).tolist() == [3, 2, 1, 4, 0]
    # the same rows over a narrow span take the combined key and give the same order
    t_narrow = np.array([400, -400, 7, 3, 0])
    assert _point_order(h, t_narrow, fr, sr).tolist() == [3, 2, 1, 4, 0]


def test_codes_are_narrowed_only_when_every_value_fits() -> None:
    assert narrow_codes(np.array([0, 255])).dtype == np.uint8
    assert narrow_codes(np.array([0, 256])).dtype == np.uint16
    assert narrow_codes(np.array([0, 65_536])).dtype == np.int64  # too wide: left as it is
    assert narrow_codes(np.array([-1, 3])).dtype == np.int64  # a missing code (-1) is not made 255
    assert narrow_codes(np.array([7, 2, 300])).tolist() == [7, 2, 300]
