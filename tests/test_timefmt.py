"""One formatter for times and durations (flighttrace.timefmt), used by the pages, the map and the claim texts."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from flighttrace.timefmt import (
    fmt_date,
    fmt_day_hm,
    fmt_duration,
    fmt_hm,
    fmt_time,
    fmt_time_column,
)

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(("seconds", "text"), [
    # seconds: rounded to the second, halves up
    (0, "0 s"), (40, "40 s"), (40.5, "41 s"), (59.4, "59 s"),
    # 59.5 s is a whole minute once rounded: the carry goes to the next unit
    (59.5, "1 min"), (60, "1 min"), (89.9, "1 min"), (90, "2 min"), (150, "3 min"), (25 * 60, "25 min"),
    # 59 min 29 s is 59 min; 59 min 30 s is an hour, written "1 h 0 min"
    (59 * 60 + 29, "59 min"), (59 * 60 + 30, "1 h 0 min"), (3600, "1 h 0 min"),
    # the case of the issue: 7,170 s = 119.5 min, rounded once → 120 min = 2 h 0 min (never "1 h 60 min")
    (7170, "2 h 0 min"), (7169, "1 h 59 min"), (2 * 3600 + 5 * 60, "2 h 5 min"), (10468.7, "2 h 54 min"),
    # a day or more: rounded to the hour
    (23 * 3600 + 59 * 60 + 29, "23 h 59 min"), (23 * 3600 + 59 * 60 + 30, "1 d 0 h"), (86400, "1 d 0 h"),
    (3 * 86400 + 4 * 3600, "3 d 4 h"), (2 * 86400 + 23 * 3600 + 1800, "3 d 0 h"),
    (-90, "-2 min"),
])
def test_duration_is_rounded_once_then_split(seconds: float, text: str) -> None:
    assert fmt_duration(seconds) == text


def test_duration_takes_timedeltas_and_writes_missing_values_as_a_dash() -> None:
    assert fmt_duration(pd.Timedelta(hours=12)) == "12 h 0 min"
    for v in (None, np.nan, pd.NA, pd.NaT, math.inf):
        assert fmt_duration(v) == "\u2014"
    assert fmt_duration(None, missing="?") == "?"


def test_no_duration_from_0_to_3_days_is_written_with_60_minutes_or_24_hours() -> None:
    for s in np.arange(0.0, 3 * 86400, 7.5):  # every 7.5 s: each rounding boundary is crossed
        text = fmt_duration(float(s))
        assert not re.search(r"\b60 min|\b24 h", text), (s, text)


def test_time_in_utc_with_a_second_zone_in_brackets() -> None:
    t = pd.Timestamp("2023-09-03T10:27:53Z")
    assert fmt_time(t) == "2023-09-03 10:27 UTC"
    assert fmt_time(t, seconds=True) == "2023-09-03 10:27:53 UTC"
    assert fmt_time(t, "Asia/Baku") == "2023-09-03 10:27 UTC (14:27 Asia/Baku)"  # Baku is UTC+4
    assert fmt_time(t, "UTC") == "2023-09-03 10:27 UTC"
    assert fmt_time(pd.Timestamp("2023-09-03 10:27:53")) == "2023-09-03 10:27 UTC"  # naive: UTC
    assert fmt_time(pd.Timestamp("2023-09-03T13:27:53+03:00")) == "2023-09-03 10:27 UTC"
    assert fmt_time(None) == fmt_time(pd.NaT) == "\u2014"
    assert fmt_date(t) == "2023-09-03" and fmt_hm(t) == "10:27" and fmt_day_hm(t) == "2023-09-03 10:27"
    assert fmt_hm(None) == "?" and fmt_day_hm(pd.NaT) == "?"


def test_a_time_column_reads_as_its_values_one_by_one() -> None:
    col = pd.Series(pd.to_datetime(["2023-09-03T10:27:53Z", None, "2023-12-31T23:59:00Z"], utc=True))
    assert fmt_time_column(col, "Europe/Moscow") == [
        "2023-09-03 10:27 UTC (13:27 Europe/Moscow)", "\u2014", "2023-12-31 23:59 UTC (02:59 Europe/Moscow)"]
    assert fmt_time_column(col.astype(object)) == [fmt_time(v) for v in col]


def test_no_other_duration_or_time_formatter_is_left_in_the_package() -> None:
    """The old copies (report, disruption pages, map, disruption claims) are gone; they use flighttrace.timefmt."""
    pattern = re.compile(r"^def (_fmt_dur|_fmt_duration|_fmt_t|_fmt_t_column|_dur|_hm|_day_hm|_h|_t)\(.*\) -> (?:str|list\[str\]):", re.MULTILINE)
    found = [f"{p.relative_to(ROOT)}: {m.group(1)}" for p in (ROOT / "flighttrace").rglob("*.py") for m in pattern.finditer(p.read_text())]
    assert found == []
    split = re.compile(r"//\s*3600\b.*%\s*3600|% 3600\) / 60")  # the hour/minute split the issue found in the report
    assert [str(p) for p in (ROOT / "flighttrace").rglob("*.py") if split.search(p.read_text())] == []
