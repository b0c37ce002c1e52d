"""Claim tests of the ``sorties`` kind: counts, ground times, destinations, intervals, rate ratios."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

import pandas as pd
from pydantic import Field, PlainValidator, ValidationInfo, field_validator

from flighttrace.scenario.base import ClaimTest, Duration, EventKind, format_duration, validate_id_list
from flighttrace.timefmt import fmt_duration

__all__ = ["TESTS", "UNITS", "AIRPORT_UNITS", "ROUTE_UNITS", "CountAtLeast", "CountAtMost", "CountBetween", "GroundTime", "DestinationsWithin", "MeanInterval", "RateRatio"]

UNITS: tuple[str, ...] = ("sorties", "landings", "departures", "legs")
"""Subject units this kind counts."""

AIRPORT_UNITS: tuple[str, ...] = ("landings", "departures")
"""Units whose subject must name an airport."""

ROUTE_UNITS: tuple[str, ...] = ("sorties",)
"""Units whose subject must name a route."""


class CountAtLeast(ClaimTest):
    """The count is at least ``value``."""

    kind: Literal["count_at_least"]
    value: int = Field(ge=0)

    def describe(self) -> str:
        return f"at least {self.value}"


class CountAtMost(ClaimTest):
    """The count is at most ``value``."""

    kind: Literal["count_at_most"]
    value: int = Field(ge=0)

    def describe(self) -> str:
        return f"at most {self.value}"


class CountBetween(ClaimTest):
    """The count is between ``min`` and ``max``, both included."""

    kind: Literal["count_between"]
    min: int = Field(ge=0)
    max: int = Field(ge=0)

    @field_validator("max")
    @classmethod
    def _order(cls, v: int, info: ValidationInfo) -> int:
        lo = info.data.get("min")
        if lo is not None and v < lo:
            raise ValueError(f"{v} is less than min {lo}")
        return v

    def describe(self) -> str:
        return f"between {self.min} and {self.max}"


class GroundTime(ClaimTest):
    """Time on the ground at ``airport`` lies in [``min``, ``max``].

    ``statistic``: ``median`` or ``mean`` of the stays, or ``each`` (every
    stay must lie in the band).
    """

    kind: Literal["ground_time"]
    airport: str
    min: Duration | None = None
    max: Duration | None = Field(None, validate_default=True)
    statistic: Literal["median", "mean", "each"] = "median"
    airport_fields: ClassVar[tuple[str, ...]] = ("airport",)

    @field_validator("max")
    @classmethod
    def _band(cls, v: pd.Timedelta | None, info: ValidationInfo) -> pd.Timedelta | None:
        if "min" not in info.data:  # min itself was invalid
            return v
        lo = info.data["min"]
        if v is None and lo is None:
            raise ValueError("give min, max or both")
        if v is not None and lo is not None and v < lo:
            raise ValueError(f"{format_duration(v)} is less than min {format_duration(lo)}")
        return v

    def describe(self) -> str:
        lo = fmt_duration(self.min.total_seconds()) if self.min is not None else "0"
        hi = fmt_duration(self.max.total_seconds()) if self.max is not None else "∞"
        return f"{self.statistic} ground time at {self.airport} in [{lo}, {hi}]"


class DestinationsWithin(ClaimTest):
    """Every leg of the subject ends at one of ``airports`` (codes or groups)."""

    kind: Literal["destinations_within"]
    airports: tuple[str, ...] = Field(min_length=1)
    airport_fields: ClassVar[tuple[str, ...]] = ("airports",)

    def describe(self) -> str:
        return "destinations within " + ", ".join(self.airports)


class MeanInterval(ClaimTest):
    """The mean interval between successive events of the subject is at most ``max``."""

    kind: Literal["mean_interval"]
    max: Duration
    min: Duration | None = None

    @field_validator("min")
    @classmethod
    def _order(cls, v: pd.Timedelta | None, info: ValidationInfo) -> pd.Timedelta | None:
        hi = info.data.get("max")
        if v is not None and hi is not None and v > hi:
            raise ValueError(f"{format_duration(v)} is more than max {format_duration(hi)}")
        return v

    def describe(self) -> str:
        return f"mean interval at most {fmt_duration(self.max.total_seconds())}"


def _events_or_all(v: Any) -> tuple[str, ...] | Literal["all"]:
    if v == "all":
        return "all"
    return validate_id_list(v)


class RateRatio(ClaimTest):
    """The rate inside event windows is at least ``min_ratio`` times the rate outside.

    Each event window runs from start − ``lead`` to end + ``lag``. ``events``
    lists event ids, or is ``"all"`` (optionally narrowed by ``kinds``).
    """

    kind: Literal["rate_ratio"]
    event_fields: ClassVar[tuple[str, ...]] = ("events",)
    events: Annotated[tuple[str, ...] | Literal["all"], PlainValidator(_events_or_all)] = "all"
    kinds: tuple[EventKind, ...] = ()
    lead: Duration = pd.Timedelta(0)
    lag: Duration = pd.Timedelta(0)
    min_ratio: float = Field(1.0, ge=0.0)

    def describe(self) -> str:
        return f"rate in event windows ≥ {self.min_ratio:g} × rate outside"




TESTS: tuple[type[ClaimTest], ...] = (CountAtLeast, CountAtMost, CountBetween, GroundTime, DestinationsWithin, MeanInterval, RateRatio)
"""The claim tests of this kind."""
