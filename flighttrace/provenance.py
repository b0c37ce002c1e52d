"""Provenance: the manifest of input files and the quarantine of bad records.

Every input file gets one manifest row: its size and SHA-256 as stored, the
detected format and compression, how many records were read, kept,
quarantined, found duplicate or filtered out, its time span and aircraft
count, and the error when the whole file failed. The counts obey

    rows_read == rows_kept + rows_quarantined + rows_duplicate + rows_filtered

for every file; :func:`check_invariant` verifies it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from flighttrace.cells import as_int, as_time
from flighttrace.schema import MANIFEST, QUARANTINE, TIME_DTYPE

__all__ = [
    "ManifestRow",
    "manifest_frame",
    "quarantine_frame",
    "sort_quarantine",
    "file_spans",
    "count_into_rows",
    "check_invariant",
    "manifest_json",
    "InvariantError",
]


class InvariantError(AssertionError):
    """A manifest row's counts do not add up."""


@dataclass
class ManifestRow:
    """Mutable record of one file while it is being read."""

    path: str
    size_bytes: int = 0
    sha256: str = ""
    format: str = ""
    compression: str = ""
    rows_read: int = 0
    rows_kept: int = 0
    rows_quarantined: int = 0
    rows_duplicate: int = 0
    rows_filtered: int = 0
    lines_state: int = 0
    time_min: pd.Timestamp | None = None
    time_max: pd.Timestamp | None = None
    n_aircraft: int = 0
    tz: str = ""
    notes: list[str] = field(default_factory=list)
    error: str = ""
    custody: str = ""
    synthetic: bool = False


def manifest_frame(rows: list[ManifestRow]) -> pd.DataFrame:
    """Build the Manifest table from per-file records.

    Parameters
    ----------
    rows
        One record per input file, in input order.

    Returns
    -------
    pandas.DataFrame
        Columns of :data:`flighttrace.schema.MANIFEST`.
    """
    names = [f.name for f in fields(ManifestRow)]
    recs = []
    for r in rows:  # one per file; a shallow copy (asdict deep-copies every value)
        d = {name: getattr(r, name) for name in names}
        d["notes"] = "; ".join(dict.fromkeys(r.notes))
        recs.append(d)
    df = pd.DataFrame(recs, columns=[c.name for c in MANIFEST])
    for c in MANIFEST:
        if c.dtype == "int64":
            df[c.name] = df[c.name].fillna(0).astype(np.int64)
        elif c.dtype == "bool":
            df[c.name] = df[c.name].fillna(False).astype(bool)
        elif c.dtype == "str":
            df[c.name] = df[c.name].fillna("").astype(str)
        elif c.dtype == TIME_DTYPE:
            df[c.name] = pd.to_datetime(df[c.name], utc=True).astype(TIME_DTYPE)
    return df


def quarantine_frame(rows: list[tuple[str, int | None, str, str]]) -> pd.DataFrame:
    """Build the Quarantine table from ``(src_file, src_row, reason, raw)`` tuples."""
    df = pd.DataFrame(rows, columns=[c.name for c in QUARANTINE])
    df["src_row"] = pd.array(df["src_row"].tolist(), dtype="Int64")
    for name in ("src_file", "reason", "raw"):
        df[name] = df[name].astype(str)
    return df


def sort_quarantine(q: pd.DataFrame) -> pd.DataFrame:
    """The Quarantine table with its dtypes, sorted by file then row (whole-file rows first), index reset.

    Parameters
    ----------
    q
        Quarantine rows (from :func:`quarantine_frame`, or read back from Parquet or Arrow).
    """
    if not len(q):
        return q
    q = q.copy()
    q["src_row"] = q["src_row"].astype("Int64")
    for name in ("src_file", "reason", "raw"):
        q[name] = q[name].astype(str)
    return q.sort_values(["src_file", "src_row"], na_position="first", kind="stable").reset_index(drop=True)


