"""CleanLines hands the parser exactly what the line and UTF-8 guards would, whatever the bytes."""

from __future__ import annotations

import io
import zlib
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from flighttrace.io.cleanlines import CleanLines
from flighttrace.io.csvstream import Utf8Guard
from flighttrace.io.lines import LineGuard

LIMIT = 40  # line limit of these tests, bytes
PIECE = 16  # bytes read at a time: lines and pieces cross each other


class Chunked(io.RawIOBase):
    """``data`` in pieces of at most ``size`` bytes, then ``error`` (raised) or the end."""

    def __init__(self, data: bytes, size: int, error: BaseException | None = None) -> None:
        super().__init__()
        self.data, self.size, self.error = data, size, error

    def readable(self) -> bool:
        return True

    def read1(self, n: int = -1) -> bytes:
        k = self.size if n is None or n < 0 else min(n, self.size)
        if not self.data and self.error is not None:
            raise self.error
        out, self.data = self.data[:k], self.data[k:]
        return out

    read = read1  # type: ignore[assignment]


def guarded(data: bytes, error: BaseException | None) -> tuple[bytes, Any, Any]:
    """What the two guards alone hand over (all of it, in reads of 7 bytes), and the guards."""
    lines = LineGuard(Chunked(data, PIECE, error), LIMIT, block=PIECE)
    guard = Utf8Guard(lines, chunk=PIECE)
    out = io.BufferedReader(guard, buffer_size=PIECE)
    parts = []
    while part := out.read(7):
        parts.append(part)
    return b"".join(parts), lines, guard


def clean(data: bytes, error: BaseException | None) -> tuple[bytes, CleanLines]:
    src = CleanLines(Chunked(data, PIECE, error), LIMIT, lambda lg: Utf8Guard(lg, chunk=PIECE), piece=PIECE)
    parts = []
    while part := src.read(7):
        parts.append(part)
    return b"".join(parts), src


def same(data: bytes, error: BaseException | None = None) -> tuple[CleanLines, bytes]:
    want, lines, guard = guarded(data, error)
    got, src = clean(data, error)
    # over-long lines stand as marker lines with a random token: compare what each marker stands for
    want_lines, got_lines = want.split(b"\n"), got.split(b"\n")
    assert len(want_lines) == len(got_lines)
    for w, g in zip(want_lines, got_lines, strict=True):
        if lines.is_marker(w):
            assert src.is_marker(g) and src.overlong_line(g) == lines.overlong_line(w)
        else:
            assert g == w
    assert src.replaced == guard.replaced
    assert (src.error is None) == (guard.error is None)
    assert src.cut == (guard.cut or lines.cut_line)
    return src, got


def test_plain_lines_pass_untouched_without_guards() -> None:
    data = b"a,b\n1,2\n3,4"
    src, got = same(data)
    assert got == data and src.lines is None and not src.replaced


def test_cr_line_ends_in_a_later_piece_are_made_lf() -> None:
    data = b"h1,h2\n" + b"1,2\n" * 10 + b"3,4\r5,6\r\n7,8\n"
    src, got = same(data)
    assert src.lines is not None and b"\r" not in got


def test_bytes_that_are_not_utf8_later_on_are_replaced() -> None:
    data = b"h\n" + "é,ü\n".encode() * 8 + b"x\xff,y\n" + b"z\n"
    src, got = same(data)
    assert src.replaced and "\ufffd".encode() in got


def test_an_overlong_line_later_on_stands_aside() -> None:
    data = b"h\n" + b"1,2\n" * 9 + b"9" * (LIMIT * 3) + b"\n" + b"3,4\n"
    src, got = same(data)
    lines = got.split(b"\n")
    assert src.overlong_line(lines[10]) is not None and lines[11] == b"3,4"


def test_a_stream_error_cuts_the_line_it_falls_in() -> None:
    data = b"h\n1,2\n3,4\n5,"
    src, got = same(data, zlib.error("damaged"))
    assert isinstance(src.error, zlib.error) and src.cut == "5,"
    assert got == b"h\n1,2\n3,4\n"


def test_peek_shows_the_header_without_consuming_it() -> None:
    src = CleanLines(Chunked(b"\n\nh1,h2\n1,2\n", PIECE), LIMIT, Utf8Guard, piece=PIECE)
    assert src.peek(4).startswith(b"\n\nh1,h2\n")
    assert src.read(100) == b"\n\nh1,h2\n1,2\n"


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from([b"1,2", b"ab", b"", b"\r", b"\r\n", b"\n", "é".encode(), b"\xff", b"\xc3", b"9" * (LIMIT + 5), b" "]), max_size=60),
    st.booleans(),
)
def test_same_bytes_as_the_guards_whatever_the_input(tokens: list[bytes], damaged: bool) -> None:
    same(b"".join(tokens), zlib.error("damaged") if damaged else None)
