"""Claim tests of the ``disruption`` kind: closures, diversions, holdings."""

from __future__ import annotations

from typing import ClassVar, Literal

import pandas as pd
from pydantic import Field, ValidationInfo, field_validator

from flighttrace.scenario.base import ClaimTest, Duration, format_duration
from flighttrace.timefmt import fmt_duration

__all__ = ["TESTS", "UNITS", "AIRPORT_UNITS", "ROUTE_UNITS", "Closure", "DiversionsAtLeast", "HoldingAtLeast"]

UNITS: tuple[str, ...] = ("movements", "diversions", "holdings")
"""Subject units this kind counts (movements: take-offs and landings)."""

AIRPORT_UNITS: tuple[str, ...] = ("diversions", "holdings")
"""Units whose subject must name an airport (the field the aircraft were heading for or waiting for)."""

ROUTE_UNITS: tuple[str, ...] = ()
"""Units whose subject must name a route."""


class Closure(ClaimTest):
    """The airport (or the airports of a group) closed for at least ``min_duration``.

    "Closed" is what ADS-B can show: a run with no take-off or landing at the
    field, at least ``min_duration`` long, at a time when the baseline (the
    same weekday and hour of the previous weeks) expects enough movements
    that none seen is not chance (see :class:`flighttrace.kinds.disruption.analysis.DisruptionParams`).
    For a group, ``require: each`` means every field of the group closed;
    ``any`` means at least one did. ``max_duration`` caps the closure;
    ``reopened: true`` asks that traffic resumed inside the window.
    """

    kind: Literal["closure"]
    units: ClassVar[tuple[str, ...]] = ("movements",)
    airport: str
    min_duration: Duration
    max_duration: Duration | None = Field(None, validate_default=True)
    require: Literal["each", "any"] = "each"
    reopened: bool | None = None
    airport_fields: ClassVar[tuple[str, ...]] = ("airport",)

    @field_validator("max_duration")
    @classmethod
    def _order(cls, v: pd.Timedelta | None, info: ValidationInfo) -> pd.Timedelta | None:
        lo = info.data.get("min_duration")
        if v is not None and lo is not None and v < lo:
            raise ValueError(f"{format_duration(v)} is less than min_duration {format_duration(lo)}")
        return v

    def describe(self) -> str:
        code = len(self.airport) in (3, 4) and self.airport.isupper()
        group = "" if code else ("each field of " if self.require == "each" else "any field of ")
        band = f"≥ {fmt_duration(self.min_duration.total_seconds())}" + (f", ≤ {fmt_duration(self.max_duration.total_seconds())}" if self.max_duration is not None else "")
        again = "; traffic resumed in the window" if self.reopened else ("; still closed at the window's end" if self.reopened is False else "")
        return f"{group}{self.airport} closed {band}{again}"


class _AtLeast(ClaimTest):
    """At least ``value`` aircraft did something (``did``) for the subject's airport (or group)."""

    value: int = Field(ge=0)
    did: ClassVar[str] = ""

    def describe(self) -> str:
        return f"at least {self.value} {self.did}"


class DiversionsAtLeast(_AtLeast):
    """At least ``value`` aircraft heading for the subject's airport (or group) landed elsewhere."""

    kind: Literal["diversions_at_least"]
    units: ClassVar[tuple[str, ...]] = ("diversions",)
    did: ClassVar[str] = "diverted"


class HoldingAtLeast(_AtLeast):
    """At least ``value`` aircraft flew holding patterns (circling) for the subject's airport (or group)."""

    kind: Literal["holding_at_least"]
    units: ClassVar[tuple[str, ...]] = ("holdings",)
    did: ClassVar[str] = "held"


TESTS: tuple[type[ClaimTest], ...] = (Closure, DiversionsAtLeast, HoldingAtLeast)
"""The claim tests of this kind."""
