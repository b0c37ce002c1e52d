"""Expand what the caller gave into input files.

A path may be a file, a folder (read recursively), a glob, an adsb.lol /
ADS-B Exchange day layout (``traces/<xx>/trace_full_<hex>.json``), or a tar
of one, including a release split into ``NAME.tar.aa``, ``NAME.tar.ab`` …
parts. Tar archives are read as a stream, member by member, so a day archive
of several GB is never unpacked to disk or held in memory.
"""

from __future__ import annotations

import glob as _glob
import hashlib
import io
import os
import re
import tarfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Final

__all__ = ["Source", "iter_sources", "batches", "hex_from_name", "NOT_DATA", "file_sha256", "ChainedReader"]

_TRACE_NAME: Final = re.compile(r"trace_(?:full|recent)_(~?[0-9a-fA-F]{6})\.json(?:\.gz)?$")
NOT_DATA: Final = re.compile(
    r"(^|/)(README[^/]*|LICEN[CS]E[^/]*|index\.html|\.[^/]*|custody\.jsonl|custody\.head|synthetic\.json|[^/]*\.flights\.json|[^/]*\.rejected)$|(^|/)heatmap/",
    re.IGNORECASE,
)
"""Names that are never position data: licences, readme, heatmaps, dotfiles,
flighttrace's custody log and its head record, fetched bodies that failed
their checks (``*.rejected``, in a fetch archive's quarantine), and OpenSky
flight lists (``*.flights.json``)."""
_SPLIT_PART: Final = re.compile(r"\.tar\.(?!gz$|xz$|bz$|lz$)([a-z]{2})$")
"""``NAME.tar.aa``, ``NAME.tar.ab`` … as ``split`` names the parts (a compressed ``NAME.tar.gz`` is not a part)."""
_DATA_SUFFIXES: Final = frozenset({".json", ".gz", ".csv", ".parquet", ".kml", ".txt", ".log", ".sbs", ".bst", ".jsonl"})


def hex_from_name(name: str) -> str | None:
    """Return the lowercase hex a trace file's name carries, or ``None``.

    Parameters
    ----------
    name
        A file name or path such as ``traces/64/trace_full_600864.json``.

    Examples
    --------
    >>> hex_from_name("traces/64/trace_full_600864.json")
    '600864'
    >>> hex_from_name("aircraft.json") is None
    True
    """
    m = _TRACE_NAME.search(name)
    return m.group(1).lower() if m else None


