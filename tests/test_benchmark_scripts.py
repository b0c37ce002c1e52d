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
