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

import json
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import pandas as pd
import pyarrow as pa

from flighttrace.schema import MANIFEST, POINTS, POINTS_COLUMNS, TIME_DTYPE

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow.dataset as pads

    from flighttrace.io.api import Dataset

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

STORE_FORMAT: Final = "flighttrace-store"
"""Value of ``format`` in a store's ``store.json``."""
STORE_VERSION: Final = 1
NS_PER_DAY: Final = 86_400 * 10**9
ROW_GROUP_ROWS: Final = 65_536
"""Rows per Parquet row group: small enough for statistics to prune inside a day's file."""
_STRING_COLUMNS: Final = tuple(c.name for c in POINTS if c.dtype == "category" or isinstance(c.dtype, pd.CategoricalDtype))
_DUP_KEY: Final = ("icao24", "time", "lat", "lon", "alt_ft")


class StoreReadError(OSError):
    """A file of the store cannot be read (corrupt or truncated); the message names it."""


class StoreLockedError(RuntimeError):
    """Another process is adding to the store (or a crashed one left ``STORE/.lock``)."""


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


# --------------------------------------------------------------------------- layout


def _points_schema(partition_fields: Sequence[str] = (), dictionary_columns: Sequence[str] = _STRING_COLUMNS) -> pa.Schema:
    """Arrow schema of the store's Points files (``dictionary_columns`` as dictionaries) plus partition fields."""
    fields: list[pa.Field] = []
    for c in POINTS:
        if c.name in dictionary_columns:
            t: pa.DataType = pa.dictionary(pa.int32(), pa.string())
        elif c.name in _STRING_COLUMNS:
            t = pa.string()
        elif isinstance(c.dtype, pd.DatetimeTZDtype):
            t = pa.timestamp("ns", tz="UTC")
        elif c.dtype in ("bool", "boolean"):
            t = pa.bool_()
        else:
            t = pa.from_numpy_dtype(np.dtype(str(c.dtype)))
        fields.append(pa.field(c.name, t))
    fields.extend(pa.field(p, pa.string()) for p in partition_fields)
    return pa.schema(fields)


def _file_schema() -> pa.Schema:
    """Schema the Points files are written with: plain strings (Parquet dictionary-encodes them)."""
    return pa.schema([pa.field(f.name, pa.string()) if pa.types.is_dictionary(f.type) else f for f in _points_schema()])


