"""No result from no data: say what the inputs held, and whether they hold anything the scenario is about.

``report``, ``analyze`` and ``legs`` (and :func:`flighttrace.build_report`)
stop with :class:`NoPositionsError` when the inputs give no position at all:
an empty folder, a folder of notes and photographs, files that could not be
read. The message names each file, the format it was read as (or that none
was recognised) and why it gave nothing; nothing is written.

When the inputs hold positions but none of the scenario's fleet, or no leg
that begins or ends at one of its airports, the report is still made, and
:func:`relevance_notes` gives the sentences that open it.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any, Final

import pandas as pd

from flighttrace.numfmt import fmt_n
from flighttrace.safetext import printable

__all__ = ["NoPositionsError", "empty_input_files", "relevance_notes", "require_positions"]

_SHOW_FILES: Final = 20
"""How many files the message lists before it says how many more there are."""
_REASON_CHARS: Final = 240
"""Longest reason quoted per file, characters."""


class NoPositionsError(ValueError):
    """The inputs gave no position at all; nothing was written.

    Attributes
    ----------
    files
        One dict per input file: ``path``, ``format`` and ``reason``.
    """

    def __init__(self, message: str, files: list[dict[str, str]]) -> None:
        super().__init__(message)
        self.files = files


def _top_reasons(quarantine: pd.DataFrame) -> dict[str, str]:
    """Per file: its quarantine reasons with counts, the commonest first (``"12 × no position; 3 × …"``)."""
    if not len(quarantine):
        return {}
    counts = quarantine.groupby([quarantine["src_file"].astype(str), quarantine["reason"].astype(str)], sort=False).size()
    counts = counts.sort_values(ascending=False, kind="stable")
    out: dict[str, list[str]] = {}
    files, reasons = counts.index.get_level_values(0).tolist(), counts.index.get_level_values(1).tolist()
    for f, reason, n in zip(files, reasons, counts.tolist(), strict=True):  # one entry per (file, reason)
        out.setdefault(str(f), []).append(f"{int(n):,} × {reason}")
    return {f: "; ".join(parts[:3]) for f, parts in out.items()}


def empty_input_files(manifest: pd.DataFrame, quarantine: pd.DataFrame) -> list[dict[str, str]]:
    """Each input file with the format it was read as and why it gave no position.

    Parameters
    ----------
    manifest
        The Manifest table of a read.
    quarantine
        The Quarantine table of the same read.

    Returns
    -------
    list of dict
        ``path``, ``format`` (``"not recognised"`` when no reader took it)
        and ``reason``, all printable text (raw bytes of a file escaped).
    """
    reasons = _top_reasons(quarantine)
    files = []
    for r in manifest.to_dict(orient="records"):  # one entry per input file
        path = str(r["path"])
        fmt = str(r.get("format") or "") or "not recognised"
        if r.get("error"):
            why = str(r["error"])
        elif fmt == "skipped":
            why = f"skipped ({r.get('notes') or 'not a data file'})"
        elif int(r.get("rows_read") or 0) == 0:
            why = "no records in it"
        elif int(r.get("rows_kept") or 0) == 0 and int(r.get("rows_quarantined") or 0):
            why = f"{fmt_n(int(r['rows_read']), 'record')}, none usable: {reasons.get(path, 'see the quarantine')}"
        elif int(r.get("rows_duplicate") or 0):
            why = f"{fmt_n(int(r['rows_duplicate']), 'record')}, all duplicates of records in another input"
        else:
            why = f"{fmt_n(int(r.get('rows_read') or 0), 'record')}, no position kept ({r.get('notes') or 'filtered out'})"
        files.append({"path": printable(path), "format": printable(fmt), "reason": printable(why, limit=_REASON_CHARS)})
    return files


def require_positions(dataset: Any, inputs: Sequence[str | os.PathLike[str]]) -> None:
    """Raise :class:`NoPositionsError` when a read gave no position at all.

    Parameters
    ----------
    dataset
        The :class:`flighttrace.Dataset` of the inputs.
    inputs
        The paths as given, named when they hold no file at all.

    Raises
    ------
    NoPositionsError
        First line: how many files and that nothing was written; then one
        line per file (``path [format]: why``).
    """
    if len(dataset.points):
        return
    files = empty_input_files(dataset.manifest, dataset.quarantine)
    if not files:
        named = ", ".join(printable(os.fspath(p)) for p in inputs) or "(none given)"
        raise NoPositionsError(f"no input files: {named} hold(s) no file to read; nothing was written", [])
    lines = [f"no positions in the {fmt_n(len(files), 'input file')}; nothing was written. Each file, the format it was read as, and why it gave none:"]
    lines += [f"  {f['path']} [{f['format']}]: {f['reason']}" for f in files[:_SHOW_FILES]]
    if len(files) > _SHOW_FILES:
        lines.append(f"  … and {len(files) - _SHOW_FILES} more (`flighttrace ingest` lists them all)")
    raise NoPositionsError("\n".join(lines), files)


def relevance_notes(scenario: Any, legs: pd.DataFrame, n_points: int) -> list[str]:
    """Sentences for the top of a report whose inputs hold nothing the scenario is about; empty otherwise.

    Parameters
    ----------
    scenario
        The :class:`flighttrace.Scenario`.
    legs
        Every leg found in the inputs.
    n_points
        Positions read.

    Returns
    -------
    list of str
        For a fleet scenario, when no leg is the fleet's; for any scenario,
        when no leg begins or ends at one of its airports.
    """
    import numpy as np

    notes = []
    n_aircraft = int(legs["icao24"].nunique()) if len(legs) else 0
    seen = f"{n_points:,} positions of {n_aircraft:,} aircraft"
    if getattr(scenario.meta, "kind", "sorties") != "disruption" and (scenario.fleet.aircraft or scenario.fleet.selectors):
        if not len(legs) or not np.asarray(scenario.fleet_mask(legs), dtype=bool).any():
            notes.append(f"None of the {seen} in the inputs belongs to the scenario's fleet: the claims below are tested "
                         "on data that holds none of the aircraft they are about.")
    codes = scenario.airport_codes()
    if codes:
        ends = pd.concat([legs["origin"], legs["destination"]]) if len(legs) else pd.Series([], dtype=object)
        if not ends.astype(str).isin(codes).any():
            notes.append(f"No leg in the inputs ({seen}) begins or ends at any of the scenario's {len(codes)} airports "
                         f"({', '.join(sorted(codes)[:8])}{', …' if len(codes) > 8 else ''}).")
    return notes
