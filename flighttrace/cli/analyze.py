"""``flighttrace analyze``: read → legs → sorties → evaluate, and print the verdicts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from flighttrace.cli import app
from flighttrace.cli._common import check_zones, fail, out_console, output_or_fail, plain, read_positions, refuse_drafts, show_progress
from flighttrace.safetext import printable

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

_PIPE_WIDTH = 200
"""Width (characters) of the verdict table when the output is not a terminal."""

_STYLE = {"supported": "bold green", "contradicted": "bold red", "inconclusive": "bold yellow"}


def verdict_table(claims: pd.DataFrame, *, title: str = "Claims") -> Table:
    """A rich table of the verdicts: claim, record, expected, observed, verdict, and the reason after the plain words.

    Parameters
    ----------
    claims
        :attr:`flighttrace.claims.Findings.claims`.
    title
        Table title.
    """
    t = Table(title=Text(printable(title)), show_lines=True, expand=True)
    t.add_column("claim", overflow="fold", ratio=3)
    t.add_column("record", ratio=2)
    t.add_column("expected", overflow="fold", ratio=3)
    t.add_column("observed", overflow="fold", ratio=4)
    t.add_column("verdict", no_wrap=True, min_width=12)
    t.add_column("reason", overflow="fold", ratio=8)
    for _, r in claims.iterrows():  # one row per claim; scenario and data text as plain text, never markup
        v = str(r["verdict"])
        plain_words = str(r["plain"]) if "plain" in r and isinstance(r["plain"], str) and r["plain"] else ""
        why = Text()
        if plain_words:
            why.append(printable(plain_words) + "\n", style="bold")
        why.append(printable(r["reason"]))
        t.add_row(*(Text(printable(r[c])) for c in ("claim_id", "record", "expected", "observed")), Text(v, style=_STYLE.get(v, "")), why)
    return t


@app.command()
def analyze(
    scenario: Path = typer.Argument(..., help="Scenario YAML with the claims to test."),
    more: list[Path] = typer.Argument(None, help="More input paths (so that `--data a b c` works as well as repeated --data)."),
    data: list[Path] = typer.Option(..., "--data", "-d", help="Input files, folders, globs, tars or ZIP archives (anything `ingest` reads); repeat or list several."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Folder for the tables (CSV and Parquet) and findings.json: new, empty, or one flighttrace wrote."),
    report_tz: str | None = typer.Option(None, "--report-tz", help="IANA zone of the day/week/month bins (default: the scenario's meta.report_tz, else UTC; the same zone `report` uses)."),
    tz: str | None = typer.Option(None, "--tz", help="IANA zone of naive times in the input (SBS logs)."),
    lead: str | None = typer.Option(None, "--lead", help="Widen each event window of the scenario-wide statistics before its start (e.g. 30d); default the scenario's. Another value is reported as a deviation from the pre-registered windows."),
    lag: str | None = typer.Option(None, "--lag", help="Widen each event window after its end (e.g. 15d); default the scenario's."),
    seed: int = typer.Option(0, "--seed", help="Seed of every random draw (permutation samples, bootstrap of intervals)."),
    progress: bool = typer.Option(None, "--progress/--no-progress", help="Progress bar over the stages (default: when stderr is a terminal)."),
    allow_draft: bool = typer.Option(False, "--allow-draft", help="Test claims still marked status: draft (by default such a scenario is refused)."),
) -> None:
    """Test a scenario's claims against ADS-B data: a verdict, its reason and its evidence for each.

    \b
    Example:
        flighttrace analyze seeds/azerbaijan-ovda.yaml --data fixtures/ovda/data --out out/ovda-tables
    """
    import flighttrace
    from flighttrace._progress import Progress
    from flighttrace.claims import VerdictRules
    from flighttrace.claims.coverage import coverage as coverage_of
    from flighttrace.claims.coverage import resolve_tz
    from flighttrace.claims.prereg import preregister, resolve_lead_lag
    from flighttrace.nodata import relevance_notes
    from flighttrace.scenario import parse_duration

    check_zones(tz=tz, report_tz=report_tz)
    inputs = [str(p) for p in [*data, *(more or [])]]
    target = None if out is None else output_or_fail(out, inputs=[*inputs, scenario])
    bar = show_progress() if progress is None else progress
    try:
        scn = flighttrace.load_scenario(scenario)
    except Exception as exc:
        fail(str(exc))
    refuse_drafts(scn, allow_draft, str(scenario))
    try:
        zone = resolve_tz(report_tz or getattr(scn.meta, "report_tz", None))
        lead_td = parse_duration(lead) if lead is not None else None
        lag_td = parse_duration(lag) if lag is not None else None
    except ValueError as exc:
        fail(str(exc))
    prereg = preregister(scenario, scn).with_deviations(resolve_lead_lag(scn, lead_td, lag_td)[2])  # before any data file is opened
    with Progress(bar, "analyze: reading", 5) as stages:
        ds = read_positions(inputs, tz=tz)
        stages.advance(1, "analyze: legs")
        lg = flighttrace.detect_legs(ds.points, scn, geometry=False)
        stages.advance(1, "analyze: sorties")
        srt = flighttrace.find_sorties(lg, scn) if scn.routes else None
        stages.advance(1, "analyze: coverage")
        cov = coverage_of(ds, scn, report_tz=zone)
        stages.advance(1, "analyze: claims")
        rules = VerdictRules(lead=lead_td, lag=lag_td, seed=seed)
        findings = flighttrace.evaluate(lg, scn, coverage=cov, points=ds.points, report_tz=zone, rules=rules, synthetic=ds.synthetic,
                                        given={"sorties": srt} if srt is not None else None)
        stages.advance(1, "analyze: done")
    console = out_console if out_console.is_terminal else Console(width=_PIPE_WIDTH)
    for note in relevance_notes(scn, lg, len(ds.points)):  # the inputs hold nothing the scenario is about: said first
        console.print(f"[bold red]NOTE:[/] {plain(note)}", highlight=False)
    if findings.synthetic:
        console.print("[bold yellow]SYNTHETIC DATA:[/] the input came from flighttrace's simulator; no verdict here is about real flights.")
    console.print(verdict_table(findings.claims, title=f"{scn.meta.title}: {len(findings.claims)} claims"))
    console.print(findings.summary(), highlight=False, markup=False)
    console.print(prereg.text(), highlight=False, markup=False)
    if target is not None:
        with target.writing() as work:
            findings.to_dir(work)
            (work / "preregistration.json").write_text(json.dumps(prereg.to_dict(), indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
        console.print(f"tables written to {plain(out)}/ (CSV and Parquet)", highlight=False)
