"""Putting a received body in place without ever replacing a file.

A fetch archive only grows. A body goes to its planned name when that name
is free; otherwise (``--refresh``, or a file that changed since it was
logged) it is saved beside it under a versioned name, ``NAME.v2.json``,
``NAME.v3.json`` …, and the earlier file stays as it was. Bodies that fail
their checks go to the archive's ``quarantine/`` folder, mirroring their
planned path, with ``.rejected`` appended, so that no reader takes them for
evidence (:func:`flighttrace.read` skips them).

The move is a hard link of the finished temporary file, which fails rather
than replace an existing name, then the temporary name is removed.
"""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Final

__all__ = ["MAX_VERSIONS", "QUARANTINE_DIR", "REJECTED_SUFFIX", "SAVED_MODE", "place", "quarantine_relpath", "versioned"]

QUARANTINE_DIR: Final = "quarantine"
"""Folder (at the archive root) for bodies that failed their checks."""
REJECTED_SUFFIX: Final = ".rejected"
"""Appended to the name of a quarantined body."""
SAVED_MODE: Final = 0o444
"""Permissions of a saved body: read-only, evidence is not edited in place."""
MAX_VERSIONS: Final = 100_000
"""Most versions of one name tried before giving up (a guard, never reached in practice)."""
_NO_HARD_LINKS: Final = frozenset({errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK})
"""``link`` errors meaning "this file system has no hard links here"."""
_COMPOUND: Final = (".flights.json",)
"""Suffixes kept whole when a version number is inserted (readers recognise them)."""


def versioned(path: Path, n: int) -> Path:
    """``path`` itself for ``n == 1``, else the name with ``.v<n>`` before its suffix.

    Examples
    --------
    >>> versioned(Path("a/trace_full_600864.json"), 2).as_posix()
    'a/trace_full_600864.v2.json'
    >>> versioned(Path("a/20230901T000000Z_20230902T235959Z.flights.json"), 3).name
    '20230901T000000Z_20230902T235959Z.v3.flights.json'
    """
    if n == 1:
        return path
    name = path.name
    suffix = next((s for s in _COMPOUND if name.endswith(s) and len(name) > len(s)), path.suffix)
    stem = name[: len(name) - len(suffix)] if suffix else name
    return path.with_name(f"{stem}.v{n}{suffix}")


def _candidates(target: Path) -> Iterator[Path]:
    for n in range(1, MAX_VERSIONS + 1):
        yield versioned(target, n)


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def place(tmp: Path, target: Path) -> Path:
    """Give the finished file ``tmp`` the first free name among ``target``'s versions.

    Parameters
    ----------
    tmp
        A complete, flushed file on the same file system as ``target``.
    target
        The planned name.

    Returns
    -------
    Path
        Where the file now is (``target`` or a versioned name beside it).
        ``tmp`` is gone; no existing file was touched.

    Raises
    ------
    OSError
        When the folder cannot be written.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(tmp, SAVED_MODE)
    for cand in _candidates(target):
        try:
            os.link(tmp, cand)
        except FileExistsError:
            continue
        except OSError as exc:
            if exc.errno not in _NO_HARD_LINKS:
                raise
            if cand.exists():  # a file system without hard links: check, then rename
                continue
            os.rename(tmp, cand)
            _fsync_dir(cand.parent)
            return cand
        os.unlink(tmp)
        _fsync_dir(cand.parent)
        return cand
    raise FileExistsError(f"{target}: more than {MAX_VERSIONS} versions")


def quarantine_relpath(relpath: str) -> str:
    """Where a rejected body planned for ``relpath`` goes, relative to the archive root.

    Examples
    --------
    >>> quarantine_relpath("globe/m/2023/09/01/traces/64/trace_full_600864.json")
    'quarantine/globe/m/2023/09/01/traces/64/trace_full_600864.json.rejected'
    """
    return f"{QUARANTINE_DIR}/{relpath}{REJECTED_SUFFIX}"
