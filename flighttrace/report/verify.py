"""``flighttrace verify DIR``: check that a report still follows from its inputs.

The check has three parts, and every difference is reported by name:

1. every input recorded in ``provenance.json`` (the scenario and each data
   file) still has the recorded SHA-256;
2. every output in the folder still has the recorded SHA-256 (nothing was
   edited after the fact);
3. the report, rebuilt from the same inputs with the same command, the
   recorded pre-registration stamp and the recorded thresholds
   (:mod:`flighttrace.report.settings`) in a temporary folder, is
   byte-identical to the recorded outputs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from flighttrace.hashing import sha256_file
from flighttrace.outdir import STAMP_NAME, listing

__all__ = ["input_differences", "verify", "verify_report"]

_REBUILD = "from flighttrace.report.verify import _rebuild_main; _rebuild_main()"


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
           "report_tz": args.get("report_tz"), "maps_dir": str(maps_dir), "command": command, "tiles": args.get("tiles"), "preregistration": prereg,
           "settings": args.get("settings")}
    env = dict(os.environ)
    package_parent = str(Path(__file__).resolve().parents[2])  # this flighttrace, even when it is not installed
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_parent, env.get("PYTHONPATH", "")) if p)
    # -P: the working folder is not put first on the module path, so a folder named flighttrace in it (another version, a
    # checkout, anything a case folder holds) is never what rebuilds the report; this flighttrace is
    proc = subprocess.run([sys.executable, "-P", "-c", _REBUILD], input=json.dumps(job), cwd=base, env=env,
                          capture_output=True, text=True, encoding="utf-8", check=False)
    if proc.returncode == 0:
        return None
    lines = [line for line in proc.stderr.strip().splitlines() if line.strip()]
    return lines[-1] if lines else f"exit code {proc.returncode}"


def _rebuild_main() -> None:
    """The child process of :func:`_rebuild`: read the job from stdin and build the report."""
    from flighttrace.report.build import build_report
    from flighttrace.report.settings import settings_from_record

    job = json.loads(sys.stdin.read())
    legs, rules = settings_from_record(job.get("settings"))  # the thresholds the report recorded (none: the defaults)
    build_report(job["scenario"], job["data"], job["out"], tz=job["tz"], report_tz=job["report_tz"], maps_dir=job["maps_dir"],
                 command=job["command"], tiles=job.get("tiles"), preregistration=job.get("preregistration"), legs=legs, rules=rules)


def input_differences(recorded: list[dict[str, Any]], rebuilt: list[dict[str, Any]]) -> list[str]:
    """What the rebuild read that the report did not, or read differently: one line per input.

    The rebuild reads the inputs as they were named (folders, globs and
    archives expanded again), so its manifest shows what the recorded one
    cannot: a file added to an input folder, one that left it, and a member
    of a tar archive whose bytes changed (a tar's members are listed as
    ``archive.tar!member``, each with its own SHA-256).

    Parameters
    ----------
    recorded, rebuilt
        The ``inputs`` lists of the two ``provenance.json`` files.

    Returns
    -------
    list of str
        ``input added: …``, ``input removed: …`` and ``input changed: …``
        (the latter for archive members and for files whose recorded hash
        was not checked on disk), sorted by path.
    """
    old = {str(i["path"]): str(i.get("sha256") or "") for i in recorded}
    new = {str(i["path"]): str(i.get("sha256") or "") for i in rebuilt}
    lines = [f"input added: {p}" for p in sorted(set(new) - set(old))]
    lines += [f"input removed: {p}" for p in sorted(set(old) - set(new)) if "!" in p]  # a missing file is named before the rebuild
    lines += [f"input changed: {p}" for p in sorted(set(old) & set(new)) if old[p] != new[p] and "!" in p]
    return sorted(lines, key=lambda line: line.split(": ", 1)[1])


def verify(out_dir: str | os.PathLike[str], *, base: str | os.PathLike[str] | None = None) -> list[str]:
    """Compare a report folder with its inputs and with a fresh rebuild.

    Parameters
    ----------
    out_dir
        A folder written by :func:`flighttrace.report.build_report`.
    base
        The folder relative input paths are taken from, instead of the one
        the report was made in (an unpacked evidence bundle's ``inputs/``,
        :mod:`flighttrace.report.bundle`).

    Returns
    -------
    list of str
        One line per difference: ``input changed: …``, ``input missing: …``,
        ``input added: …`` (a file now in an input folder that the report did
        not read), ``input removed: …`` (a tar member gone), ``output edited:
        …``, ``output missing: …``, ``output differs on rebuild: …``,
        ``output not recorded: …``, ``rebuild failed: …``, and after an
        output that differs, ``default thresholds changed since the report
        was made …`` naming each (or ``default thresholds not recorded …``
        for a report made before ``provenance.json`` kept them).
        Empty when the report is reproduced exactly.

    Notes
    -----
    Relative input paths are taken from the folder the report was made in
    (``cwd`` in ``provenance.json``), or from ``base``; the rebuild runs in a
    child process working there. The working directory of the calling process is never
    changed.
    """
    out = Path(out_dir).resolve()
    prov_path = out / "provenance.json"
    if not prov_path.is_file():
        return [f"not a flighttrace report: {out / 'provenance.json'} is missing"]
    try:
        doc = json.loads(prov_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        return [f"not a flighttrace report: {prov_path} cannot be read ({exc})"]
    if not isinstance(doc, dict) or not {"arguments", "scenario", "inputs", "outputs"} <= set(doc):
        return [f"not a flighttrace report: {prov_path} lacks the arguments, scenario, inputs or outputs a report records"]
    base = Path(base) if base is not None else Path(doc.get("cwd") or ".")
    if not base.is_dir():
        base = Path.cwd()
    base = base.resolve()
    problems: list[str] = []
    args = doc["arguments"]
    scn = doc["scenario"]["path"]
    if not _at(base, scn).is_file():
        problems.append(f"input missing: {scn}")
    elif sha256_file(_at(base, scn)) != doc["scenario"]["sha256"]:
        problems.append(f"input changed: {scn}")
    for inp in doc["inputs"]:
        p = inp["path"]
        if "!" in p or not inp.get("sha256"):
            continue  # tar members are checked through the rebuild's manifest
        if not _at(base, p).is_file():
            problems.append(f"input missing: {p}")
        elif sha256_file(_at(base, p)) != inp["sha256"]:
            problems.append(f"input changed: {p}")
    recorded = doc["outputs"]
    present = {rel for rel in listing(out) if rel not in ("provenance.json", STAMP_NAME)}
    for rel, sha in sorted(recorded.items()):
        if rel not in present:
            problems.append(f"output missing: {rel}")
        elif sha256_file(out / rel) != sha:
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
        again = json.loads((rebuilt / "provenance.json").read_text(encoding="utf-8"))
        problems += input_differences(doc["inputs"], again["inputs"])
        new = again["outputs"]
        for rel, sha in sorted(recorded.items()):
            if new.get(rel) != sha:
                problems.append(f"output differs on rebuild: {rel}")
        for rel in sorted(set(new) - set(recorded)):
            problems.append(f"output differs on rebuild: {rel} (new file)")
    if any(p.startswith("output differs on rebuild") for p in problems):
        problems += _why_rebuild_differs(doc)
    return problems


def _why_rebuild_differs(doc: dict[str, Any]) -> list[str]:
    """The default thresholds that changed since the report was made (this flighttrace rebuilds with its own defaults)."""
    from flighttrace.report.settings import default_changes

    then = doc.get("default_thresholds")
    if not isinstance(then, dict):
        return [f"default thresholds not recorded (the report was made by flighttrace {doc.get('flighttrace_version', '?')} before they "
                "were): a change of a default since then would also make the rebuild differ"]
    changes = default_changes(then)
    if not changes:
        return []
    return [f"default thresholds changed since the report was made (the rebuild uses this flighttrace's): {'; '.join(changes)}"]


def verify_report(out_dir: str | os.PathLike[str]) -> list[str]:
    """Check a report folder: inputs unchanged, and a rebuild gives byte-identical outputs.

    Parameters
    ----------
    out_dir : path
        A folder written by :func:`flighttrace.report.build_report`.

    Returns
    -------
    list of str
        One line per difference (empty when everything matches).
    """
    return verify(out_dir)
