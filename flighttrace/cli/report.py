"""``flighttrace report`` and ``flighttrace verify``."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape

from flighttrace.cli import app
from flighttrace.cli._common import command_line, err_console, fail, out_console, show_progress


@app.command()
def report(
    scenario: Path = typer.Argument(..., help="Scenario YAML: claims, fleet, airports, timeline."),
    data: list[Path] = typer.Option(..., "--data", "-d", help="Input files or folders (repeat the option for several)."),
    out: Path = typer.Option(Path("out/report"), "--out", "-o", help="Report folder (index.html, evidence.html, map, charts, exports)."),
    maps: Path = typer.Option(Path("maps"), "--maps", help="Folder for a copy of the map."),
    tz: str | None = typer.Option(None, "--tz", help="IANA zone of naive times in the inputs (SBS logs)."),
    report_tz: str | None = typer.Option(None, "--report-tz", help="Zone for daily/weekly bins (default: the scenario's)."),
    jobs: int = typer.Option(1, "--jobs", "-j", help="Worker processes for reading (0 = one per core)."),
    progress: bool = typer.Option(None, "--progress/--no-progress", help="Progress bar (default: when stderr is a terminal)."),
    tiles: str | None = typer.Option(
        None, "--tiles", help="Online map tiles under the map, e.g. OpenStreetMap. The tile server then sees the area viewed; "
        "without this option the pages load nothing from the internet."),
) -> None:
    """Test a scenario's claims on the data and write the journalist's report."""
    from flighttrace.report import build_report

    if not scenario.is_file():
        fail(f"no such scenario file: {scenario}")
    missing = [str(d) for d in data if not d.exists() and not any(ch in str(d) for ch in "*?[")]
    if missing:
        fail(f"no such input: {missing[0]}")
    try:
        res = build_report(scenario, [str(d) for d in data], out, tz=tz, report_tz=report_tz, maps_dir=maps,
                           progress=show_progress() if progress is None else progress, command=command_line(), n_jobs=jobs, tiles=tiles)
    except Exception as exc:
        from flighttrace.scenario import ScenarioError

        if isinstance(exc, ScenarioError):
            fail(str(exc))
        from flighttrace.viz.basemap import TilesError

        if isinstance(exc, TilesError):
            fail(escape(str(exc)))  # the name as typed, shown as text
        raise
    cl = res.findings.claims
    counts = cl["verdict"].value_counts()
    if res.synthetic:
        out_console.print("[bold yellow]SYNTHETIC DATA:[/] at least one input came from flighttrace's simulator.", soft_wrap=True)
    out_console.print(
        f"{len(cl)} claims: {int(counts.get('supported', 0))} supported, {int(counts.get('contradicted', 0))} contradicted, "
        f"{int(counts.get('inconclusive', 0))} inconclusive.",
        soft_wrap=True,
    )
    if res.maps_copy is not None:
        out_console.print(f"Map: {res.maps_copy}", highlight=False, markup=False, soft_wrap=True)  # one line each, however long the path
    out_console.print(f"Report: {res.index}", highlight=False, markup=False, soft_wrap=True)


@app.command()
def verify(
    report_dir: Path = typer.Argument(..., help="A report folder written by `flighttrace report`."),
) -> None:
    """Check that a report's inputs are unchanged and that a rebuild gives byte-identical outputs."""
    from flighttrace.report import verify_report

    if not report_dir.is_dir():
        fail(f"no such folder: {report_dir}")
    problems = verify_report(report_dir)
    if problems:
        for p in problems:
            err_console.print(f"[red]✗[/] {escape(p)}", highlight=False, soft_wrap=True)  # one line per difference, paths unbroken
        raise typer.Exit(1)
    out_console.print(f"[green]✓[/] {escape(str(report_dir))}: inputs unchanged, every output reproduced byte for byte.", highlight=False, soft_wrap=True)
