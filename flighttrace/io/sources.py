"""Expand what the caller gave into input files.

A path may be a file, a folder (read recursively), a glob, an adsb.lol /
ADS-B Exchange day layout (``traces/<xx>/trace_full_<hex>.json``), or a tar
of one, including a release split into ``NAME.tar.aa``, ``NAME.tar.ab`` …
parts. Tar archives are read as a stream, member by member, so a day archive
of several GB is never unpacked to disk or held in memory: a member up to
``member_bytes`` is read into memory (so it can go to a worker process), a
larger one is handed over as a stream that is parsed before the archive
moves on.

Nothing is dropped without a word: what :mod:`flighttrace.io.walk` finds
that cannot be read (FIFOs, devices, broken links, folders that cannot be
listed), tar members that are links, FIFOs or devices, a damaged or
truncated archive, a missing part of a split archive, a file named ``.tar``
that is not one: each is a :class:`Source` with an ``error`` or a
``skipped`` reason, and so a row in the manifest. Two members of one archive
with the same name are told apart by their position in the archive
(``NAME.tar!member #7``).
"""

from __future__ import annotations

import io
import lzma
import os
import re
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Final, cast

from flighttrace.hashing import (
    FileSnapshot,
    HashingReader,
    first_bytes,
    open_regular,
    sha256_bytes,
    sha256_file,
)
from flighttrace.io.bounds import SizeLimits
from flighttrace.io.walk import LINK_TO_FOLDER, Found, expand, label_of, safe_label
from flighttrace.io.zips import is_zip, zip_members

__all__ = [
    "MEMBER_IN_MEMORY_BYTES",
    "NOT_DATA",
    "ChainedReader",
    "Opened",
    "Source",
    "batches",
    "file_sha256",
    "hex_from_name",
    "hex_selection",
    "iter_sources",
]

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


def hex_selection(icao24: str | Iterable[str] | None) -> frozenset[str] | None:
    """The aircraft a caller asked for, as lowercase hexes (``None``: every aircraft).

    Parameters
    ----------
    icao24
        One hex, several in one string separated by commas, or an iterable of such.

    Examples
    --------
    >>> sorted(hex_selection(["600864, 4B1805", "a0B1c2"]))
    ['4b1805', '600864', 'a0b1c2']
    """
    if icao24 is None:
        return None
    items = [icao24] if isinstance(icao24, str) else list(icao24)
    return frozenset(h.strip().lower() for s in items for h in str(s).split(",") if h.strip())


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


file_sha256 = sha256_file
"""SHA-256 of a regular file (see :func:`flighttrace.hashing.sha256_file`)."""

MEMBER_IN_MEMORY_BYTES: int = SizeLimits().member_bytes
"""Tar members up to this size (B) are read into memory while the tar streams (so a worker process can
parse them); a larger member is parsed from the tar stream itself, in the process that reads the tar."""

TAR_READ_BYTES: Final = 1 << 20
"""Bytes of decompressed tar read at a time, B."""

_LINK_KINDS: Final = (
    (tarfile.TarInfo.issym, "symbolic link"),
    (tarfile.TarInfo.islnk, "hard link"),
    (tarfile.TarInfo.isfifo, "FIFO"),
    (tarfile.TarInfo.ischr, "character device"),
    (tarfile.TarInfo.isblk, "block device"),
)


