"""Expand paths, folders and globs into input files, and say what happened to everything else.

A folder is walked without following symbolic links to folders (a link
loop cannot trap the walk). Every entry is classified before any byte of it
is read, so a FIFO or a device is never opened (reading one may never end):

- a regular file, or a symbolic link to one: an input;
- a FIFO, a device, a socket: an error ("not a regular file");
- a dangling symbolic link, a symbolic link loop: an error;
- a symbolic link to a folder: skipped (not followed), and said so;
- a folder that cannot be listed: an error.

Every one of these has a row in the manifest. File names that are not
valid UTF-8 get a printable label (:func:`safe_label`): the bytes that are
not UTF-8 are written ``\\xNN``, so the label can be stored anywhere.
"""

from __future__ import annotations

import errno
import glob as _glob
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from flighttrace.hashing import file_kind

__all__ = ["LINK_TO_FOLDER", "Found", "expand", "label_of", "safe_label"]

LINK_TO_FOLDER = "symbolic link to a folder: not followed (pass the folder itself to read it)"
"""Why a symbolic link to a folder met inside a folder is not read."""


@dataclass(frozen=True)
class Found:
    """One entry met while expanding the inputs.

    Parameters
    ----------
    path
        The entry as found.
    error
        Why it cannot be read (not a regular file, dangling link …), or ``None``.
    skipped
        Why it is deliberately not read (a link to a folder), or ``None``.
    """

    path: Path
    error: str | None = None
    skipped: str | None = None


def safe_label(text: str) -> str:
    """``text`` with every byte that is not UTF-8 written as ``\\xNN`` (printable, storable).

    File names on POSIX are bytes; Python decodes the bytes that are not
    UTF-8 as lone surrogates, which Arrow, Parquet and JSON writers refuse.

    Examples
    --------
    >>> safe_label("caf\\udce9.json")
    'caf\\\\xe9.json'
    >>> safe_label("plain.json")
    'plain.json'
    """
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        pass
    try:
        raw = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("ascii")
    return raw.decode("utf-8", "backslashreplace")


def label_of(path: Path) -> str:
    """The label of a file on disk: its path with ``/`` separators, made printable."""
    return safe_label(path.as_posix())


def _os_reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def _classify_link(path: Path) -> Found:
    """A symbolic link: to a regular file (an input), a folder (skipped), or broken (an error)."""
    try:
        st = os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return Found(path, error="symbolic link loop: the link points back to itself")
        if exc.errno in (errno.ENOENT, errno.ENOTDIR):
            try:
                target = os.readlink(path)
            except OSError:
                target = "?"
            return Found(path, error=f"dangling symbolic link: its target {safe_label(target)!r} does not exist")
        return Found(path, error=f"cannot follow the symbolic link ({_os_reason(exc)})")
    if stat.S_ISREG(st.st_mode):
        return Found(path)
    if stat.S_ISDIR(st.st_mode):
        return Found(path, skipped=LINK_TO_FOLDER)
    return Found(path, error=f"not a regular file (a symbolic link to a {file_kind(st.st_mode)})")


def _classify(path: Path, mode: int) -> Found:
    """An entry whose ``lstat`` mode is ``mode``."""
    if stat.S_ISREG(mode):
        return Found(path)
    if stat.S_ISLNK(mode):
        return _classify_link(path)
    return Found(path, error=f"not a regular file (a {file_kind(mode)})")


def _walk(root: Path) -> list[Found]:
    """Every entry under a folder, folders themselves excepted (unless they cannot be listed)."""
    out: list[Found] = []
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = list(it)
        except OSError as exc:
            out.append(Found(folder, error=f"cannot list the folder ({_os_reason(exc)}): its files were not read"))
            continue
        for e in entries:
            path = Path(e.path)
            try:
                if e.is_dir(follow_symlinks=False):
                    stack.append(path)
                elif e.is_file(follow_symlinks=False):
                    out.append(Found(path))
                else:
                    out.append(_classify(path, e.stat(follow_symlinks=False).st_mode))
            except OSError as exc:
                out.append(Found(path, error=f"cannot read the folder entry ({_os_reason(exc)})"))
    return sorted(out, key=lambda f: f.path.as_posix())


def expand(arg: str | os.PathLike[str]) -> list[Found]:
    """The entries behind one input argument: a file, a folder (walked) or a glob.

    Raises
    ------
    FileNotFoundError
        When nothing exists at the path and it is not a glob that matches.
    """
    p = Path(arg)
    try:
        st = os.lstat(p)
    except OSError:
        st = None
    if st is not None:
        if stat.S_ISDIR(st.st_mode):
            return _walk(p)
        if stat.S_ISLNK(st.st_mode):
            found = _classify_link(p)
            if found.skipped == LINK_TO_FOLDER:
                return _walk(p)  # a link given by name is the user's choice: follow it
            return [found]
        return [_classify(p, st.st_mode)]
    s = os.fspath(arg)
    if any(ch in s for ch in "*?["):
        out: list[Found] = []
        for q in _glob.glob(s, recursive=True):
            try:
                mode = os.lstat(q).st_mode
            except OSError:
                continue
            if stat.S_ISDIR(mode):
                continue  # a glob lists folders as well as files; the files are what was asked for
            found = _classify(Path(q), mode)
            if found.skipped is None:
                out.append(found)
        return sorted(out, key=lambda f: f.path.as_posix())
    raise FileNotFoundError(f"no such file, folder or glob match: {safe_label(s)}")
