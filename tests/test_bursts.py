"""Statistics that allow for bursts: monthly blocks, the negative-binomial interval, per-event ratios, the
same-season permutation null, and what uncovered conflict days could hold. Every expected value is worked out by
hand in the comments."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest

from flighttrace.claims import VerdictRules
from flighttrace.claims.context import Window
from flighttrace.claims.counting import at_least, room
from flighttrace.kinds.sorties import bursts, nulls
from flighttrace.kinds.sorties import stats as an
from tests.test_claims import FEB_MAR, _cov_feb_mar, claim, leg, legs_frame, run


def _cov(start: str, end: str, *, covered: Any = None) -> pd.DataFrame:
    days = pd.date_range(start, end, freq="D", tz="UTC").as_unit("ns")
    ok = np.ones(len(days), dtype=bool) if covered is None else np.asarray(covered(days), dtype=bool)
    return pd.DataFrame({"date": days, "covered": ok, "tz": ["UTC"] * len(days)})


def _noon(days: list[str]) -> pd.Series:
    return pd.Series(pd.to_datetime(days, utc=True) + pd.Timedelta(hours=12))


# --------------------------------------------------------------------------- monthly blocks


def test_rate_cells_split_each_month_inside_and_outside_the_windows() -> None:
    # Jan–Mar 2023, every day covered; one window 10–19 Feb (10 days); events on 5 and 20 Jan, 12 and 15 Feb (inside),
    # 25 Feb and 3 Mar → inside: Feb 2 in 10 d; outside: Jan 2 in 31 d, Feb 1 in 18 d, Mar 1 in 31 d
    cov = _cov("2023-01-01", "2023-03-31")
    t = _noon(["2023-01-05", "2023-01-20", "2023-02-12", "2023-02-15", "2023-02-25", "2023-03-03"])
    c = an_cells = bursts.rate_cells(cov, t, [pd.Timestamp("2023-02-10", tz="UTC")], [pd.Timestamp("2023-02-20", tz="UTC")])
    assert list(zip(c["side"], c["block"].dt.strftime("%m"), c["n"], c["days"], strict=False)) == [
        ("inside", "02", 2, 10.0), ("outside", "01", 2, 31.0), ("outside", "02", 1, 18.0), ("outside", "03", 1, 31.0)]
    assert an_cells["n"].sum() == 6 and an_cells["days"].sum() == 90.0
    # a window 30 Jan – 10 Feb: its 2 days of January are fewer than min_cell_days (3) and join February's 10
    c2 = bursts.rate_cells(cov, t, [pd.Timestamp("2023-01-30", tz="UTC")], [pd.Timestamp("2023-02-11", tz="UTC")])
    inside = c2[c2["side"] == "inside"]
    assert len(inside) == 1 and inside["days"].iloc[0] == 12.0 and inside["n"].iloc[0] == 0


def _monthly_world(inside_counts: list[int], outside_counts: list[int]) -> tuple[pd.DataFrame, pd.Series, pd.DataFrame]:
    """2001–2010, days 1–28 of every month covered (every month holds 28 covered days); the windows are the Junes.

    ``inside_counts[y]`` sorties in June of year ``y`` and ``outside_counts[k]`` in the ``k``-th other month, on
    days 1, 2, … at noon.
    """
    cov = _cov("2001-01-01", "2010-12-31", covered=lambda d: d.day <= 28)
    months = pd.date_range("2001-01-01", "2010-12-01", freq="MS", tz="UTC")
    junes = [m for m in months if m.month == 6]
    others = [m for m in months if m.month != 6]
    times = []
    for m, k in [*zip(junes, inside_counts, strict=False), *zip(others, outside_counts, strict=False)]:
        times.extend(m + pd.Timedelta(days=int(i // 4), hours=1 + 5 * int(i % 4)) for i in range(k))  # ≤ 4 a day, within days 1–28
    win = pd.DataFrame({"event_id": [f"june-{m.year}" for m in junes], "window_start": junes,
                        "window_end": [m + pd.offsets.MonthBegin(1) for m in junes]})
    return cov, pd.Series(pd.DatetimeIndex(times)), win


def test_negative_binomial_interval_is_wider_for_bursts_and_covers_the_true_ratio() -> None:
    # Junes alternate 0 and 24 sorties (mean 12 per 28 days), the 110 other months alternate 0 and 8 (mean 4):
    # the true ratio is 12 / 4 = 3, and the pooled one too: (120 / 280) / (440 / 3080) = 3.
    # Pearson variance/mean by hand: outside μ = 4, each month (0 − 4)²/4 = (8 − 4)²/4 = 4; inside μ = 12, each
    # June (0 − 12)²/12 = (24 − 12)²/12 = 12 → X² = 110·4 + 10·12 = 560 over 120 − 2 blocks → 4.746.
    cov, t, win = _monthly_world([0, 24] * 5, [0, 8] * 55)
    r = bursts.burst_rate_ratio(cov, t, win["window_start"], win["window_end"])
    e, nb = r.exact, r.nb
    assert (e.n1, e.t1, e.n0, e.t0) == (120, 280.0, 440, 3080.0) and e.ratio == pytest.approx(3.0)
    assert nb.fitted and nb.n_blocks == 120
    assert nb.phi == pytest.approx(560 / 118)
    assert nb.alpha > 0.5  # half the months empty: far from Poisson
    assert nb.ci_low < e.ci_low and nb.ci_high > e.ci_high  # wider than the Poisson interval
    assert nb.ci_low < 3.0 < nb.ci_high
    assert nb.ratio == pytest.approx(3.0, rel=1e-4)  # each side's mean: the same point estimate
    assert (r.ci_low, r.ci_high) == (nb.ci_low, nb.ci_high)  # the interval a verdict uses is the wider one
    assert r.p_value == max(r.exact_p, nb.p_value) and nb.p_value > r.exact_p


def test_negative_binomial_agrees_with_the_exact_interval_on_poisson_counts() -> None:
    # Poisson counts (seeded): mean 12 per June, 4 per other month, true ratio 3. No overdispersion to find, so the
    # negative-binomial interval is the Poisson one (Wald), within 10 % of the exact interval at each end.
    rng = np.random.default_rng(20260301)
    cov, t, win = _monthly_world(list(rng.poisson(12, 10)), list(rng.poisson(4, 110)))
    r = bursts.burst_rate_ratio(cov, t, win["window_start"], win["window_end"])
    e, nb = r.exact, r.nb
    assert nb.fitted and nb.alpha < 0.05 and nb.phi < 1.5
    assert nb.ci_low == pytest.approx(e.ci_low, rel=0.10) and nb.ci_high == pytest.approx(e.ci_high, rel=0.10)
    assert nb.ci_low < 3.0 < nb.ci_high


def test_too_few_blocks_or_no_event_on_one_side_leaves_the_exact_interval() -> None:
    cov = _cov("2023-02-01", "2023-03-12")  # two months: 3 blocks at most
    t = _noon(["2023-02-19", "2023-02-20", "2023-03-05"])
    r = bursts.burst_rate_ratio(cov, t, [pd.Timestamp("2023-02-18", tz="UTC")], [pd.Timestamp("2023-02-23", tz="UTC")])
    assert not r.nb.fitted and "fewer than the 5 needed" in r.nb.note
    assert (r.ci_low, r.ci_high, r.p_value) == (r.exact.ci_low, r.exact.ci_high, r.exact_p)
    cov2, t2, win2 = _monthly_world([0] * 10, [0, 8] * 55)
    r2 = bursts.burst_rate_ratio(cov2, t2, win2["window_start"], win2["window_end"])
    assert not r2.nb.fitted and "no event on one side" in r2.nb.note and r2.exact.n1 == 0


# --------------------------------------------------------------------------- per event


def test_per_event_ratios_show_the_window_with_no_landing() -> None:
    # Feb 1 – Mar 12 covered (40 days). Events: 'ev' 20 Feb and 'calm' 1 Mar, lead and lag 1 day:
    # windows 19–21 Feb and 28 Feb – 2 Mar (3 days each). Landings 19, 20, 21 Feb (inside ev) and 3, 8, 13 Feb,
    # 6, 10 Mar (outside); none in the calm window.
    # Pooled: 3 in 6 d vs 5 in 34 d → RR (3/6)/(5/34) = 3.4. Per event: ev 3 in 3 d → RR (3/3)/(5/34) = 6.8; calm 0 in 3 d → 0.
    days = ["2023-02-19", "2023-02-20", "2023-02-21", "2023-02-03", "2023-02-08", "2023-02-13", "2023-03-06", "2023-03-10"]
    legs = legs_frame([leg("600864", "UBBB", "LLOV", f"{d}T06:00", f"{d}T10:00") for d in days])
    test = {"kind": "rate_ratio", "events": ["ev", "calm"], "lead": "1d", "lag": "1d", "min_ratio": 1.0}
    f = run(claim("rr", test, window=FEB_MAR), legs=legs, cov=_cov_feb_mar())
    st = f.statistics[f.statistics["claim_id"] == "rr"].set_index(["test", "event_ids"])
    pooled = st.loc[("rate_ratio", "ev,calm")]
    assert (pooled["n1"], pooled["t1"], pooled["n0"], pooled["t0"]) == (3, 6.0, 5, 34.0) and pooled["ratio"] == pytest.approx(3.4)
    ev, calm = st.loc[("rate_ratio_event", "ev")], st.loc[("rate_ratio_event", "calm")]
    assert (ev["n1"], ev["t1"], ev["ratio"]) == (3, 3.0, pytest.approx(6.8))
    assert (calm["n1"], calm["t1"], calm["ratio"]) == (0, 3.0, 0.0)
    assert math.isnan(calm["p_value"])  # an estimate beside the pooled test, not a test of its own
    reason = f.claims.iloc[0]["reason"]
    assert "per event window: ev 3 in 3 d, calm 0 in 3 d; 1 of 2 covered window(s) had none (calm)" in reason


# --------------------------------------------------------------------------- the same-season null


def _season_world(sorties_on: Any) -> tuple[pd.DataFrame, pd.Series]:
    """2001–2008, every day covered; one sortie at noon on each day where ``sorties_on(day)``, and every 10th day."""
    cov = _cov("2001-01-01", "2008-12-31")
    d = cov["date"]
    every_tenth = (d.astype("int64") // 86_400_000_000_000) % 10 == 0
    keep = every_tenth | np.asarray(sorties_on(d), dtype=bool)
    return cov, pd.Series(d[keep] + pd.Timedelta(hours=12)).reset_index(drop=True)


STARTS = pd.to_datetime(["2002-10-01", "2004-10-01", "2006-10-01"], utc=True)


def test_a_seasonal_pattern_fools_the_circular_null_but_not_the_same_season_one() -> None:
    # Sorties every day of every September, every 10th day otherwise; the three events start on 1 October.
    # The 30 days before each start are a September: 30 sorties each, 90 in all. Circular shifts put the windows
    # almost anywhere else, where 30 days hold 3 sorties: significant. The same dates in the other years hold
    # 30 too: every draw gives 90, p = 1.
    cov, t = _season_world(lambda d: d.dt.month == 9)
    old = an.permutation_before_start(cov, t, STARTS, before_days=30)
    new = nulls.permutation_same_season(cov, t, STARTS, before_days=30, years=2)
    assert old.observed == 90 and old.p_value < 0.05
    assert new.observed == 90 and new.p_value == 1.0 and new.expected == 90
    assert new.candidates[0] == ((2001, 30.0), (2002, 30.0), (2003, 30.0), (2004, 30.0))  # 2000 lies before the data


def test_the_same_season_null_finds_a_surge_in_the_event_years_alone() -> None:
    # Septembers busy only in 2002, 2004 and 2006 (the event years); with candidate years ±1 each event has three
    # (30 in its own year, 3 in the two others: a 30-day window always holds 3 tenth days), so the observed 90 is
    # reached only when every event draws its own year: p = (1/3)³ = 1/27, over all 27 combinations.
    cov, t = _season_world(lambda d: (d.dt.month == 9) & d.dt.year.isin([2002, 2004, 2006]))
    r = nulls.permutation_same_season(cov, t, STARTS, before_days=30, years=1)
    assert r.exhaustive and r.n_draws == 27
    assert r.candidates == (((2001, 3.0), (2002, 30.0), (2003, 3.0)), ((2003, 3.0), (2004, 30.0), (2005, 3.0)), ((2005, 3.0), (2006, 30.0), (2007, 3.0)))
    assert r.observed == 90 and r.p_value == pytest.approx(1 / 27) and r.expected == pytest.approx(3 * 12.0)


def test_the_same_season_null_skips_uncovered_years_and_is_seeded_when_sampled() -> None:
    cov, t = _season_world(lambda d: d.dt.month == 9)
    cov.loc[cov["date"].dt.year == 2003, "covered"] = False  # 2003 drops out of every candidate list
    r = nulls.permutation_same_season(cov, t, STARTS, before_days=30, years=2)
    assert all(2003 not in dict(c) for c in r.candidates)
    a = nulls.permutation_same_season(cov, t, STARTS, before_days=30, years=2, max_exhaustive=1, n_random=500, seed=3)
    b = nulls.permutation_same_season(cov, t, STARTS, before_days=30, years=2, max_exhaustive=1, n_random=500, seed=3)
    assert not a.exhaustive and a.n_draws == 501 and a == b


# --------------------------------------------------------------------------- what uncovered conflict days could hold


def test_uncovered_days_in_conflict_windows_get_the_surge_rate() -> None:
    from scipy import stats

    rules = VerdictRules()
    win = Window(pd.Timestamp("2016-01-01", tz="UTC"), pd.Timestamp("2021-01-01", tz="UTC"), 1200.0, 200.0, "…")
    # 20 seen on 1,000 covered days: λ = χ²(0.999; 42) / 2 / 1000; 100 of the 200 uncovered days in conflict windows
    # at 5 × λ: the mean is 100·λ + 5·100·λ, and the room the 0.999 quantile of that Poisson count.
    lam = stats.chi2.ppf(0.999, 42) / 2 / 1000
    with_surge = Window(win.start, win.end, win.days, win.uncovered, win.uncovered_text, rates=bursts.UncoveredRates(100.0, 5.0, "test"))
    assert room(with_surge, rules, 20) == stats.poisson.isf(0.001, 600 * lam)
    # no conflict day uncovered: the covered rate alone, as without the model
    calm = Window(win.start, win.end, win.days, win.uncovered, win.uncovered_text, rates=bursts.UncoveredRates(0.0, 5.0, "test"))
    assert room(calm, rules, 20) == room(win, rules, 20) == stats.poisson.isf(0.001, 200 * lam)
    # a surge that cannot be estimated: anything could hide there
    blind = Window(win.start, win.end, win.days, win.uncovered, win.uncovered_text, rates=bursts.UncoveredRates(100.0, math.inf, "test"))
    assert room(blind, rules, 20) == math.inf
    # 40 claimed, 20 found: contradicted at the covered rate (room ≈ 12), inconclusive when the war months are uncovered
    assert at_least(40, 20, 0, 0, win, rules)[0] == "contradicted"
    verdict, reason = at_least(40, 20, 0, 0, with_surge, rules)
    assert verdict == "inconclusive" and "100 of the uncovered days fall in conflict windows and are given 5.0 × the covered rate" in reason


def test_ovda_without_2019_and_2020_leaves_92_in_2016_2020_open() -> None:
    # Every file of 2019 and 2020 removed from the Ovda world: 730 days uncovered, among them the conflict windows
    # of 2020 (Tovuz, the 44-day war, Hadrut, each from 30 days before to 15 after). At the covered (quiet-years) rate
    # they could hold only a few dozen more landings, and "92 in 2016–2020" came out contradicted; at the rate the
    # conflict windows show elsewhere they could hold the rest: inconclusive, and the reason says why.
    from pathlib import Path

    import flighttrace

    root = Path(__file__).resolve().parents[1]
    data = root / "fixtures" / "ovda" / "data"
    files = [str(p) for p in sorted(data.rglob("*")) if p.is_file() and not any(f"_{y}-" in p.name or f"/{y}/" in p.as_posix() for y in ("2019", "2020"))]
    assert len(files) < len([p for p in data.rglob("*") if p.is_file()])
    scn = flighttrace.load_scenario(root / "seeds" / "azerbaijan-ovda.yaml")
    ds = flighttrace.read(files)
    legs = flighttrace.detect_legs(ds.points, scn)
    f = flighttrace.evaluate(legs, scn, coverage=ds, rules=VerdictRules(robustness=False))
    row = f.claims.set_index("claim_id").loc["seed-000-92-in-2016-2020"]
    assert row["days_uncovered"] >= 730
    assert row["verdict"] == "inconclusive"
    assert "of the uncovered days fall in conflict windows and are given" in row["reason"]
    # the same counts with the covered rate alone (the old rule) would have contradicted the claim
    s = int(row["n_observed"] + row["n_inferred"])
    plain = Window(row["window_start"], row["window_end"], row["days_in_window"], row["days_uncovered"], "2019–2020")
    assert at_least(92, s, int(row["n_bridged"]), int(row["n_unknown"]), plain, VerdictRules())[0] == "contradicted"


def test_per_event_intervals_match_the_exact_rate_ratio() -> None:
    # the vectorised intervals of event_rate_ratios are those of stats.rate_ratio, event by event
    cov = _cov("2023-01-01", "2023-03-31")
    t = _noon(["2023-01-05", "2023-01-20", "2023-02-12", "2023-02-15", "2023-02-25", "2023-03-03", "2023-03-04"])
    ev = pd.DataFrame({"event_id": ["a", "b", "c"],
                       "window_start": pd.to_datetime(["2023-02-10", "2023-03-01", "2023-05-01"], utc=True),
                       "window_end": pd.to_datetime(["2023-02-20", "2023-03-02", "2023-05-10"], utc=True)})
    per = bursts.event_rate_ratios(cov, t, ev).set_index("event_id")
    # outside both windows (c lies beyond March): 5 sorties in 90 − 10 − 1 = 79 days
    for eid, n, d in (("a", 2, 10.0), ("b", 0, 1.0)):
        ref = an.rate_ratio(n, d, 5, 79.0)
        assert (per.loc[eid, "n"], per.loc[eid, "days_covered"]) == (n, d)
        assert (per.loc[eid, "ratio"], per.loc[eid, "ci_low"], per.loc[eid, "ci_high"]) == pytest.approx((ref.ratio, ref.ci_low, ref.ci_high))
    assert pd.isna(per.loc["c", "window_start"]) and per.loc["c", "days_covered"] == 0 and math.isnan(per.loc["c", "ratio"])
