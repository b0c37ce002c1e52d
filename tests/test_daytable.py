"""DayTable: a coverage table's days read once, each window's summary and day bounds worked out by hand."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

from flighttrace.claims import coverage as cv
from flighttrace.claims.daytable import DayTable, day_table, local_day
from tests.test_analysis import cov_table, ts


def test_local_day_is_the_calendar_day_in_the_zone() -> None:
    # 2023-01-01 is day 19358 since 1970-01-01; at 21:00 UTC it is already 2 Jan in Baku (UTC+4), still 1 Jan in UTC
    assert local_day(ts("2023-01-01T21:00"), "UTC") == 19358
    assert local_day(ts("2023-01-01T21:00"), "Asia/Baku") == 19359
    # before 1970 the day is floored, not truncated: 1969-12-31 is day −1
    assert local_day(ts("1969-12-31T23:00"), "UTC") == -1
    with pytest.raises(ValueError, match="timezone-aware"):
        local_day(pd.Timestamp("2023-01-01"), "UTC")


def test_summary_and_bounds_by_hand() -> None:
    # 1–5 Jan covered except 2–3 Jan (no file) and 5 Jan (no traffic); the window runs from noon on 1 Jan to 7 Jan:
    # 1 Jan counts half, 2–6 Jan whole (6 Jan beyond the table) → 5.5 days, of them 2 + 1 + 1 = 4 uncovered,
    # in three runs split where the reason changes.
    dt = DayTable(cov_table("2023-01-01", 5, uncovered={1: cv.NO_FILE, 2: cv.NO_FILE, 4: cv.NO_TRAFFIC}))
    days, uncovered, text = dt.summary(ts("2023-01-01T12:00"), ts("2023-01-07"))
    assert (days, uncovered) == (5.5, 4.0)
    assert text == ("2023-01-02–2023-01-03 (2 days: no file spans it); 2023-01-05 (1 day: no traffic in the region); "
                    "2023-01-06 (1 day: outside the input)")
    assert dt.summary(ts("2023-01-04"), ts("2023-01-04")) == (0.0, 0.0, "")
    b0, b1, covered = dt.bounds(ts("2023-01-01T12:00"), ts("2023-01-07"))
    assert list(pd.to_datetime(b0, utc=True)) == [ts(f"2023-01-0{d}") for d in range(1, 7)]
    assert list(pd.to_datetime(b1, utc=True)) == [ts(f"2023-01-0{d}") for d in range(2, 8)]
    assert covered.tolist() == [True, False, False, True, False, False]
    # a window wholly inside the table: 2 Jan 06:00 to 4 Jan 18:00 → 0.75 + 1 + 0.75 days, the first two uncovered;
    # the run counts its days by their part inside the window, as the window's count does (1.75, shown 1.8)
    assert dt.summary(ts("2023-01-02T06:00"), ts("2023-01-04T18:00")) == (2.5, 1.75, "2023-01-02–2023-01-03 (1.8 days: no file spans it)")


def test_bounds_are_local_midnights() -> None:
    # Baku is UTC+4: the local day of 2 Jan runs from 1 Jan 20:00 to 2 Jan 20:00 UTC; a window from 2 Jan 01:00 to
    # 21:00 UTC touches the local days of 2 and 3 Jan, 19 h and 1 h of them (20 h in all, 1 h of it uncovered).
    dt = DayTable(cov_table("2023-01-01", 3, uncovered={2: cv.NO_TRAFFIC}, tz="Asia/Baku"))
    b0, b1, covered = dt.bounds(ts("2023-01-02T01:00"), ts("2023-01-02T21:00"))
    assert list(pd.to_datetime(b0, utc=True)) == [ts("2023-01-01T20:00"), ts("2023-01-02T20:00")]
    assert list(pd.to_datetime(b1, utc=True)) == [ts("2023-01-02T20:00"), ts("2023-01-03T20:00")]
    assert covered.tolist() == [True, False]
    days, uncovered, text = dt.summary(ts("2023-01-02T01:00"), ts("2023-01-02T21:00"))
    assert days == pytest.approx(20 / 24) and uncovered == pytest.approx(1 / 24)
    assert text == "2023-01-03 (1 h: no traffic in the region)"  # the hour of 3 Jan inside the window, not a whole day


def test_a_day_of_23_hours_counts_by_its_own_length() -> None:
    # London skips 01:00–02:00 on 26 March 2023: that local day runs from 00:00 to 23:00 UTC (23 h). Noon to 23:00
    # UTC is 11 of its 23 hours; the uncovered 27 March (local midnight 23:00 UTC on the 26th) is not touched.
    dt = DayTable(cov_table("2023-03-25", 3, uncovered={2: cv.NO_FILE}, tz="Europe/London"))
    days, uncovered, text = dt.summary(ts("2023-03-26T12:00"), ts("2023-03-26T23:00"))
    assert days == pytest.approx(11 / 23) and uncovered == 0.0 and text == ""
    b0, b1, _ = dt.bounds(ts("2023-03-26T12:00"), ts("2023-03-27T00:00"))
    assert list(pd.to_datetime(b0, utc=True)) == [ts("2023-03-26T00:00"), ts("2023-03-26T23:00")]
    assert list(pd.to_datetime(b1, utc=True)) == [ts("2023-03-26T23:00"), ts("2023-03-27T23:00")]


def test_an_empty_table_has_only_days_outside_the_input() -> None:
    dt = DayTable(cov_table("2023-01-01", 1).iloc[:0])
    assert dt.summary(ts("2023-01-01"), ts("2023-01-02T12:00")) == (1.5, 1.5, "2023-01-01–2023-01-02 (1.5 days: outside the input)")


def test_a_run_of_uncovered_days_counts_as_the_window_counts() -> None:
    # AP's window, 1-17 Sep 2023 in UTC, over data of another year, in a report zone four hours ahead (Baku): the
    # window touches the 18 local days from 1 to 18 Sep, the first and the last in part (20 h and 4 h), 17 days in
    # all. The run said "18 days" beside "17 of 17 days have no data"; it now counts 17, as the window does.
    dt = DayTable(cov_table("2023-07-01", 1, tz="Asia/Baku"))
    days, uncovered, text = dt.summary(ts("2023-09-01"), ts("2023-09-18"))
    assert days == pytest.approx(17.0) and uncovered == pytest.approx(17.0)
    assert text == "2023-09-01–2023-09-18 (17 days: outside the input)"
    assert cv.window_summary(cov_table("2023-07-01", 1, tz="Asia/Baku"), ts("2023-09-01"), ts("2023-09-18"))[2] == text


def test_an_evaluation_keeps_one_table() -> None:
    ctx = SimpleNamespace(cov=cov_table("2023-01-01", 2), cache={})
    assert day_table(ctx) is day_table(ctx)
