"""Whole lines of a text stream, passed through untouched while none of them needs a guard.

Line-based readers put two guards between the stream and the parser:
:class:`~flighttrace.io.lines.LineGuard` (CR line ends made LF, over-long
lines set aside) and :class:`~flighttrace.io.csvstream.Utf8Guard` (bytes
that are not UTF-8 replaced). Nearly every real file has LF line ends, UTF-8
text and no line past the limit, and then both guards hand the bytes on
unchanged, at the price of a copy and a Python call per layer for every
megabyte, made while the parser waits.

:class:`CleanLines` reads the stream in the same pieces the guards would,
checks each piece of whole lines with three scans (a CR, text that is not
UTF-8, a line longer than the limit) and hands it on as it is. At the first
piece that fails a check, or at a stream error, the rest of the stream, from
the start of that piece's first unsent line, goes through the two guards,
exactly as if they had read the whole stream: they see the same bytes from
a line start (where neither has state to carry) and the same error, and
what reaches the parser is byte for byte what the guards alone would give.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Callable
from typing import Any, Final

from flighttrace.io.lines import READ_BYTES, LineGuard

__all__ = ["CleanLines"]

_ERRORS: Final = (EOFError, OSError, zlib.error)
"""Errors of a damaged stream (as :class:`~flighttrace.io.lines.LineGuard` catches them)."""


class _Replay(io.RawIOBase):
    """``head``, then the rest of ``raw``; ``error`` (when given) is raised once ``head`` is read."""

    def __init__(self, head: bytes, raw: Any, error: BaseException | None) -> None:
        super().__init__()
        self._head = head
        self._read1 = getattr(raw, "read1", raw.read)
        self._error = error

    def readable(self) -> bool:
        return True

    def read1(self, n: int = -1) -> bytes:
        if self._head:
            k = len(self._head) if n is None or n < 0 else n
            out, self._head = self._head[:k], self._head[k:]
            return out
        if self._error is not None:
            raise self._error
        return self._read1(n)

    read = read1


def _utf8(data: bytes) -> bool:
    if data.isascii():
        return True
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


class CleanLines(io.RawIOBase):
    """A byte stream of whole lines that need no guard, the guards taking over from the first that does.

    Parameters
    ----------
    raw
        The decompressed stream.
    max_line_bytes
        Longest line passed on untouched (the :class:`~flighttrace.io.lines.LineGuard` limit), B.
    utf8_guard
        The UTF-8 guard's class (:class:`~flighttrace.io.csvstream.Utf8Guard`), made over the line guard when it takes over.
    piece
        Bytes read from ``raw`` at a time (as :class:`~flighttrace.io.lines.LineGuard` reads them).

    Attributes
    ----------
    lines, guard
        The :class:`~flighttrace.io.lines.LineGuard` and the UTF-8 guard once
        they have taken over, else ``None``.
    """

    def __init__(self, raw: Any, max_line_bytes: int, utf8_guard: Callable[[LineGuard], Any], *, piece: int = READ_BYTES) -> None:
        super().__init__()
        self._utf8_guard = utf8_guard
        self._raw = raw
        self._read1 = getattr(raw, "read1", raw.read)
        self._max = max_line_bytes
        self._piece = piece
        self._partial = b""  # the unfinished line read so far, not handed on
        self._ready: list[bytes] = []  # whole checked lines, not handed on yet
        self._ready_len = 0
        self._eof = False
        self.lines: LineGuard | None = None
        self.guard: Any = None
        self._guarded: io.BufferedReader | None = None

    # -- what the readers ask of the guards

    @property
    def replaced(self) -> bool:
        """Whether bytes that are not UTF-8 were replaced (only the guard ever replaces any)."""
        return self.guard is not None and bool(self.guard.replaced)

    @property
    def error(self) -> BaseException | None:
        """The stream error, once the text before it has been handed on."""
        return None if self.guard is None else self.guard.error

    @property
    def cut(self) -> str:
        """The line a stream error cut short ("" for none)."""
        if self.guard is None or self.lines is None:
            return ""
        return str(self.guard.cut or self.lines.cut_line)

    def is_marker(self, line: bytes | str) -> bool:
        """Whether ``line`` stands for an over-long line (only the line guard makes such lines)."""
        return self.lines is not None and self.lines.is_marker(line)

    def overlong_line(self, line: bytes | str) -> tuple[str, str] | None:
        """``(reason, raw text)`` of an over-long line's marker, else ``None``."""
        return None if self.lines is None else self.lines.overlong_line(line)

    # -- reading

    def readable(self) -> bool:
        return True

    def _take_over(self, head: bytes, error: BaseException | None) -> None:
        """Hand ``head`` (from a line start) and the rest of the stream to the two guards."""
        self.lines = LineGuard(_Replay(head, self._raw, error), self._max)
        self.guard = self._utf8_guard(self.lines)
        self._guarded = io.BufferedReader(self.guard, buffer_size=READ_BYTES)
        self._partial = b""

    def _clean(self, whole: bytes) -> bool:
        """No CR, UTF-8 text, no line longer than the limit (the line guard's own test)."""
        if b"\r" in whole or not _utf8(whole):
            return False
        limit, p = self._max, 0
        while p + limit < len(whole):  # one step per limit's worth of bytes
            q = whole.rfind(b"\n", p, p + limit + 1)
            if q < 0:
                return False
            p = q + 1
        return True

    def _fill(self) -> bool:
        """Read one piece; False at the end, or once the guards have taken over."""
        if self._eof or self._guarded is not None:
            return False
        try:
            data = self._read1(self._piece)
        except _ERRORS as exc:
            self._take_over(self._partial, exc)
            return False
        if not data:
            self._eof = True
            last, self._partial = self._partial, b""
            if last and (len(last) > self._max or not self._clean(last)):
                self._take_over(last, None)
                return False
            if last:
                self._ready.append(last)
                self._ready_len += len(last)
            return bool(last)
        buf = self._partial + data if self._partial else data
        k = buf.rfind(b"\n")
        whole, rest = (buf[: k + 1], buf[k + 1 :]) if k >= 0 else (b"", buf)
        if len(rest) > self._max or not self._clean(whole):
            self._take_over(buf, None)
            return False
        self._partial = rest
        if whole:
            self._ready.append(whole)
            self._ready_len += len(whole)
        return True

    def _pop(self, n: int) -> bytes:
        """Up to ``n`` checked bytes."""
        data = b"".join(self._ready) if len(self._ready) != 1 else self._ready[0]
        out, keep = (data, b"") if n >= len(data) else (data[:n], data[n:])
        self._ready = [keep] if keep else []
        self._ready_len = len(keep)
        return out

    def peek(self, n: int = 1) -> bytes:
        """At least ``n`` bytes ahead when the stream has them (the line guard's, once it has taken over), not consumed."""
        while self._ready_len < n and self._fill():
            pass
        head = b"".join(self._ready)
        self._ready = [head] if head else []
        if self.lines is not None and len(head) < n:
            head += self.lines.peek(n - len(head))
        return head

    def read(self, n: int | None = -1) -> bytes:
        """``n`` bytes (fewer only at the end; ``READ_BYTES`` for ``n < 0``)."""
        want = n if n is not None and n > 0 else self._piece
        while self._ready_len < want and self._fill():
            pass
        out = self._pop(want) if self._ready_len else b""
        if len(out) < want and self._guarded is not None:
            out += self._guarded.read(want - len(out))
        return out

    def readinto(self, b: Any) -> int:
        data = self.read(len(b))
        b[: len(data)] = data
        return len(data)
