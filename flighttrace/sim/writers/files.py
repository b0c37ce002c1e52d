"""Writing a simulated file's bytes: plain, or gzipped with a header that holds no name and no time (the same bytes every run)."""

from __future__ import annotations

import gzip
import os

import numpy as np
import pandas as pd

__all__ = ["time_ordered", "write_file"]


def write_file(data: bytes, path: str | os.PathLike[str], *, compress: bool = False) -> None:
    """Write ``data`` to ``path`` (its folder created), gzipped when ``compress``.

    ``filename=""`` and ``mtime=0`` keep the gzip header free of name and
    time, so the same data always gives the same bytes.
    """
    os.makedirs(os.path.dirname(os.fspath(path)) or ".", exist_ok=True)
    with open(path, "wb") as fh:
        if compress:
            with gzip.GzipFile(filename="", fileobj=fh, mode="wb", compresslevel=9, mtime=0) as gz:
                gz.write(data)
        else:
            fh.write(data)


def time_ordered(points: pd.DataFrame, *, upper: bool) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Points sorted by time, ties by address, for a writer of a message log: (points, times in ns, addresses).

    ``upper``: the addresses in upper case (SBS), else lower case (jet1090).
    """
    from flighttrace.timeutil import time_ns

    n = len(points)
    pts = points.reset_index(drop=True)
    t_ns = time_ns(pd.Series(pts["time"]))
    text = pts["icao24"].astype(str)
    hexes = (text.str.upper() if upper else text.str.lower()).to_numpy(dtype=object)
    order = np.lexsort((hexes.astype(str), t_ns)) if n else np.empty(0, dtype=np.int64)
    return pts.iloc[order].reset_index(drop=True), t_ns[order], hexes[order]
