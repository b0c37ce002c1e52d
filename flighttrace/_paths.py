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
    if os.path.isfile(os.path.join(folder, marker)):  # one stat, no path objects (this runs for every folder of a read)
        return Path(folder)
    parent = os.path.dirname(folder)
    return None if parent == folder else parent_root(parent)


@lru_cache(maxsize=4096)
def _resolved_dir(folder: str) -> Path:
    """An absolute folder with its links resolved (cached: a read's files share a few folders; ``read`` clears it per call).

    A folder that is not itself a link is its parent's resolution plus its
    name (what the full resolution gives), so each new folder of a deep tree
    costs one ``lstat``, not one per component of its path.
    """
    parent, name = os.path.split(folder)
    if name in ("", ".", "..") or parent == folder or os.path.islink(folder):
        return Path(folder).resolve()
    return _resolved_dir(parent) / name


@lru_cache(maxsize=4096)
def _resolved_file(path: str) -> Path:
    """:func:`resolved_file` of an absolute path (cached: the custody and synthetic look-ups of a file both ask; ``read`` clears it)."""
    p = Path(path)
    if p.name in ("", ".", "..") or p.is_symlink():
        return p.resolve()
    return _resolved_dir(str(p.parent)) / p.name


def resolved_file(path: str | os.PathLike[str]) -> Path:
    """``Path(path).resolve()``, with the folder resolved once for all its files.

    A file that is itself a symbolic link (or a name such as ``..``) is
    resolved in full; any other file is its resolved folder plus its name,
    which is what the full resolution gives.
    """
    p = os.fspath(path)
    return _resolved_file(p if os.path.isabs(p) else os.path.join(os.getcwd(), p))
