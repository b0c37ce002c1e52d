"""SHA-256 of files, in one place: whole files, and the bytes a parser actually reads.

Two ways to hash:

:func:`sha256_file`
    The digest of a regular file's bytes, read in blocks (never a FIFO or a
    device: those are refused, since reading them may never end).
:class:`HashingReader`
    A raw byte stream that hashes what passes through it. The reader of a
    file parses the very bytes that are hashed, in one pass, so the digest
    in the manifest is the digest of what was parsed. :meth:`HashingReader.finish`
    reads (and hashes) whatever the parser left unread, up to the size the
    file had when it was opened, so the digest always covers the whole file
    as it was then. Bytes the parser reads twice (after a seek back) are
    hashed once; bytes it skips (a seek forward, as a Parquet reader does to
    find its footer) are hashed first, in order.

:class:`FileSnapshot` records a file's size and modification time when it
was opened; comparing it with the file after the read tells whether the
file changed while it was read.
"""

from __future__ import annotations

import hashlib
import io
import os
import queue
import stat
import threading
from dataclasses import dataclass
from typing import Any, BinaryIO, Final

__all__ = [
    "HASH_BLOCK_BYTES",
    "FileSnapshot",
    "HashingReader",
    "NotRegularFile",
    "file_kind",
    "first_bytes",
    "open_regular",
    "sha256_bytes",
    "sha256_file",
]

HASH_BLOCK_BYTES: Final = 1 << 20
"""Bytes read at a time when hashing a file, B."""

_QUEUE_CHUNKS: Final = 16
"""Chunks waiting for the hashing thread at most (bounded memory: this many reads)."""


_FILE_KINDS: Final = (
    (stat.S_ISREG, "regular file"), (stat.S_ISDIR, "folder"), (stat.S_ISFIFO, "FIFO"), (stat.S_ISCHR, "character device"),
    (stat.S_ISBLK, "block device"), (stat.S_ISSOCK, "socket"), (stat.S_ISLNK, "symbolic link"),
)
"""How each type of file is named, in the order the ``stat`` tests are tried."""


class NotRegularFile(OSError):
    """The path is a FIFO, a device, a socket or a folder: its bytes are not read."""


def file_kind(mode: int) -> str:
    """A short name for the type of file ``mode`` (from ``os.stat``) describes.

    Examples
    --------
    >>> import stat
    >>> file_kind(stat.S_IFIFO)
    'FIFO'
    """
    return next((name for test, name in _FILE_KINDS if test(mode)), "special file")


def open_regular(path: str | os.PathLike[str]) -> tuple[io.FileIO, os.stat_result]:
    """Open a regular file for reading without ever blocking on a FIFO or a device.

    The file is opened non-blocking and checked with ``fstat`` on the open
    descriptor (so a file swapped for a FIFO after a first check is still
    caught).

    Returns
    -------
    file : io.FileIO
        The open file (unbuffered).
    st : os.stat_result
        Its status when opened.

    Raises
    ------
    NotRegularFile
        When the path is not a regular file.
    OSError
        When it cannot be opened.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotRegularFile(f"not a regular file (a {file_kind(st.st_mode)})")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return io.FileIO(fd, "rb", closefd=True), st
    except BaseException:
        os.close(fd)
        raise


def first_bytes(path: str | os.PathLike[str], n: int) -> bytes:
    """The first ``n`` bytes of a regular file (fewer when it is shorter), or ``b""`` when it cannot be read or is not a regular file."""
    try:
        fh, _ = open_regular(path)
        with fh:
            return fh.read(n)
    except OSError:
        return b""


def sha256_bytes(data: bytes | memoryview) -> str:
    """SHA-256 of bytes in memory, as lowercase hex."""
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: str | os.PathLike[str], block: int = HASH_BLOCK_BYTES) -> str:
    """SHA-256 of a regular file's bytes as stored, read in blocks.

    Parameters
    ----------
    path
        The file.
    block
        Bytes read at a time.

    Raises
    ------
    NotRegularFile
        For a FIFO, a device or a socket (reading one may never end).
    """
    fh, _ = open_regular(path)
    h = hashlib.sha256()
    with fh:
        while chunk := fh.read(block):
            h.update(chunk)
    return h.hexdigest()


@dataclass(frozen=True)
class FileSnapshot:
    """A file's identity, size and modification time (ns) at one moment."""

    dev: int
    ino: int
    size: int
    mtime_ns: int

    @classmethod
    def of(cls, st: os.stat_result) -> FileSnapshot:
        """The snapshot of a ``stat`` result."""
        return cls(dev=st.st_dev, ino=st.st_ino, size=st.st_size, mtime_ns=st.st_mtime_ns)

    def change(self, later: FileSnapshot | None, bytes_read: int) -> str | None:
        """How the file differs from this snapshot after ``bytes_read`` bytes were read, or ``None``.

        Parameters
        ----------
        later
            The file's snapshot after the read (``None``: it is gone).
        bytes_read
            Bytes read and hashed from the open file.
        """
        if later is None:
            return "it was deleted or renamed while it was read"
        parts = []
        if (later.dev, later.ino) != (self.dev, self.ino):
            parts.append("another file took its name")
        if later.size != self.size:
            parts.append(f"its size went from {self.size:,} to {later.size:,} bytes")
        if later.mtime_ns != self.mtime_ns:
            parts.append("its modification time changed")
        if bytes_read != self.size and not parts:
            parts.append(f"{bytes_read:,} of its {self.size:,} bytes could be read")
        return "; ".join(parts) or None


