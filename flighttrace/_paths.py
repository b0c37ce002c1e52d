"""Finding the folder a file belongs to by a marker file above it (a custody log, a simulated world's list)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

__all__ = ["nearest_marked"]


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
