"""Scenario kinds: the registry, and what a kind brings to the pipeline.

A scenario kind is one kind of question a reporter asks of flight data:

``sorties`` (:mod:`flighttrace.kinds.sorties`)
    a fleet flying a route pattern, counted against a conflict timeline (the
    Ovda case): counts, ground times, destinations, intervals, rate ratios;
``disruption`` (:mod:`flighttrace.kinds.disruption`)
    an airport disruption: closures, diversions, holdings and go-arounds
    against the baseline of the previous weeks (the Moscow case).

Every kind is a package with the same modules, found by name:

``spec``
    its claim tests (pydantic models, subclasses of
    :class:`flighttrace.scenario.base.ClaimTest`) in ``TESTS``, and the
    subject units it counts: ``UNITS``, ``AIRPORT_UNITS`` (a subject must name
    an airport), ``ROUTE_UNITS`` (a subject must name a route). Light: the
    scenario loader imports it.
``claims``
    ``JUDGES``: for each test kind, a :class:`flighttrace.claims.context.Judge`
    (which items a claim counts, and the verdict rule); optionally
    ``VERDICT_RULES``: for some test kinds, ``(ctx, claim, items, window) →``
    the rule's verdict alone (the robustness panel, which re-runs each rule
    many times, uses it where given);
``findings``
    ``analyze(ctx, judged)``: the kind's own tables for the findings (an
    object with ``tables()``, ``statistics_rows()`` and ``summary()``,
    :class:`flighttrace.claims.findings.KindFindings`).
``pages``
    the report (:mod:`flighttrace.report` finds it with
    ``kind_module(scn.meta.kind, "pages")``). Each function takes the
    :class:`flighttrace.report.context.ReportRun` and returns plain values:
    ``prepare(run)`` (the kind's own tables, in ``run.extra``),
    ``table_legs(run)`` and ``export_legs(run)`` (the legs of
    ``tables/legs.csv`` and of the GeoJSON/KML exports),
    ``write_exports(run, folder)``, ``charts(run, source)`` (name, caption,
    draw), ``build_map(run, tiles=, evidence_page=)`` (a folium map, which the
    report saves as ``map.html``),
    ``overview(run)`` (key numbers and caveats for the top of the page),
    ``sections(run, anchors)`` (the kind's sections of ``index.html``),
    ``cards(run, places)`` (the evidence page's groups of cards),
    ``method(run)`` and ``limitations(run)``; for one claim
    (:meth:`flighttrace.Case.claim`), ``claim_tables(run, evidence, leg_ids)``
    (the kind's own tables cut to the claim's evidence, e.g. its sorties) and
    ``claim_run(run, evidence, leg_ids)`` (the run cut to the claim, which
    ``build_map`` draws).
``world``
    the simulated world: ``build(scenario, out, ...)``.

Adding a kind means adding its package and one line to :data:`KINDS`; see
``docs/architecture.md``.
"""

from __future__ import annotations

import functools
import importlib
from types import ModuleType
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:  # pragma: no cover
    from flighttrace.scenario.base import ClaimTest

__all__ = [
    "KINDS",
    "DEFAULT_KIND",
    "kind_module",
    "claim_test_models",
    "kind_of_test",
    "all_units",
    "airport_units",
    "route_units",
    "reserved_units",
    "kinds_of",
]

KINDS: Final[dict[str, str]] = {
    "sorties": "flighttrace.kinds.sorties",
    "disruption": "flighttrace.kinds.disruption",
}
"""Scenario kind name → its package. One line per kind."""

DEFAULT_KIND: Final = "sorties"
"""The kind of a scenario whose ``meta.kind`` is not given."""


def kind_module(kind: str, part: str) -> ModuleType:
    """A module of a kind's package (``spec``, ``claims``, ``pages``, ``world``), imported on first use.

    Parameters
    ----------
    kind
        A name in :data:`KINDS`.
    part
        The module's name inside the kind's package.

    Raises
    ------
    KeyError
        For a kind that is not registered.
    """
    if kind not in KINDS:
        raise KeyError(f"unknown scenario kind {kind!r}; known: {', '.join(KINDS)}")
    return importlib.import_module(f"{KINDS[kind]}.{part}")


@functools.cache
def claim_test_models() -> dict[str, type[ClaimTest]]:
    """Every claim-test model of every kind, by test kind (``count_at_least`` → its model), in registry order."""
    out: dict[str, type[ClaimTest]] = {}
    for kind in KINDS:
        for model in kind_module(kind, "spec").TESTS:
            out[model.model_fields["kind"].annotation.__args__[0]] = model
    return out


@functools.cache
def _test_owner() -> dict[str, str]:
    out: dict[str, str] = {}
    for kind in KINDS:
        for model in kind_module(kind, "spec").TESTS:
            out[model.model_fields["kind"].annotation.__args__[0]] = kind
    return out


def kind_of_test(test_kind: str) -> str:
    """The scenario kind that brings a claim test (``closure`` → ``disruption``)."""
    return _test_owner()[test_kind]


def _spec_units(attr: str) -> tuple[str, ...]:
    out: list[str] = []
    for kind in KINDS:
        out += [u for u in getattr(kind_module(kind, "spec"), attr) if u not in out]
    return tuple(out)


@functools.cache
def all_units() -> tuple[str, ...]:
    """Every subject unit of every kind (``sorties``, ``landings``, …, ``holdings``)."""
    return _spec_units("UNITS")


@functools.cache
def airport_units() -> tuple[str, ...]:
    """Subject units that need an airport (``landings``, ``diversions``, …)."""
    return _spec_units("AIRPORT_UNITS")


@functools.cache
def route_units() -> tuple[str, ...]:
    """Subject units that need a route (``sorties``)."""
    return _spec_units("ROUTE_UNITS")


@functools.cache
def reserved_units() -> dict[str, tuple[str, ...]]:
    """Units that only some tests count → those tests (``diversions`` → ``("diversions_at_least",)``)."""
    out: dict[str, tuple[str, ...]] = {}
    for name, model in claim_test_models().items():
        for unit in model.units:
            out[unit] = (*out.get(unit, ()), name)
    return out


def kinds_of(scenario: Any) -> tuple[str, ...]:
    """The kinds a scenario needs: its ``meta.kind`` and the kind of every claim test it uses, in registry order."""
    wanted = {getattr(scenario.meta, "kind", DEFAULT_KIND)} | {kind_of_test(c.test.kind) for c in scenario.claims}
    return tuple(k for k in KINDS if k in wanted)
