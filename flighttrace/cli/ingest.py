"""``flighttrace ingest`` and ``flighttrace formats``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.table import Table
from rich.text import Text

from flighttrace.cli import app
from flighttrace.cli._common import Icao24, ShowProgress, check_zones, command_line, fail, out_console, output_or_fail, plain, show_progress
from flighttrace.safetext import printable

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from flighttrace.io.api import Dataset


def summary_table(manifest: pd.DataFrame, title: str = "Input files") -> Table:
    """A rich table with one row per input file.

    Parameters
    ----------
    manifest
        The Manifest table of a read.
    title
        The table's title.

    Returns
    -------
    rich.table.Table
        File, format, records read / kept / quarantined / duplicate, aircraft,
        time span (UTC), and the error or the reader's notes.
    """
    t = Table(title=title, show_lines=False)
    for col, just in (("file", "left"), ("format", "left"), ("read", "right"), ("kept", "right"),
                      ("quarantined", "right"), ("dup", "right"), ("aircraft", "right"), ("span (UTC)", "left"), ("error / notes", "left")):
        t.add_column(col, justify=just, overflow="fold")  # type: ignore[arg-type]
    for _, r in manifest.iterrows():
        span = ""
        if r["time_min"] is not None and str(r["time_min"]) != "NaT":
            span = f"{r['time_min']:%Y-%m-%d %H:%M} → {r['time_max']:%Y-%m-%d %H:%M}"
        msg = Text(printable(r["error"] or r["notes"]), style="red" if r["error"] else "")  # file text, never markup
        t.add_row(
            Text(printable(r["path"])), Text(printable(r["format"])), f"{r['rows_read']:,}", f"{r['rows_kept']:,}", f"{r['rows_quarantined']:,}",
            f"{r['rows_duplicate']:,}", f"{r['n_aircraft']:,}", span, msg,
        )
    return t


@app.command()
def ingest(
    paths: list[Path] = typer.Argument(..., help="Files, folders, globs, tars or ZIP archives to read."),
    out: Path = typer.Option(Path("out/ingest"), "--out", "-o", help="Folder for points.parquet, quarantine.parquet, manifest.json: new, empty, or one flighttrace wrote."),
    format: str | None = typer.Option(None, "--format", "-f", help="Force a format instead of detecting it (see `flighttrace formats`)."),
    tz: str | None = typer.Option(None, "--tz", help="IANA zone of naive times (SBS logs); UTC when omitted."),
    icao24: Icao24 = None,
    store: Path | None = typer.Option(
        None, "--store",
        help="Also add the points to a partitioned Parquet store. Files already in it (same SHA-256) are not read again; "
             "--out then holds only what was new.",
    ),
    progress: ShowProgress = None,
    jobs: int = typer.Option(1, "--jobs", "-j", help="Worker processes for parsing (0 = one per core)."),
) -> None:
    """Read flight-tracking files into one Points table, with a manifest and a quarantine.

    Exit code 0 when points were read (or, with --store, when every file was
    already stored); 2, with a one-line reason, when nothing readable was given.

    \b
    Example:
        flighttrace ingest fixtures/ovda/data --out out/points
    """
    import flighttrace
    from flighttrace.io.detect import formats

    if format is not None and format not in formats():
        fail(f"unknown format {format!r}; run `flighttrace formats` for the list")
    check_zones(tz=tz)
    target = output_or_fail(out, inputs=[*paths, store])
    selection = icao24.split(",") if icao24 else None
    inputs = [str(p) for p in paths]
    stored: list[str] = []
    if store is not None:
        from flighttrace.io.store import split_stored

        try:
            inputs, stored = split_stored(inputs, store, icao24=selection)
        except Exception as exc:  # a store folder that cannot be read
            fail(str(exc))
        if stored:
            out_console.print(f"{len(stored):,} file(s) already in the store {plain(store)} (same SHA-256): not read again", highlight=False)
        if not inputs:
            out_console.print(f"nothing new: every input file is already in the store {plain(store)}", highlight=False)
            return
    try:
        ds = flighttrace.read(
            inputs, format=format, tz=tz, icao24=selection,
            progress=show_progress() if progress is None else progress, command=command_line(), n_jobs=jobs,
        )
    except Exception as exc:  # invalid tz and similar caller errors
        fail(str(exc))
    out_console.print(summary_table(ds.manifest))
    if len(ds.points) == 0:
        fail("nothing readable: " + _why_nothing(ds))
    with target.writing() as work:
        ds.to_parquet(work)
    out_console.print(
        f"[bold]{len(ds.points):,}[/] points from {ds.points['icao24'].nunique():,} aircraft, "
        f"{ds.records_quarantined:,} quarantined, {int(ds.manifest['rows_duplicate'].sum()):,} duplicates; "
        f"written to {plain(out)}/", highlight=False,
    )
    if store is not None:
        from flighttrace.io.store import add_to_store

        up = add_to_store(ds, store)
        n_skipped = len(stored) + len(up.files_skipped)
        if up.batch:
            out_console.print(
                f"store {plain(store)}: batch {plain(up.batch)}, {len(up.files_added):,} file(s) added, {n_skipped:,} already stored, "
                f"{up.points_written:,} points written, {up.duplicates_dropped:,} duplicate(s) of stored points dropped"
            )
        else:
            out_console.print(f"store {plain(store)}: nothing new ({n_skipped:,} file(s) already stored)", highlight=False)


def _why_nothing(ds: Dataset) -> str:
    """One line on why a read gave no point: the first file's error or quarantine reasons (:func:`~flighttrace.nodata.empty_input_files`)."""
    from flighttrace.nodata import empty_input_files

    files = empty_input_files(ds.manifest, ds.quarantine)
    if not files:
        return "no points in the input"
    if len(files) == 1:
        return files[0]["reason"]
    return f"{files[0]['path']}: {files[0]['reason']} (and {len(files) - 1:,} more file(s), listed above)"


@app.command("formats")
def formats_cmd() -> None:
    """List the input formats flighttrace reads.

    \b
    Example:
        flighttrace formats
    """
    from flighttrace.io.detect import formats

    t = Table(title="Formats")
    t.add_column("name")
    t.add_column("kind")
    t.add_column("description")
    for spec in formats().values():
        t.add_row(spec.name, spec.kind, spec.description)
    out_console.print(t)
