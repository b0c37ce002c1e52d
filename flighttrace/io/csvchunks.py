"""A CSV reader's chunks: each block of a :class:`~flighttrace.io.csvstream.CsvStream` converted to Points columns."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pyarrow as pa

from flighttrace.io._base import RawChunk, ReadContext
from flighttrace.io.csvstream import UTF8_REASON, CsvStream

__all__ = ["csv_chunks"]

Convert = Callable[[list[pa.Array], set[str]], tuple[dict[str, Any], list[tuple[np.ndarray, str]]]]
"""``convert(block columns, notes) -> (Points columns, problems)``; assumptions go into ``notes``."""


def csv_chunks(csv_in: CsvStream, used: list[int], block_bytes: int, convert: Convert, ctx: ReadContext) -> Iterator[RawChunk]:
    """One chunk per block of about ``block_bytes`` of ``csv_in``, reading the columns ``used``.

    Rows whose text was not UTF-8 are reported as problems; the notes the
    conversion made are added to ``ctx.notes`` once, sorted; what the stream
    itself rejected comes last.
    """
    notes: set[str] = set()
    for block in csv_in.blocks(block_bytes, used):
        cols, problems = convert(block.columns, notes)
        if block.replaced is not None:
            problems.append((block.replaced, UTF8_REASON))
        yield RawChunk(columns=cols, src_row=block.src_row, raw=block.raw, quarantine=block.quarantine, problems=problems)
    ctx.notes.extend(sorted(notes))
    yield from csv_in.finish()