@dataclass
class Source:
    """One input file, on disk or inside a tar (picklable unless ``stream`` is set).

    Parameters
    ----------
    name
        The label used in ``src_file`` and the manifest.
    size
        Size in bytes as stored.
    path
        The file on disk, or ``None`` for a tar member.
    data
        The member's bytes, for a tar member read into memory.
    skipped
        Why the file is listed but not read (licence text …), or ``None``.
    error
        Why the file cannot be read at all (not a regular file, a damaged
        archive …), found before reading; or ``None``.
    notes
        Said about the file in the manifest.
    stream
        A large tar member: readable once, and only until the archive moves
        on to its next member (see :func:`batches`).
    """

    name: str
    size: int
    path: Path | None = None
    data: bytes | None = None
    skipped: str | None = None
    error: str | None = None
    notes: tuple[str, ...] = ()
    stream: BinaryIO | None = field(default=None, repr=False, compare=False)

    @property
    def live(self) -> bool:
        """Whether this is a tar member read straight from the archive's stream."""
        return self.stream is not None

    @property
    def has_content(self) -> bool:
        """Whether there are bytes to read (a link member of a tar has none)."""
        return self.path is not None or self.data is not None or self.stream is not None

    def open(self) -> BinaryIO:
        """The stored bytes (compressed, as on disk), never blocking on a FIFO."""
        if self.data is not None:
            return io.BytesIO(self.data)
        if self.stream is not None:
            stream, self.stream = self.stream, None
            return stream
        if self.path is None:
            raise OSError(f"{self.name}: no content to read")
        fh, _ = open_regular(self.path)
        return fh

    def open_tracked(self, *, threaded: bool = False) -> Opened:
        """Open the stored bytes behind a :class:`~flighttrace.hashing.HashingReader`.

        Parameters
        ----------
        threaded
            Hash in a background thread (large files).
        """
        raw = self.open()
        snap: FileSnapshot | None = None
        if self.path is not None:
            try:
                snap = FileSnapshot.of(os.fstat(raw.fileno()))
            except (AttributeError, OSError, io.UnsupportedOperation):
                snap = FileSnapshot.of(os.stat(self.path))
        cap = snap.size if snap is not None else None
        return Opened(HashingReader(raw, size_cap=cap, threaded=threaded and self.data is None), snap, self.path)

    def sha256(self) -> str:
        """SHA-256 of the stored bytes (a fresh read; :meth:`open_tracked` hashes what is parsed)."""
        if self.data is not None:
            return sha256_bytes(self.data)
        if self.path is None:
            raise OSError(f"{self.name}: no content to hash")
        return file_sha256(self.path)


@dataclass
class Opened:
    """An opened source: the hashing stream, and the file's state when it was opened."""

    reader: HashingReader
    snapshot: FileSnapshot | None
    path: Path | None
    drain_error: BaseException | None = None

    def finish(self) -> tuple[str, str | None]:
        """Hash what was left unread; return ``(sha256, how the file changed while read or None)``."""
        try:
            sha, n = self.reader.finish()
        except (OSError, EOFError, zlib.error, lzma.LZMAError, tarfile.TarError, zipfile.BadZipFile) as exc:
            # the rest cannot be read (a truncated archive): the digest covers the bytes that could be
            self.drain_error = exc
            sha, n = self.reader.hash_so_far()
        change = None
        if self.snapshot is not None and self.path is not None:
            try:
                later: FileSnapshot | None = FileSnapshot.of(os.stat(self.path))
            except OSError:
                later = None
            change = self.snapshot.change(later, n)
        return sha, change

    def close(self) -> None:
        self.reader.release()


class ChainedReader(io.RawIOBase):
    """Read several files one after the other as one stream (split tar parts)."""

    def __init__(self, paths: list[Path]) -> None:
        self._paths = list(paths)
        self._fh: Any = None

    def readable(self) -> bool:
        return True

    def readinto(self, b: bytearray | memoryview) -> int:  # type: ignore[override]
        while True:
            if self._fh is None:
                if not self._paths:
                    return 0
                self._fh, _ = open_regular(self._paths.pop(0))
            n = self._fh.readinto(b)
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
    return first_bytes(path, 512)[257:262] == b"ustar"


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


def _disk_source(path: Path, label: str, notes: tuple[str, ...] = ()) -> Source:
    skipped = _skip_reason(label.replace(os.sep, "/"))
    try:
        size = path.stat().st_size
    except OSError as exc:
        return Source(name=label, size=0, error=f"cannot read the file ({exc.strerror or exc})")
    return Source(name=label, size=size, path=path, skipped=skipped, notes=notes)


# ---------------------------------------------------------------------------
# tars


