"""An evidence bundle: one zip with a report, what it was made from, and how to check it.

``flighttrace bundle REPORT_DIR`` (or ``flighttrace report … --bundle``)
writes ``REPORT_DIR.zip`` (or ``--out FILE.zip``) holding, under one folder:

``README.txt``
    what is inside and how to check it, in plain words;
``bundle.json``
    every file of the bundle with its SHA-256 and size, and each input with
    its SHA-256, its size, and where it came from (the custody log's URL and
    time for a fetched file, else "given as a local file");
``report/``
    the report folder as written (``index.html``, ``evidence.html``, the map,
    charts, tables and ``provenance.json``);
``inputs/``
    the scenario and the data files at the paths the report names them by
    (relative to the folder the report was made in), with the custody logs
    (``custody.jsonl``, ``custody.head``) and simulated-world markers
    (``synthetic.json``) found above them. When the data files together
    exceed ``max_input_mb``, they are left out: ``bundle.json`` keeps their
    hashes and origins, so the report can still be checked against copies
    held elsewhere.

The zip is deterministic: entries sorted by name, every timestamp 1980-01-01,
the same permissions, the same compression; the same report gives the same
bytes. :func:`verify_bundle` (``flighttrace verify FILE.zip``) unpacks it
into a temporary folder, checks every file against ``bundle.json``, then
runs :func:`flighttrace.report.verify.verify` on the report with the
bundle's ``inputs/`` as the working folder. A bundle file is written through
:mod:`flighttrace.outdir`: never over a file flighttrace did not write.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Final

from flighttrace._version import __version__
from flighttrace.numfmt import fmt_count, fmt_n

__all__ = ["BUNDLE_MANIFEST", "DEFAULT_MAX_INPUT_MB", "BundleError", "BundleResult", "bundle", "check_bundle_target", "is_bundle",
           "verify_bundle"]

BUNDLE_MANIFEST: Final = "bundle.json"
"""The file of a bundle that lists every other file with its SHA-256."""
DEFAULT_MAX_INPUT_MB: Final = 500.0
"""Data inputs larger than this in all (MB) are left out of a bundle; their hashes and origins stay in ``bundle.json``."""
_MB: Final = 1_000_000
_EPOCH: Final = (1980, 1, 1, 0, 0, 0)
_MARKERS: Final = ("custody.jsonl", "custody.head", "synthetic.json")
_FORMAT: Final = 1


class BundleError(ValueError):
    """A bundle that cannot be made or read; the message is one line."""


@dataclass
class BundleResult:
    """Where a bundle was written and what it holds."""

    path: Path
    files: int
    inputs_included: list[str] = field(default_factory=list)
    inputs_left_out: list[str] = field(default_factory=list)


def _sha(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def _provenance(report_dir: Path) -> dict[str, Any]:
    prov = report_dir / "provenance.json"
    try:
        doc = json.loads(prov.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BundleError(f"not a flighttrace report: {prov} cannot be read ({exc})") from None
    if not isinstance(doc, dict) or not {"arguments", "scenario", "inputs", "outputs", "cwd"} <= set(doc):
        raise BundleError(f"not a flighttrace report: {prov} lacks the arguments, scenario, inputs or outputs a report records")
    return doc


def _inside_name(recorded: str) -> str:
    """Where an input recorded as ``recorded`` goes under ``inputs/``: the same relative path, or ``_absolute/...`` for an absolute one."""
    p = PurePosixPath(Path(recorded).as_posix())
    if p.is_absolute():
        return "_absolute/" + "/".join(part for part in p.parts[1:] if part not in ("", ".."))
    if any(part == ".." for part in p.parts):
        return "_outside/" + "/".join(part for part in p.parts if part not in ("", ".."))
    return p.as_posix()


def _custody_origins(report_dir: Path, roots: list[Path]) -> dict[str, dict[str, str]]:
    """Input path → the custody entry that fetched it (url, time, id), from the report's manifest and the logs found."""
    from flighttrace.fetch.custody import CUSTODY_FILE, read_entries

    entries: dict[str, dict[str, Any]] = {}
    for root in roots:  # a few logs
        for e in read_entries(root / CUSTODY_FILE):
            if e.get("id"):
                entries[str(e["id"])] = e
    out: dict[str, dict[str, str]] = {}
    manifest = report_dir / "tables" / "manifest.csv"
    if not manifest.is_file() or not entries:
        return out
    with open(manifest, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):  # one row per input file
            entry = entries.get(row.get("custody") or "")
            if entry is not None:
                out[row["path"]] = {"custody_id": str(entry.get("id", "")), "url": str(entry.get("url", "")),
                                    "fetched": str(entry.get("time", entry.get("utc", "")))}
    return out