def file_sha256(path: str | os.PathLike[str], block: int = 1 << 20) -> str:
    """SHA-256 of a file's bytes as stored, read in blocks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(block):
            h.update(chunk)
    return h.hexdigest()


@dataclass
class Source:
    """One input file, on disk or inside a tar (picklable, so it can go to a worker process).

    Parameters
    ----------
    name
        The label used in ``src_file`` and the manifest.
    size
        Size in bytes as stored.
    path
        The file on disk, or ``None`` for a tar member.
    data
        The member's bytes, for a tar member (read while the tar streams).
    skipped
        Why the file is listed but not read (licence text …), or ``None``.
    """

    name: str
    size: int
    path: Path | None = None
    data: bytes | None = None
    skipped: str | None = None

    def open(self) -> BinaryIO:
        """The stored bytes (compressed, as on disk)."""
        if self.data is not None:
            return io.BytesIO(self.data)
        assert self.path is not None
        return open(self.path, "rb")

    def sha256(self) -> str:
        """SHA-256 of the stored bytes."""
        if self.data is not None:
            return hashlib.sha256(self.data).hexdigest()
        assert self.path is not None
        return file_sha256(self.path)


class ChainedReader(io.RawIOBase):
    """Read several files one after the other as one stream (split tar parts)."""

    def __init__(self, paths: list[Path]) -> None:
        self._paths = list(paths)
        self._fh: BinaryIO | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, b: bytearray | memoryview) -> int:  # type: ignore[override]
        while True:
            if self._fh is None:
                if not self._paths:
                    return 0
                self._fh = open(self._paths.pop(0), "rb")
            n = self._fh.readinto(b)  # type: ignore[attr-defined]
            if n:
                return n
            self._fh.close()
            self._fh = None

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
        super().close()


def _is_tar(path: Path) -> bool:
    if _SPLIT_PART.search(path.name):
        return True
    if path.suffix == ".tar" or path.name.endswith((".tar.gz", ".tgz")):
        return True
    if path.suffix.lower() in _DATA_SUFFIXES:
        return False
    try:
        with open(path, "rb") as fh:
            head = fh.read(512)
    except OSError:
        return False
    return len(head) >= 262 and head[257:262] == b"ustar"


def _skip_reason(name: str) -> str | None:
    if not NOT_DATA.search(name):
        return None
    if name.endswith("custody.jsonl"):
        return "custody log of fetched files (not position data)"
    if name.endswith("custody.head"):
        return "head record of the custody log (not position data)"
    if name.endswith(".rejected"):
        return "a fetched body that failed its checks (quarantined, not evidence)"
    if name.endswith("synthetic.json"):
        return "list of simulated files (says the data beside it is synthetic)"
    if name.endswith(".flights.json"):
        return "OpenSky flight list (no positions)"
    return "not flight data (licence, readme, heatmap or hidden file)"


def _disk_source(path: Path, label: str) -> Source:
    skipped = _skip_reason(label.replace(os.sep, "/"))
    return Source(name=label, size=path.stat().st_size, path=path, skipped=skipped)


def _tar_members(parts: list[Path], label: str, wanted: Callable[[str], bool]) -> Iterator[Source]:
    """Stream the members of a tar (given as one or more parts)."""
    raw = io.BufferedReader(ChainedReader(parts), buffer_size=1 << 20)
    with tarfile.open(fileobj=raw, mode="r|*") as tar:
        for member in tar:
            if not member.isfile():
                continue
            mname = member.name[2:] if member.name.startswith("./") else member.name
            if not wanted(mname):
                continue
            fh = tar.extractfile(member)
            data = fh.read() if fh is not None else b""
            skipped = _skip_reason(mname)
            tar.members = []  # streaming: forget headers already read, or memory grows with every member
            yield Source(name=f"{label}!{mname}", size=len(data), data=data, skipped=skipped)


def _label(path: Path) -> str:
    return path.as_posix()


def _expand_one(arg: str | os.PathLike[str]) -> list[Path]:
    p = Path(arg)
    if p.exists():
        if p.is_dir():
            return sorted(q for q in p.rglob("*") if q.is_file())
        return [p]
    s = str(arg)
    if any(ch in s for ch in "*?["):
        return sorted(Path(q) for q in _glob.glob(s, recursive=True) if Path(q).is_file())
    raise FileNotFoundError(f"no such file, folder or glob match: {s}")


def iter_sources(
    paths: Iterable[str | os.PathLike[str]],
    *,
    icao24: frozenset[str] | None = None,
    on_skip_by_name: Callable[[str], None] | None = None,
    on_missing: Callable[[str, str], None] | None = None,
) -> Iterator[Source]:
    """Yield the input files behind ``paths``, sorted, tar members streamed.

    Parameters
    ----------
    paths
        Files, folders, globs, tars or split-tar parts.
    icao24
        When given, files whose names carry another hex (``trace_full_<hex>``)
        are skipped before they are opened.
    on_skip_by_name
        Called with the name of each file skipped for its hex.
    on_missing
        Called with ``(path, message)`` for a path that matches nothing;
        without it, :class:`FileNotFoundError` is raised.

    Yields
    ------
    Source
        In a deterministic order: paths sorted, folders walked in sorted
        order, tar members in archive order.
    """
    files: list[Path] = []
    for arg in paths:
        try:
            files.extend(_expand_one(arg))
        except FileNotFoundError as exc:
            if on_missing is None:
                raise
            on_missing(str(arg), str(exc))
    seen: set[Path] = set()
    ordered = sorted(dict.fromkeys(files), key=lambda q: q.as_posix())

    def wanted(name: str) -> bool:
        if icao24 is None:
            return True
        h = hex_from_name(name)
        if h is None or h in icao24:
            return True
        if on_skip_by_name is not None:
            on_skip_by_name(name)
        return False

    for path in ordered:
        if path in seen:
            continue
        label = _label(path)
        m = _SPLIT_PART.search(path.name)
        if m:
            stem = path.name[: m.start()] + ".tar."
            parts = sorted(q for q in path.parent.iterdir() if q.name.startswith(stem) and _SPLIT_PART.search(q.name))
            seen.update(parts)
            yield from _tar_members(parts, _label(path.parent / (stem + "*")), wanted)
            continue
        seen.add(path)
        if _is_tar(path):
            yield from _tar_members([path], label, wanted)
            continue
        if not wanted(label):
            continue
        yield _disk_source(path, label)


def batches(sources: Iterable[Source], max_bytes: int, max_files: int) -> Iterator[list[Source]]:
    """Group sources, in input order, into runs of about ``max_bytes`` stored bytes or ``max_files`` files.

    Worker processes (``read(n_jobs=…)``, :mod:`flighttrace.scale`) take a
    batch per task: a day archive is many small files, and a round trip per
    file would cost as much as parsing it.
    """
    batch: list[Source] = []
    size = 0
    for src in sources:
        batch.append(src)
        size += src.size
        if size >= max_bytes or len(batch) >= max_files:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch
