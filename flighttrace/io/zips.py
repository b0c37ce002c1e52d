"""ZIP archives (and KMZ files) read member by member, as tars are.

Recordings travel zipped: a colleague's folder of traces, a download of
several exports, a Google Earth KMZ holding one KML. A ZIP given as a file
(or found in a folder) is opened and each member becomes a source of its
own, labelled ``archive.zip!member`` in ``src_file`` and the manifest, read
and hashed like a file: detection, limits, quarantine and provenance are the
same as for the file unpacked.

A ZIP keeps its table of contents (the central directory) at its end, so the
archive must be a file on disk, not a stream; a ZIP inside another archive
is not opened (its member row says so). What is refused, and why:

- a central directory larger than :data:`CENTRAL_MAX_BYTES` (Python's
  :mod:`zipfile` reads it whole and keeps an object per member);
- members whose stored data overlap (the construction of the
  "overlapping" zip bombs, where every member inflates the same bytes);
- an encrypted member, or one compressed with a method :mod:`zipfile` does
  not know (the member's row says so; the others are read).

Each member is inflated at most to the size its directory entry declares
(:mod:`zipfile` stops there and checks the CRC), so a member's memory is
bounded by :attr:`~flighttrace.io.bounds.SizeLimits.member_bytes`: a larger
member is parsed as it inflates, in the process that opened the archive.
"""

from __future__ import annotations

import io
import lzma
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Final, cast

from flighttrace.hashing import first_bytes, open_regular
from flighttrace.io.walk import safe_label

__all__ = ["CENTRAL_MAX_BYTES", "OFFICE_SUFFIXES", "ZIP_SUFFIXES", "Member", "central_directory_size", "is_zip", "zip_members"]

ZIP_SUFFIXES: Final = frozenset({".zip", ".kmz"})
"""Names opened as ZIP archives whatever their first bytes say (a damaged one is then reported as such)."""
OFFICE_SUFFIXES: Final = frozenset({".xlsx", ".xlsm", ".docx", ".pptx", ".ods", ".odt", ".odp", ".epub", ".jar", ".apk"})
"""ZIP containers that are documents, not folders of recordings: read as one file (and refused with what to do)."""
CENTRAL_MAX_BYTES: Final = 64 << 20
"""Largest central directory opened, B (about 800,000 members of short names)."""
_MAGIC: Final = (b"PK\x03\x04", b"PK\x05\x06")
"""First bytes of a ZIP archive: a member's local header, or the end record of an empty archive."""
_END: Final = b"PK\x05\x06"
_END64_LOCATOR: Final = b"PK\x06\x07"
_END64: Final = b"PK\x06\x06"
_END_SIZE: Final = 22
_END_SEARCH: Final = _END_SIZE + 0xFFFF
"""The end record lies in the last 22 bytes plus at most a 65,535-byte comment."""
_LOCAL_HEADER: Final = 30
"""Bytes of a local file header before its name and extra field."""
_ERRORS: Final = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, lzma.LZMAError, EOFError, OSError, ValueError, struct.error,
                  NotImplementedError, RuntimeError)
"""What :mod:`zipfile` raises on a damaged archive or member (RuntimeError: a password is needed, or a bzip2 stream is damaged)."""


class _Damaged(zipfile.BadZipFile):
    """A member's bytes could not be inflated or checked; raised by :class:`_Stream` in place of what the decompressor raised."""


class _Stream(io.RawIOBase):
    """A large member's stream, plain and not seekable: whatever its decompressor raises (zlib, bzip2, LZMA, a bad CRC)
    comes out as one :class:`_Damaged`."""

    def __init__(self, fh: BinaryIO) -> None:
        super().__init__()
        self._fh = fh

    def readable(self) -> bool:
        return True

    def readinto(self, b: object) -> int:
        try:
            return self._fh.readinto(b) or 0  # type: ignore[attr-defined]
        except _Damaged:
            raise
        except _ERRORS as exc:
            raise _Damaged(f"{type(exc).__name__}: {exc}") from exc

    def close(self) -> None:
        try:
            self._fh.close()
        finally:
            super().close()


@dataclass
class Member:
    """One member of a ZIP as :func:`zip_members` gives it: its label and size, and its bytes, its stream, or why it is not read.

    ``inner`` is its name inside the archive ("" for a row about the whole archive).
    """

    name: str
    size: int
    inner: str = ""
    data: bytes | None = None
    stream: BinaryIO | None = None
    error: str | None = None


def is_zip(path: Path) -> bool:
    """Whether ``path`` is opened as a ZIP archive: named ``.zip`` / ``.kmz``, or starting as one without an office document's name
    (the caller leaves out names of data files, whose first bytes are not read here)."""
    suffix = path.suffix.lower()
    if suffix in ZIP_SUFFIXES:
        return True
    if suffix in OFFICE_SUFFIXES:
        return False
    return first_bytes(path, 4) in _MAGIC


