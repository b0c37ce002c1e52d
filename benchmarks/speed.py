"""The speed targets of issue 18, each measured the same way every time.

Run by hand (never part of the tests: these are wall-clock figures)::

    python benchmarks/speed.py                  # every benchmark, best of 5
    python benchmarks/speed.py --only report,fresh --repeat 3

What is measured (each child is a fresh process; its wall time, its CPU
time and its peak RSS come from ``os.wait4``, so they are its own):

``readsb``
    ``flighttrace.read`` of readsb trace files in one process
    (``benchmarks/data/readsb_trace_1000000``, SYNTHETIC traffic written by
    ``benchmarks/run.py``: one gzip trace per aircraft-day), points per
    second of the read alone (imports done before the clock starts).
``opensky_csv``
    The REAL OpenSky sample of traffic 2.13 (``quickstart``: 284,505 state
    vectors around Paris, 2021-10-07; see ``benchmarks/vs_traffic.py``)
    written once as an OpenSky ``state_vectors_data4`` CSV (SI units, the
    18 columns of the historical table, rows in the sample's order), then,
    in one process: pyarrow's own parse of the file (``pyarrow.csv.read_csv``
    with its default options: type inference, threads) and
    ``flighttrace.read`` of it, each warm (a first call untimed).
``report``
    ``flighttrace report seeds/azerbaijan-ovda.yaml --data
    fixtures/ovda/data`` (the SIMULATED Ovda world, 548,602 points), the
    whole command: wall time and peak RSS.
``fresh``
    A fresh Python process doing ``import flighttrace``, ``read`` and
    ``detect_legs`` on the quickstart sample in the pyopensky CSV form that
    ``benchmarks/vs_traffic.py`` uses (interpreter start-up included).

Other programs may share the machine: every figure is the best of
``--repeat`` runs, the CPU time is given beside the wall time, and the load
average before and after is written down. Results go to
``benchmarks/results/speed.json`` and ``speed.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = HERE / "data"
RESULTS = HERE / "results"
sys.path.insert(0, str(HERE))

TARGETS = {"readsb_mpts": 0.5, "csv_ratio": 2.0, "report_s": 4.0, "report_mb": 400.0, "fresh_s": 1.5}
"""Issue 18's targets: readsb M points/s (at least), CSV read / pyarrow parse (at most), report s and MB, fresh process s."""

FT_M, KT_MPS, FPM_MPS = 0.3048, 1852.0 / 3600.0, 0.3048 / 60.0


# --------------------------------------------------------------------------- inputs


