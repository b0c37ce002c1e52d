"""Telling simulated files from real ones.

A world written by :mod:`flighttrace.kinds.sorties.world` carries a ``synthetic.json`` at
its root listing every file it wrote with its SHA-256. :func:`is_synthetic`
finds the nearest such list above a file and says whether the file is on it
with the same bytes; :func:`flighttrace.read` records the answer in the
manifest's ``synthetic`` column, and every chart, map and report made from a
dataset with a synthetic input says so.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Final

from flighttrace._paths import nearest_marked, resolved_file

__all__ = ["MARKER", "is_synthetic"]

MARKER: Final = "synthetic.json"
"""File name of a simulated world's list of files."""


def _find_root(p: Path) -> Path | None:
    return _root_of_dir(str(p.parent))


@lru_cache(maxsize=4096)
def _root_of_dir(folder: str) -> Path | None:
    """Nearest folder at or above ``folder`` holding the marker (cached: one walk per folder)."""
    return nearest_marked(folder, MARKER, _root_of_dir)


@lru_cache(maxsize=64)
def _listing(root: str, mtime_ns: int, size: int) -> dict[str, str]:
    try:
        doc = json.loads((Path(root) / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    files = doc.get("files", {}) if isinstance(doc, dict) and doc.get("synthetic") is True else {}
    return {str(k): str(v) for k, v in files.items()} if isinstance(files, dict) else {}


def is_synthetic(path: str | os.PathLike[str], sha256: str) -> bool:
    """Whether a file on disk is listed, with these bytes, by a simulated world's ``synthetic.json``.

    Parameters
    ----------
    path
        The file.
    sha256
        Its SHA-256 (hex), as computed by the reader.

    Returns
    -------
    bool
        ``True`` only when an ancestor folder's list names the file with this
        hash. A file that was changed after simulation is no longer listed
        as it is, so it is not called synthetic either; its manifest row
        still has its own hash for anyone who checks.
    """
    try:
        p = resolved_file(path)
        root = _find_root(p)
        if root is None:
            return False
        st = (root / MARKER).stat()
        return _listing(str(root), st.st_mtime_ns, st.st_size).get(p.relative_to(root).as_posix()) == sha256
    except (OSError, ValueError):
        return False
