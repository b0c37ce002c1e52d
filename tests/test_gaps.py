"""Intervals between events and days' shares of windows on int64 arrays, worked out by hand; the p-value switches."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from flighttrace.claims import coverage as cv
from flighttrace.kinds.sorties import bursts, gaps
from flighttrace.kinds.sorties import stats as st
from tests.test_analysis import cov_table, times, ts


def ns(*texts: str) -> list[int]:
    return [ts(t).value for t in texts]


def test_event_days_sorts_drops_missing_and_tells_the_local_day() -> None:
    # 1 Jan 23:00 UTC is 2 Jan 03:00 in Baku (day 19359); 3 Jan 05:00 UTC is 3 Jan 09:00 there (day 19360)
    t = pd.Series([ts("2023-01-03T05:00"), pd.NaT, ts("2023-01-01T23:00")], dtype="datetime64[ns, UTC]")
    t_ns, days = gaps.event_days(t, cov_table("2023-01-01", 3, tz="Asia/Baku"))
    assert t_ns.tolist() == ns("2023-01-01T23:00", "2023-01-03T05:00")
    assert days is not None and days.tolist() == [19359, 19360]
    assert gaps.event_days(t, cov_table("2023-01-01", 3).iloc[:0])[1] is None


def test_interval_arrays_by_hand() -> None:
    # 1–5 Jan, 3 Jan uncovered; events at noon on 1, 2, 4 and 5 Jan. In [1 Jan, 6 Jan): 1→2 (covered), 2→4 (spans
    # 3 Jan: not covered), 4→5 (covered), of 1, 2 and 1 days. In [2 Jan, 5 Jan) only 2→4; in [4 Jan, 5 Jan) one event: none.
    cov = cov_table("2023-01-01", 5, uncovered={2: cv.NO_FILE})
    t_ns, days = gaps.event_days(times("2023-01-01T12:00", "2023-01-02T12:00", "2023-01-04T12:00", "2023-01-05T12:00"), cov)
    a, b, ok = gaps.interval_arrays(t_ns, days, cov, ts("2023-01-01").value, ts("2023-01-06").value)
    assert a.tolist() == ns("2023-01-01T12:00", "2023-01-02T12:00", "2023-01-04T12:00")
    assert b.tolist() == ns("2023-01-02T12:00", "2023-01-04T12:00", "2023-01-05T12:00")
    assert ok.tolist() == [True, False, True] and gaps.interval_days(a, b).tolist() == [1.0, 2.0, 1.0]
    a, b, ok = gaps.interval_arrays(t_ns, days, cov, ts("2023-01-02").value, ts("2023-01-05").value)
    assert (a.tolist(), b.tolist(), ok.tolist()) == (ns("2023-01-02T12:00"), ns("2023-01-04T12:00"), [False])
    assert len(gaps.interval_arrays(t_ns, days, cov, ts("2023-01-04").value, ts("2023-01-05").value)[0]) == 0
    assert len(gaps.interval_arrays(t_ns, days, cov, pd.NaT.value, ts("2023-01-06").value)[0]) == 0  # a window without a start


def test_intervals_table_of_two_windows() -> None:
    # window A holds the first three events (two intervals), B the last two (one); 3 Jan is uncovered
    cov = cov_table("2023-01-01", 5, uncovered={2: cv.NO_FILE})
    t = times("2023-01-05T12:00", "2023-01-01T12:00", "2023-01-02T12:00", "2023-01-04T12:00")
    w = pd.DataFrame({"window": ["A", "B"], "start": [ts("2023-01-01"), ts("2023-01-04")], "end": [ts("2023-01-04T13:00"), ts("2023-01-06")]})
    iv = st.intervals(t, cov, w)
    assert iv["window"].tolist() == ["A", "A", "B"]
    assert iv["from"].tolist() == [ts("2023-01-01T12:00"), ts("2023-01-02T12:00"), ts("2023-01-04T12:00")]
    assert iv["days"].tolist() == [1.0, 2.0, 1.0] and iv["covered"].tolist() == [True, False, True]
    assert str(iv["to"].dtype) == "datetime64[ns, UTC]"
    empty = gaps.interval_frame([], np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=bool))
    assert list(empty.columns) == ["window", "from", "to", "days", "covered"] and len(empty) == 0


def test_table_bounds_and_day_fractions_in_baku() -> None:
    # Baku is UTC+4: local 1 Jan is [31 Dec 20:00, 1 Jan 20:00) UTC. [1 Jan 02:00, 2 Jan 08:00) UTC covers 18 of the
    # 24 hours of local 1 Jan and 12 of local 2 Jan.
    cov = cov_table("2023-01-01", 2, tz="Asia/Baku")
    b0, b1 = gaps.table_bounds(cov)
    assert b0.tolist() == ns("2022-12-31T20:00", "2023-01-01T20:00") and b1.tolist() == ns("2023-01-01T20:00", "2023-01-02T20:00")
    frac = gaps.day_fractions((b0, b1), np.array(ns("2023-01-01T02:00")), np.array(ns("2023-01-02T08:00")))
    assert frac.tolist() == [0.75, 0.5]


def test_covered_times_keeps_the_events_of_covered_days() -> None:
    # 2 Jan is uncovered and 9 Jan lies beyond the table: only the events of 1 and 3 Jan remain
    cov = cov_table("2023-01-01", 3, uncovered={1: cv.NO_TRAFFIC})
    t = times("2023-01-01T10:00", "2023-01-02T10:00", "2023-01-03T10:00", "2023-01-09T10:00")
    assert bursts.covered_times(cov, t).tolist() == ns("2023-01-01T10:00", "2023-01-03T10:00")


def test_rate_ratio_without_p_value_has_the_same_interval() -> None:
    # 5 events in 10 days against 5 in 10: ratio 1, and the two-sided exact test of ratio 1 gives p = 1
    with_p, without = st.rate_ratio(5, 10.0, 5, 10.0), st.rate_ratio(5, 10.0, 5, 10.0, p_value=False)
    assert with_p.ratio == without.ratio == 1.0 and with_p.p_value == 1.0 and math.isnan(without.p_value)
    assert (with_p.ci_low, with_p.ci_high) == (without.ci_low, without.ci_high)


def test_burst_rate_ratio_without_p_values_has_the_same_intervals() -> None:
    # 120 covered days; one event a day inside the window (days 30–59), one every third day outside
    cov = cov_table("2023-01-01", 120)
    stamps = [f"{ts('2023-01-01') + pd.Timedelta(days=d):%Y-%m-%d}T12:00" for d in range(120) if 30 <= d < 60 or d % 3 == 0]
    t, s, e = times(*stamps), [ts("2023-01-31")], [ts("2023-03-02")]
    full, bare = bursts.burst_rate_ratio(cov, t, s, e, null_ratio=2.0), bursts.burst_rate_ratio(cov, t, s, e, null_ratio=2.0, p_values=False)
    assert (full.exact.n1, full.exact.t1) == (30, 30.0) and (full.ci_low, full.ci_high) == (bare.ci_low, bare.ci_high)
    assert not math.isnan(full.p_value) and math.isnan(bare.p_value) and math.isnan(bare.exact.p_value)
    pd.testing.assert_frame_equal(bare.cells, bursts.rate_cells(cov, t, s, e))
