"""``flighttrace analyze``: read → legs → sorties → evaluate, and print the verdicts."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from flighttrace.cli import app
from flighttrace.cli._common import command_line, fail, out_console, show_progress

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
    t = Table(title=title, show_lines=True, expand=True)
    t.add_column("claim", overflow="fold", ratio=3)
    t.add_column("record", ratio=2)
    t.add_column("expected", overflow="fold", ratio=3)
    t.add_column("observed", overflow="fold", ratio=4)
    t.add_column("verdict", no_wrap=True, min_width=12)
    t.add_column("reason", overflow="fold", ratio=8)
    for _, r in claims.iterrows():  # one row per claim
        v = str(r["verdict"])
        plain = str(r["plain"]) if "plain" in r and isinstance(r["plain"], str) and r["plain"] else ""
        why = (f"[bold]{escape(plain)}[/]\n" if plain else "") + escape(str(r["reason"]))
        t.add_row(str(r["claim_id"]), str(r["record"]), str(r["expected"]), str(r["observed"]), f"[{_STYLE.get(v, '')}]{v}[/]", why)
    return t


@app.command()
def analyze(
    scenario: Path = typer.Argument(..., help="Scenario YAML with the claims to test."),
    more: list[Path] = typer.Argument(None, help="More input paths (so that `--data a b c` works as well as repeated --data)."),
    data: list[Path] = typer.Option(..., "--data", "-d", help="Input files, folders, globs or tars (anything `ingest` reads); repeat or list several."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Folder for the tables (CSV and Parquet) and findings.json."),
    report_tz: str | None = typer.Option(None, "--report-tz", help="IANA zone of the day/week/month bins (default: the scenario's meta.report_tz, else UTC; the same zone `report` uses)."),
    tz: str | None = typer.Option(None, "--tz", help="IANA zone of naive times in the input (SBS logs)."),
    lead: str = typer.Option("0d", "--lead", help="Widen each event window before its start (e.g. 30d)."),
    lag: str = typer.Option("0d", "--lag", help="Widen each event window after its end (e.g. 15d)."),
    seed: int = typer.Option(0, "--seed", help="Seed of the permutation test's random sample (when shifts are too many to enumerate)."),
    progress: bool = typer.Option(None, "--progress/--no-progress", help="Progress bar over the stages (default: when stderr is a terminal)."),
) -> None:
    """Test a scenario's claims against ADS-B data: a verdict, its reason and its evidence for each."""
    import flighttrace
    from flighttrace._progress import Progress
    from flighttrace.claims.coverage import coverage as coverage_of
    from flighttrace.claims import VerdictRules
    from flighttrace.claims.coverage import resolve_tz
    from flighttrace.scenario import parse_duration

    bar = show_progress() if progress is None else progress
    try:
        scn = flighttrace.load_scenario(scenario)
    except Exception as exc:
        fail(str(exc))
    try:
        zone = resolve_tz(report_tz or getattr(scn.meta, "report_tz", None))
        lead_td, lag_td = parse_duration(lead), parse_duration(lag)
    except ValueError as exc:
        fail(str(exc))
    inputs = [str(p) for p in [*data, *(more or [])]]
    with Progress(bar, "analyze: reading", 5) as stages:
        try:
            ds = flighttrace.read(inputs, tz=tz, command=command_line())
        except Exception as exc:
            fail(str(exc))
        if len(ds.points) == 0:
            reasons = sorted({e for e in ds.manifest["error"] if e})
            fail("nothing readable: " + (reasons[0] if reasons else "no points in the input"))
        stages.advance(1, "analyze: legs")
        lg = flighttrace.detect_legs(ds.points, airports=scn, geometry=False)
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
    if findings.synthetic:
        console.print("[bold yellow]SYNTHETIC DATA:[/] the input came from flighttrace's simulator; no verdict here is about real flights.")
    console.print(verdict_table(findings.claims, title=f"{scn.meta.title}: {len(findings.claims)} claims"))
    console.print(findings.summary(), highlight=False)
    if out is not None:
        findings.to_dir(out)
        console.print(f"tables written to {out}/ (CSV and Parquet)")
