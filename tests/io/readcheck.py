"""Shared helpers of the reader tests: read with every invariant checked, and the quarantine's reasons by row."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import flighttrace
from flighttrace.io.api import Dataset, assert_counts


def read_one(path: Path | list[Path], **kw: Any) -> Dataset:
    """``flighttrace.read``, then the manifest's counts and the Points table's schema checked (a test fails if either is off)."""
    ds = flighttrace.read(path, **kw)
    assert_counts(ds)
    flighttrace.validate_points(ds.points)
    return ds


def reasons(ds: Dataset) -> dict[int, str]:
    """The quarantine's reason for each input row it names (rows without a number, such as a whole file's, left out)."""
    q = ds.quarantine.dropna(subset=["src_row"])
    return dict(zip(q["src_row"].astype(int), q["reason"], strict=True))
