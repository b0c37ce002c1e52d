"""``flighttrace report`` and ``flighttrace verify``."""

from __future__ import annotations

from pathlib import Path

import typer

from flighttrace.cli import app
from flighttrace.cli._common import ShowProgress, check_zones, command_line, err_console, fail, out_console, plain, refuse_drafts, show_progress


@app.command()
def report(
    scenario: Path = typer.Argument(..., help="Scenario YAML: claims, fleet, airports, timeline."),
    data: list[Path] = typer.Option(..., "--data", "-d", help="Input files or folders (repeat the option for several)."),
    out: Path = typer.Option(Path("out/report"), "--out", "-o", help="Report folder: new, empty, or one flighttrace wrote before (only its files are replaced)."),
    maps: Path | None = typer.Option(None, "--maps", help="Also copy the map to DIR/<scenario>.html (nothing else in DIR is touched)."),
    tz: str | None = typer.Option(None, "--tz", help="IANA zone of naive times in the inputs (SBS logs)."),
    report_tz: str | None = typer.Option(None, "--report-tz", help="Zone for daily/weekly bins (default: the scenario's)."),
    jobs: int = typer.Option(1, "--jobs", "-j", help="Worker processes for reading (0 = one per core)."),
    progress: ShowProgress = None,
    allow_draft: bool = typer.Option(False, "--allow-draft", help="Test claims still marked status: draft (by default such a scenario is refused)."),
    tiles: str | None = typer.Option(
        None, "--tiles", help="Online map tiles under the map, e.g. OpenStreetMap. The tile server then sees the area viewed; "
        "without this option the pages load nothing from the internet."),
    make_bundle: bool = typer.Option(False, "--bundle", help="Also write the evidence bundle OUT.zip beside the report (see flighttrace bundle)."),
) -> None:
    """Test a scenario's claims on the data and write the journalist's report.

    \b
    Example:
        flighttrace report seeds/azerbaijan-ovda.yaml --data fixtures/ovda/data --out out/ovda
    """
    from flighttrace.nodata import NoPositionsError
    from flighttrace.outdir import OutputFolderError
    from flighttrace.report import build_report
    from flighttrace.scenario import ScenarioError, load_scenario
    from flighttrace.viz.basemap import TilesError

    check_zones(tz=tz, report_tz=report_tz)
    if not scenario.is_file():
        fail(f"no such scenario file: {scenario}")
    try:
        loaded = load_scenario(scenario)  # handed to build_report: the file is parsed once
        refuse_drafts(loaded, allow_draft, str(scenario))
    except ScenarioError as exc:
        fail(str(exc))
    missing = [str(d) for d in data if not d.exists() and not any(ch in str(d) for ch in "*?[")]
    if missing:
        fail(f"no such input: {missing[0]}")
    bundle_path = out.parent / f"{out.name}.zip"
    try:
        if make_bundle:  # refused before any work when the zip is not flighttrace's to write
            from flighttrace.report.bundle import check_bundle_target

            check_bundle_target(bundle_path, out, command=command_line())
        res = build_report(scenario, [str(d) for d in data], out, tz=tz, report_tz=report_tz, maps_dir=maps,
                           progress=show_progress() if progress is None else progress, command=command_line(), n_jobs=jobs, tiles=tiles,
                           loaded=loaded)
    except (ScenarioError, OutputFolderError, NoPositionsError, TilesError) as exc:
        fail(str(exc))
    for note in res.notes:  # the inputs hold nothing the scenario is about: said first
        out_console.print(f"[bold red]NOTE:[/] {plain(note)}", highlight=False, soft_wrap=True)
    cl = res.findings.claims
    counts = cl["verdict"].value_counts()
    if res.synthetic:
        out_console.print("[bold yellow]SYNTHETIC DATA:[/] at least one input came from flighttrace's simulator.", soft_wrap=True)
    out_console.print(
        f"{len(cl)} claim{'' if len(cl) == 1 else 's'}: {int(counts.get('supported', 0))} supported, {int(counts.get('contradicted', 0))} contradicted, "
        f"{int(counts.get('inconclusive', 0))} inconclusive.",
        soft_wrap=True,
    )
    if res.maps_copy is not None:
        out_console.print(f"Map: {res.maps_copy}", highlight=False, markup=False, soft_wrap=True)  # one line each, however long the path
    out_console.print(f"Report: {res.index}", highlight=False, markup=False, soft_wrap=True)
    if make_bundle:
        _bundle(out, bundle_path, None)


