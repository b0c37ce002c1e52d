"""The raw rows behind a leg, a sortie or a claim's evidence, as a table.

Every leg keeps ``point_start`` / ``point_end``: the range of its positions in
the Points table sorted as leg detection sorts it (by aircraft, then time;
:func:`flighttrace.tracks.segment.sorted_points`). Each position keeps the
input file it came from (``src_file``) and its row there (``src_row``). The
manifest of a read gives each file's SHA-256. :func:`lineage` joins the
three: one row per position behind what was asked for, with the file, the
row, the file's SHA-256 and the position's values, so that a figure can be
followed to the bytes it came from without parsing the legs' ``lineage``
text (``file:first-last``).

>>> import flighttrace
>>> ds = flighttrace.read("fixtures/ovda/data")                     # doctest: +SKIP
>>> legs = flighttrace.detect_legs(ds.points, scn)                  # doctest: +SKIP
>>> flighttrace.lineage(legs.leg_id.iloc[0], legs, ds)              # doctest: +SKIP
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, Final

import numpy as np
import pandas as pd

__all__ = ["LINEAGE_COLUMNS", "leg_ids_of", "lineage"]

LINEAGE_COLUMNS: Final[tuple[str, ...]] = (
    "leg_id", "src_file", "src_row", "sha256", "point", "icao24", "time", "lat", "lon", "alt_ft", "on_ground", "gs_kt",
    "track_deg", "vrate_fpm", "callsign", "registration", "position_source", "source",
)
"""Columns of :func:`lineage`'s table: the leg, where the row came from (file, row, the file's SHA-256), its index
``point`` in the sorted Points table, and the position's values as read."""

_SPLIT: Final = re.compile(r"[;,]\s*")


def _ids(value: Any) -> list[str]:
    """Leg ids in a cell of an evidence table (``a;b`` or ``a, b``)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return []
    return [x for x in _SPLIT.split(str(value)) if x]


def leg_ids_of(of: Any, legs: pd.DataFrame, *, sorties: pd.DataFrame | None = None, evidence: pd.DataFrame | None = None) -> list[str]:
    """The ids of the legs behind ``of`` (see :func:`lineage`), in the order they are named, each once."""
    out: list[str] = []
    if isinstance(of, pd.DataFrame):
        if {"in_leg", "out_leg"} <= set(of.columns):
            out = [x for pair in zip(of["in_leg"].tolist(), of["out_leg"].tolist(), strict=True) for x in pair if isinstance(x, str)]
        elif "legs" in of.columns:
            out = [x for cell in of["legs"].tolist() for x in _ids(cell)]
        elif "leg_id" in of.columns:
            out = [str(x) for x in of["leg_id"].tolist()]
        else:
            raise ValueError("give legs (leg_id), sorties (in_leg, out_leg) or evidence rows (legs)")
        return list(dict.fromkeys(out))
    names = [of] if isinstance(of, str) else list(of) if isinstance(of, Iterable) else [of]
    leg_set = set(legs["leg_id"].astype(str))
    for name in (str(x) for x in names):  # a few ids
        if name in leg_set:
            out.append(name)
        elif sorties is not None and name in set(sorties["sortie_id"].astype(str)):
            out += leg_ids_of(sorties[sorties["sortie_id"].astype(str) == name], legs)
        elif evidence is not None and name in set(evidence["item_id"].astype(str)):
            out += leg_ids_of(evidence[evidence["item_id"].astype(str) == name], legs)
        elif evidence is not None and name in set(evidence["claim_id"].astype(str)):
            out += leg_ids_of(evidence[evidence["claim_id"].astype(str) == name], legs)
        else:
            raise KeyError(f"{name!r} is not a leg id" + (", a sortie id" if sorties is not None else "")
                           + (", an evidence item or a claim id" if evidence is not None else ""))
    return list(dict.fromkeys(out))


def _sorted_points(points: Any, presorted: bool) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The Points table in the legs' order, and a manifest when ``points`` is a Dataset."""
    manifest = getattr(points, "manifest", None)
    pts = getattr(points, "points", points)
    if not presorted:
        from flighttrace.tracks.segment import sorted_points

        pts = sorted_points(pts)
    return pts, manifest


