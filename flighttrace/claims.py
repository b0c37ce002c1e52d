"""Claim verdicts: every claim of a scenario tested against legs, sorties and coverage.

:func:`evaluate` takes a scenario and the legs detected in the data and returns
:class:`Findings`: a verdict for every claim (``supported``, ``contradicted``
or ``inconclusive``) with its reason, the observed and expected values and the
evidence (sortie and leg ids, down to ``src_file`` / ``src_row`` ranges), plus
the frequency series, event windows, statistics and the coverage table.

The rules are written out in ``docs/verdicts.md``. In short: only ``observed``
and ``inferred`` ends count as evidence for or against a figure; ``bridged``
ends and legs whose end names no field can only make a verdict
``inconclusive``; a shortfall is a contradiction only when every day of the
window is covered; the claim's ``record`` (published, second-hand,
unconfirmed, disputed) is reported alongside and never changes the verdict.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd

from flighttrace import analysis as an
from flighttrace.csvsafe import write_csv
from flighttrace.legs import GRADES
from flighttrace.scenario import DISRUPTION_KINDS
from flighttrace.schema import TIME_DTYPE
from flighttrace.timefmt import fmt_duration

__all__ = [
    "VERDICTS",
    "CLAIMS_COLUMNS",
    "EVIDENCE_COLUMNS",
    "STATISTICS_COLUMNS",
    "VerdictRules",
    "Findings",
    "evaluate",
]

VERDICTS: Final[tuple[str, ...]] = ("supported", "contradicted", "inconclusive")
"""The three verdicts."""

CLAIMS_COLUMNS: Final[tuple[str, ...]] = (
    "claim_id", "statement", "source", "record", "test", "expected", "observed", "verdict", "reason",
    "n_observed", "n_inferred", "n_bridged", "window_start", "window_end", "days_in_window", "days_uncovered",
    "evidence", "unit", "value", "n_unknown",
)
"""Columns of :attr:`Findings.claims` (``value`` is the observed figure as a number; ``n_unknown``
counts fleet legs in the window whose relevant end names no field)."""

EVIDENCE_COLUMNS: Final[tuple[str, ...]] = ("claim_id", "item_id", "kind", "grade", "time", "airport", "lineage", "legs", "detail")
"""Columns of :attr:`Findings.evidence` (one row per sortie or leg behind a verdict)."""

STATISTICS_COLUMNS: Final[tuple[str, ...]] = (
    "test", "claim_id", "event_ids", "observed", "expected", "baseline", "ratio", "ci_low", "ci_high", "p_value",
    "n_shifts", "seed", "n1", "t1", "n0", "t0", "note",
)
"""Columns of :attr:`Findings.statistics`."""

_TABLES: Final[tuple[str, ...]] = ("claims", "evidence", "rolling", "events", "event_study", "intervals", "ground_times", "statistics", "coverage")


@dataclass(frozen=True)
class VerdictRules:
    """Thresholds of the analysis, each with its unit.

    Parameters
    ----------
    conf
        Confidence level of the rate-ratio intervals (0–1). Default 0.95.
    max_per_uncovered_day
        A hard cap on how many events an uncovered day could hold (events/day)
        when judging whether uncovered days "could hold the rest" of a count.
        Default ``inf`` (no cap; the plausibility rule below decides).
    uncovered_alpha
        The uncovered days of a window could hold ``m`` more events only if a
        Poisson process at the window's covered rate (its upper
        ``1 - uncovered_alpha`` confidence bound) gives ``m`` or more with
        probability at least ``uncovered_alpha``. Used only when at least half
        the window is covered; otherwise any shortfall stays inconclusive.
        Default 0.001.
    before_days
        N of the permutation test: covered days before each event start.
    study_days
        Days listed before and after each event start in the event study.
    conflict_kinds
        Event kinds that count as conflict starts in the scenario-wide
        statistics.
    rolling_days
        Lengths (days) of the trailing rolling rates.
    max_exhaustive
        Evaluate every circular shift when (covered days × events) is at most
        this many cells; otherwise a random sample.
    n_random_shifts
        Size of that random sample (shifts).
    disruption
        Thresholds of the disruption measures (closures, diversions,
        holding, go-arounds): a :class:`flighttrace.disruption.DisruptionParams`;
        ``None`` for its defaults.
    """

    conf: float = 0.95
    max_per_uncovered_day: float = math.inf
    uncovered_alpha: float = 0.001
    before_days: int = 30
    study_days: int = 30
    conflict_kinds: tuple[str, ...] = ("war", "clash", "offensive")
    rolling_days: tuple[int, ...] = (7, 30)
    max_exhaustive: int = 10_000_000
    n_random_shifts: int = 10_000
    disruption: Any = None

    def disruption_params(self) -> Any:
        """The thresholds of the disruption measures (:class:`flighttrace.disruption.DisruptionParams`)."""
        from flighttrace.disruption import DisruptionParams

        return self.disruption if self.disruption is not None else DisruptionParams()


# ---------------------------------------------------------------------------------------
# the result


def _iso_col(s: pd.Series) -> pd.Series:
    tz = str(s.dt.tz)
    if tz == "UTC":
        txt = s.dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    else:
        txt = s.dt.strftime("%Y-%m-%dT%H:%M:%S%z").str.replace(r"([+-]\d\d)(\d\d)$", r"\1:\2", regex=True)
    return txt.where(s.notna(), None)


def _for_csv(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for c in out.columns:
        if isinstance(out[c].dtype, pd.DatetimeTZDtype):
            out[c] = _iso_col(out[c])
    return out


def _write(df: pd.DataFrame, out: Path, name: str) -> list[Path]:
    csv = out / f"{name}.csv"
    pq = out / f"{name}.parquet"
    write_csv(_for_csv(df), csv)
    df.reset_index(drop=True).to_parquet(pq, index=False)
    return [csv, pq]


@dataclass
class Findings:
    """Everything :func:`evaluate` found: verdicts, series, statistics, coverage.

    Attributes
    ----------
    claims
        One row per claim (:data:`CLAIMS_COLUMNS`).
    evidence
        The sorties and legs behind each verdict (:data:`EVIDENCE_COLUMNS`).
    series
        ``"day"`` / ``"week"`` / ``"month"`` → sorties and landings per period
        (:data:`flighttrace.analysis.SERIES_COLUMNS`).
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
        Rate ratios and permutation tests (:data:`STATISTICS_COLUMNS`).
    coverage
        The coverage table.
    tz
        Report zone of every daily table.
    synthetic
        The input came from flighttrace's simulator.
    warnings
        Notes that apply to the whole run (for example: coverage assumed).
    disruption
        The disruption measures (:class:`flighttrace.disruption.Disruption`)
        of a disruption scenario, else ``None``.
    """

    claims: pd.DataFrame
    evidence: pd.DataFrame
    series: dict[str, pd.DataFrame]
    rolling: pd.DataFrame
    events: pd.DataFrame
    event_study: pd.DataFrame
    intervals: pd.DataFrame
    ground_times: pd.DataFrame
    statistics: pd.DataFrame
    coverage: pd.DataFrame
    tz: str
    synthetic: bool
    warnings: tuple[str, ...] = field(default_factory=tuple)
    disruption: Any = None

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table by file name (series as ``series_day``, ``series_week``, ``series_month``; the
        disruption measures, when computed, as ``disruption_hourly``, ``closures``, ``diversions``,
        ``holdings``, ``go_arounds`` and ``movements``)."""
        out = {name: getattr(self, name) for name in _TABLES}
        for freq, df in self.series.items():
            out[f"series_{freq}"] = df
        if self.disruption is not None:
            out.update(self.disruption.tables())
        return out

    def verdicts(self) -> pd.DataFrame:
        """The short verdict table: claim, record, expected, observed, verdict, reason."""
        return self.claims[["claim_id", "record", "expected", "observed", "verdict", "reason"]].copy()

    def to_dir(self, path: str | os.PathLike[str]) -> dict[str, list[Path]]:
        """Write every table as CSV and Parquet, plus ``findings.json``.

        CSV times are ISO 8601: ``Z`` for UTC columns, the offset for
        report-zone columns. The same findings give the same bytes.

        Parameters
        ----------
        path
            Folder; created when missing.

        Returns
        -------
        dict
            Table name → written paths.
        """
        out = Path(path)
        out.mkdir(parents=True, exist_ok=True)
        written = {name: _write(df, out, name) for name, df in self.tables().items()}
        meta = {
            "tz": self.tz,
            "synthetic": self.synthetic,
            "warnings": list(self.warnings),
            "verdicts": {v: int((self.claims["verdict"] == v).sum()) for v in VERDICTS},
            "tables": sorted(written),
        }
        (out / "findings.json").write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        written["findings"] = [out / "findings.json"]
        return written

    def summary(self) -> str:
        """A few lines: verdict counts, coverage, the main statistics, warnings."""
        lines = []
        if self.synthetic:
            lines.append("SYNTHETIC DATA: the input came from flighttrace's simulator.")
        vc = self.claims["verdict"].value_counts()
        lines.append(f"{len(self.claims)} claims: " + ", ".join(f"{int(vc.get(v, 0))} {v}" for v in VERDICTS))
        cov = self.coverage
        if len(cov):
            unc = cov[~cov["covered"]]
            lines.append(
                f"coverage ({self.tz} days): {int(cov['covered'].sum())} of {len(cov)} days covered, "
                f"{len(unc)} uncovered ({cov['date'].iloc[0]:%Y-%m-%d} – {cov['date'].iloc[-1]:%Y-%m-%d})"
            )
        for _, r in self.statistics[self.statistics["claim_id"] == ""].iterrows():
            if r["test"] == "rate_ratio":
                if np.isnan(r["ci_low"]):
                    lines.append("rate ratio in conflict windows: not computable (no covered day inside or outside the windows)")
                else:
                    lines.append(f"rate ratio in conflict windows: {r['ratio']:.2f} (CI {r['ci_low']:.2f}–{r['ci_high']:.2f}), p = {r['p_value']:.3g}")
            elif r["test"] == "permutation_before_start":
                if np.isnan(r["p_value"]):
                    lines.append("sorties before conflict starts: not computable (no conflict start with enough covered days before it)")
                else:
                    lines.append(f"sorties before conflict starts: {r['observed']:g} vs {r['expected']:.1f} expected, permutation p = {r['p_value']:.3g} ({int(r['n_shifts'])} shifts)")
        if self.disruption is not None:
            lines.append(self.disruption.summary())
        lines.extend(f"warning: {w}" for w in self.warnings)
        return "\n".join(lines)

    def __repr__(self) -> str:
        vc = self.claims["verdict"].value_counts()
        detail = ", ".join(f"{int(vc.get(v, 0))} {v}" for v in VERDICTS)
        return f"<flighttrace.Findings: {len(self.claims)} claims ({detail}), tz {self.tz}{', SYNTHETIC' if self.synthetic else ''}>"


