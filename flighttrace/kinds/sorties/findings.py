"""What the ``sorties`` kind adds to the findings: series, event windows, event study, intervals, ground times and the scenario-wide statistics."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from flighttrace.claims.context import Context, Judged
from flighttrace.claims.prereg import resolve_lead_lag
from flighttrace.kinds.sorties import bursts, nulls
from flighttrace.kinds.sorties import stats as st
from flighttrace.kinds.sorties.claims import burst_row, event_rows
from flighttrace.kinds.sorties.identity import lookalikes, replays
from flighttrace.kinds.sorties.series import main_landings, main_sorties, sortie_times
from flighttrace.numfmt import fmt_count, fmt_n, fmt_p_is

__all__ = ["SortiesFindings", "analyze", "sorties_findings"]


@dataclass
class SortiesFindings:
    """The ``sorties`` kind's tables of one evaluation.

    Attributes
    ----------
    series
        ``"day"`` / ``"week"`` / ``"month"`` → sorties and landings per period
        (:data:`flighttrace.kinds.sorties.stats.SERIES_COLUMNS`).
    rolling
        Daily trailing rates over covered days.
    events
        Each timeline event with its window and its sorties.
    event_study
        Sorties by day relative to each event start.
    intervals
        Intervals between consecutive sorties (or a claim's units) per window.
    ground_times
        Time on the ground at the far field, per sortie.
    statistics
        The scenario-wide rows of the statistics table (rate ratio in the
        conflict windows, permutation test, ground-time medians).
    lookalikes
        Aircraft that resemble a subject selector but are not in it (same
        callsign prefix, same type, or an address in the fleet's national
        block): never counted, always listed
        (:data:`flighttrace.kinds.sorties.identity.LOOKALIKE_COLUMNS`).
    replays
        Legs of the fleet (or of a lookalike) whose track repeats another's
        at a shifted time: a receiver's clock off by days, or a copied track
        (:data:`flighttrace.kinds.sorties.identity.REPLAY_COLUMNS`).
    sorties
        The sorties behind the series: the scenario's first route, every
        fleet aircraft (:func:`flighttrace.find_sorties`; not written as a
        table: the report writes them as ``sorties.csv``).
    """

    series: dict[str, pd.DataFrame]
    rolling: pd.DataFrame
    events: pd.DataFrame
    event_study: pd.DataFrame
    intervals: pd.DataFrame
    ground_times: pd.DataFrame
    statistics: list[dict[str, Any]]
    lookalikes: pd.DataFrame = field(default_factory=pd.DataFrame)
    replays: pd.DataFrame = field(default_factory=pd.DataFrame)
    sorties: pd.DataFrame = field(default_factory=pd.DataFrame)

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables by file name (the series as ``series_day``, ``series_week``, ``series_month``; ``lookalikes``, ``replays``)."""
        out = {"rolling": self.rolling, "events": self.events, "event_study": self.event_study, "intervals": self.intervals,
               "ground_times": self.ground_times, "lookalikes": self.lookalikes, "replays": self.replays}
        for freq, df in self.series.items():
            out[f"series_{freq}"] = df
        return out

    def statistics_rows(self) -> list[dict[str, Any]]:
        """The scenario-wide rows of the statistics table."""
        return self.statistics

    def summary(self) -> str:
        """The scenario-wide statistics in a few lines."""
        lines = []
        for r in self.statistics:
            if r["test"] == "rate_ratio" and not r["claim_id"]:
                if np.isnan(r["ci_low"]):
                    lines.append("rate ratio in conflict windows: not computable (no covered day inside or outside the windows)")
                else:
                    lines.append(f"rate ratio in conflict windows: {r['ratio']:.2f} (CI {r['ci_low']:.2f}–{r['ci_high']:.2f}, allowing for bursts; "
                                 f"variance/mean of the monthly counts {r['dispersion']:.1f}), {fmt_p_is(r['p_value'])}")
            elif r["test"] == "permutation_before_start":
                if np.isnan(r["p_value"]):
                    lines.append("sorties before conflict starts: not computable (no conflict start with enough covered days before it)")
                else:
                    lines.append(f"sorties before conflict starts: {r['observed']:g} vs {r['expected']:.1f} expected, circular-shift {fmt_p_is(r['p_value'])} ({fmt_n(r['n_shifts'], 'shift')}; ignores season and trend)")
            elif r["test"] == "permutation_same_season" and not np.isnan(r["p_value"]):
                lines.append(f"  against the same dates of nearby years: {r['observed']:.1f} vs {r['expected']:.1f} expected, {fmt_p_is(r['p_value'])} ({fmt_n(r['n_shifts'], 'draw')})")
        return "\n".join(lines)


def _permutation_rows(ctx: Context, conflict: pd.DataFrame, s_times: pd.Series, *, seed: int) -> list[dict[str, Any]]:
    """The two permutation tests of "sorties cluster before conflict starts": circular shifts, and the same season of nearby years."""
    rules, ids = ctx.rules, tuple(conflict["event_id"])
    p = st.permutation_before_start(
        ctx.cov, s_times, conflict["start"], event_ids=ids, before_days=rules.before_days, seed=seed,
        max_exhaustive=rules.max_exhaustive, n_random=rules.n_random_shifts,
    )
    how = f"exhaustive over all {fmt_count(p.n_shifts)} circular shifts" if p.exhaustive else f"random sample of {fmt_count(p.n_shifts - 1)} shifts plus the observed dates (seed {p.seed})"
    q = nulls.permutation_same_season(
        ctx.cov, s_times, conflict["start"], event_ids=ids, before_days=rules.before_days, years=rules.season_years,
        min_covered=rules.season_min_covered, seed=seed, n_random=rules.n_random_shifts,
    )
    how_q = f"every one of the {fmt_count(q.n_draws)} combinations of years" if q.exhaustive else f"{fmt_count(q.n_draws - 1)} random draws plus the observed dates (seed {q.seed})"
    blank = {"baseline": math.nan, "ci_low": math.nan, "ci_high": math.nan, "n1": math.nan, "t1": math.nan, "n0": math.nan, "t0": math.nan}
    return [
        {**blank, "test": "permutation_before_start", "claim_id": "", "event_ids": ",".join(p.event_ids), "observed": p.observed,
         "expected": p.expected, "ratio": p.observed / p.expected if p.expected else math.nan, "p_value": p.p_value,
         "n_shifts": float(p.n_shifts), "seed": float(p.seed),
         "note": f"sorties in the {p.before_days} covered days before each event start, summed; event dates shifted together around a circle of {fmt_count(p.n_covered_days)} covered days; {how}; p = share of shifts with a statistic ≥ the observed one; this null keeps the order of the days but not season or trend (see permutation_same_season)"},
        {**blank, "test": "permutation_same_season", "claim_id": "", "event_ids": ",".join(q.event_ids), "observed": q.observed,
         "expected": q.expected, "ratio": q.observed / q.expected if q.expected else math.nan, "p_value": q.p_value,
         "n_shifts": float(q.n_draws), "seed": float(q.seed),
         "note": (f"sorties in the {q.before_days} days before each event start (scaled to {q.before_days} days from the covered ones), summed; "
                  f"null: each event's year drawn from the same calendar dates in the years at most {rules.season_years} away (season kept, "
                  f"trend kept locally); {how_q}; p = share of draws with a statistic ≥ the observed one; per event, year and value: {q.text()}")},
    ]


def _scenario_statistics(ctx: Context, windows: pd.DataFrame, s_times: pd.Series, gt: pd.DataFrame, *, seed: int) -> list[dict[str, Any]]:
    """Scenario-wide rows: rate ratio in conflict windows (pooled and per event), permutation tests, ground-time medians."""
    rules, rows = ctx.rules, []
    conflict = windows[windows["kind"].isin(rules.conflict_kinds)]
    ids = tuple(conflict["event_id"])
    if len(conflict):
        r, _ = bursts.conflict_rate_ratio(ctx)
        assert r is not None  # there are conflict windows, so the rate ratio was computed
        note = f"all sorties of the series; event kinds {', '.join(rules.conflict_kinds)}; windows as in the events table; baseline: the rest of the covered period"
        rows.append(burst_row("rate_ratio", "", ids, r, note=note))
        per = bursts.event_rate_ratios(ctx.cov, s_times, conflict, conf=rules.conf)
        rows.extend(event_rows("", per, note="all sorties of the series"))
        rows.extend(_permutation_rows(ctx, conflict, s_times, seed=seed))
    for _, g in st.ground_time_stats(gt).iterrows():
        rows.append({
            "test": "ground_time_median_s", "claim_id": "", "event_ids": "", "observed": g["median_s"], "expected": math.nan,
            "baseline": math.nan, "ratio": math.nan, "ci_low": g["min_s"], "ci_high": g["max_s"], "p_value": math.nan,
            "n_shifts": math.nan, "seed": math.nan, "n1": float(g["n_exact"]), "t1": math.nan, "n0": float(g["n_lower_bound"]), "t0": math.nan,
            "note": f"at {g['airport']}: median of {g['n_exact']} exact stays of {g['n']} (ci_low/ci_high hold min/max; n0 counts stays known only as a lower bound, median {g['lower_bound_median_s'] / 3600:.1f} h)",
        })
    return rows



def sorties_findings(ctx: Context, judged: list[Judged]) -> SortiesFindings:
    """Compute the kind's tables from the context and the judged claims (whose intervals join the table)."""
    rules, cov, scenario = ctx.rules, ctx.cov, ctx.scenario
    main = main_sorties(ctx)
    s_times = sortie_times(main)
    l_times = main_landings(ctx)
    events_frame = scenario.events_frame()
    lead, lag, _ = resolve_lead_lag(scenario, rules.lead, rules.lag)
    windows = st.event_windows(events_frame, lead=lead, lag=lag)
    events_df = st.event_counts(windows, cov, s_times)
    study = st.event_study(events_frame, cov, s_times, before_days=rules.study_days, after_days=rules.study_days)
    iv_windows = pd.DataFrame({"window": windows["event_id"], "start": windows["window_start"], "end": windows["window_end"]})
    ivs = [st.intervals(s_times, cov, iv_windows).assign(what="sorties"), *(j.intervals for j in judged if j.intervals is not None)]
    intervals_df = pd.concat([i for i in ivs if len(i)], ignore_index=True) if any(len(i) for i in ivs) else ivs[0]
    gt = st.ground_times(main)
    return SortiesFindings(
        series=st.series(cov, sorties=s_times, landings=l_times),
        rolling=st.rolling_rates(cov, s_times, windows_days=rules.rolling_days),
        events=events_df,
        event_study=study,
        intervals=intervals_df,
        ground_times=gt,
        statistics=_scenario_statistics(ctx, windows, s_times, gt, seed=rules.seed),
        lookalikes=lookalikes(ctx),
        replays=replays(ctx),
        sorties=main,
    )


def analyze(ctx: Context, judged: list[Judged]) -> SortiesFindings:
    """The kind's own tables for the findings (the registry's entry point; see :mod:`flighttrace.kinds`)."""
    return sorties_findings(ctx, judged)
