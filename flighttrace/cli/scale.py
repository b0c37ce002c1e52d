"""``flighttrace scan`` (a day archive by aircraft or by place) and ``flighttrace scale`` (the pipeline on Dask)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from flighttrace.cli import app
from flighttrace.cli._common import Icao24, Inputs, NaiveTz, ShowProgress, check_zones, command_line, fail, out_console, output_or_fail, plain, show_progress


def _bbox(text: str) -> tuple[float, float, float, float]:
    try:
        vals = tuple(float(v) for v in text.split(","))
    except ValueError:
        vals = ()
    if len(vals) != 4:
        fail(f"--bbox takes min_lon,min_lat,max_lon,max_lat in degrees, got {text!r}")
    return vals  # type: ignore[return-value]


def _load_scenario(path: Path | None) -> Any:
    if path is None:
        return None
    import flighttrace

    try:
        return flighttrace.load_scenario(path)
    except Exception as exc:
        fail(str(exc).splitlines()[0] if str(exc) else repr(exc))


def _mb(n: int) -> str:
    return f"{n / 1e6:,.0f} MB"


@app.command()
def scan(
    archive: list[Path] = typer.Argument(..., help="An adsb.lol / ADS-B Exchange day folder, tar or split-tar parts."),
    out: Path = typer.Option(Path("out/scan"), "--out", "-o", help="Folder for points.parquet, quarantine.parquet, manifest.json (and legs.*): new, empty, or one flighttrace wrote."),
    icao24: str | None = typer.Option(None, "--icao24", help="Comma-separated hexes: only their traces are parsed (chosen by file name)."),
    bbox: str | None = typer.Option(None, "--bbox", help="min_lon,min_lat,max_lon,max_lat (degrees): keep the points inside."),
    airport: str | None = typer.Option(None, "--airport", help="ICAO code: who landed there (legs ending at it)."),
    event: str = typer.Option("landing", "--event", help="With --airport: landing, takeoff or both."),
    scenario: Path | None = typer.Option(None, "--scenario", "-s", help="Scenario YAML whose custom sites join the airport search."),
    batch_size: int = typer.Option(64, "--batch-size", help="Members per worker task (memory grows with it)."),
    jobs: int = typer.Option(0, "--jobs", "-j", help="Worker processes (0 = one per core)."),
    progress: ShowProgress = None,
) -> None:
    """Scan a day archive: by aircraft (--icao24), or by place (--bbox, --airport) with bounded memory.

    \b
    Example:
        flighttrace scan archive/2023-09-03.tar --airport LLOV --out out/llov-2023-09-03
    """
    from flighttrace.io.scan import scan_bbox, scan_hexes, who_landed

    modes = [m for m in (bbox, airport) if m is not None]
    if len(modes) > 1:
        fail("give --bbox or --airport, not both")
    if not modes and icao24 is None:
        fail("give --icao24, --bbox or --airport")
    box = _bbox(bbox) if bbox is not None else None
    target = output_or_fail(out, inputs=[*archive, scenario])
    bar = show_progress() if progress is None else progress
    scn = _load_scenario(scenario)
    legs = None
    info: dict = {}
    try:
        if box is not None:
            res = scan_bbox([str(a) for a in archive], box, icao24=icao24, batch_size=batch_size, n_jobs=jobs, progress=bar)
            ds, info = res.dataset, res.info
        elif airport is not None:
            res = who_landed([str(a) for a in archive], airport, event=event, airports=scn, icao24=icao24,
                             batch_size=batch_size, n_jobs=jobs, progress=bar)
            ds, legs, info = res.dataset, res.legs, res.info
        else:
            assert icao24 is not None
            ds = scan_hexes([str(a) for a in archive], icao24, n_jobs=jobs, progress=bar)
    except (KeyError, ValueError, FileNotFoundError) as exc:
        fail(str(exc).strip("'\""))
    ds.info["call"] = command_line()
    with target.writing() as work:
        ds.to_parquet(work)
        if legs is not None:
            from flighttrace.report.export import legs_geojson, write_table

            write_table(legs, work, "legs")
            (work / "legs.geojson").write_text(legs_geojson(legs), encoding="utf-8")
    out_console.print(
        f"[bold]{len(ds.points):,}[/] points kept from {len(ds.manifest):,} file(s) "
        f"({ds.info.get('files_skipped_by_name', 0):,} skipped by name, unread); written to {plain(out)}/", highlight=False,
    )
    if info:
        b = info["memory_bound_bytes"]
        out_console.print(
            f"memory bound: parent {_mb(b['parent'])}, each worker {_mb(b['worker'])}, total {_mb(b['total'])} "
            f"(batch {info['batch_size']}, {info['n_jobs']} job(s), largest member {info['max_member_bytes']:,} B, "
            f"{info['max_member_text_bytes']:,} B decompressed)"
        )
    if legs is not None:
        out_console.print(f"{len(legs):,} leg(s) with {plain(info['event'])} at {plain(info['airport'])}: "
                          f"{legs['icao24'].nunique() if len(legs) else 0:,} aircraft", highlight=False)
    if ds.synthetic:
        out_console.print("[bold yellow]SYNTHETIC DATA:[/] the input came from flighttrace's simulator.")


@app.command("scale")
def scale_cmd(
    inputs: Inputs,
    out: Path = typer.Option(Path("out/scale"), "--out", "-o", help="Folder for legs.*, sorties.csv, manifest.json, quarantine.parquet: new, empty, or one flighttrace wrote."),
    scenario: Path | None = typer.Option(None, "--scenario", "-s", help="Scenario YAML: its sites join the airport search; sorties are written."),
    scheduler: str | None = typer.Option(None, "--scheduler", help="Dask scheduler address (tcp://host:8786); default: a local cluster."),
    workers: int | None = typer.Option(None, "--workers", help="Local cluster workers (default: one per core)."),
    threads: bool = typer.Option(False, "--threads/--processes", help="Local workers as threads of this process instead of processes."),
    buckets: int | None = typer.Option(None, "--buckets", help="icao24 hash buckets (default: 2 x cluster threads)."),
    icao24: Icao24 = None, tz: NaiveTz = None, progress: ShowProgress = None,
) -> None:
    """Run ingest, legs and sorties on a Dask cluster (results equal the in-process ones).

    \b
    Example:
        flighttrace scale fixtures/ovda/data --scenario seeds/azerbaijan-ovda.yaml --out out/scaled --workers 2
    """
    from flighttrace.provenance import write_json
    from flighttrace.report.export import legs_geojson, to_csv, write_table

    try:
        from flighttrace import scale as sc

        sc._require_dask()
    except ImportError as exc:
        fail(str(exc))
    check_zones(tz=tz)
    target = output_or_fail(out, inputs=[*inputs, scenario])
    scn = _load_scenario(scenario)
    try:
        res = sc.run(
            [str(p) for p in inputs], scenario=scn, scheduler=scheduler, n_workers=workers, processes=not threads,
            n_buckets=buckets, icao24=icao24.split(",") if icao24 else None, tz=tz,
            progress=show_progress() if progress is None else progress, command=command_line(),
        )
    except (OSError, ValueError) as exc:
        fail(str(exc))
    from flighttrace.provenance import manifest_json

    with target.writing() as work:
        write_json(work / "manifest.json", manifest_json(res.manifest, res.info))
        res.quarantine.to_parquet(work / "quarantine.parquet", index=False)
        if res.legs is not None and len(res.legs):
            write_table(res.legs, work, "legs")
            (work / "legs.geojson").write_text(legs_geojson(res.legs), encoding="utf-8")
        if res.sorties is not None:
            to_csv(res.sorties, work / "sorties.csv")
    s = res.info["scale"]
    n_legs = 0 if res.legs is None else len(res.legs)
    n_sorties = "" if res.sorties is None else f", {len(res.sorties):,} sorties"
    out_console.print(
        f"{res.n_points:,} points, {n_legs:,} legs{n_sorties} on {s['workers']} worker(s) "
        f"({s['n_buckets']} icao24 buckets, {s['timings']['total_s']:.1f} s); written to {plain(out)}/", highlight=False,
    )
    if len(res.manifest) and bool(res.manifest["synthetic"].any()):
        out_console.print("[bold yellow]SYNTHETIC DATA:[/] the input came from flighttrace's simulator.")
