"""Output folders that never destroy evidence.

Every command and library function that writes a folder of results
(``report``, ``analyze``, ``legs``, ``ingest``, ``scan``, ``scale``,
``simulate``, :func:`flighttrace.build_report`, the world builders) goes
through this module. The rules:

1. The folder must be **new, empty, or made by flighttrace**. A folder made by
   flighttrace carries a stamp, :data:`STAMP_NAME`, listing every file the
   run that made it wrote (with its size and SHA-256), the command and the
   flighttrace version. Any other folder that holds anything is refused
   (:class:`OutputFolderError`) before any work is done, and nothing is
   written.
2. In a stamped folder, only the files the stamp lists are replaced, and the
   listed files this run does not write again are removed (a stale chart of
   the earlier run does not linger). Anything else in the folder (a
   reporter's notes) stays untouched. A listed file whose bytes changed after
   flighttrace wrote it (someone edited it) is neither replaced nor removed:
   the run is refused instead.
3. The output folder must not be an input, hold an input, or lie inside an
   input folder:

   - ``out`` **is** an input, or **holds** one (an evidence folder, the
     scenario file, a store, an archive): a rerun would replace or remove
     files next to the evidence, so it is refused;
   - ``out`` lies **inside an input folder** (``--data case/evidence --out
     case/evidence/report``): the next read of that folder would take the
     outputs for evidence, so it is refused too;
   - an output folder beside the scenario file (``case/scn.yaml`` with
     ``--out case/report``) is fine: a scenario is one file, not a folder
     that is read whole.

   The rule knows only the inputs of the run: ``simulate``, which reads
   nothing but its scenario, may make a new folder anywhere else (its
   ``synthetic.json`` marks every file in it as simulated).

4. A run writes into a hidden staging folder inside the output folder
   (``.flighttrace-partial-*``) and moves its files into place only when it
   has finished: a run that fails leaves the folder as it was. A run that
   is killed outright can leave its staging folder behind; it holds only
   flighttrace's own partial output, is ignored by the checks, and may be
   deleted by hand.

A *shared* folder (``report --maps DIR``, where the map copies of many
reports gather) follows the same stamp, but adds: other files may live
there, nothing is ever removed, and a file is written only under a name that
is free or that the stamp lists as flighttrace's.

Examples
--------
>>> target = output_folder("out/report", inputs=["evidence/"], command="flighttrace report …")  # doctest: +SKIP
>>> with target.writing() as work:                                                            # doctest: +SKIP
...     (work / "index.html").write_text("…")
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Final

from flighttrace._version import __version__
from flighttrace.hashing import sha256_file

__all__ = ["PARTIAL_PREFIX", "STAMP_NAME", "OutputFolder", "OutputFolderError", "listing", "output_folder", "read_stamp"]

STAMP_NAME: Final = "flighttrace-output.json"
"""The stamp file of a folder flighttrace wrote: the files of the last run, the command, the version."""

PARTIAL_PREFIX: Final = ".flighttrace-partial-"
"""Name prefix of the staging folder a run writes into before its files are moved into place."""

_STAMP_FORMAT: Final = 1
_GLOB_CHARS: Final = "*?["
_SHOW_MAX: Final = 3
"""How many of a folder's foreign entries a refusal names."""


class OutputFolderError(ValueError):
    """An output folder that flighttrace will not write into; nothing was written.

    The message is one line: what is wrong and what to do.
    """


def _safe_rel(rel: Any) -> str | None:
    """A stamp entry as a relative POSIX path inside the folder, or ``None`` when it points elsewhere."""
    if not isinstance(rel, str) or not rel or "\\" in rel or "\x00" in rel:
        return None
    p = PurePosixPath(rel)
    if p.is_absolute() or any(part in ("", ".", "..") for part in p.parts) or p.as_posix() != rel:
        return None
    return rel


def read_stamp(folder: str | os.PathLike[str]) -> dict[str, Any] | None:
    """The stamp of a folder flighttrace wrote, or ``None`` when it has none (or one that cannot be read).

    Entries that do not name a file inside the folder are dropped: a stamp
    can never make flighttrace replace a file outside its folder.
    """
    path = Path(folder) / STAMP_NAME
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(doc, dict) or doc.get("flighttrace_output") != _STAMP_FORMAT or not isinstance(doc.get("files"), dict):
        return None
    files = {}
    for rel, meta in doc["files"].items():
        if _safe_rel(rel) is not None and rel != STAMP_NAME and isinstance(meta, dict) and isinstance(meta.get("sha256"), str):
            files[rel] = meta
    dirs = [d for d in doc.get("dirs", []) if _safe_rel(d) is not None] if isinstance(doc.get("dirs"), list) else []
    return {**doc, "files": files, "dirs": dirs}


