"""The result of a read: the Points table, its quarantine and the manifest of its files.

:func:`flighttrace.read` returns one; so do a store read
(:func:`flighttrace.io.store.read_store`) and an archive scan
(:mod:`flighttrace.io.scan`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from flighttrace.provenance import manifest_json, write_json

__all__ = ["Dataset"]


@dataclass
class Dataset:
    """The result of :func:`read`.

    Attributes
    ----------
    points
        The Points table (see :data:`flighttrace.schema.POINTS`), sorted by
        icao24 then time.
    quarantine
        Every record that could not become a point, with its reason and raw
        text; rows with ``src_row`` NA are whole-file errors.
    manifest
        One row per input file (see :data:`flighttrace.schema.MANIFEST`).
    info
        The flighttrace version, the call and its options.
    """

    points: pd.DataFrame
    quarantine: pd.DataFrame
    manifest: pd.DataFrame
    info: dict[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        n_err = int((self.manifest["error"] != "").sum()) if len(self.manifest) else 0
        return (
            f"<flighttrace.Dataset: {len(self.points):,} points, {self.points['icao24'].nunique():,} aircraft, "
            f"{len(self.manifest)} file(s) ({n_err} failed), {self.records_quarantined:,} records quarantined>"
        )

    @property
    def records_quarantined(self) -> int:
        """Records set aside, each counted (:func:`records_quarantined`), whether or not the quarantine table lists it."""
        return records_quarantined(self.manifest)

    @property
    def synthetic(self) -> bool:
        """Whether any input came from flighttrace's simulator (every output must then say so)."""
        return bool(len(self.manifest)) and bool(self.manifest["synthetic"].any())

    def summary(self) -> pd.DataFrame:
        """Per-file summary: format, rows read / kept / quarantined / duplicate, span, error."""
        cols = ["path", "format", "rows_read", "rows_kept", "rows_quarantined", "rows_duplicate", "rows_filtered", "n_aircraft", "time_min", "time_max", "error"]
        return self.manifest[cols].copy()

    def manifest_json(self) -> str:
        """The manifest and run information as deterministic JSON."""
        return manifest_json(self.manifest, self.info)

    def to_parquet(self, out_dir: str | os.PathLike[str]) -> dict[str, Path]:
        """Write ``points.parquet``, ``quarantine.parquet`` and ``manifest.json``.

        Parameters
        ----------
        out_dir
            Folder to write into; created when missing.

        Returns
        -------
        dict
            The written paths by name.
        """
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        paths = {
            "points": out / "points.parquet",
            "quarantine": out / "quarantine.parquet",
            "manifest": out / "manifest.json",
        }
        for key in ("points", "quarantine"):
            tmp = paths[key].with_name(paths[key].name + ".tmp")
            getattr(self, key).to_parquet(tmp, index=False)
            tmp.replace(paths[key])
        write_json(paths["manifest"], self.manifest_json())
        return paths


def records_quarantined(manifest: pd.DataFrame) -> int:
    """The records of all files set aside: the sum of the manifest's ``rows_quarantined``.

    Each rejected record is counted there, also those a file's quarantine
    does not list past :attr:`~flighttrace.io.bounds.SizeLimits.quarantine_rows`;
    a file that could not be read at all adds its error row to the quarantine
    table but no record here.
    """
    if not len(manifest) or "rows_quarantined" not in manifest:
        return 0
    return int(pd.to_numeric(manifest["rows_quarantined"], errors="coerce").fillna(0).sum())
