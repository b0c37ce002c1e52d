"""Building the report folder: :func:`build_report` (see :mod:`flighttrace.report` for what it writes)."""

from __future__ import annotations

import gc
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pandas as pd

from flighttrace._gc import gc_paused, release_free_memory
from flighttrace._progress import Progress, ProgressArg
from flighttrace._version import __version__
from flighttrace.hashing import sha256_file
from flighttrace.numfmt import fmt_n
from flighttrace.report.context import ReportRun

__all__ = ["CSV_NOTE", "ReportResult", "ReportRun", "build_report", "kind_pages"]

STAGES = 9

CSV_NOTE = ("CSV files are safe to open in a spreadsheet: a text cell that begins with =, +, -, @, a tab or a carriage return "
            "(which a spreadsheet would run as a formula) is written with a single quote in front and in double quotes, as OWASP's "
            "guidance on CSV injection advises. Numbers stay numbers, and the Parquet and GeoJSON files keep every value as it was read. "
            "Where the data gave no registration and the scenario's fleet list knows the aircraft's address, legs.csv, sorties.csv and "
            "legs.geojson give the fleet list's, and their column registration_source says so (data or fleet list).")
"""The Method section's paragraph on the CSV exports (:mod:`flighttrace.csvsafe`)."""


@dataclass
class ReportResult:
    """Where a report was written."""

    out_dir: Path
    index: Path
    map: Path
    maps_copy: Path | None
    outputs: dict[str, str] = field(default_factory=dict)
    synthetic: bool = False
    findings: Any = None
    notes: list[str] = field(default_factory=list)
    """Sentences that open the report when the inputs hold nothing the scenario is about (:func:`flighttrace.nodata.relevance_notes`)."""


def _next_stage(bar: Progress, description: str) -> None:
    """Start the next stage of a report, the memory the last one freed handed back first (:func:`flighttrace._gc.release_free_memory`)."""
    release_free_memory()
    bar.advance(1, description)


def _sha(path: Path) -> str:
    return sha256_file(path)


# --------------------------------------------------------------------------- building