def _entry(path: Path) -> dict[str, Any]:
    st = path.stat()
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "sha256": sha256_file(path)}


def _unchanged(path: Path, meta: dict[str, Any]) -> bool:
    """Whether a listed file still holds the bytes flighttrace wrote (size and time first, the hash when they differ)."""
    try:
        st = path.lstat()
    except OSError:
        return True  # gone: nothing to protect
    if not stat.S_ISREG(st.st_mode):
        return False  # a folder or a link where flighttrace wrote a file: not the file it wrote
    if st.st_size == meta.get("size") and st.st_mtime_ns == meta.get("mtime_ns"):
        return True
    return st.st_size == meta.get("size") and sha256_file(path) == meta["sha256"]


def _input_paths(inputs: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """The paths the inputs name: a glob stands for the folder before its first wildcard."""
    out = []
    for item in inputs:
        text = os.fspath(item)
        if any(c in text for c in _GLOB_CHARS):
            parts = Path(text).parts
            fixed = list(parts[: next(i for i, p in enumerate(parts) if any(c in p for c in _GLOB_CHARS))])
            text = str(Path(*fixed)) if fixed else "."
        out.append(Path(text))
    return out


def _inside(a: Path, b: Path) -> bool:
    return a == b or b in a.parents


def listing(folder: Path) -> list[str]:
    """Every file below ``folder`` as a relative POSIX path, staging folders left out."""
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith(PARTIAL_PREFIX))
        base = Path(root)
        found += [(base / f).relative_to(folder).as_posix() for f in sorted(files)]
    return found


