"""Scenarios: the claim model (fleet, airports, timeline, routes, claims, with sources).

A scenario file (``seeds/*.yaml``) is read and checked by :func:`load_scenario`
into a :class:`Scenario`; every problem is reported at once, with the path of
the field it concerns. The model lives in :mod:`flighttrace.scenario.model`.
"""

from __future__ import annotations

from flighttrace.scenario.model import Claim, Scenario, ScenarioError, load_scenario, parse_scenario

__all__ = ["Scenario", "Claim", "ScenarioError", "load_scenario", "parse_scenario"]