class _WatchedTarInfo(tarfile.TarInfo):
    """A TarInfo that records on its archive why the last header could not be read.

    ``tarfile`` ends the iteration quietly, as if at the end of the archive,
    when a header after the first is empty, short or invalid: a truncated
    archive, or a split archive with a missing part. The reason lets the
    reader tell these from a proper end (a block of zeros).
    """

    @classmethod
    def fromtarfile(cls, tarfile: Any) -> tarfile.TarInfo:  # type: ignore[override]
        try:
            return super().fromtarfile(tarfile)
        except Exception as exc:
            tarfile.ft_header_error = type(exc).__name__
            raise


_END_REASONS: Final = {
    "EmptyHeaderError": "ends without the end-of-archive marker (truncated?)",
    "TruncatedHeaderError": "ends inside a member header (truncated)",
    "InvalidHeaderError": "holds an invalid header (damaged data, or a missing part of a split archive)",
}


def _decompressed(raw: io.BufferedReader) -> Any:
    """The tar inside a gzip, bzip2, xz or zstd stream, decompressed a bounded block at a time.

    ``tarfile``'s own decompression inflates a whole compressed block at
    once: a block of a decompression bomb becomes gigabytes in one piece.
    """
    magic = raw.peek(6)[:6]
    if magic[:2] == b"\x1f\x8b":
        import gzip

        inner: Any = gzip.GzipFile(fileobj=raw, mode="rb")
    elif magic[:3] == b"BZh":
        import bz2

        inner = bz2.BZ2File(raw, mode="rb")
    elif magic == b"\xfd7zXZ\x00":
        inner = lzma.LZMAFile(raw, mode="rb")  # noqa: SIM115 - closed with the archive
    elif magic[:4] == b"\x28\xb5\x2f\xfd":
        try:
            import zstandard
        except ImportError:
            return raw
        inner = zstandard.ZstdDecompressor().stream_reader(raw)
    else:
        return raw
    return io.BufferedReader(_Salvaging(inner), buffer_size=TAR_READ_BYTES)


class _Salvaging(io.RawIOBase):
    """A decompressing stream that hands over what it inflated before a cut, then ends.

    A compressed stream cut short (an interrupted download) raises at its
    end; read through a buffer, that error would throw away the members
    already inflated with it. Here each call returns one decompressor
    chunk (``read1``), and the error is kept in :attr:`error` and turned
    into the end of the stream, so ``tarfile`` sees the archive end inside
    a member or header and says so, and every member before the cut is read.
    """

    def __init__(self, inner: Any) -> None:
        super().__init__()
        self._inner = inner
        self._read = getattr(inner, "read1", inner.read)
        self.error: BaseException | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        if self.error is not None:
            return 0
        try:
            data = self._read(len(b))
        except (EOFError, zlib.error, OSError, ValueError) as exc:
            self.error = exc
            return 0
        b[: len(data)] = data
        return len(data)

    def close(self) -> None:
        try:
            self._inner.close()
        finally:
            super().close()


def _stream_error(raw: Any) -> BaseException | None:
    """The error that cut a decompressed stream short, if any."""
    inner = getattr(raw, "raw", None)
    return inner.error if isinstance(inner, _Salvaging) else None


def _member_kind(member: tarfile.TarInfo) -> str | None:
    for test, kind in _LINK_KINDS:
        if test(member):
            target = f" to {safe_label(member.linkname)!r}" if member.linkname else ""
            return f"{kind}{target}"
    return None


def _archive_error(label: str, size: int, what: str, n_members: int) -> Source:
    after = f"after member {n_members}" if n_members else "before its first member"
    return Source(name=label, size=size, error=f"tar archive {what} {after}; the members after it were not read")


