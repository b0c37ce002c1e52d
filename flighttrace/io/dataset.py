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
            f"{len(self.manifest)} file(s) ({n_err} failed), {len(self.quarantine):,} quarantined>"
        )

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