class _Digest:
    """SHA-256 fed inline, or by a thread (``hashlib`` releases the GIL on large updates)."""

    def __init__(self, threaded: bool) -> None:
        self._h = hashlib.sha256()
        self._q: queue.Queue[bytes | None] | None = None
        self._thread: threading.Thread | None = None
        if threaded:
            self._q = queue.Queue(maxsize=_QUEUE_CHUNKS)
            self._thread = threading.Thread(target=self._work, name="flighttrace-sha256", daemon=True)
            self._thread.start()

    def _work(self) -> None:
        assert self._q is not None
        while (chunk := self._q.get()) is not None:
            self._h.update(chunk)

    def update(self, data: bytes | memoryview) -> None:
        if self._q is None:
            self._h.update(data)
        else:
            self._q.put(bytes(data))

    def hexdigest(self) -> str:
        if self._q is not None and self._thread is not None:
            self._q.put(None)
            self._thread.join()
            self._q = None
        return self._h.hexdigest()


class HashingReader(io.RawIOBase):
    """A raw stream that hashes, in order and once, every byte read through it.

    Parameters
    ----------
    raw
        The stored bytes (a file, a tar member, a ``BytesIO``).
    size_cap
        Never read past this many bytes (the size of the file when it was
        opened): a file that grows while it is read is read as it was, and
        a file that grows for ever does not keep the reader busy for ever.
    threaded
        Hash in a background thread (worth it for large files: the hash then
        costs no wall time on a machine with two cores).
    block
        Bytes read at a time when catching up or finishing.
    """

    def __init__(self, raw: BinaryIO, *, size_cap: int | None = None, threaded: bool = False, block: int = HASH_BLOCK_BYTES) -> None:
        super().__init__()
        self._raw: Any = raw
        self._cap = size_cap
        self._block = block
        self._digest = _Digest(threaded)
        self._pos = 0  # position of the next read in ``raw``
        self._done = 0  # bytes hashed so far: [0, done) of the stream
        try:
            self._seekable = bool(raw.seekable())
        except (AttributeError, OSError, ValueError):
            self._seekable = False
        if self._seekable:
            self._pos = self._done = int(raw.tell())
        self._digest_hex: str | None = None

    # -- io.RawIOBase

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return self._seekable

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if not self._seekable:
            raise io.UnsupportedOperation("seek")
        if whence == io.SEEK_END and self._cap is not None:
            offset, whence = self._cap + offset, io.SEEK_SET
        self._pos = int(self._raw.seek(offset, whence))
        return self._pos

    def _room(self, want: int) -> int:
        """How many of ``want`` bytes may be read from the current position."""
        if self._cap is None:
            return want
        return max(0, min(want, self._cap - self._pos))

    def readinto(self, b: Any) -> int:
        if self._pos > self._done:
            self._catch_up()
        view = memoryview(b).cast("B")
        k = self._room(len(view))
        if k == 0:
            return 0
        n = self._raw.readinto(view[:k]) or 0
        if n:
            end = self._pos + n
            if end > self._done:
                self._digest.update(view[self._done - self._pos : n])
                self._done = end
            self._pos = end
        return n

    def readall(self) -> bytes:
        parts = []
        while True:
            k = self._room(max(self._block, 1))
            if k == 0:
                break
            buf = bytearray(k)
            n = self.readinto(buf)
            if not n:
                break
            parts.append(bytes(buf[:n]) if n < k else bytes(buf))
        return b"".join(parts)

    def close(self) -> None:
        """Close this stream, not the file under it: a wrapper closing it must not stop :meth:`finish`."""
        super().close()

    def release(self) -> None:
        """Close the stream and the file under it."""
        try:
            self._raw.close()
        finally:
            super().close()

    # -- hashing

    def _catch_up(self) -> None:
        """Hash the bytes between what was hashed and a forward seek, in order."""
        target = self._pos
        self._raw.seek(self._done)
        while self._done < target:
            data = self._raw.read(min(self._block, target - self._done))
            if not data:
                break
            self._digest.update(data)
            self._done += len(data)
        self._raw.seek(target)

    def hash_so_far(self) -> tuple[str, int]:
        """End hashing where it stands (the rest cannot be read); return ``(sha256, n_bytes)``."""
        if self._digest_hex is None:
            self._digest_hex = self._digest.hexdigest()
        return self._digest_hex, self._done

    def finish(self) -> tuple[str, int]:
        """Read and hash what the parser left, up to the cap or the end.

        Returns
        -------
        sha256 : str
            Lowercase hex digest of every byte from the start of the stream.
        n_bytes : int
            How many bytes that is.
        """
        if self._digest_hex is not None:
            return self._digest_hex, self._done
        if self._seekable and self._pos != self._done:
            self._raw.seek(self._done)
            self._pos = self._done
        while True:
            k = self._room(self._block)
            if k == 0:
                break
            data = self._raw.read(k)
            if not data:
                break
            self._digest.update(data)
            self._done += len(data)
            self._pos = self._done
        self._digest_hex = self._digest.hexdigest()
        return self._digest_hex, self._done
