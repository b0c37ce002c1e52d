"""The custody log: an append-only record of every fetched body.

Each archive folder holds one ``custody.jsonl`` at its root. Every request
flighttrace makes for evidence adds one JSON line: what was asked (URL without
credentials, parameters, a key of the canonical request), when (UTC), what
came back (HTTP status, content type and encoding, selected response
headers), what was kept (relative path, size in bytes, SHA-256 of the bytes
exactly as received), which flighttrace version did it, who ran it (when
given), and what happened (``fetch``, ``cache-hit``, ``missing``,
``failed``) with a note.

Lines are chained: each entry's ``prev`` is the SHA-256 of the previous line,
so a line removed or edited later breaks the chain, and :func:`verify` says
where. The log is what links a file in a :func:`flighttrace.read` manifest to
the request that produced it (the manifest's ``custody`` column holds the
entry ``id``; see :func:`lookup`).

This module imports nothing from the network stack, so that reading files
offline never loads it.
"""

from __future__ import annotations

import functools

import hashlib
import json
import os
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from flighttrace._version import __version__

__all__ = [
    "CUSTODY_FILE",
    "ACTIONS",
    "CustodyLog",
    "lookup",
    "verify",
    "read_entries",
    "utc_now_iso",
]

CUSTODY_FILE: Final = "custody.jsonl"
"""File name of the custody log at the root of an archive folder."""

ACTIONS: Final = ("fetch", "cache-hit", "missing", "failed")
"""What an entry records: a body fetched and kept; a request answered from
the archive without asking the server; a request the server answered with
"nothing here" (404); a request that failed (network error, server error,
rate limit, body cut short)."""

GENESIS: Final = "0" * 64
"""``prev`` of the first entry of a log."""

_TAIL_BYTES: Final = 64 * 1024
"""How far back from the end of the log to look for the last line (bytes)."""

_FIELDS: Final = (
    "id",
    "action",
    "source",
    "method",
    "url",
    "params",
    "request_key",
    "retrieved_at",
    "status",
    "content_type",
    "content_encoding",
    "response_headers",
    "size_bytes",
    "sha256",
    "path",
    "ref",
    "flighttrace_version",
    "operator",
    "note",
    "prev",
)
"""Keys of every entry, in the order they are written."""


def utc_now_iso() -> str:
    """The current UTC time as ISO 8601 with microseconds and a ``Z``."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _line_hash(line: bytes) -> str:
    return hashlib.sha256(line.rstrip(b"\r\n")).hexdigest()


def _last_line(path: Path) -> bytes | None:
    """The last non-empty line of ``path`` (without its newline), or ``None``."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return None
    if size == 0:
        return None
    with open(path, "rb") as fh:
        step = _TAIL_BYTES
        while True:
            start = max(0, size - step)
            fh.seek(start)
            data = fh.read(size - start)
            lines = [ln for ln in data.splitlines() if ln.strip()]
            if start == 0 or len(lines) >= 2:
                return lines[-1] if lines else None
            step *= 2


class _Lock:
    """An advisory exclusive lock on an open file (no-op where unsupported)."""

    def __init__(self, fh: Any) -> None:
        self._fh = fh

    def __enter__(self) -> _Lock:
        try:
            import fcntl

            fcntl.flock(self._fh.fileno(), fcntl.LOCK_EX)
        except (ImportError, OSError):  # pragma: no cover - non-POSIX
            pass
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            import fcntl

            fcntl.flock(self._fh.fileno(), fcntl.LOCK_UN)
        except (ImportError, OSError):  # pragma: no cover - non-POSIX
            pass


class CustodyLog:
    """The append-only custody log of one archive folder.

    Parameters
    ----------
    root
        The archive folder; the log is ``root / "custody.jsonl"``.
    operator
        Who runs the fetch (a name, initials or a role), written into every
        entry; empty when not given.

    Notes
    -----
    Entries are appended under an advisory lock, one ``write`` per line,
    followed by ``fsync``, so two runs on the same folder do not interleave
    lines and a crash loses at most the line being written.
    """

    def __init__(self, root: str | os.PathLike[str], *, operator: str | None = None) -> None:
        self.root = Path(root)
        self.path = self.root / CUSTODY_FILE
        self.operator = operator or ""

    def append(self, **fields: Any) -> dict[str, Any]:
        """Add one entry and return it as written.

        Parameters
        ----------
        **fields
            Any of the entry keys (see the module docstring); ``id``,
            ``flighttrace_version``, ``operator`` and ``prev`` are filled in.

        Returns
        -------
        dict
            The entry, with its ``id``.

        Raises
        ------
        ValueError
            For an unknown key or action.
        """
        unknown = set(fields) - set(_FIELDS)
        if unknown:
            raise ValueError(f"unknown custody field(s): {', '.join(sorted(unknown))}")
        if fields.get("action") not in ACTIONS:
            raise ValueError(f"custody action must be one of {ACTIONS}, not {fields.get('action')!r}")
        entry: dict[str, Any] = {k: None for k in _FIELDS}
        entry.update(
            {
                "params": {},
                "response_headers": {},
                "content_type": "",
                "content_encoding": "",
                "sha256": "",
                "path": "",
                "ref": "",
                "note": "",
                "method": "GET",
            }
        )
        entry.update(fields)
        entry["id"] = uuid.uuid4().hex
        entry["flighttrace_version"] = __version__
        entry["operator"] = self.operator
        if not entry.get("retrieved_at"):
            entry["retrieved_at"] = utc_now_iso()
        self.root.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        with os.fdopen(fd, "ab") as fh, _Lock(fh):
            last = _last_line(self.path)
            entry["prev"] = _line_hash(last) if last is not None else GENESIS
            line = json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
            fh.write(line + b"\n")
            fh.flush()
            os.fsync(fh.fileno())
        return entry

    def entries(self) -> Iterator[dict[str, Any]]:
        """Every entry in log order (unreadable lines are skipped)."""
        yield from read_entries(self.path)

    def cache_index(self) -> dict[str, dict[str, Any]]:
        """The latest ``fetch`` or ``missing`` entry of each request key."""
        index: dict[str, dict[str, Any]] = {}
        for e in self.entries():
            key = e.get("request_key")
            if key and e.get("action") in ("fetch", "missing"):
                index[str(key)] = e
        return index


