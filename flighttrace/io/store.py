"""A partitioned Parquet store of Points, added to incrementally, read with filters pushed down.

Layout of a store folder::

    STORE/
      store.json                          format marker, partitioning, batches (informational)
      manifest.parquet                    one row per source file ever added (the commit point)
      quarantine/<batch>.parquet          the quarantine of each batch's files
      points/date=2023-09-01/hex=6/<batch>.parquet
                                          Points of one UTC day and one leading hex digit,
                                          sorted by icao24 then time

Points are hive-partitioned by UTC **date** and by the first ``hex_digits``
hex digits of **icao24** (one by default; see ``docs/scale.md`` for why).
Each call to :func:`add_to_store` is one *batch*: it writes one file per
partition it touches, then commits by rewriting ``manifest.parquet``
atomically. Files of a batch that never committed are ignored by readers and
removed by the next writer, so an interrupted ingest leaves the store as it was.

Incremental: a source file whose SHA-256 is already in the store's manifest
is skipped, with its points and its quarantine. A point identical to one
already stored (same icao24, time, lat, lon and alt_ft, as
:func:`flighttrace.io._normalise.assemble` defines duplicates) is dropped and
counted in its file's ``rows_duplicate``, so the store never holds a
duplicate and every manifest row still satisfies ``rows_read == rows_kept +
rows_quarantined + rows_duplicate + rows_filtered``.

Reading (:func:`read_store`, or :func:`flighttrace.read` on a store folder)
pushes the filters down through :mod:`pyarrow.dataset`: a time range and an
icao24 set prune whole partitions (files outside them are never opened),
and, with a bounding box, prune row groups by their Parquet statistics. The
result has the canonical Points dtypes, and ``src_file`` / ``src_row`` name
the ORIGINAL input file and row.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import pandas as pd
import pyarrow as pa

from flighttrace.io.dataset import Dataset
from flighttrace.io.sources import hex_selection
from flighttrace.io.store_layout import (
    BATCH_FILE,
    DUP_KEY,
    STORE_FORMAT,
    STRING_COLUMNS,
    StoreLock,
    StoreLockedError,
    StoreReadError,
    committed_files,
    create_store,
    file_schema,
    is_store,
    partition_fields,
    partition_keys,
    partition_name,
    points_schema,
    points_to_arrow,
    store_config,
    store_manifest,
    write_config,
)
from flighttrace.provenance import file_spans, sort_quarantine
from flighttrace.schema import MANIFEST, POINTS_COLUMNS, TIME_DTYPE

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow.dataset as pads

__all__ = [
    "STORE_FORMAT",
    "StoreUpdate",
    "StoreLockedError",
    "StoreReadError",
    "is_store",
    "create_store",
    "add_to_store",
    "ingest_to_store",
    "split_stored",
    "read_store",
    "store_dataset",
    "store_filter",
    "store_manifest",
    "points_to_arrow",
]

ROW_GROUP_ROWS: Final = 65_536
"""Rows per Parquet row group: small enough for statistics to prune inside a day's file."""


@dataclass
class StoreUpdate:
    """What one :func:`add_to_store` call did.

    Attributes
    ----------
    store
        The store folder.
    batch
        Id of the batch written (``""`` when nothing was new).
    files_added
        Source files recorded in the store's manifest by this batch.
    files_skipped
        Source files skipped because their SHA-256 was already in the store.
    points_written
        Points written.
    duplicates_dropped
        Points dropped because an identical point was already stored.
    partitions
        ``date=…/hex=…`` partitions written to.
    """

    store: Path
    batch: str = ""
    files_added: list[str] = field(default_factory=list)
    files_skipped: list[str] = field(default_factory=list)
    points_written: int = 0
    duplicates_dropped: int = 0
    partitions: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- reading


