"""flighttrace benchmarks: points per second and peak memory, stage by stage.

Run by hand (never part of the test suite)::

    python benchmarks/run.py                       # 1M, 10M and 50M points
    python benchmarks/run.py --sizes 1e6,1e7        # a quicker run
    python benchmarks/run.py --stages legs,sorties
    python benchmarks/run.py --prefault-gb 12        # on a VM: write 12 GB once first (see prefault)

Every measurement runs in a fresh Python process, so that its peak memory
(``ru_maxrss``) is its own and imports are not shared. The traffic is
SYNTHETIC (``benchmarks/traffic.py``): many aircraft flying simulated
sorties, replicated to the requested size. Generated inputs are cached in
``benchmarks/data/`` (not committed); results go to
``benchmarks/results/latest.json`` and ``latest.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = HERE / "data"
RESULTS = HERE / "results"
SCENARIO = HERE / "scenario.yaml"
INGEST_FORMATS = ("opensky_parquet", "opensky_csv", "readsb_trace")


# --------------------------------------------------------------------------- inputs


def _points(n: int) -> Path:
    sys.path.insert(0, str(HERE))
    from traffic import cached_points

    return cached_points(n, DATA)


def _ingest_input(fmt: str, n: int) -> Path:
    """Write (once) the input files of one format from the cached points."""
    import pandas as pd

    target = DATA / f"{fmt}_{n}"
    done = target / ".complete"
    if done.exists():
        return target
    target.mkdir(parents=True, exist_ok=True)
    pts = pd.read_parquet(_points(n))
    if fmt == "opensky_parquet":
        from flighttrace.sim.writers import write_state_vectors_parquet

        step = 5_000_000
        for i in range(0, len(pts), step):  # one file per 5M rows, as monthly extracts would be
            write_state_vectors_parquet(pts.iloc[i : i + step], target / f"states_{i // step:03d}.parquet")
    elif fmt == "opensky_csv":
        from flighttrace.sim.writers import write_state_vectors_csv

        step = 5_000_000
        for i in range(0, len(pts), step):
            write_state_vectors_csv(pts.iloc[i : i + step], target / f"states_{i // step:03d}.csv")
    elif fmt == "readsb_trace":
        from flighttrace.sim.writers import write_trace

        day = pts["time"].dt.strftime("%Y/%m/%d").to_numpy()
        key = pd.Series(day) + "|" + pts["icao24"].astype(str).to_numpy()
        for k, idx in key.groupby(key, sort=True).groups.items():  # one trace file per aircraft-day
            d, h = k.split("|")
            write_trace(pts.loc[idx], target / d / "traces" / h[-2:] / f"trace_full_{h}.json")
    else:
        raise ValueError(fmt)
    done.write_text("ok")
    return target


# --------------------------------------------------------------------------- measurements (child side)


def _rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def _reset_peak() -> None:
    """Reset the kernel's peak-RSS mark (a forked child starts with its parent's)."""
    with open("/proc/self/clear_refs", "w") as fh:
        fh.write("5")


def _peak_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1e3
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3


def child(stage: str, arg: str, n: int, jobs: int) -> dict[str, Any]:
    """Run one stage in this (fresh) process and return its figures."""
    import flighttrace
    from flighttrace.reference.airports import AirportIndex

    _reset_peak()
    out: dict[str, Any] = {"stage": stage, "input": arg, "n_target": n, "jobs": jobs}
    if stage == "ingest":
        path = Path(arg)
        flighttrace.formats()  # import the readers before the clock starts
        base = _rss_mb()
        t = time.perf_counter()
        ds = flighttrace.read(path, n_jobs=jobs)
        dt = time.perf_counter() - t
        out.update(points=len(ds.points), seconds=dt, bytes_per_point=float(ds.points.memory_usage(deep=True).sum() / max(len(ds.points), 1)))
    elif stage in ("legs", "sorties", "report"):
        import pyarrow as pa
        import pyarrow.parquet as pq

        from flighttrace.io._normalise import own_columns

        # the input table, converted column by column, and Arrow's freed buffers given back, so the
        # peak measured is the stage's own plus the Points table (not the Parquet decoder's leftovers)
        pts = own_columns(pq.read_table(arg).to_pandas(split_blocks=True, self_destruct=True))
        pa.default_memory_pool().release_unused()
        AirportIndex.default().nearest([0.0], [0.0])  # load the airport table and tree before the clock starts
        scn = flighttrace.load_scenario(SCENARIO)
        base = _rss_mb()
        if stage == "legs":
            t = time.perf_counter()
            legs = flighttrace.detect_legs(pts, scn)
            ev = flighttrace.airport_events(legs)
            dt = time.perf_counter() - t
            out.update(points=len(pts), seconds=dt, legs=len(legs), events=len(ev))
        elif stage == "sorties":
            legs = flighttrace.detect_legs(pts, scn)
            t = time.perf_counter()
            srt = flighttrace.find_sorties(legs, scn)
            dt = time.perf_counter() - t
            out.update(points=len(pts), seconds=dt, legs=len(legs), sorties=len(srt))
        else:
            from flighttrace.report import build_report

            t = time.perf_counter()
            build_report(SCENARIO, [Path(arg)], Path(DATA) / f"report_{n}", points=pts)
            dt = time.perf_counter() - t
            out.update(points=len(pts), seconds=dt)
    else:
        raise ValueError(stage)
    out["rss_before_mb"] = base
    out["peak_rss_mb"] = _peak_mb()
    out["points_per_s"] = out["points"] / out["seconds"]
    return out


# --------------------------------------------------------------------------- orchestration


def _run_child(stage: str, arg: str, n: int, jobs: int = 1) -> dict[str, Any]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", stage, arg, str(n), str(jobs)]
    res = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if res.returncode != 0:
        return {"stage": stage, "input": arg, "n_target": n, "jobs": jobs, "error": res.stderr.strip().splitlines()[-1] if res.stderr else "failed"}
    return json.loads(res.stdout.strip().splitlines()[-1])


PREFAULT_CHILD = r"""
import sys
import numpy as np
held = [np.ones(32 << 20) for _ in range(int(float(sys.argv[1]) * 4))]  # 256 MB each, every page written
print(sum(len(a) for a in held) * 8 / 1e9)
"""


def prefault(gb: float) -> float:
    """Write ``gb`` GB of memory in a child process that then exits; the seconds it took.

    On a virtual machine whose memory the host hands over only when the
    guest first writes a page, that first write costs several times what a
    later one does (on the 2-core VM of 2026-12-07: 2.4 s for 1 GB never
    written since boot, 0.17 s for 1 GB written before). A large run then
    pays, per point, for the host's lazy allocation rather than for
    flighttrace. Writing the memory once beforehand takes that cost out of
    every measurement; the time it took is recorded with the results.
    """
    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", PREFAULT_CHILD, str(gb)], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t


def _markdown(results: list[dict[str, Any]], meta: dict[str, Any]) -> str:
    pre = meta.get("prefault_gb")
    lines = [
        f"Benchmarks of flighttrace {meta['flighttrace']} on {meta['machine']} ({meta['cpus']} cores), {meta['date']}.",
        "Synthetic many-aircraft traffic (benchmarks/traffic.py). Each row is a fresh process."
        + (f" Before the runs, {pre:g} GB of memory was written once and given back ({meta['prefault_s']:.1f} s; see --prefault-gb)." if pre else ""),
        "",
        "| stage | input | points | jobs | seconds | points/s | peak RSS (MB) | RSS before (MB) | note |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        if "error" in r:
            lines.append(f"| {r['stage']} | {Path(r['input']).name} | {r['n_target']:,} | {r['jobs']} | | | | | error: {r['error']} |")
            continue
        note = ""
        if "legs" in r and r["stage"] != "report":
            note = f"{r['legs']:,} legs" + (f", {r['sorties']:,} sorties" if "sorties" in r else "")
        if "bytes_per_point" in r:
            note = f"{r['bytes_per_point']:.0f} B/point in memory"
        lines.append(
            f"| {r['stage']} | {Path(r['input']).name} | {r['points']:,} | {r['jobs']} | {r['seconds']:.2f} | "
            f"{r['points_per_s'] / 1e6:.2f}M | {r['peak_rss_mb']:,.0f} | {r['rss_before_mb']:,.0f} | {note} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1e6,1e7,5e7", help="comma-separated point counts")
    ap.add_argument("--stages", default="ingest,legs,sorties,report", help="comma-separated stages")
    ap.add_argument("--ingest-max", type=float, default=1e7, help="largest size at which readsb traces are ingested (writing them is slow)")
    ap.add_argument("--prefault-gb", type=float, default=0.0,
                    help="write this many GB of memory once before the runs (a VM that backs its memory lazily then charges no run for it)")
    ap.add_argument("--child", nargs=4, metavar=("STAGE", "ARG", "N", "JOBS"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        stage, arg, n, jobs = args.child
        print(json.dumps(child(stage, arg, int(n), int(jobs))))
        return
    import flighttrace

    sizes = [int(float(s)) for s in args.sizes.split(",")]
    stages = args.stages.split(",")
    results: list[dict[str, Any]] = []
    prefault_s = prefault(args.prefault_gb) if args.prefault_gb > 0 else 0.0
    for n in sizes:
        pts = _points(n)
        if "ingest" in stages:
            for fmt in INGEST_FORMATS:
                if fmt == "readsb_trace" and n > args.ingest_max:
                    continue
                path = _ingest_input(fmt, n)
                for jobs in ((1, 2) if fmt == "readsb_trace" else (1,)):
                    results.append(_run_child("ingest", str(path), n, jobs))
                    print(results[-1], flush=True)
        for stage in ("legs", "sorties", "report"):
            if stage in stages and not (stage == "report" and n > 1e7):
                results.append(_run_child(stage, str(pts), n))
                print(results[-1], flush=True)
    meta = {
        "flighttrace": flighttrace.__version__,
        "machine": platform.machine() + " " + platform.system(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "date": time.strftime("%Y-%m-%d"),
        "prefault_gb": args.prefault_gb,
        "prefault_s": round(prefault_s, 2),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps({"meta": meta, "results": results}, indent=2) + "\n")
    (RESULTS / "latest.md").write_text(_markdown(results, meta))
    print(_markdown(results, meta))


if __name__ == "__main__":
    main()