def _tar_members(
    parts: list[Path], label: str, wanted: Callable[[str], bool], member_bytes: int, stored: int
) -> Iterator[Source]:
    """Stream the members of a tar (given as one or more parts); report damage as sources with an error."""
    raw = _decompressed(io.BufferedReader(ChainedReader(parts), buffer_size=TAR_READ_BYTES))
    try:
        tar = tarfile.open(fileobj=raw, mode="r|", tarinfo=_WatchedTarInfo)  # noqa: SIM115 - closed by the with below
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        raw.close()
        if len(parts) == 1 and not _SPLIT_PART.search(parts[0].name):
            note = f"named like a tar archive but is not one ({exc}): read as a single file"
            yield _disk_source(parts[0], label, (note,))
        else:
            yield Source(name=label, size=stored, error=f"not a tar archive ({exc})")
        return
    seen: set[str] = set()
    index = 0
    with tar:
        while True:
            try:
                member = tar.next()
            except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
                cut = _stream_error(raw)
                what = f"is damaged or truncated ({cut or exc})"
                yield _archive_error(label, stored, what, index)
                return
            if member is None:
                cut = _stream_error(raw)
                if cut is not None:
                    yield _archive_error(label, stored, f"is damaged or truncated: its compressed stream is cut short ({cut})", index)
                    return
                why = _END_REASONS.get(getattr(tar, "ft_header_error", ""))
                if why:
                    yield _archive_error(label, stored, why, index)
                return
            index += 1
            tar.members = []  # type: ignore[attr-defined]  # streaming: forget headers already read, or memory grows (typeshed omits TarFile.members)
            if member.isdir():
                continue
            mname = member.name.removeprefix("./")
            name = safe_label(f"{label}!{mname}")
            if mname in seen:
                name += f" #{index}"  # the same name again: the member's position tells them apart
            seen.add(mname)
            kind = _member_kind(member)
            if kind is not None or not member.isfile():
                yield Source(name=name, size=0, skipped=f"tar member is a {kind or 'special entry'}: not read")
                continue
            if not wanted(mname):
                continue
            yield from _member_source(tar, member, name, _skip_reason(mname), member_bytes)


def _member_source(tar: tarfile.TarFile, member: tarfile.TarInfo, name: str, skipped: str | None, member_bytes: int) -> Iterator[Source]:
    fh = tar.extractfile(member)
    if fh is None:
        yield Source(name=name, size=0, skipped="tar member without content: not read")
        return
    if member.size > member_bytes:
        yield Source(name=name, size=member.size, skipped=skipped, stream=cast(BinaryIO, _OneWay(fh)))
        return
    try:
        data = fh.read()
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        yield Source(name=name, size=member.size, error=f"tar member is cut short: the archive ends inside it ({exc})")
        return
    yield Source(name=name, size=len(data), data=data, skipped=skipped)


class _OneWay(io.RawIOBase):
    """A tar member's stream as a plain, not seekable, raw stream."""

    def __init__(self, fh: Any) -> None:
        super().__init__()
        self._fh = fh

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        return self._fh.readinto(b) or 0


