"""``flighttrace verify DIR``: check that a report still follows from its inputs.

The check has three parts, and every difference is reported by name:

1. every input recorded in ``provenance.json`` (the scenario and each data
   file) still has the recorded SHA-256;
2. every output in the folder still has the recorded SHA-256 (nothing was
   edited after the fact);
3. the report, rebuilt from the same inputs with the same command and the
   recorded pre-registration stamp in a temporary folder, is
   byte-identical to the recorded outputs.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

__all__ = ["verify"]

_REBUILD = "from flighttrace.report.verify import _rebuild_main; _rebuild_main()"


def _sha(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def _at(base: Path, recorded: str) -> Path:
    """A path recorded in ``provenance.json``, relative to the folder the report was made in when not absolute."""
    p = Path(recorded)
    return p if p.is_absolute() else base / p


def _rebuild(base: Path, args: dict[str, Any], out: Path, maps_dir: Path, command: str | None, prereg: dict[str, Any] | None = None) -> str | None:
    """Build the report again into ``out``, in a child process working in ``base``.

    The inputs are read with the paths as they were given, relative to the
    folder the report was made in, so the rebuilt manifest and pages name
    them as the recorded ones do. The folder is the child's working
    directory (``subprocess``'s ``cwd``): the calling process's own working
    directory never changes.

    Returns
    -------
    str or None
        ``None`` when the child built the report, else why it failed.
    """
    job = {"scenario": args["scenario"], "data": args["data"], "out": str(out), "tz": args.get("tz"),
           "report_tz": args.get("report_tz"), "maps_dir": str(maps_dir), "command": command, "preregistration": prereg}
    env = dict(os.environ)
    package_parent = str(Path(__file__).resolve().parents[2])  # this flighttrace, even when it is not installed
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_parent, env.get("PYTHONPATH", "")) if p)
    proc = subprocess.run([sys.executable, "-c", _REBUILD], input=json.dumps(job), cwd=base, env=env,
                          capture_output=True, text=True, encoding="utf-8", check=False)
    if proc.returncode == 0:
        return None
    lines = [line for line in proc.stderr.strip().splitlines() if line.strip()]
    return lines[-1] if lines else f"exit code {proc.returncode}"


def _rebuild_main() -> None:
    """The child process of :func:`_rebuild`: read the job from stdin and build the report."""
    from flighttrace.report import build_report

    job = json.loads(sys.stdin.read())
    build_report(job["scenario"], job["data"], job["out"], tz=job["tz"], report_tz=job["report_tz"], maps_dir=job["maps_dir"],
                 command=job["command"], preregistration=job.get("preregistration"))


def verify(out_dir: str | os.PathLike[str]) -> list[str]:
    """Compare a report folder with its inputs and with a fresh rebuild.

    Parameters
    ----------
    out_dir
        A folder written by :func:`flighttrace.report.build_report`.

    Returns
    -------
    list of str
        One line per difference: ``input changed: …``, ``input missing: …``,
        ``output edited: …``, ``output missing: …``, ``output differs on
        rebuild: …``, ``output not recorded: …``, ``rebuild failed: …``.
        Empty when the report is reproduced exactly.

    Notes
    -----
    Relative input paths are taken from the folder the report was made in
    (``cwd`` in ``provenance.json``); the rebuild runs in a child process
    working there. The working directory of the calling process is never
    changed.
    """
    out = Path(out_dir).resolve()
    prov_path = out / "provenance.json"
    if not prov_path.is_file():
        return [f"not a flighttrace report: {out / 'provenance.json'} is missing"]
    doc = json.loads(prov_path.read_text(encoding="utf-8"))
    base = Path(doc.get("cwd") or ".")
    if not base.is_dir():
        base = Path.cwd()
    base = base.resolve()
    problems: list[str] = []
    args = doc["arguments"]
    scn = doc["scenario"]["path"]
    if not _at(base, scn).is_file():
        problems.append(f"input missing: {scn}")
    elif _sha(_at(base, scn)) != doc["scenario"]["sha256"]:
        problems.append(f"input changed: {scn}")
    for inp in doc["inputs"]:
        p = inp["path"]
        if "!" in p or not inp.get("sha256"):
            continue  # tar members are checked through the rebuild's manifest
        if not _at(base, p).is_file():
            problems.append(f"input missing: {p}")
        elif _sha(_at(base, p)) != inp["sha256"]:
            problems.append(f"input changed: {p}")
    recorded = doc["outputs"]
    present = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file() and p.name != "provenance.json"}
    for rel, sha in sorted(recorded.items()):
        if rel not in present:
            problems.append(f"output missing: {rel}")
        elif _sha(out / rel) != sha:
            problems.append(f"output edited: {rel}")
    for rel in sorted(present - set(recorded)):
        problems.append(f"output not recorded: {rel}")
    if any(p.startswith(("input missing", "input changed")) for p in problems):
        return problems
    with tempfile.TemporaryDirectory(prefix="flighttrace-verify-") as tmp:
        rebuilt = Path(tmp) / Path(args["out"]).name
        failed = _rebuild(base, args, rebuilt, Path(tmp) / "maps", doc.get("command"), doc.get("preregistration"))
        if failed is not None:
            return [*problems, f"rebuild failed: {failed}"]
        new = json.loads((rebuilt / "provenance.json").read_text(encoding="utf-8"))["outputs"]
        for rel, sha in sorted(recorded.items()):
            if new.get(rel) != sha:
                problems.append(f"output differs on rebuild: {rel}")
        for rel in sorted(set(new) - set(recorded)):
            problems.append(f"output differs on rebuild: {rel} (new file)")
    return problems
