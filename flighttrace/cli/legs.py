"""``flighttrace legs`` and ``flighttrace simulate``."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from flighttrace.cli import app
from flighttrace.cli._common import (
    Icao24,
    Inputs,
    NaiveTz,
    ShowProgress,
    check_zones,
    command_line,
    fail,
    out_console,
    output_or_fail,
    plain,
    read_positions,
    show_progress,
)


@app.command()
def legs(
    inputs: Inputs,
    out: Path = typer.Option(Path("out/legs"), "--out", "-o", help="Folder for legs.parquet, legs.csv, legs.geojson, ground_stays.csv: new, empty, or one flighttrace wrote."),
    scenario: Path | None = typer.Option(None, "--scenario", "-s", help="Scenario YAML: its custom sites join the airport search, and sorties are written too."),
    tz: NaiveTz = None, icao24: Icao24 = None,
    progress: bool | None = typer.Option(None, "--progress/--no-progress", help="Progress bars (default: when stderr is a terminal)."),
) -> None:
    """Rebuild flight legs: where each took off and landed, and how sure that is.

    \b
    Example:
        flighttrace legs fixtures/ovda/data --scenario seeds/azerbaijan-ovda.yaml --out out/legs
    """
    import flighttrace
    from flighttrace.report.export import legs_geojson, to_csv, write_table
    from flighttrace.tracks.legs import ground_stays

    check_zones(tz=tz)
    target = output_or_fail(out, inputs=[*inputs, scenario])
    bar = show_progress() if progress is None else progress
    scn = None
    if scenario is not None:
        try:
            scn = flighttrace.load_scenario(scenario)
        except Exception as exc:
            fail(str(exc).splitlines()[0] if str(exc) else repr(exc))
    paths = [str(p) for p in inputs]
    ds = read_positions(paths, tz=tz, icao24=icao24.split(",") if icao24 else None, progress=bar)
    lg = flighttrace.detect_legs(ds.points, scn, progress=bar)
    stays = ground_stays(lg)
    srt = flighttrace.find_sorties(lg, scn) if scn is not None else None
    with target.writing() as work:
        write_table(lg, work, "legs")
        (work / "legs.geojson").write_text(legs_geojson(lg), encoding="utf-8")
        to_csv(stays, work / "ground_stays.csv")
        if srt is not None:
            to_csv(srt, work / "sorties.csv")
    t = Table(title=f"Legs ({len(lg):,}) by evidence grade")
    t.add_column("end")
    for g in ("observed", "inferred", "bridged", "unknown"):
        t.add_column(g, justify="right")
    for end in ("origin", "destination"):
        vc = lg[f"{end}_evidence"].value_counts()
        t.add_row(end, *[f"{int(vc.get(g, 0)):,}" for g in ("observed", "inferred", "bridged", "unknown")])
    out_console.print(t)
    if scn is not None and srt is not None:
        from flighttrace.nodata import relevance_notes

        for note in relevance_notes(scn, lg, len(ds.points)):
            out_console.print(f"[bold red]NOTE:[/] {plain(note)}", highlight=False)
        out_console.print(f"{len(srt)} sorties on route {plain(scn.routes[0].id)}: {plain(srt['evidence'].value_counts().to_dict())}")
    out_console.print(f"{len(lg):,} legs from {len(ds.points):,} points, {len(stays):,} ground stays; written to {plain(out)}/", highlight=False)
    if ds.synthetic:
        out_console.print("[bold yellow]SYNTHETIC DATA:[/] the input came from flighttrace's simulator.")


@app.command()
def simulate(
    scenario: Path = typer.Argument(..., help="Scenario YAML: its claims schedule the fleet's sorties, or (a disruption scenario) the closures."),
    out: Path = typer.Option(..., "--out", "-o", help="Folder for data/, truth/ and synthetic.json: new, empty, or one flighttrace wrote."),
    progress: ShowProgress = None,
) -> None:
    """Write a scenario's simulated ADS-B world (SYNTHETIC data) and its ground truth.

    The world follows the scenario's kind (meta.kind in its YAML): a fleet
    flying its route pattern (sorties), or airports closing, with holding and
    diversions (disruption).

    \b
    Example:
        flighttrace simulate seeds/azerbaijan-ovda.yaml --out worlds/ovda
    """
    import flighttrace
    from flighttrace.outdir import OutputFolderError

    if not scenario.exists():
        fail(f"no such scenario file: {scenario}")
    output_or_fail(out, inputs=[scenario])  # before the work: refused folders are named at once
    try:
        kind = flighttrace.load_scenario(scenario).meta.kind
    except Exception as exc:
        fail(str(exc))
    bar = show_progress() if progress is None else progress
    try:
        if kind == "disruption":
            from flighttrace.kinds.disruption.world import build_disruption_world

            summary = build_disruption_world(scenario, out, progress=bar, command=command_line())
            moves = sum(n for per in summary["movements"].values() for n in per.values())
            out_console.print(f"SYNTHETIC world written to {plain(out)}/: {moves} movements, {summary['closures']} closures, "
                              f"{summary['diversions']} diversions, {summary['holdings']} holdings, {summary['go_arounds']} go-arounds, "
                              f"{summary['legs']} legs, {summary['files']} files, {summary['bytes'] / 1e6:.1f} MB", highlight=False)
            return
        from flighttrace.kinds.sorties.world import build_world

        summary = build_world(scenario, out, progress=bar, command=command_line())
    except OutputFolderError as exc:
        fail(str(exc))
    out_console.print(f"SYNTHETIC world written to {plain(out)}/: {summary['sorties_to_far_field']} sorties to the far field, "
                      f"{summary['legs']} legs, {sum(summary['files'].values())} files, {summary['bytes'] / 1e6:.1f} MB", highlight=False)
