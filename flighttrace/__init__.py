"""flighttrace: flight-tracking evidence for journalists.

Read ADS-B files from any common source into one table, rebuild each
aircraft's legs, decide where each took off and landed and how sure that is,
chain legs into sorties, and test published claims against a conflict
timeline.

Importing flighttrace is cheap and offline: the public functions below are
loaded on first use.

>>> import flighttrace
>>> ds = flighttrace.read("fixtures/")  # doctest: +SKIP

``flighttrace.report`` and ``flighttrace.sim`` are modules (the report
and the simulator); the report is built by ``flighttrace.build_report``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flighttrace._lazy import lazy_exports
from flighttrace._version import __version__

_EXPORTS: dict[str, str] = {
    "read": "flighttrace.io.api",
    "Dataset": "flighttrace.io.api",
    "formats": "flighttrace.io.detect",
    "validate_points": "flighttrace.schema",
    "SchemaError": "flighttrace.schema",
    "load_scenario": "flighttrace.scenario",
    "Scenario": "flighttrace.scenario",
    "detect_legs": "flighttrace.tracks.legs",
    "ground_stays": "flighttrace.tracks.legs",
    "find_sorties": "flighttrace.kinds.sorties.chain",
    "evaluate": "flighttrace.claims",
    "Findings": "flighttrace.claims",
    "coverage": "flighttrace.claims.coverage",
    "map_sorties": "flighttrace.viz.maps",
    "build_report": "flighttrace.report",
    "Case": "flighttrace.case",
    "VerdictRules": "flighttrace.claims",
    "LegParams": "flighttrace.tracks",
    "airport_events": "flighttrace.tracks.legs",
    "lineage": "flighttrace.tracks.lineage",
    "build_world": "flighttrace.kinds.sorties.world",
    "build_disruption_world": "flighttrace.kinds.disruption.world",
    "analyze_disruption": "flighttrace.kinds.disruption.analysis",
    "map_disruption": "flighttrace.viz.maps",
    "OutputFolderError": "flighttrace.outdir",
    "NoPositionsError": "flighttrace.nodata",
}

_MODULES: dict[str, str] = {
    "report": "flighttrace.report",
    "sim": "flighttrace.sim",
}
"""Names that are modules of their own: ``flighttrace.report.build_report``, ``flighttrace.sim.kinematics.observe``."""

__all__ = ["__version__", *sorted({*_EXPORTS, *_MODULES})]

if TYPE_CHECKING:  # pragma: no cover
    from flighttrace.io.api import Dataset, read  # noqa: F401 - names for type checkers (__all__ is built at run time)
    from flighttrace.io.detect import formats  # noqa: F401 - names for type checkers (__all__ is built at run time)
    from flighttrace.schema import SchemaError, validate_points  # noqa: F401 - names for type checkers (__all__ is built at run time)


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, _MODULES, names=["__version__"])