# ---------------------------------------------------------------------------------------
# subject items: the sorties and legs a claim counts

STRONG: Final[tuple[str, ...]] = ("observed", "inferred")
"""Grades that count as evidence for or against a figure."""

ASSUMED: Final = "coverage not given: the span of the legs was assumed covered"

_RANK: Final = {g: i for i, g in enumerate(GRADES)}
_ITEM_COLUMNS: Final = ["item_id", "kind", "grade", "time", "airport", "dest", "dest_grade", "lineage", "legs", "gt_s", "gt_min_s", "detail"]


def _weakest(a: Any, b: Any) -> np.ndarray:
    """Element-wise weakest of two grade arrays (missing counts as ``unknown``)."""
    ra = pd.Series(np.asarray(a, dtype=object)).map(_RANK).fillna(len(GRADES) - 1).to_numpy(dtype=np.int64)
    rb = pd.Series(np.asarray(b, dtype=object)).map(_RANK).fillna(len(GRADES) - 1).to_numpy(dtype=np.int64)
    return np.asarray(GRADES, dtype=object)[np.maximum(ra, rb)]


def _obj(s: pd.Series) -> np.ndarray:
    """A column as an object array with None for missing values."""
    a = s.astype(object).to_numpy()
    return np.where(pd.isna(a), None, a)


def _empty_items() -> pd.DataFrame:
    df = pd.DataFrame({c: pd.Series([], dtype=object) for c in _ITEM_COLUMNS})
    df["time"] = df["time"].astype(TIME_DTYPE)
    df["gt_s"] = df["gt_s"].astype(float)
    df["gt_min_s"] = df["gt_min_s"].astype(float)
    return df


def _empty_evidence() -> pd.DataFrame:
    df = pd.DataFrame({c: pd.Series([], dtype=object) for c in EVIDENCE_COLUMNS})
    df["time"] = df["time"].astype(TIME_DTYPE)
    return df


def _sortie_times(sorties: pd.DataFrame) -> pd.Series:
    """When each sortie was at the far field: the arrival, else the departure (UTC)."""
    if len(sorties) == 0:
        return pd.Series([], dtype=TIME_DTYPE)
    return sorties["arrive_far"].astype(TIME_DTYPE).fillna(sorties["depart_far"].astype(TIME_DTYPE))


