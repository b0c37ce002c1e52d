"""The journalist's report: the finding, the claims, sources, evidence cards, charts, map, method, limitations, manifest.

:func:`build_report` runs the whole pipeline (read → legs → the scenario
kind's own tables → coverage and claims) and writes, into one folder:

``index.html``
    the finding first (what was reported, what the data shows, the verdict
    counts, the key numbers, the caveats), then each claim with its sources,
    verdict, reason and a timeline of its window, the sources, the kind's
    sections, the charts, the map, the method, the limitations and the
    manifest of inputs (collapsed);
``evidence.html``
    the evidence cards: the legs behind each finding, each end with its
    grade, the rows that decide it (file, row, SHA-256) and a profile, and
    the chain from the aircraft's address to its operator;
``map.html``, ``charts/*.png|svg``
    the map (copied to ``--maps DIR`` only when asked) and the charts;
``legs.geojson``, ``legs.kml``, ``tables/*`` and the kind's own exports
    (KML time-stamped for Google Earth; CSVs with fixed decimals; a blank
    registration filled from the scenario's fleet list, with
    ``registration_source`` saying so);
``licences/``
    the licences of the libraries and the map data the pages carry
    (Leaflet, the time slider's libraries, world-atlas / Natural Earth),
    linked from each page's footer;
``provenance.json``
    the command, the flighttrace version, every input with its SHA-256 and
    every output with its SHA-256; ``flighttrace verify DIR`` re-derives the
    report from it and compares byte for byte;
``flighttrace-output.json``
    the folder's stamp (:mod:`flighttrace.outdir`): the files this run wrote,
    the only ones a later run into the same folder may replace.

What depends on the scenario's kind (its cards, sections, key numbers,
charts, map, exports, method and limitations) comes from the kind's
``pages`` module, found through the registry
(:func:`flighttrace.kinds.kind_module`); nothing here knows one kind from
another. :mod:`flighttrace.report.bundle` packs a report folder into one
evidence zip.

The folder must be new, empty or a report folder flighttrace wrote; nothing
else in it is touched. Inputs with no position at all stop the run before
anything is written (:class:`flighttrace.nodata.NoPositionsError`).

The same inputs give byte-identical outputs: no page carries the time it
was made, tables are sorted, element ids and chart metadata are fixed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flighttrace._lazy import by_module, lazy_exports

_EXPORTS = by_module({
    "flighttrace.report.build": ("build_report", "ReportResult", "kind_pages", "CSV_NOTE", "STAGES"),
    "flighttrace.report.verify": ("verify_report",),
    "flighttrace.report.context": ("ReportRun",),
})

__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:  # pragma: no cover
    from flighttrace.report.build import CSV_NOTE, STAGES, ReportResult, build_report, kind_pages  # noqa: F401
    from flighttrace.report.context import ReportRun  # noqa: F401
    from flighttrace.report.verify import verify_report  # noqa: F401

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