def _bundle(report_dir: Path, out: Path | None, max_input_mb: float | None) -> None:
    from flighttrace.outdir import OutputFolderError
    from flighttrace.report.bundle import DEFAULT_MAX_INPUT_MB, BundleError, bundle

    try:
        res = bundle(report_dir, out, max_input_mb=DEFAULT_MAX_INPUT_MB if max_input_mb is None else max_input_mb, command=command_line())
    except (BundleError, OutputFolderError) as exc:
        fail(str(exc))
    if res.inputs_left_out:
        out_console.print(f"{len(res.inputs_left_out)} input file(s) left out of the bundle (over the size allowed); their SHA-256 and origin "
                          "are in its bundle.json.", highlight=False, markup=False, soft_wrap=True)
    out_console.print(f"Bundle: {res.path}", highlight=False, markup=False, soft_wrap=True)


@app.command()
def bundle(
    report_dir: Path = typer.Argument(..., metavar="REPORT_DIR", help="A report folder written by flighttrace report."),
    out: Path | None = typer.Option(None, "--out", "-o", help="The zip to write (default: REPORT_DIR.zip beside the folder); never over a file flighttrace did not write."),
    max_input_mb: float = typer.Option(500.0, "--max-input-mb", help="Leave the data files out when they exceed this many MB in all; their SHA-256 and origin are kept."),
) -> None:
    """Pack a report, its provenance, custody log, scenario and inputs into one evidence zip.

    The zip holds a short README saying how to check it; flighttrace verify
    works on it as on a report folder. The same report gives the same bytes.

    \b
    Example:
        flighttrace bundle out/ovda --out out/ovda-evidence.zip
    """
    if not report_dir.is_dir():
        fail(f"no such folder: {report_dir}")
    _bundle(report_dir, out, max_input_mb)


@app.command()
def verify(
    report_dir: Path = typer.Argument(..., metavar="REPORT", help="A report folder written by flighttrace report, or an evidence bundle (.zip)."),
) -> None:
    """Check that a report's inputs are unchanged and that a rebuild gives byte-identical outputs.

    Exit code 0 when everything matches, 1 with one line per difference, 2
    when the folder is not a report. An evidence bundle is unpacked into a
    temporary folder and checked the same way, every file against its
    bundle.json first.

    \b
    Example:
        flighttrace verify out/ovda
    """
    import json

    from flighttrace.report import verify_report

    if report_dir.is_file():
        _verify_bundle(report_dir)
        return
    if not report_dir.is_dir():
        fail(f"no such folder: {report_dir}")
    prov = report_dir / "provenance.json"
    try:
        doc = json.loads(prov.read_text(encoding="utf-8"))
    except FileNotFoundError:
        fail(f"not a flighttrace report: {prov} is missing")
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        fail(f"not a flighttrace report: {prov} cannot be read ({exc})")
    if not isinstance(doc, dict) or not {"arguments", "scenario", "inputs", "outputs"} <= set(doc):
        fail(f"not a flighttrace report: {prov} lacks the arguments, scenario, inputs or outputs a report records")
    problems = verify_report(report_dir)
    if problems:
        for p in problems:
            err_console.print(f"[red]✗[/] {plain(p)}", highlight=False, soft_wrap=True)  # one line per difference, paths unbroken
        raise typer.Exit(1)
    out_console.print(f"[green]✓[/] {plain(report_dir)}: inputs unchanged, every output reproduced byte for byte.", highlight=False, soft_wrap=True)


def _verify_bundle(path: Path) -> None:
    """``flighttrace verify FILE.zip``."""
    from flighttrace.report.bundle import BundleError, is_bundle, verify_bundle

    if not is_bundle(path):
        fail(f"not a flighttrace report or evidence bundle: {path}")
    try:
        problems = verify_bundle(path)
    except BundleError as exc:
        fail(str(exc))
    if problems:
        for p in problems:
            err_console.print(f"[red]✗[/] {plain(p)}", highlight=False, soft_wrap=True)
        raise typer.Exit(1)
    out_console.print(f"[green]✓[/] {plain(path)}: every file as listed, inputs unchanged, every output reproduced byte for byte.",
                      highlight=False, soft_wrap=True)
