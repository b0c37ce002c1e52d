"""What an evaluation found: the verdicts, their evidence and statistics, the coverage, and each kind's own tables."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Generic, Protocol, TypeVar, cast, overload

import pandas as pd

from flighttrace.csvsafe import iso_text, write_csv
from flighttrace.numfmt import fixed_decimals

__all__ = ["VERDICTS", "CLAIMS_COLUMNS", "EVIDENCE_COLUMNS", "STATISTICS_COLUMNS", "KindFindings", "Findings"]


T = TypeVar("T")


class KindFindings(Protocol):
    """What a scenario kind adds to the findings (``analyze`` in the kind's ``claims`` module returns one)."""

    def tables(self) -> dict[str, pd.DataFrame]:
        """The kind's tables by file name."""

    def statistics_rows(self) -> list[dict[str, Any]]:
        """Scenario-wide rows of the statistics table (:data:`STATISTICS_COLUMNS`)."""

    def summary(self) -> str:
        """A few lines for the command line ("" for none)."""

VERDICTS: Final[tuple[str, ...]] = ("supported", "contradicted", "inconclusive")
"""The three verdicts."""

CLAIMS_COLUMNS: Final[tuple[str, ...]] = (
    "claim_id", "statement", "source", "record", "test", "expected", "observed", "verdict", "reason",
    "n_observed", "n_inferred", "n_bridged", "window_start", "window_end", "days_in_window", "days_uncovered",
    "evidence", "unit", "value", "n_unknown", "p_detect", "fleet_heard", "detect_note", "plain", "robustness", "fragile_because",
)
"""Columns of :attr:`Findings.claims` (``value`` is the observed figure as a number; ``n_unknown``
counts fleet legs in the window whose relevant end names no field; ``p_detect`` is the probability
that the data would have shown one event of the claim at a random time of its window (a closure's:
that a closure of the claimed length would have been detected), ``fleet_heard`` the fleet aircraft
heard in or around the window (−1: the claim has no fleet), ``detect_note`` what was missing, and
``plain`` the verdict in plain words; ``robustness`` is ``solid``, ``fragile`` or ``not run`` and
``fragile_because`` names the changes that flip the verdict, see :mod:`flighttrace.claims.robustness`
and ``docs/verdicts.md``)."""

EVIDENCE_COLUMNS: Final[tuple[str, ...]] = ("claim_id", "item_id", "kind", "grade", "time", "airport", "lineage", "legs", "detail")
"""Columns of :attr:`Findings.evidence` (one row per sortie or leg behind a verdict)."""

STATISTICS_COLUMNS: Final[tuple[str, ...]] = (
    "test", "claim_id", "event_ids", "observed", "expected", "baseline", "ratio", "ci_low", "ci_high", "p_value",
    "n_shifts", "seed", "n1", "t1", "n0", "t0", "note",
    "exact_ci_low", "exact_ci_high", "exact_p", "nb_ci_low", "nb_ci_high", "nb_p", "nb_alpha", "dispersion", "p_adjusted", "adjust_method",
)
"""Columns of :attr:`Findings.statistics` (``ci_low``/``ci_high``/``p_value`` are what a verdict uses; for a rate ratio the
exact Poisson ones are ``exact_*``, the negative-binomial ones ``nb_*``; ``dispersion`` is the Pearson variance/mean of the
monthly blocks; ``p_adjusted`` corrects ``p_value`` for the number of tests run, by ``adjust_method``)."""



def _for_csv(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for c in out.columns:
        if isinstance(out[c].dtype, pd.DatetimeTZDtype):
            out[c] = iso_text(out[c])  # Z for UTC columns, the offset for report-zone ones
    return out


def _write(df: pd.DataFrame, out: Path, name: str) -> list[Path]:
    csv = out / f"{name}.csv"
    pq = out / f"{name}.parquet"
    write_csv(fixed_decimals(_for_csv(df)), csv)  # numbers with fixed decimals per column
    df.reset_index(drop=True).to_parquet(pq, index=False)
    return [csv, pq]


class _SortiesTable(Generic[T]):
    """A table of the ``sorties`` kind's findings, read as an attribute of :class:`Findings` (``findings.series``)."""

    def __init__(self, doc: str) -> None:
        self.__doc__ = doc + " The ``sorties`` kind's."
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> _SortiesTable[T]: ...

    @overload
    def __get__(self, obj: Findings, owner: type | None = None) -> T: ...

    def __get__(self, obj: Findings | None, owner: type | None = None) -> _SortiesTable[T] | T:
        if obj is None:
            return self
        return cast(T, obj._of_sorties(self.name))


@dataclass
class Findings:
    """Everything :func:`evaluate` found: verdicts, series, statistics, coverage.

    Attributes
    ----------
    claims
        One row per claim (:data:`CLAIMS_COLUMNS`).
    evidence
        The sorties and legs behind each verdict (:data:`EVIDENCE_COLUMNS`).
    statistics
        Every statistic behind the verdicts: the claims' own and the kinds'
        scenario-wide ones (rate ratios, permutation tests, ground-time
        medians; :data:`STATISTICS_COLUMNS`).
    coverage
        The coverage table.
    tz
        Report zone of every daily table.
    synthetic
        The input came from flighttrace's simulator.
    warnings
        Notes that apply to the whole run (for example: coverage assumed).
    tests
        Every test run, with its p-value corrected for their number
        (:data:`flighttrace.claims.multiplicity.TESTS_COLUMNS`).
    robustness
        Every verdict re-run with its windows and bands moved
        (:data:`flighttrace.claims.robustness.ROBUSTNESS_COLUMNS`).
    visibility
        What the data could have heard: ``gates`` (per gate, source and hour,
        the positions and aircraft heard there;
        :data:`flighttrace.claims.visibility.GATE_COLUMNS`) and
        ``fleet_visibility`` (per claim, each fleet aircraft heard in or around
        its window, how, and under which callsigns and squawks;
        :data:`flighttrace.claims.visibility.FLEET_COLUMNS`).
    kinds
        What each scenario kind the scenario needed found, by kind name
        (:mod:`flighttrace.kinds`): the ``sorties`` kind's series, event
        windows, event study, intervals and ground times
        (:class:`flighttrace.kinds.sorties.findings.SortiesFindings`; also as
        the properties :attr:`series`, :attr:`events`, …), the ``disruption``
        kind's measures (:attr:`disruption`).
    """

    claims: pd.DataFrame
    evidence: pd.DataFrame
    statistics: pd.DataFrame
    coverage: pd.DataFrame
    tz: str
    synthetic: bool
    warnings: tuple[str, ...] = field(default_factory=tuple)
    kinds: dict[str, KindFindings] = field(default_factory=dict)
    tests: pd.DataFrame = field(default_factory=pd.DataFrame)
    robustness: pd.DataFrame = field(default_factory=pd.DataFrame)
    visibility: dict[str, pd.DataFrame] = field(default_factory=dict)

    def kind(self, name: str) -> Any:
        """What the scenario kind ``name`` found (its own tables), or None when the scenario did not need that kind."""
        return self.kinds.get(name)

    def _of_sorties(self, name: str) -> Any:
        found = self.kinds.get("sorties")
        if found is None:
            raise AttributeError(f"{name}: these findings have no sorties tables (the scenario is of kind {', '.join(self.kinds) or 'none'})")
        return getattr(found, name)

    series = _SortiesTable[dict[str, pd.DataFrame]]("Sorties and landings per day, week and month (see :mod:`flighttrace.kinds.sorties.findings`).")
    rolling = _SortiesTable[pd.DataFrame]("Daily trailing rates over covered days.")
    events = _SortiesTable[pd.DataFrame]("Each timeline event with its window and its sorties.")
    event_study = _SortiesTable[pd.DataFrame]("Sorties by day relative to each event start.")
    intervals = _SortiesTable[pd.DataFrame]("Intervals between consecutive sorties (or a claim's units) per window.")
    ground_times = _SortiesTable[pd.DataFrame]("Time on the ground at the far field, per sortie.")

    @property
    def disruption(self) -> Any:
        """The disruption measures (:class:`flighttrace.kinds.disruption.analysis.Disruption`), or None."""
        return self.kinds.get("disruption")

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table by file name: ``claims``, ``evidence``, ``statistics``, ``coverage``, then each
        kind's own (the sorties kind's series as ``series_day``, ``series_week``, ``series_month``; the
        disruption measures as ``disruption_hourly``, ``closures``, ``diversions``, ``holdings``,
        ``go_arounds`` and ``movements``)."""
        out = {"claims": self.claims, "evidence": self.evidence, "statistics": self.statistics, "coverage": self.coverage}
        out.update({name: df for name, df in (("tests", self.tests), ("robustness", self.robustness)) if len(df.columns)})
        out.update(self.visibility)
        for found in self.kinds.values():
            out.update(found.tables())
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
        lines.append(f"{len(self.claims)} claim{'' if len(self.claims) == 1 else 's'}: " + ", ".join(f"{int(vc.get(v, 0))} {v}" for v in VERDICTS))
        cov = self.coverage
        if len(cov):
            unc = cov[~cov["covered"]]
            lines.append(
                f"coverage ({self.tz} days): {int(cov['covered'].sum())} of {len(cov)} days covered, "
                f"{len(unc)} uncovered ({cov['date'].iloc[0]:%Y-%m-%d} – {cov['date'].iloc[-1]:%Y-%m-%d})"
            )
        for found in self.kinds.values():
            text = found.summary()
            if text:
                lines.append(text)
        lines.extend(f"warning: {w}" for w in self.warnings)
        return "\n".join(lines)

    def __repr__(self) -> str:
        vc = self.claims["verdict"].value_counts()
        detail = ", ".join(f"{int(vc.get(v, 0))} {v}" for v in VERDICTS)
        return f"<flighttrace.Findings: {len(self.claims)} claim{'' if len(self.claims) == 1 else 's'} ({detail}), tz {self.tz}{', SYNTHETIC' if self.synthetic else ''}>"