def build_report(
    scenario: str | os.PathLike[str],
    data: list[str | os.PathLike[str]],
    out_dir: str | os.PathLike[str],
    *,
    tz: str | None = None,
    report_tz: str | None = None,
    maps_dir: str | os.PathLike[str] | None = None,
    progress: ProgressArg = False,
    command: str | None = None,
    points: pd.DataFrame | None = None,
    n_jobs: int = 1,
    tiles: str | None = None,
    preregistration: Any = None,
    legs: Any = None, rules: Any = None, loaded: Any = None,
) -> ReportResult:
    """Run the pipeline and write the report folder.

    Parameters
    ----------
    scenario
        The scenario YAML (claims, fleet, airports, timeline).
    data
        Input files or folders (anything :func:`flighttrace.read` takes).
    out_dir
        The report folder: new, empty, or a report folder flighttrace wrote
        before (:mod:`flighttrace.outdir`: only the files of that earlier run
        are replaced; nothing else in it is touched).
    tz
        Zone of naive times in the inputs (SBS logs).
    report_tz
        Zone for daily and weekly bins (default: the scenario's ``report_tz``).
    maps_dir
        A folder for a copy of the map (``<maps_dir>/<scenario>.html``);
        ``None`` (the default) for none. Other files there are left alone.
    progress
        Progress bar over the stages, or a callable.
    command
        The command line to record in ``provenance.json``.
    points
        A Points table to use instead of reading ``data`` (benchmarks).
    n_jobs
        Worker processes for reading.
    tiles
        Online map tiles under the map (a provider name such as
        ``"OpenStreetMap"``): the tile server then sees the area the reader
        views. ``None`` (default): the offline basemap, and the pages make no
        network request.
    preregistration
        The pre-registration stamp to use (a
        :class:`~flighttrace.claims.prereg.Preregistration` or the dictionary
        ``provenance.json`` records; ``flighttrace verify`` passes the
        recorded one); default: a new stamp, made before any data file is
        opened. The same inputs and stamp give byte-identical outputs.
    legs, rules
        Leg and verdict thresholds (:class:`~flighttrace.tracks.params.LegParams`, :class:`~flighttrace.claims.VerdictRules`); ``None``: the
        defaults. Others are recorded (:mod:`flighttrace.report.settings`), named in the Method section, and used by ``flighttrace verify``.
    loaded
        The scenario already loaded from ``scenario`` by :func:`~flighttrace.load_scenario` (the CLI does, to refuse drafts): the file is
        not parsed again. It must come from that file (its ``path``). ``None`` (default): loaded here.

    Returns
    -------
    ReportResult
        Paths of the report, its map and every output with its SHA-256.

    Raises
    ------
    flighttrace.outdir.OutputFolderError
        Before anything is read: ``out_dir`` (or ``maps_dir``) holds files
        flighttrace did not write, or is, holds or lies inside an input.
    ValueError
        Before anything is read: ``tz`` or ``report_tz`` is not an IANA zone, a threshold cannot be recorded (``SettingsError``), or ``loaded`` is of another file.
    flighttrace.nodata.NoPositionsError
        The inputs hold no position at all; nothing is written.
    """
    import flighttrace
    from flighttrace.nodata import require_positions
    from flighttrace.report import panels
    from flighttrace.timeutil import check_zone

    out, scn_path = Path(out_dir), Path(scenario)
    target, maps_target, settings = _check_before_reading(out, scn_path, data, tz=tz, report_tz=report_tz, maps_dir=maps_dir, tiles=tiles,
                                                          command=command, legs=legs, rules=rules, loaded=loaded)
    with gc_paused(), Progress(progress, "report: reading", STAGES) as bar:
        bar.advance(0, "report: reading")  # a progress callable hears of the first stage too
        scn = flighttrace.load_scenario(scn_path) if loaded is None else loaded
        prereg = panels.stamp(scn_path, scn, preregistration)  # before any data file is opened
        tzr = check_zone(report_tz or getattr(scn.meta, "report_tz", None) or None, "the scenario's meta.report_tz") or "UTC"
        ds = flighttrace.read([str(d) for d in data], tz=tz, n_jobs=n_jobs, command=command) if points is None else _dataset_from_points(points)
        require_positions(ds, data)
        run = _analyse(scn, scn_path, ds, tzr, bar, settings)
        maps_copy = None if maps_dir is None else Path(maps_dir) / f"{scn_path.stem}.html"
        with target.writing() as work:
            outputs = _write_report(run, work, out, bar, data=data, command=command, tz=tz, maps_copy=maps_copy, tiles=tiles, prereg=prereg)
        if maps_target is not None and maps_copy is not None:
            with maps_target.writing() as mw:
                shutil.copyfile(out / "map.html", mw / maps_copy.name)
        bar.advance(1, "report: done")
    return ReportResult(out, out / "index.html", out / "map.html", maps_copy, outputs, run.synthetic, run.findings, run.notes)


def _check_before_reading(out: Path, scn_path: Path, data: list[Any], *, tz: str | None, report_tz: str | None, maps_dir: Any,
                          tiles: str | None, command: str | None, legs: Any = None, rules: Any = None,
                          loaded: Any = None) -> tuple[Any, Any, dict[str, Any]]:
    """Everything that can be refused before a file is read: a scenario loaded from another file, thresholds, zones, output folders, tiles.

    Returns the two output folders and the thresholds to record (:func:`flighttrace.report.settings.settings_record`).
    """
    from flighttrace.outdir import output_folder
    from flighttrace.report.settings import settings_record
    from flighttrace.timeutil import check_zone

    if loaded is not None and (getattr(loaded, "path", None) is None or Path(loaded.path) != scn_path):
        raise ValueError(f"the scenario given as loaded comes from {getattr(loaded, 'path', None)!r}, not from {scn_path.as_posix()!r}")
    settings = settings_record(legs, rules)  # a threshold that could not be verified is refused first
    check_zone(tz, "tz")
    check_zone(report_tz, "report_tz")
    inputs = [*data, scn_path]
    target = output_folder(out, inputs=inputs, command=command or "flighttrace.report.build_report")
    maps_target = None if maps_dir is None else output_folder(
        maps_dir, inputs=inputs, command=command or "flighttrace.report.build_report", shared=True, expect=[f"{scn_path.stem}.html"])
    if tiles is not None:  # unknown tiles are refused before the inputs are read
        from flighttrace.viz.basemap import tile_layer

        tile_layer(tiles)
    return target, maps_target, settings