def store_dataset(store_dir: str | os.PathLike[str], *, dictionary_columns: Sequence[str] = STRING_COLUMNS) -> pads.Dataset:
    """The store's committed Points files as a :class:`pyarrow.dataset.Dataset`.

    Parameters
    ----------
    store_dir
        The store folder.
    dictionary_columns
        String columns read as dictionaries (all of them by default: less
        memory). pyarrow does not prune row groups by the statistics of a
        column read as a dictionary, so :func:`read_store` reads ``icao24``
        as plain strings when it filters on it.

    Returns
    -------
    pyarrow.dataset.Dataset
        ``date`` (and ``hex``) are the hive partition fields. Files are not
        opened until scanned: the schema is the store's own, so discovery
        reads no footer.
    """
    import pyarrow.dataset as pads

    store = Path(store_dir)
    cfg = store_config(store)
    parts = partition_fields(cfg)
    committed = set(store_manifest(store)["batch"].unique())
    files, _ = committed_files(store, committed)
    fmt = pads.ParquetFileFormat(read_options=pads.ParquetReadOptions(dictionary_columns=list(dictionary_columns)))
    partitioning = pads.partitioning(pa.schema([pa.field(p, pa.string()) for p in parts]), flavor="hive")
    return pads.dataset(
        files, schema=points_schema(parts, dictionary_columns), format=fmt, partitioning=partitioning,
        partition_base_dir=(store / "points").as_posix(),
    )


def _as_utc(value: Any) -> pd.Timestamp:
    from flighttrace.timeutil import to_utc

    return to_utc(value, tz="UTC")


def _hex_set(icao24: str | Iterable[str] | None) -> list[str] | None:
    sel = hex_selection(icao24)
    return None if sel is None else sorted(sel)


def store_filter(
    *,
    start: Any = None,
    end: Any = None,
    icao24: str | Iterable[str] | None = None,
    bbox: tuple[float, float, float, float] | None = None,
    hex_digits: int = 1,
) -> pa.compute.Expression | None:
    """The pyarrow filter expression for a store read.

    Parameters
    ----------
    start, end
        Time range ``[start, end)``, UTC (strings, epoch seconds or
        timestamps; a bare date is that UTC day's midnight).
    icao24
        Hexes to keep (a string may hold several, comma-separated).
    bbox
        ``(min_lon, min_lat, max_lon, max_lat)`` in degrees, edges
        included; ``min_lon > max_lon`` crosses the antimeridian.
    hex_digits
        The store's hex partition depth.

    Returns
    -------
    pyarrow.compute.Expression or None
        Partition terms (``date``, ``hex``), which prune whole files, and
        row terms (``time``, ``icao24``, ``lat``/``lon``), which prune row
        groups by their statistics and then rows. ``None`` without filters.
    """
    import pyarrow.compute as pc

    terms: list[Any] = []
    if start is not None:
        s = _as_utc(start)
        terms += [pc.field("date") >= s.strftime("%Y-%m-%d"), pc.field("time") >= pa.scalar(s.value, pa.timestamp("ns", tz="UTC"))]
    if end is not None:
        e = _as_utc(end)
        last_day = (e - pd.Timedelta(1, "ns")).strftime("%Y-%m-%d")
        terms += [pc.field("date") <= last_day, pc.field("time") < pa.scalar(e.value, pa.timestamp("ns", tz="UTC"))]
    hexes = _hex_set(icao24)
    if hexes is not None:
        if hex_digits > 0:
            terms.append(pc.field("hex").isin(sorted({h[:hex_digits] for h in hexes})))
        terms.append(pc.field("icao24").isin(hexes))
    if bbox is not None:
        x0, y0, x1, y1 = (float(v) for v in bbox)
        if not (-90 <= y0 <= y1 <= 90 and -180 <= x0 <= 180 and -180 <= x1 <= 180):
            raise ValueError(f"bbox must be (min_lon, min_lat, max_lon, max_lat) in degrees, got {bbox}")
        terms += [pc.field("lat") >= y0, pc.field("lat") <= y1]
        if x0 <= x1:
            terms += [pc.field("lon") >= x0, pc.field("lon") <= x1]
        else:  # crosses the antimeridian
            terms.append((pc.field("lon") >= x0) | (pc.field("lon") <= x1))
    if not terms:
        return None
    expr = terms[0]
    for t in terms[1:]:
        expr = expr & t
    return expr


