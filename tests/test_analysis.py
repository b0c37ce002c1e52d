"""flighttrace.kinds.sorties.stats on hand-built tables, with every expected value worked out in comments."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from flighttrace.claims import coverage as cv
from flighttrace.kinds.sorties import stats as an

UTC = "UTC"


def ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def times(*texts: str) -> pd.Series:
    return pd.Series(pd.to_datetime(list(texts), utc=True)).astype("datetime64[ns, UTC]")


def cov_table(start: str, n: int, uncovered: dict[int, str] | None = None, tz: str = UTC) -> pd.DataFrame:
    """A coverage table of ``n`` days from ``start``; ``uncovered`` maps day index → reason."""
    uncovered = uncovered or {}
    covered = np.array([i not in uncovered for i in range(n)])
    table = pd.DataFrame(
        {
            "date": pd.date_range(start, periods=n, freq="D", tz=tz).as_unit("ns"),
            "has_file": [uncovered.get(i) != cv.NO_FILE for i in range(n)],
            "n_points": covered.astype(np.int64) * 10,
            "n_aircraft": covered.astype(np.int64),
            "covered": covered,
            "reason": [uncovered.get(i, "") for i in range(n)],
            "tz": [tz] * n,
        }
    )
    return cv.check_coverage(table)


# ---------------------------------------------------------------------------------------
# coverage


def _dataset() -> SimpleNamespace:
    # file A spans 1–3 Jan, file B 5–6 Jan; no file touches 4 Jan.
    manifest = pd.DataFrame(
        {
            "time_min": times("2023-01-01T10:00", "2023-01-05T01:00"),
            "time_max": times("2023-01-03T12:00", "2023-01-06T23:00"),
        }
    )
    # region (29–41 N, 34–51 E). Day 1: a1 twice inside. Day 2: a1, a2, a2 inside, a9 outside.
    # Day 3: a3 inside. Day 5: a1 inside. Day 6: a9 outside only (file, but no traffic in the region).
    points = pd.DataFrame(
        {
            "icao24": ["a1", "a1", "a1", "a2", "a2", "a9", "a3", "a1", "a9"],
            "time": times(
                "2023-01-01T10:00", "2023-01-01T11:00",
                "2023-01-02T01:00", "2023-01-02T02:00", "2023-01-02T03:00", "2023-01-02T04:00",
                "2023-01-03T12:00", "2023-01-05T01:00", "2023-01-06T23:00",
            ),
            "lat": [31.0, 31.0, 40.0, 35.0, 35.0, 60.0, 30.0, 31.0, 60.0],
            "lon": [35.0, 35.0, 50.0, 40.0, 40.0, 10.0, 35.0, 35.0, 10.0],
        }
    )
    return SimpleNamespace(points=points, manifest=manifest)


def test_coverage_day_without_file_and_day_without_traffic() -> None:
    cov = cv.coverage(_dataset(), region=(29.0, 41.0, 34.0, 51.0))
    assert list(cov.columns) == list(cv.COVERAGE_COLUMNS)
    assert list(cov["date"].dt.strftime("%Y-%m-%d")) == [f"2023-01-0{d}" for d in range(1, 7)]
    assert cov["has_file"].tolist() == [True, True, True, False, True, True]
    assert cov["n_points"].tolist() == [2, 3, 1, 0, 1, 0]  # a9's points are outside the region
    assert cov["n_aircraft"].tolist() == [1, 2, 1, 0, 1, 0]
    assert cov["covered"].tolist() == [True, True, True, False, True, False]
    assert cov["reason"].tolist() == ["", "", "", "no file spans it", "", "no traffic in the region"]
    assert set(cov["tz"]) == {"UTC"}


def test_coverage_without_region_counts_every_point() -> None:
    cov = cv.coverage(_dataset())
    # day 2 holds a9 too (4 points, 3 aircraft); day 6 is covered by a9 alone
    assert cov["n_points"].tolist() == [2, 4, 1, 0, 1, 1]
    assert cov["n_aircraft"].tolist() == [1, 3, 1, 0, 1, 1]
    assert cov["covered"].tolist() == [True, True, True, False, True, True]


def test_coverage_aircraft_count_same_with_categories_strings_and_hashing() -> None:
    ds = _dataset()
    want = cv.coverage(ds)["n_aircraft"].tolist()
    cat = SimpleNamespace(points=ds.points.assign(icao24=ds.points["icao24"].astype("category")), manifest=ds.manifest)
    assert cv.coverage(cat)["n_aircraft"].tolist() == want == [1, 3, 1, 0, 1, 1]
    day = np.array([0, 0, 0, 1, 1, 2])
    hexes = pd.Series(["a", "b", "a", "c", "c", "b"])
    for h in (hexes, hexes.astype("category")):
        for cells in (1, 1 << 26):  # the hashed pairs and the table of seen flags
            assert cv._aircraft_per_day(day, h, 4, max_table_cells=cells).tolist() == [2, 1, 1, 0]


def test_coverage_in_report_zone() -> None:
    ds = SimpleNamespace(
        points=pd.DataFrame({"icao24": ["a1"], "time": times("2023-01-01T22:00"), "lat": [31.0], "lon": [35.0]}),
        manifest=pd.DataFrame({"time_min": times("2023-01-01T22:00"), "time_max": times("2023-01-01T22:00")}),
    )
    # 22:00 UTC on 1 Jan is 02:00 on 2 Jan in Baku (UTC+4): one row, 2 Jan local midnight
    cov = cv.coverage(ds, report_tz="Asia/Baku")
    assert len(cov) == 1
    assert cov["date"].iloc[0] == pd.Timestamp("2023-01-02", tz="Asia/Baku")
    assert str(cov["date"].dt.tz) == "Asia/Baku" and cov["tz"].iloc[0] == "Asia/Baku"


def test_coverage_region_from_scenario_airports() -> None:
    from flighttrace.scenario import parse_scenario

    scn = parse_scenario(
        {
            "meta": {"title": "t", "summary": "t"},
            "airports": {"codes": ["LLOV", "UBBB"]},
        }
    )
    r = cv.scenario_region(scn)
    # LLOV 29.94 N 34.94 E, UBBB 40.47 N 50.05 E, widened by 5 degrees
    assert r.lat_min == pytest.approx(24.94, abs=0.05) and r.lat_max == pytest.approx(45.47, abs=0.05)
    assert r.lon_min == pytest.approx(29.94, abs=0.05) and r.lon_max == pytest.approx(55.05, abs=0.05)


def test_precomputed_coverage_is_accepted_and_gaps_filled() -> None:
    full = cov_table("2023-01-01", 5)
    table = full.drop(index=2)  # 3 Jan missing from the table
    out = cv.coverage(table)
    assert len(out) == 5
    assert out["covered"].tolist() == [True, True, False, True, True]
    with pytest.raises(ValueError, match="in UTC, not Asia/Baku"):
        cv.coverage(full, report_tz="Asia/Baku")


def test_assumed_coverage_spans_the_legs() -> None:
    legs = pd.DataFrame(
        {"icao24": ["a", "b"], "first_seen": times("2023-01-01T05:00", "2023-01-04T05:00"), "last_seen": times("2023-01-01T09:00", "2023-01-04T09:00"), "n_points": [10, 20]}
    )
    cov = cv.assumed_coverage(legs)
    assert len(cov) == 4 and cov["covered"].all()
    assert cov["n_points"].tolist() == [10, 0, 0, 20]


# ---------------------------------------------------------------------------------------
# series and rolling rates

# 10 days from Monday 2 Jan 2023; 5 Jan (index 3) has no file, 10 Jan (index 8) no traffic
COV10 = {3: cv.NO_FILE, 8: cv.NO_TRAFFIC}
SORTIES10 = times("2023-01-02T08:00", "2023-01-02T20:00", "2023-01-05T12:00", "2023-01-09T12:00", "2023-01-11T12:00")


def test_zero_on_uncovered_day_is_nan() -> None:
    cov = cov_table("2023-01-02", 10, COV10)
    daily = an.daily_counts(cov, SORTIES10)
    # the sortie on 5 Jan (uncovered) is not counted; 5 and 10 Jan are NaN, not 0
    expected = [2, 0, 0, np.nan, 0, 0, 0, 1, np.nan, 1]
    np.testing.assert_array_equal(daily, expected)


def test_series_day_week_month() -> None:
    cov = cov_table("2023-01-02", 10, COV10)
    s = an.series(cov, sorties=SORTIES10, landings=SORTIES10[:2])
    assert set(s) == {"day", "week", "month"}
    for df in s.values():
        assert list(df.columns) == list(cv.SERIES_COLUMNS)
    day = s["day"]
    assert np.isnan(day["sorties"].iloc[3]) and np.isnan(day["rate_per_day"].iloc[8])
    week = s["week"]
    # week of Mon 2 Jan: 7 days, 6 covered, 2 sorties; week of Mon 9 Jan: 3 days (9–11), 2 covered, 2 sorties
    assert week["period_start"].dt.strftime("%Y-%m-%d").tolist() == ["2023-01-02", "2023-01-09"]
    assert week["days"].tolist() == [7, 3]
    assert week["days_covered"].tolist() == [6, 2]
    assert week["sorties"].tolist() == [2.0, 2.0]
    assert week["landings"].tolist() == [2.0, 0.0]
    assert week["rate_per_day"].tolist() == pytest.approx([2 / 6, 1.0])
    month = s["month"]
    # January: 10 days in the input, 8 covered, 4 sorties on covered days → 0.5 a day
    assert month["days"].tolist() == [10] and month["days_covered"].tolist() == [8]
    assert month["sorties"].tolist() == [4.0] and month["rate_per_day"].tolist() == [0.5]


def test_series_period_without_covered_day_is_nan() -> None:
    cov = cov_table("2023-01-02", 3, {0: cv.NO_FILE, 1: cv.NO_FILE, 2: cv.NO_TRAFFIC})
    week = an.series(cov, sorties=times("2023-01-03T10:00"))["week"]
    assert week["days_covered"].tolist() == [0]
    assert np.isnan(week["sorties"].iloc[0]) and np.isnan(week["rate_per_day"].iloc[0])


def test_series_in_report_zone() -> None:
    cov = cov_table("2023-01-01", 3, tz="Asia/Baku")
    # 21:00 UTC on 1 Jan is 01:00 on 2 Jan in Baku
    day = an.series(cov, sorties=times("2023-01-01T21:00"))["day"]
    assert day["sorties"].tolist() == [0.0, 1.0, 0.0]
    assert str(day["period_start"].dt.tz) == "Asia/Baku" and set(day["tz"]) == {"Asia/Baku"}


def test_rolling_rates_over_covered_days() -> None:
    cov = cov_table("2023-01-02", 10, COV10)
    r = an.rolling_rates(cov, SORTIES10, windows_days=(3,))
    # day 3 (5 Jan, uncovered): days 1–3 → covered 1, 2: 0 sorties in 2 days
    # day 7 (9 Jan): days 5–7 all covered, 1 sortie → 1/3
    # day 8 (10 Jan, uncovered): days 6, 7 covered → 1 in 2 days → 0.5
    # day 9 (11 Jan): days 7, 9 covered → 2 in 2 days → 1.0
    assert r["days_covered_3d"].tolist() == [1, 2, 3, 2, 2, 2, 3, 3, 2, 2]
    assert r["rate_3d"].iloc[3] == 0.0
    assert r["rate_3d"].iloc[7] == pytest.approx(1 / 3)
    assert r["rate_3d"].iloc[8] == pytest.approx(0.5)
    assert r["rate_3d"].iloc[9] == pytest.approx(1.0)
    assert np.isnan(r["sorties"].iloc[3]) and not r["covered"].iloc[3]


# ---------------------------------------------------------------------------------------
# windows, event study, intervals


def _events() -> pd.DataFrame:
    return pd.DataFrame(
        {"id": ["ev"], "name": ["clash"], "kind": ["clash"], "start": times("2023-01-04T00:00"), "end": times("2023-01-06T00:00")}
    )


def test_event_windows_with_lead_and_lag() -> None:
    w = an.event_windows(_events(), lead="1d", lag=pd.Timedelta(hours=12))
    assert w["window_start"].iloc[0] == ts("2023-01-03") and w["window_end"].iloc[0] == ts("2023-01-06T12:00")
    w0 = an.event_windows(_events())
    assert w0["window_start"].iloc[0] == ts("2023-01-04") and w0["window_end"].iloc[0] == ts("2023-01-06")
    w2 = an.event_windows(_events(), lead=2, lag=0)  # a number of days
    assert w2["window_start"].iloc[0] == ts("2023-01-02")


def test_event_counts_fractional_days_and_coverage() -> None:
    cov = cov_table("2023-01-02", 10, COV10)
    w = an.event_windows(_events(), lead="1d", lag="12h")
    extra = pd.concat([SORTIES10, times("2023-01-06T06:00", "2023-01-06T18:00")], ignore_index=True)
    out = an.event_counts(w, cov, extra)
    # window 3 Jan 00:00 – 6 Jan 12:00: 3 Jan, 4 Jan, 5 Jan (uncovered), half of 6 Jan → 3.5 days, 2.5 covered;
    # sorties inside on covered days: 6 Jan 06:00 only (5 Jan's is uncovered, 6 Jan 18:00 is after the end)
    assert out["days"].iloc[0] == pytest.approx(3.5)
    assert out["days_covered"].iloc[0] == pytest.approx(2.5)
    assert out["sorties"].iloc[0] == 1.0
    assert out["rate_per_day"].iloc[0] == pytest.approx(1 / 2.5)


def test_event_study_relative_days() -> None:
    cov = cov_table("2023-01-02", 10, COV10)
    st = an.event_study(_events(), cov, SORTIES10, before_days=3, after_days=2)
    # day 0 = 4 Jan; day −3 = 1 Jan is before the input (NaN, not covered)
    assert st["day"].tolist() == [-3, -2, -1, 0, 1, 2]
    np.testing.assert_array_equal(st["sorties"].to_numpy(), [np.nan, 2, 0, 0, np.nan, 0])
    assert st["covered"].tolist() == [False, True, True, True, False, True]


def test_intervals_flag_spans_over_uncovered_days() -> None:
    cov = cov_table("2023-01-02", 10, COV10)
    t = times("2023-01-02T10:00", "2023-01-04T10:00", "2023-01-06T22:00", "2023-01-11T10:00")
    wins = pd.DataFrame({"window": ["w"], "start": [ts("2023-01-01")], "end": [ts("2023-01-08")]})
    iv = an.intervals(t, cov, wins)
    # 2→4 Jan: 2.0 d, all covered; 4→6 Jan 22:00: 2.5 d across 5 Jan (uncovered); 11 Jan is outside the window
    assert iv["days"].tolist() == pytest.approx([2.0, 2.5])
    assert iv["covered"].tolist() == [True, False]
    assert iv["from"].iloc[0] == ts("2023-01-02T10:00") and iv["to"].iloc[1] == ts("2023-01-06T22:00")


def test_ground_times_and_stats() -> None:
    sorties = pd.DataFrame(
        {
            "sortie_id": ["r-001", "r-002", "r-003"],
            "icao24": ["a", "a", "b"],
            "far": ["LLOV", "LLOV", "LTAC"],
            "arrive_far": times("2023-01-02T10:00", "NaT", "2023-01-03T10:00"),
            "depart_far": times("2023-01-02T12:00", "2023-01-04T12:00", "2023-01-03T11:00"),
            "ground_time_s": [7200.0, np.nan, 3600.0],
            "ground_time_min_s": [7200.0, 9000.0, 3600.0],
            "evidence": ["observed", "bridged", "observed"],
        }
    )
    gt = an.ground_times(sorties, airports=["LLOV"])
    assert gt["sortie_id"].tolist() == ["r-001", "r-002"]
    assert gt["exact"].tolist() == [True, False]
    assert gt["ground_time_s"].tolist() == [7200.0, 9000.0]  # the second is a lower bound
    st = an.ground_time_stats(an.ground_times(sorties))
    llov = st.set_index("airport").loc["LLOV"]
    assert (llov["n"], llov["n_exact"], llov["median_s"], llov["n_lower_bound"], llov["lower_bound_median_s"]) == (2, 1, 7200.0, 1, 9000.0)


# ---------------------------------------------------------------------------------------
# statistics


@pytest.mark.parametrize(
    ("n1", "t1", "n0", "t0"),
    [(10, 20.0, 5, 100.0), (0, 10.0, 7, 50.0), (3, 2.5, 1, 40.75), (12, 12.0, 12, 12.0), (7, 3.0, 0, 30.0)],
)
def test_rate_ratio_against_independent_values(n1: int, t1: float, n0: int, t0: float) -> None:
    r = an.rate_ratio(n1, t1, n0, t0, conf=0.95)
    n = n1 + n0
    # closed form of the ratio
    expected = np.inf if n0 == 0 else (n1 / t1) / (n0 / t0)
    assert r.ratio == pytest.approx(expected)
    # the exact interval: Clopper–Pearson on n1 | n from scipy's binomtest, mapped p → RR = p/(1−p)·t0/t1
    bt = stats.binomtest(n1, n, t1 / (t1 + t0))
    ci = bt.proportion_ci(confidence_level=0.95, method="exact")

    def to_rr(p: float) -> float:
        return np.inf if p >= 1 else p / (1 - p) * t0 / t1

    assert r.ci_low == pytest.approx(to_rr(ci.low), rel=1e-9, abs=1e-12)
    assert r.ci_high == pytest.approx(to_rr(ci.high), rel=1e-9)
    assert r.p_value == pytest.approx(bt.pvalue)
    # and the defining property of the limits: P(X ≥ n1 | pL) = P(X ≤ n1 | pU) = 2.5 %
    if n1 > 0:
        p_lo = r.ci_low * t1 / (r.ci_low * t1 + t0)
        assert stats.binom.sf(n1 - 1, n, p_lo) == pytest.approx(0.025, rel=1e-6)
    else:
        assert r.ci_low == 0.0
    if n1 < n:
        p_hi = r.ci_high * t1 / (r.ci_high * t1 + t0)
        assert stats.binom.cdf(n1, n, p_hi) == pytest.approx(0.025, rel=1e-6)
    else:
        assert r.ci_high == np.inf


def test_rate_ratio_without_events_or_exposure() -> None:
    none = an.rate_ratio(0, 10.0, 0, 10.0)
    assert np.isnan(none.ratio) and none.ci_low == 0.0 and none.ci_high == np.inf
    no_time = an.rate_ratio(3, 0.0, 2, 10.0)
    assert np.isnan(no_time.ratio) and np.isnan(no_time.ci_low)


def test_window_rate_ratio_excludes_uncovered_days() -> None:
    cov = cov_table("2023-01-02", 10, COV10)
    t = times("2023-01-02T08:00", "2023-01-02T20:00", "2023-01-03T12:00", "2023-01-04T12:00", "2023-01-05T12:00", "2023-01-09T12:00", "2023-01-11T12:00")
    r = an.window_rate_ratio(cov, t, times("2023-01-03"), times("2023-01-06"))
    # window 3–5 Jan: 5 Jan uncovered → t1 = 2 covered days, n1 = 2 (3 and 4 Jan; 5 Jan's is not counted)
    # outside: 8 covered days − 2 = 6 days, n0 = 4 (two on 2 Jan, 9 Jan, 11 Jan) → RR = (2/2)/(4/6) = 1.5
    assert (r.n1, r.t1, r.n0, r.t0) == (2, pytest.approx(2.0), 4, pytest.approx(6.0))
    assert r.ratio == pytest.approx(1.5)
    # overlapping windows are merged, not counted twice
    r2 = an.window_rate_ratio(cov, t, times("2023-01-03", "2023-01-04"), times("2023-01-06", "2023-01-05"))
    assert (r2.n1, r2.t1) == (2, pytest.approx(2.0))


@pytest.mark.parametrize("unit", ["us", "s"])
def test_window_rate_ratio_reads_window_bounds_in_any_unit(unit: str) -> None:
    # pandas 3 makes µs times by default: windows given in µs (or s) must give the figures the ns windows give above
    cov = cov_table("2023-01-02", 10, COV10)
    t = times("2023-01-02T08:00", "2023-01-02T20:00", "2023-01-03T12:00", "2023-01-04T12:00", "2023-01-05T12:00", "2023-01-09T12:00", "2023-01-11T12:00")
    starts, ends = (pd.DatetimeIndex(times(x)).as_unit(unit) for x in ("2023-01-03", "2023-01-06"))
    r = an.window_rate_ratio(cov, t, starts, ends)
    assert (r.n1, r.t1, r.n0, r.t0) == (2, pytest.approx(2.0), 4, pytest.approx(6.0))
    s, e = an.merge_intervals(starts, ends)
    assert (s.tolist(), e.tolist()) == ([pd.Timestamp("2023-01-03", tz="UTC").value], [pd.Timestamp("2023-01-06", tz="UTC").value])


def _brute_force_p(counts_by_day: dict[int, int], covered_days: list[int], event_days: list[int], n: int) -> tuple[float, float, list[str]]:
    """Independent permutation p-value: every circular shift of the events over the covered days."""
    m = len(covered_days)
    c = [counts_by_day.get(d, 0) for d in covered_days]
    pos = []
    for e in event_days:
        p = next(i for i, d in enumerate(covered_days) if d >= e)  # first covered day at or after the start
        if p >= n:
            pos.append(p)

    def stat(shift: int) -> int:
        return sum(c[(p + shift - k) % m] for p in pos for k in range(1, n + 1))

    all_stats = [stat(s) for s in range(m)]
    observed = all_stats[0]
    return sum(x >= observed for x in all_stats) / m, observed, [str(p) for p in pos]


def test_permutation_p_value_against_brute_force() -> None:
    # 15 days from 1 Jan; day 4 has no file, day 10 no traffic
    cov = cov_table("2023-01-01", 15, {4: cv.NO_FILE, 10: cv.NO_TRAFFIC})
    per_day = {0: 1, 2: 3, 3: 2, 5: 1, 6: 4, 8: 2, 9: 1, 11: 3, 12: 1, 14: 2}
    stamps = [f"2023-01-{d + 1:02d}T{6 + k:02d}:00" for d, k_n in per_day.items() for k in range(k_n)]
    stamps.append("2023-01-05T12:00")  # on the uncovered day: ignored
    t = times(*stamps)
    # events start on day 7 and day 10 (uncovered → maps to day 11); N = 3 covered days before
    starts = times("2023-01-08T09:00", "2023-01-11T03:00")
    res = an.permutation_before_start(cov, t, starts, event_ids=["a", "b"], before_days=3, seed=1)
    covered_days = [d for d in range(15) if d not in (4, 10)]
    p, observed, _ = _brute_force_p(per_day, covered_days, [7, 10], 3)
    # observed by hand: before day 7 → days 6, 5, 3 → 4 + 1 + 2 = 7; before day 11 → days 9, 8, 7 → 1 + 2 + 0 = 3
    assert observed == 10 and res.observed == 10
    assert res.p_value == pytest.approx(p)
    assert res.exhaustive and res.n_shifts == 13 and res.n_covered_days == 13
    assert res.event_ids == ("a", "b")


def test_permutation_random_sample_is_seeded() -> None:
    cov = cov_table("2023-01-01", 60)
    rng = np.random.default_rng(5)
    t = pd.Series(pd.Timestamp("2023-01-01", tz="UTC") + pd.to_timedelta(rng.integers(0, 60 * 24, 80), unit="h")).astype("datetime64[ns, UTC]")
    starts = times("2023-01-20", "2023-02-15")
    exact = an.permutation_before_start(cov, t, starts, before_days=5)
    a = an.permutation_before_start(cov, t, starts, before_days=5, seed=7, max_exhaustive=1, n_random=4000)
    b = an.permutation_before_start(cov, t, starts, before_days=5, seed=7, max_exhaustive=1, n_random=4000)
    assert not a.exhaustive and a.n_shifts == 4001 and a.seed == 7
    assert a.p_value == b.p_value  # same seed, same answer
    assert a.p_value == pytest.approx(exact.p_value, abs=0.05)
    assert exact.exhaustive and exact.n_shifts == 60


def test_window_days_outside_the_input() -> None:
    cov = cov_table("2023-01-01", 3)
    wd = cv.window_days(cov, ts("2023-01-02T12:00"), ts("2023-01-05"))
    # half of 2 Jan, 3 Jan, then 4 Jan beyond the table
    assert wd["fraction"].tolist() == pytest.approx([0.5, 1.0, 1.0])
    assert wd["covered"].tolist() == [True, True, False]
    assert cv.uncovered_text(wd) == "2023-01-04 (1 day: outside the input)"


# ---------------------------------------------------------------------------------------
# properties

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 40), st.integers(0, 40), st.floats(0.5, 200.0), st.floats(0.5, 200.0))
def test_rate_ratio_interval_holds_the_estimate(n1: int, n0: int, t1: float, t0: float) -> None:
    r = an.rate_ratio(n1, t1, n0, t0)
    if n1 + n0 == 0:
        assert r.ci_low == 0.0 and r.ci_high == np.inf
        return
    assert 0.0 <= r.ci_low <= r.ratio <= r.ci_high
    assert 0.0 <= r.p_value <= 1.0


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.booleans()), min_size=1, max_size=70), st.integers(1, 10))
def test_series_totals_and_permutation_bounds(days: list[tuple[int, bool]], before: int) -> None:
    # day i has days[i][0] events and is covered when days[i][1]
    n = len(days)
    cov = cov_table("2023-01-01", n, {i: cv.NO_FILE for i, (_, ok) in enumerate(days) if not ok})
    stamps = [f"{pd.Timestamp('2023-01-01') + pd.Timedelta(days=i):%Y-%m-%d}T{6 + k:02d}:00" for i, (c, _) in enumerate(days) for k in range(c)]
    t = times(*stamps) if stamps else pd.Series([], dtype="datetime64[ns, UTC]")
    covered_total = sum(c for c, ok in days if ok)
    for freq, df in an.series(cov, sorties=t).items():
        assert np.nansum(df["sorties"]) == covered_total, freq
        assert df["days_covered"].sum() == sum(ok for _, ok in days)
        assert (df["sorties"].isna() == (df["days_covered"] == 0)).all()
    res = an.permutation_before_start(cov, t, times("2023-01-20"), before_days=before)
    if not np.isnan(res.p_value):
        assert res.p_value >= 1.0 / res.n_covered_days and res.p_value <= 1.0
        assert res.n_shifts == res.n_covered_days


def test_window_summary_and_day_bounds_by_hand() -> None:
    # 1–5 Jan covered except 2–3 Jan (no file) and 5 Jan (no traffic); the window runs from noon on 1 Jan to 7 Jan:
    # 1 Jan counts half, 2–6 Jan whole (6 Jan beyond the table) → 5.5 days, of them 2 + 1 + 1 = 4 uncovered,
    # in three runs split where the reason changes.
    cov = cov_table("2023-01-01", 5, uncovered={1: cv.NO_FILE, 2: cv.NO_FILE, 4: cv.NO_TRAFFIC})
    days, uncovered, text = cv.window_summary(cov, ts("2023-01-01T12:00"), ts("2023-01-07"))
    assert (days, uncovered) == (5.5, 4.0)
    assert text == ("2023-01-02–2023-01-03 (2 days: no file spans it); 2023-01-05 (1 day: no traffic in the region); "
                    "2023-01-06 (1 day: outside the input)")
    assert cv.window_summary(cov, ts("2023-01-04"), ts("2023-01-04")) == (0.0, 0.0, "")
    b0, b1, covered = cv.window_day_bounds(cov, ts("2023-01-01T12:00"), ts("2023-01-07"))
    assert list(pd.to_datetime(b0, utc=True)) == [ts(f"2023-01-0{d}") for d in range(1, 7)]
    assert list(pd.to_datetime(b1, utc=True)) == [ts(f"2023-01-0{d}") for d in range(2, 8)]
    assert covered.tolist() == [True, False, False, True, False, False]


def test_window_day_bounds_are_local_midnights() -> None:
    # Baku is UTC+4: the local day of 2 Jan runs from 1 Jan 20:00 to 2 Jan 20:00 UTC; a window from 2 Jan 01:00 to
    # 21:00 UTC touches the local days of 2 and 3 Jan, 19 h and 1 h of them (20 h in all, 1 h of it uncovered).
    cov = cov_table("2023-01-01", 3, uncovered={2: cv.NO_TRAFFIC}, tz="Asia/Baku")
    b0, b1, covered = cv.window_day_bounds(cov, ts("2023-01-02T01:00"), ts("2023-01-02T21:00"))
    assert list(pd.to_datetime(b0, utc=True)) == [ts("2023-01-01T20:00"), ts("2023-01-02T20:00")]
    assert list(pd.to_datetime(b1, utc=True)) == [ts("2023-01-02T20:00"), ts("2023-01-03T20:00")]
    assert covered.tolist() == [True, False]
    days, uncovered, text = cv.window_summary(cov, ts("2023-01-02T01:00"), ts("2023-01-02T21:00"))
    assert days == pytest.approx(20 / 24) and uncovered == pytest.approx(1 / 24)
    assert text == "2023-01-03 (1 h: no traffic in the region)"  # the hour of 3 Jan inside the window, not a whole day
