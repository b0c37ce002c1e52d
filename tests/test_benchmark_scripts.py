"""The hand-run benchmark scripts still run against the package's API (no timing is asserted)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_map_benchmark_builds_both_maps_from_the_shipped_fixtures(tmp_path: Path) -> None:
    # benchmarks/maps.py called evaluate(scenario, legs) after issue 14 put the data first; nothing ran it until
    # a benchmark run failed. One build of each map must go through and write both pages.
    out = tmp_path / "maps"
    run = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "maps.py"), "--repeat", "1", "--out", str(out)],
                         capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    assert sorted(p.name for p in out.iterdir()) == ["moscow.html", "ovda.html"]
    for line, name in zip(run.stdout.splitlines(), ("ovda", "moscow"), strict=True):
        assert line.startswith(name) and "(1 builds)" in line
    assert "leaflet" in (out / "ovda.html").read_text(encoding="utf-8").lower()


def test_run_benchmark_prefault_writes_memory_in_a_child_and_the_header_says_so() -> None:
    # benchmarks/run.py --prefault-gb: a child writes the memory and exits (this process does not grow by it),
    # and the results' header says how much was written, or nothing when none was.
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import run as bench_run  # benchmarks/run.py
    finally:
        sys.path.pop(0)
    import resource

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    seconds = bench_run.prefault(0.25)  # one piece of 256 MB
    assert seconds > 0 and resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 64 * 1024  # KiB: not 256 MB here
    assert resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss >= 256 * 1024  # the child held it
    meta = {"flighttrace": "x", "machine": "m", "cpus": 2, "date": "d"}
    assert "written once" not in bench_run._markdown([], meta)
    assert "Before the runs, 12 GB of memory was written once and given back (3.5 s" in bench_run._markdown(
        [], {**meta, "prefault_gb": 12.0, "prefault_s": 3.5})