def read_store(
    store_dir: str | os.PathLike[str],
    *,
    start: Any = None,
    end: Any = None,
    icao24: str | Iterable[str] | None = None,
    bbox: tuple[float, float, float, float] | None = None,
    progress: Any = False,
) -> Dataset:
    """Read a store's Points, with the filters pushed down to the Parquet files.

    Parameters
    ----------
    store_dir
        The store folder.
    start, end
        Keep points with ``start <= time < end`` (UTC). Partitions of other
        days are not opened.
    icao24
        Keep these aircraft. Partitions of other leading hex digits are not
        opened; inside a file, row groups of other aircraft are skipped by
        their statistics.
    bbox
        ``(min_lon, min_lat, max_lon, max_lat)``, degrees, edges included.
    progress
        Accepted for symmetry with :func:`flighttrace.read` (the read is one
        pyarrow scan).

    Returns
    -------
    Dataset
        ``points`` sorted by icao24 then time (ties in the order files were
        added, then by source row), with the canonical dtypes; ``manifest``
        and ``quarantine`` of every file in the store (they describe the
        files, not the filtered points); ``info["store"]`` gives the filters
        and the number of files scanned out of the total.

    Examples
    --------
    >>> ds = read_store("store/", start="2023-09-01", end="2023-09-18", icao24="600864")  # doctest: +SKIP
    """
    from flighttrace._version import __version__
    from flighttrace.io._normalise import assemble
    from flighttrace.schema import empty_quarantine

    store = Path(store_dir)
    cfg = store_config(store)
    manifest = store_manifest(store)
    # icao24 as plain strings when filtered on, so that its row-group statistics prune (see store_dataset)
    dict_cols = tuple(c for c in STRING_COLUMNS if icao24 is None or c != "icao24")
    dset = store_dataset(store, dictionary_columns=dict_cols)
    expr = store_filter(start=start, end=end, icao24=icao24, bbox=bbox, hex_digits=int(cfg["hex_digits"]))
    n_total = len(dset.files)
    scanned = [f.path for f in dset.get_fragments(filter=expr)] if expr is not None else list(dset.files)
    try:
        table = dset.to_table(columns=list(POINTS_COLUMNS), filter=expr)
    except (pa.ArrowInvalid, OSError) as exc:
        raise StoreReadError(f"cannot read the store {store}: {exc}") from exc
    if "icao24" not in dict_cols:
        import pyarrow.compute as pc

        i = table.schema.get_field_index("icao24")
        table = table.set_column(i, "icao24", pc.dictionary_encode(table.column(i)).cast(pa.dictionary(pa.int32(), pa.string())))
    order = {p: i for i, p in enumerate(manifest["path"])}
    points, _ = assemble([table], order)
    del table
    qfiles = sorted((store / "quarantine").glob("*.parquet"))
    committed = set(manifest["batch"])
    qs = [pd.read_parquet(q) for q in qfiles if q.stem in committed]
    quarantine = pd.concat(qs, ignore_index=True) if qs else empty_quarantine()
    quarantine = sort_quarantine(quarantine)
    filters = {
        "start": None if start is None else _as_utc(start).isoformat(),
        "end": None if end is None else _as_utc(end).isoformat(),
        "icao24": _hex_set(icao24),
        "bbox": None if bbox is None else [float(v) for v in bbox],
    }
    info = {
        "flighttrace_version": __version__,
        "call": f"flighttrace.io.store.read_store({str(store)!r}, " + ", ".join(f"{k}={v!r}" for k, v in filters.items() if v is not None) + ")",
        "options": filters,
        "store": {"path": str(store), "filters": filters, "files_scanned": len(scanned), "files_total": n_total, "batches": len(committed)},
        "files_skipped_by_name": 0,
    }
    return Dataset(points=points, quarantine=quarantine, manifest=manifest.drop(columns="batch"), info=info)


# --------------------------------------------------------------------------- writing


