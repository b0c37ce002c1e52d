"""Exports of derived tables: CSV, Parquet and GeoJSON, deterministic bytes."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["to_csv", "legs_geojson", "write_table"]


def _iso(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for c in out.columns:
        if isinstance(out[c].dtype, pd.DatetimeTZDtype):
            out[c] = out[c].dt.strftime("%Y-%m-%dT%H:%M:%SZ").where(out[c].notna(), None)
    return out


def to_csv(df: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write a table as CSV: UTC times as ISO 8601 with ``Z``, no index, LF line ends."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    frame = _iso(df.drop(columns=["geometry"], errors="ignore"))
    frame.to_csv(p, index=False, lineterminator="\n")
    return p


def _jsonable(v: Any) -> Any:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return None
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating,)):
        return float(v)
    if isinstance(v, (np.bool_,)):
        return bool(v)
    return v


def legs_geojson(legs: pd.DataFrame, *, decimals: int = 5) -> str:
    """Legs as an RFC 7946 FeatureCollection (lon, lat order), one Feature per leg.

    Properties carry every non-geometry column with times in ISO 8601 UTC;
    coordinates are rounded to ``decimals`` (5 ≈ 1 m).
    """
    import shapely

    props = _iso(legs.drop(columns=["geometry"], errors="ignore"))
    feats = []
    geoms = legs["geometry"].to_numpy() if "geometry" in legs else [None] * len(legs)
    for rec, g in zip(props.to_dict(orient="records"), geoms):  # one feature per leg
        coords = None if g is None else np.round(shapely.get_coordinates(g), decimals).tolist()
        feats.append({
            "type": "Feature",
            "properties": {k: _jsonable(v) for k, v in rec.items()},
            "geometry": None if coords is None else {"type": "LineString", "coordinates": coords},
        })
    return json.dumps({"type": "FeatureCollection", "features": feats}, ensure_ascii=False, separators=(",", ":"), sort_keys=True) + "\n"


def write_table(df: pd.DataFrame, out_dir: str | os.PathLike[str], name: str) -> dict[str, Path]:
    """Write ``name.csv`` and ``name.parquet`` (geometry as WKB in Parquet, dropped in CSV)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"csv": to_csv(df, out / f"{name}.csv")}
    pq = out / f"{name}.parquet"
    if "geometry" in df and hasattr(df, "to_wkb"):
        df.to_wkb().to_parquet(pq, index=False)  # type: ignore[union-attr]
    else:
        df.to_parquet(pq, index=False)
    paths["parquet"] = pq
    return paths