def state_vector_csv() -> Path:
    """The quickstart sample as an OpenSky ``state_vectors_data4`` CSV (written once, rows in the sample's order)."""
    out = DATA / "quickstart_state_vectors.csv"
    if out.exists():
        return out
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.csv as pacsv
    from vs_traffic import sample_paths, traffic_python

    _, src = sample_paths(traffic_python())
    df = pd.read_csv(src, dtype={"icao24": str, "callsign": str})
    t = df["timestamp"].to_numpy(dtype=float)
    sq = df["squawk"].to_numpy(dtype=float)
    squawk = np.where(np.isnan(sq), None, pd.Series(np.nan_to_num(sq).astype(np.int64)).astype(str).str.zfill(4).to_numpy(dtype=object))
    table = pa.table({
        "time": pa.array(t.astype(np.int64)),
        "icao24": pa.array(df["icao24"].to_numpy(dtype=object), pa.string()),
        "lat": df["latitude"].to_numpy(dtype=float),
        "lon": df["longitude"].to_numpy(dtype=float),
        "velocity": df["groundspeed"].to_numpy(dtype=float) * KT_MPS,
        "heading": df["track"].to_numpy(dtype=float),
        "vertrate": df["vertical_rate"].to_numpy(dtype=float) * FPM_MPS,
        "callsign": pa.array(df["callsign"].to_numpy(dtype=object), pa.string()),
        "onground": pa.array(df["onground"].to_numpy(dtype=bool)),
        "alert": pa.array(np.zeros(len(df), dtype=bool)),
        "spi": pa.array(np.zeros(len(df), dtype=bool)),
        "squawk": pa.array(squawk, pa.string()),
        "baroaltitude": df["altitude"].to_numpy(dtype=float) * FT_M,
        "geoaltitude": pa.nulls(len(df), pa.float64()),
        "lastposupdate": t,
        "lastcontact": t,
        "serials": pa.nulls(len(df), pa.string()),
        "hour": pa.array((t // 3600 * 3600).astype(np.int64)),
    })
    DATA.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    pacsv.write_csv(table, tmp, pacsv.WriteOptions(include_header=True, quoting_style="needed"))
    tmp.replace(out)
    return out


def pyopensky_csv() -> Path:
    """The quickstart sample as ``benchmarks/vs_traffic.py`` writes it (pyopensky columns)."""
    from vs_traffic import sample_paths, traffic_python

    return sample_paths(traffic_python())[1]


def readsb_dir() -> Path:
    """The readsb trace files of ``benchmarks/run.py`` at 1M points (written once)."""
    from run import _ingest_input

    return _ingest_input("readsb_trace", 1_000_000)


# --------------------------------------------------------------------------- child processes


CHILD_READ = r"""
import json, sys, time
import flighttrace
flighttrace.formats()
path, repeat = sys.argv[1], int(sys.argv[2])
best = None
for _ in range(repeat):
    c, t = time.process_time(), time.perf_counter()
    n = len(flighttrace.read(path).points)
    run = (time.perf_counter() - t, time.process_time() - c)
    best = run if best is None or run[0] < best[0] else best
print(json.dumps({"points": n, "seconds": best[0], "cpu_s": best[1]}))
"""

CHILD_CSV = r"""
import json, sys, time
import pyarrow.csv as pacsv
import flighttrace
path, repeat = sys.argv[1], int(sys.argv[2])
def best(fn):
    fn()
    runs = []
    for _ in range(repeat):
        c, t = time.process_time(), time.perf_counter()
        n = fn()
        runs.append((time.perf_counter() - t, time.process_time() - c, n))
    return min(runs)
pa_s, pa_cpu, rows = best(lambda: pacsv.read_csv(path).num_rows)
ft_s, ft_cpu, pts = best(lambda: len(flighttrace.read(path).points))
print(json.dumps({"rows": rows, "points": pts, "pyarrow_s": pa_s, "pyarrow_cpu_s": pa_cpu, "read_s": ft_s, "read_cpu_s": ft_cpu}))
"""

CHILD_FRESH = r"""
import sys
import flighttrace
from flighttrace.tracks.legs import detect_legs
ds = flighttrace.read(sys.argv[1])
legs = detect_legs(ds.points)
print(len(ds.points), len(legs))
"""


def _env() -> dict[str, str]:
    """The children's environment: this tree first on the path, and Python's bytecode cache allowed.

    An installed flighttrace has its modules compiled (pip compiles them when
    it installs); a tree run with ``PYTHONDONTWRITEBYTECODE`` set would compile
    all of them again in every process (about 0.2 s for a report), a cost no
    installed copy pays. The first run writes the cache; the best run is kept.
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {**env, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}


def _timed(cmd: list[str]) -> tuple[float, float, float, str]:
    """Run ``cmd``; (wall s, CPU s, peak RSS MB, stdout) of that process alone."""
    with tempfile.TemporaryFile() as out:
        t = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.DEVNULL, cwd=ROOT, env=_env())
        _, status, ru = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode()
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd[:3]} failed ({proc.returncode})")
    return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1e3, text


def _own_peak_mb() -> float:
    """This process's peak RSS, MB: a floor under every child's peak figure (see ``main``)."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3


def _json_child(code: str, *args: str) -> dict[str, Any]:
    return json.loads(_timed([sys.executable, "-c", code, *args])[3].strip().splitlines()[-1])  # type: ignore[no-any-return]


def bench_readsb(repeat: int) -> dict[str, Any]:
    r = _json_child(CHILD_READ, str(readsb_dir()), str(repeat))
    r["mpts_per_s"] = r["points"] / r["seconds"] / 1e6
    return r


def bench_csv(repeat: int) -> dict[str, Any]:
    path = state_vector_csv()
    r = _json_child(CHILD_CSV, str(path), str(repeat))
    r["ratio"] = r["read_s"] / r["pyarrow_s"]
    r["file_mb"] = path.stat().st_size / 1e6
    return r


def bench_report(repeat: int) -> dict[str, Any]:
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(repeat):
            out = Path(tmp) / f"ovda{k}"
            runs.append(_timed([sys.executable, "-c", "from flighttrace.cli import main; main()", "report", "seeds/azerbaijan-ovda.yaml", "--data", "fixtures/ovda/data",
                                "--out", str(out)])[:3])
            shutil.rmtree(out, ignore_errors=True)
    wall, cpu, mb = min(runs)
    return {"seconds": wall, "cpu_s": cpu, "peak_mb": max(r[2] for r in runs), "runs_s": [r[0] for r in runs]}


def bench_fresh(repeat: int) -> dict[str, Any]:
    path = str(pyopensky_csv())
    runs = [_timed([sys.executable, "-c", CHILD_FRESH, path])[:3] for _ in range(repeat)]
    wall, cpu, mb = min(runs)
    return {"seconds": wall, "cpu_s": cpu, "peak_mb": mb, "runs_s": [r[0] for r in runs]}


# --------------------------------------------------------------------------- report


def _markdown(res: dict[str, Any]) -> str:
    m = res["meta"]
    lines = [
        f"Run {m['date']} on {m['machine']}; best of {m['repeat']} runs per row, each in a fresh process. "
        f"Load average {m['load_before']} before, {m['load_after']} after (other programs shared the machine). "
        f"This script's own peak: {m.get('harness_peak_mb', float('nan')):.0f} MB (no child's peak can read lower).",
        "",
        "| what | measured | CPU | target | note |",
        "|---|---:|---:|---|---|",
    ]
    T = TARGETS
    if "readsb" in res:
        r = res["readsb"]
        lines.append(f"| readsb trace ingest, one process | {r['mpts_per_s']:.2f} M points/s ({r['seconds']:.2f} s) | {r['cpu_s']:.2f} s | ≥ {T['readsb_mpts']} M/s | "
                     f"{r['points']:,} SYNTHETIC points in one gzip trace per aircraft-day |")
    if "opensky_csv" in res:
        r = res["opensky_csv"]
        lines.append(f"| OpenSky CSV `read` / pyarrow's parse | {r['ratio']:.2f}× ({r['read_s']:.3f} s / {r['pyarrow_s']:.3f} s) | {r['read_cpu_s']:.3f} s / {r['pyarrow_cpu_s']:.3f} s | "
                     f"≤ {T['csv_ratio']:g}× | REAL sample, {r['points']:,} points, state_vectors_data4 CSV of {r['file_mb']:.0f} MB; warm |")
    if "report" in res:
        r = res["report"]
        lines.append(f"| `flighttrace report` on the Ovda world | {r['seconds']:.2f} s, {r['peak_mb']:.0f} MB peak | {r['cpu_s']:.2f} s | ≤ {T['report_s']:g} s, ≤ {T['report_mb']:g} MB | "
                     f"SIMULATED world, 548,602 points; runs {', '.join(f'{x:.2f}' for x in r['runs_s'])} s |")
    if "fresh" in res:
        r = res["fresh"]
        lines.append(f"| fresh process: import, `read`, `detect_legs` | {r['seconds']:.2f} s | {r['cpu_s']:.2f} s | ≤ {T['fresh_s']:g} s | "
                     f"REAL sample (pyopensky CSV), {r['peak_mb']:.0f} MB peak; runs {', '.join(f'{x:.2f}' for x in r['runs_s'])} s |")
    return "\n".join(lines) + "\n"


def main() -> None:
    """Run the benchmarks asked for and write the results."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", default="readsb,opensky_csv,report,fresh", help="comma-separated benchmarks")
    ap.add_argument("--repeat", type=int, default=5, help="runs per benchmark (the best is kept)")
    ap.add_argument("--prepare", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    names = args.only.split(",")
    inputs = {"readsb": readsb_dir, "opensky_csv": state_vector_csv, "fresh": pyopensky_csv}
    if args.prepare:  # in a child process of its own (see below)
        for name in names:
            if name in inputs:
                inputs[name]()
        return
    # The inputs are written by a child process, so that this one stays small: a child's ru_maxrss counts the memory of
    # the process it was started from (Linux keeps the high-water mark of the image that exec replaces).
    subprocess.run([sys.executable, str(Path(__file__).resolve()), "--prepare", "--only", args.only], check=True, cwd=ROOT, env=_env())
    harness_mb = _own_peak_mb()
    benches = {"readsb": bench_readsb, "opensky_csv": bench_csv, "report": bench_report, "fresh": bench_fresh}
    res: dict[str, Any] = {"meta": {
        "date": time.strftime("%Y-%m-%d"), "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "repeat": args.repeat, "load_before": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "harness_peak_mb": round(harness_mb, 1),
    }}
    for name in names:
        res[name] = benches[name](args.repeat)
        print(name, res[name], flush=True)
    res["meta"]["load_after"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "speed.json").write_text(json.dumps(res, indent=2) + "\n")
    (RESULTS / "speed.md").write_text(_markdown(res))
    print(_markdown(res))


if __name__ == "__main__":
    main()
