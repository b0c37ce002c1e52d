"""What the claims of one evaluation share: the context, the items a claim counts, the outcome of a test.

A scenario kind's claim tests (:mod:`flighttrace.kinds`) are written against
this module: a :class:`Judge` lists the *items* a claim counts (legs,
sorties, stays, closures…; columns :data:`ITEM_COLUMNS`, each with its
evidence grade) and decides the :class:`Outcome`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import KW_ONLY, dataclass, field
from typing import Any, Final, overload

import numpy as np
import pandas as pd

from flighttrace.cells import objects
from flighttrace.claims.findings import EVIDENCE_COLUMNS
from flighttrace.claims.rules import VerdictRules
from flighttrace.numfmt import fmt_number
from flighttrace.schema import TIME_DTYPE
from flighttrace.tracks.legs import GRADES

__all__ = [
    "STRONG", "ASSUMED", "ITEM_COLUMNS", "Context", "Window", "Outcome", "Judge", "Judged",
    "weakest", "obj", "empty_items", "empty_evidence", "leg_frame", "route_text", "fmt_n", "grade_counts",
]

STRONG: Final[tuple[str, ...]] = ("observed", "inferred")
"""Grades that count as evidence for or against a figure."""

ASSUMED: Final = "coverage not given: the span of the legs was assumed covered"

_RANK: Final = {g: i for i, g in enumerate(GRADES)}
ITEM_COLUMNS: Final[list[str]] = ["item_id", "kind", "grade", "time", "airport", "dest", "dest_grade", "lineage", "legs", "gt_s", "gt_min_s", "detail", "caveat"]
"""Columns of a claim's items; ``caveat`` (None or words) marks an item whose identity is in doubt (its track replays
another's): it counts only as a bridged one would (:func:`grade_counts`)."""


def weakest(a: Any, b: Any) -> np.ndarray:
    """Element-wise weakest of two grade arrays (missing counts as ``unknown``)."""
    ra = pd.Series(np.asarray(a, dtype=object)).map(_RANK).fillna(len(GRADES) - 1).to_numpy(dtype=np.int64)
    rb = pd.Series(np.asarray(b, dtype=object)).map(_RANK).fillna(len(GRADES) - 1).to_numpy(dtype=np.int64)
    return np.asarray(GRADES, dtype=object)[np.maximum(ra, rb)]


def obj(s: pd.Series) -> np.ndarray:
    """A column as an object array with None for missing values."""
    return objects(s)


def empty_items() -> pd.DataFrame:
    df = pd.DataFrame({c: pd.Series([], dtype=object) for c in ITEM_COLUMNS})
    df["time"] = df["time"].astype(TIME_DTYPE)
    df["gt_s"] = df["gt_s"].astype(float)
    df["gt_min_s"] = df["gt_min_s"].astype(float)
    return df


def empty_evidence() -> pd.DataFrame:
    df = pd.DataFrame({c: pd.Series([], dtype=object) for c in EVIDENCE_COLUMNS})
    df["time"] = df["time"].astype(TIME_DTYPE)
    return df




@dataclass(eq=False, repr=False)
class Context:
    """What every claim of one evaluation shares: the scenario, the legs and points, the coverage, the rules, caches.

    Parameters
    ----------
    scenario
        The :class:`~flighttrace.scenario.Scenario`.
    legs
        Every leg (:func:`flighttrace.detect_legs`); :meth:`fleet_legs` picks a fleet's.
    cov
        The coverage table, in the report's zone.
    rules
        The thresholds (:class:`~flighttrace.claims.rules.VerdictRules`).
    assumed
        Whether the coverage is the span of the legs, assumed covered (no
        coverage was given); every claim's reason then says so.
    points
        The Points table the legs came from, when known.
    given
        Tables computed already (see :attr:`given`).
    tz
        The report's zone (IANA name).
    """

    scenario: Any
    legs: pd.DataFrame
    cov: pd.DataFrame
    rules: VerdictRules
    _: KW_ONLY
    assumed: bool
    points: pd.DataFrame | None = None
    given: dict[str, Any] = field(default_factory=dict)
    """Tables computed already, by name (``sorties``, ``disruption``): a kind uses them instead of its own."""
    tz: str = "UTC"
    cache: dict[Any, Any] = field(default_factory=dict, init=False)
    """A kind's results computed once per evaluation (keys are the kind's own)."""
    _fleet: dict[str | None, pd.DataFrame] = field(default_factory=dict, init=False)

    @overload
    def resolve(self, name: str) -> frozenset[str]: ...

    @overload
    def resolve(self, name: None) -> None: ...

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



def leg_frame(lg: pd.DataFrame, grade: np.ndarray, time: pd.Series, airport: Any, dest: Any, dest_grade: Any, detail: Any) -> pd.DataFrame:
    n = len(lg)
    out = pd.DataFrame(
        {
            "item_id": obj(lg["leg_id"]),
            "kind": np.full(n, "leg", dtype=object),
            "grade": np.asarray(grade, dtype=object),
            "time": time.astype(TIME_DTYPE).array,
            "airport": np.asarray(airport, dtype=object),
            "dest": np.asarray(dest, dtype=object),
            "dest_grade": np.asarray(dest_grade, dtype=object),
            "lineage": obj(lg["lineage"]) if "lineage" in lg else np.full(n, None, dtype=object),
            "legs": obj(lg["leg_id"]),
            "gt_s": np.full(n, np.nan),
            "gt_min_s": np.full(n, np.nan),
            "detail": np.asarray(detail, dtype=object),
            "caveat": np.full(n, None, dtype=object),
        }
    )
    out["time"] = out["time"].astype(TIME_DTYPE)
    return out


def route_text(a: Any, b: Any) -> np.ndarray:
    return (pd.Series(obj(pd.Series(a))).fillna("?").astype(str) + "→" + pd.Series(obj(pd.Series(b))).fillna("?").astype(str)).to_numpy(dtype=object)



@dataclass(frozen=True)
class Window:
    """A claim's window: its span, its days and uncovered days (report zone), and what the data could see in it.

    ``detect`` is the claim's :class:`flighttrace.claims.detection.Detection`
    (None when not computed): the share of the window's hours in which the
    claim's gates were covered and its fleet visible.
    """

    start: pd.Timestamp
    end: pd.Timestamp
    days: float
    uncovered: float
    uncovered_text: str
    rates: Any = None
    """How the uncovered days' rate is modelled (``room(win, rules, seen)``, ``text(win)``), e.g.
    :class:`flighttrace.kinds.sorties.bursts.UncoveredRates`; ``None``: the covered rate alone."""
    detect: Any = None


@dataclass
class Outcome:
    """A claim test's result: verdict, reason, observed figure, items; ``plain`` says it in plain words.

    ``p_detect`` overrides the window's detection probability when the test
    measures its own (a closure: the share of the window in which a closure
    of the claimed length would have been detected).
    """

    verdict: str
    reason: str
    observed: str
    value: float
    items: pd.DataFrame
    statistic: dict[str, Any] | list[dict[str, Any]] | None = None
    intervals: pd.DataFrame | None = None
    plain: str = ""
    p_detect: float | None = None


def fmt_n(x: float) -> str:
    """A number of days or items in a claim's text: whole, else one decimal, thousands separated (:func:`flighttrace.numfmt.fmt_number`)."""
    return fmt_number(x)


def grade_counts(items: pd.DataFrame) -> tuple[int, int, int, int]:
    """(observed, inferred, bridged, unknown) items; an item with a caveat counts as bridged whatever its grade."""
    g = items["grade"].to_numpy(dtype=object) if len(items) else np.zeros(0, dtype=object)
    if len(items) and "caveat" in items:
        c = items["caveat"].to_numpy(dtype=object)
        cav = ~pd.isna(c)  # a missing caveat is none; any other is one unless it is blank text
        cav[cav] = c[cav] != ""
        g = np.where(cav & np.isin(g, STRONG), "bridged", g)
    return int((g == "observed").sum()), int((g == "inferred").sum()), int((g == "bridged").sum()), int((g == "unknown").sum())



@dataclass(frozen=True)
class Judge:
    """One claim test of a kind: which items a claim counts, and the verdict rule.

    Attributes
    ----------
    items
        ``items(ctx, claim, start, end)`` → the items in ``[start, end)``
        (columns :data:`ITEM_COLUMNS`), in time order.
    judge
        ``judge(ctx, claim, items, window)`` → :class:`Outcome`.
    """

    items: Callable[[Context, Any, pd.Timestamp, pd.Timestamp], pd.DataFrame]
    judge: Callable[[Context, Any, pd.DataFrame, Window], Outcome]


@dataclass
class Judged:
    """A claim judged: its row of the claims table, its evidence, its statistic and intervals (if any)."""

    claim: Any
    row: dict[str, Any]
    evidence: pd.DataFrame
    statistic: dict[str, Any] | list[dict[str, Any]] | None
    intervals: pd.DataFrame | None
