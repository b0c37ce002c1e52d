"""Pausing Python's cyclic garbage collector around work that makes many long-lived objects."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["gc_paused"]


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the block; restore its state on exit.

    A parsed JSON trace (millions of small lists) or a report of millions of
    points (map elements, popups, card fields) holds many live objects at
    once, and every burst of allocations sets off a collection that walks
    them all and frees nothing. Reference counting still frees whatever the
    block drops; the few reference cycles left behind are collected once the
    collector runs again. Nested use is safe: only the outermost block turns
    the collector back on.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