def _drop_stored_duplicates(store: Path, points: pd.DataFrame, touched: list[str], existing: list[str], cfg: dict[str, Any]) -> np.ndarray:
    """Mask of new points identical to an already stored point (only touched partitions are read)."""
    import pyarrow.dataset as pads

    base = (store / "points").as_posix() + "/"
    touched_set = set(touched)
    files = [f for f in existing if f[len(base):].rsplit("/", 1)[0] in touched_set]
    dup = np.zeros(len(points), dtype=bool)
    if not files or not len(points):
        return dup
    parts = partition_fields(cfg)
    fmt = pads.ParquetFileFormat(read_options=pads.ParquetReadOptions(dictionary_columns=["icao24"]))
    dset = pads.dataset(
        files, schema=points_schema(parts), format=fmt,
        partitioning=pads.partitioning(pa.schema([pa.field(p, pa.string()) for p in parts]), flavor="hive"),
        partition_base_dir=(store / "points").as_posix(),
    )
    import pyarrow.compute as pc

    from flighttrace.timeutil import time_ns

    hexes = sorted(points["icao24"].cat.categories[np.unique(points["icao24"].cat.codes.to_numpy())])
    old = dset.to_table(columns=list(DUP_KEY), filter=pc.field("icao24").isin(hexes)).to_pandas()
    if not len(old):
        return dup

    def key(df: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "icao24": df["icao24"].astype(str).to_numpy(),
                "time": time_ns(df["time"].astype(TIME_DTYPE)),
                "lat": df["lat"].to_numpy(dtype=np.float64),
                "lon": df["lon"].to_numpy(dtype=np.float64),
                "alt_ft": pd.Series(df["alt_ft"], dtype=np.float32).fillna(np.float32(-1e30)).to_numpy(),
            }
        )

    new_k = key(points).assign(_i=np.arange(len(points)))
    hit = new_k.merge(key(old).drop_duplicates(), on=list(DUP_KEY), how="inner")["_i"].to_numpy()
    dup[hit] = True
    return dup


def add_to_store(dataset: Dataset, store_dir: str | os.PathLike[str], *, hex_digits: int = 1) -> StoreUpdate:
    """Add a :class:`~flighttrace.io.api.Dataset` to a store, skipping files already in it.

    Parameters
    ----------
    dataset
        What :func:`flighttrace.read` returned.
    store_dir
        The store folder; created (empty or missing folder) when it is not a
        store yet.
    hex_digits
        Hex partition depth for a NEW store (0, 1 or 2); an existing store
        keeps its own.

    Returns
    -------
    StoreUpdate
        The batch id, files added and skipped, points written, duplicates
        dropped and partitions written.

    Notes
    -----
    Files whose SHA-256 is already in the store's manifest are skipped with
    their points and quarantine rows; so are rows of paths that matched
    nothing (they are not files). One file per touched partition is written,
    sorted by icao24 then time, in row groups of :data:`ROW_GROUP_ROWS`
    rows; the batch commits when ``manifest.parquet`` is replaced. Peak
    memory is about the Points table of ``dataset`` plus the duplicate-key
    columns (icao24, time, lat, lon, alt_ft) of the stored aircraft in the
    partitions touched.

    Examples
    --------
    >>> up = add_to_store(flighttrace.read("fixtures/ovda/data/adsblol"), "store/")  # doctest: +SKIP
    >>> up.files_added[:1], up.points_written                                         # doctest: +SKIP
    """
    from flighttrace._version import __version__

    store = create_store(store_dir, hex_digits=hex_digits)
    cfg = store_config(store)
    hd = int(cfg["hex_digits"])
    update = StoreUpdate(store=store)
    with StoreLock(store):
        old_manifest = store_manifest(store)
        committed = set(old_manifest["batch"])
        existing = _clean_uncommitted(store, committed)
        known = set(old_manifest["sha256"])
        man = dataset.manifest
        is_file = (man["sha256"] != "").to_numpy()
        seen = man["sha256"].isin(known).to_numpy() & is_file
        new_rows = man[is_file & ~seen].copy()
        update.files_skipped = man.loc[seen, "path"].tolist()
        update.files_added = new_rows["path"].tolist()
        if not len(new_rows):
            return update
        n = max((int(b[1:]) for b in committed), default=0) + 1
        batch = f"b{n:06d}"
        update.batch = batch
        pts = dataset.points
        if seen.any() and len(pts):
            pts = pts[pts["src_file"].astype(str).isin(set(new_rows["path"])).to_numpy()]
        pts = pts.reset_index(drop=True)
        order, starts, names = _partitions(pts, hd)
        dup = _drop_stored_duplicates(store, pts, names, existing, cfg)
        if dup.any():
            pts = _count_duplicates(new_rows, pts, dup)
            update.duplicates_dropped = int(dup.sum())
            order, starts, names = _partitions(pts, hd)
        _write_points(store, batch, pts, order, starts, names)
        update.partitions = names
        update.points_written = len(pts)
        _write_quarantine(store, batch, dataset.quarantine, set(new_rows["path"]))
        _commit_manifest(store, old_manifest, new_rows.assign(batch=batch))
        cfg["batches"] = [*cfg.get("batches", []), {
            "id": batch, "files": len(new_rows), "files_skipped": len(update.files_skipped), "points": len(pts),
            "duplicates_dropped": update.duplicates_dropped, "call": str(dataset.info.get("call", "")),
            "flighttrace_version": __version__,
        }]
        write_config(store, cfg)
    return update


