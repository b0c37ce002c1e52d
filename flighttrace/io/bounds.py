"""Size limits that keep memory bounded and time linear whatever a file holds.

A reader never holds more than a bounded amount of any one file: a
document parsed whole (JSON, KML) is refused past :attr:`SizeLimits.document_bytes`
of decompressed content, a line of a text format past :attr:`SizeLimits.line_bytes`
is quarantined without being kept, a JSON string or XML text past
:attr:`SizeLimits.string_bytes` costs its record, and a tar member past
:attr:`SizeLimits.member_bytes` is parsed straight from the archive's stream
instead of being read into memory. A file or record past a limit is
quarantined with a reason that names the limit ("exceeds 32 MB"), and the
run goes on. A file's quarantine lists at most :attr:`SizeLimits.quarantine_rows`
rejected records with their text; the others are counted, not held.

The defaults are far above what real files hold (a readsb trace is a few
MB; an SBS line about 100 bytes; a callsign 8 characters) and keep the peak
memory of a read under 1 GB for each decompression bomb measured in
``benchmarks/hostile.py``.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any, Final

__all__ = ["BoundedReader", "LimitExceeded", "QuarantineCap", "SizeLimits", "mb", "read_bounded"]

MB: Final = 1_000_000
"""Bytes per megabyte, as limits are reported."""


def mb(n: int) -> str:
    """``n`` bytes in MB for a message ("32 MB", "0.5 MB")."""
    return f"{n / MB:g} MB"


@dataclass(frozen=True)
class SizeLimits:
    """Size limits applied to every file (bytes).

    Parameters
    ----------
    document_bytes
        Largest decompressed document that is parsed whole (JSON, KML).
        Default 32 MB: a readsb trace of a busy aircraft-day is under 10 MB,
        a whole-sky snapshot or an FR24 KML of a long flight a few MB; a
        document of 32 MB of dense numbers costs about 500 MB once parsed.
    line_bytes
        Longest line of a line-based format (CSV, SBS). Longer lines are
        quarantined (their first characters kept as raw text) and never held
        whole. Default 1 MB.
    string_bytes
        Longest JSON string or XML text a record may hold. Default 1 MB.
    member_bytes
        Largest tar member read into memory (so that a worker process can
        parse it); larger members are parsed from the archive's stream in
        the process that reads the archive. Default 16 MB.
    quarantine_rows
        Most rejected records of one file listed in the quarantine, each with
        its reason and raw text (a count of records, not bytes). Past it,
        rejected records are still counted (the manifest's
        ``rows_quarantined``), and one more quarantine row says how many were
        not listed and which rows they are; their lines stay in the file,
        whose SHA-256 the manifest holds. Default 10,000 (a few MB): a file
        of millions of broken lines no longer costs memory in proportion.
    """

    document_bytes: int = 32 * MB
    line_bytes: int = 1 * MB
    string_bytes: int = 1 * MB
    member_bytes: int = 16 * MB
    quarantine_rows: int = 10_000


QuarantineRow = tuple[str, int | None, str, str]
"""A quarantine row as readers collect it: ``(src_file, src_row, reason, raw)``."""


@dataclass
class QuarantineCap:
    """One file's quarantine rows, listed up to ``limit`` (:attr:`SizeLimits.quarantine_rows`) and counted past it.

    Rows are listed in the order of the file's row numbers within each
    chunk of records; past the limit only their number and their first and
    last row numbers are kept, and :meth:`summary` says so in one more row.

    Examples
    --------
    >>> cap, rows = QuarantineCap(2), []
    >>> cap.add(rows, [("f.csv", 3, "bad", "x"), ("f.csv", 1, "bad", "y"), ("f.csv", 9, "bad", "z")])
    >>> [r[1] for r in rows], cap.unlisted, cap.first, cap.last
    ([1, 3], 1, 9, 9)
    """

    limit: int
    listed: int = 0
    unlisted: int = 0
    first: int | None = None
    last: int | None = None

    def add(self, into: list[Any], rows: list[Any]) -> None:
        """Append ``rows`` to ``into`` while there is room; count the others."""
        room = max(self.limit - self.listed, 0)
        if len(rows) <= room:
            into.extend(rows)
            self.listed += len(rows)
            return
        rows = sorted(rows, key=lambda r: -1 if r[1] is None else int(r[1]))  # the file's first rows are the ones listed
        into.extend(rows[:room])
        self.listed += room
        rest = rows[room:]
        self.unlisted += len(rest)
        nums = [int(r[1]) for r in rest if r[1] is not None]
        if nums:
            self.first = min(nums) if self.first is None else min(self.first, min(nums))
            self.last = max(nums) if self.last is None else max(self.last, max(nums))

    def summary(self, src_file: str) -> QuarantineRow | None:
        """The row that counts the records not listed (``None`` when all were listed)."""
        if not self.unlisted:
            return None
        span = f", rows {self.first:,} to {self.last:,}," if self.first is not None and self.last is not None else ""
        return (src_file, None, f"{self.unlisted:,} more rejected record(s){span} not listed here: a file's quarantine lists at most "
                f"{self.limit:,} (limit quarantine_rows); they are counted in the manifest's rows_quarantined and their lines are "
                "in the file itself", "")


class LimitExceeded(ValueError):
    """Content past a :class:`SizeLimits` limit; the message names the limit and is shown as the file's error."""


def read_bounded(stream: Any, limit: int, what: str, piece: int = 4 << 20) -> bytes:
    """Read a whole stream, or raise :class:`LimitExceeded` once it passes ``limit`` bytes.

    Parameters
    ----------
    stream
        A binary stream (decompressed content).
    limit
        Most bytes accepted.
    what
        What the content is, for the message ("JSON document").
    piece
        Bytes asked for at a time (no buffer of ``limit`` bytes is made up front).
    """
    parts = []
    total = 0
    while True:
        data = stream.read(min(piece, limit + 1 - total))
        if not data:
            break
        parts.append(data)
        total += len(data)
        if total > limit:
            raise LimitExceeded(f"{what} exceeds {mb(limit)} decompressed (limit document_bytes); not parsed")
    return parts[0] if len(parts) == 1 else b"".join(parts)


class BoundedReader(io.RawIOBase):
    """A raw stream that raises :class:`LimitExceeded` once more than ``limit`` bytes have been read.

    Parameters
    ----------
    raw
        The stream to read.
    limit
        Most bytes that may be read.
    what
        What the content is, for the message.
    """

    def __init__(self, raw: Any, limit: int, what: str) -> None:
        super().__init__()
        self._raw = raw
        self._limit = limit
        self._what = what
        self.n_read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        view = memoryview(b).cast("B")
        want = min(len(view), self._limit + 1 - self.n_read)
        if want <= 0:
            raise LimitExceeded(f"{self._what} exceeds {mb(self._limit)} decompressed (limit document_bytes); not read further")
        data = self._raw.read(want)
        n = len(data)
        view[:n] = data
        self.n_read += n
        if self.n_read > self._limit:
            raise LimitExceeded(f"{self._what} exceeds {mb(self._limit)} decompressed (limit document_bytes); not read further")
        return n