class _Context:
    """What every claim of one evaluation shares: data, coverage, caches."""

    def __init__(self, scenario: Any, legs: pd.DataFrame, cov: pd.DataFrame, sorties: pd.DataFrame | None, rules: VerdictRules, *, assumed: bool,
                 points: pd.DataFrame | None = None, disruption: Any = None, tz: str = "UTC") -> None:
        self.scenario = scenario
        self.legs = legs
        self.cov = cov
        self.given_sorties = sorties
        self.rules = rules
        self.assumed = assumed
        self.points = points
        self.tz = tz
        self._disruption = disruption
        self._fleet: dict[str | None, pd.DataFrame] = {}
        self._sorties: dict[tuple[str, str | None], pd.DataFrame] = {}

    def disruption(self) -> Any:
        """The disruption measures of the data (computed on first use)."""
        if self._disruption is None:
            from flighttrace.disruption import analyze

            self._disruption = analyze(self.scenario, self.legs, self.points, coverage=self.cov, report_tz=self.tz,
                                       params=self.rules.disruption_params())
        return self._disruption

    def resolve(self, name: str | None) -> frozenset[str] | None:
        """Codes a group or code stands for; None when not given."""
        return None if name is None else self.scenario.resolve_airports(name)

    def fleet_legs(self, selector: str | None) -> pd.DataFrame:
        """Legs of a fleet selector (default: every subject selector)."""
        if selector not in self._fleet:
            lg = self.legs
            mask = np.asarray(self.scenario.fleet_mask(lg, selector), dtype=bool) if len(lg) else np.zeros(0, dtype=bool)
            self._fleet[selector] = lg[mask].reset_index(drop=True)
        return self._fleet[selector]

    def sorties(self, route: str, fleet: str | None) -> pd.DataFrame:
        """Sorties of a route for a fleet: from the given table, else :func:`find_sorties`."""
        key = (route, fleet)
        if key not in self._sorties:
            given = self.given_sorties
            if given is not None and "route" in given and (given["route"] == route).any():
                s = given[given["route"] == route]
                if fleet is not None:
                    s = s[np.asarray(self.scenario.fleet_mask(s, fleet), dtype=bool)]
                self._sorties[key] = s.reset_index(drop=True)
            else:
                from flighttrace.sorties import find_sorties

                self._sorties[key] = find_sorties(self.legs, self.scenario, route, fleet=fleet)
        return self._sorties[key]

    def main_sorties(self) -> pd.DataFrame:
        """The sorties behind the series: the given table, else the first route's."""
        if self.given_sorties is not None:
            return self.given_sorties.reset_index(drop=True)
        if not self.scenario.routes:
            from flighttrace.sorties import SORTIES_COLUMNS

            return pd.DataFrame(columns=list(SORTIES_COLUMNS))
        return self.sorties(self.scenario.routes[0].id, None)

    def main_landings(self) -> pd.Series:
        """Landing times of the fleet's legs at the first route's far field (any named end)."""
        if not self.scenario.routes or len(self.legs) == 0:
            return pd.Series([], dtype=TIME_DTYPE)
        seq = self.scenario.routes[0].sequence
        far = self.resolve(seq[1] if len(seq) > 1 else seq[0])
        lg = self.fleet_legs(None)
        lg = lg[lg["destination"].isin(far)]
        return lg["landing_time"].astype(TIME_DTYPE).fillna(lg["landing_time_latest"].astype(TIME_DTYPE)).dropna().reset_index(drop=True)


def _leg_frame(lg: pd.DataFrame, grade: np.ndarray, time: pd.Series, airport: Any, dest: Any, dest_grade: Any, detail: Any) -> pd.DataFrame:
    n = len(lg)
    out = pd.DataFrame(
        {
            "item_id": _obj(lg["leg_id"]),
            "kind": np.full(n, "leg", dtype=object),
            "grade": np.asarray(grade, dtype=object),
            "time": time.astype(TIME_DTYPE).array,
            "airport": np.asarray(airport, dtype=object),
            "dest": np.asarray(dest, dtype=object),
            "dest_grade": np.asarray(dest_grade, dtype=object),
            "lineage": _obj(lg["lineage"]) if "lineage" in lg else np.full(n, None, dtype=object),
            "legs": _obj(lg["leg_id"]),
            "gt_s": np.full(n, np.nan),
            "gt_min_s": np.full(n, np.nan),
            "detail": np.asarray(detail, dtype=object),
        }
    )
    out["time"] = out["time"].astype(TIME_DTYPE)
    return out


def _route_text(a: Any, b: Any) -> np.ndarray:
    return (pd.Series(_obj(pd.Series(a))).fillna("?").astype(str) + "→" + pd.Series(_obj(pd.Series(b))).fillna("?").astype(str)).to_numpy(dtype=object)


def _leg_items(ctx: _Context, subj: Any) -> pd.DataFrame:
    """Legs a landings / departures / legs subject counts, graded; unnamed ends graded ``unknown``."""
    lg = ctx.fleet_legs(subj.fleet)
    if len(lg) == 0:
        return _empty_items()
    A, F, T = ctx.resolve(subj.airport), ctx.resolve(subj.from_), ctx.resolve(subj.to)
    route = _route_text(lg["origin"], lg["destination"])
    if subj.unit in ("landings", "departures"):
        land = subj.unit == "landings"
        end, other, other_set = ("destination", "origin", F) if land else ("origin", "destination", T)
        e, o = lg[end], lg[other]
        eg, og = lg[f"{end}_evidence"].astype(object), lg[f"{other}_evidence"].astype(object)
        o_ok = np.ones(len(lg), dtype=bool) if other_set is None else (o.isna() | o.isin(other_set)).to_numpy()
        known = (e.notna() & e.isin(A or frozenset())).to_numpy() & o_ok
        possible = e.isna().to_numpy() & o_ok
        grade = eg.to_numpy(dtype=object)
        if other_set is not None:
            grade = np.where(o.notna().to_numpy(), _weakest(eg, og), "unknown")
        grade = np.where(possible, "unknown", grade)
        if land:
            t = lg["landing_time"].astype(TIME_DTYPE).fillna(lg["landing_time_latest"].astype(TIME_DTYPE))
            t = t.where(known, lg["last_seen"].astype(TIME_DTYPE)).fillna(lg["last_seen"].astype(TIME_DTYPE))
        else:
            t = lg["takeoff_time"].astype(TIME_DTYPE).fillna(lg["takeoff_time_earliest"].astype(TIME_DTYPE))
            t = t.where(known, lg["first_seen"].astype(TIME_DTYPE)).fillna(lg["first_seen"].astype(TIME_DTYPE))
        reason = lg[f"{end}_reason"].astype(object).fillna("") if f"{end}_reason" in lg else pd.Series([""] * len(lg))
        detail = np.where(possible, "no field named at this end: " + reason.astype(str).to_numpy(dtype=object), route)
        dest, dest_g = lg["destination"], lg["destination_evidence"]
        keep = known | possible
        return _leg_frame(lg[keep], grade[keep], t[keep], _obj(e)[keep], _obj(dest)[keep], _obj(dest_g)[keep], detail[keep])
    # unit legs: from → origin, to → destination, airport → either end
    grade = np.full(len(lg), "observed", dtype=object)
    ok = np.ones(len(lg), dtype=bool)
    for col, S in (("origin", F), ("destination", T)):
        if S is not None:
            known = lg[col].notna().to_numpy()
            ok &= ~known | lg[col].isin(S).to_numpy()
            grade = _weakest(grade, np.where(known, lg[f"{col}_evidence"].astype(object), "unknown"))
    if A is not None:
        o_in, d_in = lg["origin"].isin(A).to_numpy(), lg["destination"].isin(A).to_numpy()
        any_null = (lg["origin"].isna() | lg["destination"].isna()).to_numpy()
        ok &= o_in | d_in | any_null
        end_g = np.where(o_in, lg["origin_evidence"].astype(object), np.where(d_in, lg["destination_evidence"].astype(object), "unknown"))
        grade = _weakest(grade, end_g)
    t = lg["takeoff_time"].astype(TIME_DTYPE).fillna(lg["first_seen"].astype(TIME_DTYPE))
    return _leg_frame(lg[ok], grade[ok], t[ok], _obj(lg["destination"])[ok], _obj(lg["destination"])[ok], _obj(lg["destination_evidence"])[ok], route[ok])


