"""The records of a JSON array a reader can use, and the rest quarantined.

Every JSON format flighttrace reads holds its records in one array (trace
points, aircraft entries, state vectors, track waypoints, playback points).
A record of the wrong shape (not an object, too short an array) cannot become
a point: the reader quarantines it with a reason and its JSON text, and
converts the others on whole columns. :func:`select_records` does that split
once for every reader; :meth:`JsonRecords.chunk` builds the reader's chunk.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import orjson

from flighttrace.io._base import RawChunk

__all__ = ["JsonRecords", "json_text", "select_records", "array_rows"]


def json_text(value: Any) -> str:
    """A JSON value as compact JSON text (what a quarantine row shows as the raw record)."""
    return orjson.dumps(value, default=str).decode()


@dataclass
class JsonRecords:
    """The usable records of a JSON array.

    Parameters
    ----------
    records
        The records of the right shape, in order.
    rows
        Their index in the array (``src_row``), int64.
    quarantine
        ``(index, reason, JSON text)`` of the records of the wrong shape.
    """

    records: list[Any]
    rows: np.ndarray
    quarantine: list[tuple[int, str, str]]

    def __len__(self) -> int:
        return len(self.records)

    def raw(self, idx: np.ndarray) -> list[str]:
        """JSON text of the usable records at positions ``idx``."""
        return [json_text(self.records[int(i)]) for i in idx]

    def chunk(self, columns: dict[str, Any], problems: list[tuple[np.ndarray, Any]]) -> RawChunk:
        """The chunk of these records: ``columns`` converted from them, ``problems`` found on the way."""
        return RawChunk(columns=columns, src_row=self.rows.astype(np.int64), raw=self.raw, quarantine=self.quarantine, problems=problems)


def select_records(items: list[Any], ok: np.ndarray, reason: str) -> JsonRecords:
    """Split a JSON array into the records where ``ok`` holds and quarantine rows for the others.

    Parameters
    ----------
    items
        The array's values.
    ok
        Mask of the records of the right shape.
    reason
        The quarantine reason for the others (what the record should have been).

    Returns
    -------
    JsonRecords
        The records to convert (the array itself when every record is usable:
        nothing is copied).

    Examples
    --------
    >>> import numpy as np
    >>> got = select_records([[1, 2], 3], np.array([True, False]), "not an array")
    >>> got.records, got.rows.tolist(), got.quarantine
    ([[1, 2]], [0], [(1, 'not an array', '3')])
    """
    bad = [(int(i), reason, json_text(items[i])) for i in np.flatnonzero(~ok)]
    rows = np.flatnonzero(ok)
    records = items if len(rows) == len(items) else [items[i] for i in rows]
    return JsonRecords(records=records, rows=rows, quarantine=bad)


def array_rows(rows: Sequence[Any], min_len: int) -> np.ndarray:
    """Mask of the records that are JSON arrays of at least ``min_len`` values."""
    n = len(rows)
    if set(map(type, rows)) == {list}:
        return np.fromiter(map(len, rows), dtype=np.int64, count=n) >= min_len
    return np.fromiter((type(r) is list and len(r) >= min_len for r in rows), dtype=bool, count=n)