def file_spans(points: pd.DataFrame) -> pd.DataFrame:
    """Per input file of a Points table: its first and last time and how many aircraft it holds.

    Parameters
    ----------
    points
        A Points table.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``src_file`` (str), columns ``time_min``, ``time_max`` and
        ``n_aircraft``, one row per file with points.
    """
    src = points["src_file"]
    if isinstance(src.dtype, pd.CategoricalDtype) and len(src):
        codes = src.cat.codes.to_numpy()
        if codes[0] >= 0 and (codes == codes[0]).all():  # one file (the usual read): no grouping
            t = points["time"]
            one = pd.DataFrame({"time_min": [t.min()], "time_max": [t.max()], "n_aircraft": [int(points["icao24"].nunique())]},
                               index=pd.Index([str(src.cat.categories[codes[0]])], name="src_file").astype(str))
            return one.astype({"time_min": t.dtype, "time_max": t.dtype, "n_aircraft": np.int64})
    g = points.groupby("src_file", observed=True)
    spans = g["time"].agg(["min", "max"]).rename(columns={"min": "time_min", "max": "time_max"})
    spans["n_aircraft"] = g["icao24"].nunique()
    spans.index = spans.index.astype(str)
    return spans


def count_into_rows(rows: list[ManifestRow], spans: pd.DataFrame, duplicates: pd.Series) -> None:
    """Put each file's span, aircraft and duplicates (found once the points were assembled) into its row.

    Parameters
    ----------
    rows
        The files' manifest rows, changed in place: ``time_min``,
        ``time_max``, ``n_aircraft`` from ``spans``; ``rows_duplicate`` from
        ``duplicates``, taken off ``rows_kept``.
    spans
        As :func:`file_spans`.
    duplicates
        Duplicate points dropped, per ``src_file``.
    """
    dups_of = duplicates.to_dict()
    # the spans as plain lists, looked up by file name (a cell look-up per file and column costs ~20 us each)
    span_of = dict(zip(spans.index.tolist(), zip(spans["time_min"].tolist(), spans["time_max"].tolist(), spans["n_aircraft"].tolist(), strict=True),
                       strict=True))
    for r in rows:  # one per file
        span = span_of.get(r.path)
        if span is not None:
            r.time_min, r.time_max, r.n_aircraft = as_time(span[0]), as_time(span[1]), as_int(span[2])
        d = int(dups_of.get(r.path, 0))
        r.rows_duplicate = d
        r.rows_kept -= d


def check_invariant(manifest: pd.DataFrame) -> None:
    """Raise :class:`InvariantError` naming the file whose counts do not add up."""
    total = manifest["rows_kept"] + manifest["rows_quarantined"] + manifest["rows_duplicate"] + manifest["rows_filtered"]
    bad = manifest[manifest["rows_read"] != total]
    if len(bad):
        r = bad.iloc[0]
        raise InvariantError(
            f"{r['path']}: rows_read {r['rows_read']} != kept {r['rows_kept']} + quarantined "
            f"{r['rows_quarantined']} + duplicate {r['rows_duplicate']} + filtered {r['rows_filtered']}"
        )


def _jsonable(v: Any) -> Any:
    if isinstance(v, pd.Timestamp):
        return None if pd.isna(v) else v.isoformat().replace("+00:00", "Z")
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating,)):
        return float(v)
    if v is pd.NaT or (isinstance(v, float) and np.isnan(v)):
        return None
    return v


def manifest_json(manifest: pd.DataFrame, info: dict[str, Any]) -> str:
    """Serialise the manifest and run information as deterministic JSON.

    Parameters
    ----------
    manifest
        The Manifest table.
    info
        Run information (flighttrace version, the call, options).

    Returns
    -------
    str
        Pretty-printed JSON with sorted keys and no run-time timestamp, so the
        same inputs give the same bytes.
    """
    files = [{k: _jsonable(v) for k, v in rec.items()} for rec in manifest.to_dict(orient="records")]
    totals = {
        k: int(manifest[k].sum())
        for k in ("rows_read", "rows_kept", "rows_quarantined", "rows_duplicate", "rows_filtered", "lines_state")
    }
    totals["files"] = len(manifest)
    totals["files_failed"] = int((manifest["error"] != "").sum())
    doc = {"run": info, "totals": totals, "files": files}
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_json(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically (temporary file, then rename)."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
