"""What the report's writers, and each scenario kind's pages, are given: :class:`ReportRun`.

A scenario kind's ``pages`` module (:mod:`flighttrace.kinds`) is called with
one :class:`ReportRun` and returns plain values (strings, lists, dicts,
tables) that :mod:`flighttrace.report` writes; the jinja2 templates escape
every string.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from flighttrace.kinds import DEFAULT_KIND

__all__ = ["ReportRun"]


@dataclass
class ReportRun:
    """What the pipeline found, handed to the writers and to the kind's pages.

    Attributes
    ----------
    scn
        The scenario.
    scn_path
        Its file.
    ds
        The :class:`flighttrace.Dataset` read (points, manifest, quarantine).
    tz
        The report zone of daily and weekly bins.
    legs
        Every leg of every aircraft (:func:`flighttrace.detect_legs`).
    findings
        :class:`flighttrace.Findings`.
    synthetic
        An input came from flighttrace's simulator.
    notes
        Sentences that open the report when the inputs hold nothing the
        scenario is about.
    kind
        The scenario's kind (``meta.kind``).
    extra
        What the kind's ``prepare`` adds (its own tables, by name).
    leg_params
        The thresholds the legs were detected with
        (:class:`~flighttrace.tracks.params.LegParams`); ``None`` for the
        defaults. The Method section and the evidence cards quote them.
    settings
        The thresholds that differ from the defaults, as ``provenance.json``
        records them (:mod:`flighttrace.report.settings`); empty for the defaults.
    """

    scn: Any
    scn_path: Path
    ds: Any
    tz: str
    legs: pd.DataFrame
    findings: Any
    synthetic: bool
    notes: list[str]
    kind: str = DEFAULT_KIND
    extra: dict[str, Any] = field(default_factory=dict)
    leg_params: Any = None
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def leg_thresholds(self) -> Any:
        """The leg thresholds used: :attr:`leg_params`, or the defaults."""
        from flighttrace.tracks.params import LegParams

        return self.leg_params if self.leg_params is not None else LegParams()

    @cached_property
    def sorted_points(self) -> pd.DataFrame:
        """The Points table in the order the legs' ``point_start`` / ``point_end`` refer to (sorted once)."""
        from flighttrace.tracks.segment import sorted_points

        return sorted_points(self.ds.points)

    @cached_property
    def sha_of(self) -> dict[str, str]:
        """Input file → its SHA-256, from the manifest."""
        m = self.ds.manifest
        return dict(zip(m["path"].astype(str), m["sha256"].astype(str), strict=True)) if len(m) else {}