def _sortie_items(ctx: _Context, subj: Any) -> pd.DataFrame:
    """Sorties of the subject's route and fleet, plus fleet legs that could be unseen sorties."""
    s = ctx.sorties(subj.route, subj.fleet)
    A, F, T = ctx.resolve(subj.airport), ctx.resolve(subj.from_), ctx.resolve(subj.to)
    parts = []
    if len(s):
        grade = s["evidence"].astype(object).to_numpy()
        ok = np.ones(len(s), dtype=bool)
        if A is not None:
            ok &= s["far"].isin(A).to_numpy()
        for col, S in (("origin", F), ("back", T)):
            if S is not None:
                known = s[col].notna().to_numpy()
                ok &= ~known | s[col].isin(S).to_numpy()
                grade = _weakest(grade, np.where(known, s[f"{col}_evidence"].astype(object), "unknown"))
        s2 = s[ok]
        gt_h = s2["ground_time_s"].astype(float).map(lambda v: "" if np.isnan(v) else f", ground {fmt_duration(v)}")
        legs = (pd.Series(_obj(s2["in_leg"])).fillna("").astype(str) + ";" + pd.Series(_obj(s2["out_leg"])).fillna("").astype(str)).str.strip(";")
        parts.append(
            pd.DataFrame(
                {
                    "item_id": _obj(s2["sortie_id"]),
                    "kind": np.full(len(s2), "sortie", dtype=object),
                    "grade": grade[ok],
                    "time": _sortie_times(s2).array,
                    "airport": _obj(s2["far"]),
                    "dest": _obj(s2["back"]),
                    "dest_grade": _obj(s2["back_evidence"]),
                    "lineage": _obj(s2["lineage"]),
                    "legs": legs.to_numpy(dtype=object),
                    "gt_s": s2["ground_time_s"].astype(float).to_numpy(),
                    "gt_min_s": s2["ground_time_min_s"].astype(float).to_numpy(),
                    "detail": (pd.Series(_route_text(s2["origin"], s2["far"])) + "→" + pd.Series(_obj(s2["back"])).fillna("?").astype(str) + gt_h.to_numpy()).to_numpy(dtype=object),
                }
            ).astype({"time": TIME_DTYPE})
        )
    # fleet legs from home (or from nowhere named) whose end names no field: could be unseen sorties
    lg = ctx.fleet_legs(subj.fleet)
    if len(lg):
        home = ctx.resolve(ctx.scenario.route(subj.route).sequence[0])
        if F is not None:
            home = home & F
        used = set(_obj(s["in_leg"])) | set(_obj(s["out_leg"])) if len(s) else set()
        poss = lg["destination"].isna() & (lg["origin"].isna() | lg["origin"].isin(home)) & ~lg["leg_id"].isin(used)
        p = lg[poss.to_numpy()]
        if len(p):
            reason = p["destination_reason"].astype(object).fillna("").astype(str) if "destination_reason" in p else pd.Series([""] * len(p))
            parts.append(_leg_frame(p, np.full(len(p), "unknown", dtype=object), p["last_seen"], np.full(len(p), None), np.full(len(p), None), np.full(len(p), None), ("no field named at the far end: " + reason).to_numpy(dtype=object)))
    parts = [x for x in parts if len(x)]
    return pd.concat(parts, ignore_index=True) if parts else _empty_items()


def _stay_items(ctx: _Context, subj: Any, airports: frozenset[str]) -> pd.DataFrame:
    """Ground stays at ``airports`` of the subject's fleet, from consecutive legs (no route given)."""
    from flighttrace.legs import ground_stays

    st = ground_stays(ctx.fleet_legs(subj.fleet))
    st = st[st["airport"].isin(airports)].reset_index(drop=True)
    if len(st) == 0:
        return _empty_items()
    n = len(st)
    legs = (st["arriving_leg"].astype(str) + ";" + st["departing_leg"].astype(str)).to_numpy(dtype=object)
    lineage = ctx.fleet_legs(subj.fleet).set_index("leg_id")["lineage"] if "lineage" in ctx.legs else None
    lin = [None] * n if lineage is None else ("; ".join(x for x in (lineage.get(a), lineage.get(b)) if x) for a, b in zip(st["arriving_leg"], st["departing_leg"]))
    exact = st["duration_s"].astype(float)
    return pd.DataFrame(
        {
            "item_id": (st["arriving_leg"].astype(str) + ">" + st["departing_leg"].astype(str)).to_numpy(dtype=object),
            "kind": np.full(n, "leg", dtype=object),
            "grade": _weakest(st["arrival_evidence"], st["departure_evidence"]),
            "time": st["arrival_time"].astype(TIME_DTYPE).fillna(st["departure_time"].astype(TIME_DTYPE)).array,
            "airport": _obj(st["airport"]),
            "dest": np.full(n, None, dtype=object),
            "dest_grade": np.full(n, None, dtype=object),
            "lineage": np.asarray(list(lin), dtype=object),
            "legs": legs,
            "gt_s": exact.to_numpy(),
            "gt_min_s": np.where(exact.notna(), exact, st["duration_min_s"].astype(float)),
            "detail": np.full(n, "ground stay between consecutive legs", dtype=object),
        }
    ).astype({"time": TIME_DTYPE})