def _clean_uncommitted(store: Path, committed: set[str]) -> list[str]:
    """Remove the files of batches that never committed; return the committed Points files."""
    existing, orphans = committed_files(store, committed)
    for o in orphans:  # files of a batch that never committed
        o.unlink()
    for q in (store / "quarantine").glob("*.parquet"):
        if q.stem not in committed and BATCH_FILE.fullmatch(q.name):
            q.unlink()
    return existing


def _partitions(pts: pd.DataFrame, hex_digits: int) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """The order that groups ``pts`` by partition, where each partition starts in it, and the partitions' names."""
    day, pref = partition_keys(pts, hex_digits)
    per_day = 16**hex_digits
    pkey = day * per_day + pref
    order = np.argsort(pkey, kind="stable")  # input is sorted by icao24, time: that order is kept in each partition
    keys, starts = np.unique(pkey[order], return_index=True)
    return order, starts, [partition_name(k // per_day, k % per_day, hex_digits) for k in keys]


def _count_duplicates(new_rows: pd.DataFrame, pts: pd.DataFrame, dup: np.ndarray) -> pd.DataFrame:
    """Drop the points ``dup`` marks; count them in their files' manifest rows (``new_rows``, changed in place)."""
    n_dup = pts.loc[dup, "src_file"].astype(str).value_counts()
    pts = pts[~dup].reset_index(drop=True)
    idx = new_rows["path"].map(n_dup).fillna(0).astype(np.int64).to_numpy()
    new_rows["rows_duplicate"] = new_rows["rows_duplicate"].to_numpy() + idx
    new_rows["rows_kept"] = new_rows["rows_kept"].to_numpy() - idx
    spans = file_spans(pts)
    hit = new_rows["path"].isin(n_dup.index).to_numpy()
    for col in ("time_min", "time_max"):
        new_rows.loc[hit, col] = new_rows.loc[hit, "path"].map(spans[col]).astype(TIME_DTYPE)
    new_rows.loc[hit, "n_aircraft"] = new_rows.loc[hit, "path"].map(spans["n_aircraft"]).fillna(0).astype(np.int64).to_numpy()
    return pts


def _write_points(store: Path, batch: str, pts: pd.DataFrame, order: np.ndarray, starts: np.ndarray, names: list[str]) -> None:
    """One Parquet file of the batch per partition, in row groups of :data:`ROW_GROUP_ROWS`."""
    import pyarrow.parquet as pq

    if not len(pts):
        return
    table = points_to_arrow(pts).take(pa.array(order))
    bounds = np.append(starts, len(pts))
    for i, name in enumerate(names):  # one file per partition
        part = table.slice(int(bounds[i]), int(bounds[i + 1] - bounds[i]))
        folder = store / "points" / name
        folder.mkdir(parents=True, exist_ok=True)
        cols = [c.cast(pa.string()) if pa.types.is_dictionary(c.type) else c for c in part.columns]
        pq.write_table(
            pa.table(cols, schema=file_schema()), folder / f"{batch}.parquet",
            row_group_size=ROW_GROUP_ROWS, compression="zstd", write_statistics=True,
        )


def _write_quarantine(store: Path, batch: str, quarantine: pd.DataFrame, paths: set[str]) -> None:
    """The batch's quarantine: the rows of the files it adds."""
    import pyarrow.parquet as pq

    q = quarantine[quarantine["src_file"].isin(paths)]
    if len(q):
        qt = pa.Table.from_pandas(q.reset_index(drop=True), preserve_index=False)
        pq.write_table(qt, store / "quarantine" / f"{batch}.parquet", compression="zstd")


def _commit_manifest(store: Path, old_manifest: pd.DataFrame, new_rows: pd.DataFrame) -> None:
    """Replace ``manifest.parquet`` with the old rows and the batch's: the commit."""
    manifest = pd.concat([old_manifest, new_rows], ignore_index=True) if len(old_manifest) else new_rows.reset_index(drop=True)
    for c in MANIFEST:
        if isinstance(c.dtype, pd.DatetimeTZDtype):
            manifest[c.name] = manifest[c.name].astype(TIME_DTYPE)
    tmp = store / "manifest.parquet.tmp"
    manifest.to_parquet(tmp, index=False)
    tmp.replace(store / "manifest.parquet")  # the commit


def split_stored(
    paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    store_dir: str | os.PathLike[str],
    *,
    icao24: str | Iterable[str] | None = None,
) -> tuple[list[str], list[str]]:
    """Split inputs into what must be read and the disk files a store already holds.

    Parameters
    ----------
    paths
        As :func:`flighttrace.read`: files, folders, globs, tars.
    store_dir
        The store folder; when it is not a store (yet), nothing is stored.
    icao24
        The hex selection the inputs will be read with. A trace file named
        for another hex is not hashed: :func:`flighttrace.read` skips it by
        name without opening it, so it goes to ``to_read``.

    Returns
    -------
    to_read : list of str
        Paths to pass to :func:`flighttrace.read`: disk files whose SHA-256
        is not in the store's manifest, tars and split-tar parts (a tar is
        streamed, so its members cannot be hashed without reading it; they
        are parsed, then skipped by :func:`add_to_store`), files skipped by
        name, and arguments that match nothing (``read`` reports them).
    stored : list of str
        Disk files whose SHA-256 is already in the store: never opened again
        beyond hashing.
    """
    from flighttrace.io.sources import _SPLIT_PART, _expand_one, _is_tar, file_sha256, hex_from_name

    store = Path(store_dir)
    known = set(store_manifest(store)["sha256"]) if is_store(store) else set()
    hexes = _hex_set(icao24)
    items = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
    to_read: list[str] = []
    stored: list[str] = []
    for arg in items:
        try:
            files = _expand_one(arg)
        except FileNotFoundError:
            to_read.append(str(arg))  # read() reports it
            continue
        for f in files:
            named = hex_from_name(f.as_posix())
            if not known or _SPLIT_PART.search(f.name) or _is_tar(f) or (hexes is not None and named is not None and named not in hexes):
                to_read.append(f.as_posix())
                continue
            try:
                digest = file_sha256(f)
            except OSError:  # not a regular file, a broken link …: read() reports it
                digest = ""
            (stored if digest in known else to_read).append(f.as_posix())
    return to_read, stored


def ingest_to_store(
    paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    store_dir: str | os.PathLike[str],
    *,
    hex_digits: int = 1,
    **read_options: Any,
) -> StoreUpdate:
    """Read files into a store, without parsing the disk files already in it.

    Parameters
    ----------
    paths
        As :func:`flighttrace.read`.
    store_dir
        The store folder (created when missing).
    hex_digits
        Hex partition depth for a new store.
    **read_options
        Passed to :func:`flighttrace.read` (``format``, ``tz``, ``icao24``,
        ``n_jobs`` …).

    Returns
    -------
    StoreUpdate
        As :func:`add_to_store`; ``files_skipped`` also lists the disk files
        skipped before parsing.

    Notes
    -----
    Disk files are hashed first (:func:`split_stored`) and those already
    stored are not passed to :func:`flighttrace.read`; the members of a tar
    are parsed and then skipped by :func:`add_to_store` (a tar is streamed,
    its members cannot be hashed without reading it).
    """
    import flighttrace

    store = create_store(store_dir, hex_digits=hex_digits)
    items = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
    keep, skipped = split_stored(items, store, icao24=read_options.get("icao24"))
    if not keep:
        return StoreUpdate(store=store, files_skipped=skipped)
    read_options.setdefault("command", f"flighttrace.io.store.ingest_to_store({[str(i) for i in items]!r}, {str(store)!r})")
    ds = flighttrace.read(keep, **read_options)
    up = add_to_store(ds, store)
    up.files_skipped = skipped + up.files_skipped
    return up
