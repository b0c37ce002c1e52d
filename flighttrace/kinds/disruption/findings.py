"""What the ``disruption`` kind adds to the findings: the disruption measures (hourly movements, closures, diversions, holdings, go-arounds)."""

from __future__ import annotations

from flighttrace.claims.context import Context, Judged
from flighttrace.kinds.disruption.analysis import Disruption
from flighttrace.kinds.disruption.claims import measures

__all__ = ["analyze"]


def analyze(ctx: Context, judged: list[Judged]) -> Disruption:
    """The kind's own tables for the findings (the registry's entry point; see :mod:`flighttrace.kinds`): the measures the claims used."""
    return measures(ctx)