def kind_pages(run: ReportRun) -> ModuleType:
    """The ``pages`` module of the run's scenario kind (:func:`flighttrace.kinds.kind_module`)."""
    from flighttrace.kinds import kind_module

    return kind_module(run.kind, "pages")


def _analyse(scn: Any, scn_path: Path, ds: Any, tzr: str, bar: Progress, settings: dict[str, Any] | None = None) -> ReportRun:
    """Legs, the kind's own tables, coverage and claims of a read; the stages 'legs' to 'coverage and claims'.

    ``settings``: the thresholds other than the defaults, as ``provenance.json`` records them
    (:mod:`flighttrace.report.settings`); the run uses what is recorded, so a rebuild uses the same.
    """
    import flighttrace
    from flighttrace.claims import evaluate
    from flighttrace.claims.coverage import coverage as coverage_table
    from flighttrace.kinds import DEFAULT_KIND
    from flighttrace.nodata import relevance_notes
    from flighttrace.report.settings import settings_from_record

    leg_params, rules = settings_from_record(settings)
    _next_stage(bar, "report: legs")
    legs = flighttrace.detect_legs(ds.points, scn, params=leg_params)
    synthetic = bool(ds.synthetic) or bool(getattr(scn.meta, "synthetic", False))
    run = ReportRun(scn, scn_path, ds, tzr, legs, None, synthetic, relevance_notes(scn, legs, len(ds.points)),
                    kind=getattr(scn.meta, "kind", DEFAULT_KIND) or DEFAULT_KIND, leg_params=leg_params, settings=settings or {})
    _next_stage(bar, "report: sorties")  # the stage's name, kept for progress listeners: the kind's own tables
    pages = kind_pages(run)
    pages.prepare(run)
    tracked = getattr(pages, "tracked_legs", None)  # a kind that knows, before its claims, which legs' tracks it writes
    if tracked is not None:
        del legs
        run.legs = _tracks_only_for(run.legs, tracked(run))
    _next_stage(bar, "report: coverage and claims")
    cov = coverage_table(ds, scn, report_tz=tzr)
    run.findings = evaluate(run.legs, scn, coverage=cov, report_tz=tzr, points=ds.points, rules=rules, synthetic=synthetic)
    return run


def _tracks_only_for(legs: Any, tracked: pd.DataFrame) -> Any:
    """The legs table with the tracks (``geometry``) of the legs not in ``tracked`` set to ``None``.

    A report writes a leg's track only in its exports (``legs.geojson``, the
    WKB column of ``tables/legs.parquet``); its maps, cards and measures are
    made from the positions. A kind whose exported legs are known before the
    claims are tested says which they are (its ``pages.tracked_legs``); the
    other legs' tracks (on the Ovda world, most of 3,315 legs and 546,553
    coordinates, about 10 MB) are dropped then, and their memory freed.
    """
    if "geometry" not in getattr(legs, "columns", ()) or "leg_id" not in legs.columns or not len(legs):
        return legs
    if "leg_id" not in getattr(tracked, "columns", ()):  # the kind named no leg: every track is kept, none dropped on a guess
        return legs
    keep = set(tracked["leg_id"].astype(str))
    unused = ~legs["leg_id"].astype(str).isin(keep).to_numpy(dtype=bool)
    if not unused.any():
        return legs
    out = legs.copy(deep=False)
    tracks = out.geometry.to_numpy().copy()
    tracks[unused] = None
    out[out.geometry.name] = type(out.geometry)(tracks, index=out.index, crs=out.crs)
    return out