def _items(ctx: _Context, claim: Any, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """The claim's subject items whose time falls in ``[start, end)``, in time order."""
    subj, test = claim.subject, claim.test
    if test.kind in DISRUPTION_KINDS:
        from flighttrace import claims_disruption

        return claims_disruption.items(ctx, claim, start, end)
    if test.kind == "ground_time" and subj.route is None:
        items = _stay_items(ctx, subj, ctx.scenario.resolve_airports(test.airport))
    elif subj.unit == "sorties":
        items = _sortie_items(ctx, subj)
    else:
        items = _leg_items(ctx, subj)
    t = items["time"]
    items = items[(t >= start) & (t < end)]
    return items.sort_values(["time", "item_id"], kind="stable").reset_index(drop=True)


# ---------------------------------------------------------------------------------------
# verdict rules, one function per test kind (see docs/verdicts.md)


@dataclass(frozen=True)
class _Window:
    start: pd.Timestamp
    end: pd.Timestamp
    days: float
    uncovered: float
    uncovered_text: str


@dataclass
class _Outcome:
    verdict: str
    reason: str
    observed: str
    value: float
    items: pd.DataFrame
    statistic: dict[str, Any] | None = None
    intervals: pd.DataFrame | None = None


def _n(x: float) -> str:
    return f"{x:g}" if x == int(x) else f"{x:.1f}"


def _grades(items: pd.DataFrame) -> tuple[int, int, int, int]:
    g = items["grade"].to_numpy(dtype=object) if len(items) else np.zeros(0, dtype=object)
    return int((g == "observed").sum()), int((g == "inferred").sum()), int((g == "bridged").sum()), int((g == "unknown").sum())


def _room(win: _Window, rules: VerdictRules, seen: int | None = None) -> float:
    """How many events the uncovered days of the window could plausibly hold.

    With ``seen`` events on the window's covered days, the rate's upper
    ``1 - alpha`` bound (Garwood) gives a Poisson mean for the uncovered days;
    the room is the count that such a process reaches with probability at
    least ``alpha``. Without enough covered days to estimate a rate (less than
    half the window), the room is unbounded.
    """
    if win.uncovered <= 0:
        return 0.0
    cap = rules.max_per_uncovered_day * win.uncovered
    covered = win.days - win.uncovered
    if seen is None or covered < max(win.uncovered, 1.0):
        return cap
    from scipy import stats

    a = rules.uncovered_alpha
    rate_hi = stats.chi2.ppf(1.0 - a, 2 * (seen + 1)) / 2.0 / covered
    plausible = float(stats.poisson.isf(a, rate_hi * win.uncovered))
    return min(cap, plausible)


def _uncov(win: _Window) -> str:
    return f"{_n(win.uncovered)} of {_n(win.days)} days in the window are not covered ({win.uncovered_text})"


def _at_least(n: int, s: int, b: int, u: int, win: _Window, rules: VerdictRules) -> tuple[str, str]:
    if s >= n:
        return "supported", f"{s} with observed or inferred evidence ≥ {n}"
    if s + b >= n:
        return "inconclusive", f"{s} with observed or inferred evidence (< {n}); {n} is reached only with {b} bridged"
    rest = n - s - b - u
    room = _room(win, rules, s + b + u)
    if win.uncovered > 0 and rest <= room:
        return "inconclusive", f"{s} with observed or inferred evidence (< {n}); {_uncov(win)}, which could hold the rest"
    if s + b + u >= n:
        return "inconclusive", f"{s} with observed or inferred evidence (< {n}); {u} fleet leg(s) in the window end at no named field and could make up the rest"
    extra = f" ({b} bridged, {u} with no named end)" if b or u else ""
    if win.uncovered <= 0:
        where = "the window is fully covered"
    else:
        where = (f"the {_n(win.uncovered)} uncovered day(s) ({win.uncovered_text}) could plausibly hold at most {room:g} more "
                 f"at the rate seen on the {_n(win.days - win.uncovered)} covered days (P < {rules.uncovered_alpha:g} for {rest})")
    return "contradicted", f"only {s + b + u} found, fewer than {n}{extra}, and {where}"


def _at_most(n: int, s: int, b: int, u: int, win: _Window, rules: VerdictRules) -> tuple[str, str]:
    if s > n:
        return "contradicted", f"{s} with observed or inferred evidence > {n}"
    if s + b + u > n:
        return "inconclusive", f"{s} with observed or inferred evidence ≤ {n}, but {s + b + u} counting {b} bridged and {u} with no named end"
    if win.uncovered > 0 and s + b + u + _room(win, rules, s + b + u) > n:
        return "inconclusive", f"{s} found ≤ {n}; {_uncov(win)}, which could hold more"
    return "supported", f"{s + b + u} found ≤ {n}" + (" and the window is fully covered" if win.uncovered <= 0 else "")


def _count(ctx: _Context, claim: Any, items: pd.DataFrame, win: _Window) -> _Outcome:
    o, i, b, u = _grades(items)
    s, test, unit = o + i, claim.test, claim.subject.unit
    if test.kind == "count_at_least":
        verdict, reason = _at_least(test.value, s, b, u, win, ctx.rules)
        if verdict != "supported" and win.uncovered > 0 and "not covered" not in reason and "uncovered" not in reason:
            reason += f"; also {_uncov(win)}"
    elif test.kind == "count_at_most":
        verdict, reason = _at_most(test.value, s, b, u, win, ctx.rules)
    else:
        lo_v, lo_r = _at_least(test.min, s, b, u, win, ctx.rules)
        hi_v, hi_r = _at_most(test.max, s, b, u, win, ctx.rules)
        if "contradicted" in (lo_v, hi_v):
            verdict, reason = "contradicted", lo_r if lo_v == "contradicted" else hi_r
        elif lo_v == hi_v == "supported":
            verdict, reason = "supported", f"{lo_r}; {hi_r}"
        else:
            verdict, reason = "inconclusive", lo_r if lo_v == "inconclusive" else hi_r
    observed = f"{s} {unit} ({o} observed, {i} inferred; +{b} bridged, +{u} unknown end)"
    return _Outcome(verdict, reason, observed, float(s), items)


def _stat(values: pd.Series, statistic: str) -> float:
    return float(values.mean()) if statistic == "mean" else float(values.median())


def _ground_time(ctx: _Context, claim: Any, items: pd.DataFrame, win: _Window) -> _Outcome:
    test = claim.test
    items = items[items["kind"].eq("sortie") | items["gt_min_s"].notna() | items["gt_s"].notna()]
    items = items[items["airport"].isin(ctx.scenario.resolve_airports(test.airport))].reset_index(drop=True)
    lo = test.min.total_seconds() if test.min is not None else -math.inf
    hi = test.max.total_seconds() if test.max is not None else math.inf
    band = test.describe().split(" in ", 1)[-1]
    exact = items["gt_s"].dropna()
    bound_only = items.loc[items["gt_s"].isna(), "gt_min_s"]
    n_lb, n_none = int(bound_only.notna().sum()), int(bound_only.isna().sum())
    note = (f"; {n_lb} stay(s) known only as a lower bound" if n_lb else "") + (f"; {n_none} with no bound (a leg unseen)" if n_none else "")
    if len(items) == 0:
        return _Outcome("inconclusive", f"no stay at {test.airport} in the window", "no stay", math.nan, items)
    if test.statistic == "each":
        out = exact[(exact < lo) | (exact > hi)]
        over = bound_only[bound_only > hi]
        observed = f"{len(exact) - len(out)} of {len(exact)} exact stays in {band}{note}"
        value = float(len(out) + len(over))
        if len(out) or len(over):
            worst = pd.concat([out, over]) / 3600.0
            return _Outcome("contradicted", f"{len(out) + len(over)} stay(s) outside {band} ({', '.join(f'{h:.1f} h' for h in worst)}){note}", observed, value, items)
        if len(exact) == 0 or n_lb or n_none:
            return _Outcome("inconclusive", f"{len(exact)} exact stay(s) in {band}, but not every stay has an exact ground time{note}", observed, value, items)
        return _Outcome("supported", f"all {len(exact)} stays in {band} (exact times)", observed, value, items)
    if len(exact) == 0:
        if n_lb and not n_none and _stat(bound_only, test.statistic) > hi:
            v = _stat(bound_only, test.statistic)
            return _Outcome("contradicted", f"no exact stay, but even the lower bounds give a {test.statistic} of {v / 3600:.1f} h > {band}", f"{test.statistic} ≥ {v / 3600:.1f} h (lower bounds)", v / 3600, items)
        return _Outcome("inconclusive", f"no exact ground time at {test.airport}{note}", "no exact stay", math.nan, items)
    v = _stat(exact, test.statistic)
    observed = f"{test.statistic} {v / 3600:.2f} h over {len(exact)} exact stay(s){note}"
    if lo <= v <= hi:
        return _Outcome("supported", f"{test.statistic} of {len(exact)} exact stay(s) {v / 3600:.2f} h in {band}{note}", observed, v / 3600, items)
    return _Outcome("contradicted", f"{test.statistic} of {len(exact)} exact stay(s) {v / 3600:.2f} h outside {band}{note}", observed, v / 3600, items)


def _destinations(ctx: _Context, claim: Any, items: pd.DataFrame, win: _Window) -> _Outcome:
    allowed: frozenset[str] = frozenset().union(*(ctx.scenario.resolve_airports(a) for a in claim.test.airports))
    names = ", ".join(claim.test.airports)
    items = items[items["grade"].isin(STRONG + ("bridged",))].copy().reset_index(drop=True)
    if claim.subject.unit != "sorties":
        items = items[items["kind"] == "leg"].reset_index(drop=True)
    items["grade"] = items["dest_grade"].where(items["dest"].notna(), "unknown").fillna("unknown")
    d, g = items["dest"], items["grade"]
    strong, bridged, unknown = g.isin(STRONG), g.eq("bridged"), d.isna()
    inside = d.isin(allowed)
    tally = d.fillna("unknown").value_counts().sort_index()
    observed = ", ".join(f"{k} {v}" for k, v in tally.items()) or "none"
    if len(items) == 0:
        return _Outcome("inconclusive", "no departure found in the window", observed, math.nan, items)
    out_s = items[strong & ~inside & ~unknown]
    if len(out_s):
        where = ", ".join(sorted(set(out_s["dest"])))
        return _Outcome("contradicted", f"{len(out_s)} departure(s) with observed or inferred evidence went to {where}, outside {names}", observed, float((strong & inside).sum()), items)
    if not (strong | bridged).any():
        return _Outcome("inconclusive", f"none of the {len(items)} departure(s) has a known destination", observed, 0.0, items)
    out_b = items[bridged & ~inside]
    if len(out_b):
        return _Outcome("inconclusive", f"{len(out_b)} bridged destination(s) outside {names} ({', '.join(sorted(set(out_b['dest'])))}): too weak to decide", observed, float((strong & inside).sum()), items)
    extra = f"; {int(unknown.sum())} with no known destination" if unknown.any() else ""
    return _Outcome("supported", f"all {int((strong | bridged).sum())} known destination(s) are within {names}{extra}", observed, float((strong & inside).sum()), items)


def _interval_verdict(times: pd.Series, ctx: _Context, claim: Any, win: _Window) -> tuple[str, str, float, pd.DataFrame]:
    test = claim.test
    wins = pd.DataFrame({"window": [claim.id], "start": [win.start], "end": [win.end]})
    iv = an.intervals(times, ctx.cov, wins)
    ok = iv[iv["covered"]]
    hi = test.max.total_seconds() / 86400.0
    lo = test.min.total_seconds() / 86400.0 if test.min is not None else 0.0
    if len(ok) == 0:
        n = len(times)
        length = (win.end - win.start).total_seconds() / 86400.0
        if win.uncovered <= 0 and length / (n + 1) > hi:
            return "contradicted", f"{n} event(s) in a fully covered window of {_n(length)} days: even evenly spread, the {n + 1} gap(s) would each exceed {_n(hi)} d", math.nan, iv
        why = "fewer than 2 events" if n < 2 else "every interval spans an uncovered day"
        return "inconclusive", f"no interval between consecutive events inside covered spans ({why})", math.nan, iv
    mean = float(ok["days"].mean())
    text = f"mean {mean:.2f} d over {len(ok)} interval(s) inside covered spans"
    if lo <= mean <= hi:
        return "supported", f"{text}, within [{_n(lo)}, {_n(hi)}] d", mean, iv
    return "contradicted", f"{text}, outside [{_n(lo)}, {_n(hi)}] d", mean, iv


def _mean_interval(ctx: _Context, claim: Any, items: pd.DataFrame, win: _Window) -> _Outcome:
    strong = items[items["grade"].isin(STRONG)]
    v1, r1, m1, iv = _interval_verdict(strong["time"].reset_index(drop=True), ctx, claim, win)
    observed = f"mean interval {m1:.2f} d ({len(strong)} {claim.subject.unit})" if not math.isnan(m1) else f"{len(strong)} {claim.subject.unit}, no interval"
    verdict, reason = v1, r1
    # the verdict must survive adding the bridged ones, then the legs with no named end
    for label, grades in (("bridged", STRONG + ("bridged",)), ("legs with no named end", STRONG + ("bridged", "unknown"))):
        extra = items[items["grade"].isin(grades)]
        if len(extra) == len(strong):
            continue
        v2, _, m2, _ = _interval_verdict(extra["time"].reset_index(drop=True), ctx, claim, win)
        if v2 != v1:
            verdict, reason = "inconclusive", f"{r1}; adding the {label}: mean {m2:.2f} d ({v2})"
            break
    if win.uncovered > 0:
        reason += f"; intervals across uncovered days are left out ({win.uncovered_text})"
    return _Outcome(verdict, reason, observed, m1, items, intervals=iv.assign(what=claim.subject.unit))


def _rr_verdict(r: an.RateRatioResult, min_ratio: float) -> str:
    if math.isnan(r.ci_low) or math.isnan(r.ci_high):
        return "inconclusive"
    if r.ci_low > min_ratio:
        return "supported"
    if r.ci_high < min_ratio:
        return "contradicted"
    return "inconclusive"


def _rr_text(r: an.RateRatioResult) -> str:
    return f"RR {r.ratio:.2f} ({r.conf:.0%} CI {r.ci_low:.2f}–{r.ci_high:.2f}): {r.n1} in {_n(r.t1)} covered window days vs {r.n0} in {_n(r.t0)} other covered days"


def _rate_ratio(ctx: _Context, claim: Any, items: pd.DataFrame, win: _Window) -> _Outcome:
    test = claim.test
    ev = ctx.scenario.events_frame()
    if test.events == "all":
        ev = ev[ev["kind"].isin(test.kinds)] if test.kinds else ev
    else:
        ev = ev[ev["id"].isin(test.events)]
    starts, ends = ev["start"] - test.lead, ev["end"] + test.lag
    variants = []
    for grades in (STRONG, STRONG + ("bridged",), STRONG + ("bridged", "unknown")):
        times = items.loc[items["grade"].isin(grades), "time"]
        variants.append(an.window_rate_ratio(ctx.cov, times, starts, ends, reference=(win.start, win.end), conf=ctx.rules.conf))
    r = variants[0]
    if r.t1 <= 0 or r.t0 <= 0:
        side = "inside the event windows" if r.t1 <= 0 else "outside the event windows"
        reason = f"no rate ratio: no covered day {side} within the claim's window"
        if win.uncovered > 0:
            reason += f" ({win.uncovered_text})"
        return _Outcome("inconclusive", reason, f"{r.n1} in {_n(r.t1)} covered window days, {r.n0} in {_n(r.t0)} other covered days", math.nan, items)
    verdicts = [_rr_verdict(x, test.min_ratio) for x in variants]
    verdict = verdicts[0]
    base = f"{_rr_text(r)}; claimed ratio > {test.min_ratio:g}"
    if len(set(verdicts)) > 1:
        verdict = "inconclusive"
        base += f"; with bridged: CI {variants[1].ci_low:.2f}–{variants[1].ci_high:.2f} ({verdicts[1]}); with unnamed ends too: CI {variants[2].ci_low:.2f}–{variants[2].ci_high:.2f} ({verdicts[2]})"
    elif verdict == "inconclusive" and not math.isnan(r.ci_low):
        base += " lies inside the interval"
    if win.uncovered > 0:
        base += f"; uncovered days left out of both sides ({win.uncovered_text})"
    stat = _stat_row("rate_ratio", claim.id, tuple(ev["id"]), r, note=f"{claim.subject.unit} in windows start−{_n(test.lead.total_seconds() / 86400)}d … end+{_n(test.lag.total_seconds() / 86400)}d within the claim window; observed/inferred only")
    return _Outcome(verdict, base, _rr_text(r), r.ratio, items, statistic=stat)


def _disruption(ctx: _Context, claim: Any, items: pd.DataFrame, win: _Window) -> _Outcome:
    from flighttrace import claims_disruption

    return claims_disruption.judge(ctx, claim, items, win)


_KINDS: Final = {
    "closure": _disruption,
    "diversions_at_least": _disruption,
    "holding_at_least": _disruption,
    "count_at_least": _count,
    "count_at_most": _count,
    "count_between": _count,
    "ground_time": _ground_time,
    "destinations_within": _destinations,
    "mean_interval": _mean_interval,
    "rate_ratio": _rate_ratio,
}


def _stat_row(test: str, claim_id: str, event_ids: tuple[str, ...], r: an.RateRatioResult, *, note: str) -> dict[str, Any]:
    return {
        "test": test, "claim_id": claim_id, "event_ids": ",".join(event_ids), "observed": r.rate1,
        "expected": r.rate0 * r.t1 if r.t1 > 0 else math.nan, "baseline": r.rate0, "ratio": r.ratio,
        "ci_low": r.ci_low, "ci_high": r.ci_high, "p_value": r.p_value, "n_shifts": math.nan, "seed": math.nan,
        "n1": float(r.n1), "t1": r.t1, "n0": float(r.n0), "t0": r.t0,
        "note": f"observed and baseline are events per covered day; expected = baseline × t1; exact conditional CI ({r.conf:.0%}, Clopper–Pearson); p: two-sided exact test of ratio 1; {note}",
    }


@dataclass
class _Judged:
    row: dict[str, Any]
    evidence: pd.DataFrame
    statistic: dict[str, Any] | None
    intervals: pd.DataFrame | None


def _judge(ctx: _Context, claim: Any) -> _Judged:
    """Apply the claim's test; never raises for a claim the data cannot answer."""
    start, end = ctx.scenario.claim_window(claim)
    wd = an.window_days(ctx.cov, start, end)
    frac, cov_ok = wd["fraction"].to_numpy(dtype=float), wd["covered"].to_numpy(dtype=bool)
    win = _Window(start, end, float(frac.sum()), float((frac * ~cov_ok).sum()), an.uncovered_text(wd))
    try:
        items = _items(ctx, claim, start, end)
        out = _KINDS[claim.test.kind](ctx, claim, items, win)
    except (ValueError, KeyError) as exc:
        msg = str(exc.args[0]) if exc.args else repr(exc)
        out = _Outcome("inconclusive", f"cannot evaluate: {msg}", "", math.nan, _empty_items())
    reason = out.reason + (f"; {ASSUMED}" if ctx.assumed else "")
    o, i, b, u = _grades(out.items)
    it = out.items
    row = {
        "claim_id": claim.id, "statement": claim.statement, "source": claim.source, "record": claim.record,
        "test": claim.test.kind, "expected": claim.test.describe(), "observed": out.observed, "verdict": out.verdict,
        "reason": reason, "n_observed": o, "n_inferred": i, "n_bridged": b, "window_start": start, "window_end": end,
        "days_in_window": win.days, "days_uncovered": win.uncovered, "evidence": ";".join(str(x) for x in it["item_id"]),
        "unit": claim.subject.unit, "value": out.value, "n_unknown": u,
    }
    evidence = pd.DataFrame(
        {
            "claim_id": np.full(len(it), claim.id, dtype=object),
            "item_id": it["item_id"].to_numpy(dtype=object),
            "kind": it["kind"].to_numpy(dtype=object),
            "grade": it["grade"].to_numpy(dtype=object),
            "time": it["time"].astype(TIME_DTYPE).array,
            "airport": it["airport"].to_numpy(dtype=object),
            "lineage": it["lineage"].to_numpy(dtype=object),
            "legs": it["legs"].to_numpy(dtype=object),
            "detail": it["detail"].to_numpy(dtype=object),
        }
    )
    return _Judged(row, evidence, out.statistic, out.intervals)


def _scenario_statistics(ctx: _Context, windows: pd.DataFrame, s_times: pd.Series, gt: pd.DataFrame, *, seed: int) -> list[dict[str, Any]]:
    """Scenario-wide rows: rate ratio in conflict windows, permutation test, ground-time medians."""
    rules, rows = ctx.rules, []
    conflict = windows[windows["kind"].isin(rules.conflict_kinds)]
    ids = tuple(conflict["event_id"])
    if len(conflict):
        r = an.window_rate_ratio(ctx.cov, s_times, conflict["window_start"], conflict["window_end"], conf=rules.conf)
        rows.append(_stat_row("rate_ratio", "", ids, r, note=f"all sorties of the series; event kinds {', '.join(rules.conflict_kinds)}; windows as in the events table; baseline: the rest of the covered period"))
        p = an.permutation_before_start(
            ctx.cov, s_times, conflict["start"], event_ids=ids, before_days=rules.before_days, seed=seed,
            max_exhaustive=rules.max_exhaustive, n_random=rules.n_random_shifts,
        )
        how = f"exhaustive over all {p.n_shifts} circular shifts" if p.exhaustive else f"random sample of {p.n_shifts - 1} shifts plus the observed dates (seed {p.seed})"
        rows.append({
            "test": "permutation_before_start", "claim_id": "", "event_ids": ",".join(p.event_ids), "observed": p.observed,
            "expected": p.expected, "baseline": math.nan, "ratio": p.observed / p.expected if p.expected else math.nan,
            "ci_low": math.nan, "ci_high": math.nan, "p_value": p.p_value, "n_shifts": float(p.n_shifts), "seed": float(p.seed),
            "n1": math.nan, "t1": math.nan, "n0": math.nan, "t0": math.nan,
            "note": f"sorties in the {p.before_days} covered days before each event start, summed; event dates shifted together around a circle of {p.n_covered_days} covered days; {how}; p = share of shifts with a statistic ≥ the observed one",
        })
    for _, g in an.ground_time_stats(gt).iterrows():
        rows.append({
            "test": "ground_time_median_s", "claim_id": "", "event_ids": "", "observed": g["median_s"], "expected": math.nan,
            "baseline": math.nan, "ratio": math.nan, "ci_low": g["min_s"], "ci_high": g["max_s"], "p_value": math.nan,
            "n_shifts": math.nan, "seed": math.nan, "n1": float(g["n_exact"]), "t1": math.nan, "n0": float(g["n_lower_bound"]), "t0": math.nan,
            "note": f"at {g['airport']}: median of {g['n_exact']} exact stays of {g['n']} (ci_low/ci_high hold min/max; n0 counts stays known only as a lower bound, median {g['lower_bound_median_s'] / 3600:.1f} h)",
        })
    return rows


# ---------------------------------------------------------------------------------------
# evaluate


def _is_dataset(x: Any) -> bool:
    return hasattr(x, "points") and hasattr(x, "manifest")


def evaluate(
    scenario: Any,
    legs: pd.DataFrame,
    *,
    coverage: Any = None,
    sorties: pd.DataFrame | None = None,
    report_tz: str | None = None,
    lead: Any = None,
    lag: Any = None,
    seed: int = 0,
    synthetic: bool | None = None,
    rules: VerdictRules | None = None,
    points: pd.DataFrame | None = None,
    disruption: Any = None,
) -> Findings:
    """Test every claim of a scenario and compute the series and statistics.

    Parameters
    ----------
    scenario
        The :class:`~flighttrace.scenario.Scenario`.
    legs
        :func:`flighttrace.detect_legs` output (all aircraft; the fleet is
        picked with each claim's selector).
    coverage
        A :class:`~flighttrace.io.api.Dataset` (its coverage is computed) or
        a coverage table (:func:`flighttrace.analysis.coverage`). Without it
        the span of the legs is *assumed* covered, and every claim's reason
        says so.
    sorties
        :func:`flighttrace.find_sorties` output; default: computed per route
        and fleet a claim names (the series use the scenario's first route).
    report_tz
        IANA zone of the day, week and month bins; default UTC (or the zone
        of a given coverage table).
    lead, lag
        Widening of the event windows of :attr:`Findings.events` and of the
        scenario-wide rate ratio (a Timedelta, ``"30d"`` or days); default 0.
    seed
        Seed of the permutation test's random sample (used only when the
        shifts are too many to enumerate).
    synthetic
        Whether the data is synthetic; default: from the Dataset, else the
        scenario's ``meta.synthetic``.
    rules
        Thresholds (:class:`VerdictRules`).
    points
        The Points table the legs were detected from (default: the
        Dataset's, when ``coverage`` is one). The disruption measures need it
        for holding, approaches and go-arounds.
    disruption
        Disruption measures computed already
        (:func:`flighttrace.disruption.analyze`); by default they are
        computed for a scenario of kind ``disruption`` or with a disruption
        claim.

    Returns
    -------
    Findings
    """
    rules = rules or VerdictRules()
    warnings: list[str] = []
    if coverage is None:
        tz = an.resolve_tz(report_tz)
        cov = an.assumed_coverage(legs, report_tz=tz)
        warnings.append(ASSUMED)
    else:
        if isinstance(coverage, pd.DataFrame) and report_tz is None:
            cov = an.check_coverage(coverage)
        else:
            cov = an.coverage(coverage, scenario, report_tz=report_tz)
        tz = cov["tz"].iloc[0] if len(cov) else an.resolve_tz(report_tz)
    if synthetic is None:
        synthetic = bool(coverage.synthetic) if _is_dataset(coverage) else bool(scenario.meta.synthetic)
    if points is None and _is_dataset(coverage):
        points = coverage.points
    ctx = _Context(scenario, legs, cov, sorties, rules, assumed=coverage is None, points=points, disruption=disruption, tz=tz)

    rows, evidence, stats, claim_intervals = [], [], [], []
    for claim in scenario.claims:  # one per claim
        out = _judge(ctx, claim)
        rows.append(out.row)
        evidence.append(out.evidence)
        if out.statistic is not None:
            stats.append(out.statistic)
        if out.intervals is not None:
            claim_intervals.append(out.intervals)
    claims_df = pd.DataFrame(rows, columns=list(CLAIMS_COLUMNS))
    for c in ("window_start", "window_end"):
        claims_df[c] = claims_df[c].astype(TIME_DTYPE)
    for c in ("n_observed", "n_inferred", "n_bridged", "n_unknown"):
        claims_df[c] = claims_df[c].astype(np.int64)
    for c in ("days_in_window", "days_uncovered", "value"):
        claims_df[c] = claims_df[c].astype(float)
    ev = pd.concat([e for e in evidence if len(e)], ignore_index=True) if any(len(e) for e in evidence) else _empty_evidence()
    ev["time"] = ev["time"].astype(TIME_DTYPE)

    main = ctx.main_sorties()
    s_times = _sortie_times(main)
    l_times = ctx.main_landings()
    events_frame = scenario.events_frame()
    windows = an.event_windows(events_frame, lead=lead, lag=lag)
    events_df = an.event_counts(windows, cov, s_times)
    study = an.event_study(events_frame, cov, s_times, before_days=rules.study_days, after_days=rules.study_days)
    iv_windows = pd.DataFrame({"window": windows["event_id"], "start": windows["window_start"], "end": windows["window_end"]})
    ivs = [an.intervals(s_times, cov, iv_windows).assign(what="sorties"), *claim_intervals]
    intervals_df = pd.concat([i for i in ivs if len(i)], ignore_index=True) if any(len(i) for i in ivs) else ivs[0]
    gt = an.ground_times(main)
    scen_stats = _scenario_statistics(ctx, windows, s_times, gt, seed=seed)
    statistics = pd.DataFrame([*scen_stats, *stats], columns=list(STATISTICS_COLUMNS))
    return Findings(
        claims=claims_df,
        evidence=ev[list(EVIDENCE_COLUMNS)].reset_index(drop=True),
        series=an.series(cov, sorties=s_times, landings=l_times),
        rolling=an.rolling_rates(cov, s_times, windows_days=rules.rolling_days),
        events=events_df,
        event_study=study,
        intervals=intervals_df,
        ground_times=gt,
        statistics=statistics,
        coverage=cov,
        tz=tz,
        synthetic=bool(synthetic),
        warnings=tuple(warnings),
        disruption=ctx.disruption() if _wants_disruption(scenario, disruption) else None,
    )


def _wants_disruption(scenario: Any, given: Any) -> bool:
    """Whether the findings carry the disruption measures: given, or a disruption scenario or claim."""
    if given is not None:
        return True
    if getattr(scenario.meta, "kind", "sorties") == "disruption":
        return True
    return any(c.test.kind in DISRUPTION_KINDS for c in scenario.claims)
