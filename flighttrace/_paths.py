"""Finding the folder a file belongs to by a marker file above it (a custody log, a simulated world's list)."""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

__all__ = ["nearest_marked", "resolved_file"]


def nearest_marked(folder: str, marker: str, parent_root: Callable[[str], Path | None]) -> Path | None:
    """``folder`` when it holds ``marker``, else ``parent_root`` of its parent (``None`` at the top).

    The caller passes its own cached look-up as ``parent_root``, so every
    folder on the way up is remembered:

    >>> @functools.lru_cache
    ... def root_of(folder): return nearest_marked(folder, "custody.jsonl", root_of)  # doctest: +SKIP
    """
    d = Path(folder)
    if (d / marker).is_file():
        return d
    parent = d.parent
    return None if parent == d else parent_root(str(parent))


@lru_cache(maxsize=4096)
def _resolved_dir(folder: str) -> Path:
    """An absolute folder with its links resolved (cached: a read's files share a few folders; ``read`` clears it per call)."""
    return Path(folder).resolve()


def resolved_file(path: str | os.PathLike[str]) -> Path:
    """``Path(path).resolve()``, with the folder resolved once for all its files.

    A file that is itself a symbolic link (or a name such as ``..``) is
    resolved in full; any other file is its resolved folder plus its name,
    which is what the full resolution gives.
    """
    p = Path(path)
    if p.name in ("", ".", "..") or p.is_symlink():
        return p.resolve()
    folder = str(p.parent) if p.is_absolute() else os.path.join(os.getcwd(), str(p.parent))
    return _resolved_dir(folder) / p.name
