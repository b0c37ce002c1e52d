"""Shared checks for reader fuzzing: any bytes in, never an exception out, counts add up."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

import flighttrace
from flighttrace.io.api import Dataset, assert_counts

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
"""Settings of the readers' fuzz tests (a fixture-made folder per example)."""

MUTATIONS = {
    "positions": st.lists(st.integers(0, 100_000), max_size=8),
    "values": st.lists(st.integers(0, 255), max_size=8),
    "cut": st.none() | st.integers(0, 100_000),
}
"""Strategies for :func:`mutate`'s arguments: up to eight bytes overwritten, and maybe a cut end."""


def read_bytes_survives(data: bytes, folder: Path, name: str = "input.bin", format: str | None = None) -> Dataset:
    """Write ``data`` to ``folder/name``, read it, and check the manifest invariant.

    Fails the test if ``read`` raises, if the file has no manifest row, or if
    rows_read != kept + quarantined + duplicate + filtered.
    """
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    ds = flighttrace.read(path, format=format)
    assert len(ds.manifest) == 1, ds.manifest
    assert_counts(ds)
    flighttrace.validate_points(ds.points)
    row = ds.manifest.iloc[0]
    if row["error"]:
        # a failed file leaves a whole-file quarantine row with the same reason
        whole = ds.quarantine[ds.quarantine["src_row"].isna()]
        assert len(whole) == 1 and whole.iloc[0]["reason"] == row["error"]
    return ds


def mutate(data: bytes, positions: list[int], values: list[int], cut: int | None) -> bytes:
    """Overwrite bytes at ``positions`` (mod len) with ``values`` and optionally cut the end."""
    buf = bytearray(data)
    if buf:
        for p, v in zip(positions, values, strict=False):
            buf[p % len(buf)] = v
    if cut is not None and buf:
        buf = buf[: cut % (len(buf) + 1)]
    return bytes(buf)