@dataclass
class OutputFolder:
    """A checked output folder; :meth:`writing` gives the place to write and moves the files in at the end.

    Build one with :func:`output_folder`.
    """

    path: Path
    command: str
    shared: bool = False
    inputs: tuple[Path, ...] = ()
    expect: tuple[str, ...] = ()
    written: list[str] = field(default_factory=list)

    # -- checks ----------------------------------------------------------------------

    def check(self) -> None:
        """Refuse (:class:`OutputFolderError`) a folder flighttrace must not write into.

        Run by :func:`output_folder` before any work, and again just before
        the files are moved in.
        """
        out = self.path
        real = out.resolve()
        for inp in self.inputs:
            r = inp.resolve()
            if r == real:
                raise OutputFolderError(f"output folder {out} is the input {inp}; nothing was written: choose a folder outside the inputs")
            if _inside(r, real):
                raise OutputFolderError(f"output folder {out} holds the input {inp}; nothing was written: choose a folder outside the inputs")
            if r.is_dir() and _inside(real, r):
                raise OutputFolderError(f"output folder {out} is inside the input folder {inp}, whose files are read as evidence; "
                                        "nothing was written: choose a folder outside it")
        if out.exists() and not out.is_dir():
            raise OutputFolderError(f"output folder {out} is a file; nothing was written: give a folder")
        if not out.is_dir():
            return
        stamp = read_stamp(out)
        if stamp is None and (out / STAMP_NAME).exists():
            raise OutputFolderError(f"output folder {out} holds a {STAMP_NAME} that cannot be read; nothing was written: "
                                    "choose a new or empty folder")
        if stamp is None and not self.shared:
            with os.scandir(out) as it:
                names = sorted(e.name for e in it if not e.name.startswith(PARTIAL_PREFIX))
            if names:
                shown = ", ".join(names[:_SHOW_MAX]) + (f" and {len(names) - _SHOW_MAX} more" if len(names) > _SHOW_MAX else "")
                raise OutputFolderError(f"output folder {out} is not empty and was not made by flighttrace (it holds {shown}); "
                                        "nothing was written: choose a new or empty folder")
        owned = {} if stamp is None else stamp["files"]
        for rel in self.expect:
            self._may_write(rel, owned)
        if not self.shared:
            for rel, meta in sorted(owned.items()):
                if not _unchanged(out / rel, meta):
                    raise OutputFolderError(f"{out / rel} was changed after flighttrace wrote it; nothing was written: "
                                            "move it away or choose another folder")

    def _within(self, rel: str) -> bool:
        """Whether ``rel`` stays inside the folder once links are followed (a linked sub-folder may point anywhere)."""
        return _inside((self.path / rel).parent.resolve(), self.path.resolve())

    def _may_write(self, rel: str, owned: dict[str, Any]) -> None:
        target = self.path / rel
        if not self._within(rel):
            raise OutputFolderError(f"{target} lies behind a link out of {self.path}; nothing was written: choose another folder")
        for parent in PurePosixPath(rel).parents:
            p = self.path / parent
            if str(parent) != "." and p.exists() and not p.is_dir():
                raise OutputFolderError(f"{p} is a file where flighttrace needs a folder; nothing was written: move it away or choose another folder")
        if target.is_dir():
            raise OutputFolderError(f"{target} is a folder where flighttrace writes a file; nothing was written: move it away or choose another folder")
        if not target.exists():
            return
        if rel not in owned:
            raise OutputFolderError(f"{target} exists and flighttrace did not write it; nothing was written: move it away or choose another folder")
        if not _unchanged(target, owned[rel]):
            raise OutputFolderError(f"{target} was changed after flighttrace wrote it; nothing was written: move it away or choose another folder")

    # -- writing ---------------------------------------------------------------------

    @contextmanager
    def writing(self) -> Iterator[Path]:
        """A staging folder to write the run's files into; they are moved into the output folder when the block ends.

        On an error in the block the staging folder is removed and the
        output folder is left as it was (a folder this call created is
        removed again when it is still empty).

        Raises
        ------
        OutputFolderError
            When the folder changed since the check so that a file would be
            written over one flighttrace did not write.
        """
        created = [p for p in [self.path, *self.path.parents] if not p.exists()]
        self.path.mkdir(parents=True, exist_ok=True)
        stage = Path(tempfile.mkdtemp(prefix=PARTIAL_PREFIX, dir=self.path))
        try:
            yield stage
            self._commit(stage)
        finally:
            shutil.rmtree(stage, ignore_errors=True)  # flighttrace's own staging folder
            for p in created:  # folders this run made, when nothing ended up in them
                try:
                    p.rmdir()
                except OSError:
                    break

    def _commit(self, stage: Path) -> None:
        self.check()
        stamp = read_stamp(self.path)
        owned: dict[str, Any] = {} if stamp is None else dict(stamp["files"])
        made_dirs = set() if stamp is None else set(stamp["dirs"])
        new = listing(stage)
        for rel in new:
            self._may_write(rel, owned)
        files: dict[str, Any] = {r: m for r, m in owned.items() if (self.path / r).is_file()} if self.shared else {}
        for rel in new:  # move each file into place
            target = self.path / rel
            for parent in reversed(PurePosixPath(rel).parents):
                if str(parent) != "." and not (self.path / parent).exists():
                    (self.path / parent).mkdir()
                    made_dirs.add(parent.as_posix())
            os.replace(stage / rel, target)
            files[rel] = _entry(target)
        if not self.shared:
            for rel in sorted(set(owned) - set(new)):  # stale files of the earlier run (checked unchanged above)
                if self._within(rel):
                    (self.path / rel).unlink(missing_ok=True)
            for d in sorted(made_dirs, key=lambda d: -d.count("/")):
                p = self.path / d
                if p.is_dir() and not any(p.iterdir()):
                    p.rmdir()
        made_dirs = {d for d in made_dirs if (self.path / d).is_dir()}
        doc = {
            "flighttrace_output": _STAMP_FORMAT,
            "note": "Written by flighttrace. It replaces or removes only the files listed here; anything else in this folder is left alone.",
            "flighttrace_version": __version__,
            "command": self.command,
            "files": dict(sorted(files.items())),
            "dirs": sorted(made_dirs),
        }
        tmp = stage / STAMP_NAME
        tmp.write_text(json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
        os.replace(tmp, self.path / STAMP_NAME)
        self.written = new


def output_folder(
    path: str | os.PathLike[str],
    *,
    inputs: Iterable[str | os.PathLike[str]] = (),
    command: str = "",
    shared: bool = False,
    expect: Iterable[str] = (),
) -> OutputFolder:
    """Check an output folder before any work is done, and return the handle to write into it.

    Parameters
    ----------
    path
        The output folder (made when missing, at the end of the run).
    inputs
        Everything the run reads: data files and folders (globs stand for
        the folder before their first wildcard), the scenario file, a store,
        an archive. The output folder may not be one, hold one, or lie inside
        an input folder.
    command
        The command line or call, recorded in the stamp.
    shared
        A folder where other files may live and nothing is removed
        (``--maps DIR``).
    expect
        Names (relative to the folder) the run will write, checked now: each
        must be free or flighttrace's.

    Returns
    -------
    OutputFolder
        Write inside ``with target.writing() as work:``.

    Raises
    ------
    OutputFolderError
        With one line saying why and what to do; nothing is written.
    """
    target = OutputFolder(Path(path), command or "flighttrace", shared=shared, inputs=tuple(_input_paths(inputs)),
                          expect=tuple(expect))
    target.check()
    return target
