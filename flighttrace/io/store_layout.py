"""The layout of a Points store: its marker and configuration, schemas, partitions and committed files.

:mod:`flighttrace.io.store` reads and writes stores; this module holds what
both sides agree on (see the layout in that module's docstring).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd
import pyarrow as pa

from flighttrace.schema import MANIFEST, POINTS

__all__ = [
    "STORE_FORMAT",
    "STORE_VERSION",
    "NS_PER_DAY",
    "STRING_COLUMNS",
    "DUP_KEY",
    "BATCH_FILE",
    "StoreReadError",
    "StoreLockedError",
    "StoreLock",
    "points_schema",
    "file_schema",
    "is_store",
    "store_config",
    "write_config",
    "create_store",
    "partition_fields",
    "store_manifest",
    "committed_files",
    "partition_keys",
    "partition_name",
    "points_to_arrow",
]

STORE_FORMAT: Final = "flighttrace-store"
"""Value of ``format`` in a store's ``store.json``."""
STORE_VERSION: Final = 1
"""Version of the layout written in ``store.json``."""
NS_PER_DAY: Final = 86_400 * 10**9
"""Nanoseconds per day (the date partition is the UTC day)."""
STRING_COLUMNS: Final = tuple(c.name for c in POINTS if c.dtype == "category" or isinstance(c.dtype, pd.CategoricalDtype))
"""String columns of Points (categoricals in the table, dictionaries or plain strings in Parquet)."""
DUP_KEY: Final = ("icao24", "time", "lat", "lon", "alt_ft")
"""The columns that make two points duplicates (as :func:`flighttrace.io._normalise.assemble` defines them)."""


class StoreReadError(OSError):
    """A file of the store cannot be read (corrupt or truncated); the message names it."""


class StoreLockedError(RuntimeError):
    """Another process is adding to the store (or a crashed one left ``STORE/.lock``)."""


def points_schema(partition_fields: Sequence[str] = (), dictionary_columns: Sequence[str] = STRING_COLUMNS) -> pa.Schema:
    """Arrow schema of the store's Points files (``dictionary_columns`` as dictionaries) plus partition fields."""
    fields: list[pa.Field] = []
    for c in POINTS:
        if c.name in dictionary_columns:
            t: pa.DataType = pa.dictionary(pa.int32(), pa.string())
        elif c.name in STRING_COLUMNS:
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


def file_schema() -> pa.Schema:
    """Schema the Points files are written with: plain strings (Parquet dictionary-encodes them)."""
    return pa.schema([pa.field(f.name, pa.string()) if pa.types.is_dictionary(f.type) else f for f in points_schema()])


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


def store_config(store: Path) -> dict[str, Any]:
    if not is_store(store):
        raise FileNotFoundError(f"{store} is not a flighttrace store (no store.json); create one with add_to_store()")
    return dict(json.loads((store / "store.json").read_text(encoding="utf-8")))


def write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


def write_config(store: Path, cfg: dict[str, Any]) -> None:
    write_atomic(store / "store.json", (json.dumps(cfg, indent=2, sort_keys=True) + "\n").encode())


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

    write_config(
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


def partition_fields(cfg: dict[str, Any]) -> tuple[str, ...]:
    return ("date", "hex") if int(cfg["hex_digits"]) > 0 else ("date",)


def store_manifest(store_dir: str | os.PathLike[str]) -> pd.DataFrame:
    """The store's manifest: one row per source file (Manifest columns plus ``batch``), in the order added."""
    store = Path(store_dir)
    store_config(store)
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


BATCH_FILE = re.compile(r"b\d{6}\.parquet")
"""The name of a batch's file in the store (``b000002.parquet``): only such files are ever cleaned up."""


def committed_files(store: Path, committed: set[str]) -> tuple[list[str], list[Path]]:
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
            elif BATCH_FILE.fullmatch(f):  # a batch file of flighttrace's that never committed; any other file is not ours
                orphans.append(p)
    return sorted(ok), sorted(orphans)


class StoreLock:
    def __init__(self, store: Path) -> None:
        self.path = store / ".lock"

    def __enter__(self) -> StoreLock:
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


def partition_keys(points: pd.DataFrame, hex_digits: int) -> tuple[np.ndarray, np.ndarray]:
    """Per point: UTC day number and the value of its leading hex digits (per distinct hex, not per point)."""
    from flighttrace.timeutil import time_ns

    day = time_ns(points["time"]) // NS_PER_DAY
    if hex_digits == 0:
        return day, np.zeros(len(points), dtype=np.int64)
    cats = np.asarray(points["icao24"].cat.categories, dtype=object)
    pref = np.array([int(str(c)[:hex_digits], 16) for c in cats], dtype=np.int64)
    return day, pref[points["icao24"].cat.codes.to_numpy()]


def partition_name(day: int, pref: int, hex_digits: int) -> str:
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
    schema = file_schema()
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