def _write_report(run: ReportRun, work: Path, out: Path, bar: Progress, *, data: list[Any], command: str | None, tz: str | None,
                  maps_copy: Path | None, tiles: str | None, prereg: Any) -> dict[str, str]:
    """Write every file of the report into ``work`` (moved to ``out`` afterwards); the stages 'charts' to 'provenance'."""
    from flighttrace.report.export import leg_field_elevations, to_csv, write_legs_geojson, write_legs_kml
    from flighttrace.report.legcards import with_registrations
    from flighttrace.report.render import write_pages
    from flighttrace.report.settings import settings_lines
    from flighttrace.tracks.legs import airport_events
    from flighttrace.viz.maps import save_map
    from flighttrace.viz.offline import write_licences

    scn, ds = run.scn, run.ds
    pages = kind_pages(run)
    (work / "charts").mkdir(parents=True)
    (work / "tables").mkdir()
    _next_stage(bar, "report: charts")
    source = f"Source: flighttrace {__version__} analysis of {fmt_n(len(ds.manifest), 'input file')}; scenario '{scn.meta.title}'."
    charts = _save_charts(pages.charts(run, source), work, [])
    _next_stage(bar, "report: map")
    save_map(pages.build_map(run, tiles=tiles, evidence_page="evidence.html"), work / "map.html")
    gc.collect(0)  # the map's elements, likewise
    write_licences(work / "licences")  # of the libraries and map data the pages carry
    _next_stage(bar, "report: exports")
    table_legs, export_legs = pages.table_legs(run), pages.export_legs(run)  # as the data gave them: the pages say where a registration comes from
    pages.write_exports(run, work)
    write_legs_geojson(with_registrations(export_legs, scn), work / "legs.geojson")  # written in pieces, never held whole
    elev = leg_field_elevations(export_legs, scn.airport_index().table) if len(export_legs) else {}
    write_legs_kml(export_legs, ds.points, work / "legs.kml", title=scn.meta.title, synthetic=run.synthetic, elevations_ft=elev)
    to_csv(with_registrations(table_legs, scn), work / "tables" / "legs.csv")
    to_csv(airport_events(table_legs), work / "tables" / "airport_events.csv")
    to_csv(ds.manifest, work / "tables" / "manifest.csv")
    to_csv(ds.quarantine, work / "tables" / "quarantine.csv")
    run.findings.to_dir(work / "tables")
    _next_stage(bar, "report: pages")
    write_pages(run, pages, work, out.name, charts, tiles=tiles, method_extra=[CSV_NOTE, *settings_lines(run.settings)], prereg=prereg)
    _next_stage(bar, "report: provenance")
    return _write_provenance(work, out, run.scn_path, data, ds, command, tz=tz, report_tz=run.tz, maps_copy=maps_copy,
                             synthetic=run.synthetic, tiles=tiles, prereg=prereg.to_dict(), settings=run.settings)


def _dataset_from_points(points: pd.DataFrame) -> Any:
    from flighttrace.io.api import Dataset
    from flighttrace.provenance import ManifestRow, manifest_frame
    from flighttrace.schema import empty_quarantine

    files: Any = []
    if len(points):
        col = points["src_file"]
        seen = np.bincount(col.cat.codes.to_numpy().astype(np.int64) + 1) if isinstance(col.dtype, pd.CategoricalDtype) else None
        if seen is not None and seen[0] == 0:  # the files that occur, counted by category code (no string per point)
            files = col.cat.categories[np.flatnonzero(seen[1:])].astype(str).unique()
        else:
            files = col.astype(str).unique()
    rows = [ManifestRow(path=f, format="points", notes=["given as a Points table"]) for f in sorted(files)]
    return Dataset(points=points, quarantine=empty_quarantine(), manifest=manifest_frame(rows), info={"call": "points given"})


