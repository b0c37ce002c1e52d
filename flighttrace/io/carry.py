"""An aircraft's state carried from message to message, for logs of messages that each say part of it.

A receiver's log (SBS / BaseStation lines, jet1090's decoded Mode S
messages) spreads an aircraft's state over several kinds of message: the
position in one, the altitude, the speed or the callsign in others. The
readers of such logs emit a point per position message and give it the
last value of every other field seen for that aircraft, in time order
(:func:`carry_forward`: a sort and a group-wise forward fill, no loop per
message). The state crosses the reader's chunks (:class:`Carry`), and it
expires: a point never takes the speed of a minute ago or the callsign of
an earlier flight.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO, Final

import numpy as np
import pandas as pd

from flighttrace.io._base import RawChunk, ReadContext
from flighttrace.io.lines import MAX_CHUNK_BYTES, READ_BYTES, LineGuard, line_batches

__all__ = ["IDENTITY_MAX_AGE_S", "KINEMATIC_MAX_AGE_S", "MAX_AGE", "NUM_STATE", "STR_STATE", "Carry", "carry_forward", "message_chunks"]

KINEMATIC_MAX_AGE_S: Final = 60.0
"""Altitude, speed, track, vertical rate and on-ground flag older than this, s, are not carried."""

IDENTITY_MAX_AGE_S: Final = 1800.0
"""Callsign and squawk older than this, s, are not carried (a later flight may use another)."""

STR_STATE: Final = ("callsign", "squawk")
"""Text state carried per aircraft."""
NUM_STATE: Final = ("alt", "gs", "track", "vrate", "ground")
"""Numeric state carried per aircraft: altitude (ft), ground speed (kt), track (deg), vertical rate (ft/min), on-ground flag (1/0)."""
MAX_AGE: Final = {"callsign": IDENTITY_MAX_AGE_S, "squawk": IDENTITY_MAX_AGE_S} | {k: KINEMATIC_MAX_AGE_S for k in NUM_STATE}
"""How long each carried value lasts, s."""


@dataclass
class Carry:
    """The last state per aircraft, carried from one chunk to the next."""

    frame: pd.DataFrame | None = None


def carry_forward(frame: pd.DataFrame, carry: Carry) -> pd.DataFrame:
    """Forward-fill state per aircraft in time order, starting from the carried state.

    ``frame`` holds one row per valid message (an SBS MSG line, a decoded Mode S message): ``key``, ``t``, ``line``, the
    state fields (NaN / None when the line does not set them) and their set
    times ``<name>_t``. Returns the frame, sorted, with the carried values and
    with expired values blanked; stores the last state per aircraft in ``carry``.
    """
    if carry.frame is not None and len(carry.frame):
        prev = carry.frame.assign(line=-1, pos=-1, ttype=0, record=False, carry_row=True)
        frame = pd.concat([prev, frame.assign(carry_row=False)], ignore_index=True)
    else:
        frame = frame.assign(carry_row=False)
    key_codes, _ = pd.factorize(frame["key"])
    order = np.lexsort((frame["line"].to_numpy(), frame["t"].to_numpy(), ~frame["carry_row"].to_numpy(dtype=bool), key_codes))
    frame = frame.iloc[order].reset_index(drop=True)
    key_codes = key_codes[order]
    cols = [*STR_STATE, *NUM_STATE, *(f"{c}_t" for c in (*STR_STATE, *NUM_STATE))]
    frame[cols] = frame[cols].groupby(key_codes, sort=False).ffill()
    last = np.ones(len(frame), dtype=bool)
    last[:-1] = key_codes[1:] != key_codes[:-1]
    carry.frame = frame.loc[last, ["key", "t", *cols]].reset_index(drop=True)
    t = frame["t"].to_numpy(dtype=np.float64)
    for c in (*STR_STATE, *NUM_STATE):
        age = t - frame[f"{c}_t"].to_numpy(dtype=np.float64)
        expired = ~(age <= MAX_AGE[c])
        if expired.any():
            frame.loc[expired, c] = None if c in STR_STATE else np.nan
    return frame[~frame["carry_row"].to_numpy(dtype=bool)].reset_index(drop=True)


BatchParser = Callable[[bytes, int, Carry, LineGuard, set[str]], tuple[RawChunk, int]]
"""A log reader's parser of one run of whole lines: ``(data, first line number, carry, guard, notes) -> (chunk, lines covered)``."""


def message_chunks(stream: BinaryIO, ctx: ReadContext, parse: BatchParser, *, max_line_chars: int, read_bytes: int = READ_BYTES,
                   max_chunk_bytes: int = MAX_CHUNK_BYTES) -> Iterator[RawChunk]:
    """A message log read ``ctx.chunk_rows`` lines at a time, each run parsed by ``parse`` with the state carried across runs.

    The lines come through a :class:`~flighttrace.io.lines.LineGuard` (CR
    line ends made LF, lines past ``ctx.size.line_bytes`` set aside) in
    runs of :func:`~flighttrace.io.lines.line_batches`; the notes a run
    adds go into ``ctx.notes`` once each.
    """
    carry = Carry()
    notes: set[str] = set()
    first = 0
    guard = LineGuard(stream, ctx.size.line_bytes)
    for data in line_batches(guard, max(1, int(ctx.chunk_rows)), max_line_chars=max_line_chars, read_bytes=read_bytes,
                             max_chunk_bytes=max_chunk_bytes):
        chunk, n_lines = parse(data, first, carry, guard, notes)
        first += n_lines
        for note in sorted(notes - set(ctx.notes)):
            ctx.notes.append(note)
        yield chunk