def _markers(files: list[Path]) -> list[Path]:
    """The custody logs and synthetic-world markers in the folders at or above the input files (each once)."""
    found: list[Path] = []
    seen: set[Path] = set()
    for f in files:
        d = f.parent
        while d not in seen:
            seen.add(d)
            for name in _MARKERS:
                if (d / name).is_file():
                    found.append(d / name)
            if d.parent == d:
                break
            d = d.parent
    return sorted(set(found))


def _plan(report_dir: Path, doc: dict[str, Any], max_input_mb: float) -> tuple[list[tuple[str, Path]], dict[str, Any]]:
    """(name in the zip, file on disk) of every file, and the ``bundle.json`` document."""
    base = Path(doc.get("cwd") or ".")
    at = (lambda rec: Path(rec) if Path(rec).is_absolute() else base / rec)
    files: list[tuple[str, Path]] = [(f"report/{p.relative_to(report_dir).as_posix()}", p) for p in sorted(report_dir.rglob("*")) if p.is_file()]
    scn = doc["scenario"]["path"]
    if not at(scn).is_file():
        raise BundleError(f"the report's scenario {scn} is not where the report found it ({at(scn)}); nothing was written")
    data: dict[str, Path] = {}
    for inp in doc["inputs"]:  # each file once (a tar archive once for all its members)
        rec = str(inp["path"]).split("!", 1)[0]
        data.setdefault(rec, at(rec))
    missing = [rec for rec, p in data.items() if not p.is_file()]
    if missing:
        raise BundleError(f"the report's input {missing[0]} is not where the report found it; nothing was written")
    small = {rec for rec in data if Path(rec).name in _MARKERS}  # custody logs and world markers read as skipped inputs: always kept
    total = sum(p.stat().st_size for rec, p in data.items() if rec not in small)
    keep = total <= max_input_mb * _MB
    markers = _markers([at(scn), *data.values()])
    roots = [m.parent for m in markers if m.name == "custody.jsonl"]
    origins = _custody_origins(report_dir, roots)
    files.append((f"inputs/{_inside_name(scn)}", at(scn)))
    for m in markers:
        try:
            rel = m.resolve().relative_to(base.resolve()).as_posix()
        except ValueError:
            rel = m.as_posix()
        files.append((f"inputs/{_inside_name(rel)}", m))
    inputs = []
    for rec, p in sorted(data.items()):
        sha = _sha(p)
        origin = origins.get(rec) or {"url": "", "note": "given as a local file"}
        inside = keep or rec in small
        inputs.append({"path": rec, "sha256": sha, "bytes": p.stat().st_size, "in_bundle": f"inputs/{_inside_name(rec)}" if inside else None,
                       "origin": origin})
        if inside:
            files.append((f"inputs/{_inside_name(rec)}", p))
    files = list(dict(files).items())  # a marker that is also a named input: once
    doc_b = {"flighttrace_bundle": _FORMAT, "flighttrace_version": __version__, "report": report_dir.name, "synthetic": bool(doc.get("synthetic")),
             "max_input_mb": max_input_mb, "inputs_bytes": total, "inputs_included": keep, "inputs": inputs,
             "scenario": {"path": scn, "sha256": doc["scenario"]["sha256"], "in_bundle": f"inputs/{_inside_name(scn)}"}}
    return files, doc_b


