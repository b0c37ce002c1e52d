"""Scenarios: the claim model (fleet, airports, timeline, routes, claims, with sources).

A scenario file (``seeds/*.yaml``) is read and checked by :func:`load_scenario`
into a :class:`Scenario`; every problem is reported at once, with the path of
the field it concerns.

:mod:`flighttrace.scenario.base`
    value types (ids, hex codes, time points, durations), :class:`ScenarioError`
    and :class:`~flighttrace.scenario.base.ClaimTest`, the base of the claim tests
    that each scenario kind declares (:mod:`flighttrace.kinds`);
:mod:`flighttrace.scenario.model`
    the models: sources, fleet and selectors, airports, events, routes, claims,
    and :class:`Scenario` with its lookups (fleet masks, airport groups, windows);
:mod:`flighttrace.scenario.crossref`
    references between the parts of a file (unknown source, event, selector,
    route, group or airport);
:mod:`flighttrace.scenario.load`
    YAML in, a checked scenario out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flighttrace._lazy import by_module, lazy_exports

_EXPORTS = by_module({
    "flighttrace.scenario.model": ("Scenario", "Claim"),
    "flighttrace.scenario.base": ("ScenarioError", "parse_duration", "format_duration"),
    "flighttrace.scenario.load": ("load_scenario", "parse_scenario"),
})

__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:  # pragma: no cover
    from flighttrace.scenario.base import ScenarioError, format_duration, parse_duration  # noqa: F401 - names for type checkers (__all__ is built at run time)
    from flighttrace.scenario.load import load_scenario, parse_scenario  # noqa: F401 - names for type checkers (__all__ is built at run time)
    from flighttrace.scenario.model import Claim, Scenario  # noqa: F401 - names for type checkers (__all__ is built at run time)


# loaded on first use: the kinds' test models import scenario.base, and the model imports them
__getattr__, _ = lazy_exports(__name__, _EXPORTS)
