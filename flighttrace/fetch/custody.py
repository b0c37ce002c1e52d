"""The custody log: an append-only record of every fetched body.

Each archive folder holds one ``custody.jsonl`` at its root. Every request
flighttrace makes for evidence adds one JSON line: what was asked (URL without
credentials, parameters, a key of the canonical request), when (UTC), what
came back (HTTP status, content type and encoding, selected response
headers), what was kept (relative path, size in bytes, SHA-256 of the bytes
exactly as received), which flighttrace version did it, who ran it (when
given), and what happened (``fetch``, ``cache-hit``, ``missing``,
``failed``) with a note.

Lines are chained: each entry's ``prev`` is the SHA-256 of the previous line
(the first entry's is :data:`GENESIS`) and ``seq`` numbers the entries from
1, so a line removed or edited later breaks the chain. A small head record
beside the log, ``custody.head``, holds the number and hash of the last
entry and is replaced atomically after each append, so removing the last
entries (which leaves an intact chain) shows too.
:func:`flighttrace.fetch.audit.verify` checks all of this. The log is what
links a file in a :func:`flighttrace.read` manifest to the request that
produced it (the manifest's ``custody`` column holds the entry ``id``; see
:func:`lookup`).

This module imports nothing from the network stack, so that reading files
offline never loads it.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final, Self

from flighttrace._paths import nearest_marked, resolved_file
from flighttrace._version import __version__

__all__ = [
    "ACTIONS",
    "CUSTODY_FILE",
    "GENESIS",
    "HEAD_FILE",
    "CustodyError",
    "CustodyLog",
    "Head",
    "entry_seq",
    "head_state",
    "line_hash",
    "lookup",
    "read_entries",
    "read_head",
    "utc_now_iso",
]

CUSTODY_FILE: Final = "custody.jsonl"
"""File name of the custody log at the root of an archive folder."""
HEAD_FILE: Final = "custody.head"
"""File name of the head record beside the log: ``{"seq": …, "sha256": …}`` of its last entry."""

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
    "seq",
    "prev",
)
"""Keys of every entry, in the order they are written."""


def utc_now_iso() -> str:
    """The current UTC time as ISO 8601 with microseconds and a ``Z``."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def line_hash(line: bytes) -> str:
    """SHA-256 (hex) of one log line without its line ending: what the next entry's ``prev`` holds."""
    return hashlib.sha256(line.rstrip(b"\r\n")).hexdigest()


def entry_seq(line: bytes | None) -> int | None:
    """The ``seq`` of a log line, or ``None`` (no line, not JSON, or written before entries were numbered)."""
    if line is None:
        return None
    try:
        obj = json.loads(line)
    except ValueError:
        return None
    seq = obj.get("seq") if isinstance(obj, dict) else None
    return seq if isinstance(seq, int) and not isinstance(seq, bool) and seq > 0 else None


class CustodyError(RuntimeError):
    """The custody log cannot be extended: it no longer matches its head record."""


@dataclass(frozen=True)
class Head:
    """What the head record says: the number and line hash of the log's last entry."""

    seq: int
    sha256: str


def read_head(root: str | os.PathLike[str]) -> Head | None:
    """The head record of an archive folder, ``None`` when there is none.

    Raises
    ------
    CustodyError
        When the file exists but is not a head record.
    """
    path = Path(root) / HEAD_FILE
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    try:
        obj = json.loads(raw)
        head = Head(seq=obj["seq"], sha256=obj["sha256"])
    except (ValueError, KeyError, TypeError):
        raise CustodyError(f"{HEAD_FILE} is not a head record (unreadable)") from None
    if not isinstance(head.seq, int) or head.seq < 0 or not isinstance(head.sha256, str):
        raise CustodyError(f"{HEAD_FILE} is not a head record (unreadable)")
    return head


def _line_of_seq(path: Path, seq: int) -> bytes | None:
    """The log line numbered ``seq`` (scanning the whole log)."""
    with open(path, "rb") as fh:
        for raw in fh:
            if raw.strip() and entry_seq(raw) == seq:
                return raw.rstrip(b"\r\n")
    return None