def _save_charts(specs: list[tuple[str, str, Any]], out: Path, made: list[dict[str, str]]) -> list[dict[str, str]]:
    """Draw and save each chart (PNG and SVG) and list it for the page.

    The charts are :class:`matplotlib.figure.Figure` objects made without
    pyplot (:mod:`flighttrace.viz.charts`), so pyplot, slow to import, is
    not needed to close them: each is cleared once saved and then dropped.
    A figure and its drawn canvas are reference cycles, which a report keeps
    while the collector is paused (:func:`flighttrace._gc.gc_paused`): they are
    collected after each chart, so the next one reuses their memory. What the
    report made before the charts is frozen meanwhile (:func:`gc.freeze`), so
    each collection walks only the chart's objects, not the whole report, and
    unfrozen afterwards; a caller that froze objects itself keeps them frozen.
    """
    from flighttrace.viz import charts as ch

    freeze = gc.get_freeze_count() == 0  # a caller's own frozen objects are left as they are
    if freeze:
        gc.freeze()
    try:
        for name, caption, make in specs:  # one figure per chart
            fig = make()
            paths = ch.save_figure(fig, out / "charts" / name)
            fig.clear()
            del fig
            gc.collect(0)
            png = next(p for p in paths if str(p).endswith(".png"))
            svg = next(p for p in paths if str(p).endswith(".svg"))
            made.append({"png": Path(png).relative_to(out).as_posix(), "svg": Path(svg).relative_to(out).as_posix(), "caption": caption, "alt": caption})
    finally:
        if freeze:
            gc.unfreeze()
    return made


def _write_provenance(work: Path, out: Path, scn_path: Path, data: list[Any], ds: Any, command: str | None, *, tz: str | None,
                      report_tz: str, maps_copy: Path | None, synthetic: bool, tiles: str | None = None,
                      prereg: dict[str, Any] | None = None, settings: dict[str, Any] | None = None) -> dict[str, str]:
    """``provenance.json`` in ``work``, naming the report folder ``out`` it is moved to."""
    from flighttrace.outdir import STAMP_NAME
    from flighttrace.report.settings import defaults_record

    files = sorted(p for p in work.rglob("*") if p.is_file() and p.name != "provenance.json")
    outputs = {p.relative_to(work).as_posix(): sha256_file(p) for p in files}
    copies = {} if maps_copy is None else {maps_copy.as_posix(): outputs["map.html"]}
    inputs = [{"path": r["path"], "sha256": r["sha256"], "format": r["format"]} for r in ds.manifest.to_dict(orient="records")]
    doc = {
        "flighttrace_version": __version__,
        "command": command or "flighttrace.report.build_report",
        "cwd": os.getcwd(),
        "arguments": {
            "scenario": scn_path.as_posix(), "data": [str(d) for d in data], "out": out.as_posix(), "tz": tz, "report_tz": report_tz,
            "maps_dir": None if maps_copy is None else maps_copy.parent.as_posix(), "tiles": tiles,
        },
        "scenario": {"path": scn_path.as_posix(), "sha256": sha256_file(scn_path)},
        "inputs": inputs,
        "outputs": dict(sorted(outputs.items())),
        "output_stamp": STAMP_NAME,
        "copies": copies,
        "synthetic": synthetic,
        "preregistration": prereg,
        "default_thresholds": defaults_record(),  # so that a later flighttrace can say which of its defaults changed since
    }
    if settings:  # thresholds other than the defaults (a default report records none: its provenance is unchanged)
        doc["arguments"]["settings"] = settings  # type: ignore[index]
    (work / "provenance.json").write_text(json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    return outputs