def _readme(doc: dict[str, Any], b: dict[str, Any], root: str) -> str:
    n_in = len(b["inputs"])
    synthetic = "\nSYNTHETIC DATA: at least one input was made by flighttrace's simulator. Nothing here describes real flights.\n" if b["synthetic"] else ""
    pad = "\n" + " " * 16
    inputs = ("inputs/     " + pad.join([f"the scenario and the {fmt_n(n_in, 'data file')} the report was made from, at the paths",
                                          "the report names them by, with any custody log (custody.jsonl, custody.head) and",
                                          "simulated-world marker (synthetic.json) found above them."])
              if b["inputs_included"] else
              "inputs/     " + pad.join([f"the scenario only: the {fmt_n(n_in, 'data file')} ({fmt_count(b['inputs_bytes'] / _MB)} MB in all) are over the",
                                          f"{b['max_input_mb']:g} MB this bundle was allowed. bundle.json lists each with its SHA-256 and",
                                          "where it came from, so the report can be checked against copies held elsewhere."]))
    return f"""EVIDENCE BUNDLE of the flighttrace report "{b['report']}" (scenario: {doc.get('arguments', {}).get('scenario', '')})
Made by flighttrace {__version__}.
{synthetic}
What is in it
  {root}/
    report/     the report as written. Open report/index.html first: the finding, the claims and their
                verdicts, the sources; report/evidence.html has the evidence cards; report/map.html the map.
                report/provenance.json records the command, every input and every output with its SHA-256.
    {inputs}
    bundle.json every file of this bundle with its SHA-256, and each input with its SHA-256 and origin.

How to check it
  Install the same flighttrace ({__version__}) and run:
      flighttrace verify THIS-FILE.zip
  It unpacks the bundle into a temporary folder, checks every file against bundle.json and provenance.json,
  rebuilds the report from the inputs and compares it with the report, byte for byte. Every difference is
  named, one per line; none means the report follows from these inputs exactly.
"""


def check_bundle_target(path: str | os.PathLike[str], report_dir: str | os.PathLike[str], *, command: str = "") -> Any:
    """The checked output folder for a bundle file (:func:`flighttrace.outdir.output_folder`, shared): refused before any work.

    Raises
    ------
    flighttrace.outdir.OutputFolderError
        The file exists and flighttrace did not write it (or it changed since), or it would lie inside the report folder.
    """
    from flighttrace.outdir import OutputFolderError, output_folder

    out, rep = Path(path), Path(report_dir)
    if out.suffix.lower() != ".zip":
        raise OutputFolderError(f"{out} does not end in .zip; nothing was written: name the bundle FILE.zip")
    if out.resolve().parent == rep.resolve() or rep.resolve() in out.resolve().parents:
        raise OutputFolderError(f"{out} lies inside the report folder {rep}; nothing was written: put the bundle beside the report")
    return output_folder(out.parent, command=command or "flighttrace bundle", shared=True, expect=[out.name])