def read_entries(path: str | os.PathLike[str]) -> Iterator[dict[str, Any]]:
    """Yield the entries of a custody log file, skipping unreadable lines.

    Parameters
    ----------
    path
        A ``custody.jsonl`` file.

    Yields
    ------
    dict
        One entry per valid JSON line, in file order.
    """
    try:
        fh = open(path, "rb")
    except FileNotFoundError:
        return
    with fh:
        for raw in fh:
            if not raw.strip():
                continue
            try:
                obj = json.loads(raw)
            except ValueError:
                continue
            if isinstance(obj, dict):
                yield obj


# --------------------------------------------------------------------------- lookup


@dataclass
class _RootIndex:
    stamp: tuple[int, int]
    by_file: dict[tuple[str, str], str]


_ROOT_CACHE: dict[Path, _RootIndex] = {}


def _find_root(path: Path) -> Path | None:
    return _root_of_dir(str(path.parent))


@functools.lru_cache(maxsize=4096)
def _root_of_dir(folder: str) -> Path | None:
    """Nearest folder at or above ``folder`` with a custody log (cached; ``read`` clears it per call)."""
    d = Path(folder)
    if (d / CUSTODY_FILE).is_file():
        return d
    parent = d.parent
    return None if parent == d else _root_of_dir(str(parent))


def _root_index(root: Path) -> _RootIndex:
    log = root / CUSTODY_FILE
    st = log.stat()
    stamp = (st.st_mtime_ns, st.st_size)
    cached = _ROOT_CACHE.get(root)
    if cached is not None and cached.stamp == stamp:
        return cached
    by_file: dict[tuple[str, str], str] = {}
    for e in read_entries(log):
        if e.get("action") == "fetch" and e.get("path") and e.get("sha256") and e.get("id"):
            by_file[(str(e["path"]), str(e["sha256"]))] = str(e["id"])
    idx = _RootIndex(stamp=stamp, by_file=by_file)
    _ROOT_CACHE[root] = idx
    return idx


def lookup(path: str | os.PathLike[str], sha256: str) -> str | None:
    """The id of the custody entry that recorded this file with this hash.

    Parameters
    ----------
    path
        A file on disk, anywhere below an archive folder.
    sha256
        The SHA-256 of its bytes as stored (hex).

    Returns
    -------
    str or None
        The ``id`` of the latest ``fetch`` entry for the file's path relative
        to the nearest ancestor folder holding a ``custody.jsonl``, with the
        same SHA-256; ``None`` when there is no log, no entry, or the file no
        longer matches what was fetched.

    Notes
    -----
    Each log is read once and kept in memory until it changes (its size or
    modification time), so reading a folder of many files stays fast. Never
    raises for an unreadable log.
    """
    try:
        p = Path(path).resolve()
        root = _find_root(p)
        if root is None:
            return None
        rel = p.relative_to(root).as_posix()
        return _root_index(root).by_file.get((rel, sha256))
    except (OSError, ValueError):
        return None


def verify(root: str | os.PathLike[str]) -> list[str]:
    """Check an archive folder against its custody log.

    Parameters
    ----------
    root
        The archive folder.

    Returns
    -------
    list of str
        One line per problem: a broken hash chain (a line edited, inserted or
        removed), an unreadable line, a logged file that is gone, or a file
        whose bytes no longer match the latest hash logged for it. Empty when
        everything agrees.
    """
    root = Path(root)
    log = root / CUSTODY_FILE
    problems: list[str] = []
    if not log.is_file():
        return [f"no {CUSTODY_FILE} in {root}"]
    prev = GENESIS
    latest: dict[str, tuple[str, str]] = {}
    with open(log, "rb") as fh:
        for n, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            try:
                e = json.loads(raw)
            except ValueError:
                problems.append(f"line {n}: not valid JSON")
                prev = _line_hash(raw)
                continue
            if not isinstance(e, Mapping):
                problems.append(f"line {n}: not a JSON object")
            elif e.get("prev") != prev:
                problems.append(f"line {n}: hash chain broken (an earlier line was changed, added or removed)")
            if isinstance(e, Mapping) and e.get("action") == "fetch" and e.get("path"):
                latest[str(e["path"])] = (str(e.get("sha256", "")), str(e.get("id", "")))
            prev = _line_hash(raw)
    for rel, (sha, eid) in sorted(latest.items()):
        f = root / rel
        if not f.is_file():
            problems.append(f"{rel}: logged by entry {eid} but missing")
            continue
        h = hashlib.sha256()
        with open(f, "rb") as fh:
            while chunk := fh.read(1 << 20):
                h.update(chunk)
        if h.hexdigest() != sha:
            problems.append(f"{rel}: SHA-256 differs from entry {eid}")
    return problems
