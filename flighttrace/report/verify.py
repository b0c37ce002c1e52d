"""``flighttrace verify DIR``: check that a report still follows from its inputs.

The check has three parts, and every difference is reported by name:

1. every input recorded in ``provenance.json`` (the scenario and each data
   file) still has the recorded SHA-256;
2. every output in the folder still has the recorded SHA-256 (nothing was
   edited after the fact);
3. the report, rebuilt from the same inputs with the same command in a
   temporary folder, is byte-identical to the recorded outputs.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

__all__ = ["verify"]


def _sha(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


@contextlib.contextmanager
def _cwd(path: Path) -> Iterator[None]:
    old = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


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
        rebuild: …``, ``output not recorded: …``. Empty when the report is
        reproduced exactly.
    """
    from flighttrace.report import build_report

    out = Path(out_dir).resolve()
    prov_path = out / "provenance.json"
    if not prov_path.is_file():
        return [f"not a flighttrace report: {out / 'provenance.json'} is missing"]
    doc = json.loads(prov_path.read_text(encoding="utf-8"))
    base = Path(doc.get("cwd") or ".")
    if not base.is_dir():
        base = Path.cwd()
    problems: list[str] = []
    args = doc["arguments"]
    with _cwd(base):
        scn = Path(doc["scenario"]["path"])
        if not scn.is_file():
            problems.append(f"input missing: {scn}")
        elif _sha(scn) != doc["scenario"]["sha256"]:
            problems.append(f"input changed: {scn}")
        for inp in doc["inputs"]:
            p = inp["path"]
            if "!" in p or not inp.get("sha256"):
                continue  # tar members are checked through the rebuild's manifest
            if not Path(p).is_file():
                problems.append(f"input missing: {p}")
            elif _sha(Path(p)) != inp["sha256"]:
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
        with _cwd(base):
            build_report(
                args["scenario"], args["data"], rebuilt, tz=args.get("tz"), report_tz=args.get("report_tz"),
                maps_dir=Path(tmp) / "maps", command=doc.get("command"),
            )
        new = json.loads((rebuilt / "provenance.json").read_text(encoding="utf-8"))["outputs"]
        for rel, sha in sorted(recorded.items()):
            if new.get(rel) != sha:
                problems.append(f"output differs on rebuild: {rel}")
        for rel in sorted(set(new) - set(recorded)):
            problems.append(f"output differs on rebuild: {rel} (new file)")
    return problems