def head_state(root: str | os.PathLike[str]) -> tuple[str, str]:
    """Compare the log's end with its head record.

    Parameters
    ----------
    root
        The archive folder.

    Returns
    -------
    (problem, note)
        ``problem`` says how they disagree (entries removed from the end, the
        last entry replaced, the head record gone), ``""`` when they agree.
        ``note`` describes a harmless difference: entries written after the
        head record (a run stopped between the two writes), or a log from a
        flighttrace that kept no head record.
    """
    root = Path(root)
    log = root / CUSTODY_FILE
    try:
        head = read_head(root)
    except CustodyError as exc:
        return str(exc), ""
    last = _last_line(log)
    seq = entry_seq(last)
    if head is None:
        if seq is not None:
            return f"{HEAD_FILE} is missing: the last entries of the log could have been removed unnoticed", ""
        return "", ("" if last is None else f"{CUSTODY_FILE} was written by an older flighttrace without a head record")
    if last is None:
        return (f"{CUSTODY_FILE} is empty or missing but {HEAD_FILE} records {head.seq} entries", "") if head.seq else ("", "")
    if seq is None:
        return f"the last line of {CUSTODY_FILE} is not a complete numbered entry (the log was cut or edited); {HEAD_FILE} records {head.seq} entries", ""
    if head.seq > seq:
        gone = head.seq - seq
        what = "the last entry was" if gone == 1 else f"the last {gone} entries were"
        return f"{CUSTODY_FILE} ends at entry {seq} but {HEAD_FILE} records {head.seq}: {what} removed", ""
    if head.seq == seq:
        if line_hash(last) == head.sha256:
            return "", ""
        return f"entry {seq}, the last of {CUSTODY_FILE}, is not the one {HEAD_FILE} records: it was replaced or edited", ""
    earlier = _line_of_seq(log, head.seq)
    if earlier is not None and line_hash(earlier) == head.sha256:
        which = f"entry {seq} was" if seq == head.seq + 1 else f"entries {head.seq + 1}–{seq} were"
        return "", f"{which} written after {HEAD_FILE} was last updated (a run stopped between the two writes)"
    return f"entry {head.seq} of {CUSTODY_FILE} is not the one {HEAD_FILE} records: the log was changed", ""


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

    def __enter__(self) -> Self:
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
    lines and a crash loses at most the line being written. The head record
    is then replaced (temporary file, ``fsync``, rename). A log that no
    longer matches its head record is never extended: :meth:`append` raises
    :class:`CustodyError`, so a removal stays visible.
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
        CustodyError
            When the log does not match its head record (nothing is written).
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
            self.check()
            last = _last_line(self.path)
            entry["prev"] = line_hash(last) if last is not None else GENESIS
            entry["seq"] = self._next_seq(last)
            line = json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
            fh.write(line + b"\n")
            fh.flush()
            os.fsync(fh.fileno())
            self._write_head(Head(seq=entry["seq"], sha256=line_hash(line)))
        return entry

    def check(self) -> None:
        """Raise :class:`CustodyError` when the log does not match its head record."""
        problem, _ = head_state(self.root)
        if problem:
            raise CustodyError(
                f"the custody log in {self.root} cannot be extended: {problem}. "
                f"Run 'flighttrace fetch verify {self.root}' and fetch into a new folder"
            )

    def _next_seq(self, last: bytes | None) -> int:
        if last is None:
            return 1
        seq = entry_seq(last)
        if seq is not None:
            return seq + 1
        with open(self.path, "rb") as fh:  # a log from before entries were numbered: count its lines
            return 1 + sum(1 for raw in fh if raw.strip())

    def _write_head(self, head: Head) -> None:
        data = json.dumps({"seq": head.seq, "sha256": head.sha256, "log": CUSTODY_FILE, "updated_at": utc_now_iso()}).encode()
        fd, tmp = tempfile.mkstemp(prefix=".head-", suffix=".tmp", dir=self.root)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data + b"\n")
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.root / HEAD_FILE)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        with contextlib.suppress(OSError):
            dfd = os.open(self.root, os.O_RDONLY)
            try:
                os.fsync(dfd)
            finally:
                os.close(dfd)

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
    if not Path(path).is_file():
        return
    with open(path, "rb") as fh:
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
    return nearest_marked(folder, CUSTODY_FILE, _root_of_dir)


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
        p = resolved_file(path)
        root = _find_root(p)
        if root is None:
            return None
        rel = p.relative_to(root).as_posix()
        return _root_index(root).by_file.get((rel, sha256))
    except (OSError, ValueError):
        return None