def _split_parts(path: Path) -> tuple[str, list[Path], list[Path], str | None]:
    """For a split-tar part: (stem, the parts read in order, the parts after a gap, the missing part or None)."""
    m = _SPLIT_PART.search(path.name)
    assert m is not None
    stem = path.name[: m.start()] + ".tar."
    parts = sorted(q for q in path.parent.iterdir() if q.name.startswith(stem) and _SPLIT_PART.search(q.name))
    for i, q in enumerate(parts):
        suffix = q.name[len(stem):]
        expected = chr(ord("a") + i // 26) + chr(ord("a") + i % 26)
        if suffix != expected:
            return stem, parts[:i], parts[i:], stem + expected
    return stem, parts, [], None


def _split_sources(path: Path, wanted: Callable[[str], bool], member_bytes: int) -> tuple[list[Path], Iterator[Source]]:
    """The parts of a split tar, and its sources (members, and errors for a missing part)."""
    stem, parts, after, missing = _split_parts(path)
    label = label_of(path.parent / (stem + "*"))

    def gen() -> Iterator[Source]:
        damage = ""
        if parts:
            stored = sum(q.stat().st_size for q in parts)
            for src in _tar_members(parts, label, wanted, member_bytes, stored):
                if missing is not None and src.name == label and src.error:
                    damage = f" ({src.error})"  # what the missing part did to the archive: said once, below
                    continue
                yield src
        if missing is not None:
            yield Source(name=label, size=0, error=f"split tar part {safe_label(missing)} is missing: the archive could not be read past it{damage}")
            for q in after:
                yield Source(name=label_of(q), size=q.stat().st_size, error=f"not read: the split tar part {safe_label(missing)} before it is missing")

    return parts + after, gen()


def _expand_one(arg: str | os.PathLike[str]) -> list[Path]:
    """Every entry behind one argument (including those that cannot be read; :func:`iter_sources` reports them)."""
    return [f.path for f in expand(arg)]


def _found_source(f: Found) -> Source:
    label = label_of(f.path)
    if f.error is not None:
        return Source(name=label, size=0, error=f.error)
    return Source(name=label, size=0, skipped=f.skipped or LINK_TO_FOLDER)


def iter_sources(
    paths: Iterable[str | os.PathLike[str]],
    *,
    icao24: frozenset[str] | None = None,
    on_skip_by_name: Callable[[str], None] | None = None,
    on_missing: Callable[[str, str], None] | None = None,
    member_bytes: int | None = None,
) -> Iterator[Source]:
    """Yield the input files behind ``paths``, sorted, tar and ZIP members streamed.

    Parameters
    ----------
    paths
        Files, folders, globs, tars, split-tar parts or ZIP archives (:mod:`flighttrace.io.zips`).
    icao24
        When given, files whose names carry another hex (``trace_full_<hex>``)
        are skipped before they are opened.
    on_skip_by_name
        Called with the name of each file skipped for its hex.
    on_missing
        Called with ``(path, message)`` for a path that matches nothing;
        without it, :class:`FileNotFoundError` is raised.
    member_bytes
        Tar members up to this size are read into memory, larger ones
        streamed (default :data:`MEMBER_IN_MEMORY_BYTES`).

    Yields
    ------
    Source
        In a deterministic order: paths sorted, folders walked in sorted
        order, tar members in archive order. A source that is
        :attr:`Source.live` must be read before the next one is asked for.
    """
    found: list[Found] = []
    for arg in paths:
        try:
            found.extend(expand(arg))
        except FileNotFoundError as exc:
            if on_missing is None:
                raise
            on_missing(safe_label(os.fspath(arg)), str(exc))
    limit = MEMBER_IN_MEMORY_BYTES if member_bytes is None else member_bytes
    seen: set[Path] = set()
    ordered = sorted({f.path: f for f in found}.values(), key=lambda f: f.path.as_posix())

    def wanted(name: str) -> bool:
        if icao24 is None:
            return True
        h = hex_from_name(name)
        if h is None or h in icao24:
            return True
        if on_skip_by_name is not None:
            on_skip_by_name(name)
        return False

    for f in ordered:
        path = f.path
        if path in seen:
            continue
        seen.add(path)
        if f.error is not None or f.skipped is not None:
            yield _found_source(f)
            continue
        label = label_of(path)
        if _SPLIT_PART.search(path.name):
            parts, members = _split_sources(path, wanted, limit)
            seen.update(parts)
            yield from members
            continue
        tar = _is_tar(path)
        if tar or (path.suffix.lower() not in _DATA_SUFFIXES and is_zip(path)):  # a data file's name is not sniffed
            try:
                stored = path.stat().st_size
            except OSError:
                stored = 0
            if tar:
                yield from _tar_members([path], label, wanted, limit, stored)
            else:
                for m in zip_members(path, label, wanted, limit, stored):
                    skipped = None if m.error is not None else _skip_reason(m.inner)
                    yield Source(name=m.name, size=m.size, data=m.data, stream=m.stream, error=m.error, skipped=skipped)
            continue
        if not wanted(label):
            continue
        yield _disk_source(path, label)


def batches(sources: Iterable[Source], max_bytes: int, max_files: int) -> Iterator[list[Source]]:
    """Group sources, in input order, into runs of about ``max_bytes`` stored bytes or ``max_files`` files.

    Worker processes (``read(n_jobs=…)``, :mod:`flighttrace.scale`) take a
    batch per task: a day archive is many small files, and a round trip per
    file would cost as much as parsing it. A :attr:`Source.live` source (a
    large tar member, readable only while the archive stands on it) is a
    batch of its own, yielded at once: the caller must read it in its own
    process before it asks for the next batch.
    """
    batch: list[Source] = []
    size = 0
    for src in sources:
        if src.live:
            if batch:
                yield batch
                batch, size = [], 0
            yield [src]
            continue
        batch.append(src)
        size += src.size
        if size >= max_bytes or len(batch) >= max_files:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch
