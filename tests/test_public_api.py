"""Every public name of flighttrace resolves on first access, in a fresh interpreter, whatever was imported before."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_PROBE = """
import json, sys, types
import flighttrace
out = {}
for name in flighttrace.__all__:
    try:
        value = getattr(flighttrace, name)
    except Exception as exc:  # noqa: BLE001 - the test reports it
        out[name] = "error: " + type(exc).__name__ + ": " + str(exc)
    else:
        out[name] = "module" if isinstance(value, types.ModuleType) else type(value).__name__
print(json.dumps(out))
"""


def _probe(first: str = "") -> dict[str, str]:
    code = first + "\n" + _PROBE
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    return json.loads(proc.stdout)


def test_every_name_in_all_resolves_on_first_access() -> None:
    kinds = _probe()
    errors = {k: v for k, v in kinds.items() if v.startswith("error")}
    assert errors == {}
    assert kinds["report"] == "module" and kinds["sim"] == "module"
    assert kinds["build_report"] == "function" and kinds["read"] == "function" and kinds["__version__"] == "str"


def test_report_and_sim_are_the_same_modules_whichever_is_imported_first() -> None:
    # importing a submodule binds it on the package; the lazy names must agree with that binding
    after = _probe("import flighttrace.report.verify, flighttrace.kinds.sorties.world, flighttrace.sim.kinematics")
    assert after == _probe()


def test_report_and_sim_hold_what_their_names_promise() -> None:
    import flighttrace

    assert isinstance(flighttrace.report, types.ModuleType) and callable(flighttrace.report.build_report)
    assert flighttrace.build_report is flighttrace.report.build_report
    assert isinstance(flighttrace.sim, types.ModuleType) and callable(flighttrace.sim.kinematics.simulate_truth)
    assert set(flighttrace.__all__) <= set(dir(flighttrace))
