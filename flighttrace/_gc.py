"""Pausing Python's cyclic garbage collector around work that makes many long-lived objects; handing freed memory back between stages."""

from __future__ import annotations

import functools
import gc
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, cast

__all__ = ["gc_paused", "one_malloc_arena", "release_free_memory"]

M_ARENA_MAX = -8
"""glibc's ``mallopt`` parameter for the most arenas (malloc.h)."""


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


def _glibc() -> bool:
    """Whether the C library is GNU's (``confstr`` names it; musl and others do not answer)."""
    try:
        return (os.confstr("CS_GNU_LIBC_VERSION") or "").startswith("glibc")
    except (AttributeError, ValueError, OSError):
        return False


@functools.cache
def _glibc_function(name: str, argtypes: tuple[Any, ...]) -> Callable[..., int] | None:
    """A function of glibc (``malloc_trim``, ``mallopt``), or ``None`` where the C library is another (musl, macOS, Windows)."""
    if not sys.platform.startswith("linux") or not _glibc():
        return None
    import ctypes

    try:
        fn = getattr(ctypes.CDLL(None), name)  # the process's own C library: already loaded, nothing new is opened
    except (OSError, AttributeError):
        return None
    fn.argtypes, fn.restype = list(argtypes), ctypes.c_int
    return cast("Callable[..., int]", fn)


def release_free_memory() -> bool:
    """Give the pages the C allocator holds free back to the system (glibc's ``malloc_trim(0)``).

    glibc keeps memory that was freed in the middle of its heaps for reuse: a
    stage that made large temporaries (a table sorted, a text joined) leaves
    the process that much bigger, and the next stage, needing less or memory
    of other sizes, never uses it all. Called between the stages of a report,
    this keeps its peak near what is in use. It takes a few milliseconds,
    changes no allocator setting and frees nothing still in use.

    Returns
    -------
    bool
        Whether memory was trimmed (``False`` where the C library is not glibc: nothing is done).
    """
    import ctypes

    fn = _glibc_function("malloc_trim", (ctypes.c_size_t,))
    if fn is None:
        return False
    fn(0)
    return True


def one_malloc_arena() -> bool:
    """Have every thread allocate from glibc's one main arena (``mallopt(M_ARENA_MAX, 1)``); a no-op elsewhere.

    glibc gives threads that allocate at the same time arenas of their own
    (pyarrow's readers do), and memory freed in one arena serves that arena
    only. A process-wide choice: :func:`flighttrace.cli.main` makes it for
    the command, which owns its process (``flighttrace report`` on the Ovda
    world peaked about 7 MB lower); a library call never does. It must come
    before the threads allocate.

    Returns
    -------
    bool
        Whether glibc took the setting (``False`` where the C library is not glibc).
    """
    import ctypes

    fn = _glibc_function("mallopt", (ctypes.c_int, ctypes.c_int))
    return fn is not None and bool(fn(M_ARENA_MAX, 1))