def is_store(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is a flighttrace store folder (it holds a ``store.json`` saying so)."""
    p = Path(path)
    marker = p / "store.json"
    if not marker.is_file():
        return False
    try:
        return json.loads(marker.read_text(encoding="utf-8")).get("format") == STORE_FORMAT
    except (OSError, ValueError):
        return False


def _config(store: Path) -> dict[str, Any]:
    if not is_store(store):
        raise FileNotFoundError(f"{store} is not a flighttrace store (no store.json); create one with add_to_store()")
    return dict(json.loads((store / "store.json").read_text(encoding="utf-8")))


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


def _write_config(store: Path, cfg: dict[str, Any]) -> None:
    _write_atomic(store / "store.json", (json.dumps(cfg, indent=2, sort_keys=True) + "\n").encode())


def create_store(store_dir: str | os.PathLike[str], *, hex_digits: int = 1) -> Path:
    """Create an empty store (or return an existing one unchanged).

    Parameters
    ----------
    store_dir
        Folder to create; it must be empty or missing, or already a store.
    hex_digits
        Leading hex digits of icao24 used as the second partition level
        (0 = by date only, 1 = 16 partitions per day, 2 = 256). Fixed when the
        store is created.

    Returns
    -------
    pathlib.Path
        The store folder.
    """
    store = Path(store_dir)
    if is_store(store):
        return store
    if not 0 <= hex_digits <= 2:
        raise ValueError(f"hex_digits must be 0, 1 or 2, not {hex_digits}")
    if store.exists() and any(store.iterdir()):
        raise FileExistsError(f"{store} exists, is not empty and is not a flighttrace store")
    (store / "points").mkdir(parents=True, exist_ok=True)
    (store / "quarantine").mkdir(exist_ok=True)
    from flighttrace._version import __version__

    _write_config(
        store,
        {
            "format": STORE_FORMAT,
            "version": STORE_VERSION,
            "partitioning": {"date": "UTC day of time, YYYY-MM-DD", "hex": f"first {hex_digits} hex digit(s) of icao24"},
            "hex_digits": hex_digits,
            "created_by": f"flighttrace {__version__}",
            "batches": [],
        },
    )
    return store


def _partition_fields(cfg: dict[str, Any]) -> tuple[str, ...]:
    return ("date", "hex") if int(cfg["hex_digits"]) > 0 else ("date",)


def store_manifest(store_dir: str | os.PathLike[str]) -> pd.DataFrame:
    """The store's manifest: one row per source file (Manifest columns plus ``batch``), in the order added."""
    store = Path(store_dir)
    _config(store)
    path = store / "manifest.parquet"
    if not path.exists():
        from flighttrace.provenance import manifest_frame

        return manifest_frame([]).assign(batch=pd.Series([], dtype=str))
    df = pd.read_parquet(path)
    for c in MANIFEST:
        if c.dtype == "str":
            df[c.name] = df[c.name].astype(str)
    df["batch"] = df["batch"].astype(str)
    return df


_BATCH_FILE = re.compile(r"b\d{6}\.parquet")
"""The name of a batch's file in the store (``b000002.parquet``): only such files are ever cleaned up."""


def _committed_files(store: Path, committed: set[str]) -> tuple[list[str], list[Path]]:
    """(committed Points files, orphans of uncommitted batches), sorted. Files not named as batches are neither."""
    ok: list[str] = []
    orphans: list[Path] = []
    for root, _dirs, files in os.walk(store / "points"):
        for f in files:
            if not f.endswith(".parquet"):
                continue
            p = Path(root) / f
            if f[: -len(".parquet")] in committed:
                ok.append(p.as_posix())
            elif _BATCH_FILE.fullmatch(f):  # a batch file of flighttrace's that never committed; any other file is not ours
                orphans.append(p)
    return sorted(ok), sorted(orphans)


# --------------------------------------------------------------------------- reading


def store_dataset(store_dir: str | os.PathLike[str], *, dictionary_columns: Sequence[str] = _STRING_COLUMNS) -> pads.Dataset:
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
    cfg = _config(store)
    parts = _partition_fields(cfg)
    committed = set(store_manifest(store)["batch"].unique())
    files, _ = _committed_files(store, committed)
    fmt = pads.ParquetFileFormat(read_options=pads.ParquetReadOptions(dictionary_columns=list(dictionary_columns)))
    partitioning = pads.partitioning(pa.schema([pa.field(p, pa.string()) for p in parts]), flavor="hive")
    return pads.dataset(
        files, schema=_points_schema(parts, dictionary_columns), format=fmt, partitioning=partitioning,
        partition_base_dir=(store / "points").as_posix(),
    )


def _as_utc(value: Any) -> pd.Timestamp:
    from flighttrace.timeutil import to_utc

    return to_utc(value, tz="UTC")


def _hex_set(icao24: str | Iterable[str] | None) -> list[str] | None:
    if icao24 is None:
        return None
    items = [icao24] if isinstance(icao24, str) else list(icao24)
    return sorted({h.strip().lower() for s in items for h in str(s).split(",") if h.strip()})


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
    from flighttrace.io.api import Dataset
    from flighttrace.schema import empty_quarantine

    store = Path(store_dir)
    cfg = _config(store)
    manifest = store_manifest(store)
    # icao24 as plain strings when filtered on, so that its row-group statistics prune (see store_dataset)
    dict_cols = tuple(c for c in _STRING_COLUMNS if icao24 is None or c != "icao24")
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
    if len(quarantine):
        quarantine["src_row"] = quarantine["src_row"].astype("Int64")
        for c in ("src_file", "reason", "raw"):
            quarantine[c] = quarantine[c].astype(str)
        quarantine = quarantine.sort_values(["src_file", "src_row"], na_position="first", kind="stable").reset_index(drop=True)
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


class _Lock:
    def __init__(self, store: Path) -> None:
        self.path = store / ".lock"

    def __enter__(self) -> _Lock:
        try:
            fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError as exc:
            raise StoreLockedError(
                f"{self.path} exists: another process is adding to this store; if none is, a crashed one left it: delete it"
            ) from exc
        os.write(fd, str(os.getpid()).encode())
        os.close(fd)
        return self

    def __exit__(self, *exc: object) -> None:
        self.path.unlink(missing_ok=True)


def _partition_keys(points: pd.DataFrame, hex_digits: int) -> tuple[np.ndarray, np.ndarray]:
    """Per point: UTC day number and the value of its leading hex digits (per distinct hex, not per point)."""
    from flighttrace.timeutil import time_ns

    day = time_ns(points["time"]) // NS_PER_DAY
    if hex_digits == 0:
        return day, np.zeros(len(points), dtype=np.int64)
    cats = np.asarray(points["icao24"].cat.categories, dtype=object)
    pref = np.array([int(str(c)[:hex_digits], 16) for c in cats], dtype=np.int64)
    return day, pref[points["icao24"].cat.codes.to_numpy()]


def _partition_name(day: int, pref: int, hex_digits: int) -> str:
    date = (np.datetime64(0, "D") + np.timedelta64(int(day), "D")).astype(str)
    return f"date={date}" + (f"/hex={pref:0{hex_digits}x}" if hex_digits else "")


def points_to_arrow(points: pd.DataFrame) -> pa.Table:
    """A Points frame as an Arrow table: categoricals as ``dictionary<int32, string>``, no pandas metadata.

    Parameters
    ----------
    points
        A Points table with the canonical dtypes.

    Returns
    -------
    pyarrow.Table
        The same columns; tables from different frames concatenate directly.
    """
    schema = _file_schema()
    arrays = []
    for f in schema:
        s = points[f.name]
        if isinstance(s.dtype, pd.CategoricalDtype):
            arr = pa.DictionaryArray.from_arrays(
                pa.array(s.cat.codes.to_numpy().astype(np.int32), mask=s.cat.codes.to_numpy() < 0),
                pa.array(np.asarray(s.cat.categories, dtype=object), type=pa.string()),
            )
            arrays.append(arr)
        else:
            arrays.append(pa.Array.from_pandas(s, type=f.type))
    return pa.table(arrays, names=schema.names)


def _drop_stored_duplicates(store: Path, points: pd.DataFrame, touched: list[str], existing: list[str], cfg: dict[str, Any]) -> np.ndarray:
    """Mask of new points identical to an already stored point (only touched partitions are read)."""
    import pyarrow.dataset as pads

    base = (store / "points").as_posix() + "/"
    touched_set = set(touched)
    files = [f for f in existing if f[len(base):].rsplit("/", 1)[0] in touched_set]
    dup = np.zeros(len(points), dtype=bool)
    if not files or not len(points):
        return dup
    parts = _partition_fields(cfg)
    fmt = pads.ParquetFileFormat(read_options=pads.ParquetReadOptions(dictionary_columns=["icao24"]))
    dset = pads.dataset(
        files, schema=_points_schema(parts), format=fmt,
        partitioning=pads.partitioning(pa.schema([pa.field(p, pa.string()) for p in parts]), flavor="hive"),
        partition_base_dir=(store / "points").as_posix(),
    )
    import pyarrow.compute as pc

    from flighttrace.timeutil import time_ns

    hexes = sorted(points["icao24"].cat.categories[np.unique(points["icao24"].cat.codes.to_numpy())])
    old = dset.to_table(columns=list(_DUP_KEY), filter=pc.field("icao24").isin(hexes)).to_pandas()
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
    hit = new_k.merge(key(old).drop_duplicates(), on=list(_DUP_KEY), how="inner")["_i"].to_numpy()
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
    import pyarrow.parquet as pq

    from flighttrace._version import __version__

    store = create_store(store_dir, hex_digits=hex_digits)
    cfg = _config(store)
    hd = int(cfg["hex_digits"])
    update = StoreUpdate(store=store)
    with _Lock(store):
        old_manifest = store_manifest(store)
        committed = set(old_manifest["batch"])
        existing, orphans = _committed_files(store, committed)
        for o in orphans:  # files of a batch that never committed
            o.unlink()
        for q in (store / "quarantine").glob("*.parquet"):
            if q.stem not in committed and _BATCH_FILE.fullmatch(q.name):
                q.unlink()
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
        day, pref = _partition_keys(pts, hd)
        pkey = day * (16**hd) + pref
        order = np.argsort(pkey, kind="stable")  # input is sorted by icao24, time: that order is kept in each partition
        keys, starts = np.unique(pkey[order], return_index=True)
        names = [_partition_name(k // (16**hd), k % (16**hd), hd) for k in keys]
        dup = _drop_stored_duplicates(store, pts, names, existing, cfg)
        if dup.any():
            n_dup = pts.loc[dup, "src_file"].astype(str).value_counts()
            pts = pts[~dup].reset_index(drop=True)
            update.duplicates_dropped = int(dup.sum())
            idx = new_rows["path"].map(n_dup).fillna(0).astype(np.int64).to_numpy()
            new_rows["rows_duplicate"] = new_rows["rows_duplicate"].to_numpy() + idx
            new_rows["rows_kept"] = new_rows["rows_kept"].to_numpy() - idx
            g = pts.groupby(pts["src_file"].astype(str))
            spans = g["time"].agg(["min", "max"])
            n_ac = g["icao24"].nunique()
            hit = new_rows["path"].isin(n_dup.index).to_numpy()
            for col, vals in (("time_min", spans["min"]), ("time_max", spans["max"])):
                new_rows.loc[hit, col] = new_rows.loc[hit, "path"].map(vals).astype(TIME_DTYPE)
            new_rows.loc[hit, "n_aircraft"] = new_rows.loc[hit, "path"].map(n_ac).fillna(0).astype(np.int64).to_numpy()
            day, pref = _partition_keys(pts, hd)
            pkey = day * (16**hd) + pref
            order = np.argsort(pkey, kind="stable")
            keys, starts = np.unique(pkey[order], return_index=True)
            names = [_partition_name(k // (16**hd), k % (16**hd), hd) for k in keys]
        table = points_to_arrow(pts).take(pa.array(order)) if len(pts) else None
        bounds = np.append(starts, len(pts))
        for i, name in enumerate(names):  # one file per partition
            part = table.slice(int(bounds[i]), int(bounds[i + 1] - bounds[i]))  # type: ignore[union-attr]
            folder = store / "points" / name
            folder.mkdir(parents=True, exist_ok=True)
            cols = [c.cast(pa.string()) if pa.types.is_dictionary(c.type) else c for c in part.columns]
            pq.write_table(
                pa.table(cols, schema=_file_schema()), folder / f"{batch}.parquet",
                row_group_size=ROW_GROUP_ROWS, compression="zstd", write_statistics=True,
            )
        update.partitions = names
        update.points_written = len(pts)
        q = dataset.quarantine
        q = q[q["src_file"].isin(set(new_rows["path"]))]
        if len(q):
            qt = pa.Table.from_pandas(q.reset_index(drop=True), preserve_index=False)
            pq.write_table(qt, store / "quarantine" / f"{batch}.parquet", compression="zstd")
        new_rows["batch"] = batch
        manifest = pd.concat([old_manifest, new_rows], ignore_index=True) if len(old_manifest) else new_rows.reset_index(drop=True)
        for c in MANIFEST:
            if isinstance(c.dtype, pd.DatetimeTZDtype):
                manifest[c.name] = manifest[c.name].astype(TIME_DTYPE)
        tmp = store / "manifest.parquet.tmp"
        manifest.to_parquet(tmp, index=False)
        tmp.replace(store / "manifest.parquet")  # the commit
        cfg["batches"] = [*cfg.get("batches", []), {
            "id": batch, "files": len(new_rows), "files_skipped": len(update.files_skipped), "points": len(pts),
            "duplicates_dropped": update.duplicates_dropped, "call": str(dataset.info.get("call", "")),
            "flighttrace_version": __version__,
        }]
        _write_config(store, cfg)
    return update


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
