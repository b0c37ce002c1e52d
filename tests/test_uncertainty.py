"""Intervals on the mean and the median of the gaps between events, and the verdict they allow."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from flighttrace.claims.uncertainty import band_verdict, mean_interval_ci, median_ci
from tests.test_claims import claim, coverage_jan, leg, legs_frame, run


def test_mean_interval_exact_part_by_hand() -> None:
    # two gaps of 2 d: S = 4, 2n = 4 degrees of freedom; χ²(0.975; 4) = 11.1433, χ²(0.025; 4) = 0.484419
    # → [8 / 11.1433, 8 / 0.484419] = [0.71792, 16.5146]; the bootstrap of two equal values is [2, 2]
    m = mean_interval_ci([2.0, 2.0])
    assert m.value == 2.0 and m.n == 2
    assert m.low == pytest.approx(0.71792, rel=1e-4) and m.high == pytest.approx(16.5146, rel=1e-4)
    assert "percentile bootstrap (2000 resamples, seed 0: 2.00–2.00)" in m.method


def test_mean_interval_bootstrap_widens_for_irregular_gaps_and_is_seeded() -> None:
    # 20 gaps: ten of 0.1 d and ten of 3.9 d (mean 2): bursts. The exact interval for exponential gaps is
    # [2·40 / χ²(0.975; 40), 2·40 / χ²(0.025; 40)] = [80 / 59.342, 80 / 24.433] = [1.348, 3.274].
    # A bootstrap mean is 0.1 + 3.8·K/20 with K ~ Bin(20, ½) long gaps: P(K ≤ 5) = 0.021, P(K ≤ 6) = 0.058, so its
    # 2.5 % point is K = 5 or 6 (1.05 or 1.24 d, below the exact low end) and its 97.5 % point K = 14 or 15 (2.76 or
    # 2.95 d, below the exact high end): the hull runs from the bootstrap's low end to the exact high end.
    gaps = [0.1, 3.9] * 10
    m = mean_interval_ci(gaps, seed=7)
    assert m.value == pytest.approx(2.0)
    assert min(abs(m.low - (0.1 + 3.8 * k / 20)) for k in (5, 6)) < 1e-9 and m.low < 80 / 59.3417
    assert m.high == pytest.approx(80 / 24.4330, rel=1e-4)
    assert mean_interval_ci(gaps, seed=7) == m


def test_median_interval_from_order_statistics() -> None:
    # n = 10: coverage of [x(2), x(9)] is 1 − 2·P(Bin(10, ½) ≤ 1) = 1 − 2·11/1024 = 0.97852; [x(3), x(8)] gives
    # 1 − 2·56/1024 = 0.8906 < 0.95 → [2, 9] for the values 1 … 10
    md = median_ci(list(range(1, 11)))
    assert (md.value, md.low, md.high) == (5.5, 2.0, 9.0)
    assert md.conf == pytest.approx(1 - 2 * 11 / 1024)
    # n = 5: even [x(1), x(5)] covers only 1 − 2/32 = 0.9375: unbounded
    few = median_ci([1, 2, 3, 4, 5])
    assert (few.low, few.high) == (0.0, math.inf)


def test_band_verdict_needs_the_whole_interval() -> None:
    m = mean_interval_ci([2.0, 2.0])  # [0.72, 16.5]
    assert band_verdict(m, 0, 20) == "supported"
    assert band_verdict(m, 0, 2) == "inconclusive"
    assert band_verdict(m, 17, 20) == "contradicted" and band_verdict(m, 0, 0.5) == "contradicted"


def _daily_landings(n_days: int) -> pd.DataFrame:
    return legs_frame([leg("600864", "UBBB", "LLOV", f"2023-01-{d:02d}T06:00", f"2023-01-{d:02d}T10:00") for d in range(1, n_days + 1)])


def test_mean_interval_claim_uses_the_interval() -> None:
    # a landing every day 1–30 Jan, every day covered: 29 gaps of 1 d. Mean 1 d; exact interval
    # [2·29 / χ²(0.975; 58), 2·29 / χ²(0.025; 58)] = [58 / 80.936, 58 / 38.844] = [0.7166, 1.4932]; bootstrap [1, 1].
    window = {"start": "2023-01-01", "end": "2023-01-30"}
    f = run(
        claim("two", {"kind": "mean_interval", "max": "2d"}, window=window),  # inside [0, 2] → supported
        claim("half", {"kind": "mean_interval", "max": "12h"}, window=window),  # all above 0.5 → contradicted
        claim("edge", {"kind": "mean_interval", "max": "29h"}, window=window),  # 1.208 d lies inside → inconclusive
        legs=_daily_landings(30), cov=coverage_jan(()),
    )
    v = {r.claim_id: (r.verdict, r.reason) for r in f.claims.itertuples()}
    assert {k: x[0] for k, x in v.items()} == {"two": "supported", "half": "contradicted", "edge": "inconclusive"}
    assert "mean 1.00 d (95% interval 0.72–1.49 d)" in v["two"][1] and "median 1.00 d" in v["two"][1]
    assert "the mean's interval lies within [0, 2] d" in v["two"][1]