def bundle(report_dir: str | os.PathLike[str], out: str | os.PathLike[str] | None = None, *, max_input_mb: float = DEFAULT_MAX_INPUT_MB,
           command: str | None = None) -> BundleResult:
    """Write the evidence bundle of a report folder (see the module docs).

    Parameters
    ----------
    report_dir
        A folder written by :func:`flighttrace.build_report`.
    out
        The zip to write; default ``<report_dir>.zip`` beside the folder.
    max_input_mb
        Data inputs larger than this in all (MB) are left out (their hashes
        and origins stay in ``bundle.json``).
    command
        The command line, for the output folder's stamp.

    Returns
    -------
    BundleResult

    Raises
    ------
    BundleError
        Not a report folder, or an input is no longer where the report found it.
    flighttrace.outdir.OutputFolderError
        The zip exists and flighttrace did not write it.
    """
    rep = Path(report_dir)
    if not rep.is_dir():
        raise BundleError(f"no such report folder: {rep}")
    doc = _provenance(rep)
    target_path = Path(out) if out is not None else rep.parent / f"{rep.name}.zip"
    target = check_bundle_target(target_path, rep, command=command or "flighttrace bundle")
    files, b = _plan(rep, doc, max_input_mb)
    root = f"{rep.name}-bundle"
    texts = {"README.txt": _readme(doc, b, root).encode("utf-8")}
    listing = {name: {"sha256": _sha(p), "bytes": p.stat().st_size} for name, p in files}
    listing["README.txt"] = {"sha256": hashlib.sha256(texts["README.txt"]).hexdigest(), "bytes": len(texts["README.txt"])}
    b["files"] = dict(sorted(listing.items()))
    b["inputs_left_out"] = sum(1 for i in b["inputs"] if not i["in_bundle"])
    texts[BUNDLE_MANIFEST] = (json.dumps(b, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")
    entries = sorted([(n, p) for n, p in files] + [(n, data) for n, data in texts.items()], key=lambda e: e[0])
    with target.writing() as work:
        _write_zip(work / target_path.name, root, entries)
    return BundleResult(target_path, len(entries), [i["path"] for i in b["inputs"] if i["in_bundle"]],
                        [i["path"] for i in b["inputs"] if not i["in_bundle"]])


def _write_zip(path: Path, root: str, entries: list[tuple[str, Any]]) -> None:
    """A zip with fixed timestamps, permissions and compression, entries in the given (sorted) order."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6, allowZip64=True) as zf:
        for name, src in entries:  # one entry per file
            info = zipfile.ZipInfo(f"{root}/{name}", date_time=_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            if isinstance(src, bytes):
                zf.writestr(info, src, compress_type=zipfile.ZIP_DEFLATED, compresslevel=6)
            else:
                with open(src, "rb") as fh, zf.open(info, "w", force_zip64=True) as dst:
                    shutil.copyfileobj(fh, dst, 1 << 20)


def is_bundle(path: str | os.PathLike[str]) -> bool:
    """Whether a file is a zip holding a flighttrace ``bundle.json``."""
    p = Path(path)
    if not p.is_file() or not zipfile.is_zipfile(p):
        return False
    with zipfile.ZipFile(p) as zf:
        return any(n.count("/") == 1 and n.endswith("/" + BUNDLE_MANIFEST) for n in zf.namelist())


def _extract(path: Path, dest: Path) -> Path:
    """Unpack a bundle safely (no absolute name, no ``..``); its root folder."""
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        roots = {n.split("/", 1)[0] for n in names}
        if len(roots) != 1:
            raise BundleError(f"{path} is not a flighttrace bundle: it does not hold one folder")
        for n in names:  # refuse names that would land outside the folder
            pp = PurePosixPath(n)
            if pp.is_absolute() or ".." in pp.parts or "\\" in n:
                raise BundleError(f"{path} holds an unsafe name ({n!r}); nothing was unpacked")
        zf.extractall(dest)
    return dest / roots.pop()


def verify_bundle(path: str | os.PathLike[str]) -> list[str]:
    """Check a bundle: every file against ``bundle.json``, then the report against its inputs (a rebuild).

    Returns
    -------
    list of str
        One line per difference: ``bundle file changed: …``, ``bundle file
        missing: …``, ``bundle file not listed: …``, ``input left out of the
        bundle: …`` (no rebuild is then possible), and every line of
        :func:`flighttrace.report.verify.verify` (``output edited: …``,
        ``output differs on rebuild: …`` …). Empty when everything matches.
    """
    from flighttrace.report.verify import verify

    p = Path(path)
    with tempfile.TemporaryDirectory(prefix="flighttrace-bundle-") as tmp:
        root = _extract(p, Path(tmp))
        try:
            b = json.loads((root / BUNDLE_MANIFEST).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            return [f"not a flighttrace bundle: {BUNDLE_MANIFEST} cannot be read ({exc})"]
        listed = b.get("files", {})
        present = {f.relative_to(root).as_posix() for f in root.rglob("*") if f.is_file()} - {BUNDLE_MANIFEST}
        problems = [f"bundle file missing: {n}" for n in sorted(set(listed) - present)]
        problems += [f"bundle file changed: {n}" for n in sorted(set(listed) & present) if _sha(root / n) != listed[n]["sha256"]]
        problems += [f"bundle file not listed: {n}" for n in sorted(present - set(listed))]
        left_out = {i["path"] for i in b.get("inputs", []) if not i.get("in_bundle")}
        found = verify(root / "report", base=root / "inputs")
        for line in found:
            kind, _, what = line.partition(": ")
            if kind == "input missing" and what in left_out:
                problems.append(f"input left out of the bundle: {what} (its SHA-256 and origin are in {BUNDLE_MANIFEST}; the report cannot be rebuilt from this bundle)")
            elif kind == "input missing" and Path(what).is_absolute():
                problems.append(f"input named by an absolute path, not at its place: {what} (its copy is in inputs/{_inside_name(what)}; "
                                "the report can be rebuilt only where that path exists)")
            else:
                problems.append(line)
        return problems
