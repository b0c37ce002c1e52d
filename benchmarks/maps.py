"""Map speed and size: the Ovda fixtures sorties map and the Moscow disruption map.

Run by hand (never part of the test suite)::

    python benchmarks/maps.py               # 5 builds of each map
    python benchmarks/maps.py --repeat 9 --out /tmp/maps

The inputs (points, legs, sorties, disruption measures) are made once; then
each map is built and written ``--repeat`` times with :func:`map_sorties` /
:func:`map_disruption` and :func:`save_map`; the wall time and the CPU time
of this process (``time.process_time``, less sensitive to other programs on
a shared machine) of each build are recorded, and their median and minimum
printed with the size of the page. The worlds are SYNTHETIC
(``fixtures/ovda``, ``fixtures/moscow``).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def _inputs() -> dict[str, Any]:
    """Points, legs and what each map draws, for both worlds (read once)."""
    import flighttrace

    out: dict[str, Any] = {}
    scn = flighttrace.load_scenario(ROOT / "seeds" / "azerbaijan-ovda.yaml")
    ds = flighttrace.read(ROOT / "fixtures" / "ovda" / "data")
    legs = flighttrace.detect_legs(ds.points, scn)
    out["ovda"] = {"scn": scn, "ds": ds, "legs": legs, "sorties": flighttrace.find_sorties(legs, scn, scn.routes[0].id)}
    scn = flighttrace.load_scenario(ROOT / "seeds" / "moscow-2026-03-14.yaml")
    ds = flighttrace.read(ROOT / "fixtures" / "moscow" / "data")
    legs = flighttrace.detect_legs(ds.points, scn)
    findings = flighttrace.evaluate(legs, scn, points=ds.points)
    out["moscow"] = {"scn": scn, "ds": ds, "legs": legs, "dis": findings.disruption}
    return out


def _timed(make: Callable[[], Any], path: Path, repeat: int) -> tuple[list[float], list[float], int]:
    from flighttrace.viz.maps import save_map

    wall, cpu = [], []
    for _ in range(repeat):  # one build and write per round
        t0, c0 = time.perf_counter(), time.process_time()
        save_map(make(), path)
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return wall, cpu, path.stat().st_size


def main(argv: list[str] | None = None) -> int:
    """Build each map ``--repeat`` times; print the median and minimum time and the page size."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5, help="builds of each map (default 5)")
    ap.add_argument("--out", type=Path, default=None, help="folder for the pages (default a temporary one)")
    args = ap.parse_args(argv)
    from flighttrace.viz.maps import map_disruption, map_sorties

    data = _inputs()
    o, m = data["ovda"], data["moscow"]
    cases = {
        "ovda": lambda: map_sorties(o["legs"], o["sorties"], o["scn"], points=o["ds"].points, synthetic=True),
        "moscow": lambda: map_disruption(m["legs"], m["dis"], m["scn"], points=m["ds"].points, synthetic=True),
    }
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.out or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        for name, make in cases.items():
            first, _, _ = _timed(make, folder / f"{name}.html", 1)  # the first build of the process reads the basemap, imports folium …
            wall, cpu, size = _timed(make, folder / f"{name}.html", args.repeat)
            print(f"{name:7s} first {first[0]:6.3f} s | wall median {statistics.median(wall):6.3f} s min {min(wall):6.3f} s | "
                  f"cpu median {statistics.median(cpu):6.3f} s min {min(cpu):6.3f} s ({args.repeat} builds) | page {size / 1e6:6.3f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