def central_directory_size(fh: BinaryIO, size: int) -> int:
    """Bytes of the central directory that the archive's end record (ZIP64's when present) declares.

    Raises
    ------
    zipfile.BadZipFile
        When no end record is found in the last 65,557 bytes.
    """
    tail_at = max(0, size - _END_SEARCH)
    fh.seek(tail_at)
    tail = fh.read(size - tail_at)
    k = tail.rfind(_END)
    if k < 0 or len(tail) - k < _END_SIZE:
        raise zipfile.BadZipFile("no end-of-archive record (not a ZIP archive, or cut short)")
    cd_size = struct.unpack_from("<L", tail, k + 12)[0]
    loc = k - 20
    if loc >= 0 and tail[loc : loc + 4] == _END64_LOCATOR:
        end64_at = struct.unpack_from("<Q", tail, loc + 8)[0]
        if 0 <= end64_at <= size - 56:
            fh.seek(end64_at)
            rec = fh.read(56)
            if rec[:4] == _END64:
                cd_size = max(cd_size, struct.unpack_from("<Q", rec, 40)[0])
    return int(cd_size)


def _overlap(infos: list[zipfile.ZipInfo]) -> tuple[str, str] | None:
    """Two members whose stored data overlap, by name, or ``None``.

    A member's data runs from its local header through its compressed bytes;
    the next member in the file must start after that (the header's own
    name and extra field only push it further, so they are left out).
    """
    order = sorted(infos, key=lambda i: i.header_offset)
    for a, b in zip(order, order[1:], strict=False):
        if b.header_offset < a.header_offset + _LOCAL_HEADER + a.compress_size:
            return a.filename, b.filename
    return None


def _refused(label: str, size: int, why: str) -> Member:
    return Member(name=label, size=size, error=f"ZIP archive {why}: not read")


def zip_members(path: Path, label: str, wanted: Callable[[str], bool], member_bytes: int, stored: int) -> Iterator[Member]:
    """The members of the ZIP at ``path``, in the order of its directory; damage is reported as members with an error.

    Parameters
    ----------
    path, label, stored
        The archive, its label and its size (B).
    wanted
        Whether a member name is read (the ``icao24`` selection by name).
    member_bytes
        Members up to this size (B, as declared) are inflated into memory;
        larger ones are parsed as they inflate (a stream, read before the next member is asked for: a
        :attr:`~flighttrace.io.sources.Source.live` source).
    """
    try:
        fh, _ = open_regular(path)
    except OSError as exc:
        yield Member(name=label, size=stored, error=f"cannot read the file ({exc.strerror or exc})")
        return
    with fh:
        try:
            cd = central_directory_size(fh, stored)
            if cd > CENTRAL_MAX_BYTES:
                yield _refused(label, stored, f"with a table of contents of {cd:,} bytes (more than {CENTRAL_MAX_BYTES >> 20} MB)")
                return
            fh.seek(0)
            archive = zipfile.ZipFile(cast(BinaryIO, fh))
        except _ERRORS as exc:
            yield _refused(label, stored, f"is damaged or cut short ({exc})")
            return
        with archive:
            infos = [i for i in archive.infolist() if not i.is_dir()]
            clash = _overlap(infos)
            if clash is not None:
                yield _refused(label, stored, f"whose members {safe_label(clash[0])!r} and {safe_label(clash[1])!r} share stored bytes "
                                              "(how a zip bomb is built)")
                return
            yield from _members(archive, infos, label, wanted, member_bytes)


def _members(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], label: str, wanted: Callable[[str], bool],
             member_bytes: int) -> Iterator[Member]:
    """Each member wanted: in memory up to ``member_bytes``, else streamed; with an error when it cannot be read."""
    seen: set[str] = set()
    for index, info in enumerate(infos, start=1):
        mname = info.filename.removeprefix("./")
        name = safe_label(f"{label}!{mname}")
        if mname in seen:
            name += f" #{index}"  # the same name again: the member's position tells them apart
        seen.add(mname)
        if not wanted(mname):
            continue
        if info.flag_bits & 0x1:
            yield Member(name=name, size=info.file_size, inner=mname, error="ZIP member is encrypted: not read (a password is needed)")
            continue
        try:
            fh = archive.open(info)
        except _ERRORS as exc:
            yield Member(name=name, size=info.file_size, inner=mname, error=f"ZIP member cannot be opened ({exc})")
            continue
        if info.file_size > member_bytes:
            yield Member(name=name, size=info.file_size, inner=mname, stream=cast(BinaryIO, _Stream(cast(BinaryIO, fh))))
            continue
        try:
            with fh:
                data = fh.read()
        except _ERRORS as exc:
            yield Member(name=name, size=info.file_size, inner=mname, error=f"ZIP member is damaged ({exc})")
            continue
        yield Member(name=name, size=len(data), inner=mname, data=data)
