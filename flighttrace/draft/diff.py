"""A draft against an existing scenario: what it already says, and where the article differs.

A drafted claim and a claim of the scenario are compared when they test the
same thing (the same kind; all counts are one kind) on the same fields (the
subject's airport or group and the test's airports, resolved to codes).
Then:

- same value and same window → the scenario already has it (``covered``);
- the same value over another window, or another value over the same window
  → the article's version ``differs`` (a different period, a different
  count): the draft keeps the claim and says which scenario claim it differs
  from and how;
- both different → unrelated claims.

Windows are the same when both ends agree within :data:`DAY_TOLERANCE` (a
window in local days and one in UTC days of the same dates agree). Events
are compared the same way, by their dates.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any, Final

import pandas as pd

__all__ = ["DAY_TOLERANCE", "Relation", "compare_claims", "compare_events", "same_claim"]

DAY_TOLERANCE: Final = pd.Timedelta(days=1)
"""How far apart two window ends may be and still be "the same" (time zones of whole days)."""


@dataclasses.dataclass(frozen=True)
class Relation:
    """How a drafted item stands to one item of the existing scenario."""

    draft_id: str
    existing_id: str
    relation: str  # covered | differs
    fields: tuple[str, ...] = ()
    detail: str = ""


def _family(kind: str) -> str:
    return "count" if kind.startswith("count_") else kind


def _value(test: Any) -> tuple[float, float] | None:
    """A comparable (low, high) of a test's figure, or None when it has none."""
    kind = test.kind
    if kind in ("count_at_least", "diversions_at_least", "holding_at_least"):
        return float(test.value), float(test.value)
    if kind == "count_at_most":
        return 0.0, float(test.value)
    if kind == "count_between":
        return float(test.min), float(test.max)
    if kind == "mean_interval":
        return test.max.total_seconds(), test.max.total_seconds()
    if kind == "ground_time":
        lo = test.min.total_seconds() if test.min is not None else 0.0
        hi = test.max.total_seconds() if test.max is not None else float("inf")
        return lo, hi
    return None


def _same_value(a: Any, b: Any) -> bool:
    if a.kind == "destinations_within":
        return True  # the places are compared instead
    if a.kind == "closure":
        return a.require == b.require
    va, vb = _value(a), _value(b)
    if va is None or vb is None:
        return va == vb
    if a.kind == "ground_time":
        return va[0] < vb[1] and vb[0] < va[1]  # bands that overlap
    return va == vb and a.kind == b.kind


def _fields(scn: Any, claim: Any) -> frozenset[str]:
    """The fields a claim is about: its subject airport, or its test's airports."""
    names: list[str] = []
    t = claim.test
    for key in t.airport_fields:
        v = getattr(t, key, None)
        names += list(v) if isinstance(v, tuple) else ([v] if v else [])
    if claim.subject.airport:
        names.append(claim.subject.airport)
    out: set[str] = set()
    for n in names:
        try:
            out |= scn.resolve_airports(n)
        except KeyError:
            continue
    return frozenset(out)


def _same_window(a: tuple[pd.Timestamp, pd.Timestamp], b: tuple[pd.Timestamp, pd.Timestamp]) -> bool:
    return abs(a[0] - b[0]) <= DAY_TOLERANCE and abs(a[1] - b[1]) <= DAY_TOLERANCE


def _overlap(a: tuple[pd.Timestamp, pd.Timestamp], b: tuple[pd.Timestamp, pd.Timestamp]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _describe_window(w: tuple[pd.Timestamp, pd.Timestamp]) -> str:
    return f"{w[0]:%Y-%m-%d} to {(w[1] - pd.Timedelta(seconds=1)):%Y-%m-%d}"


def describe(scn: Any, claim: Any) -> str:
    """A claim's window as written: its event, or its first and last day (in the zone it is written in)."""
    w = claim.window
    if w.event is not None:
        return f"the event {w.event}"
    end = w.end
    if isinstance(end, dt.datetime):
        end = (end - dt.timedelta(seconds=1)).date()
    start = w.start.date() if isinstance(w.start, dt.datetime) else w.start
    return f"{start} to {end}"


def same_claim(draft: Any, d: Any, scenario: Any, e: Any) -> tuple[bool, bool, bool]:
    """(comparable, same value, same window) of a drafted claim ``d`` and a scenario claim ``e``."""
    if _family(d.test.kind) != _family(e.test.kind):
        return False, False, False
    if _fields(draft, d) != _fields(scenario, e):
        return False, False, False
    return True, _same_value(d.test, e.test), _same_window(draft.claim_window(d), scenario.claim_window(e))


def compare_claims(draft: Any, scenario: Any) -> list[Relation]:
    """Every covered / differs relation between the draft's claims and the scenario's.

    Parameters
    ----------
    draft
        The drafted :class:`~flighttrace.scenario.Scenario`.
    scenario
        The existing one.

    Returns
    -------
    list of Relation
    """
    out: list[Relation] = []
    for d in draft.claims:
        for e in scenario.claims:
            comparable, value, window = same_claim(draft, d, scenario, e)
            if not comparable:
                continue
            if value and window:
                out.append(Relation(d.id, e.id, "covered"))
            elif value and _overlap(draft.claim_window(d), scenario.claim_window(e)):
                detail = f"period: the article gives {describe(draft, d)}, {e.id} gives {describe(scenario, e)}"
                out.append(Relation(d.id, e.id, "differs", ("window",), detail))
            elif window:
                detail = f"figure: the article says {d.test.describe()}, {e.id} says {e.test.describe()}"
                out.append(Relation(d.id, e.id, "differs", ("test",), detail))
    return out


def compare_events(draft: Any, scenario: Any) -> list[Relation]:
    """Covered / differs relations between drafted events and the scenario's events (by dates)."""
    out: list[Relation] = []
    known = {e.id for e in scenario.events}
    for d in draft.events:
        if d.id in known:
            continue  # copied from the scenario, not drafted
        ds, de = d.span()
        point = d.end is None or d.end == d.start
        for e in scenario.events:
            es, ee = e.span()
            if abs(ds - es) > DAY_TOLERANCE:
                continue
            if point or abs(de - ee) <= DAY_TOLERANCE:
                out.append(Relation(d.id, e.id, "covered"))
            else:
                detail = f"dates: the article gives {_describe_window((ds, de))}, {e.id} gives {_describe_window((es, ee))}"
                out.append(Relation(d.id, e.id, "differs", ("end",), detail))
    return out
