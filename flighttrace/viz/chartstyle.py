"""What every chart of :mod:`flighttrace.viz.charts` is framed with: the source line, the synthetic caption, the time zone, the width.

A report draws all its charts with one :class:`ChartStyle`; each chart adds
only its own title and what is particular to it.
"""

from __future__ import annotations

import dataclasses
from typing import Final

__all__ = ["DEFAULT_STYLE", "ChartStyle"]


@dataclasses.dataclass(frozen=True)
class ChartStyle:
    """The frame shared by the charts of one report.

    Parameters
    ----------
    source
        Source line, e.g. ``"Source: flighttrace analysis of 257 files"``;
        the time zone is appended when it is not named. Default
        ``"Source: flighttrace analysis"``.
    synthetic
        Add the "SYNTHETIC DATA" caption under the title (data from the
        simulator).
    tz
        Time zone of the days, weeks and hours drawn; default the tables'
        ``tz`` column (else the zone of their times, else UTC).
    width_in
        Figure width, inches (the height is each chart's own).
    """

    source: str | None = None
    synthetic: bool = False
    tz: str | None = None
    width_in: float = 10.0


DEFAULT_STYLE: Final = ChartStyle()
"""The style of a chart drawn without one: the generic source line, real data, the tables' zone, 10 inches wide."""