def lineage(
    of: Any,
    legs: pd.DataFrame,
    points: Any,
    *,
    sorties: pd.DataFrame | None = None,
    evidence: pd.DataFrame | None = None,
    manifest: pd.DataFrame | None = None,
    presorted: bool = False,
) -> pd.DataFrame:
    """The raw rows behind legs, sorties or a claim's evidence: file, row, SHA-256 and the position's values.

    Parameters
    ----------
    of
        What to trace: a leg id, a sortie id (with ``sorties``), an evidence
        item id or a claim id (with ``evidence``), a list of those; or rows
        of the legs table (``leg_id``), of the sorties table (``in_leg``,
        ``out_leg``) or of :attr:`flighttrace.Findings.evidence` (``legs``).
        Rows with their own ``point_start`` / ``point_end`` (legs, or a part
        of a leg such as a holding) are traced over those ranges.
    legs
        The legs table (:func:`flighttrace.detect_legs`) with ``point_start``
        and ``point_end``.
    points
        The Points table the legs were detected on, or the
        :class:`flighttrace.Dataset` it came from (its manifest then gives the
        SHA-256 of each file).
    sorties, evidence
        Tables to look sortie ids, evidence items and claim ids up in.
    manifest
        The manifest (``path``, ``sha256``) when ``points`` is a bare table.
    presorted
        ``points`` is already in the order of leg detection
        (:func:`flighttrace.tracks.segment.sorted_points`); skip the check.

    Returns
    -------
    pandas.DataFrame
        :data:`LINEAGE_COLUMNS`: one row per position behind each leg, the
        legs in the order named and each leg's positions in time order. A
        column the Points table lacks is left out; ``sha256`` is empty when no
        manifest names the file.

    Raises
    ------
    KeyError
        For an id that is none of those named.
    ValueError
        When the legs table has no ``point_start`` / ``point_end``.
    """
    pts, ds_manifest = _sorted_points(points, presorted)
    man = manifest if manifest is not None else ds_manifest
    if isinstance(of, pd.DataFrame) and {"point_start", "point_end", "leg_id"} <= set(of.columns):
        ranges = of  # its own row ranges: legs, or a part of a leg (a holding, a go-around)
        ids = [str(x) for x in of["leg_id"].tolist()]
    else:
        if not {"point_start", "point_end", "leg_id"} <= set(legs.columns):
            raise ValueError("the legs table needs leg_id, point_start and point_end (flighttrace.detect_legs keeps them)")
        by_id = legs.assign(_id=legs["leg_id"].astype(str)).drop_duplicates("_id").set_index("_id")
        ids = [i for i in leg_ids_of(of, legs, sorties=sorties, evidence=evidence) if i in by_id.index]
        ranges = by_id.loc[ids]
    a = pd.to_numeric(ranges["point_start"], errors="coerce").fillna(0).to_numpy(np.int64) if ids else np.empty(0, np.int64)
    b = pd.to_numeric(ranges["point_end"], errors="coerce").fillna(0).to_numpy(np.int64) if ids else np.empty(0, np.int64)
    n = len(pts)
    a, b = np.clip(a, 0, n), np.clip(b, 0, n)
    count = np.maximum(b - a, 0)
    starts = np.repeat(a - np.r_[0, np.cumsum(count)[:-1]], count)
    rows = np.arange(int(count.sum()), dtype=np.int64) + starts
    cols = [c for c in LINEAGE_COLUMNS if c in pts.columns]
    positions: list[int] = pts.columns.get_indexer(pd.Index(cols)).tolist()
    out = pts.iloc[rows, positions].reset_index(drop=True)  # only the columns kept are taken
    out.insert(0, "leg_id", np.repeat(np.asarray(ids, dtype=object), count))
    out.insert(1, "point", rows)
    sha = dict(zip(man["path"].astype(str), man["sha256"].astype(str), strict=True)) if man is not None and len(man) else {}
    if "src_file" in out and isinstance(out["src_file"].dtype, pd.CategoricalDtype):  # looked up per file, not per row
        cats = out["src_file"].cat.categories
        lut = np.array([sha.get(str(c), "") for c in cats] + [""], dtype=object)  # code -1 (missing) indexes the trailing ""
        out["sha256"] = lut[out["src_file"].cat.codes.to_numpy()]
    else:
        files = out["src_file"].astype(str) if "src_file" in out else pd.Series([""] * len(out))
        out["sha256"] = files.map(sha).fillna("").to_numpy(dtype=object)
    order = [c for c in LINEAGE_COLUMNS if c in out.columns]
    return out[order]
